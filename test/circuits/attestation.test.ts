/**
 * AttestationMessage and AttestationCheck(domain) (circuits/src/lib/attestation.circom) with the
 * prover's ATTESTATION_DOMAIN: a bureau's signature made by the prover (Schnorr with a 128-bit
 * Poseidon challenge, prover/src/signature.ts) verifies
 * and names the key by the prover's bureauKeyHash; every forgery or alteration breaks a
 * specific constraint.
 */
import type { WitnessTester } from "circomkit"
import { beforeAll, describe, expect, it } from "vitest"
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub"
import { poseidon5 } from "poseidon-lite/poseidon5"
import { deriveSecretScalar, derivePublicKey, signMessage } from "#eddsa-poseidon"
import {
    ATTESTATION_DOMAIN,
    attestationMessage,
    BABYJUB_SUBORDER,
    bureauKeyHash,
    createBureauKey,
    signAttestation,
    SIGNATURE_CHALLENGE_BITS,
    SNARK_SCALAR_FIELD as P,
    verifySchnorr,
    TIME_BITS,
    type Attestation
} from "../../prover/src/index.ts"
import { proverWorld } from "../helpers/fixtures.ts"
import { at, FILES, failureTrace, keyBytes, rawMessage, read, signRaw, signWithChallengeBits, validWitness, witnessTester } from "./utils.ts"

// the failing constraints
const R8_OFF_CURVE = [at("AttestationCheck", FILES.attestation, "BabyCheck()(sigR8x, sigR8y)"), at("BabyCheck", FILES.babyjub, "a*x2 + y2 === 1 + d*x2*y2")]
const A_OFF_CURVE = [at("AttestationCheck", FILES.attestation, "BabyCheck()(bureauAx, bureauAy)"), at("BabyCheck", FILES.babyjub, "a*x2 + y2 === 1 + d*x2*y2")]
const VERIFIER = at("AttestationCheck", FILES.attestation, "ShortSchnorrVerifier(challengeBits, 3)(bureauAx")
/** S·B8 != R8 + e·(8·A): the signature does not verify. */
const SIGNATURE_MISMATCH = [VERIFIER, at("ShortSchnorrVerifier", FILES.attestation, "left[0] === right.xout")]
const S_NOT_BELOW_ORDER = [VERIFIER, at("ShortSchnorrVerifier", FILES.attestation, "sBelowOrder.out === 0")]
const S_OVER_253_BITS = [VERIFIER, at("ShortSchnorrVerifier", FILES.attestation, "Num2Bits(253)(S)"), at("Num2Bits", FILES.bitify, "lc1 === in")]
const KEY_OF_LOW_ORDER = [VERIFIER, at("ShortSchnorrVerifier", FILES.attestation, "keyOfLowOrder === 0")]

const world = proverWorld()
const { identity, other, bureau } = world
const otherBureau = createBureauKey(`0x${"02".repeat(32)}`)

type AttestationInput = Record<"commitment" | "score" | "issuedAt" | "expiresAt" | "bureauAx" | "bureauAy" | "sigR8x" | "sigR8y" | "sigS", bigint>

/** The circuit inputs of an attestation. */
function inputOf(attestation: Attestation): AttestationInput {
    return {
        commitment: BigInt(attestation.commitment),
        score: BigInt(attestation.score),
        issuedAt: BigInt(attestation.issuedAt),
        expiresAt: BigInt(attestation.expiresAt),
        bureauAx: BigInt(attestation.bureauPublicKey[0]),
        bureauAy: BigInt(attestation.bureauPublicKey[1]),
        sigR8x: BigInt(attestation.signature.R8[0]),
        sigR8y: BigInt(attestation.signature.R8[1]),
        sigS: BigInt(attestation.signature.S)
    }
}

const valid = inputOf(world.attestation)
const claims = { commitment: valid.commitment, score: valid.score, issuedAt: valid.issuedAt, expiresAt: valid.expiresAt }

describe("AttestationMessage", () => {
    let tester: WitnessTester
    beforeAll(async () => {
        tester = await witnessTester("attestation_message", { file: "lib/attestation", template: "AttestationMessage", params: [ATTESTATION_DOMAIN, TIME_BITS] })
    })

    it("equals the prover's attestationMessage, and any claim changes it", async () => {
        const message = async (c: typeof claims) => {
            const witness = await validWitness(tester, { ...c })
            return Promise.all([0, 1, 2].map((i) => read(tester, witness, `message[${i}]`)))
        }
        expect(await message(claims)).toEqual(attestationMessage(claims))
        const seen = new Set([(await message(claims)).join()])
        for (const field of ["commitment", "score", "issuedAt", "expiresAt"] as const) {
            seen.add((await message({ ...claims, [field]: claims[field] + 1n })).join())
        }
        expect(seen.size).toBe(5)
    })

    it("packs like the prover's raw packing even out of range (one-to-one only with the caller's range checks, which CreditProof has)", async () => {
        const borrowed = { ...claims, issuedAt: claims.issuedAt + 1n, expiresAt: claims.expiresAt - 2n ** BigInt(TIME_BITS) }
        const witness = await validWitness(tester, borrowed)
        expect(await read(tester, witness, "message[2]")).toBe(rawMessage(borrowed)[2])
        expect(rawMessage(borrowed)).toEqual(attestationMessage(claims))
    })
})

