/**
 * Parsing of command-line values. Every function throws a bad-input {@link CliError} (exit 2)
 * that names the option and says what a valid value looks like.
 */
import { getAddress, formatUnits } from "ethers"
import { SNARK_SCALAR_FIELD } from "../../prover/src/constants.ts"
import { badInput } from "./exit-codes.ts"

/** A whole number in [min, max]. */
export function parseInteger(text: string, name: string, options: { min?: number; max?: number } = {}): number {
    const min = options.min ?? 0
    const max = options.max ?? Number.MAX_SAFE_INTEGER
    const trimmed = String(text).trim()
    if (!/^-?[0-9]+$/.test(trimmed)) throw badInput("INVALID_NUMBER", `${name} must be a whole number, got ${JSON.stringify(text)}`, { option: name })
    const n = Number(trimmed)
    if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw badInput("OUT_OF_RANGE", `${name} must be a whole number from ${min} to ${max}, got ${trimmed}`, { option: name })
    }
    return n
}

/** The first amount no ERC-20 token can hold: 2^256 of its smallest unit. */
export const MAX_TOKEN_AMOUNT = 2n ** 256n

/**
 * A token amount in whole units with up to `decimals` fraction digits ("1000", "12.5"), as the
 * token's smallest unit. Zero and negative amounts are refused.
 */
export function parseAmount(text: string, decimals: number, name: string): bigint {
    const trimmed = checkAmountText(text, name)
    const fraction = trimmed.split(".")[1] ?? ""
    if (fraction.length > decimals) {
        throw badInput("INVALID_AMOUNT", `${name} has ${fraction.length} decimals; the token has ${decimals}: got ${trimmed}`, { option: name })
    }
    // computed here: ethers' parseUnits throws a bare "overflow" for long inputs
    const [whole, fractionDigits = ""] = trimmed.split(".")
    const value = BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(fractionDigits.padEnd(decimals, "0") || "0")
    if (value <= 0n) throw badInput("INVALID_AMOUNT", `${name} must be more than 0, got ${trimmed}`, { option: name })
    // no ERC-20 amount reaches 2^256 (ethers would refuse to encode it, possibly after an approval was sent)
    if (value >= MAX_TOKEN_AMOUNT) throw badInput("INVALID_AMOUNT", `${name} is too large for a token amount (at most 2^256 - 1 of the smallest unit), got ${describeValue(trimmed)}`, { option: name })
    return value
}

/**
 * Checks the form of an amount before the token's decimals are known, so a bad amount is refused
 * before anything else happens.
 * @returns The amount text, trimmed.
 */
export function checkAmountText(text: string, name: string): string {
    const trimmed = String(text).trim().replace(/_/g, "")
    if (/^-/.test(trimmed)) throw badInput("INVALID_AMOUNT", `${name} must be a positive amount, got ${JSON.stringify(text)}`, { option: name })
    if (!/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) {
        throw badInput("INVALID_AMOUNT", `${name} must be an amount in token units such as 1000 or 12.5, got ${JSON.stringify(text)}`, { option: name })
    }
    return trimmed
}

/** An amount in the smallest unit, in token units for people ("1,000.5"). */
export function formatAmount(value: bigint, decimals: number, symbol?: string): string {
    const [whole, fraction] = formatUnits(value, decimals).split(".")
    const grouped = (whole ?? "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",")
    const text = fraction && fraction !== "0" ? `${grouped}.${fraction}` : grouped
    return symbol ? `${text} ${symbol}` : text
}

/** An identity commitment (a KYC leaf): a non-zero field element, decimal or 0x-hex. */
export function parseCommitment(text: unknown, name: string): bigint {
    const trimmed = typeof text === "number" && Number.isSafeInteger(text) ? String(text) : typeof text === "string" ? text.trim() : undefined
    if (trimmed === undefined || !(/^[0-9]+$/.test(trimmed) || /^0x[0-9a-fA-F]+$/.test(trimmed))) {
        throw badInput("INVALID_COMMITMENT", `${name} must be an identity commitment as a decimal or 0x-hex integer, got ${describeValue(text)}`, { field: name })
    }
    const value = BigInt(trimmed)
    if (value === 0n) throw badInput("INVALID_COMMITMENT", `${name} must not be 0 (the empty KYC leaf)`, { field: name })
    if (value >= SNARK_SCALAR_FIELD) {
        throw badInput("NOT_A_FIELD_ELEMENT", `${name} is not below the BN254 scalar field (${describeValue(text)}): it cannot be an identity commitment`, { field: name })
    }
    return value
}

/** A field element (e.g. a key hash) that may not be 0. */
export function parseFieldElement(text: string, name: string): bigint {
    return parseCommitment(text, name)
}

/** A checksummed address. */
export function parseAddress(text: string, name: string): string {
    try {
        return getAddress(String(text).trim())
    } catch {
        throw badInput("INVALID_ADDRESS", `${name} must be a 0x address of 40 hex digits, got ${JSON.stringify(text)}`, { option: name })
    }
}

/** A short description of a value for error messages (at most 40 characters of it). */
export function describeValue(value: unknown): string {
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)
    if (value === null) return "null"
    if (value === undefined) return "nothing"
    if (Array.isArray(value)) return "an array"
    return typeof value === "object" ? "an object" : String(value)
}
