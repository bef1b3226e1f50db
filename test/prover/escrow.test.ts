/**
 * The escrow's Baby Jubjub arithmetic, encryption and Chaum-Pedersen proofs
 * (prover/src/escrow/{curve,encrypt,dleq}.ts). That encryptCommitment equals the circuit is
 * checked on the circuit's witness in test/circuits/escrow.test.ts.
 */
import { addPoint, Base8, mulPointEscalar, subOrder } from "@zk-kit/baby-jubjub"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import {
    addPoints,
    decryptWithSecretKey,
    encryptCommitment,
    escrowMask,
    GENERATOR,
    invert,
    isInSubgroup,
    isOnCurve,
    multiply,
    multiplyGenerator,
    negate,
    NEUTRAL,
    openEscrow,
    parseEscrow,
    pointFromY,
    proveDleq,
    randomScalar,
    requirePoint,
    SUBGROUP_ORDER as L,
    verifyDleq,
    type Point
} from "../../prover/src/escrow/index.ts"
import { expectZkCreditError } from "../helpers/escrow.ts"


/** A torsion point of order 2: on the curve, not in the subgroup. */
const ORDER_2: Point = [0n, P - 1n]
const secretKey = 55555n
const key = multiplyGenerator(secretKey)

describe("curve", () => {
    it("multiply and addPoints equal @zk-kit/baby-jubjub's mulPointEscalar and addPoint", () => {
        expect(GENERATOR).toEqual(Base8)
        expect(L).toBe(subOrder)
        for (const k of [1n, 2n, 7n, L - 1n, randomScalar()]) {
            expect(multiplyGenerator(k)).toEqual(mulPointEscalar(Base8, k))
        }
        const p = multiplyGenerator(11n)
        const q = multiplyGenerator(13n)
        expect(addPoints(p, q)).toEqual(addPoint([p[0], p[1]], [q[0], q[1]]))
        expect(addPoints(p, negate(p))).toEqual(NEUTRAL)
        expect(multiply(p, L)).toEqual(NEUTRAL)
    })

    it("invert gives the inverse modulo l and refuses 0", () => {
        for (const x of [1n, 2n, L - 1n, randomScalar()]) expect((x * invert(x, L)) % L).toBe(1n)
        expect(() => invert(0n, L)).toThrow(RangeError)
    })

    it("isOnCurve / isInSubgroup tell curve points, torsion points and other pairs apart", () => {
        expect(isOnCurve(key) && isInSubgroup(key)).toBe(true)
        expect(isOnCurve(ORDER_2) && !isInSubgroup(ORDER_2)).toBe(true)
        expect(isOnCurve([key[0], key[1] + 1n])).toBe(false)
        expect(isOnCurve([key[0] + P, key[1]])).toBe(false)
        const mixed = addPoints(key, ORDER_2)
        expect(isOnCurve(mixed) && !isInSubgroup(mixed)).toBe(true)
    })

    it("requirePoint refuses shapes, off-curve pairs, the neutral point and points with a small-order part", () => {
        expect(requirePoint([key[0].toString(), key[1].toString()], "k")).toEqual(key)
        expectZkCreditError(() => requirePoint("1,2", "k"), "INVALID_ARGUMENT", "k")
        expectZkCreditError(() => requirePoint([1n], "k"), "INVALID_ARGUMENT", "k")
        expectZkCreditError(() => requirePoint(["x", "1"], "k"), "INVALID_ARGUMENT", "k[0]")
        expectZkCreditError(() => requirePoint([key[0], key[1] + 1n], "k"), "INVALID_POINT", "k")
        expectZkCreditError(() => requirePoint(NEUTRAL, "k"), "INVALID_POINT", "k")
        expectZkCreditError(() => requirePoint(ORDER_2, "k"), "INVALID_POINT", "k")
        expectZkCreditError(() => requirePoint(addPoints(key, ORDER_2), "k"), "INVALID_POINT", "k")
    })

    it("pointFromY finds ±P from P.y, and refuses a y of no point, outside the field or of a torsion point", () => {
        const p = pointFromY(key[1], "y")
        expect(p[1]).toBe(key[1])
        expect(p[0] === key[0] || p[0] === negate(key)[0]).toBe(true)
        expectZkCreditError(() => pointFromY(P, "y"), "INVALID_POINT", "y")
        expectZkCreditError(() => pointFromY(-1n, "y"), "INVALID_POINT", "y")
        expectZkCreditError(() => pointFromY(1n, "y"), "INVALID_POINT", "y") // the neutral point
        expectZkCreditError(() => pointFromY(P - 1n, "y"), "INVALID_POINT", "y") // order 2
        let noPoint = 2n
        while (true) {
            try {
                pointFromY(noPoint, "y")
                noPoint++
            } catch {
                break
            }
        }
        expectZkCreditError(() => pointFromY(noPoint, "y"), "INVALID_POINT", "y")
    })
})

