/**
 * Browser benchmark: the credit proof as a borrower makes it in the app, in Chromium (found as the
 * browser tests find it: CHROMIUM_PATH, else the usual locations).
 * - `proveColdMs`: the first proof in a fresh browser profile, as the borrower gets it: the page
 *   starts the prover's warm-up (worker, artifacts downloaded and verified, witness generator
 *   compiled, curve built) when an offer is selected, so what is left of it when the borrower
 *   confirms is inside this figure; then witness, proof and self-check.
 * - `proveWarmMs`: the median of the later proofs in the same page: the worker's prover keeps
 *   the verified bytes, the compiled witness generator and the curve (no request; the pin
 *   decides currency).
 * - `breakdown`: the warm-up's parts (download, hash, compile, curve) and each proof's (inputs,
 *   waiting for the warm-up, witness, prove, self-check), as the worker measured them.
 * - `artifactsTransferBytes`: what the cold proof's artifact download carried on the network
 *   (headers and brotli bodies), from the worker's resource timing (`transferSize`); the bodies
 *   as sent and decompressed are kept next to it.
 * Each proof is a real borrow through the UI (the borrower repays in full between loans); the
 * time is the app's own measurement around the worker call (`window.__zkcredit.proofs`), not
 * the clicks around it. Writes bench/results/browser.json.
 *
 * Usage: npx node bench/browser.ts [--runs N]   (warm proofs, default 5)
 */
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { startPlatform } from "../scripts/lib/platform.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { actConfirmed, CHROMIUM, CHROMIUM_LOOKUP, connectDevAccount, getAttestation, launchBrowser, notice, open, restoreIdentity } from "../test/e2e/helpers.ts"
import { machine, median, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"
import { testPort } from "../test/helpers/ports.ts"

const runsArg = process.argv.indexOf("--runs")
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5
if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error("--runs must be an integer >= 5 (medians of 5 or more runs)")
const PORTS = { chain: testPort(8840), bureau: testPort(8841), app: testPort(8842) }

interface ProofTiming {
    totalMs: number
    artifactsMs: number
    artifactsFrom: "memory" | "cache" | "network"
    artifactsTransfer: { transferSize: number; encodedBodySize: number; decodedBodySize: number }
    stages: Record<string, number>
    timings: { inputsMs: number; warmUpMs: number; witnessMs: number; proveMs: number; selfCheckMs: number; totalMs: number }
    warmUp?: { loadMs: number; hashMs: number; compileMs: number; curveMs: number; pinHashMs: number }
}

// other work on the machine slows the proof down: the 1-minute load is recorded with the result
const loadBefore = loadavg()[0]!
// before the platform starts: a missing browser would leave it running
if (!CHROMIUM_LOOKUP.found) throw new Error(`browser benchmark: ${CHROMIUM_LOOKUP.problem}`)
const stateDir = mkdtempSync(join(tmpdir(), "zkcredit-bench-browser-"))
const platform = await startPlatform({ ports: PORTS, stateDir, onStep: (n, total, text) => console.log(`[${n}/${total}] ${text}`) })
const browser = await launchBrowser()
try {
    const { page } = browser
    const url = platform.appUrl!
    const encodings = new Set<string>()
    browser.context.on("response", (r) => {
        if (new URL(r.url()).pathname.startsWith("/artifacts/")) encodings.add(r.headers()["content-encoding"] ?? "identity")
    })
    const borrower = platform.world.borrowers.find((b) => b.name === "chen-wei")!
    await open(page, `${url}/borrower`)
    await connectDevAccount(page, borrower.address)
    await restoreIdentity(page, stateDir, borrower)
    await getAttestation(page, stateDir, borrower)
    const offer = platform.world.offerIds[0]!

    const proofs = async () => page.evaluate(() => (window as unknown as { __zkcredit: { proofs: ProofTiming[] } }).__zkcredit.proofs)
    for (let i = 0; i <= RUNS; i++) {
        await page.getByTestId(`select-${offer}-0`).click()
        await page.getByTestId("borrow-principal").fill("100")
        const borrowed = await actConfirmed(page, "borrow-submit", 120_000)
        if (borrowed.key !== "borrow.success") throw new Error(`borrow ${i} failed: ${borrowed.text}`)
        const loan = page.locator('article[data-testid^="loan-"]')
        await loan.waitFor()
        const loanId = (await loan.getAttribute("data-testid"))!.slice("loan-".length)
        const repaid = await actConfirmed(page, `repay-all-${loanId}`)
        if (repaid.key !== "repay.successAll") throw new Error(`repaying loan ${loanId} failed: ${repaid.text}`)
        await loan.waitFor({ state: "detached" })
        const last = (await proofs()).at(-1)
        console.log(`proof ${i + 1}/${RUNS + 1}: ${last?.totalMs} ms (artifacts ${last?.artifactsMs} ms from the ${last?.artifactsFrom}; stages start at ${JSON.stringify(last?.stages)})`)
    }
    const all = await proofs()
    const [cold, ...warm] = all
    if (!cold || warm.length !== RUNS) throw new Error(`expected ${RUNS + 1} proofs, got ${all.length}`)
    if (cold.artifactsFrom !== "network" || warm.some((p) => p.artifactsFrom !== "memory")) throw new Error("the first proof must download the artifacts and the later ones reuse the verified bytes in the worker")
    const transfer = cold.artifactsTransfer
    if (!(transfer.transferSize > 0) || !(transfer.encodedBodySize < transfer.decodedBodySize) || [...encodings].join() !== "br") {
        throw new Error(`the cold proof must download brotli-compressed artifacts: ${JSON.stringify({ transfer, encodings: [...encodings] })}`)
    }
    // stages are start times (ms since the worker got the request): proving lasts until the end
    const provingMs = (p: ProofTiming) => p.totalMs - (p.stages.proving ?? 0)
    const witnessMs = (p: ProofTiming) => (p.stages.proving ?? 0) - (p.stages["computing-witness"] ?? 0)
    if (!cold.warmUp) throw new Error("the cold proof must report the warm-up it used")
    const ms = (v: number) => Math.round(v)
    const w = cold.warmUp
    const proofParts = (p: ProofTiming) => ({ inputsMs: ms(p.timings.inputsMs), warmUpWaitMs: ms(p.timings.warmUpMs), witnessMs: ms(p.timings.witnessMs), proveMs: ms(p.timings.proveMs), selfCheckMs: ms(p.timings.selfCheckMs) })
    const medianParts = (ps: ProofTiming[]) => {
        const parts = ps.map(proofParts)
        return Object.fromEntries(Object.keys(parts[0]!).map((k) => [k, median(parts.map((p) => p[k as keyof typeof p]))]))
    }
    const breakdown = {
        warmUp: { downloadMs: ms(w.loadMs - w.pinHashMs), hashMs: ms(w.pinHashMs + w.hashMs), compileMs: ms(w.compileMs), curveMs: ms(w.curveMs) },
        cold: proofParts(cold),
        warmMedian: medianParts(warm),
        note: "warmUp runs once per worker, from the offer's selection (download and curve in parallel, so its parts overlap); cold.warmUpWaitMs is what of it the first proof still waited for; hashMs is the loader's sha256 of the wasm and zkey (the prover's own check finds the same arrays verified)"
    }
    const chromium = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))
    const result = {
        proveColdMs: cold.totalMs,
        proveWarmMs: median(warm.map((p) => p.totalMs)),
        artifactsTransferBytes: transfer.transferSize,
        runs: RUNS,
        cold: { artifactsFrom: cold.artifactsFrom, artifactsEncoding: "br", artifactsBodyBytes: { sent: transfer.encodedBodySize, decompressed: transfer.decodedBodySize }, artifactsMs: cold.artifactsMs, witnessMs: witnessMs(cold), provingMs: provingMs(cold), stagesStartMs: cold.stages },
        warm: { artifactsMsMedian: median(warm.map((p) => p.artifactsMs)), witnessMsMedian: median(warm.map(witnessMs)), provingMsMedian: median(warm.map(provingMs)) },
        breakdown,
        samples: { proveWarmMs: warm.map((p) => p.totalMs) },
        measured: "window.__zkcredit.proofs: from the request to the prover worker until the proof came back (what is left of the warm-up started at the offer's selection, witness, proof, the prover's self-check), in the app as a borrower uses it; artifactsTransferBytes: the worker's PerformanceResourceTiming.transferSize of the cold proof's wasm and zkey",
        browser: `Chromium ${chromium} (headless, ${CHROMIUM})`,
        machine: machine(),
        loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
        measuredAt: new Date().toISOString()
    }
    printTable(`credit proof in Chromium (app, Web Worker; warm = median of ${RUNS})`, [
        ["proveColdMs (fresh profile, artifacts downloaded)", result.proveColdMs],
        ["proveWarmMs (verified artifacts kept in the worker)", result.proveWarmMs],
        ["artifactsTransferBytes (cold, brotli, on the wire)", result.artifactsTransferBytes],
        ["cold: artifact bodies decompressed (bytes)", transfer.decodedBodySize],
        ["cold: artifacts ms", cold.artifactsMs],
        ["warm: artifacts ms (median)", result.warm.artifactsMsMedian],
        ["warm: witness ms (median)", result.warm.witnessMsMedian],
        ["warm: proving ms (median)", result.warm.provingMsMedian],
        ["warm-up: download / hash / compile / curve ms", `${breakdown.warmUp.downloadMs} / ${breakdown.warmUp.hashMs} / ${breakdown.warmUp.compileMs} / ${breakdown.warmUp.curveMs}`],
        ["cold: inputs / wait / witness / prove / self-check ms", Object.values(breakdown.cold).join(" / ")],
        ["warm: inputs / wait / witness / prove / self-check ms", Object.values(breakdown.warmMedian).join(" / ")]
    ])
    writeResult(`${RESULTS_DIR}/browser.json`, result)
} finally {
    await browser.close()
    await platform.stop()
    rmSync(stateDir, { recursive: true, force: true })
    // the platform's set-up proves and verifies in this process: its curve threads would keep it alive
    await releaseSnarkCurve()
}
