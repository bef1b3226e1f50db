import { MESSAGE_BITS, SCORE_BITS, TIME_BITS } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"

/** The parts of a credit proof's `context` signal. */
export interface ContextParts {
    /** The call the proof is bound to, below 2^MESSAGE_BITS (`computeMessage`). */
    message: bigint
    /** The score threshold, below 2^SCORE_BITS. */
    threshold: bigint
    /** The proof's time, below 2^TIME_BITS. */
    currentTime: bigint
}

const PART_BITS = { message: MESSAGE_BITS, threshold: SCORE_BITS, currentTime: TIME_BITS } as const

/**
 * The `context` public signal: `message * 2^(SCORE_BITS + TIME_BITS) + threshold * 2^TIME_BITS +
 * currentTime`, as the circuit constrains it and the verifier contract packs it. Below
 * 2^(MESSAGE_BITS + SCORE_BITS + TIME_BITS) = 2^216 < p (the circuit build refuses wider parts), so
 * a field element with exactly one split.
 * @throws ZkCreditError `OUT_OF_RANGE` naming the part that does not fit its width.
 */
export function packContext(parts: ContextParts): bigint {
    for (const name of ["message", "threshold", "currentTime"] as const) {
        const value = parts[name]
        if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(PART_BITS[name])) {
            throw new ZkCreditError("OUT_OF_RANGE", `${name} must be an integer in [0, 2^${PART_BITS[name]}), got ${String(value)}`, name)
        }
    }
    return (parts.message << BigInt(SCORE_BITS + TIME_BITS)) | (parts.threshold << BigInt(TIME_BITS)) | parts.currentTime
}

/**
 * The parts of a `context` signal (the inverse of `packContext`).
 * @throws ZkCreditError `OUT_OF_RANGE` when `context` is negative or wider than its three parts.
 */
export function unpackContext(context: bigint): ContextParts {
    if (context < 0n || context >= 1n << BigInt(MESSAGE_BITS + SCORE_BITS + TIME_BITS)) {
        throw new ZkCreditError("OUT_OF_RANGE", `context must be an integer in [0, 2^${MESSAGE_BITS + SCORE_BITS + TIME_BITS}), got ${context}`, "context")
    }
    return {
        message: context >> BigInt(SCORE_BITS + TIME_BITS),
        threshold: (context >> BigInt(TIME_BITS)) & ((1n << BigInt(SCORE_BITS)) - 1n),
        currentTime: context & ((1n << BigInt(TIME_BITS)) - 1n)
    }
}
