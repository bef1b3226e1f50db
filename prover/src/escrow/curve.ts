/**
 * Baby Jubjub arithmetic for the escrow and its committee: points in affine form `[x, y]`,
 * scalars modulo the prime subgroup order `l`, and the checks every point from outside goes
 * through (on the curve, in the prime-order subgroup, not the neutral point).
 *
 * Multiplication runs in extended twisted Edwards coordinates with the complete addition law
 * (Hisil-Wong-Carter-Dawson 2008; complete on Baby Jubjub because `a` is a square and `d` is
 * not), so it needs one inversion per product instead of one per step: about 5 ms a product
 * against 135 ms for `@zk-kit/baby-jubjub`'s affine `mulPointEscalar`, which the DKG and the
 * openings would otherwise spend seconds in. The library stays the reference: tests check this
 * module against it, and points are packed and unpacked with it.
 */
import { Base8, subOrder, unpackPoint } from "@zk-kit/baby-jubjub"
import { toBigInt } from "../checks.ts"
import { SNARK_SCALAR_FIELD } from "../constants.ts"
import { ZkCreditError } from "../errors.ts"

/** An affine Baby Jubjub point `[x, y]`. */
export type Point = readonly [bigint, bigint]

/** A point as it is written to files and events: decimal strings. */
export type PointJson = [string, string]

const P = SNARK_SCALAR_FIELD
const A = 168700n
const D = 168696n

/** Order of the prime subgroup (`l`); scalars live modulo it. */
export const SUBGROUP_ORDER: bigint = subOrder

/** The generator of the prime-order subgroup (circomlib's and EdDSA's `B8`). */
export const GENERATOR: Point = [Base8[0], Base8[1]]

/** The neutral point `(0, 1)`. */
export const NEUTRAL: Point = [0n, 1n]

/** `x mod m`, in [0, m). */
export function mod(x: bigint, m: bigint): bigint {
    const r = x % m
    return r < 0n ? r + m : r
}

/** `x^-1 mod m` for m prime and x not a multiple of m. */
export function invert(x: bigint, m: bigint): bigint {
    // extended Euclid: faster than Fermat's exponentiation for BigInt
    let [a, b, u, v] = [mod(x, m), m, 1n, 0n]
    if (a === 0n) throw new RangeError("0 has no inverse")
    while (a !== 0n) {
        const q = b / a
        ;[a, b, u, v] = [b - q * a, a, v - q * u, u]
    }
    return mod(v, m)
}

/** Whether `[x, y]` satisfies `a·x² + y² = 1 + d·x²·y²` with both coordinates in the field. */
export function isOnCurve(point: Point): boolean {
    const [x, y] = point
    if (x < 0n || x >= P || y < 0n || y >= P) return false
    const x2 = (x * x) % P
    const y2 = (y * y) % P
    return mod(A * x2 + y2 - 1n - ((D * x2) % P) * y2, P) === 0n
}

type Extended = [bigint, bigint, bigint, bigint]

function toExtended([x, y]: Point): Extended {
    return [x, y, (x * y) % P, 1n]
}

function fromExtended([x, y, , z]: Extended): Point {
    const zInv = invert(z, P)
    return [(x * zInv) % P, (y * zInv) % P]
}

// add-2008-hwcd: complete for a square, d a non-square
function addExtended([x1, y1, t1, z1]: Extended, [x2, y2, t2, z2]: Extended): Extended {
    const a = (x1 * x2) % P
    const b = (y1 * y2) % P
    const c = (((D * t1) % P) * t2) % P
    const d = (z1 * z2) % P
    const e = mod((x1 + y1) * (x2 + y2) - a - b, P)
    const f = mod(d - c, P)
    const g = (d + c) % P
    const h = mod(b - A * a, P)
    return [(e * f) % P, (g * h) % P, (e * h) % P, (f * g) % P]
}

/** `p + q`. */
export function addPoints(p: Point, q: Point): Point {
    return fromExtended(addExtended(toExtended(p), toExtended(q)))
}

