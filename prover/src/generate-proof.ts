import type { CreditProofArtifacts } from "./artifacts.ts"
import { optionalObject } from "./checks.ts"
import { CreditProver, type ProofProgress } from "./credit-prover.ts"
import type { CreditProof } from "./credit-proof.ts"
import { ZkCreditError } from "./errors.ts"
import type { CreditProofRequest } from "./inputs.ts"
import type { CircuitPins } from "./pins.ts"

export type { ProofProgress, ProofStage } from "./credit-prover.ts"

/** Options of {@link generateCreditProof}. */
export interface GenerateCreditProofOptions {
    /** Called as each stage starts. */
    onProgress?: (progress: ProofProgress) => void
    /**
     * The sha256 the artifacts must hash to. Default: the credit proof's pins from the
     * committed `circuits/artifacts.manifest.json`, built into the library. Pass others only
     * for a build of your own, from a source you trust as much as this code.
     */
    pins?: CircuitPins
}

/**
 * Generates one credit proof: the borrower's score meets `threshold` under a bureau attestation,
 * and the borrower is in the KYC set, revealing neither. A one-shot {@link CreditProver}: it
 * loads, hashes and compiles the artifacts for this proof alone. To prove more than once, keep a
 * `CreditProver`.
 *
 * All inputs are checked before any work (see `buildCreditProofInput`): a request that
 * would fail throws a typed {@link ZkCreditError} instead of starting a proof. Nothing it is
 * served is trusted: the wasm, zkey and verification key must hash to their pins, and the fresh
 * proof is returned only when every public signal is the value computed here from the request
 * (the nullifier from the secret and scope, the identity escrow recomputed from its fresh r and
 * the committee key, then the public inputs in circuits.json's order) and the proof verifies
 * under the pinned verification key.
 *
 * @param request The identity, attestation, membership and public values.
 * @param artifacts The wasm, zkey and (optional in Node) verification key, as paths (Node), URLs or bytes.
 * @param options Progress callback; pins of another build.
 * @throws ZkCreditError `ARTIFACT_TAMPERED` for bytes that are not the pinned build,
 *   `PROOF_SELF_CHECK_FAILED` for a proof that fails the self-check, `ARTIFACT_UNAVAILABLE` for
 *   files that cannot be loaded or used, and the input codes of `buildCreditProofInput`.
 */
export async function generateCreditProof(request: CreditProofRequest, artifacts: CreditProofArtifacts, options: GenerateCreditProofOptions = {}): Promise<CreditProof> {
    const { onProgress, pins } = optionalObject(options, "options")
    if (onProgress !== undefined && typeof onProgress !== "function") {
        throw new ZkCreditError("INVALID_ARGUMENT", "options.onProgress must be a function ({ stage, elapsedMs }) => void", "options.onProgress")
    }
    if (typeof artifacts !== "object" || artifacts === null) {
        throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey, vkey? }: paths, URLs or bytes", "artifacts")
    }
    const prover = new CreditProver(artifacts, pins === undefined ? {} : { pins: pins as CircuitPins })
    return prover.prove(request, onProgress ? { onProgress: onProgress as (progress: ProofProgress) => void } : {})
}
