/**
 * The HistoryProof circuit (circuits/src/history-proof.circom), compiled with circuits.json's
 * parameters: a valid witness gives the identity's commitment and its pseudonyms in the chosen
 * scopes (0 in unused slots), every constraint is broken by an edited witness, and real Groth16
 * proofs verify only for their own public values, the bureau's challenge among them.
 */
import { readFileSync } from "node:fs"
import type { WitnessTester } from "circomkit"
import { beforeAll, describe, expect, it } from "vitest"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import circuits from "../../circuits/circuits.json" with { type: "json" }
import { computeScope, Identity, SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import { buildHistoryProofInput, generateHistoryProof, HISTORY_PROOF_SLOTS, historyPublicSignals, verifyHistoryProof, type HistoryProof } from "../../prover/src/history-proof.ts"
import { read, validWitness, witnessTester } from "./utils.ts"

const config = circuits["history-proof"]
const identity = new Identity(987654321n)
const other = new Identity(123123123n)
const MARKET_A = "0x00000000000000000000000000000000000000aa"
const MARKET_B = "0x00000000000000000000000000000000000000bb"
const scopes = [computeScope(31337n, MARKET_A), computeScope(31337n, MARKET_B)]
const CHALLENGE = 4242424242n
const input = () => buildHistoryProofInput({ identity, scopes, challenge: CHALLENGE })

describe("HistoryProof (witness)", () => {
    let tester: WitnessTester
    let witness: bigint[]
    beforeAll(async () => {
        tester = await witnessTester("history_proof_main", { file: config.file, template: config.template, params: config.params, pubs: config.pubs })
        witness = await validWitness(tester, input())
    })

    it(`has ${HISTORY_PROOF_SLOTS} slots, as circuits.json says`, () => {
        expect(HISTORY_PROOF_SLOTS).toBe(8)
        expect(input().scopes).toHaveLength(8)
    })

    it("outputs the identity's commitment and its pseudonym in each used scope, 0 in unused slots", async () => {
        expect(await read(tester, witness, "commitment")).toBe(identity.commitment)
        for (let i = 0; i < HISTORY_PROOF_SLOTS; i++) {
            expect(await read(tester, witness, `pseudonyms[${i}]`)).toBe(i < scopes.length ? identity.nullifier(scopes[i]!) : 0n)
        }
    })

    it("proves no pseudonym at all with every slot unused (knowledge of the secret only)", async () => {
        const empty = await validWitness(tester, buildHistoryProofInput({ identity, scopes: [], challenge: CHALLENGE }))
        expect(await read(tester, empty, "commitment")).toBe(identity.commitment)
        for (let i = 0; i < HISTORY_PROOF_SLOTS; i++) expect(await read(tester, empty, `pseudonyms[${i}]`)).toBe(0n)
    })

    it("breaks with the commitment replaced (another identity's, or off by one)", async () => {
        for (const fake of [other.commitment, identity.commitment + 1n, 0n]) {
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.commitment": fake }))
        }
    })

    it("breaks with a used slot's pseudonym replaced (another borrower's in the same market)", async () => {
        for (const [i, scope] of scopes.entries()) {
            for (const fake of [other.nullifier(scope), identity.nullifier(scope) + 1n, 0n]) {
                await tester.expectConstraintFail(await tester.editWitness(witness, { [`main.pseudonyms[${i}]`]: fake }))
            }
        }
    })

    it("breaks with a pseudonym set in an unused slot", async () => {
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.pseudonyms[5]": other.nullifier(scopes[0]!) }))
    })

    it("breaks with a used slot marked unused (hiding a pseudonym behind a real scope)", async () => {
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.unused[0]": 1n, "main.pseudonyms[0]": 0n }))
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.unused[0]": 1n }))
    })

    it("breaks with an unused slot marked used", async () => {
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.unused[7]": 0n }))
    })

    it("breaks with a slot's nullifier replaced", async () => {
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.nullifiers[1]": other.nullifier(scopes[1]!) }))
    })

    it("breaks with the challenge's square replaced", async () => {
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.challengeSquare": CHALLENGE * CHALLENGE + 1n }))
    })

    it("orders its public signals: commitment, pseudonyms, then circuits.json pubs (scopes, challenge)", () => {
        const wires = new Map<string, number>()
        for (const line of readFileSync(HISTORY_PROOF_ARTIFACTS.sym, "utf8").split("\n")) {
            const [, varIdx, , name] = line.split(",")
            if (name?.startsWith("main.") && name.indexOf(".", 5) === -1) wires.set(name.slice(5), Number(varIdx))
        }
        const k = HISTORY_PROOF_SLOTS
        const expected = ["commitment", ...Array.from({ length: k }, (_, i) => `pseudonyms[${i}]`), ...Array.from({ length: k }, (_, i) => `scopes[${i}]`), "challenge"]
        expect(expected.map((name) => wires.get(name))).toEqual(expected.map((_, i) => i + 1))
        expect(config.pubs).toEqual(["scopes", "challenge"])
    })
})

describe("history proof (real Groth16 proofs)", () => {
    let proof: HistoryProof
    let vkey: object
    beforeAll(async () => {
        proof = await generateHistoryProof({ identity, scopes, challenge: CHALLENGE }, { wasm: HISTORY_PROOF_ARTIFACTS.wasm, zkey: HISTORY_PROOF_ARTIFACTS.zkey })
        vkey = JSON.parse(readFileSync(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object
    })

    it("verifies, with the identity's commitment and pseudonyms and the bureau's challenge", async () => {
        expect(await verifyHistoryProof(proof, vkey)).toBe(true)
        expect(proof.commitment).toBe(identity.commitment.toString())
        expect(proof.pseudonyms.slice(0, 2)).toEqual(scopes.map((s) => identity.nullifier(s).toString()))
        expect(proof.challenge).toBe(CHALLENGE.toString())
    })

    it("is rejected with any public value changed: commitment, a pseudonym, a scope, the challenge", async () => {
        const bump = (v: string) => ((BigInt(v) + 1n) % P).toString()
        const changed: HistoryProof[] = [
            { ...proof, commitment: other.commitment.toString() },
            { ...proof, pseudonyms: proof.pseudonyms.map((p, i) => (i === 0 ? other.nullifier(scopes[0]!).toString() : p)) },
            { ...proof, pseudonyms: proof.pseudonyms.map((p, i) => (i === 3 ? "1" : p)) },
            { ...proof, scopes: proof.scopes.map((s, i) => (i === 1 ? bump(s) : s)) },
            { ...proof, challenge: bump(proof.challenge) }
        ]
        for (const p of changed) expect(await verifyHistoryProof(p, vkey)).toBe(false)
        expect(historyPublicSignals(proof)).toHaveLength(2 * HISTORY_PROOF_SLOTS + 2)
    })

    it("refuses bad requests up front, naming the parameter", () => {
        expect(() => buildHistoryProofInput({ identity, scopes: [0n], challenge: 1n })).toThrow(expect.objectContaining({ parameter: "request.scopes[0]" }))
        expect(() => buildHistoryProofInput({ identity, scopes: [scopes[0]!, scopes[0]!], challenge: 1n })).toThrow(expect.objectContaining({ parameter: "request.scopes[1]" }))
        expect(() => buildHistoryProofInput({ identity, scopes: Array.from({ length: 9 }, (_, i) => BigInt(i + 1)), challenge: 1n })).toThrow(expect.objectContaining({ parameter: "request.scopes" }))
        expect(() => buildHistoryProofInput({ identity, scopes, challenge: P })).toThrow(expect.objectContaining({ parameter: "request.challenge" }))
    })
})