/** `-p = (-x, y)`. */
export function negate([x, y]: Point): Point {
    return [mod(-x, P), y]
}

/** `k·p` for any integer k >= 0 (not reduced: `l·p` is the neutral point only if p is in the subgroup). */
export function multiply(point: Point, k: bigint): Point {
    if (k < 0n) throw new RangeError("scalar must be >= 0")
    let acc: Extended = [0n, 1n, 0n, 1n]
    let base = toExtended(point)
    for (let e = k; e > 0n; e >>= 1n) {
        if (e & 1n) acc = addExtended(acc, base)
        base = addExtended(base, base)
    }
    return fromExtended(acc)
}

/** `k·B8`. */
export function multiplyGenerator(k: bigint): Point {
    return multiply(GENERATOR, mod(k, SUBGROUP_ORDER))
}

/** Whether two points are equal. */
export function pointsEqual(p: Point, q: Point): boolean {
    return p[0] === q[0] && p[1] === q[1]
}

/** Whether a point on the curve lies in the prime-order subgroup: `l·p` is neutral. */
export function isInSubgroup(point: Point): boolean {
    return isOnCurve(point) && pointsEqual(multiply(point, SUBGROUP_ORDER), NEUTRAL)
}

/**
 * Parses and checks a point from outside: two field elements, on the curve, in the prime-order
 * subgroup and not the neutral point. A point of small order would leak a secret scalar modulo
 * 8 to whoever chose it (a small-subgroup attack), and the neutral point would make any
 * product public.
 * @param value `[x, y]` as bigints, numbers or decimal strings.
 * @param name The parameter name, for the error.
 * @throws ZkCreditError `INVALID_ARGUMENT` for the wrong shape, `INVALID_POINT` for a bad point.
 */
export function requirePoint(value: unknown, name: string): Point {
    if (!Array.isArray(value) || value.length !== 2) {
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be a point [x, y] of two decimal strings`, name)
    }
    const point: Point = [toBigInt(value[0], `${name}[0]`), toBigInt(value[1], `${name}[1]`)]
    if (!isOnCurve(point)) throw new ZkCreditError("INVALID_POINT", `${name} is not a point of Baby Jubjub (a·x² + y² != 1 + d·x²·y² or a coordinate outside the field)`, name)
    if (pointsEqual(point, NEUTRAL)) throw new ZkCreditError("INVALID_POINT", `${name} is the neutral point (0, 1)`, name)
    if (!isInSubgroup(point)) throw new ZkCreditError("INVALID_POINT", `${name} is not in Baby Jubjub's prime-order subgroup (it has a small-order part)`, name)
    return point
}

/**
 * The point of the prime-order subgroup with a given y, as {@link requirePoint} checks it. The
 * other point with that y is its negation; the escrow's mask depends on y only, so either does.
 * @throws ZkCreditError `INVALID_POINT` when no such point exists.
 */
export function pointFromY(value: unknown, name: string): Point {
    const y = toBigInt(value, name)
    if (y < 0n || y >= P) throw new ZkCreditError("INVALID_POINT", `${name} must be a field element, got ${y}`, name)
    // y < 2^254 leaves the sign bit (bit 255) clear: the library picks the smaller x
    const point = unpackPoint(y)
    if (point === null) throw new ZkCreditError("INVALID_POINT", `no point of Baby Jubjub has y = ${y}`, name)
    return requirePoint([point[0], point[1]], name)
}

/** A point as decimal strings. */
export function pointToJson(point: Point): PointJson {
    return [point[0].toString(), point[1].toString()]
}

/** A uniformly random integer in [1, bound). */
export function randomBelow(bound: bigint): bigint {
    // 64 bytes reduced modulo the bound: the bias is below 2^-250
    const bytes = crypto.getRandomValues(new Uint8Array(64))
    let n = 0n
    for (const b of bytes) n = (n << 8n) | BigInt(b)
    const value = n % bound
    return value === 0n ? randomBelow(bound) : value
}

/** A uniformly random non-zero scalar modulo l. */
export function randomScalar(): bigint {
    return randomBelow(SUBGROUP_ORDER)
}
