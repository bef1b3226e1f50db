/**
 * Generators of hostile input, shared by the malformed-input suites (prover API, bureau HTTP API)
 * and meant for the CLI's too: every layer that takes input from outside gets the same abuse.
 *
 * - {@link hostileValue}: any JavaScript value an API may be handed (wrong types, null and
 *   undefined, NaN and infinities, negative numbers, 2^256, the field's p and p - 1, huge and odd
 *   strings, objects without a prototype or with `__proto__` keys, sparse and typed arrays...).
 * - {@link hostileJson}: the same, restricted to what JSON can carry (for request bodies and files).
 * - {@link hostileText}: strings, also those a command line or a file path may hold (for the CLI:
 *   flag look-alikes, paths, NUL bytes, shell syntax, number spellings).
 * - {@link mutation}: a valid object with one path replaced by a hostile value, deleted, or given
 *   an unknown sibling: the input that gets furthest before it is refused.
 * - {@link garbled}: a valid text (JSON, a backup file, an argument) truncated, with a byte flipped,
 *   inserted, deleted or duplicated, wrapped, or with a BOM.
 *
 * Nothing here has side effects; values that would make the test itself hang (a path like
 * /dev/zero, a network URL) are kept out unless asked for, see {@link hostileText}.
 */
import fc from "fast-check"
import { SNARK_SCALAR_FIELD } from "../../../prover/src/index.ts"

export const P = SNARK_SCALAR_FIELD

/** Numbers at the edges of every range the platform uses. */
export const EDGE_BIGINTS: readonly bigint[] = [
    0n,
    1n,
    -1n,
    P - 1n,
    P,
    P + 1n,
    2n ** 16n,
    2n ** 16n - 1n,
    2n ** 64n,
    2n ** 64n - 1n,
    2n ** 128n,
    2n ** 253n,
    2n ** 255n,
    2n ** 256n - 1n,
    2n ** 256n,
    -(2n ** 255n),
    BigInt(Number.MAX_SAFE_INTEGER) + 1n
]

export const EDGE_NUMBERS: readonly number[] = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.5,
    1e-300,
    Number.EPSILON,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    -Number.MAX_SAFE_INTEGER - 1,
    2 ** 53 + 2,
    1e21,
    1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
    65_536,
    2 ** 32,
    4_294_967_295
]

/** Strings that read as numbers to someone, in every spelling a parser might half-accept. */
export const NUMBERISH_STRINGS: readonly string[] = [
    "",
    " ",
    "0",
    "-0",
    "+1",
    "-1",
    " 1 ",
    "\t1\n",
    "01",
    "1.0",
    "1e3",
    "1E3",
    "1e309",
    "1_000",
    "1,000",
    "0x",
    "0x0",
    "0X10",
    "0xg",
    "-0x1",
    "0x-1",
    "0b101",
    "0o17",
    "NaN",
    "Infinity",
    "-Infinity",
    "null",
    "undefined",
    "true",
    "١٢٣",
    "１２３",
    "1\u0000",
    "12abc",
    "abc12",
    P.toString(),
    (P - 1n).toString(),
    (P + 1n).toString(),
    `0x${P.toString(16)}`,
    `0x${(P - 1n).toString(16)}`,
    (2n ** 256n).toString(),
    (2n ** 256n - 1n).toString(),
    `0x${"f".repeat(64)}`,
    `0x${"f".repeat(65)}`,
    `-${P.toString()}`,
    "9".repeat(80),
    "9".repeat(5_000)
]

