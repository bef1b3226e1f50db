/**
 * The main CreditProof circuit, compiled with the parameters of circuits/circuits.json: a valid
 * input from the prover passes and outputs the borrower's nullifier; for every constraint, a
 * witness that breaks it (checked to break that one); and, on the built Groth16 artifacts, the
 * public signal order, the constraint budget, and a real proof that is rejected when any public
 * signal (the message among them) is changed.
 */
import { readFileSync } from "node:fs"
import type { WitnessTester } from "circomkit"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import circuits from "../../circuits/circuits.json" with { type: "json" }
import {
    buildCreditProofInput,
    computeMessage,
    createBureauKey,
    CREDIT_PROOF_CIRCUIT,
    CREDIT_PROOF_VALUES,
    generateCreditProof,
    Identity,
    KycTree,
    MESSAGE_BITS,
    packContext,
    PUBLIC_SIGNALS,
    SCORE_BITS,
    signAttestation,
    SNARK_SCALAR_FIELD as P,
    TIME_BITS,
    verifyCreditProof,
    type CreditProof,
    type CreditProofInput
} from "../../prover/src/index.ts"
import { decryptWithSecretKey, encryptCommitment, multiply, multiplyGenerator, NEUTRAL, type Point } from "../../prover/src/escrow/index.ts"
import { artifacts, BORROW, BUREAU_PRIVATE_KEY, COMMITTEE_KEY, COMMITTEE_SECRET, proverWorld } from "../helpers/fixtures.ts"
import { at, circomkit, FILES, failureTrace, read, signRaw, torsionPointOfOrder8, validWitness, witnessTester } from "./utils.ts"

const config = circuits[CREDIT_PROOF_CIRCUIT]
// the 2^14 domain of the development ptau, with room for its few extra rows
const MAX_CONSTRAINTS = 16_000

// where each constraint sits: the main template's statement, then the templates inside it
const main = (snippet: string) => at("CreditProof", FILES.creditProof, snippet)
const ROOT_MISMATCH = [main("computedRoot === kycRoot")]
const KEY_MISMATCH = [main("signedKeyHash === bureauKeyHash")]
const SCORE = main("AssertGreaterEq(scoreBits)(score, threshold)")
const WINDOW = main("AssertInWindow(timeBits)(issuedAt, currentTime, expiresAt)")
const NOT_IN_RANGE = [at("RangeCheck", FILES.range, "Num2Bits(bits)(in)"), at("Num2Bits", FILES.bitify, "lc1 === in")]
const GE_A = [at("AssertGreaterEq", FILES.range, "RangeCheck(bits)(a)"), ...NOT_IN_RANGE]
const GE_B = [at("AssertGreaterEq", FILES.range, "RangeCheck(bits)(b)"), ...NOT_IN_RANGE]
const GE_OK = at("AssertGreaterEq", FILES.range, "ok === 1")
const ISSUED_AT_NOT_IN_RANGE = [WINDOW, at("AssertInWindow", FILES.range, "RangeCheck(bits)(start)"), ...NOT_IN_RANGE]
const CURRENT_TIME_NOT_IN_RANGE = [WINDOW, at("AssertInWindow", FILES.range, "RangeCheck(bits)(t)"), ...NOT_IN_RANGE]
const EXPIRES_AT_NOT_IN_RANGE = [WINDOW, at("AssertInWindow", FILES.range, "RangeCheck(bits)(end)"), ...NOT_IN_RANGE]
const NOT_YET_VALID = [WINDOW, at("AssertInWindow", FILES.range, "started === 1")]
const EXPIRED = [WINDOW, at("AssertInWindow", FILES.range, "notEnded === 1")]
const NOT_A_POSITION = [main("MerkleInclusion(depth, arity)(commitment, pathIndices, siblings)"), at("MerkleInclusion", FILES.merkle, "bits[i] <== Num2Bits(2)(pathIndices[i])"), at("Num2Bits", FILES.bitify, "lc1 === in")]
const ATTESTATION = main("AttestationCheck(attestationDomain, timeBits, challengeBits)(")
const SIGNATURE_MISMATCH = [
    ATTESTATION,
    at("AttestationCheck", FILES.attestation, "ShortSchnorrVerifier(challengeBits, 3)(bureauAx"),
    at("ShortSchnorrVerifier", FILES.attestation, "left[0] === right.xout")
]
const R8_OFF_CURVE = [ATTESTATION, at("AttestationCheck", FILES.attestation, "BabyCheck()(sigR8x, sigR8y)"), at("BabyCheck", FILES.babyjub, "a*x2 + y2 === 1 + d*x2*y2")]
const ESCROW = main("IdentityEscrow(escrowDomain)(commitment, ephemeralSecret")
const KEY_OFF_CURVE = [ESCROW, at("IdentityEscrow", FILES.escrow, "BabyCheck()(committeeKeyX, committeeKeyY)"), at("BabyCheck", FILES.babyjub, "a*x2 + y2 === 1 + d*x2*y2")]
const KEY_OF_SMALL_ORDER = [ESCROW, at("IdentityEscrow", FILES.escrow, "eightX * eightXInverse === 1")]
const R_OVER_250_BITS = [ESCROW, at("IdentityEscrow", FILES.escrow, "Num2Bits(250)(ephemeralSecret)"), at("Num2Bits", FILES.bitify, "lc1 === in")]
const R_IS_ZERO = [ESCROW, at("IdentityEscrow", FILES.escrow, "ephemeralSecret * rInverse === 1")]
const CONTEXT_MISMATCH = [main("context === message * (2 ** (scoreBits + timeBits))")]
const MESSAGE_NOT_IN_RANGE = [main("RangeCheck(messageBits)(message)"), ...NOT_IN_RANGE]

