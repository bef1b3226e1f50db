/**
 * Browser benchmark of the credit proof against Semaphore v4 at depth 20, in Debian's Chromium:
 * one page served locally, one Web Worker with snarkjs's browser build that keeps both circuits'
 * wasm and zkey in memory and proves them alternately (a b a b ..., after a warm-up of each).
 * The time is the worker's own measurement around `groth16.fullProve`; every proof is checked in
 * Node (verification key; Semaphore's public signals too). Not the app's flow: bench/browser.ts
 * measures that. Writes bench/results/browser-semaphore.json.
 *
 * Usage: npx node bench/browser-semaphore.ts [--runs N]   (default 5)
 */
import { readFileSync } from "node:fs"
import { loadavg } from "node:os"
import type { Page } from "playwright-core"
import { CREDIT_PROOF_ARTIFACTS as A } from "../circuits/artifacts.ts"
import { buildCreditProofInput } from "../prover/src/index.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { startStaticServer } from "../scripts/lib/static-server.ts"
import { launchBrowser } from "../test/e2e/helpers.ts"
import { proverWorld } from "../test/helpers/fixtures.ts"
import { testPort } from "../test/helpers/ports.ts"
import { alternate, type Contender, type Groth16Result, verifiesAgainst } from "./lib/alternate.ts"
import { machine, median, printTable, RESULTS_DIR, ROOT, writeResult } from "./lib/report.ts"
import { buildSemaphore, SEMAPHORE_ARTIFACTS as S, SEMAPHORE_DEPTH, semaphoreBenchCase, semaphoreCheck } from "./lib/semaphore.ts"

const runsArg = process.argv.indexOf("--runs")
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5
if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error("--runs must be an integer >= 5 (medians of 5 or more runs)")
const PORT = testPort(8850)

/** Circuit inputs as the worker gets them: field elements as decimal strings. */
const forPage = (input: object): Record<string, unknown> => JSON.parse(JSON.stringify(input, (_, v) => (typeof v === "bigint" ? v.toString() : v)))

/** A proof made in the page's worker (bench/browser-semaphore/worker.js). */
const inPage = (page: Page, circuit: string, input: object) => () =>
    page.evaluate(([c, i]) => (window as unknown as { prove(c: string, i: unknown): Promise<Groth16Result & { ms: number }> }).prove(c, i), [circuit, forPage(input)] as const)

const loadBefore = loadavg()[0]!
if (await buildSemaphore()) console.log("semaphore: built")
const server = await startStaticServer({
    dir: `${ROOT}bench/browser-semaphore`,
    port: PORT,
    files: {
        "/snarkjs.min.js": `${ROOT}node_modules/snarkjs/build/snarkjs.min.js`,
        "/credit-proof.wasm": A.wasm,
        "/credit-proof.zkey": A.zkey,
        "/semaphore.wasm": S.wasm,
        "/semaphore.zkey": S.zkey
    }
})
const browser = await launchBrowser()
try {
    const { page } = browser
    await page.goto(`${server.url}/index.html`)
    const semaphore = semaphoreBenchCase()
    const credit: Contender = { name: "credit-proof", prove: inPage(page, "credit-proof", buildCreditProofInput(proverWorld().request)), check: verifiesAgainst(JSON.parse(readFileSync(A.vkey, "utf8")), "credit") }
    const reference: Contender = { name: "semaphore", prove: inPage(page, "semaphore", semaphore.input), check: semaphoreCheck(semaphore, JSON.parse(readFileSync(S.vkey, "utf8"))) }
    const [creditTimes, semaphoreTimes] = await alternate(RUNS, credit, reference)
    if (browser.problems.length > 0) throw new Error(`the page reported: ${browser.problems.join("; ")}`)

    const proveMsMedian = median(creditTimes)
    const semaphoreProveMsMedian = median(semaphoreTimes)
    const chromium = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))
    const result = {
        proveMsMedian,
        semaphoreProveMsMedian,
        ratioToSemaphore: Math.round((proveMsMedian / semaphoreProveMsMedian) * 100) / 100,
        runs: RUNS,
        compared: `groth16.fullProve in one Web Worker (snarkjs browser build, artifacts in memory) of the credit proof and of Semaphore v4 at depth ${SEMAPHORE_DEPTH}, alternately after a warm-up of each; medians of ${RUNS} each`,
        samples: { proveMs: creditTimes, semaphoreProveMs: semaphoreTimes },
        browser: `Chromium ${chromium} (headless, /usr/bin/chromium)`,
        machine: machine(),
        loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
        measuredAt: new Date().toISOString()
    }
    printTable(`credit proof vs Semaphore v4 depth ${SEMAPHORE_DEPTH} in Chromium (Web Worker, fullProve, alternating, median of ${RUNS} each)`, [
        ["credit proof ms (proveMsMedian)", result.proveMsMedian],
        ["Semaphore ms (semaphoreProveMsMedian)", result.semaphoreProveMsMedian],
        ["ratioToSemaphore", result.ratioToSemaphore],
        ["load average (1 min) before / after", `${result.loadAverage1m.before} / ${result.loadAverage1m.after}`]
    ])
    writeResult(`${RESULTS_DIR}/browser-semaphore.json`, result)
} finally {
    await browser.close()
    await server.close()
    await releaseSnarkCurve()
}
