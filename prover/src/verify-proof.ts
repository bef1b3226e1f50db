import { groth16 } from "snarkjs"
import { loadJsonArtifact, type ArtifactSource } from "./artifacts.ts"
import { requireFieldElement, requireObject } from "./checks.ts"
import { PUBLIC_SIGNALS } from "./constants.ts"
import type { CreditProof } from "./credit-proof.ts"
import { unpackGroth16Proof } from "./pack-proof.ts"

/**
 * Verifies a credit proof off chain.
 * @param proof A proof from {@link generateCreditProof}.
 * @param verificationKey The verification key object, or where to load it from.
 * @returns Whether the proof is valid for its public signals.
 */
export async function verifyCreditProof(proof: CreditProof, verificationKey: ArtifactSource | object): Promise<boolean> {
    const p = requireObject(proof, "proof")
    const publicSignals = PUBLIC_SIGNALS.map((name) => requireFieldElement(p[name], `proof.${name}`).toString())
    const snarkProof = unpackGroth16Proof(p.points as string[])
    const vkey = await loadJsonArtifact<object>(verificationKey, "verificationKey")
    return groth16.verify(vkey, publicSignals, snarkProof)
}
