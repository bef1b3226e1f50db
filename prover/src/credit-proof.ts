import { requireFieldElement, requireObject } from "./checks.ts"
import { PUBLIC_SIGNALS, type PublicSignalName } from "./constants.ts"
import type { PackedGroth16Proof } from "./pack-proof.ts"

/**
 * A credit proof: the public signals by name and the Groth16 proof as eight words. Flat and
 * JSON-safe (decimal strings), so it can cross a worker boundary, a file or an HTTP body.
 * It reveals neither the score nor the identity.
 */
export type CreditProof = Record<PublicSignalName, string> & {
    points: PackedGroth16Proof
}

/**
 * The public signals of a credit proof in the verifier's order, as decimal strings.
 * @throws ZkCreditError when a signal is missing or not a field element.
 */
export function publicSignalsOf(proof: CreditProof): string[] {
    const p = requireObject(proof, "proof")
    return PUBLIC_SIGNALS.map((name) => requireFieldElement(p[name], `proof.${name}`).toString())
}