describe("encryptCommitment / openEscrow / decryptWithSecretKey", () => {
    it("property: decryption with the whole key returns the commitment, for any commitment and r", () => {
        fc.assert(
            fc.property(fc.bigInt({ min: 0n, max: P - 1n }), fc.bigInt({ min: 1n, max: (1n << 250n) - 1n }), (m, r) => {
                const { escrow } = encryptCommitment(m, key, { ephemeralSecret: r })
                expect(decryptWithSecretKey(escrow, secretKey)).toBe(m)
                expect(decryptWithSecretKey(escrow, secretKey + 1n)).not.toBe(m)
            }),
            { numRuns: 25 }
        )
    })

    it("is hashed ElGamal: R = r·B8, c = m + Poseidon(domain, (r·PK).y); -S opens it too", () => {
        const { escrow } = encryptCommitment(7n, key, { ephemeralSecret: 3n })
        expect(escrow.ephemeralKeyY).toBe(multiplyGenerator(3n)[1])
        const shared = multiply(key, 3n)
        expect(escrow.ciphertext).toBe((7n + escrowMask(shared[1])) % P)
        expect(openEscrow(escrow, negate(shared))).toBe(7n)
    })

    it("draws a fresh r each call: same commitment, different R.y and c", () => {
        const a = encryptCommitment(7n, key)
        const b = encryptCommitment(7n, key)
        expect(a.circuitInput.ephemeralSecret).not.toBe(b.circuitInput.ephemeralSecret)
        expect(a.escrow.ephemeralKeyY).not.toBe(b.escrow.ephemeralKeyY)
        expect(a.escrow.ciphertext).not.toBe(b.escrow.ciphertext)
        expect(a.circuitInput.ephemeralSecret).toBeLessThan(1n << 250n)
    })

    it("refuses a bad commitment, key or ephemeral secret, naming it", () => {
        expectZkCreditError(() => encryptCommitment(P, key), "NOT_A_FIELD_ELEMENT", "commitment")
        expectZkCreditError(() => encryptCommitment(1n, ORDER_2), "INVALID_POINT", "committeeKey")
        expectZkCreditError(() => encryptCommitment(1n, [key[0], key[1] + 1n]), "INVALID_POINT", "committeeKey")
        expectZkCreditError(() => encryptCommitment(1n, key, { ephemeralSecret: 0n }), "OUT_OF_RANGE", "ephemeralSecret")
        expectZkCreditError(() => encryptCommitment(1n, key, { ephemeralSecret: 1n << 250n }), "OUT_OF_RANGE", "ephemeralSecret")
        expectZkCreditError(() => encryptCommitment(1n, key, { ephemeralSecret: "r" }), "INVALID_ARGUMENT", "ephemeralSecret")
    })

    it("parseEscrow refuses a ciphertext outside the field and an R.y of no prime-order point", () => {
        const { escrow } = encryptCommitment(7n, key)
        expect(parseEscrow({ ephemeralKeyY: escrow.ephemeralKeyY.toString(), ciphertext: escrow.ciphertext.toString() }).escrow).toEqual(escrow)
        expectZkCreditError(() => parseEscrow({ ...escrow, ciphertext: P }), "NOT_A_FIELD_ELEMENT", "escrow.ciphertext")
        expectZkCreditError(() => parseEscrow({ ...escrow, ephemeralKeyY: P - 1n }), "INVALID_POINT", "escrow.ephemeralKeyY")
        expectZkCreditError(() => parseEscrow(null), "INVALID_ARGUMENT", "escrow")
    })
})

describe("Chaum-Pedersen (proveDleq / verifyDleq)", () => {
    const s = 987654321n
    const H = multiplyGenerator(424242n)
    const statement = { G: GENERATOR, Y: multiplyGenerator(s), H, D: multiply(H, s), context: 9n }

    it("a proof by the secret verifies", () => {
        expect(verifyDleq(proveDleq(s, statement), statement)).toBe(true)
    })

    it("fails for another D, Y, H or context, an altered proof, and a response outside [0, l)", () => {
        const proof = proveDleq(s, statement)
        expect(verifyDleq(proof, { ...statement, D: multiply(H, s + 1n) })).toBe(false)
        expect(verifyDleq(proof, { ...statement, Y: multiplyGenerator(s + 1n) })).toBe(false)
        expect(verifyDleq(proof, { ...statement, H: multiplyGenerator(5n) })).toBe(false)
        expect(verifyDleq(proof, { ...statement, context: 10n })).toBe(false)
        expect(verifyDleq({ ...proof, response: proof.response + 1n }, statement)).toBe(false)
        expect(verifyDleq({ ...proof, challenge: proof.challenge + 1n }, statement)).toBe(false)
        expect(verifyDleq({ ...proof, response: proof.response + L }, statement)).toBe(false)
    })

    it("a prover without the secret cannot make one: proveDleq refuses a statement the secret does not make", () => {
        expectZkCreditError(() => proveDleq(s + 1n, statement), "INVALID_ARGUMENT", "secret")
        // D from another secret: log_G(Y) != log_H(D)
        expectZkCreditError(() => proveDleq(s, { ...statement, D: multiply(H, 2n) }), "INVALID_ARGUMENT", "secret")
    })
})
