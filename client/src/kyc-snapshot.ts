/**
 * Verifiable snapshots of the KYC registry, and the packed tree levels that the browser keeps.
 *
 * A snapshot is static files any server or CDN can serve: `manifest.json` and the tree's levels
 * (0 = leaves, up to the root), each node 32 bytes big-endian, level after level, cut into chunks of
 * a fixed size. A client fetches the manifest and then every chunk, in order, the same for every
 * borrower: no request depends on a leaf index. Before use it checks the snapshot's root against the
 * registry's on-chain root history ({@link checkKycSnapshot}) and the levels against that root
 * (its own path, or every node), then applies the events after the snapshot's block.
 *
 * The levels are those of the 4-ary tree (level d + 1 has ceil(n / 4) nodes for n at level d):
 * about 1.33 nodes per leaf. Version 2; version 1 held the former binary tree's levels, which a
 * client refuses (its root is not the registry's).
 */
import type { Contract } from "ethers"
import { KYC_TREE_ARITY, KYC_TREE_CAPACITY, KYC_TREE_DEPTH, SNARK_SCALAR_FIELD } from "../../prover/src/constants.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"
import { KYC_CAPACITY_TEXT, KycTree, kycZeroes, merklePath, poseidonLiteHash, type KycHash, type KycMerkleProof } from "../../prover/src/kyc-tree.ts"
import type { KycEvent } from "./kyc-events.ts"

/** The `format` of a snapshot manifest. */
export const KYC_SNAPSHOT_FORMAT = "zkcredit-kyc-snapshot"

/** Bytes per chunk file (the last one may be shorter): 4 MiB. */
export const KYC_SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024

/** The `version` of a snapshot manifest: 2, the 4-ary tree's levels (1 was the binary tree's). */
export const KYC_SNAPSHOT_VERSION = 2

/** What `manifest.json` says. */
export interface KycSnapshotManifest {
    format: typeof KYC_SNAPSHOT_FORMAT
    version: typeof KYC_SNAPSHOT_VERSION
    chainId: number
    /** The address of the registry whose KYC set this is (the TrustRegistry). */
    kycRegistry: string
    depth: number
    /** The events up to and including this block are in the snapshot. */
    block: number
    /** Slots used, removed members included. */
    size: number
    /** The root of the levels, decimal. */
    root: string
    chunkBytes: number
    /** Chunk file names, relative to the manifest, in order. */
    chunks: string[]
}

/** The packed levels of a tree: one Uint8Array per height, 32 bytes per node, big-endian. */
export type PackedLevels = Uint8Array[]

/** Node counts per level of a tree with `size` leaves. */
export function levelSizes(size: number): number[] {
    const sizes = [size]
    for (let d = 1; d <= KYC_TREE_DEPTH; d++) sizes.push(Math.ceil(sizes[d - 1]! / KYC_TREE_ARITY))
    return sizes
}

function writeNode(out: Uint8Array, offset: number, value: bigint): void {
    const view = new DataView(out.buffer, out.byteOffset + offset, 32)
    view.setBigUint64(0, value >> 192n)
    view.setBigUint64(8, (value >> 128n) & 0xffffffffffffffffn)
    view.setBigUint64(16, (value >> 64n) & 0xffffffffffffffffn)
    view.setBigUint64(24, value & 0xffffffffffffffffn)
}

function readNode(bytes: Uint8Array, offset: number): bigint {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 32)
    return (view.getBigUint64(0) << 192n) | (view.getBigUint64(8) << 128n) | (view.getBigUint64(16) << 64n) | view.getBigUint64(24)
}

/** Packs a tree's levels (what the browser stores and a snapshot holds). */
export function packLevels(tree: KycTree): PackedLevels {
    return Array.from({ length: KYC_TREE_DEPTH + 1 }, (_, d) => {
        const level = tree.level(d)
        const out = new Uint8Array(level.length * 32)
        for (let i = 0; i < level.length; i++) writeNode(out, i * 32, level[i]!)
        return out
    })
}

/**
 * Whether packed levels have the KYC tree's shape: depth + 1 levels, each a quarter of the one
 * below, rounded up (a stored copy of the former binary tree's 21 levels has not).
 */
export function hasKycTreeShape(levels: PackedLevels): boolean {
    if (!Array.isArray(levels) || !levels.every((level) => level instanceof Uint8Array)) return false
    const sizes = levelSizes(levels[0] ? levels[0].length / 32 : 0)
    return levels.length === sizes.length && levels.every((level, d) => level.length === sizes[d]! * 32)
}

