/**
 * KYC snapshots on disk: the folder that the app server (or any CDN) serves, built from the
 * chain's events up to a block. Written by `zkcredit officer snapshot` and by `npm start`.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Provider } from "ethers"
import { leavesFromKycEvents } from "../../client/src/kyc-events.ts"
import { parseKycSnapshotManifest, snapshotLevels, writeKycSnapshot, type KycSnapshotManifest, type PackedLevels } from "../../client/src/kyc-snapshot.ts"
import { fetchKycEvents } from "../../client/src/kyc-tree.ts"
import { buildKycTreeInNode } from "../../prover/src/kyc-build-node.ts"
import type { KycTree } from "../../prover/src/kyc-tree.ts"

/** The registry and where its events start. */
export interface SnapshotSource {
    provider: Pick<Provider, "getLogs" | "getBlockNumber">
    chainId: number
    /** The TrustRegistry's address: its KYC leaf events are read. */
    kycRegistry: string
    deployBlock: number
}

/**
 * The tree the registry's events give up to `block` (default: latest).
 * @param onProgress Blocks scanned, then leaves hashed.
 */
export async function treeAtBlock(source: SnapshotSource, block?: number, onProgress?: (stage: "events" | "hashing", done: number, total: number) => void): Promise<{ tree: KycTree; block: number }> {
    const toBlock = block ?? (await source.provider.getBlockNumber())
    const events = await fetchKycEvents(source.provider, source.kycRegistry, { fromBlock: source.deployBlock, toBlock, onProgress: (p) => onProgress?.("events", p.scanned, p.total) })
    const tree = await buildKycTreeInNode(leavesFromKycEvents(events), (done, total) => onProgress?.("hashing", done, total))
    return { tree, block: toBlock }
}

/**
 * Writes a snapshot folder (manifest.json and its chunks), replacing an older snapshot there.
 * @returns The manifest and the bytes written.
 */
export async function writeSnapshotDir(dir: string, tree: KycTree, meta: { chainId: number; kycRegistry: string; block: number }): Promise<{ manifest: KycSnapshotManifest; bytes: number }> {
    const { manifest, chunks } = writeKycSnapshot(tree, meta)
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) if (/^chunk-\d+\.bin$/.test(name) || name === "manifest.json") await rm(join(dir, name))
    let bytes = 0
    for (const [i, chunk] of chunks.entries()) {
        await writeFile(join(dir, manifest.chunks[i]!), chunk)
        bytes += chunk.length
    }
    // the manifest last: a reader never sees one whose chunks are not all there
    const text = `${JSON.stringify(manifest, null, 2)}\n`
    await writeFile(join(dir, "manifest.json"), text)
    return { manifest, bytes: bytes + text.length }
}

/** Reads a snapshot folder back (unchecked: see checkKycSnapshot). */
export async function readSnapshotDir(dir: string): Promise<{ manifest: KycSnapshotManifest; levels: PackedLevels }> {
    const manifest = parseKycSnapshotManifest(JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")))
    const chunks = await Promise.all(manifest.chunks.map(async (name) => new Uint8Array(await readFile(join(dir, name)))))
    return { manifest, levels: snapshotLevels(manifest, chunks) }
}

/** The URL path -> file map that serves a snapshot folder at `/kyc-snapshot/`. */
export function snapshotFiles(dir: string, manifest: KycSnapshotManifest, prefix = "/kyc-snapshot/"): Record<string, string> {
    const files: Record<string, string> = { [`${prefix}manifest.json`]: join(dir, "manifest.json") }
    for (const name of manifest.chunks) files[`${prefix}${name}`] = join(dir, name)
    return files
}