/** Strings that are not numbers: injections, controls, unicode tricks, sizes. */
export const ODD_STRINGS: readonly string[] = [
    "\u0000",
    "\u202e\u0041\u0042",
    "\ud800",
    "\uffff",
    "\r\n\r\nX-Injected: 1",
    "<script>alert(1)</script>",
    "'; DROP TABLE loans; --",
    "$(rm -rf /)",
    "`id`",
    "${process.exit(1)}",
    "%s%n%x",
    "../../../../etc/passwd",
    "C:\\Windows\\System32",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "{}",
    "[]",
    '{"__proto__":{"polluted":true}}',
    "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    "0x5FBDB2315678AFECB367F032D93F642F64180AA4",
    "0x0000000000000000000000000000000000000000",
    "0x5FbDB2315678afecb367f032d93F642f64180aa",
    "x".repeat(70 * 1024),
    "é".repeat(1_000),
    "😀".repeat(500)
]

/** Command-line arguments a user (or a script with a bug) might pass: flags, paths, values. */
export const CLI_ARGUMENTS: readonly string[] = [
    "-",
    "--",
    "---",
    "-h",
    "--help",
    "--version",
    "--=",
    "--unknown-flag",
    "--rpc",
    "--rpc=",
    "-1",
    "--amount=-1",
    "--amount=1e309",
    "/nonexistent/file.json",
    "/",
    ".",
    "..",
    "~",
    "file with spaces.json",
    "file\nwith\nnewlines",
    "nul\u0000byte",
    "http://127.0.0.1:1/",
    "javascript:alert(1)"
]

/** Objects that are not what they seem: no prototype, polluting keys, exotic built-ins. */
function oddObjects(): unknown[] {
    const noPrototype = Object.create(null) as Record<string, unknown>
    noPrototype.x = 1
    const sparse: unknown[] = []
    sparse[3] = 1n
    return [
        {},
        Object.create(null),
        noPrototype,
        JSON.parse('{"__proto__":{"polluted":true}}'),
        JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
        { toString: () => "1", valueOf: () => 1 },
        { length: 2, 0: 1, 1: 2 },
        [],
        [[]],
        [null],
        [undefined],
        new Array(3),
        sparse,
        new Uint8Array(0),
        new Uint8Array(32),
        new Uint8Array(33),
        new Uint8Array([0xff, 0xfe, 0x00]),
        new Float64Array(2),
        new ArrayBuffer(8),
        new Date(NaN),
        new Date(0),
        new Map([[1, 2]]),
        new Set([1]),
        new Error("x"),
        /regex/,
        () => 1,
        async () => 1,
        Symbol("hostile"),
        Object(1n),
        Object("1"),
        Object(1),
        Promise.resolve(1),
        new URL("file:///nonexistent")
    ]
}

/** Every constant hostile value: the deterministic core of {@link hostileValue}. */
export function hostileConstants(): unknown[] {
    return [undefined, null, true, false, ...EDGE_NUMBERS, ...EDGE_BIGINTS, ...NUMBERISH_STRINGS, ...ODD_STRINGS, ...oddObjects()]
}

/** Any JavaScript value an API may be handed, constants first in weight. */
export function hostileValue(): fc.Arbitrary<unknown> {
    return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...hostileConstants()) },
        { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }) },
        { weight: 1, arbitrary: fc.double() },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
        { weight: 1, arbitrary: fc.stringMatching(/^-?(0x)?[0-9a-fA-F]{0,70}$/) },
        {
            weight: 2,
            arbitrary: fc.anything({
                maxDepth: 3,
                maxKeys: 4,
                withBigInt: true,
                withBoxedValues: true,
                withDate: true,
                withMap: true,
                withSet: true,
                withNullPrototype: true,
                withObjectString: true,
                withSparseArray: true,
                withTypedArray: true,
                withUnicodeString: true
            })
        }
    )
}

/** A hostile value JSON can carry (what a request body or a file may hold). */
export function hostileJson(): fc.Arbitrary<unknown> {
    const constants = hostileConstants().filter((v) => {
        if (v === null || typeof v === "boolean" || typeof v === "string") return true
        return typeof v === "number" && Number.isFinite(v)
    })
    return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...constants, [], {}, [[[]]], { kind: "person" }, { nested: { deeper: [1, "2", null] } }) },
        { weight: 1, arbitrary: fc.integer() },
        { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
        { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) }
    )
}

