/**
 * Groth16 proving over a {@link ProvingKey} read once, on snarkjs's BN254 curve and thread pool.
 * Where `groth16.prove` builds the constraint evaluations A, B and C with a JavaScript loop over
 * every matrix entry (about a seventh of a credit proof), this runs the curve's own WebAssembly
 * for it (`qap_buildABC`), the constraint range split across the threads, and runs the three
 * FFT chains side by side. The five multi-exponentiations run one after another, as snarkjs runs
 * them: each fills the threads already (run together they took as long, with more memory).
 * The proof is the same construction, checked by the same verifier: `groth16.verify` and the
 * Solidity verifier accept it.
 */
import type { Groth16Proof, PublicSignals } from "snarkjs"
import { readSections, requireSection } from "./binary-file.ts"
import type { Bn128Curve, ThreadStep } from "./curve.ts"
import { fromLittleEndian, type ProvingKey } from "./proving-key.ts"

/** Bytes of a field element. */
const N8 = 32

/** Splits [0, size) into one range per thread. */
function ranges(size: number, threads: number): { from: number; length: number }[] {
    const chunk = Math.ceil(size / threads)
    const out: { from: number; length: number }[] = []
    for (let from = 0; from < size; from += chunk) out.push({ from, length: Math.min(chunk, size - from) })
    return out
}

/** The outputs of tasks over consecutive ranges, joined into one buffer per output. */
function joinOutputs(parts: Uint8Array[][], outputs: number, size: number): Uint8Array[] {
    return Array.from({ length: outputs }, (_, j) => {
        const joined = new Uint8Array(size * N8)
        let at = 0
        for (const part of parts) {
            joined.set(part[j]!, at)
            at += part[j]!.byteLength
        }
        return joined
    })
}

/**
 * The witness section of a `.wtns` file, checked against the key.
 * @throws Error when it is no witness file, or of another size than the key's.
 */
export function witnessOf(key: ProvingKey, wtns: Uint8Array): Uint8Array {
    const sections = readSections(wtns, "wtns", "the witness")
    const header = requireSection(sections, 1, "the witness")
    const n8 = new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(0, true)
    if (n8 !== N8) throw new Error(`the witness has ${n8}-byte elements, not ${N8}`)
    return requireSection(sections, 2, "the witness", key.nVars * N8)
}

/**
 * A Groth16 proof of `wtns` under `key`, with fresh randomness (r, s): the snarkjs proof object
 * and the public signals, as `groth16.prove` returns them.
 * @param curve snarkjs's BN254 curve (`curves.getCurveFromName("bn128")`).
 * @param key The proving key ({@link readProvingKey}).
 * @param wtns A witness file of the key's circuit (`calculateWTNSBin`).
 * @throws Error when the witness is not the key's circuit's. A witness that does not satisfy the
 *   constraints gives a proof that does not verify: the caller's self-check refuses it.
 */