/**
 * A tree from packed levels, without hashing (check it: {@link packedMerkleProof} and the root).
 * @throws ZkCreditError `INVALID_ARGUMENT` for levels of the wrong sizes or a node outside the field.
 */
export function unpackLevels(levels: PackedLevels, hash: KycHash = poseidonLiteHash): KycTree {
    if (!hasKycTreeShape(levels)) throw new ZkCreditError("INVALID_ARGUMENT", "the packed levels do not have the sizes of a KYC tree", "levels")
    const sizes = levelSizes(levels[0] ? levels[0].length / 32 : 0)
    const nodes = levels.map((bytes, d) =>
        Array.from({ length: sizes[d]! }, (_, i) => {
            const node = readNode(bytes, i * 32)
            if (node >= SNARK_SCALAR_FIELD) throw new ZkCreditError("INVALID_ARGUMENT", `node ${i} of level ${d} is not a field element`, "levels")
            return node
        })
    )
    return KycTree.fromLevels(nodes, { hash })
}

/** The root of packed levels (the empty root for no leaves). */
export function packedRoot(levels: PackedLevels, hash: KycHash = poseidonLiteHash): bigint {
    const top = levels[KYC_TREE_DEPTH]!
    return top.length >= 32 ? readNode(top, 0) : kycZeroes(hash)[KYC_TREE_DEPTH]!
}

/**
 * Replays events onto packed levels without unpacking them: the leaves are written in chain order
 * (as {@link applyKycEvent} would), each level grows once to its final size, and then every node
 * above a written leaf is hashed once, level by level. A returning borrower's few new members cost
 * about depth hashes each, not a pass over the million stored nodes.
 * @param levels Packed levels; those that keep their size are updated in place.
 * @returns The new levels, or a string saying which event does not fit (nothing changed then).
 */
export function applyKycEventsToLevels(levels: PackedLevels, events: readonly KycEvent[], hash: KycHash = poseidonLiteHash): PackedLevels | string {
    // the events must fit in order: additions at the end, changes inside the tree
    let size = levels[0]!.length / 32
    for (const [i, event] of events.entries()) {
        if (event.kind === "added") {
            if (event.startIndex !== size) return `event ${i} adds members at index ${event.startIndex}, but the tree has ${size} leaves`
            if (event.commitments.some((c) => c < 0n || c >= SNARK_SCALAR_FIELD)) return `event ${i} adds a value outside the field`
            size += event.commitments.length
            if (size > KYC_TREE_CAPACITY) return `event ${i} overfills the tree (${KYC_CAPACITY_TEXT} leaves)`
        } else if (event.index >= size) return `event ${i} changes index ${event.index}, outside the tree (${size} leaves)`
        else if (event.kind === "replaced" && (event.newCommitment < 0n || event.newCommitment >= SNARK_SCALAR_FIELD)) return `event ${i} writes a value outside the field`
    }
    const sizes = levelSizes(size)
    const out = levels.map((level, d) => {
        if (level.length === sizes[d]! * 32) return level
        const grown = new Uint8Array(sizes[d]! * 32)
        grown.set(level)
        return grown
    })
    // the written leaves, as sorted disjoint ranges [from, to)
    let ranges: [number, number][] = []
    for (const event of events) {
        if (event.kind === "added") {
            event.commitments.forEach((c, k) => writeNode(out[0]!, (event.startIndex + k) * 32, c))
            if (event.commitments.length > 0) ranges.push([event.startIndex, event.startIndex + event.commitments.length])
        } else {
            writeNode(out[0]!, event.index * 32, event.kind === "removed" ? 0n : event.newCommitment)
            ranges.push([event.index, event.index + 1])
        }
    }
    const merge = (list: [number, number][]) => {
        list.sort((a, b) => a[0] - b[0])
        const merged: [number, number][] = []
        for (const [from, to] of list) {
            const last = merged.at(-1)
            if (last && from <= last[1]) last[1] = Math.max(last[1], to)
            else merged.push([from, to])
        }
        return merged
    }
    ranges = merge(ranges)
    const zeroes = kycZeroes(hash)
    for (let d = 0; d < KYC_TREE_DEPTH && ranges.length > 0; d++) {
        const child = out[d]!
        const parent = out[d + 1]!
        const count = child.length / 32
        const zero = zeroes[d]!
        const at = (i: number) => (i < count ? readNode(child, i * 32) : zero)
        ranges = merge(ranges.map(([from, to]) => [from >> 2, ((to - 1) >> 2) + 1]))
        for (const [from, to] of ranges) {
            for (let p = from; p < to; p++) {
                const c = 4 * p
                writeNode(parent, p * 32, hash(readNode(child, c * 32), at(c + 1), at(c + 2), at(c + 3)))
            }
        }
    }
    return out
}

