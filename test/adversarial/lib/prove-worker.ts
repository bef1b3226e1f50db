/**
 * A proving worker for the load test and the benchmark: a child process (`fork`, advanced
 * serialization) that takes proof requests from its parent and answers with credit proofs, one at
 * a time. A child process rather than a worker thread: snarkjs's own worker pool (the `web-worker`
 * package) takes any non-main thread for one of its workers. Run by plain Node (type stripping),
 * not by vitest: it imports only what Node runs natively.
 */
import { CREDIT_PROOF_ARTIFACTS } from "../../../circuits/artifacts.ts"
import { generateCreditProof, Identity, type Attestation, type KycMerkleProof } from "../../../prover/src/index.ts"

/** What the parent sends: everything a proof needs (the secret stays inside this process). */
export interface ProveTask {
    id: number
    secret: string
    attestation: Attestation
    membership: KycMerkleProof
    threshold: number
    currentTime: number
    scope: string
    message: string
}

/** What the worker answers. */
export type ProveAnswer = { id: number; ok: true; proof: Awaited<ReturnType<typeof generateCreditProof>>; ms: number } | { id: number; ok: false; error: string; ms: number }

const artifacts = { wasm: CREDIT_PROOF_ARTIFACTS.wasm, zkey: CREDIT_PROOF_ARTIFACTS.zkey }

process.on("message", async (task: ProveTask | "stop") => {
    if (task === "stop") {
        const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } }
        await holder.curve_bn128?.terminate()
        process.exit(0)
    }
    const started = performance.now()
    try {
        const proof = await generateCreditProof(
            { identity: new Identity(task.secret), attestation: task.attestation, membership: task.membership, threshold: task.threshold, currentTime: task.currentTime, scope: task.scope, message: task.message },
            artifacts
        )
        process.send!({ id: task.id, ok: true, proof, ms: performance.now() - started } satisfies ProveAnswer)
    } catch (error) {
        process.send!({ id: task.id, ok: false, error: `${(error as Error).name}: ${(error as Error).message}`, ms: performance.now() - started } satisfies ProveAnswer)
    }
})
