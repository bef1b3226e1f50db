/** What went wrong, as a stable machine-readable code. */
export type ZkCreditErrorCode =
    /** An argument has the wrong type or shape. */
    | "INVALID_ARGUMENT"
    /** An integer is negative or not below the SNARK scalar field. */
    | "NOT_A_FIELD_ELEMENT"
    /** An integer is outside the range the circuit accepts for it. */
    | "OUT_OF_RANGE"
    /** The identity's commitment is not the leaf of the Merkle proof, or the path does not lead to the root. */
    | "NOT_A_MEMBER"
    /** The attested score is below the threshold. */
    | "SCORE_BELOW_THRESHOLD"
    /** `currentTime` is at or after the attestation's `expiresAt`. */
    | "ATTESTATION_EXPIRED"
    /** `currentTime` is before the attestation's `issuedAt`. */
    | "ATTESTATION_NOT_YET_VALID"
    /** The attestation's signature does not verify under its bureau key. */
    | "INVALID_SIGNATURE"
    /** The attestation is signed by another key than the one expected. */
    | "WRONG_BUREAU_KEY"
    /** The attestation was issued to another identity commitment. */
    | "ATTESTATION_IDENTITY_MISMATCH"
    /** A KYC group operation that the group's state does not allow (full, duplicate, unknown index). */
    | "GROUP_CONFLICT"
    /** An identity backup is malformed or was tampered with. */
    | "BACKUP_INVALID"
    /** An identity backup did not decrypt with the given password. */
    | "BACKUP_WRONG_PASSWORD"
    /** A proving artifact (wasm, zkey, verification key) could not be loaded, or is corrupt or of another circuit. */
    | "ARTIFACT_UNAVAILABLE"
    // the identity escrow and its committee (prover/src/escrow/)
    /** A Baby Jubjub point is off the curve, of small order, or outside the prime-order subgroup. */
    | "INVALID_POINT"
    /** A committee file (roster, dealing, complaint, key, share) is malformed or belongs to another committee. */
    | "INVALID_COMMITTEE_FILE"
    /** The key generation cannot finish: fewer than `threshold` dealers remain qualified. */
    | "DKG_FAILED"
    /** A partial decryption's Chaum-Pedersen proof does not verify against its authority's public share. */
    | "INVALID_DECRYPTION_SHARE"
    /** Fewer valid partial decryptions than the committee's threshold. */
    | "NOT_ENOUGH_SHARES"
    /** A proving artifact's bytes do not hash to the sha256 pinned at build time (from the network, a cache or a disk). */
    | "ARTIFACT_TAMPERED"
    /** A fresh proof failed the prover's own check (a public signal it did not expect, or no valid proof): it was not returned. */
    | "PROOF_SELF_CHECK_FAILED"

/**
 * The one error type of the prover library. `code` says what went wrong, `parameter` names the
 * offending argument where there is one, and the message says how to fix it.
 */
export class ZkCreditError extends Error {
    /** Stable code to branch on. */
    readonly code: ZkCreditErrorCode
    /** The argument at fault, when one is. */
    readonly parameter?: string

    /**
     * @param code What went wrong.
     * @param message What was wrong and how to fix it.
     * @param parameter The argument at fault, if any.
     */
    constructor(code: ZkCreditErrorCode, message: string, parameter?: string) {
        super(message)
        this.name = "ZkCreditError"
        this.code = code
        if (parameter !== undefined) this.parameter = parameter
    }
}

/**
 * Whether `error` is a {@link ZkCreditError}, optionally of a given code. Works across bundles,
 * where `instanceof` may not.
 */
export function isZkCreditError(error: unknown, code?: ZkCreditErrorCode): error is ZkCreditError {
    if (typeof error !== "object" || error === null) return false
    const candidate = error as { name?: unknown; code?: unknown }
    return candidate.name === "ZkCreditError" && (code === undefined || candidate.code === code)
}
