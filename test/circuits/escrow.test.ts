/**
 * IdentityEscrow(ESCROW_DOMAIN) (circuits/src/lib/escrow.circom): it computes what the prover's
 * encryptCommitment computes, every constraint has an input or a witness edit that breaks it,
 * and two escrows of one commitment are unlinkable (fresh r).
 */
import type { WitnessTester } from "circomkit"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { Identity, SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import {
    EPHEMERAL_SECRET_BITS,
    ESCROW_DOMAIN,
    encryptCommitment,
    decryptWithSecretKey,
    multiply,
    multiplyGenerator,
    negate,
    NEUTRAL,
    SUBGROUP_ORDER as L,
    type EscrowCircuitInput,
    type Point
} from "../../prover/src/escrow/index.ts"
import { at, circomkit, FILES, failureTrace, read, torsionPointOfOrder8, validWitness, witnessTester } from "./utils.ts"

const ESCROW_FILE = FILES.escrow
const R_OVER_250_BITS = [at("IdentityEscrow", ESCROW_FILE, "Num2Bits(250)(ephemeralSecret)"), at("Num2Bits", FILES.bitify, "lc1 === in")]
const R_IS_ZERO = [at("IdentityEscrow", ESCROW_FILE, "ephemeralSecret * rInverse === 1")]
const KEY_OFF_CURVE = [at("IdentityEscrow", ESCROW_FILE, "BabyCheck()(committeeKeyX, committeeKeyY)"), at("BabyCheck", FILES.babyjub, "a*x2 + y2 === 1 + d*x2*y2")]
const KEY_OF_SMALL_ORDER = [at("IdentityEscrow", ESCROW_FILE, "eightX * eightXInverse === 1")]

const secretKey = 123456789012345678901234567890n
const committeeKey = multiplyGenerator(secretKey)
const otherKey = multiplyGenerator(987654321n)
const commitment = new Identity(42n).commitment

function inputOf(m: bigint, key: Point, r: bigint): EscrowCircuitInput {
    return encryptCommitment(m, key, { ephemeralSecret: r }).circuitInput
}

const valid = inputOf(commitment, committeeKey, 0xC0FFEEn)

describe("IdentityEscrow", () => {
    let tester: WitnessTester
    beforeAll(async () => {
        tester = await witnessTester("identity_escrow", { file: "lib/escrow", template: "IdentityEscrow", params: [ESCROW_DOMAIN] })
    })

    it("fits the budget the credit proof leaves: at most 16,000 - 10,497 = 5,503 constraints at the build's O2 (3,301)", async () => {
        // the tester compiles without O2's linear simplification; count as the credit proof is built
        await circomkit.compile("identity_escrow_count", { file: "lib/escrow", template: "IdentityEscrow", params: [ESCROW_DOMAIN], pubs: ["committeeKeyY"] })
        const { constraints } = await circomkit.info("identity_escrow_count")
        expect(constraints).toBeLessThanOrEqual(16_000 - 10_497)
        expect(constraints).toBe(3301)
    })

    describe("valid escrows", () => {
        it("outputs what encryptCommitment outputs, for r = 1, 2^250 - 1 and random r, other commitments and keys", async () => {
            const cases: [bigint, Point, bigint][] = [
                [commitment, committeeKey, 1n],
                [commitment, committeeKey, (1n << 250n) - 1n],
                [0n, otherKey, 7n],
                [P - 1n, committeeKey, 0xC0FFEEn],
                [new Identity().commitment, otherKey, encryptCommitment(1n, otherKey).circuitInput.ephemeralSecret]
            ]
            for (const [m, key, r] of cases) {
                const { escrow, circuitInput } = encryptCommitment(m, key, { ephemeralSecret: r })
                const witness = await validWitness(tester, { ...circuitInput })
                expect(await read(tester, witness, "ephemeralKeyY")).toBe(escrow.ephemeralKeyY)
                expect(await read(tester, witness, "ciphertext")).toBe(escrow.ciphertext)
                expect(decryptWithSecretKey(escrow, key === committeeKey ? secretKey : 987654321n)).toBe(m)
            }
        })

        it("accepts -PK for PK (same y): the ciphertext is the same, which is why y alone names the key", async () => {
            const negated = negate(committeeKey)
            const witness = await validWitness(tester, { ...valid, committeeKeyX: negated[0] })
            const original = await validWitness(tester, valid)
            expect(await read(tester, witness, "ciphertext")).toBe(await read(tester, original, "ciphertext"))
        })
    })

    describe("the ephemeral secret", () => {
        it("rejects r >= 2^250 (2^250, l, p - 1): r must be a scalar below the subgroup order", async () => {
            expect(BigInt(EPHEMERAL_SECRET_BITS)).toBe(250n)
            expect(1n << 250n).toBeLessThan(L)
            for (const r of [1n << 250n, L, L + 1n, P - 1n]) {
                expect(await failureTrace(tester, { ...valid, ephemeralSecret: r })).toEqual(R_OVER_250_BITS)
            }
        })

        it("rejects r = 0 (R and S would be the neutral point: anyone could open it)", async () => {
            expect(await failureTrace(tester, { ...valid, ephemeralSecret: 0n })).toEqual(R_IS_ZERO)
        })

        it("a witness with a bit of r or the inverse of r edited breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.rBits[0]": 1n - (valid.ephemeralSecret & 1n) }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.rBits[5]": 2n }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.rInverse": 0n }))
        })
    })

    describe("the committee key", () => {
        it("rejects a key off the curve (x + 1, y + 1 with the right x, (0, 0))", async () => {
            expect(await failureTrace(tester, { ...valid, committeeKeyX: valid.committeeKeyX + 1n })).toEqual(KEY_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, committeeKeyY: valid.committeeKeyY + 1n })).toEqual(KEY_OFF_CURVE)
            expect(await failureTrace(tester, { ...valid, committeeKeyX: 0n, committeeKeyY: 0n })).toEqual(KEY_OFF_CURVE)
        })

        it("rejects keys of small order: the neutral point, the point of order 2 and one of order 8", async () => {
            const order8 = torsionPointOfOrder8()
            for (const key of [NEUTRAL, [0n, P - 1n] as Point, order8, multiply(order8, 2n)]) {
                expect(await failureTrace(tester, { ...valid, committeeKeyX: key[0], committeeKeyY: key[1] })).toEqual(KEY_OF_SMALL_ORDER)
            }
        })

        it("a witness with the key's y, the shared point or the 8·PK inverse edited breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.committeeKeyY": otherKey[1] }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.shared[1]": otherKey[1] }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.eightXInverse": 1n }))
            // the doublings towards 8·PK
            for (const signal of ["main.twoX", "main.fourY", "main.eightX"]) {
                await tester.expectConstraintFail(await tester.editWitness(witness, { [signal]: 12345n }))
            }
        })
    })

    describe("the outputs", () => {
        it("a witness with the ciphertext edited (another commitment's, +1) breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            const another = encryptCommitment(commitment + 1n, committeeKey, { ephemeralSecret: valid.ephemeralSecret }).escrow.ciphertext
            for (const fake of [another, another + 1n, 0n]) {
                await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ciphertext": fake }))
            }
        })

        it("a witness with the ciphertext of another key, or the mask, edited breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            const underOtherKey = encryptCommitment(commitment, otherKey, { ephemeralSecret: valid.ephemeralSecret }).escrow.ciphertext
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ciphertext": underOtherKey }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.mask": 5n }))
        })

        it("a witness with R.y edited (another r's, the y of -R... is the same, so R + B8) breaks a constraint", async () => {
            const witness = await validWitness(tester, valid)
            const anotherR = multiplyGenerator(valid.ephemeralSecret + 1n)[1]
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ephemeralKeyY": anotherR }))
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.ephemeralKey[0]": 0n }))
        })
    })

    // An observer sees (R.y, c) per escrow. Under DDH in the prime-order subgroup, with Poseidon
    // as a random oracle, (R, mask) looks like (a random point, a random field element), so c
    // is a one-time pad of the commitment and escrows are independent of one another: the
    // only link between two escrows would be a shared r (equal R.y, and c - c' equal to the
    // difference of the plaintexts). Fresh r makes R, S and the mask distinct: that is what a
    // test can check, and what it checks here, on the circuit itself.
    it("property: two escrows of one commitment with fresh r differ in R.y and c; only a reused r links them", async () => {
        const scalar = fc.bigInt({ min: 1n, max: (1n << 250n) - 1n })
        await fc.assert(
            fc.asyncProperty(fc.bigInt({ min: 0n, max: P - 1n }), scalar, scalar, async (m, r1, r2) => {
                fc.pre(r1 !== r2)
                const w1 = await validWitness(tester, inputOf(m, committeeKey, r1))
                const w2 = await validWitness(tester, inputOf(m, committeeKey, r2))
                const [y1, y2] = [await read(tester, w1, "ephemeralKeyY"), await read(tester, w2, "ephemeralKeyY")]
                const [c1, c2] = [await read(tester, w1, "ciphertext"), await read(tester, w2, "ciphertext")]
                expect(y1).not.toBe(y2)
                expect(c1).not.toBe(c2)
                // the link a reused r would give: same R.y, ciphertexts differing by the plaintexts' difference
                const reused = await validWitness(tester, inputOf((m + 1n) % P, committeeKey, r1))
                expect(await read(tester, reused, "ephemeralKeyY")).toBe(y1)
                expect(((await read(tester, reused, "ciphertext")) - c1 + P) % P).toBe(1n)
            }),
            { numRuns: 10 }
        )
    })
})