const world = proverWorld()
const { identity, other, group, attestation } = world
const scope = BigInt(world.request.scope)
const valid: CreditProofInput = buildCreditProofInput(world.request)
const otherBureau = createBureauKey(`0x${"02".repeat(32)}`)
const claims = { commitment: identity.commitment, score: BigInt(attestation.score), issuedAt: BigInt(attestation.issuedAt), expiresAt: BigInt(attestation.expiresAt) }

/**
 * `valid` with some of the context's parts changed and `context` packed from them again (in the
 * field, as the circuit computes it), so a test of one part's constraint meets that constraint and
 * not the packing.
 */
function withContext(changes: { threshold?: bigint; currentTime?: bigint; message?: bigint }): CreditProofInput {
    const part = (name: "threshold" | "currentTime" | "message") => changes[name] ?? BigInt(valid[name] as string)
    const context = ((part("message") << BigInt(SCORE_BITS + TIME_BITS)) + (part("threshold") << BigInt(TIME_BITS)) + part("currentTime")) % P
    const input: CreditProofInput = { ...valid, context: context.toString() }
    for (const [name, value] of Object.entries(changes)) input[name] = value.toString()
    return input
}

/** The signature inputs of an attestation. */
function signatureOf(a: { bureauPublicKey: [string, string]; signature: { R8: [string, string]; S: string } }) {
    return { bureauAx: a.bureauPublicKey[0], bureauAy: a.bureauPublicKey[1], sigR8x: a.signature.R8[0], sigR8y: a.signature.R8[1], sigS: a.signature.S }
}

