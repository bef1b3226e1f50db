import { describe, expect, it } from "vitest"
import {
    buildCreditProofInput,
    CREDIT_PROOF_OUTPUTS,
    createBureauKey,
    Identity,
    KycTree,
    PUBLIC_SIGNALS,
    signAttestation,
    SNARK_SCALAR_FIELD,
    TIME_BITS,
    type CreditProofRequest,
    type KycMerkleProof
} from "../../prover/src/index.ts"
import { EPHEMERAL_SECRET_BITS, multiplyGenerator, NEUTRAL, SUBGROUP_ORDER } from "../../prover/src/escrow/index.ts"
import { COMMITTEE_KEY, NOW, proverWorld } from "../helpers/fixtures.ts"

const expectCode = (request: CreditProofRequest, code: string, parameter?: string) =>
    expect(() => buildCreditProofInput(request)).toThrowError(expect.objectContaining(parameter === undefined ? { code } : { code, parameter }))

describe("# buildCreditProofInput", () => {
    it("turns a valid request into every input signal of the circuit", () => {
        const { request } = proverWorld()
        const input = buildCreditProofInput(request)
        for (const name of PUBLIC_SIGNALS.filter((n) => !(CREDIT_PROOF_OUTPUTS as readonly string[]).includes(n))) expect(input).toHaveProperty(name)
        // the 4-ary tree's path: depth 10, a position 0..3 and the 3 other children at each level
        expect(input.pathIndices).toHaveLength(10)
        expect((input.pathIndices as string[]).every((p) => ["0", "1", "2", "3"].includes(p))).toBe(true)
        expect(input.siblings).toHaveLength(10)
        expect((input.siblings as string[][]).every((others) => Array.isArray(others) && others.length === 3)).toBe(true)
        expect(Object.values(input).flat(2).every((v) => typeof v === "string")).toBe(true)
    })

    it("draws a fresh ephemeral secret per call, in [1, 2^250), and takes the committee key's x private, y public", () => {
        const { request } = proverWorld()
        const secrets = new Set<string>()
        for (let i = 0; i < 20; i++) {
            const input = buildCreditProofInput(request)
            const r = BigInt(input.ephemeralSecret as string)
            expect(r >= 1n && r < 1n << BigInt(EPHEMERAL_SECRET_BITS)).toBe(true)
            secrets.add(input.ephemeralSecret as string)
            expect(input.committeeKeyX).toBe(COMMITTEE_KEY[0].toString())
            expect(input.committeeKeyY).toBe(COMMITTEE_KEY[1].toString())
        }
        expect(secrets.size).toBe(20)
    })

    it("accepts a Merkle proof instead of the group, and the boundary values", () => {
        const world = proverWorld()
        const merkleProof = world.group.generateMerkleProof(world.group.indexOf(world.identity.commitment))
        expect(() => buildCreditProofInput({ ...world.request, membership: merkleProof, kycRoot: world.group.root })).not.toThrow()
        expect(() => buildCreditProofInput({ ...world.request, threshold: 720 })).not.toThrow() // score == threshold
        expect(() => buildCreditProofInput({ ...world.request, currentTime: world.attestation.issuedAt })).not.toThrow()
        expect(() => buildCreditProofInput({ ...world.request, currentTime: world.attestation.expiresAt - 1 })).not.toThrow()
    })

    describe("refuses, before any proving, with the code that names the problem", () => {
        it("INVALID_ARGUMENT / INVALID_POINT: a missing or malformed committee key", () => {
            const world = proverWorld()
            const [x, y] = COMMITTEE_KEY
            expectCode({ ...world.request, committeeKey: undefined as never }, "INVALID_ARGUMENT", "committeeKey")
            expectCode({ ...world.request, committeeKey: [x] as never }, "INVALID_ARGUMENT", "committeeKey")
            expectCode({ ...world.request, committeeKey: [x, y + 1n] }, "INVALID_POINT", "committeeKey")
            expectCode({ ...world.request, committeeKey: [NEUTRAL[0], NEUTRAL[1]] }, "INVALID_POINT", "committeeKey")
            expectCode({ ...world.request, committeeKey: [0n, SNARK_SCALAR_FIELD - 1n] }, "INVALID_POINT", "committeeKey") // order 2
            expectCode({ ...world.request, committeeKey: [x, y + SNARK_SCALAR_FIELD] }, "INVALID_POINT", "committeeKey")
            expect(multiplyGenerator(SUBGROUP_ORDER)).toEqual(NEUTRAL)
        })

        it("NOT_A_MEMBER: commitment not in the group", () => {
            const world = proverWorld()
            expectCode({ ...world.request, membership: new KycTree([1n, 2n]) }, "NOT_A_MEMBER", "membership")
        })

        it("NOT_A_MEMBER: removed member", () => {
            const world = proverWorld()
            world.group.removeMember(world.group.indexOf(world.identity.commitment))
            expectCode(world.request, "NOT_A_MEMBER")
        })

        it("NOT_A_MEMBER: a Merkle proof of another leaf, a broken path, or another root", () => {
            const world = proverWorld()
            const otherProof = world.group.generateMerkleProof(world.group.indexOf(world.other.commitment))
            expectCode({ ...world.request, membership: otherProof }, "NOT_A_MEMBER")
            const own = world.group.generateMerkleProof(world.group.indexOf(world.identity.commitment))
            expectCode({ ...world.request, membership: { ...own, siblings: [own.siblings[1]!, own.siblings[0]!, ...own.siblings.slice(2)] } }, "NOT_A_MEMBER")
            // two siblings of one level swapped, or the node moved to another of its parent's 4 slots
            const [a, b, c] = own.siblings[0]!
            expectCode({ ...world.request, membership: { ...own, siblings: [[b!, a!, c!], ...own.siblings.slice(1)] } }, "NOT_A_MEMBER")
            expectCode({ ...world.request, membership: { ...own, pathIndices: [(own.pathIndices[0]! + 1) % 4, ...own.pathIndices.slice(1)] } }, "NOT_A_MEMBER")
            expectCode({ ...world.request, kycRoot: world.group.root + 1n }, "NOT_A_MEMBER", "kycRoot")
        })

        it("OUT_OF_RANGE, INVALID_ARGUMENT or NOT_A_FIELD_ELEMENT for a Merkle proof of the wrong shape, naming the entry; nothing changes", () => {
            const world = proverWorld()
            const own = world.group.generateMerkleProof(world.group.indexOf(world.identity.commitment))
            const rootBefore = world.group.root
            const ownBefore = structuredClone(own)
            const at = <T>(list: readonly T[], i: number, value: unknown) => list.map((v, k) => (k === i ? value : v)) as T[]
            const withProof = (proof: Partial<Record<keyof KycMerkleProof, unknown>>) => ({ ...world.request, membership: { ...own, ...proof } as KycMerkleProof })
            // a path index is a position among 4 children: 0 to 3
            for (const bad of [4, -1, 1.5, 7, Number.NaN, "1", 1n, null]) expectCode(withProof({ pathIndices: at(own.pathIndices, 3, bad) }), "OUT_OF_RANGE", "membership.pathIndices[3]")
            expectCode(withProof({ pathIndices: own.pathIndices.slice(1) }), "INVALID_ARGUMENT", "membership.pathIndices")
            // each level: exactly 3 siblings, an array
            expectCode(withProof({ siblings: at(own.siblings, 2, own.siblings[2]!.slice(1)) }), "INVALID_ARGUMENT", "membership.siblings[2]")
            expectCode(withProof({ siblings: at(own.siblings, 2, [...own.siblings[2]!, 0n]) }), "INVALID_ARGUMENT", "membership.siblings[2]")
            expectCode(withProof({ siblings: at(own.siblings, 0, own.siblings[0]![0]) }), "INVALID_ARGUMENT", "membership.siblings[0]")
            expectCode(withProof({ siblings: own.siblings.slice(1) }), "INVALID_ARGUMENT", "membership.siblings")
            // the former binary tree's path: 20 single siblings
            expectCode(withProof({ siblings: Array.from({ length: 20 }, () => 0n), pathIndices: Array.from({ length: 20 }, () => 0) }), "INVALID_ARGUMENT", "membership.siblings")
            // each sibling a field element
            expectCode(withProof({ siblings: at(own.siblings, 5, at(own.siblings[5]!, 1, SNARK_SCALAR_FIELD)) }), "NOT_A_FIELD_ELEMENT", "membership.siblings[5][1]")
            expectCode(withProof({ siblings: at(own.siblings, 9, at(own.siblings[9]!, 2, -1n)) }), "NOT_A_FIELD_ELEMENT", "membership.siblings[9][2]")
            expectCode(withProof({ siblings: at(own.siblings, 0, at(own.siblings[0]!, 0, "x")) }), "INVALID_ARGUMENT", "membership.siblings[0][0]")
            // the proof, the group and the good proof's input are as before
            expect(own).toEqual(ownBefore)
            expect(world.group.root).toBe(rootBefore)
            expect(() => buildCreditProofInput({ ...world.request, membership: own })).not.toThrow()
        })

        it("SCORE_BELOW_THRESHOLD, without revealing the score", () => {
            const { request } = proverWorld({ score: 690 })
            expectCode(request, "SCORE_BELOW_THRESHOLD", "threshold")
            expect(() => buildCreditProofInput(request)).toThrowError(expect.not.objectContaining({ message: expect.stringContaining("690") }))
        })

        it("ATTESTATION_EXPIRED at and after expiresAt", () => {
            const world = proverWorld()
            expectCode({ ...world.request, currentTime: world.attestation.expiresAt }, "ATTESTATION_EXPIRED")
        })

        it("ATTESTATION_NOT_YET_VALID before issuedAt", () => {
            const world = proverWorld()
            expectCode({ ...world.request, currentTime: world.attestation.issuedAt - 1 }, "ATTESTATION_NOT_YET_VALID", "currentTime")
        })

        it("INVALID_SIGNATURE: a changed score or a forged signature", () => {
            const world = proverWorld()
            expectCode({ ...world.request, attestation: { ...world.attestation, score: 850 } }, "INVALID_SIGNATURE")
            expectCode({ ...world.request, attestation: { ...world.attestation, signature: { ...world.attestation.signature, S: "12345" } } }, "INVALID_SIGNATURE")
        })

        it("WRONG_BUREAU_KEY: signed by a key other than the expected one", () => {
            const world = proverWorld()
            expectCode({ ...world.request, bureauPublicKey: createBureauKey().publicKey }, "WRONG_BUREAU_KEY")
            // and a valid signature by another key passes the signature check but not the key check
            const rogue = createBureauKey()
            const rogueAttestation = signAttestation({ commitment: world.identity.commitment, score: 800, issuedAt: NOW - 10, expiresAt: NOW + 100 }, rogue.privateKey)
            expectCode({ ...world.request, attestation: rogueAttestation, bureauPublicKey: world.bureau.publicKey }, "WRONG_BUREAU_KEY")
        })

        it("ATTESTATION_IDENTITY_MISMATCH: another identity's attestation", () => {
            const world = proverWorld()
            expectCode({ ...world.request, identity: world.other }, "ATTESTATION_IDENTITY_MISMATCH")
        })

        it("OUT_OF_RANGE and NOT_A_FIELD_ELEMENT for public values", () => {
            const { request } = proverWorld()
            expectCode({ ...request, threshold: 1 << 16 }, "OUT_OF_RANGE", "threshold")
            expectCode({ ...request, threshold: -1 }, "OUT_OF_RANGE", "threshold")
            expectCode({ ...request, currentTime: 2n ** BigInt(TIME_BITS) }, "OUT_OF_RANGE", "currentTime")
            expectCode({ ...request, currentTime: -1 }, "OUT_OF_RANGE", "currentTime")
            expectCode({ ...request, scope: SNARK_SCALAR_FIELD }, "NOT_A_FIELD_ELEMENT", "scope")
            expectCode({ ...request, message: 1n << 160n }, "OUT_OF_RANGE", "message")
            expectCode({ ...request, message: SNARK_SCALAR_FIELD + 1n }, "OUT_OF_RANGE", "message")
            expectCode({ ...request, kycRoot: SNARK_SCALAR_FIELD }, "NOT_A_FIELD_ELEMENT", "kycRoot")
        })

        it(`takes times up to 2^${TIME_BITS} - 1, the circuit's width; an attestation time of 2^${TIME_BITS} is OUT_OF_RANGE by name`, () => {
            const last = 2 ** TIME_BITS - 1
            const { request } = proverWorld({ now: last - 1, issuedAt: last - 1, expiresAt: last })
            expect(buildCreditProofInput(request)).toMatchObject({ issuedAt: String(last - 1), currentTime: String(last - 1), expiresAt: String(last) })
            // a bureau that signed wider times anyway: the prover refuses them before any proof
            const wide = { ...request.attestation, expiresAt: 2 ** TIME_BITS }
            expectCode({ ...request, attestation: wide }, "OUT_OF_RANGE", "attestation.expiresAt")
            expectCode({ ...request, attestation: { ...wide, issuedAt: 2 ** TIME_BITS } }, "OUT_OF_RANGE", "attestation.issuedAt")
        })

        it("INVALID_ARGUMENT for wrong types", () => {
            const { request } = proverWorld()
            expectCode({ ...request, identity: { secret: 1n } as unknown as Identity }, "INVALID_ARGUMENT", "identity")
            expectCode({ ...request, threshold: "700 points" }, "INVALID_ARGUMENT", "threshold")
            expectCode({ ...request, attestation: "signed" as never }, "INVALID_ARGUMENT", "attestation")
            expectCode({ ...request, membership: { root: 1n } as never }, "INVALID_ARGUMENT", "membership.siblings")
            expect(() => buildCreditProofInput(undefined as never)).toThrowError(expect.objectContaining({ parameter: "request" }))
        })
    })
})
