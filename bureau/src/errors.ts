/** What is wrong with an input field, as a stable machine-readable code. */
export type BureauInputErrorCode =
    /** The text is not JSON (or not UTF-8). */
    | "INVALID_JSON"
    /** A required field is absent. */
    | "MISSING_FIELD"
    /** A field the bureau does not know: most often a typo. */
    | "UNKNOWN_FIELD"
    /** A field the bureau knows but sets itself and never takes from a client (`score`, times). */
    | "FIELD_NOT_ACCEPTED"
    /** A field has the wrong JSON type (a string where a number goes, an array for an object). */
    | "WRONG_TYPE"
    /** A number that must be a whole number is not (or is NaN or infinite). */
    | "NOT_AN_INTEGER"
    /** A number outside the range the scorecard accepts for the field. */
    | "OUT_OF_RANGE"
    /** A value of the right type that is still not valid (an unknown `kind`, a zero commitment). */
    | "INVALID_VALUE"
    /** A provider record without a signature. */
    | "MISSING_SIGNATURE"
    /** A signature (record or binding) that does not verify. */
    | "BAD_SIGNATURE"
    /** A record signed by a provider the bureau does not know. */
    | "UNKNOWN_PROVIDER"
    /** A record signed by a provider whose key was revoked. */
    | "PROVIDER_REVOKED"
    /** Applicant data sent by the applicant: the bureau scores only providers' records. */
    | "SELF_REPORTED_DATA"
    /** A KYC binding not signed by an officer the bureau recognises. */
    | "UNKNOWN_OFFICER"
    /** A challenge unknown, used or expired. */
    | "BAD_CHALLENGE"
    /** A history proof that does not verify, or does not match the binding. */
    | "BAD_PROOF"
    /** A pseudonym named without a proof that it is the applicant's. */
    | "UNPROVEN_PSEUDONYM"
    /** A scope (market) the bureau does not read. */
    | "UNKNOWN_MARKET"
    /** A referenced record, provider or dispute that does not exist. */
    | "NOT_FOUND"
    /** A request that conflicts with the bureau's state (a record already superseded). */
    | "CONFLICT"

/**
 * A bad applicant or request field. `field` is its path in the request (for example
 * `applicant.monthlyIncomeYuan`), and the message says what a valid value is. Messages about
 * applicant fields repeat numbers but never the content of strings: applicants' data is personal.
 */
export class BureauInputError extends Error {
    /** Stable code to branch on. */
    readonly code: BureauInputErrorCode
    /** Path of the offending field, dot-separated (`applicant.kind`, `pseudonym.nullifier`). */
    readonly field: string

    /**
     * @param code What is wrong.
     * @param field Path of the offending field.
     * @param message What was wrong and what a valid value looks like.
     */
    constructor(code: BureauInputErrorCode, field: string, message: string) {
        super(message)
        this.name = "BureauInputError"
        this.code = code
        this.field = field
    }
}

/**
 * Whether `error` is a {@link BureauInputError}. Works across bundles, where `instanceof` may
 * not.
 */
export function isBureauInputError(error: unknown): error is BureauInputError {
    if (typeof error !== "object" || error === null) return false
    const candidate = error as { name?: unknown; field?: unknown }
    return candidate.name === "BureauInputError" && typeof candidate.field === "string"
}

/** A short, safe description of a JSON value's type for messages (never its content). */
export function describeType(value: unknown): string {
    if (value === null) return "null"
    if (Array.isArray(value)) return "an array"
    if (typeof value === "number" && Number.isNaN(value)) return "NaN"
    return `a ${typeof value}`
}
