import { poseidon2 } from "poseidon-lite/poseidon2"
import { Base8, mulPointEscalar } from "@zk-kit/baby-jubjub"
import { describe, expect, it } from "vitest"
import {
    ATTESTATION_DOMAIN,
    attestationMessage,
    BABYJUB_SUBORDER,
    bureauKeyHash,
    createBureauKey,
    isLowOrderKey,
    parseAttestation,
    signAttestation,
    SIGNATURE_SCHEME,
    TIME_BITS,
    verifyAttestation
} from "../../prover/src/index.ts"
import { BUREAU_PRIVATE_KEY, NOW } from "../helpers/fixtures.ts"

const claims = { commitment: 123n, score: 720, issuedAt: NOW, expiresAt: NOW + 86_400 }

describe("attestations", () => {
    describe("# createBureauKey", () => {
        it("derives the same public key from the same private key, and its hash is Poseidon(Ax, Ay)", () => {
            const a = createBureauKey(BUREAU_PRIVATE_KEY)
            const b = createBureauKey(BUREAU_PRIVATE_KEY)
            expect(a.publicKey).toEqual(b.publicKey)
            expect(a.keyHash).toBe(poseidon2([a.publicKey[0], a.publicKey[1]]))
            expect(bureauKeyHash(a.publicKey)).toBe(a.keyHash)
            expect(createBureauKey().keyHash).not.toBe(a.keyHash)
        })

        it("refuses private keys that are not 32 bytes", () => {
            expect(() => createBureauKey("0x1234")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "privateKey" }))
            expect(() => createBureauKey(new Uint8Array(31))).toThrowError(expect.objectContaining({ parameter: "privateKey" }))
        })
    })

    describe("# attestationMessage", () => {
        it("is [domain, commitment, score·2^80 + issuedAt·2^40 + expiresAt]", () => {
            expect(TIME_BITS).toBe(40)
            expect(attestationMessage(claims)).toEqual([ATTESTATION_DOMAIN, 123n, 720n * 2n ** 80n + BigInt(NOW) * 2n ** 40n + BigInt(NOW + 86_400)])
        })

        it("gives every claim its own bits: changing one by one changes the message, and no two claims collide", () => {
            const packed = (c: typeof claims) => attestationMessage(c)[2]
            const seen = new Set([packed(claims), packed({ ...claims, score: 721 }), packed({ ...claims, issuedAt: NOW + 1 }), packed({ ...claims, expiresAt: NOW + 86_401 })])
            expect(seen.size).toBe(4)
            // the largest times do not reach the score's bits
            const last = 2n ** BigInt(TIME_BITS) - 1n
            expect(packed({ ...claims, score: 0, issuedAt: Number(last - 1n), expiresAt: Number(last) })).toBeLessThan(2n ** 80n)
        })

        it(`takes times up to 2^${TIME_BITS} - 1, the circuit's width`, () => {
            const last = 2n ** BigInt(TIME_BITS) - 1n
            expect(attestationMessage({ ...claims, issuedAt: last - 1n, expiresAt: last })[2]).toBe(720n * 2n ** 80n + (last - 1n) * 2n ** 40n + last)
        })

        it("refuses claims the circuit would refuse", () => {
            expect(() => attestationMessage({ ...claims, score: 1 << 16 })).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "score" }))
            expect(() => attestationMessage({ ...claims, issuedAt: 2n ** BigInt(TIME_BITS) })).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "issuedAt" }))
            expect(() => attestationMessage({ ...claims, expiresAt: 2n ** BigInt(TIME_BITS) })).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "expiresAt" }))
            expect(() => attestationMessage({ ...claims, expiresAt: NOW })).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "expiresAt" }))
            expect(() => attestationMessage({ ...claims, commitment: -1n })).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "commitment" }))
        })
    })

    describe("# signAttestation / verifyAttestation", () => {
        const bureau = createBureauKey(BUREAU_PRIVATE_KEY)
        const attestation = signAttestation(claims, bureau.privateKey)

        it("signs a JSON-safe attestation that verifies under the bureau key", () => {
            expect(JSON.parse(JSON.stringify(attestation))).toEqual(attestation)
            expect(attestation.bureauPublicKey).toEqual(bureau.publicKey.map(String))
            expect(verifyAttestation(attestation)).toBe(true)
        })

        it("fails to verify when any claim or the key changes", () => {
            expect(verifyAttestation({ ...attestation, score: 850 })).toBe(false)
            expect(verifyAttestation({ ...attestation, commitment: "124" })).toBe(false)
            expect(verifyAttestation({ ...attestation, expiresAt: attestation.expiresAt + 1 })).toBe(false)
            const other = createBureauKey()
            expect(verifyAttestation({ ...attestation, bureauPublicKey: other.publicKey.map(String) as [string, string] })).toBe(false)
        })

        it("fails for S at or above the subgroup order (signature malleability) and R8 off the curve", () => {
            const S = (BigInt(attestation.signature.S) + BABYJUB_SUBORDER).toString()
            expect(verifyAttestation({ ...attestation, signature: { ...attestation.signature, S } })).toBe(false)
            const R8: [string, string] = [attestation.signature.R8[0], (BigInt(attestation.signature.R8[1]) + 1n).toString()]
            expect(verifyAttestation({ ...attestation, signature: { ...attestation.signature, R8 } })).toBe(false)
        })

        it("refuses a small-order bureau key, under which anyone can forge a signature", () => {
            // with A = (0, 1), S·B8 = R8 + h·8·A = R8: pick S, set R8 = S·B8, any message verifies
            const S = 12345n
            const R8 = mulPointEscalar(Base8, S)
            const forged = { ...attestation, score: 850, bureauPublicKey: ["0", "1"] as [string, string], signature: { scheme: SIGNATURE_SCHEME, R8: [R8[0].toString(), R8[1].toString()] as [string, string], S: S.toString() } }
            expect(isLowOrderKey([0n, 1n])).toBe(true)
            expect(isLowOrderKey(bureau.publicKey)).toBe(false)
            expect(verifyAttestation(forged)).toBe(false)
        })

        it("refuses an attestation without this scheme's name (one signed with EdDSA-Poseidon before) with INVALID_SIGNATURE, asking for a new one", () => {
            const { scheme: _, ...older } = attestation.signature
            for (const signature of [older, { ...older, scheme: "eddsa-poseidon" }, { ...older, scheme: 128 }]) {
                expect(() => parseAttestation({ ...attestation, signature })).toThrowError(
                    expect.objectContaining({ code: "INVALID_SIGNATURE", parameter: "attestation.signature.scheme", message: expect.stringContaining("ask the bureau for a new attestation") })
                )
                expect(() => verifyAttestation({ ...attestation, signature } as never)).toThrowError(expect.objectContaining({ code: "INVALID_SIGNATURE" }))
            }
        })

        it("parseAttestation names the malformed field", () => {
            expect(() => parseAttestation(null)).toThrowError(expect.objectContaining({ parameter: "attestation" }))
            expect(() => parseAttestation({ ...attestation, signature: { scheme: SIGNATURE_SCHEME, R8: ["1"], S: "1" } })).toThrowError(expect.objectContaining({ parameter: "attestation.signature.R8" }))
            expect(() => parseAttestation({ ...attestation, score: "high" })).toThrowError(expect.objectContaining({ parameter: "attestation.score" }))
            expect(() => parseAttestation({ ...attestation, bureauPublicKey: ["1", "-2"] })).toThrowError(expect.objectContaining({ parameter: "attestation.bureauPublicKey[1]" }))
        })
    })
})
