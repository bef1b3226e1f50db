import { requireArray, requireFieldElement, requireObject, requireUint } from "./checks.ts"
import { publicSignalsOf, type CreditProof } from "./credit-proof.ts"

/** The arguments of the generated Groth16 verifier's `verifyProof`. */
export interface VerifierCalldata {
    pA: [bigint, bigint]
    pB: [[bigint, bigint], [bigint, bigint]]
    pC: [bigint, bigint]
    pubSignals: bigint[]
}

/**
 * The eight proof words as uint256 (curve coordinates live in the base field, which is larger than
 * the scalar field: they are checked as words, the verifier checks the curve).
 */
function proofWords(proof: Record<string, unknown>): bigint[] {
    return requireArray(proof.points, "proof.points", 8).map((v, i) => requireUint(v, `proof.points[${i}]`, 256))
}

/**
 * Packs a credit proof into the arguments of `Groth16Verifier.verifyProof(pA, pB, pC, pubSignals)`.
 * @throws ZkCreditError naming the first malformed field.
 */
export function toVerifierCalldata(proof: CreditProof): VerifierCalldata {
    const p = requireObject(proof, "proof")
    const w = proofWords(p)
    return {
        pA: [w[0]!, w[1]!],
        pB: [
            [w[2]!, w[3]!],
            [w[4]!, w[5]!]
        ],
        pC: [w[6]!, w[7]!],
        pubSignals: publicSignalsOf(proof).map(BigInt)
    }
}

/**
 * The proof argument of `LoanMarket.borrow`: what the contract cannot recompute itself.
 * `threshold`, `scope` and `message` are derived on chain from the offer, the market and the
 * call, which is what binds the proof to them.
 */
export interface BorrowProofCalldata {
    nullifier: bigint
    kycRoot: bigint
    bureauKeyHash: bigint
    currentTime: bigint
    /** y of the escrow committee key the identity escrow was made under. */
    committeeKeyY: bigint
    /** The escrow's ephemeral key, `R.y`. */
    ephemeralKeyY: bigint
    /** The escrow's ciphertext `c`. */
    ciphertext: bigint
    points: bigint[]
}

/**
 * Packs a credit proof into `LoanMarket.borrow`'s proof struct.
 * @throws ZkCreditError naming the first malformed field.
 */
export function toBorrowCalldata(proof: CreditProof): BorrowProofCalldata {
    const p = requireObject(proof, "proof")
    return {
        nullifier: requireFieldElement(p.nullifier, "proof.nullifier"),
        kycRoot: requireFieldElement(p.kycRoot, "proof.kycRoot"),
        bureauKeyHash: requireFieldElement(p.bureauKeyHash, "proof.bureauKeyHash"),
        currentTime: requireFieldElement(p.currentTime, "proof.currentTime"),
        committeeKeyY: requireFieldElement(p.committeeKeyY, "proof.committeeKeyY"),
        ephemeralKeyY: requireFieldElement(p.ephemeralKeyY, "proof.ephemeralKeyY"),
        ciphertext: requireFieldElement(p.ciphertext, "proof.ciphertext"),
        points: proofWords(p)
    }
}
