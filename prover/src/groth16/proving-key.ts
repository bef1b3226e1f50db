/**
 * A Groth16 proving key read once from a snarkjs `.zkey` (its header parsed, its sections kept as
 * views), so that each proof starts from it without reading the file again.
 */
import { SNARK_SCALAR_FIELD } from "../constants.ts"
import { readSections, requireSection } from "./binary-file.ts"
import type { Bn128Curve, CurveBuffer } from "./curve.ts"

/** BN254's base field modulus: the zkey's points are over it. */
const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

/** The zkey's protocol id for Groth16 (section 1). */
const GROTH16 = 1

/** A proving key: the sizes, the verification key's points the prover adds, and the prover's bases. */
export interface ProvingKey {
    /** Signals of the witness, the constant 1 first. */
    nVars: number
    /** Public signals (outputs, then public inputs). */
    nPublic: number
    /** The evaluation domain, a power of two above the constraints and public inputs. */
    domainSize: number
    alpha1: CurveBuffer
    beta1: CurveBuffer
    beta2: CurveBuffer
    delta1: CurveBuffer
    delta2: CurveBuffer
    /** The constraint matrices' entries (matrix, constraint, signal, value), without their count. */
    coefficients: Uint8Array
    coefficientCount: number
    /** The bases of A, B in G1, B in G2, C (private signals only) and H, affine and Montgomery. */
    bases: { a: Uint8Array; b1: Uint8Array; b2: Uint8Array; c: Uint8Array; h: Uint8Array }
}

/** Little-endian bytes as an integer. */
export function fromLittleEndian(bytes: Uint8Array): bigint {
    let value = 0n
    for (let i = bytes.byteLength - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
    return value
}

/**
 * Reads a Groth16 proving key over BN254 from the bytes of a snarkjs `.zkey`.
 * @param curve snarkjs's BN254 curve.
 * @param zkey The whole file; the key keeps views into it, so it must not change afterwards.
 * @throws Error when it is no Groth16 zkey over BN254, or a section is missing or of the wrong size.
 */
export function readProvingKey(curve: Bn128Curve, zkey: Uint8Array): ProvingKey {
    const name = "the zkey"
    const sections = readSections(zkey, "zkey", name)
    const protocol = requireSection(sections, 1, name, 4)
    if (new DataView(protocol.buffer, protocol.byteOffset, 4).getUint32(0, true) !== GROTH16) throw new Error(`${name} is not a Groth16 key`)
    const header = requireSection(sections, 2, name)
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength)
    let at = 0
    const field = (modulus: bigint, what: string) => {
        const n8 = view.getUint32(at, true)
        const value = fromLittleEndian(header.subarray(at + 4, at + 4 + n8))
        at += 4 + n8
        if (n8 !== 32 || value !== modulus) throw new Error(`${name} is not over BN254 (its ${what} differs)`)
    }
    field(BN254_BASE_FIELD, "base field")
    field(SNARK_SCALAR_FIELD, "scalar field")
    const nVars = view.getUint32(at, true)
    const nPublic = view.getUint32(at + 4, true)
    const domainSize = view.getUint32(at + 8, true)
    at += 12
    const g1 = () => {
        const point = curve.G1.fromRprLEM(header, at)
        at += 64
        return point
    }
    const g2 = () => {
        const point = curve.G2.fromRprLEM(header, at)
        at += 128
        return point
    }
    const alpha1 = g1()
    const beta1 = g1()
    const beta2 = g2()
    g2() // gamma2: the verifier's, not the prover's
    const delta1 = g1()
    const delta2 = g2()
    if (at !== header.byteLength) throw new Error(`${name}'s Groth16 header is ${header.byteLength} bytes, not ${at}`)
    if (domainSize < 1 || (domainSize & (domainSize - 1)) !== 0 || Math.log2(domainSize) > curve.Fr.s) throw new Error(`${name}'s domain size ${domainSize} is not a power of two the field supports`)

    const matrices = requireSection(sections, 4, name)
    const coefficientCount = new DataView(matrices.buffer, matrices.byteOffset, matrices.byteLength).getUint32(0, true)
    const coefficients = matrices.subarray(4)
    if (coefficients.byteLength !== coefficientCount * 44) throw new Error(`${name}'s constraint section holds ${coefficients.byteLength} bytes, not ${coefficientCount} entries`)
    const bases = {
        a: requireSection(sections, 5, name, nVars * 64),
        b1: requireSection(sections, 6, name, nVars * 64),
        b2: requireSection(sections, 7, name, nVars * 128),
        c: requireSection(sections, 8, name, (nVars - nPublic - 1) * 64),
        h: requireSection(sections, 9, name, domainSize * 64)
    }
    return { nVars, nPublic, domainSize, alpha1, beta1, beta2, delta1, delta2, coefficients, coefficientCount, bases }
}
