/**
 * KYC registry benchmark, writes bench/results/registry.json:
 * - `hashMicros`: one Poseidon hash as the tree makes it (the WebAssembly Poseidon), and
 *   `hashMicrosPoseidonLite` for the reference.
 * - `rebuild1MSeconds`: Node, 2^20 leaves read from a snapshot folder to the root (fast Poseidon,
 *   worker threads), and `snapshotBytes1M`: that folder's size (all levels).
 * - `officerAdd100kSeconds`: `zkcredit officer add` of 100,000 members against a local node, with
 *   the gas per member of its batches (`gasPerMember`).
 * - `browserFirstSync1MSeconds` / `browserReturnSyncMs`: Chromium, the borrower's sync of a
 *   registry of `--browser-members` members (default 2^20) from the app server's snapshot, fresh
 *   profile, then a reload with nothing new. Needs that many members on a local chain; skipped
 *   (null) with `--skip-browser`.
 *
 * Usage: node bench/registry.ts [--leaves N] [--skip-officer] [--skip-browser]
 *   --leaves N: a smaller tree for a quick look; its figures are then written as `rebuildSeconds`
 *   and `snapshotBytes` with `leaves`, never under the 1M keys.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { readSnapshotDir, writeSnapshotDir } from "../cli/lib/kyc-snapshot-files.ts"
import { buildKycTreeInNode } from "../prover/src/kyc-build-node.ts"
import { poseidonLiteHash } from "../prover/src/kyc-tree.ts"
import { loadFastPoseidon } from "../prover/src/poseidon.ts"
import { runJson, startTestChain } from "../test/cli/helpers.ts"
import { testPort } from "../test/helpers/ports.ts"
import { machine, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"

const flag = (name: string) => process.argv.includes(name)
const leavesArg = process.argv.indexOf("--leaves")
const LEAVES = leavesArg > 0 ? Number(process.argv[leavesArg + 1]) : 2 ** 20
if (!Number.isSafeInteger(LEAVES) || LEAVES < 1 || LEAVES > 2 ** 20) throw new Error("--leaves must be an integer in [1, 2^20]")
const full = LEAVES === 2 ** 20
const log = (text: string) => console.log(`[registry] ${text}`)
const loadBefore = loadavg()[0]!
const result: Record<string, unknown> = {}
const work = mkdtempSync(join(tmpdir(), "zkcredit-bench-registry-"))

/** A field element per index, as a commitment would be (distinct, spread over the field). */
const leafOf = (i: number) => ((BigInt(i) + 1n) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % 21888242871839275222246405745257275088548364400416034343698204186575808495617n

try {
    // one hash, fast and reference
    const fast = await loadFastPoseidon()
    const time = (hash: (a: bigint, b: bigint) => bigint, n: number) => {
        let x = 1n
        const started = performance.now()
        for (let i = 0; i < n; i++) x = hash(x, BigInt(i))
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
    // the browser figures need a 1M-member registry on a local chain (about ten officer adds of 100k): not automated yet
    result.browserFirstSync1MSeconds = null
    result.browserReturnSyncMs = null
} finally {
    rmSync(work, { recursive: true, force: true })
}

const data = { ...result, machine: { ...machine(), loadBefore, loadAfter: loadavg()[0]! }, measuredAt: new Date().toISOString() }
printTable("KYC registry", Object.entries(result).map(([k, v]) => [k, v === null ? "not measured" : String(v)]))
writeResult(`${RESULTS_DIR}/registry.json`, data)