/**
 * Strings as a command line, a form field or a file name gives them.
 * @param options.withDangerousPaths Adds paths that block or never end when read (/dev/zero,
 *   /dev/stdin) and network URLs: for a CLI that must refuse them, never for code that would read.
 */
export function hostileText(options: { withDangerousPaths?: boolean } = {}): fc.Arbitrary<string> {
    const dangerous = options.withDangerousPaths ? ["/dev/zero", "/dev/stdin", "/dev/urandom", "/proc/self/mem", "https://example.invalid/x.json"] : []
    return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...NUMBERISH_STRINGS, ...ODD_STRINGS, ...CLI_ARGUMENTS, ...dangerous) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
        { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) }
    )
}

// ------------------------------------------------------------------------------------ mutation

/** A path into a value: object keys and array indices. */
export type Path = (string | number)[]

/** Every path of a plain JSON-like value (objects and arrays, not inside other objects), the root first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
    const paths: Path[] = [prefix]
    if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])))
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]))
    return paths
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null) return false
    const proto = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null
}

/** A deep copy of plain objects and arrays (other values are shared). */
export function clonePlain<T>(value: T): T {
    if (Array.isArray(value)) return value.map(clonePlain) as T
    if (isPlainObject(value)) return Object.entries(value).reduce((copy, [k, v]) => setOwn(copy, k, clonePlain(v)), {} as Record<string, unknown>) as T
    return value
}

/**
 * Sets an own, enumerable property, also one named `__proto__` (plain assignment would set the
 * prototype instead, and `JSON.stringify` would not write the key).
 */
function setOwn<T extends object>(target: T, key: string | number, value: unknown): T {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
    return target
}

/** How a value was changed. */
export type Change = { op: "set"; value: unknown } | { op: "delete" } | { op: "addKey"; key: string; value: unknown } | { op: "wrap" }

/** The valid value with one change at `path`; the root can be replaced too (an empty path). */
export function mutateAt(valid: unknown, path: Path, change: Change): unknown {
    if (path.length === 0) {
        if (change.op === "set") return change.value
        if (change.op === "wrap") return [valid]
        if (change.op === "addKey" && isPlainObject(valid)) return setOwn(clonePlain(valid), change.key, change.value)
        return undefined
    }
    const root = clonePlain(valid)
    let parent = root as Record<string | number, unknown>
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
    const last = path[path.length - 1]!
    if (change.op === "set") setOwn(parent, last, change.value)
    else if (change.op === "delete") {
        if (Array.isArray(parent)) parent.splice(last as number, 1)
        else delete parent[last]
    } else if (change.op === "wrap") setOwn(parent, last, [parent[last]])
    else {
        const target = parent[last]
        if (isPlainObject(target)) setOwn(target, change.key, change.value)
        else setOwn(parent, last, setOwn({}, change.key, change.value))
    }
    return root
}

/** A mutation of a valid value: where, what, and the result. */
export interface Mutation {
    path: Path
    change: Change
    value: unknown
}

/**
 * One change to a valid value at a random path: a hostile value set there (most often), the key
 * deleted, an unknown key added beside, or the value wrapped in an array.
 * @param values What to set (default {@link hostileValue}); pass {@link hostileJson} for JSON.
 */
export function mutation(valid: unknown, values: fc.Arbitrary<unknown> = hostileValue()): fc.Arbitrary<Mutation> {
    const paths = pathsOf(valid)
    const change: fc.Arbitrary<Change> = fc.oneof(
        { weight: 8, arbitrary: values.map((value): Change => ({ op: "set", value })) },
        { weight: 1, arbitrary: fc.constant<Change>({ op: "delete" }) },
        { weight: 1, arbitrary: fc.constant<Change>({ op: "wrap" }) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom("extra", "__proto__", "constructor", "score", "0"), values).map(([key, value]): Change => ({ op: "addKey", key, value })) }
    )
    return fc.record({ path: fc.constantFrom(...paths), change }).map(({ path, change: c }) => ({ path, change: c, value: mutateAt(valid, path, c) }))
}

