/**
 * Runs a credit proof in the prover worker, with progress by stage. One worker is kept for the
 * page's life and keeps a warm prover (artifacts verified, witness generator compiled, curve
 * built); {@link warmProver} starts that before the first proof is asked for. Every proof's timings are recorded in
 * `window.__zkcredit.proofs` (and as `performance.measure("zkcredit:prove")`) for the browser
 * tests and the benchmark: they measure the real path, artifacts included.
 */
import type { Attestation } from "$prover/attestation.ts"
import type { CreditProof } from "$prover/credit-proof.ts"
import type { ProofTimings, WarmUpTimings } from "$prover/credit-prover.ts"
import type { KycMerkleProof } from "$prover/kyc-tree.ts"
import type { ArtifactOrigin, DownloadProgress, TransferSizes } from "./artifacts.ts"
import ProverWorker from "./prover.worker.ts?worker"

/** Stages shown in the progress bar, in order. */
export const PROOF_STAGES = ["checking-inputs", "loading-artifacts", "computing-witness", "proving"] as const
export type ProofStageName = (typeof PROOF_STAGES)[number]

/** Where a borrow is: syncing the KYC tree, a proof stage, sending the transaction, done. */
export type FlowStage = "syncing" | ProofStageName | "sending" | "done"

/** What the worker gets: everything but the Identity object (its secret travels as a bigint). */
export interface ProverRequest {
    type: "prove"
    id: number
    secret: bigint
    request: {
        attestation: Attestation
        membership: KycMerkleProof
        threshold: bigint | number
        currentTime: bigint | number
        scope: bigint
        message: bigint
        /** The escrow committee key `[x, y]` the proof encrypts the identity commitment under. */
        committeeKey: readonly [bigint, bigint]
        kycRoot?: bigint
    }
    artifacts: { wasm: string; zkey: string }
}

/** What the page posts to the worker: start warming up, or prove. */
export type ProverMessage = { type: "warm"; artifacts: { wasm: string; zkey: string } } | ProverRequest

/** The warm-up's cost as the worker measured it; `pinHashMs` is the loader's hashing, inside `loadMs`. */
export type WorkerWarmUp = WarmUpTimings & { pinHashMs: number }

export type ProverResponse =
    /**
     * A stage started; during "loading-artifacts" it is posted again as bytes arrive, with the
     * decompressed bytes loaded so far and in all (the pinned sizes of the wasm and zkey).
     */
    | { id: number; type: "stage"; stage: ProofStageName; elapsedMs: number; bytesLoaded?: number; bytesTotal?: number }
    | { id: number; type: "done"; proof: CreditProof; artifactsFrom: ArtifactOrigin; artifactsTransfer: TransferSizes; artifactsMs: number; totalMs: number; timings: ProofTimings; warmUp?: WorkerWarmUp }
    | { id: number; type: "error"; name: string; code: string | undefined; message: string }

/** One proof's timings, as recorded for tests and benchmarks. */
export interface ProofTiming {
    /** From the request to the worker until the proof came back, artifacts included. */
    totalMs: number
    artifactsMs: number
    /** "memory" for bytes this worker verified for an earlier proof. */
    artifactsFrom: ArtifactOrigin
    /** What the artifacts' download carried on the network, from the worker's resource timing. */
    artifactsTransfer: TransferSizes
    /** The last download progress the worker reported (decompressed bytes), if any. */
    download?: DownloadProgress
    stages: Partial<Record<ProofStageName, number>>
    /** The prover's own breakdown of this proof (inputs, waiting for the warm-up, witness, prove, self-check). */
    timings: ProofTimings
    /** For the first proof after the artifacts were loaded: what the warm-up cost. */
    warmUp?: WorkerWarmUp
}

interface TestHook {
    proofs: ProofTiming[]
}

function hook(): TestHook {
    const w = window as unknown as { __zkcredit?: TestHook }
    w.__zkcredit ??= { proofs: [] }
    return w.__zkcredit
}

let worker: Worker | undefined
let nextId = 1

const absoluteUrls = (artifacts: { wasm: string; zkey: string }) => ({ wasm: new URL(artifacts.wasm, location.href).href, zkey: new URL(artifacts.zkey, location.href).href })

/**
 * Starts the prover worker's warm-up (artifacts loaded and verified, witness generator compiled,
 * curve built) without waiting for it, so the first proof finds it done. Cheap to call again.
 * A failure is not reported here: the proof that needs the files reports it.
 */
export function warmProver(artifacts: { wasm: string; zkey: string }): void {
    worker ??= new ProverWorker()
    worker.postMessage({ type: "warm", artifacts: absoluteUrls(artifacts) } satisfies ProverMessage)
}

/**
 * Proves in the worker.
 * @param onStage Called as each stage starts, and again during "loading-artifacts" with the
 *   download's progress in bytes (for "downloading the proving files, X of Y MB").
 * @throws What the prover threw (a ZkCreditError as a plain object with name and code).
 */
export function proveInWorker(
    secret: bigint,
    request: ProverRequest["request"],
    artifacts: { wasm: string; zkey: string },
    onStage: (stage: ProofStageName, download?: DownloadProgress) => void
): Promise<CreditProof> {
    worker ??= new ProverWorker()
    const w = worker
    const id = nextId++
    const stages: ProofTiming["stages"] = {}
    let download: DownloadProgress | undefined
    const absolute = absoluteUrls(artifacts)
    return new Promise((resolve, reject) => {
        const started = performance.now()
        performance.mark("zkcredit:prove:start")
        const onMessage = (event: MessageEvent<ProverResponse>) => {
            const data = event.data
            if (data.id !== id) return
            if (data.type === "stage") {
                stages[data.stage] ??= Math.round(data.elapsedMs)
                if (data.bytesLoaded !== undefined && data.bytesTotal !== undefined) {
                    download = { bytesLoaded: data.bytesLoaded, bytesTotal: data.bytesTotal }
                    onStage(data.stage, download)
                } else onStage(data.stage)
                return
            }
            w.removeEventListener("message", onMessage)
            w.removeEventListener("error", onError)
            if (data.type === "done") {
                performance.mark("zkcredit:prove:end")
                performance.measure("zkcredit:prove", "zkcredit:prove:start", "zkcredit:prove:end")
                hook().proofs.push({ totalMs: Math.round(performance.now() - started), artifactsMs: Math.round(data.artifactsMs), artifactsFrom: data.artifactsFrom, artifactsTransfer: data.artifactsTransfer, stages, timings: data.timings, ...(data.warmUp ? { warmUp: data.warmUp } : {}), ...(download ? { download } : {}) })
                resolve(data.proof)
            } else {
                reject(Object.assign(new Error(data.message), { name: data.name, code: data.code }))
            }
        }
        const onError = (event: ErrorEvent) => {
            w.removeEventListener("message", onMessage)
            w.removeEventListener("error", onError)
            worker = undefined
            w.terminate()
            reject(new Error(event.message || "the prover worker failed"))
        }
        w.addEventListener("message", onMessage)
        w.addEventListener("error", onError)
        w.postMessage({ type: "prove", id, secret, request, artifacts: absolute } satisfies ProverMessage)
    })
}

/** Makes sure the test hook exists from the start (tests wait for it). */
export function installTestHook(): void {
    hook()
}
