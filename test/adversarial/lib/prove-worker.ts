/**
 * A proving worker for the load test and the benchmark: a child process (`fork`, advanced
 * serialization) that takes proof requests from its parent and answers with credit proofs, one at
 * a time. A child process rather than a worker thread: snarkjs's own worker pool (the `web-worker`
 * package) takes any non-main thread for one of its workers. Run by plain Node (type stripping),
 * not by vitest: it imports only what Node runs natively.
 */
import { CREDIT_PROOF_ARTIFACTS } from "../../../circuits/artifacts.ts"
import { CreditProver, Identity, type Attestation, type CreditProof, type KycMerkleProof } from "../../../prover/src/index.ts"

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
    /** The escrow committee key `[x, y]`, decimal strings. */
    committeeKey: [string, string]
}

/** What the worker answers. */
export type ProveAnswer = { id: number; ok: true; proof: CreditProof; ms: number } | { id: number; ok: false; error: string; ms: number }

// one warm prover for the process's life: artifacts hashed and the witness generator compiled once
const prover = new CreditProver({ wasm: CREDIT_PROOF_ARTIFACTS.wasm, zkey: CREDIT_PROOF_ARTIFACTS.zkey })
void prover.warmUp().catch(() => {})

process.on("message", async (task: ProveTask | "stop") => {
    if (task === "stop") {
        await prover.release()
        process.exit(0)
    }
    const started = performance.now()
    try {
        const proof = await prover.prove({ identity: new Identity(task.secret), attestation: task.attestation, membership: task.membership, threshold: task.threshold, currentTime: task.currentTime, scope: task.scope, message: task.message, committeeKey: task.committeeKey })
        process.send!({ id: task.id, ok: true, proof, ms: performance.now() - started } satisfies ProveAnswer)
    } catch (error) {
        process.send!({ id: task.id, ok: false, error: `${(error as Error).name}: ${(error as Error).message}`, ms: performance.now() - started } satisfies ProveAnswer)
    }
})
