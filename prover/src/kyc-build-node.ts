/**
 * Worker threads for {@link buildKycTree} in Node, one per core by default, running the same
 * worker file as the browser's Web Workers (through `web-worker`, the Web Worker API on Node's
 * worker_threads that ffjavascript already uses). Close them when done: they keep the process alive.
 */
/// <reference path="./web-worker.d.ts" />
import { availableParallelism } from "node:os"
import Worker from "web-worker"
import { buildKycTree, PARALLEL_BUILD_THRESHOLD, workerRunner, type SubtreeResponse, type SubtreeRunner } from "./kyc-build.ts"
import type { KycTree } from "./kyc-tree.ts"
import { loadFastPoseidon } from "./poseidon.ts"

/** Runners on worker threads, and how to stop them. */
export interface NodeRunners {
    runners: SubtreeRunner[]
    close(): Promise<void>
}

/**
 * Starts worker threads that hash subtrees with the fast Poseidon.
 * @param count Threads (default: the cores of this machine).
 */
export function startNodeRunners(count: number = availableParallelism()): NodeRunners {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`)
    const workers = Array.from({ length: count }, () => new Worker(new URL("./kyc-build.worker.ts", import.meta.url), { type: "module" }))
    return {
        runners: workers.map((worker) =>
            workerRunner({
                postMessage: (message) => worker.postMessage(message),
                onResponse: (handler) => worker.addEventListener("message", (event: MessageEvent<SubtreeResponse>) => handler(event.data))
            })
        ),
        close: async () => {
            for (const worker of workers) worker.terminate()
        }
    }
}

/**
 * Builds a KYC tree in Node the fastest way measured here: the WebAssembly Poseidon, and worker
 * threads (one per core) once the tree is large enough for them to pay.
 * @param leaves Leaves in index order.
 * @param onProgress Called with the leaves hashed so far and the total.
 */
export async function buildKycTreeInNode(leaves: readonly bigint[], onProgress?: (done: number, total: number) => void): Promise<KycTree> {
    const hash = await loadFastPoseidon()
    if (leaves.length < PARALLEL_BUILD_THRESHOLD || availableParallelism() < 2) return buildKycTree(leaves, { hash, ...(onProgress ? { onProgress } : {}) })
    const pool = startNodeRunners()
    try {
        return await buildKycTree(leaves, { hash, runners: pool.runners, ...(onProgress ? { onProgress } : {}) })
    } finally {
        await pool.close()
    }
}
