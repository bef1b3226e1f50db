/**
 * The browser refuses proving files it is served unless they hash to the pins built into the
 * bundle. One platform (chain, bureau, honest app server) and a second static server of the same
 * app build that serves other bytes for the wasm: a copy of the circuit compiled to put the
 * identity secret into the nullifier (test/prover/leaky-circuit.ts). Every request of the page and
 * its prover worker is recorded with playwright. Also: a poisoned Cache API entry is dropped and
 * fetched again once; the artifacts arrive brotli-compressed; a later proof in the same page
 * uses the bytes the worker already verified, with no request at all.
 *
 * Ports: 8850-8853 (+ ZKCREDIT_TEST_PORT_OFFSET).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { ARTIFACT_PINS } from "../../prover/src/pins.ts"
import type { DemoBorrower } from "../../scripts/lib/demo-world.ts"
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { startPlatform, type Platform } from "../../scripts/lib/platform.ts"
import { startStaticServer, type StaticServer } from "../../scripts/lib/static-server.ts"
import { testPort } from "../helpers/ports.ts"
import { buildLeakyWasm, removeLeakyWasm } from "../prover/leaky-circuit.ts"
import { actConfirmed, CATALOGS, connectDevAccount, getAttestation, launchBrowser, open, restoreIdentity, ROOT, type TestBrowser, describeInBrowser } from "./helpers.ts"

const PORTS = { chain: testPort(8850), bureau: testPort(8851), app: testPort(8852) }
const TAMPERED_PORT = testPort(8853)
const WASM = "/artifacts/credit-proof.wasm"
const ZKEY = "/artifacts/credit-proof.zkey"

interface Recorded {
    url: string
    method: string
    body: string
}

let platform: Platform
let stateDir: string
let tampered: StaticServer
let borrower: DemoBorrower

beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "zkcredit-e2e-tampered-"))
    platform = await startPlatform({ ports: PORTS, stateDir, build: false })
    borrower = platform.world.borrowers.find((b) => b.name === "chen-wei")!
    // the leaky wasm is 55 bytes longer than the real one (cut off at the pinned size); the zkey,
    // one byte changed, has the real one's size (refused by its hash)
    const zkey = new Uint8Array(readFileSync(CREDIT_PROOF_ARTIFACTS.zkey))
    zkey[zkey.length >> 1]! ^= 1
    writeFileSync(join(stateDir, "altered.zkey"), zkey)
    tampered = await startStaticServer({ dir: `${ROOT}app/build`, port: TAMPERED_PORT, files: { [WASM]: buildLeakyWasm(), [ZKEY]: join(stateDir, "altered.zkey") }, json: { "/config.json": () => platform.config } })
}, 300_000)

afterAll(async () => {
    await tampered?.close()
    await platform?.stop()
    rmSync(stateDir, { recursive: true, force: true })
    removeLeakyWasm()
})

/** A fresh profile on `url`'s borrower page, identity restored and attested, recording every request. */
async function borrowerPage(url: string): Promise<{ browser: TestBrowser; requests: Recorded[] }> {
    const browser = await launchBrowser()
    const requests: Recorded[] = []
    // the context sees the page's and its workers' requests
    browser.context.on("request", (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() ?? "" }))
    await open(browser.page, `${url}/borrower`)
    await connectDevAccount(browser.page, borrower.address)
    await restoreIdentity(browser.page, stateDir, borrower)
    await getAttestation(browser.page, stateDir, borrower)
    // the app proves at the latest block's time and the bureau attests at the wall clock's: a
    // block after the attestation makes it valid at proof time
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await fetch(platform.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }) })
    return { browser, requests }
}

/** Puts bytes that are not the artifact into the app's Cache API under the artifact's URL. */
async function poisonCache(browser: TestBrowser, paths: string[]): Promise<void> {
    await browser.page.evaluate(async (urls) => {
        const cache = await caches.open("zkcredit-artifacts-v1")
        for (const url of urls) await cache.put(new URL(url, location.href).href, new Response(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])))
    }, paths)
}

/** sha256 of each entry of the app's artifact cache, by path. */
/** The credit proof's files in the Cache API, by path, with their sha256 (the bureau's history-proof files are cached beside them). */
async function cachedHashes(browser: TestBrowser): Promise<Record<string, string>> {
    return browser.page.evaluate(async () => {
        const cache = await caches.open("zkcredit-artifacts-v1")
        const out: Record<string, string> = {}
        for (const request of await cache.keys()) {
            if (!new URL(request.url).pathname.startsWith("/artifacts/credit-proof.")) continue
            const digest = await crypto.subtle.digest("SHA-256", await (await cache.match(request))!.arrayBuffer())
            out[new URL(request.url).pathname] = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
        }
        return out
    })
}

