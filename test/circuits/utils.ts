/**
 * Shared by the circuit tests: a Circomkit instance, witness testers, and `failureTrace`, which
 * says which constraint a bad witness broke (template and source line), so a failing test
 * cannot pass because of a typo in its input.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Circomkit, type CircuitConfig, type CircuitSignals, type WitnessTester } from "circomkit"
import { deriveSecretScalar } from "#eddsa-poseidon"
import { poseidon6 } from "poseidon-lite/poseidon6"
import { expect } from "vitest"
import { unpackPoint } from "@zk-kit/baby-jubjub"
import { ATTESTATION_DOMAIN, createBureauKey, signSchnorr, SNARK_SCALAR_FIELD as P, TIME_BITS } from "../../prover/src/index.ts"
import { mod, multiply, multiplyGenerator, SUBGROUP_ORDER as L, type Point } from "../../prover/src/escrow/index.ts"

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url))

/** Circomkit with the project's configuration (paths are relative to the root, where vitest runs). */
export const circomkit = new Circomkit({ ...JSON.parse(readFileSync(`${ROOT}circomkit.json`, "utf8")), verbose: false, logLevel: "silent" })

/** Source files, relative to the root, for {@link at}. */
export const FILES = {
    creditProof: "circuits/src/credit-proof.circom",
    attestation: "circuits/src/lib/attestation.circom",
    identity: "circuits/src/lib/identity.circom",
    merkle: "circuits/src/lib/merkle-inclusion.circom",
    range: "circuits/src/lib/range.circom",
    bitify: "node_modules/circomlib/circuits/bitify.circom",
    comparators: "node_modules/circomlib/circuits/comparators.circom",
    babyjub: "node_modules/circomlib/circuits/babyjub.circom",
    escrow: "circuits/src/lib/escrow.circom"
} as const

/**
 * Compiles a template into a witness tester. `name` must be unique across the suite: it names
 * the generated main in circuits/src/test/ and test files run in parallel.
 */
export function witnessTester(name: string, config: CircuitConfig): Promise<WitnessTester> {
    return circomkit.WitnessTester(name, { ...config, recompile: true })
}

/** Input values as the tester takes them: decimal strings (the prover's format) become bigints. */
export function signals(input: Record<string, unknown>): CircuitSignals {
    const convert = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(convert)
        if (typeof value === "string" || typeof value === "number") return BigInt(value)
        if (typeof value === "bigint") return value
        throw new Error(`not a signal value: ${String(value)}`)
    }
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, convert(v)])) as CircuitSignals
}

/**
 * `template:line` of the first line containing `snippet` in the body of `template` in `file`,
 * as it shows in a {@link failureTrace}.
 */
export function at(template: string, file: string, snippet: string): string {
    const lines = readFileSync(`${ROOT}${file}`, "utf8").split("\n")
    const start = lines.findIndex((line) => line.startsWith(`template ${template}(`))
    if (start === -1) throw new Error(`no template ${template} in ${file}`)
    for (let i = start + 1; i < lines.length && !lines[i]!.startsWith("template "); i++) {
        if (lines[i]!.includes(snippet)) return `${template}:${i + 1}`
    }
    throw new Error(`"${snippet}" is not in the body of ${template} in ${file}`)
}

// The witness calculator appends every failure's trace to one buffer that it never clears:
// remember what each tester already reported, to read only the new part.
const reported = new WeakMap<WitnessTester, string>()

/**
 * Computes the witness of an input that must break a constraint, and returns where the witness
 * generator stopped: `template:line` frames, outermost (the main template) first, the failing
 * `===` last. Fails the test unless the witness generator reports "Assert Failed".
 */
export async function failureTrace(tester: WitnessTester, input: Record<string, unknown>): Promise<string[]> {
    const message = await tester.expectFail(signals(input))
    const prefix = "Error: Assert Failed.\n"
    expect(message.startsWith(prefix), `expected an assertion failure, got: ${message}`).toBe(true)
    const trace = message.slice(prefix.length)
    const before = reported.get(tester) ?? ""
    expect(trace.startsWith(before)).toBe(true)
    reported.set(tester, trace)
    return trace
        .slice(before.length)
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
            const match = /^Error in template (\w+)_\d+ line: (\d+)$/.exec(line)
            if (!match) throw new Error(`unexpected line in the witness generator's trace: ${line}`)
            return `${match[1]}:${match[2]}`
        })
        .reverse()
}