/**
 * Finds a commitment among the packed leaves: a scan of the bytes, no conversion of the others.
 * @returns Its first index, or -1.
 */
export function packedIndexOf(levels: PackedLevels, commitment: bigint): number {
    const leaves = levels[0]!
    const needle = new Uint8Array(32)
    writeNode(needle, 0, commitment)
    outer: for (let offset = 0; offset < leaves.length; offset += 32) {
        for (let b = 31; b >= 0; b--) if (leaves[offset + b] !== needle[b]) continue outer
        return offset / 32
    }
    return -1
}

/** The Merkle proof of the leaf at `index` from packed levels: 3 x depth reads, no hashing. */
export function packedMerkleProof(levels: PackedLevels, index: number, hash: KycHash = poseidonLiteHash): KycMerkleProof {
    const zeroes = kycZeroes(hash)
    const { pathIndices, siblings } = merklePath((d, i) => ((i + 1) * 32 <= levels[d]!.length ? readNode(levels[d]!, i * 32) : zeroes[d]!), index)
    return { root: packedRoot(levels, hash), leaf: readNode(levels[0]!, index * 32), index, pathIndices, siblings }
}

/**
 * Cuts a tree into a snapshot: the manifest and its chunk files.
 * @param meta The chain, the registry and the block whose events the tree holds.
 */
export function writeKycSnapshot(tree: KycTree, meta: { chainId: number; kycRegistry: string; block: number }, chunkBytes = KYC_SNAPSHOT_CHUNK_BYTES): { manifest: KycSnapshotManifest; chunks: Uint8Array[] } {
    const packed = packLevels(tree)
    const total = packed.reduce((n, l) => n + l.length, 0)
    const all = new Uint8Array(total)
    let offset = 0
    for (const level of packed) {
        all.set(level, offset)
        offset += level.length
    }
    const chunks: Uint8Array[] = []
    for (let at = 0; at < total; at += chunkBytes) chunks.push(all.subarray(at, Math.min(at + chunkBytes, total)))
    const manifest: KycSnapshotManifest = {
        format: KYC_SNAPSHOT_FORMAT,
        version: KYC_SNAPSHOT_VERSION,
        chainId: meta.chainId,
        kycRegistry: meta.kycRegistry,
        depth: KYC_TREE_DEPTH,
        block: meta.block,
        size: tree.size,
        root: tree.root.toString(),
        chunkBytes,
        chunks: chunks.map((_, i) => `chunk-${String(i).padStart(6, "0")}.bin`)
    }
    return { manifest, chunks }
}

/**
 * Checks a parsed manifest's shape.
 * @throws ZkCreditError `INVALID_ARGUMENT` naming the field.
 */
export function parseKycSnapshotManifest(value: unknown): KycSnapshotManifest {
    const m = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>
    const bad = (field: string, why: string) => new ZkCreditError("INVALID_ARGUMENT", `snapshot manifest: ${field} ${why}`, `manifest.${field}`)
    if (m.format !== KYC_SNAPSHOT_FORMAT || m.version !== KYC_SNAPSHOT_VERSION) {
        throw bad("format", `must be ${KYC_SNAPSHOT_FORMAT} version ${KYC_SNAPSHOT_VERSION}, the ${KYC_TREE_ARITY}-ary tree's levels (version 1 was the former binary tree's: publish a new snapshot)`)
    }
    if (m.depth !== KYC_TREE_DEPTH) throw bad("depth", `must be ${KYC_TREE_DEPTH}`)
    for (const field of ["chainId", "block", "size", "chunkBytes"]) if (!Number.isSafeInteger(m[field]) || (m[field] as number) < 0) throw bad(field, "must be a non-negative integer")
    if ((m.size as number) > KYC_TREE_CAPACITY) throw bad("size", `must be at most ${KYC_CAPACITY_TEXT}`)
    if (typeof m.kycRegistry !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(m.kycRegistry)) throw bad("kycRegistry", "must be an address")
    if (typeof m.root !== "string" || !/^[0-9]{1,78}$/.test(m.root) || BigInt(m.root) >= SNARK_SCALAR_FIELD) throw bad("root", "must be a decimal field element")
    const bytes = levelSizes(m.size as number).reduce((n, s) => n + s * 32, 0)
    if (!Array.isArray(m.chunks) || m.chunks.length !== Math.ceil(bytes / Math.max(1, m.chunkBytes as number)) || !m.chunks.every((c) => typeof c === "string" && /^[\w.-]+$/.test(c))) {
        throw bad("chunks", "must name the chunk files of the levels")
    }
    return m as unknown as KycSnapshotManifest
}