describe(`CreditProof(${config.params.join(", ")})`, () => {
    let tester: WitnessTester

    beforeAll(async () => {
        tester = await witnessTester("credit_proof_main", { file: config.file, template: config.template, params: config.params.map((p) => BigInt(p)), pubs: config.pubs })
    })

    describe("a valid input", () => {
        it("passes and outputs the nullifier identity.nullifier(scope)", async () => {
            const witness = await validWitness(tester, valid)
            expect(await read(tester, witness, "nullifier")).toBe(identity.nullifier(scope))
        })

        it("passes for another member with its own attestation, and outputs that member's nullifier", async () => {
            const own = signAttestation({ ...claims, commitment: other.commitment }, BUREAU_PRIVATE_KEY)
            const input = buildCreditProofInput({ ...world.request, identity: other, attestation: own })
            const witness = await validWitness(tester, input)
            expect(await read(tester, witness, "nullifier")).toBe(other.nullifier(scope))
        })

        it(`passes with any message below 2^${MESSAGE_BITS}: the proof binds it through the context`, async () => {
            for (const message of [0n, 1n, (1n << BigInt(MESSAGE_BITS)) - 1n, computeMessage({ ...BORROW, principal: 1n })]) {
                await validWitness(tester, withContext({ message }))
            }
        })

        it("a witness with the nullifier edited (+1, another scope's, another identity's) breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            for (const fake of [identity.nullifier(scope) + 1n, identity.nullifier(scope + 1n), other.nullifier(scope)]) {
                await tester.expectConstraintFail(await tester.editWitness(witness, { "main.nullifier": fake }))
            }
        })
    })

    describe("KYC membership: computedRoot === kycRoot, path indices are positions 0..3", () => {
        it("rejects another kycRoot (+1, the root before the borrower was added)", async () => {
            expect(await failureTrace(tester, { ...valid, kycRoot: BigInt(valid.kycRoot as string) + 1n })).toEqual(ROOT_MISMATCH)
            const before = new KycTree(group.leaves.slice(0, 2)).root
            expect(await failureTrace(tester, { ...valid, kycRoot: before })).toEqual(ROOT_MISMATCH)
        })

        it("rejects a path index outside 0..3 (4 at level 0, p - 1 at the top level)", async () => {
            const indices = valid.pathIndices as string[]
            expect(await failureTrace(tester, { ...valid, pathIndices: indices.map((b, i) => (i === 0 ? 4n : b)) })).toEqual(NOT_A_POSITION)
            expect(await failureTrace(tester, { ...valid, pathIndices: indices.map((b, i) => (i === indices.length - 1 ? P - 1n : b)) })).toEqual(NOT_A_POSITION)
        })

        it("rejects siblings swapped between levels 0 and 1, and reordered within level 0", async () => {
            const levels = valid.siblings as string[][]
            const swapped = levels.map((level) => [...level])
            ;[swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!]
            expect(swapped[0]).not.toEqual(swapped[1])
            expect(await failureTrace(tester, { ...valid, siblings: swapped })).toEqual(ROOT_MISMATCH)
            const reordered = levels.map((level, i) => (i === 0 ? [level[1]!, level[0]!, level[2]!] : [...level]))
            expect(reordered[0]).not.toEqual(levels[0])
            expect(await failureTrace(tester, { ...valid, siblings: reordered })).toEqual(ROOT_MISMATCH)
        })

        it("rejects another position at level 0 (the node moved among its siblings)", async () => {
            const pathIndices = (valid.pathIndices as string[]).map((b, i) => (i === 0 ? (BigInt(b) + 1n) % 4n : b))
            expect(await failureTrace(tester, { ...valid, pathIndices })).toEqual(ROOT_MISMATCH)
        })

        it("rejects another member's secret with that member's valid attestation but this borrower's path", async () => {
            const own = signAttestation({ ...claims, commitment: other.commitment }, BUREAU_PRIVATE_KEY)
            expect(await failureTrace(tester, { ...valid, secret: other.secret, ...signatureOf(own) })).toEqual(ROOT_MISMATCH)
        })

        it("rejects a non-member with a valid attestation of its own", async () => {
            const outsider = new Identity(555n)
            const own = signAttestation({ ...claims, commitment: outsider.commitment }, BUREAU_PRIVATE_KEY)
            expect(await failureTrace(tester, { ...valid, secret: outsider.secret, ...signatureOf(own) })).toEqual(ROOT_MISMATCH)
        })
    })

    describe("the attestation: signature valid, by the key hashing to bureauKeyHash", () => {
        it("rejects another bureauKeyHash", async () => {
            expect(await failureTrace(tester, { ...valid, bureauKeyHash: otherBureau.keyHash })).toEqual(KEY_MISMATCH)
            expect(await failureTrace(tester, { ...valid, bureauKeyHash: BigInt(valid.bureauKeyHash as string) + 1n })).toEqual(KEY_MISMATCH)
        })

        it("rejects a valid attestation by an unregistered key (presented with that key)", async () => {
            const byOther = signAttestation(claims, otherBureau.privateKey)
            expect(await failureTrace(tester, { ...valid, ...signatureOf(byOther) })).toEqual(KEY_MISMATCH)
        })

        it("rejects a signature by another key presented with the registered key", async () => {
            const byOther = signatureOf(signAttestation(claims, otherBureau.privateKey))
            expect(await failureTrace(tester, { ...valid, sigR8x: byOther.sigR8x, sigR8y: byOther.sigR8y, sigS: byOther.sigS })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects a signature over another score (a higher score claimed under the real signature)", async () => {
            expect(await failureTrace(tester, { ...valid, score: 800n })).toEqual(SIGNATURE_MISMATCH)
            // the bureau's real signature of a score of 650, claimed as 720
            const lower = signatureOf(signAttestation({ ...claims, score: 650n }, BUREAU_PRIVATE_KEY))
            expect(await failureTrace(tester, { ...valid, ...lower })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects another identity's attestation", async () => {
            const others = signAttestation({ ...claims, commitment: other.commitment, score: 850n }, BUREAU_PRIVATE_KEY)
            expect(await failureTrace(tester, { ...valid, score: 850n, ...signatureOf(others) })).toEqual(SIGNATURE_MISMATCH)
            // and this borrower's attestation with another member's secret and path
            const path = buildCreditProofInput({ ...world.request, identity: other, attestation: signAttestation({ ...claims, commitment: other.commitment }, BUREAU_PRIVATE_KEY) })
            expect(await failureTrace(tester, { ...valid, secret: other.secret, pathIndices: path.pathIndices, siblings: path.siblings })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects the real signature with the validity window moved (issuedAt earlier, expiresAt later)", async () => {
            expect(await failureTrace(tester, { ...valid, issuedAt: claims.issuedAt - 86_400n })).toEqual(SIGNATURE_MISMATCH)
            expect(await failureTrace(tester, { ...valid, expiresAt: claims.expiresAt + 86_400n })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects R8 off the curve (R8y + 1)", async () => {
            expect(await failureTrace(tester, { ...valid, sigR8y: BigInt(valid.sigR8y as string) + 1n })).toEqual(R8_OFF_CURVE)
        })
    })

    describe("the identity escrow: a fresh encryption of the proved KYC leaf under committeeKeyY", () => {
        const r = BigInt(valid.ephemeralSecret as string)
        const otherKey = multiplyGenerator(987654321n)

        it("outputs encryptCommitment(commitment, committee key, r): the committee opens it to the borrower's KYC leaf", async () => {
            const witness = await validWitness(tester, valid)
            const { escrow } = encryptCommitment(identity.commitment, COMMITTEE_KEY, { ephemeralSecret: r })
            expect(await read(tester, witness, "ephemeralKeyY")).toBe(escrow.ephemeralKeyY)
            expect(await read(tester, witness, "ciphertext")).toBe(escrow.ciphertext)
            const opened = decryptWithSecretKey({ ephemeralKeyY: await read(tester, witness, "ephemeralKeyY"), ciphertext: await read(tester, witness, "ciphertext") }, COMMITTEE_SECRET)
            expect(opened).toBe(identity.commitment)
            expect(group.indexOf(opened)).toBe(2)
        })

        it("a witness with the ciphertext of another value (another member's commitment, +1, 0) breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            const ofOther = encryptCommitment(other.commitment, COMMITTEE_KEY, { ephemeralSecret: r }).escrow.ciphertext
            for (const fake of [ofOther, BigInt(await read(tester, witness, "ciphertext")) + 1n, 0n]) {
                await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ciphertext": fake }))
            }
        })

        it("a witness with another key's escrow, or another committeeKeyY, breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            const underOther = encryptCommitment(identity.commitment, otherKey, { ephemeralSecret: r }).escrow
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ciphertext": underOther.ciphertext }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.committeeKeyY": otherKey[1] }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ephemeralKeyY": multiplyGenerator(r + 1n)[1] }))
        })

        it("rejects another committeeKeyY with the registered key's x (off the curve), and a key off the curve", async () => {
            expect(await failureTrace(tester, { ...valid, committeeKeyY: otherKey[1] })).toEqual(KEY_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, committeeKeyY: COMMITTEE_KEY[1] + 1n })).toEqual(KEY_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, committeeKeyX: 0n, committeeKeyY: 0n })).toEqual(KEY_OFF_CURVE)
        })

        it("rejects committee keys of small order (neutral, order 2, order 8): their mask would be public", async () => {
            const order8 = torsionPointOfOrder8()
            for (const key of [NEUTRAL, [0n, P - 1n] as Point, order8, multiply(order8, 2n)]) {
                expect(await failureTrace(tester, { ...valid, committeeKeyX: key[0], committeeKeyY: key[1] })).toEqual(KEY_OF_SMALL_ORDER)
            }
        })

        it("rejects r = 0 and r >= 2^250", async () => {
            expect(await failureTrace(tester, { ...valid, ephemeralSecret: 0n })).toEqual(R_IS_ZERO)
            for (const bad of [1n << 250n, P - 1n]) expect(await failureTrace(tester, { ...valid, ephemeralSecret: bad })).toEqual(R_OVER_250_BITS)
        })

        it("a valid escrow under another key is still a valid witness: which key is allowed is the verifier's check (InactiveCommitteeKey)", async () => {
            const witness = await validWitness(tester, { ...valid, committeeKeyX: otherKey[0], committeeKeyY: otherKey[1] })
            expect(await read(tester, witness, "ciphertext")).toBe(encryptCommitment(identity.commitment, otherKey, { ephemeralSecret: r }).escrow.ciphertext)
        })

        // Unlinkability: each proof draws its own r (buildCreditProofInput), and (R.y, c) under a
        // fresh r is a fresh ElGamal-style encryption (lib/escrow.circom, docs/escrow.md).
        it("property: two proofs of one person in one market carry different R.y and c, both opening to the same leaf", async () => {
            await fc.assert(
                fc.asyncProperty(fc.constant(null), async () => {
                    const [a, b] = [buildCreditProofInput(world.request), buildCreditProofInput(world.request)]
                    expect(a.ephemeralSecret).not.toBe(b.ephemeralSecret)
                    const [wa, wb] = [await validWitness(tester, a), await validWitness(tester, b)]
                    const ea = { ephemeralKeyY: await read(tester, wa, "ephemeralKeyY"), ciphertext: await read(tester, wa, "ciphertext") }
                    const eb = { ephemeralKeyY: await read(tester, wb, "ephemeralKeyY"), ciphertext: await read(tester, wb, "ciphertext") }
                    expect(ea.ephemeralKeyY).not.toBe(eb.ephemeralKeyY)
                    expect(ea.ciphertext).not.toBe(eb.ciphertext)
                    // the nullifier is what links them, in one market, by design; the escrows do not
                    expect(await read(tester, wa, "nullifier")).toBe(await read(tester, wb, "nullifier"))
                    expect(decryptWithSecretKey(ea, COMMITTEE_SECRET)).toBe(decryptWithSecretKey(eb, COMMITTEE_SECRET))
                }),
                { numRuns: 5 }
            )
        })
    })

    describe(`context = message * 2^${SCORE_BITS + TIME_BITS} + threshold * 2^${TIME_BITS} + currentTime, message below 2^${MESSAGE_BITS}`, () => {
        it("rejects a context that is not its packed parts (+1, or another message's)", async () => {
            for (const context of [BigInt(valid.context as string) + 1n, packContext({ message: 1n, threshold: BigInt(valid.threshold as string), currentTime: BigInt(valid.currentTime as string) })]) {
                expect(await failureTrace(tester, { ...valid, context: context.toString() })).toEqual(CONTEXT_MISMATCH)
            }
        })

        it(`rejects a message of 2^${MESSAGE_BITS} or more, even with the context packed from it`, async () => {
            for (const message of [1n << BigInt(MESSAGE_BITS), P - 1n]) {
                expect(await failureTrace(tester, withContext({ message }))).toEqual(MESSAGE_NOT_IN_RANGE)
            }
        })

        // the title is plain text: docs/threat-model.md (A75) names this test by it
        it("cannot move bits between parts: a lower threshold paid for by a later time (+2^40) or a smaller message fails a range check", async () => {
            const threshold = BigInt(valid.threshold as string)
            const currentTime = BigInt(valid.currentTime as string)
            const message = BigInt(valid.message as string)
            // the same packed value, split otherwise
            const lowerThreshold = { ...valid, threshold: (threshold - 1n).toString(), currentTime: (currentTime + (1n << BigInt(TIME_BITS))).toString() }
            expect(await failureTrace(tester, lowerThreshold)).toEqual(CURRENT_TIME_NOT_IN_RANGE)
            const borrowedThreshold = { ...valid, message: (message - 1n).toString(), threshold: (threshold + (1n << BigInt(SCORE_BITS))).toString() }
            expect(await failureTrace(tester, borrowedThreshold)).toEqual([SCORE, ...GE_B])
        })
    })

    describe(`score >= threshold, both below 2^${SCORE_BITS}`, () => {
        const score = claims.score

        it("passes with threshold = score and threshold = 0", async () => {
            await validWitness(tester, withContext({ threshold: score }))
            await validWitness(tester, withContext({ threshold: 0n }))
        })

        it("rejects threshold = score + 1 and threshold = 2^bits - 1", async () => {
            expect(await failureTrace(tester, withContext({ threshold: score + 1n }))).toEqual([SCORE, GE_OK])
            expect(await failureTrace(tester, withContext({ threshold: (1n << BigInt(SCORE_BITS)) - 1n }))).toEqual([SCORE, GE_OK])
        })

        for (const [name, value] of [
            ["2^SCORE_BITS", 1n << BigInt(SCORE_BITS)],
            ["p - 1", P - 1n]
        ] as const) {
            it(`rejects threshold = ${name}`, async () => {
                expect(await failureTrace(tester, withContext({ threshold: value }))).toEqual([SCORE, ...GE_B])
            })

            it(`rejects a score of ${name} that the bureau really signed`, async () => {
                const signed = { ...claims, score: value }
                expect(await failureTrace(tester, { ...valid, score: value, ...signRaw(BUREAU_PRIVATE_KEY, signed) })).toEqual([SCORE, ...GE_A])
            })
        }
    })

    describe(`issuedAt <= currentTime < expiresAt, all below 2^${TIME_BITS}`, () => {
        it("passes with currentTime = issuedAt and currentTime = expiresAt - 1", async () => {
            await validWitness(tester, withContext({ currentTime: claims.issuedAt }))
            await validWitness(tester, withContext({ currentTime: claims.expiresAt - 1n }))
        })

        it("rejects currentTime = issuedAt - 1 (not yet valid)", async () => {
            expect(await failureTrace(tester, withContext({ currentTime: claims.issuedAt - 1n }))).toEqual(NOT_YET_VALID)
        })

        it("rejects an issuedAt the bureau really signed after currentTime (issuedAt = currentTime + 1)", async () => {
            const issuedAt = BigInt(valid.currentTime as string) + 1n
            expect(await failureTrace(tester, { ...valid, issuedAt, ...signRaw(BUREAU_PRIVATE_KEY, { ...claims, issuedAt }) })).toEqual(NOT_YET_VALID)
        })

        it("rejects currentTime = expiresAt and later (expired)", async () => {
            expect(await failureTrace(tester, withContext({ currentTime: claims.expiresAt }))).toEqual(EXPIRED)
            expect(await failureTrace(tester, withContext({ currentTime: claims.expiresAt + 1n }))).toEqual(EXPIRED)
        })

        // the top of the width: times just below 2^TIME_BITS pass, 2^TIME_BITS does not
        const LAST = (1n << BigInt(TIME_BITS)) - 1n
        it(`passes with issuedAt = currentTime = 2^${TIME_BITS} - 2 and expiresAt = 2^${TIME_BITS} - 1, signed so`, async () => {
            const times = { issuedAt: LAST - 1n, expiresAt: LAST }
            await validWitness(tester, { ...withContext({ currentTime: LAST - 1n }), ...times, ...signRaw(BUREAU_PRIVATE_KEY, { ...claims, ...times }) })
        })

        for (const [name, value] of [
            ["2^TIME_BITS", 1n << BigInt(TIME_BITS)],
            ["p - 1", P - 1n]
        ] as const) {
            it(`rejects currentTime = ${name}`, async () => {
                expect(await failureTrace(tester, withContext({ currentTime: value }))).toEqual(CURRENT_TIME_NOT_IN_RANGE)
            })

            it(`rejects an issuedAt of ${name} that the bureau really signed`, async () => {
                const signed = { ...claims, issuedAt: value }
                expect(await failureTrace(tester, { ...valid, issuedAt: value, ...signRaw(BUREAU_PRIVATE_KEY, signed) })).toEqual(ISSUED_AT_NOT_IN_RANGE)
            })

            it(`rejects an expiresAt of ${name} that the bureau really signed`, async () => {
                const signed = { ...claims, expiresAt: value }
                expect(await failureTrace(tester, { ...valid, expiresAt: value, ...signRaw(BUREAU_PRIVATE_KEY, signed) })).toEqual(EXPIRES_AT_NOT_IN_RANGE)
            })
        }

        // the signed message packs score and times into one element: moving 2^TIME_BITS from one
        // claim to the next keeps the real signature valid, and only the range checks refuse it
        it("rejects the real signature with a claim's bits moved into the next (expiresAt - 2^40 and issuedAt + 1; issuedAt - 2^40 and score + 1)", async () => {
            const unit = 1n << BigInt(TIME_BITS)
            const intoIssuedAt = { ...valid, issuedAt: claims.issuedAt + 1n, expiresAt: claims.expiresAt - unit }
            expect(await failureTrace(tester, intoIssuedAt)).toEqual(EXPIRES_AT_NOT_IN_RANGE)
            const intoScore = { ...valid, score: claims.score + 1n, issuedAt: claims.issuedAt - unit }
            expect(await failureTrace(tester, intoScore)).toEqual(ISSUED_AT_NOT_IN_RANGE)
        })

        it(`rejects currentTime = 2^${TIME_BITS} with expiresAt past it, signed so: the range check, not the window, refuses it`, async () => {
            const times = { issuedAt: claims.issuedAt, expiresAt: (1n << BigInt(TIME_BITS)) + 1n }
            const input = { ...withContext({ currentTime: 1n << BigInt(TIME_BITS) }), ...times, ...signRaw(BUREAU_PRIVATE_KEY, { ...claims, ...times }) }
            expect(await failureTrace(tester, input)).toEqual(CURRENT_TIME_NOT_IN_RANGE)
        })
    })
})

