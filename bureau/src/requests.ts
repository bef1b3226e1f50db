/**
 * The bodies of the bureau's POST requests, parsed and checked. Pure: the app can check a
 * request before it sends it.
 */
import { requireFieldElement } from "../../prover/src/checks.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { parseApplicant, requireJsonObject, type Applicant } from "./applicant.ts"
import { BureauInputError } from "./errors.ts"

/**
 * The applicant's pseudonym in the market whose record the bureau reads. Naming it tells the
 * bureau which pseudonym is the applicant's: a privacy trade-off that is the applicant's choice.
 */
export interface Pseudonym {
    /** The pseudonym (the credit proof's nullifier output in that market). */
    nullifier: bigint
}

/** `POST /v1/score`: `{ applicant, pseudonym? }`. */
export interface ScoreRequest {
    applicant: Applicant
    /** `null` when the applicant did not name one. */
    pseudonym: Pseudonym | null
}

/** `POST /v1/attestations`: `{ commitment, applicant, pseudonym? }`. */
export interface AttestationRequest extends ScoreRequest {
    /** The identity commitment (KYC leaf) the attestation is for: a non-zero field element. */
    commitment: bigint
}

/**
 * Fields the bureau sets itself. A client sending one is refused (400, `FIELD_NOT_ACCEPTED`)
 * rather than silently ignored, so nobody believes their value was signed.
 */
export const BUREAU_SET_FIELDS = ["score", "issuedAt", "expiresAt"] as const

/**
 * Parses the body of `POST /v1/score`.
 * @throws BureauInputError naming the first bad field.
 */
export function parseScoreRequest(body: unknown): ScoreRequest {
    const object = requireRequestObject(body, ["applicant", "pseudonym"])
    return { applicant: parseApplicant(object.applicant, "applicant"), pseudonym: parsePseudonym(object.pseudonym) }
}

/**
 * Parses the body of `POST /v1/attestations`.
 * @throws BureauInputError naming the first bad field; a client-supplied `score` is refused.
 */
export function parseAttestationRequest(body: unknown): AttestationRequest {
    const object = requireRequestObject(body, ["commitment", "applicant", "pseudonym"])
    if (object.commitment === undefined) {
        throw new BureauInputError("MISSING_FIELD", "commitment", "commitment is required: the identity commitment as a decimal string")
    }
    const commitment = parseFieldElement(object.commitment, "commitment")
    // 0 is the KYC tree's empty leaf, never an identity
    if (commitment === 0n) throw new BureauInputError("INVALID_VALUE", "commitment", "commitment must not be 0 (the empty KYC leaf): send the identity's commitment")
    return { commitment, applicant: parseApplicant(object.applicant, "applicant"), pseudonym: parsePseudonym(object.pseudonym) }
}

function requireRequestObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
    const object = requireJsonObject(body, "body")
    for (const key of Object.keys(object)) {
        if ((BUREAU_SET_FIELDS as readonly string[]).includes(key)) {
            throw new BureauInputError("FIELD_NOT_ACCEPTED", key, `${key} is set by the bureau, never by the client: the bureau scores the applicant itself; remove ${key}`)
        }
        if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", key, `${key} is not a field of this request; the fields are ${allowed.join(", ")}`)
    }
    if (object.applicant === undefined) throw new BureauInputError("MISSING_FIELD", "applicant", "applicant is required: the applicant's data, see the scorecard")
    return object
}

function parsePseudonym(value: unknown): Pseudonym | null {
    if (value === undefined || value === null) return null
    const object = requireJsonObject(value, "pseudonym")
    for (const key of Object.keys(object)) {
        if (key !== "nullifier") throw new BureauInputError("UNKNOWN_FIELD", `pseudonym.${key}`, `pseudonym.${key} is not a field of a pseudonym; the only field is nullifier`)
    }
    if (object.nullifier === undefined) throw new BureauInputError("MISSING_FIELD", "pseudonym.nullifier", "pseudonym.nullifier is required: the pseudonym as a decimal string")
    return { nullifier: parseFieldElement(object.nullifier, "pseudonym.nullifier") }
}

/** A field element from JSON: a decimal or 0x-hex string, or a safe integer. */
function parseFieldElement(value: unknown, field: string): bigint {
    if (typeof value !== "string" && typeof value !== "number") {
        throw new BureauInputError("WRONG_TYPE", field, `${field} must be a field element as a decimal string, got ${value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`}`)
    }
    try {
        return requireFieldElement(value, field)
    } catch (error) {
        if (!isZkCreditError(error)) throw error
        const code = error.code === "NOT_A_FIELD_ELEMENT" ? "OUT_OF_RANGE" : "INVALID_VALUE"
        throw new BureauInputError(code, field, error.message)
    }
}
