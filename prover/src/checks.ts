/**
 * Argument checks run up front by every exported function: each error names the parameter and
 * says what a valid value looks like.
 */
import { SNARK_SCALAR_FIELD } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"

/** An integer given as a bigint, a safe integer number, or a decimal or 0x-hex string. */
export type BigNumberish = bigint | number | string

/**
 * Parses an integer argument.
 * @param value The value to parse.
 * @param name The parameter name, for the error message.
 * @returns The value as a bigint.
 */
export function toBigInt(value: unknown, name: string): bigint {
    if (typeof value === "bigint") return value
    if (typeof value === "number") {
        if (!Number.isSafeInteger(value)) {
            throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be an integer, got ${value}; pass big values as a bigint or a decimal string`, name)
        }
        return BigInt(value)
    }
    if (typeof value === "string") {
        const trimmed = value.trim()
        if (/^-?[0-9]+$/.test(trimmed) || /^0x[0-9a-fA-F]+$/.test(trimmed)) return BigInt(trimmed)
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be a decimal or 0x-hex integer string, got ${JSON.stringify(value.slice(0, 80))}`, name)
    }
    throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be an integer (bigint, number or string), got ${describe(value)}`, name)
}

/**
 * Checks that a value is an element of the SNARK scalar field: an integer in [0, p).
 * @returns The value as a bigint.
 */
export function requireFieldElement(value: unknown, name: string, options: { secret?: boolean } = {}): bigint {
    const n = toBigInt(value, name)
    if (n < 0n || n >= SNARK_SCALAR_FIELD) {
        // a secret's value never goes into a message: messages end up in logs
        const got = options.secret ? "a value outside it" : String(n)
        throw new ZkCreditError("NOT_A_FIELD_ELEMENT", `${name} must be an integer in [0, SNARK_SCALAR_FIELD), got ${got}; reduce it modulo the BN254 scalar field or use a smaller value`, name)
    }
    return n
}

/**
 * Checks that a value fits in `bits` unsigned bits, as the circuit's range checks demand.
 * @returns The value as a bigint.
 */
export function requireUint(value: unknown, name: string, bits: number, options: { secret?: boolean } = {}): bigint {
    if (!Number.isSafeInteger(bits) || bits < 0 || bits > 256) throw new ZkCreditError("INVALID_ARGUMENT", `bits must be an integer from 0 to 256, got ${describe(bits)}`, "bits")
    const n = toBigInt(value, name)
    if (n < 0n || n >= 1n << BigInt(bits)) {
        const got = options.secret ? "a value outside it" : String(n)
        throw new ZkCreditError("OUT_OF_RANGE", `${name} must be an integer in [0, 2^${bits}), got ${got}`, name)
    }
    return n
}

/** Checks that a value is a non-null object, so its fields can be read. */
export function requireObject(value: unknown, name: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be an object, got ${describe(value)}`, name)
    }
    return value as Record<string, unknown>
}

/** Checks that an optional argument is an object when given (`undefined` gives `{}`). */
export function optionalObject(value: unknown, name: string): Record<string, unknown> {
    return value === undefined ? {} : requireObject(value, name)
}

/** Checks that a value is a dense array (no holes), of exactly `length` items when given. */
export function requireArray(value: unknown, name: string, length?: number): unknown[] {
    if (!Array.isArray(value)) throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be an array, got ${describe(value)}`, name)
    if (length !== undefined && value.length !== length) {
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must have ${length} items, got ${value.length}`, name)
    }
    // A sparse array's holes are skipped by map/every, so an item check would never see them.
    for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new ZkCreditError("INVALID_ARGUMENT", `${name}[${i}] is missing (a hole in a sparse array): give every item`, `${name}[${i}]`)
    }
    return value
}

/** A short, safe description of a value's type for error messages (never its content). */
export function describe(value: unknown): string {
    if (value === null) return "null"
    if (Array.isArray(value)) return "an array"
    return typeof value
}