async function borrow(browser: TestBrowser) {
    await browser.page.getByTestId(`select-${platform.world.offerIds[0]!}-0`).click()
    await browser.page.getByTestId("borrow-principal").fill("100")
    return actConfirmed(browser.page, "borrow-submit", 120_000)
}

const transactions = (requests: Recorded[]) => requests.filter((r) => /eth_sendTransaction|eth_sendRawTransaction/.test(r.body))

describeInBrowser("a server that serves a wasm built to leak the secret (and an altered zkey)", () => {
    it("is refused with the translated ARTIFACT_TAMPERED message; the poisoned cache entry is dropped; no borrow transaction is sent", async () => {
        const { browser, requests } = await borrowerPage(tampered.url)
        try {
            await poisonCache(browser, [WASM])
            const result = await borrow(browser)
            expect(result.kind).toBe("error")
            expect(result.key).toBe("error.zk.ARTIFACT_TAMPERED")
            const translations = [CATALOGS.en["error.zk.ARTIFACT_TAMPERED"], CATALOGS["zh-CN"]["error.zk.ARTIFACT_TAMPERED"]]
            expect(translations.some((message) => result.text.includes(message)), result.text).toBe(true)
            // the recording works: the worker's download of the leaky wasm is in it
            expect(requests.filter((r) => new URL(r.url).pathname === WASM && r.method === "GET")).toHaveLength(1)
            expect(transactions(requests)).toEqual([])
            expect(await browser.page.locator('article[data-testid^="loan-"]').count()).toBe(0)
            // the poisoned entry is gone, and neither served file was cached
            expect(await cachedHashes(browser)).toEqual({})
            expect(browser.problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([])
        } finally {
            await browser.close()
        }
    }, 300_000)
})

describeInBrowser("the honest server", () => {
    it("serves brotli; a poisoned cache is refetched once and the proof lands; a later proof uses the verified bytes in memory, with no request", async () => {
        const { browser, requests } = await borrowerPage(platform.appUrl!)
        const encodings: Record<string, string | undefined> = {}
        browser.context.on("response", (r) => {
            const path = new URL(r.url()).pathname
            if (path.startsWith("/artifacts/")) encodings[path] = r.headers()["content-encoding"]
        })
        try {
            await poisonCache(browser, [WASM, ZKEY])
            const first = await borrow(browser)
            expect(first, first.text).toMatchObject({ kind: "success", key: "borrow.success" })
            const artifactRequests = () => requests.filter((r) => new URL(r.url).pathname.startsWith("/artifacts/credit-proof.")).map((r) => `${r.method} ${new URL(r.url).pathname}`)
            expect(artifactRequests().sort()).toEqual([`GET ${WASM}`, `GET ${ZKEY}`])
            expect(encodings).toEqual({ [WASM]: "br", [ZKEY]: "br" })
            const pins = ARTIFACT_PINS["credit-proof"]!
            expect(await cachedHashes(browser)).toEqual({ [WASM]: pins.wasm, [ZKEY]: pins.zkey })
            expect(transactions(requests).length).toBeGreaterThan(0)

            const loan = browser.page.locator('article[data-testid^="loan-"]')
            const loanId = (await loan.getAttribute("data-testid"))!.slice("loan-".length)
            expect((await actConfirmed(browser.page, `repay-all-${loanId}`)).key).toBe("repay.successAll")
            await loan.waitFor({ state: "detached" })
            const second = await borrow(browser)
            expect(second, second.text).toMatchObject({ kind: "success", key: "borrow.success" })
            expect(artifactRequests()).toHaveLength(2) // no HEAD, no GET: the pin decides
            const proofs = await browser.page.evaluate(() => (window as unknown as { __zkcredit: { proofs: { artifactsFrom: string; download?: { bytesLoaded: number; bytesTotal: number } }[] } }).__zkcredit.proofs)
            expect(proofs.map((p) => p.artifactsFrom)).toEqual(["network", "memory"])
            // the download progress reached the pinned sizes, in decompressed bytes
            expect(proofs[0]!.download).toBeDefined()
            expect(proofs[0]!.download!.bytesLoaded).toBe(proofs[0]!.download!.bytesTotal)
            expect(proofs[0]!.download!.bytesTotal).toBeGreaterThan(9_000_000)
        } finally {
            await browser.close()
        }
    }, 400_000)
})