describe("the built circuit (circuits/build) and its Groth16 artifacts", () => {
    it("orders its public signals as PUBLIC_SIGNALS: outputs, then circuits.json pubs", async () => {
        expect(PUBLIC_SIGNALS).toEqual(["nullifier", "ephemeralKeyY", "ciphertext", ...config.pubs])
        // witness index of each signal of the main component, from the compiled symbol table
        const wires = new Map<string, number>()
        for (const line of readFileSync(CREDIT_PROOF_ARTIFACTS.sym, "utf8").split("\n")) {
            const [, varIdx, , name] = line.split(",")
            if (name?.startsWith("main.") && name.indexOf(".", 5) === -1) wires.set(name.slice(5), Number(varIdx))
        }
        expect(PUBLIC_SIGNALS.map((name) => wires.get(name))).toEqual(PUBLIC_SIGNALS.map((_, i) => i + 1))

        const info = await circomkit.info(CREDIT_PROOF_CIRCUIT)
        expect(info.publicOutputs).toBe(3)
        expect(info.publicInputs).toBe(PUBLIC_SIGNALS.length - 3)
        const vkey = JSON.parse(readFileSync(CREDIT_PROOF_ARTIFACTS.vkey, "utf8")) as { nPublic: number }
        expect(vkey.nPublic).toBe(PUBLIC_SIGNALS.length)
    })

    it(`has at most ${MAX_CONSTRAINTS} constraints, as the manifest says`, async () => {
        const { constraints } = await circomkit.info(CREDIT_PROOF_CIRCUIT)
        const manifest = JSON.parse(readFileSync(CREDIT_PROOF_ARTIFACTS.manifest, "utf8")) as { circuits: Record<string, { constraints: number }> }
        expect(constraints).toBe(manifest.circuits[CREDIT_PROOF_CIRCUIT]?.constraints)
        expect(constraints).toBeLessThanOrEqual(MAX_CONSTRAINTS)
    })

    describe("a real proof", () => {
        let proof: CreditProof
        let vkey: object
        beforeAll(async () => {
            proof = await generateCreditProof(world.request, artifacts)
            vkey = JSON.parse(readFileSync(CREDIT_PROOF_ARTIFACTS.vkey, "utf8")) as object
        })

        it("verifies, with the borrower's nullifier, an escrow of its KYC leaf and the request's public values", async () => {
            expect(await verifyCreditProof(proof, vkey)).toBe(true)
            expect(proof.nullifier).toBe(identity.nullifier(scope).toString())
            expect(decryptWithSecretKey({ ephemeralKeyY: proof.ephemeralKeyY, ciphertext: proof.ciphertext }, COMMITTEE_SECRET)).toBe(identity.commitment)
            for (const name of CREDIT_PROOF_VALUES.slice(3)) expect(proof[name]).toBe(valid[name])
        })

        it("a second real proof of the same request carries another R.y and c (fresh r), same nullifier", async () => {
            const again = await generateCreditProof(world.request, artifacts)
            expect(again.ephemeralKeyY).not.toBe(proof.ephemeralKeyY)
            expect(again.ciphertext).not.toBe(proof.ciphertext)
            expect(again.nullifier).toBe(proof.nullifier)
            expect(decryptWithSecretKey({ ephemeralKeyY: again.ephemeralKeyY, ciphertext: again.ciphertext }, COMMITTEE_SECRET)).toBe(identity.commitment)
        })

        for (const name of CREDIT_PROOF_VALUES) {
            it(`is rejected with ${name} changed`, async () => {
                const changed = (BigInt(proof[name]) + 1n) % P
                expect(await verifyCreditProof({ ...proof, [name]: changed.toString() }, vkey)).toBe(false)
            })
        }

        it("is rejected for another borrower, offer, tier or principal (a changed message)", async () => {
            for (const change of [
                { borrower: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
                { offerId: BORROW.offerId + 1n },
                { tier: BORROW.tier + 1n },
                { principal: BORROW.principal + 1n }
            ]) {
                const message = computeMessage({ ...BORROW, ...change })
                expect(message.toString()).not.toBe(proof.message)
                expect(await verifyCreditProof({ ...proof, message: message.toString() }, vkey)).toBe(false)
            }
        })
    })
})