/** The witness of a valid input, with its constraints checked. */
export async function validWitness(tester: WitnessTester, input: Record<string, unknown>): Promise<bigint[]> {
    const witness = await tester.calculateWitness(signals(input))
    await tester.expectConstraintPass(witness)
    return witness
}

/** Reads one output (or any signal) of a witness by its name in the main template. */
export async function read(tester: WitnessTester, witness: bigint[], signal: string): Promise<bigint> {
    const values = await tester.readWitness(witness, [`main.${signal}`])
    return values[`main.${signal}`] as bigint
}

/** Converts a 0x-hex private key to its 32 bytes (a string would be taken as UTF-8). */
export function keyBytes(privateKey: string): Uint8Array {
    return Uint8Array.from(Buffer.from(privateKey.slice(2), "hex"))
}

/** Attestation claims as raw field elements: nothing checks their range. */
export interface RawClaims {
    commitment: bigint
    score: bigint
    issuedAt: bigint
    expiresAt: bigint
}

/**
 * Signs `[domain, commitment, score·2^(2·TIME_BITS) + issuedAt·2^TIME_BITS + expiresAt]`
 * directly, the way a bureau that does not check its values would: the prover's
 * `signAttestation` refuses out-of-range claims, this does not.
 * @returns The signature as circuit inputs.
 */
export function signRaw(privateKey: string, claims: RawClaims, domain: bigint = ATTESTATION_DOMAIN): { sigR8x: bigint; sigR8y: bigint; sigS: bigint } {
    const signature = signSchnorr(keyBytes(privateKey), createBureauKey(privateKey).publicKey, rawMessage(claims, domain))
    return { sigR8x: signature.R8[0], sigR8y: signature.R8[1], sigS: signature.S }
}

/** The attestation message of raw claims (packed without range checks, as the circuit packs them). */
export function rawMessage(claims: RawClaims, domain: bigint = ATTESTATION_DOMAIN): [bigint, bigint, bigint] {
    const t = BigInt(TIME_BITS)
    return [domain, claims.commitment, mod(claims.score * 2n ** (2n * t) + claims.issuedAt * 2n ** t + claims.expiresAt, P)]
}

/**
 * A Schnorr signature whose challenge is cut to `bits` bits (the prover's scheme cuts to
 * SIGNATURE_CHALLENGE_BITS; 254 keeps the whole hash): what a signer of another width would
 * produce. Its nonce is searched so that the hash has bits 127 and 128 set: a cut at 127, 128 or
 * 129 bits then gives three different challenges.
 */
export function signWithChallengeBits(privateKey: string, message: readonly bigint[], bits: number): { sigR8x: bigint; sigR8y: bigint; sigS: bigint } {
    const a = deriveSecretScalar(keyBytes(privateKey))
    const key = createBureauKey(privateKey)
    for (let r = 0xc0ffeen; ; r++) {
        const R8 = multiplyGenerator(r)
        const hash = poseidon6([R8[0], R8[1], key.keyHash, ...message])
        if (((hash >> 127n) & 3n) !== 3n) continue
        const e = hash % 2n ** BigInt(bits)
        return { sigR8x: R8[0], sigR8y: R8[1], sigS: mod(r + 8n * e * a, L) }
    }
}

/** A point of order 8 (a torsion point): l·Q for a curve point Q outside the subgroup. */
export function torsionPointOfOrder8(): Point {
    for (let y = 2n; ; y++) {
        const q = unpackPoint(y)
        if (q === null) continue
        const t = multiply(q, L)
        if (!(t[0] === 0n && (t[1] === 1n || t[1] === P - 1n)) && multiply(t, 4n)[0] === 0n && multiply(t, 4n)[1] !== 1n) return t
    }
}
