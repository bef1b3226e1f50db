/**
 * The person reference: how a KYC officer and a data provider name the same person or business
 * without the bureau ever seeing a national ID.
 *
 *   personRef = HMAC-SHA256(key = reference salt, "zkcredit.person-ref.v1|" + kind + "|" + id)
 *
 * `id` is the national ID (a person) or the unified social credit code (a business), upper-cased
 * and with spaces and dashes removed, so "1101 0519-9003 0712 3x" and "11010519900307123X" agree.
 * The salt is a 32-byte secret the officers and the providers share (a consortium key) and the
 * bureau does not hold: without it, a leaked table of references cannot be reversed by hashing
 * every possible ID (an 18-digit ID has far too little entropy to protect itself). Pure: the same
 * function runs in the officer's browser and in providers' systems.
 */
import { computeHmac, getBytes, hexlify, toUtf8Bytes } from "ethers"
import { BureauInputError, describeType } from "./errors.ts"

const DOMAIN = "zkcredit.person-ref.v1"

/** Whose ID it is: a person's national ID or a business's unified social credit code. */
export type SubjectKind = "person" | "sme"

/** Normalises an ID: no spaces or dashes, upper case. */
export function normaliseId(id: string): string {
    return id.replace(/[\s-]/g, "").toUpperCase()
}

/**
 * Computes a person reference.
 * @param id The national ID or unified social credit code (normalised here).
 * @param kind `person` or `sme`: the same digits as a person and as a business are two subjects.
 * @param salt The shared reference salt, 0x + 64 hex digits.
 * @returns 0x + 64 lower-case hex digits.
 * @throws TypeError naming the bad argument.
 */
export function personReference(id: string, kind: SubjectKind, salt: string): string {
    if (typeof id !== "string" || !/^[0-9A-Z]{6,32}$/.test(normaliseId(id))) throw new TypeError("id must be 6 to 32 letters and digits (spaces and dashes are ignored)")
    if (kind !== "person" && kind !== "sme") throw new TypeError('kind must be "person" or "sme"')
    if (typeof salt !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new TypeError("salt must be the shared reference salt: 0x + 64 hex digits")
    return hexlify(getBytes(computeHmac("sha256", getBytes(salt), toUtf8Bytes(`${DOMAIN}|${kind}|${normaliseId(id)}`)))).toLowerCase()
}

/** Checks a person reference: 0x + 64 lower-case hex digits. */
export function requirePersonRef(value: unknown, field: string): string {
    if (typeof value !== "string") throw new BureauInputError("WRONG_TYPE", field, `${field} must be a person reference (0x + 64 hex digits), got ${describeType(value)}`)
    if (!/^0x[0-9a-f]{64}$/.test(value)) throw new BureauInputError("INVALID_VALUE", field, `${field} must be 0x followed by 64 lower-case hex digits (see \`zkcredit provider person-ref\`)`)
    return value
}