/**
 * Splits a snapshot's chunks back into packed levels.
 * @throws ZkCreditError `INVALID_ARGUMENT` when the chunks do not add up to the manifest's levels.
 */
export function snapshotLevels(manifest: KycSnapshotManifest, chunks: readonly Uint8Array[]): PackedLevels {
    const sizes = levelSizes(manifest.size)
    const total = sizes.reduce((n, s) => n + s * 32, 0)
    const got = chunks.reduce((n, c) => n + c.length, 0)
    if (got !== total) throw new ZkCreditError("INVALID_ARGUMENT", `the snapshot's chunks hold ${got} bytes, its manifest says ${total}`, "chunks")
    const all = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
        all.set(chunk, offset)
        offset += chunk.length
    }
    const levels: PackedLevels = []
    offset = 0
    for (const size of sizes) {
        levels.push(all.slice(offset, offset + size * 32))
        offset += size * 32
    }
    return levels
}

/**
 * Checks a snapshot against the chain before use: its chain and registry, a block not in the
 * future, its root in the registry's root history (`rootRecord(root).createdAt` set, read at the
 * latest block so that a provider without archive state can answer), and the levels' root equal to
 * the manifest's. A wrong `block` shows later: the events after it do not lead to the registry's root.
 * @param chain.kycRegistry The address of the registry the snapshot must be of (the TrustRegistry).
 * @param chain.registry That contract, read-only.
 * @throws ZkCreditError `INVALID_ARGUMENT` (parameter `snapshot`) saying which check failed: a
 *   client that gets it falls back to the events.
 */
export async function checkKycSnapshot(manifest: KycSnapshotManifest, levels: PackedLevels, chain: { chainId: number; kycRegistry: string; latestBlock: number; registry: Pick<Contract, "getFunction"> }, hash: KycHash = poseidonLiteHash): Promise<void> {
    const refuse = (why: string) => new ZkCreditError("INVALID_ARGUMENT", `the KYC snapshot is refused: ${why}`, "snapshot")
    if (manifest.chainId !== chain.chainId || manifest.kycRegistry.toLowerCase() !== chain.kycRegistry.toLowerCase()) throw refuse(`it is of registry ${manifest.kycRegistry} on chain ${manifest.chainId}`)
    if (manifest.block > chain.latestBlock) throw refuse(`its block ${manifest.block} is after the chain's latest ${chain.latestBlock}`)
    const root = BigInt(manifest.root)
    if (packedRoot(levels, hash) !== root) throw refuse("its levels do not lead to its root")
    if (manifest.size === 0) return
    const record = await chain.registry.getFunction("rootRecord")(root)
    if (BigInt(record.createdAt ?? record[0]) === 0n) throw refuse(`its root ${root} was never published by the registry`)
}

/** The part of `fetch` a snapshot download uses (a recording or caching fetch may stand in). */
export type SnapshotFetch = (url: string, init?: { cache?: RequestCache }) => Promise<Pick<Response, "ok" | "status" | "headers" | "json" | "arrayBuffer">>

/**
 * Downloads a whole snapshot: the manifest, then every chunk, in order. Every borrower makes these
 * same requests; none depends on a leaf index.
 * @param base The snapshot folder's URL, ending in `/`.
 * @param onBytes Called with the bytes received so far and the total.
 * @returns The manifest and the packed levels, or undefined when there is no snapshot at `base`.
 */
export async function fetchKycSnapshot(base: string, fetcher: SnapshotFetch = fetch, onBytes?: (bytes: number, total: number) => void): Promise<{ manifest: KycSnapshotManifest; levels: PackedLevels } | undefined> {
    const response = await fetcher(new URL("manifest.json", base).href, { cache: "no-store" })
    // no snapshot here (a static host may answer a missing file with its app page)
    if (!response.ok || !(response.headers.get("content-type") ?? "").includes("json")) return undefined
    const manifest = parseKycSnapshotManifest(await response.json())
    const total = levelSizes(manifest.size).reduce((n, s) => n + s * 32, 0)
    let bytes = 0
    const chunks: Uint8Array[] = []
    for (const name of manifest.chunks) {
        const chunk = await fetcher(new URL(name, base).href)
        if (!chunk.ok) throw new ZkCreditError("INVALID_ARGUMENT", `the KYC snapshot's chunk ${name} is missing (HTTP ${chunk.status})`, "snapshot")
        const data = new Uint8Array(await chunk.arrayBuffer())
        chunks.push(data)
        onBytes?.((bytes += data.length), total)
    }
    return { manifest, levels: snapshotLevels(manifest, chunks) }
}