describe("AttestationCheck", () => {
    let tester: WitnessTester
    beforeAll(async () => {
        tester = await witnessTester("attestation_check", { file: "lib/attestation", template: "AttestationCheck", params: [ATTESTATION_DOMAIN, TIME_BITS, SIGNATURE_CHALLENGE_BITS] })
    })

    describe("valid attestations", () => {
        it("accepts the prover's attestation and outputs the prover's bureauKeyHash", async () => {
            const witness = await validWitness(tester, valid)
            expect(await read(tester, witness, "bureauKeyHash")).toBe(bureau.keyHash)
            expect(bureau.keyHash).toBe(bureauKeyHash(bureau.publicKey))
        })

        it("accepts attestations of other identities, scores and windows, by another key (outputting that key's hash)", async () => {
            // the widest window the prover signs: times are range-checked to TIME_BITS by the credit proof
            const attestation = signAttestation({ commitment: other.commitment, score: 0, issuedAt: 0, expiresAt: 2 ** TIME_BITS - 1 }, otherBureau.privateKey)
            const witness = await validWitness(tester, inputOf(attestation))
            expect(await read(tester, witness, "bureauKeyHash")).toBe(otherBureau.keyHash)
        })

        it("the raw signer of these tests signs exactly as the prover does (deterministic nonces)", () => {
            expect(signRaw(bureau.privateKey, claims)).toEqual({ sigR8x: valid.sigR8x, sigR8y: valid.sigR8y, sigS: valid.sigS })
        })

        it("a witness with bureauKeyHash edited breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.bureauKeyHash": otherBureau.keyHash }))
        })
    })

    describe("the signature does not verify", () => {
        it("rejects a signature by another key (presented with the registered key)", async () => {
            const forged = inputOf(signAttestation(claims, otherBureau.privateKey))
            expect(await failureTrace(tester, { ...forged, bureauAx: valid.bureauAx, bureauAy: valid.bureauAy })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects a signature over another score (the bureau's real signature of 650, claimed as 720 / of 720, claimed as 800)", async () => {
            const lower = inputOf(signAttestation({ ...claims, score: 650n }, bureau.privateKey))
            expect(await failureTrace(tester, { ...lower, score: 720n })).toEqual(SIGNATURE_MISMATCH)
            expect(await failureTrace(tester, { ...valid, score: 800n })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects another identity's attestation (signed over another commitment)", async () => {
            const others = inputOf(signAttestation({ ...claims, commitment: other.commitment }, bureau.privateKey))
            expect(await failureTrace(tester, { ...others, commitment: identity.commitment })).toEqual(SIGNATURE_MISMATCH)
        })

        for (const field of ["issuedAt", "expiresAt"] as const) {
            it(`rejects the signature with ${field} changed (earlier and later)`, async () => {
                expect(await failureTrace(tester, { ...valid, [field]: valid[field] - 1n })).toEqual(SIGNATURE_MISMATCH)
                expect(await failureTrace(tester, { ...valid, [field]: valid[field] + 86_400n })).toEqual(SIGNATURE_MISMATCH)
            })
        }

        it("rejects a signature over the same claims in another domain (no domain, or another tag)", async () => {
            for (const domain of [0n, ATTESTATION_DOMAIN + 1n]) {
                expect(await failureTrace(tester, { ...valid, ...signRaw(bureau.privateKey, claims, domain) })).toEqual(SIGNATURE_MISMATCH)
            }
        })

        it("rejects a signature whose challenge keeps more or fewer than 128 bits (127, 129, and the whole hash as EdDSA-Poseidon)", async () => {
            expect(SIGNATURE_CHALLENGE_BITS).toBe(128)
            const message = attestationMessage(claims)
            for (const bits of [SIGNATURE_CHALLENGE_BITS - 1, SIGNATURE_CHALLENGE_BITS + 1, 254]) {
                expect(await failureTrace(tester, { ...valid, ...signWithChallengeBits(bureau.privateKey, message, bits) })).toEqual(SIGNATURE_MISMATCH)
            }
            // the same helper at the circuit's width is a valid signature: the refusals above are the width's
            await validWitness(tester, { ...valid, ...signWithChallengeBits(bureau.privateKey, message, SIGNATURE_CHALLENGE_BITS) })
        })

        it("rejects an attestation signed as before, with EdDSA-Poseidon over Poseidon(domain, commitment, score, issuedAt, expiresAt), by the same key", async () => {
            const oldMessage = poseidon5([ATTESTATION_DOMAIN, claims.commitment, claims.score, claims.issuedAt, claims.expiresAt])
            const eddsa = signMessage(keyBytes(bureau.privateKey), oldMessage)
            expect(await failureTrace(tester, { ...valid, sigR8x: BigInt(eddsa.R8[0]), sigR8y: BigInt(eddsa.R8[1]), sigS: BigInt(eddsa.S) })).toEqual(SIGNATURE_MISMATCH)
        })

        it("rejects a mangled S (S + 1, S - 1) and another signature's R8", async () => {
            expect(await failureTrace(tester, { ...valid, sigS: valid.sigS + 1n })).toEqual(SIGNATURE_MISMATCH)
            expect(await failureTrace(tester, { ...valid, sigS: valid.sigS - 1n })).toEqual(SIGNATURE_MISMATCH)
            const another = signRaw(bureau.privateKey, { ...claims, score: 650n })
            expect(await failureTrace(tester, { ...valid, sigR8x: another.sigR8x, sigR8y: another.sigR8y })).toEqual(SIGNATURE_MISMATCH)
        })
    })

    describe("malformed points and scalars", () => {
        it("rejects R8 off the curve (R8y + 1, R8x + 1, (0, 0))", async () => {
            expect(await failureTrace(tester, { ...valid, sigR8y: valid.sigR8y + 1n })).toEqual(R8_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, sigR8x: valid.sigR8x + 1n })).toEqual(R8_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, sigR8x: 0n, sigR8y: 0n })).toEqual(R8_OFF_CURVE)
        })

        it("rejects a bureau key off the curve (Ay + 1, (0, 0))", async () => {
            expect(await failureTrace(tester, { ...valid, bureauAy: valid.bureauAy + 1n })).toEqual(A_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, bureauAx: 0n, bureauAy: 0n })).toEqual(A_OFF_CURVE)
        })

        it("rejects S + l, a malleable copy of a valid signature (S >= the subgroup order)", async () => {
            expect(valid.sigS + BABYJUB_SUBORDER).toBeLessThan(2n ** 253n)
            expect(await failureTrace(tester, { ...valid, sigS: valid.sigS + BABYJUB_SUBORDER })).toEqual(S_NOT_BELOW_ORDER)
            expect(await failureTrace(tester, { ...valid, sigS: BABYJUB_SUBORDER })).toEqual(S_NOT_BELOW_ORDER)
        })

        it("rejects S of 253 bits or more (2^253, p - 1)", async () => {
            expect(await failureTrace(tester, { ...valid, sigS: 2n ** 253n })).toEqual(S_OVER_253_BITS)
            expect(await failureTrace(tester, { ...valid, sigS: P - 1n })).toEqual(S_OVER_253_BITS)
        })

        // With A of low order, e·(8·A) is the neutral point and S·B8 == R8 holds for any message:
        // anyone can "sign" with R8 = s·B8, S = s. Without its check verifySchnorr would accept
        // it; the circuit's verifier refuses keys with 8·A = O.
        for (const [name, key] of [
            ["the neutral point (0, 1)", [0n, 1n]],
            ["the point of order 2 (0, -1)", [0n, P - 1n]]
        ] as const) {
            it(`rejects a forgery under a low-order key, ${name}`, async () => {
                const nonce = keyBytes(`0x${"03".repeat(32)}`)
                const R8 = derivePublicKey(nonce).map(BigInt) as [bigint, bigint]
                const S = deriveSecretScalar(nonce)
                const message = attestationMessage({ ...claims, score: 999n })
                // the equation holds for any e: 8·A is neutral, and S·B8 is R8
                expect(mulPointEscalar([...key], 8n)).toEqual([0n, 1n])
                expect(mulPointEscalar(Base8, S)).toEqual(R8)
                expect(verifySchnorr(message, { R8, S }, key)).toBe(false)
                const forged = { ...claims, score: 999n, bureauAx: key[0], bureauAy: key[1], sigR8x: R8[0], sigR8y: R8[1], sigS: S }
                expect(await failureTrace(tester, forged)).toEqual(KEY_OF_LOW_ORDER)
            })
        }
    })
})
