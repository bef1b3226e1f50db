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

/** The public signals of a credit proof in the verifier's order. */
export function publicSignalsOf(proof: CreditProof): string[] {
    return PUBLIC_SIGNALS.map((name) => proof[name])
}
