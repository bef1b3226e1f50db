/**
 * The Groth16 prover over a proving key read once (prover/src/groth16): real proofs of the credit
 * circuit, checked by snarkjs's verifier against the verification key and against snarkjs's own
 * prover's public signals; then every refusal of a key or a witness that is not what it claims,
 * each named, and a witness that breaks a constraint, whose proof does not verify.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as snarkjs from "snarkjs"
import { circuitArtifacts, CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { readSections } from "../../prover/src/groth16/binary-file.ts"
import { proveGroth16, readProvingKey, witnessOf } from "../../prover/src/groth16/index.ts"
import { buildCreditProofInput } from "../../prover/src/inputs.ts"
import { proverWorld } from "../helpers/fixtures.ts"

const curve = await snarkjs.curves.getCurveFromName("bn128")
const zkey = new Uint8Array(readFileSync(CREDIT_PROOF_ARTIFACTS.zkey))
const vkey = JSON.parse(readFileSync(CREDIT_PROOF_ARTIFACTS.vkey, "utf8")) as object

/** The credit circuit's witness file for the fixture's request. */
async function creditWitness(): Promise<Uint8Array> {
    const out: { type: "mem"; data?: Uint8Array } = { type: "mem" }
    await snarkjs.wtns.calculate(buildCreditProofInput(proverWorld().request) as never, CREDIT_PROOF_ARTIFACTS.wasm, out as never)
    return out.data!
}

/** A copy of `bytes` with the little-endian uint32 at `offset` set to `value`. */
function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
    const copy = bytes.slice()
    new DataView(copy.buffer).setUint32(offset, value, true)
    return copy
}

/** Where section `type` of a binary file starts (its type word). */
function sectionOffset(bytes: Uint8Array, type: number): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let at = 12
    for (let i = 0; i < view.getUint32(8, true); i++) {
        if (view.getUint32(at, true) === type) return at
        at += 12 + Number(view.getBigUint64(at + 4, true))
    }
    throw new Error(`no section ${type}`)
}

describe("# readProvingKey", () => {
    it("reads the credit key's sizes: the verification key's public signals, a power-of-two domain above the constraints", async () => {
        const key = readProvingKey(curve, zkey)
        const prover = JSON.parse(readFileSync("bench/results/prover.json", "utf8")) as { constraints: number; domainLog2: number }
        expect(key.domainSize).toBe(2 ** prover.domainLog2)
        expect(key.domainSize).toBeGreaterThan(prover.constraints)
        expect(key.nPublic).toBe((vkey as { nPublic: number }).nPublic)
        expect(key.nPublic).toBe(8)
        expect(key.bases.h.byteLength).toBe(key.domainSize * 64)
    })

    it("refuses a file that is no zkey, a truncated one, another protocol's, another field's, and a section of the wrong size", async () => {
        const witness = await creditWitness()
        expect(() => readProvingKey(curve, witness)).toThrow("the zkey is not a zkey file")
        expect(() => readProvingKey(curve, zkey.subarray(0, zkey.byteLength - 100))).toThrow(/the zkey is truncated in section \d+/)
        const protocol = sectionOffset(zkey, 1) + 12
        expect(() => readProvingKey(curve, withUint32(zkey, protocol, 2))).toThrow("the zkey is not a Groth16 key")
        const header = sectionOffset(zkey, 2) + 12
        const otherField = zkey.slice()
        otherField[header + 4] = otherField[header + 4]! ^ 1 // the base field's lowest byte
        expect(() => readProvingKey(curve, otherField)).toThrow("the zkey is not over BN254 (its base field differs)")
        // nVars one more: the bases of A no longer fit it
        const nVarsAt = header + 4 + 32 + 4 + 32
        const nVars = new DataView(zkey.buffer, zkey.byteOffset).getUint32(nVarsAt, true)
        expect(() => readProvingKey(curve, withUint32(zkey, nVarsAt, nVars + 1))).toThrow(`the zkey's section 5 is ${nVars * 64} bytes, not ${(nVars + 1) * 64}`)
        expect(() => readProvingKey(curve, withUint32(zkey, nVarsAt + 8, 3 << 12))).toThrow("the zkey's domain size 12288 is not a power of two the field supports")
    })
})

describe("# readSections", () => {
    it("refuses a section type twice", () => {
        const file = new Uint8Array(12 + 2 * 13)
        file.set(new TextEncoder().encode("wtns"))
        const view = new DataView(file.buffer)
        view.setUint32(8, 2, true)
        for (const at of [12, 25]) {
            view.setUint32(at, 1, true)
            view.setBigUint64(at + 4, 1n, true)
        }
        expect(() => readSections(file, "wtns", "the witness")).toThrow("the witness has section 1 twice")
        view.setUint32(25, 2, true)
        expect([...readSections(file, "wtns", "the witness").keys()]).toEqual([1, 2])
    })
})

describe("# proveGroth16", () => {
    it("proves the credit circuit: snarkjs's verifier accepts the proof, and its public signals are snarkjs's prover's", async () => {
        const key = readProvingKey(curve, zkey)
        const witness = await creditWitness()
        const mine = await proveGroth16(curve, key, witness)
        const reference = await snarkjs.groth16.prove(zkey, witness)
        expect(mine.publicSignals).toEqual(reference.publicSignals)
        expect(mine.proof).toMatchObject({ protocol: "groth16", curve: "bn128" })
        expect(await snarkjs.groth16.verify(vkey, mine.publicSignals, mine.proof)).toBe(true)
        // fresh randomness: another proof of the same witness, also valid
        const again = await proveGroth16(curve, key, witness)
        expect(again.proof.pi_a).not.toEqual(mine.proof.pi_a)
        expect(await snarkjs.groth16.verify(vkey, again.publicSignals, again.proof)).toBe(true)
        // a public signal changed: the proof is for the witness's, not any other
        const forged = [...mine.publicSignals]
        forged[0] = (BigInt(forged[0]!) + 1n).toString()
        expect(await snarkjs.groth16.verify(vkey, forged, mine.proof)).toBe(false)
    })

    it("gives a proof that does not verify for a witness that breaks a constraint", async () => {
        const key = readProvingKey(curve, zkey)
        const witness = await creditWitness()
        const broken = witness.slice()
        // the last private signal, one more: some constraint on it no longer holds
        const values = sectionOffset(broken, 2) + 12
        const last = values + (key.nVars - 1) * 32
        broken[last] = broken[last]! ^ 1
        const proof = await proveGroth16(curve, key, broken)
        expect(await snarkjs.groth16.verify(vkey, proof.publicSignals, proof.proof)).toBe(false)
    })

    it("refuses a witness of another circuit, or no witness file, naming what is wrong", async () => {
        const history = readProvingKey(curve, new Uint8Array(readFileSync(circuitArtifacts("history-proof").zkey)))
        const witness = await creditWitness()
        expect(() => witnessOf(history, witness)).toThrow(`the witness's section 2 is ${readProvingKey(curve, zkey).nVars * 32} bytes, not ${history.nVars * 32}`)
        await expect(proveGroth16(curve, history, witness)).rejects.toThrow("the witness's section 2 is")
        await expect(proveGroth16(curve, readProvingKey(curve, zkey), zkey)).rejects.toThrow("the witness is not a wtns file")
    })
})
