/**
 * Building a large KYC tree on several threads: the leaves are cut into chunks of 4^h (whole
 * subtrees), each chunk's subtree is hashed by a runner (a worker thread in Node, a Web Worker in
 * a browser, or this thread), and the few nodes above the chunks are hashed here. The same tree as
 * `new KycTree(leaves)`, node for node (tested). It pays from about 2^14 leaves on 2 cores
 * (bench/registry.ts); below that the messages cost more than the hashes.
 */
import { requireArray, requireFieldElement } from "./checks.ts"
import { KYC_TREE_ARITY, KYC_TREE_CAPACITY, KYC_TREE_DEPTH } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import { KYC_CAPACITY_TEXT, KycTree, kycZeroes, parentNode, type KycHash } from "./kyc-tree.ts"

/** Hashes one chunk's subtree: levels 1..height above `leaves` (the result's [0] is level 1). */
export type SubtreeRunner = (leaves: bigint[], height: number) => Promise<bigint[][]>

/** Below this many leaves a build stays on one thread. */
export const PARALLEL_BUILD_THRESHOLD = 2 ** 14

/**
 * The nodes of heights 1..height above a chunk of leaves that starts at a multiple of 4^height:
 * each the hash of 4 nodes below. What a runner computes.
 * @param leaves The chunk, at most 4^height leaves.
 * @param height How many levels to hash.
 * @param hash The Poseidon implementation.
 * @param base The height of `leaves` in the tree (0 for leaves): which empty node pads a short end.
 */
export function hashSubtree(leaves: readonly bigint[], height: number, hash: KycHash, base = 0): bigint[][] {
    const zeroes = kycZeroes(hash)
    const out: bigint[][] = []
    let below: readonly bigint[] = leaves
    for (let d = base; d < base + height; d++) {
        const zero = zeroes[d]!
        const above: bigint[] = new Array(Math.ceil(below.length / KYC_TREE_ARITY))
        for (let i = 0; i < above.length; i++) above[i] = parentNode(below, i, zero, hash)
        out.push(above)
        below = above
    }
    return out
}

/** Options of {@link buildKycTree}. */
export interface BuildKycTreeOptions {
    /** The Poseidon implementation of this thread (and of the tree's later changes). */
    hash: KycHash
    /** One runner per thread to use; none builds here. */
    runners?: readonly SubtreeRunner[]
    /** Fewer leaves than this are built here (default {@link PARALLEL_BUILD_THRESHOLD}). */
    minParallelLeaves?: number
    /** Called with the leaves hashed so far (chunk by chunk) and the total. */
    onProgress?: (done: number, total: number) => void
}

/**
 * Builds a KYC tree from leaves, over runners when there are enough leaves for that to pay.
 * @param leaves Leaves in index order (0 for removed slots), field elements.
 */
export async function buildKycTree(leaves: readonly bigint[], options: BuildKycTreeOptions): Promise<KycTree> {
    requireArray(leaves, "leaves")
    const { hash, runners = [], onProgress, minParallelLeaves = PARALLEL_BUILD_THRESHOLD } = options
    if (leaves.length > KYC_TREE_CAPACITY) throw new ZkCreditError("GROUP_CONFLICT", `a KYC tree holds at most ${KYC_CAPACITY_TEXT} leaves, got ${leaves.length}`, "leaves")
    if (runners.length === 0 || leaves.length < minParallelLeaves) {
        return new KycTree(leaves, { hash, ...(onProgress ? { onProgress } : {}) })
    }
    const checked = Array.from(leaves, (leaf, i) => requireFieldElement(leaf, `leaves[${i}]`))
    // chunks of 4^height leaves, about 8 or more per runner so that a slow runner does not hold the rest up
    let height = 1
    while (height < KYC_TREE_DEPTH && checked.length / KYC_TREE_ARITY ** (height + 1) >= runners.length * 8) height++
    const size = KYC_TREE_ARITY ** height
    const chunks: bigint[][] = []
    for (let start = 0; start < checked.length; start += size) chunks.push(checked.slice(start, start + size))
    const results: bigint[][][] = new Array(chunks.length)
    let next = 0
    let done = 0
    await Promise.all(
        runners.map(async (run) => {
            while (next < chunks.length) {
                const n = next++
                results[n] = await run(chunks[n]!, height)
                done += chunks[n]!.length
                onProgress?.(done, checked.length)
            }
        })
    )
    const levels: bigint[][] = [checked]
    for (let d = 1; d <= height; d++) levels.push(results.flatMap((r) => r[d - 1]!))
    // the few nodes above the chunks, here
    for (let d = height; d < KYC_TREE_DEPTH; d++) levels.push(hashSubtree(levels[d]!, 1, hash, d)[0]!)
    return KycTree.fromLevels(levels, { hash })
}

/** What a runner sends its worker. */
export interface SubtreeRequest {
    id: number
    leaves: bigint[]
    height: number
}

/** What a worker answers. */
export type SubtreeResponse = { id: number; levels: bigint[][] } | { id: number; error: string }

/**
 * The worker's side: answers subtree requests with the fast Poseidon. Shared by the Node worker
 * thread and the browser's Web Worker, which only wire it to their message ports.
 * @param post Sends a response to the runner.
 * @param loadHash Loads this worker's Poseidon once.
 */
export function subtreeServer(post: (response: SubtreeResponse) => void, loadHash: () => Promise<KycHash>): (request: SubtreeRequest) => Promise<void> {
    return async (request) => {
        try {
            post({ id: request.id, levels: hashSubtree(request.leaves, request.height, await loadHash()) })
        } catch (error) {
            post({ id: request.id, error: error instanceof Error ? error.message : String(error) })
        }
    }
}

/** A message port of a worker, as Node's `Worker` and the browser's `Worker` both offer it. */
export interface WorkerPort {
    postMessage(message: SubtreeRequest): void
    /** Registers the handler of responses. */
    onResponse(handler: (response: SubtreeResponse) => void): void
}

/** A runner that sends each chunk to a worker and waits for its levels. */
export function workerRunner(port: WorkerPort): SubtreeRunner {
    let nextId = 0
    const waiting = new Map<number, { resolve: (levels: bigint[][]) => void; reject: (error: Error) => void }>()
    port.onResponse((response) => {
        const pending = waiting.get(response.id)
        if (!pending) return
        waiting.delete(response.id)
        if ("error" in response) pending.reject(new ZkCreditError("ARTIFACT_UNAVAILABLE", `a tree-building worker failed: ${response.error}`))
        else pending.resolve(response.levels)
    })
    return (leaves, height) =>
        new Promise((resolve, reject) => {
            const id = nextId++
            waiting.set(id, { resolve, reject })
            port.postMessage({ id, leaves, height })
        })
}
