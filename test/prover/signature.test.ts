/**
 * The bureau's signature scheme (prover/src/signature.ts): Schnorr over Baby Jubjub with a
 * 128-bit Poseidon challenge over the key's hash and the message. Checked against
 * @zk-kit/baby-jubjub's arithmetic, the reference, and against EdDSA-Poseidon, whose keys it
 * shares and whose signatures it must not accept.
 */
import { addPoint, Base8, mulPointEscalar, subOrder } from "@zk-kit/baby-jubjub"
import { derivePublicKey, signMessage } from "#eddsa-poseidon"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { poseidon6 } from "poseidon-lite/poseidon6"
import { describe, expect, it } from "vitest"
import { createBureauKey, SIGNATURE_CHALLENGE_BITS, SIGNATURE_SCHEME, signatureChallenge, signSchnorr, verifySchnorr, type SchnorrSignature } from "../../prover/src/index.ts"
import { BUREAU_PRIVATE_KEY } from "../helpers/fixtures.ts"

const key = createBureauKey(BUREAU_PRIVATE_KEY)
const bytes = Uint8Array.from(Buffer.from(key.privateKey.slice(2), "hex"))
const A = key.publicKey as [bigint, bigint]
const message = [987_654_321n, 5n, 7n] as const
const signature = signSchnorr(bytes, A, message)
/** `message` with its first element changed. */
const another = [message[0] + 1n, message[1], message[2]] as const

describe("bureau signatures", () => {
    describe("# signatureChallenge", () => {
        it("is the low 128 bits of Poseidon(R8x, R8y, Poseidon(Ax, Ay), ...message), and the scheme is named after them", () => {
            expect(SIGNATURE_CHALLENGE_BITS).toBe(128)
            expect(SIGNATURE_SCHEME).toBe("schnorr-poseidon-128")
            const full = poseidon6([signature.R8[0], signature.R8[1], poseidon2([A[0], A[1]]), ...message])
            expect(signatureChallenge(signature.R8, A, message)).toBe(full % 2n ** 128n)
            expect(full).toBeGreaterThan(2n ** 128n) // the cut drops bits
        })

        it("refuses a message of no or more than four elements, or not an array, with INVALID_ARGUMENT", () => {
            for (const bad of [[], [1n, 2n, 3n, 4n, 5n], 1n]) {
                expect(() => signatureChallenge(signature.R8, A, bad as never)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "message" }))
                expect(() => signSchnorr(bytes, A, bad as never)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "message" }))
            }
        })
    })

    describe("# signSchnorr", () => {
        it("satisfies S·B8 == R8 + e·(8·A) in the reference library's arithmetic, with the key EdDSA-Poseidon derives", () => {
            expect(A).toEqual(derivePublicKey(bytes).map(BigInt))
            const e = signatureChallenge(signature.R8, A, message)
            const left = mulPointEscalar(Base8, signature.S)
            const right = addPoint([...signature.R8], mulPointEscalar(mulPointEscalar(A, 8n), e))
            expect(left).toEqual(right)
            expect(signature.S).toBeLessThan(subOrder)
        })

        it("is deterministic, and another message gets another nonce", () => {
            expect(signSchnorr(bytes, A, message)).toEqual(signature)
            expect(signSchnorr(bytes, A, another).R8).not.toEqual(signature.R8)
        })

        it("never takes EdDSA-Poseidon's nonce for the same key and message (two challenges under one nonce would reveal the key)", () => {
            for (const m of [message[0], 0n, 1n, 2n ** 200n]) expect(signSchnorr(bytes, A, [m]).R8).not.toEqual(signMessage(bytes, m).R8.map(BigInt))
        })
    })

    describe("# verifySchnorr", () => {
        it("accepts the signature, and no other message, key, S or R8", () => {
            expect(verifySchnorr(message, signature, A)).toBe(true)
            expect(verifySchnorr(another, signature, A)).toBe(false)
            expect(verifySchnorr(message.slice(0, 2), signature, A)).toBe(false)
            expect(verifySchnorr(message, signature, createBureauKey().publicKey)).toBe(false)
            expect(verifySchnorr(message, { ...signature, S: (signature.S + 1n) % subOrder }, A)).toBe(false)
            expect(verifySchnorr(message, { ...signature, R8: signSchnorr(bytes, A, another).R8 }, A)).toBe(false)
        })

        it("refuses an EdDSA-Poseidon signature of the same message by the same key (full-width challenge)", () => {
            const eddsa = signMessage(bytes, message[0])
            const parsed: SchnorrSignature = { R8: [BigInt(eddsa.R8[0]), BigInt(eddsa.R8[1])], S: BigInt(eddsa.S) }
            expect(verifySchnorr([message[0]], parsed, A)).toBe(false)
        })

        it("refuses S + l (malleability), S below zero, R8 or A off the curve", () => {
            expect(verifySchnorr(message, { ...signature, S: signature.S + subOrder }, A)).toBe(false)
            expect(verifySchnorr(message, { ...signature, S: -1n }, A)).toBe(false)
            expect(verifySchnorr(message, { ...signature, R8: [signature.R8[0], signature.R8[1] + 1n] }, A)).toBe(false)
            expect(verifySchnorr(message, signature, [A[0], A[1] + 1n])).toBe(false)
        })

        it("refuses a forgery under a key of small order, where S·B8 == R8 holds for any message", () => {
            const S = 12_345n
            const R8 = mulPointEscalar(Base8, S)
            for (const lowOrder of [[0n, 1n], [0n, 21888242871839275222246405745257275088548364400416034343698204186575808495616n]] as [bigint, bigint][]) {
                expect(mulPointEscalar(lowOrder, 8n)).toEqual([0n, 1n])
                expect(verifySchnorr(message, { R8, S }, lowOrder)).toBe(false)
            }
        })
    })
})
