/**
 * KYC registry benchmark, writes bench/results/registry.json:
 * - `hashMicros`: one Poseidon hash as the tree makes it (the WebAssembly Poseidon), and
 *   `hashMicrosPoseidonLite` for the reference.
 * - `rebuild1MSeconds`: Node, 2^20 leaves read from a snapshot folder to the root (fast Poseidon,
 *   worker threads), and `snapshotBytes1M`: that folder's size (all levels).
 * - `officerAdd100kSeconds`: `zkcredit officer add` of 100,000 members against a local node, with
 *   the gas per member of its batches (`gasPerMember`).
 * - `browserFirstSync1MSeconds` / `browserReturnSyncMs`: Chromium, the borrower page on a local
 *   chain whose registry has `--browser-members` members (default 1,000,000), added by
 *   `zkcredit officer add` and snapshotted by `zkcredit officer snapshot` (served by the app server):
 *   a fresh profile from the restored identity until the page is ready to prove, then a few members
 *   added on chain and a reload until ready again (bench/lib/registry-browser.ts). The details are
 *   under `browserSync`, with the machine's load while it ran.
 *
 * Usage: node bench/registry.ts [--leaves N] [--skip-node] [--skip-officer] [--skip-browser] [--browser-members N]
 *   --leaves N: a smaller tree for a quick look; its figures are then written as `rebuildSeconds`
 *   and `snapshotBytes` with `leaves`, never under the 1M keys.
 *   --skip-node: only the officer and browser parts; --browser-members N (< 1,000,000): a smaller
 *   registry, written under `browserSmall`, never under the 1M keys.
 *   Figures not measured in a run keep their values from bench/results/registry.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { readSnapshotDir, writeSnapshotDir } from "../cli/lib/kyc-snapshot-files.ts"
import { buildKycTreeInNode } from "../prover/src/kyc-build-node.ts"
import { poseidonLiteHash, type KycHash } from "../prover/src/kyc-tree.ts"
import { loadFastPoseidon } from "../prover/src/poseidon.ts"
import { runJson, startTestChain } from "../test/cli/helpers.ts"
import { testPort } from "../test/helpers/ports.ts"
import { measureBrowserSync } from "./lib/registry-browser.ts"
import { machine, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"

const flag = (name: string) => process.argv.includes(name)
const leavesArg = process.argv.indexOf("--leaves")
const LEAVES = leavesArg > 0 ? Number(process.argv[leavesArg + 1]) : 2 ** 20
if (!Number.isSafeInteger(LEAVES) || LEAVES < 1 || LEAVES > 2 ** 20) throw new Error("--leaves must be an integer in [1, 2^20]")
const full = LEAVES === 2 ** 20
const membersArg = process.argv.indexOf("--browser-members")
const BROWSER_MEMBERS = membersArg > 0 ? Number(process.argv[membersArg + 1]) : 1_000_000
// room for the members added between the two visits
if (!Number.isSafeInteger(BROWSER_MEMBERS) || BROWSER_MEMBERS < 100 || BROWSER_MEMBERS > 2 ** 20 - 100) throw new Error("--browser-members must be an integer in [100, 2^20 - 100]")
const log = (text: string) => console.log(`[registry] ${text}`)
const loadBefore = loadavg()[0]!
const result: Record<string, unknown> = {}
const work = mkdtempSync(join(tmpdir(), "zkcredit-bench-registry-"))

/** A field element per index, as a commitment would be (distinct, spread over the field). */
const leafOf = (i: number) => ((BigInt(i) + 1n) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % 21888242871839275222246405745257275088548364400416034343698204186575808495617n

try {
    if (!flag("--skip-node")) {
        // one hash (Poseidon of the 4 children of a node), fast and reference
        const fast = await loadFastPoseidon()
        const time = (hash: KycHash, n: number) => {
            let x = 1n
            const started = performance.now()
            for (let i = 0; i < n; i++) x = hash(x, BigInt(i), 2n, 3n)
            return ((performance.now() - started) * 1000) / n
        }
        time(fast, 2_000)
        result.hashMicros = Number(time(fast, 50_000).toFixed(1))
        result.hashMicrosPoseidonLite = Number(time(poseidonLiteHash, 10_000).toFixed(1))

        log(`hash: ${result.hashMicros} us (poseidon-lite ${result.hashMicrosPoseidonLite} us)`)

        // 2^20 leaves: a snapshot folder, then from it to the root
        const leaves = Array.from({ length: LEAVES }, (_, i) => leafOf(i))
        log(`building the ${LEAVES}-leaf tree for the snapshot`)
        const built = await buildKycTreeInNode(leaves)
        const { bytes } = await writeSnapshotDir(`${work}/snapshot`, built, { chainId: 31337, kycRegistry: `0x${"00".repeat(20)}`, block: 0 })
        if (full) result.snapshotBytes1M = bytes
        else Object.assign(result, { leaves: LEAVES, snapshotBytes: bytes })
        log(`snapshot ${bytes} bytes; rebuilding from it`)
        const started = performance.now()
        const { manifest, levels } = await readSnapshotDir(`${work}/snapshot`)
        const leavesBack: bigint[] = new Array(manifest.size)
        const view = new DataView(levels[0]!.buffer, levels[0]!.byteOffset)
        for (let i = 0; i < manifest.size; i++) leavesBack[i] = (view.getBigUint64(i * 32) << 192n) | (view.getBigUint64(i * 32 + 8) << 128n) | (view.getBigUint64(i * 32 + 16) << 64n) | view.getBigUint64(i * 32 + 24)
        const rebuilt = await buildKycTreeInNode(leavesBack)
        result[full ? "rebuild1MSeconds" : "rebuildSeconds"] = Number(((performance.now() - started) / 1000).toFixed(1))
        if (rebuilt.root.toString() !== manifest.root) throw new Error("the rebuilt root is not the snapshot's")
    }

    // the officer: 100,000 members from a file against a local node
    if (!flag("--skip-officer")) {
        log("the officer: 100,000 members against a local node")
        const chain = await startTestChain(testPort(8995))
        try {
            const env = chain.env
            const officer = (await chain.provider.getSigner(1)).address
            await runJson(["admin", "officer", "grant", officer, "--account", "0"], { env, cwd: chain.dir })
            writeFileSync(`${chain.dir}/members.csv`, `${Array.from({ length: 100_000 }, (_, i) => leafOf(i + 5_000_000).toString()).join("\n")}\n`)
            const t0 = performance.now()
            const added = await runJson<{ batches: { transactionHash: string; count: number }[] }>(["officer", "add", "members.csv", "--batch-size", "1000", "--account", "1"], { env, cwd: chain.dir, timeoutMs: 3_600_000 })
            result.officerAdd100kSeconds = Number(((performance.now() - t0) / 1000).toFixed(1))
            const receipts = await Promise.all(added.batches.slice(0, 5).map((b) => chain.provider.getTransactionReceipt(b.transactionHash)))
            result.gasPerMemberBatch1000 = Math.round(receipts.reduce((n, r) => n + Number(r!.gasUsed), 0) / (5 * 1000))
        } finally {
            await chain.stop()
        }
    }
    // the borrower's browser at province scale: a registry of that many members on a local chain
    if (!flag("--skip-browser")) {
        const NEW_MEMBERS = 5
        const browserLoad = loadavg()[0]!
        const figures = await measureBrowserSync({
            members: BROWSER_MEMBERS,
            newMembers: NEW_MEMBERS,
            ports: { chain: testPort(8990), bureau: testPort(8991), app: testPort(8992) },
            stateDir: mkdtempSync(join(work, "platform-")),
            leafOf: (i) => leafOf(i + 10_000_000),
            log
        })
        const detail = { ...figures, machine: machine(), loadBefore: browserLoad, loadAfter: loadavg()[0]!, measuredAt: new Date().toISOString() }
        if (BROWSER_MEMBERS >= 1_000_000) {
            result.browserFirstSync1MSeconds = Number(figures.firstSyncSeconds.toFixed(1))
            result.browserReturnSyncMs = Math.round(figures.returnSyncMs)
                        result.browserSync = detail
        } else result.browserSmall = detail
    }
} finally {
    rmSync(work, { recursive: true, force: true })
}

// what this run did not measure keeps its earlier value (and the machine it was measured on)
const file = `${RESULTS_DIR}/registry.json`
const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {}
const nodeMeasured = !flag("--skip-node")
const data = { ...earlier, ...result, ...(nodeMeasured ? { machine: { ...machine(), loadBefore, loadAfter: loadavg()[0]! }, measuredAt: new Date().toISOString() } : {}) }
const shown = (v: unknown) => (v === null || v === undefined ? "not measured" : typeof v === "object" ? JSON.stringify(v) : String(v))
printTable("KYC registry", Object.entries(result).filter(([, v]) => typeof v !== "object" || v === null).map(([k, v]) => [k, shown(v)]))
const browserDetail = (result.browserSync ?? result.browserSmall) as Record<string, unknown> | undefined
if (browserDetail) printTable(`borrower's KYC sync in Chromium (${browserDetail.members} members)`, Object.entries(browserDetail).map(([k, v]) => [k, typeof v === "number" ? Number(v.toFixed(2)) : shown(v)]))
writeResult(file, data)
