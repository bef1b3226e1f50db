import { PUBLIC_SIGNALS } from "./constants.ts"
import type { CreditProof } from "./credit-proof.ts"

/** The arguments of the generated Groth16 verifier's `verifyProof`. */
export interface VerifierCalldata {
    pA: [bigint, bigint]
    pB: [[bigint, bigint], [bigint, bigint]]
    pC: [bigint, bigint]
    pubSignals: bigint[]
}

/** Packs a credit proof into the arguments of `Groth16Verifier.verifyProof(pA, pB, pC, pubSignals)`. */
export function toVerifierCalldata(proof: CreditProof): VerifierCalldata {
    const w = proof.points.map(BigInt) as bigint[]
    return {
        pA: [w[0]!, w[1]!],
        pB: [
            [w[2]!, w[3]!],
            [w[4]!, w[5]!]
        ],
        pC: [w[6]!, w[7]!],
        pubSignals: PUBLIC_SIGNALS.map((name) => BigInt(proof[name]))
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
    points: bigint[]
}

/** Packs a credit proof into `LoanMarket.borrow`'s proof struct. */
export function toBorrowCalldata(proof: CreditProof): BorrowProofCalldata {
    return {
        nullifier: BigInt(proof.nullifier),
        kycRoot: BigInt(proof.kycRoot),
        bureauKeyHash: BigInt(proof.bureauKeyHash),
        currentTime: BigInt(proof.currentTime),
        points: proof.points.map(BigInt)
    }
}
