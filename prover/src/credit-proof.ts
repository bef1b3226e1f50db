import { requireFieldElement, requireObject } from "./checks.ts"
import { PUBLIC_SIGNALS, type CreditProofValueName } from "./constants.ts"
import { packContext, unpackContext } from "./context.ts"
import type { PackedGroth16Proof } from "./pack-proof.ts"

/**
 * A credit proof: what it proves, by name, and the Groth16 proof as eight words. Flat and
 * JSON-safe (decimal strings), so it can cross a worker boundary, a file or an HTTP body. The
 * `context` signal is not a field: its parts (`message`, `threshold`, `currentTime`) are.
 * It reveals neither the score nor the identity.
 */
export type CreditProof = Record<CreditProofValueName, string> & {
    points: PackedGroth16Proof
}

/**
 * The public signals of a credit proof in the verifier's order, as decimal strings (`context`
 * packed from its parts).
 * @throws ZkCreditError when a value is missing or not a field element, or a part of the context
 * does not fit its width.
 */
export function publicSignalsOf(proof: CreditProof): string[] {
    const p = requireObject(proof, "proof") as Record<string, unknown>
    return PUBLIC_SIGNALS.map((name) => {
        if (name !== "context") return requireFieldElement(p[name], `proof.${name}`).toString()
        return packContext({
            message: requireFieldElement(p.message, "proof.message"),
            threshold: requireFieldElement(p.threshold, "proof.threshold"),
            currentTime: requireFieldElement(p.currentTime, "proof.currentTime")
        }).toString()
    })
}

/**
 * The named values of a credit proof from its public signals in the verifier's order (the
 * inverse of `publicSignalsOf`).
 */
export function provenValuesOf(publicSignals: readonly (string | bigint)[]): Record<CreditProofValueName, string> {
    const values: Record<string, string> = {}
    PUBLIC_SIGNALS.forEach((name, i) => {
        const signal = String(publicSignals[i])
        if (name !== "context") return void (values[name] = signal)
        const parts = unpackContext(BigInt(signal))
        values.message = parts.message.toString()
        values.threshold = parts.threshold.toString()
        values.currentTime = parts.currentTime.toString()
    })
    return values as Record<CreditProofValueName, string>
}