export async function proveGroth16(curve: Bn128Curve, key: ProvingKey, wtns: Uint8Array): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }> {
    const witness = witnessOf(key, wtns)
    const { Fr, G1, G2, tm } = curve
    const n = key.domainSize
    const split = ranges(n, Math.max(1, tm.concurrency))

    // A, B, C evaluated at the domain's points, each thread its range of constraints
    const evaluated = await Promise.all(
        split.map(({ from, length }) =>
            tm.queueAction([
                { cmd: "ALLOCSET", var: 0, buff: key.coefficients },
                { cmd: "ALLOCSET", var: 1, buff: witness },
                { cmd: "ALLOC", var: 2, len: length * N8 },
                { cmd: "ALLOC", var: 3, len: length * N8 },
                { cmd: "ALLOC", var: 4, len: length * N8 },
                {
                    cmd: "CALL",
                    fnName: "qap_buildABC",
                    params: [{ var: 0 }, { val: key.coefficientCount }, { var: 1 }, { var: 2 }, { var: 3 }, { var: 4 }, { val: from }, { val: length }, { val: 0 }, { val: key.nVars }]
                },
                { cmd: "GET", out: 0, var: 2, len: length * N8 },
                { cmd: "GET", out: 1, var: 3, len: length * N8 },
                { cmd: "GET", out: 2, var: 4, len: length * N8 }
            ])
        )
    )
    const abc = joinOutputs(evaluated, 3, n)

    // each polynomial evaluated on the coset shifted by a 2n-th root of unity, where the vanishing polynomial is not zero
    const power = Math.log2(n)
    const shift = power === Fr.s ? Fr.shift : Fr.w[power + 1]!
    const onCoset = await Promise.all(abc.map(async (values) => Fr.fft(await Fr.batchApplyKey(await Fr.ifft(values), Fr.e(1), shift))))

    // H's coefficients on the coset: A·B - C, out of Montgomery form for the multi-exponentiation
    const joined = await Promise.all(
        split.map(({ from, length }) => {
            const part = (values: Uint8Array) => values.slice(from * N8, (from + length) * N8)
            const task: ThreadStep[] = [
                { cmd: "ALLOCSET", var: 0, buff: part(onCoset[0]!) },
                { cmd: "ALLOCSET", var: 1, buff: part(onCoset[1]!) },
                { cmd: "ALLOCSET", var: 2, buff: part(onCoset[2]!) },
                { cmd: "ALLOC", var: 3, len: length * N8 },
                { cmd: "CALL", fnName: "qap_joinABC", params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: length }, { var: 3 }] },
                { cmd: "CALL", fnName: "frm_batchFromMontgomery", params: [{ var: 3 }, { val: length }, { var: 3 }] },
                { cmd: "GET", out: 0, var: 3, len: length * N8 }
            ]
            return tm.queueAction(task)
        })
    )
    const h = joinOutputs(joined, 1, n)[0]!

    const { bases } = key
    // the witness's signals as scalars (normal form); C's bases cover the private ones only
    const a = await G1.multiExpAffine(bases.a, witness)
    const b1 = await G1.multiExpAffine(bases.b1, witness)
    const b2 = await G2.multiExpAffine(bases.b2, witness)
    const c = await G1.multiExpAffine(bases.c, witness.subarray((key.nPublic + 1) * N8))
    const hSum = await G1.multiExpAffine(bases.h, h)
    // A = α + Σ a_i·A_i + r·δ, B = β + Σ a_i·B_i + s·δ, C = Σ private + H + s·A + r·B - r·s·δ
    const r = Fr.random()
    const s = Fr.random()
    const piA = G1.add(G1.add(a, key.alpha1), G1.timesFr(key.delta1, r))
    const piB = G2.add(G2.add(b2, key.beta2), G2.timesFr(key.delta2, s))
    const b1WithS = G1.add(G1.add(b1, key.beta1), G1.timesFr(key.delta1, s))
    let piC = G1.add(c, hSum)
    piC = G1.add(piC, G1.timesFr(piA, s))
    piC = G1.add(piC, G1.timesFr(b1WithS, r))
    piC = G1.add(piC, G1.timesFr(key.delta1, Fr.neg(Fr.mul(r, s))))

    const decimal = (value: unknown): unknown => (Array.isArray(value) ? value.map(decimal) : String(value))
    const publicSignals = Array.from({ length: key.nPublic }, (_, i) => fromLittleEndian(witness.subarray((i + 1) * N8, (i + 2) * N8)).toString())
    const proof = {
        pi_a: decimal(G1.toObject(G1.toAffine(piA))),
        pi_b: decimal(G2.toObject(G2.toAffine(piB))),
        pi_c: decimal(G1.toObject(G1.toAffine(piC))),
        protocol: "groth16",
        curve: "bn128"
    } as Groth16Proof
    return { proof, publicSignals }
}
