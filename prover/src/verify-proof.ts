import { groth16 } from "snarkjs"
import { loadJsonArtifact, type ArtifactSource } from "./artifacts.ts"
import { requireObject } from "./checks.ts"
import { PUBLIC_SIGNALS } from "./constants.ts"
import { publicSignalsOf, type CreditProof } from "./credit-proof.ts"
import { ZkCreditError } from "./errors.ts"
import { unpackGroth16Proof } from "./pack-proof.ts"

/**
 * Verifies a credit proof off chain.
 * @param proof A proof from {@link generateCreditProof}.
 * @param verificationKey The verification key object, or where to load it from.
 * @returns Whether the proof is valid for its public signals.
 * @throws ZkCreditError `ARTIFACT_UNAVAILABLE` when the key cannot be loaded or is not a Groth16
 *   key of this circuit; `INVALID_ARGUMENT` / `NOT_A_FIELD_ELEMENT` for a malformed proof.
 */
export async function verifyCreditProof(proof: CreditProof, verificationKey: ArtifactSource | object): Promise<boolean> {
    const p = requireObject(proof, "proof")
    const publicSignals = publicSignalsOf(proof)
    const snarkProof = unpackGroth16Proof(p.points as string[])
    const vkey = requireVerificationKey(await loadJsonArtifact<unknown>(verificationKey, "verificationKey"))
    try {
        return await groth16.verify(vkey, publicSignals, snarkProof)
    } catch (error) {
        // the proof was checked above: what snarkjs cannot read is the key
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `verificationKey could not be used (${error instanceof Error ? error.name : typeof error}): pass the credit proof's verification_key.json`, "verificationKey")
    }
}

/**
 * Checks the shape snarkjs needs of a Groth16 key for this circuit (its points are checked by snarkjs).
 * @throws ZkCreditError `ARTIFACT_UNAVAILABLE` naming the bad field.
 */
export function requireVerificationKey(value: unknown): object {
    const bad = (field: string, expected: string) =>
        new ZkCreditError("ARTIFACT_UNAVAILABLE", `verificationKey.${field} must be ${expected}: pass the credit proof's verification_key.json`, "verificationKey")
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ZkCreditError("ARTIFACT_UNAVAILABLE", "verificationKey must be a snarkjs verification key object", "verificationKey")
    const k = value as Record<string, unknown>
    if (k.protocol !== "groth16") throw bad("protocol", `"groth16"`)
    if (k.curve !== "bn128") throw bad("curve", `"bn128"`)
    if (k.nPublic !== PUBLIC_SIGNALS.length) throw bad("nPublic", String(PUBLIC_SIGNALS.length))
    // Array.from visits a sparse array's holes, which `some` alone would skip
    if (!Array.isArray(k.IC) || k.IC.length !== PUBLIC_SIGNALS.length + 1 || Array.from(k.IC).some((point) => !Array.isArray(point))) {
        throw bad("IC", `an array of ${PUBLIC_SIGNALS.length + 1} points`)
    }
    for (const field of ["vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2"]) {
        if (!Array.isArray(k[field])) throw bad(field, "a point")
    }
    return k
}