/** A readable name for a path (`applicant.pastDefaults`, `siblings[3][1]`). */
export function pathName(path: Path): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "<root>"
}

// ------------------------------------------------------------------------------------ garbling

/**
 * A valid text damaged the ways files and requests get damaged: truncated (most often), a
 * character flipped, inserted, deleted or duplicated, wrapped in other JSON, with a BOM, or empty.
 */
export function garbled(text: string): fc.Arbitrary<string> {
    const position = fc.integer({ min: 0, max: Math.max(0, text.length - 1) })
    const char = fc.oneof(fc.constantFrom("{", "}", "[", "]", '"', ",", ":", "\\", "0", "-", "e", "\u0000", "\ufffd", " "), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }))
    return fc.oneof(
        { weight: 4, arbitrary: position.map((at) => text.slice(0, at)) },
        { weight: 2, arbitrary: fc.tuple(position, char).map(([at, c]) => text.slice(0, at) + c + text.slice(at + 1)) },
        { weight: 1, arbitrary: fc.tuple(position, char).map(([at, c]) => text.slice(0, at) + c + text.slice(at)) },
        { weight: 1, arbitrary: fc.tuple(position, fc.integer({ min: 1, max: 40 })).map(([at, n]) => text.slice(0, at) + text.slice(at + n)) },
        { weight: 1, arbitrary: position.map((at) => text.slice(0, at) + text.slice(at - 10 < 0 ? 0 : at - 10, at) + text.slice(at)) },
        { weight: 1, arbitrary: fc.constantFrom(`\ufeff${text}`, `[${text}]`, `${text}${text}`, `${text},`, `{"x":${text}}`, text.replaceAll('"', "'"), text.toUpperCase(), "", "null", "[]", "{}") }
    )
}

/** Every prefix of a text, `step` characters apart: the truncations a partial write leaves. */
export function truncations(text: string, step = 1): string[] {
    const out: string[] = []
    for (let at = 0; at < text.length; at += step) out.push(text.slice(0, at))
    return out
}

/** A deeply nested JSON text (`[[[...]]]`), which recursive parsers choke on. */
export function deeplyNested(depth: number, open = "[", close = "]"): string {
    return open.repeat(depth) + close.repeat(depth)
}

// ------------------------------------------------------------------------------------ command lines

/**
 * A valid command line with one thing changed, for fuzzing a CLI: an argument replaced by hostile
 * text, dropped, duplicated, or an unknown flag (or a hostile value after a flag) added.
 * @param validArgv Arguments after the program name, e.g. `["lender", "offer", "create", "--capacity", "8000"]`.
 * @param options.withDangerousPaths See {@link hostileText}.
 */
export function hostileArgv(validArgv: readonly string[], options: { withDangerousPaths?: boolean } = {}): fc.Arbitrary<string[]> {
    const text = hostileText(options)
    const at = fc.integer({ min: 0, max: Math.max(0, validArgv.length - 1) })
    const insertAt = fc.integer({ min: 0, max: validArgv.length })
    return fc.oneof(
        { weight: 4, arbitrary: fc.tuple(at, text).map(([i, t]) => validArgv.map((a, j) => (j === i ? t : a))) },
        { weight: 1, arbitrary: at.map((i) => validArgv.filter((_, j) => j !== i)) },
        { weight: 1, arbitrary: at.map((i) => [...validArgv.slice(0, i + 1), ...validArgv.slice(i)]) },
        { weight: 1, arbitrary: fc.tuple(insertAt, fc.constantFrom("--unknown", "--json", "--help", "-x", "--"), text).map(([i, flag, t]) => [...validArgv.slice(0, i), flag, t, ...validArgv.slice(i)]) }
    )
}
