/**
 * RangeCheck, AssertGreaterEq and AssertLess (circuits/src/lib/range.circom) at the widths the
 * credit proof uses for scores (16) and times (64): boundaries, 2^bits, and values near the
 * field size. Every failing case checks which constraint broke.
 */
import type { WitnessTester } from "circomkit"
import { beforeAll, describe, expect, it } from "vitest"
import { SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import { at, FILES, failureTrace, read, validWitness, witnessTester } from "./utils.ts"

// the failing constraints
const NUM2BITS = at("Num2Bits", FILES.bitify, "lc1 === in") // the bits do not sum to the value
const RANGE = at("RangeCheck", FILES.range, "Num2Bits(bits)(in)")
const GE_A = at("AssertGreaterEq", FILES.range, "RangeCheck(bits)(a)")
const GE_B = at("AssertGreaterEq", FILES.range, "RangeCheck(bits)(b)")
const GE_OK = at("AssertGreaterEq", FILES.range, "ok === 1")
const LT_A = at("AssertLess", FILES.range, "RangeCheck(bits)(a)")
const LT_B = at("AssertLess", FILES.range, "RangeCheck(bits)(b)")
const LT_OK = at("AssertLess", FILES.range, "ok === 1")

for (const bits of [16, 64]) {
    const TOP = 1n << BigInt(bits) // 2^bits, the first value out of range
    const MAX = TOP - 1n

    /** Values that are not below 2^bits, each named. */
    const outOfRange: [string, bigint][] = [
        ["2^bits", TOP],
        ["2^bits + 1", TOP + 1n],
        ["2^(bits+1)", TOP * 2n],
        ["p - 2^bits", P - TOP],
        ["p - 2", P - 2n],
        ["p - 1 (-1)", P - 1n]
    ]

    describe(`RangeCheck(${bits})`, () => {
        let tester: WitnessTester
        beforeAll(async () => {
            tester = await witnessTester(`range_check_${bits}`, { file: "lib/range", template: "RangeCheck", params: [bits] })
        })

        for (const value of [0n, 1n, MAX - 1n, MAX]) {
            it(`accepts ${value}`, async () => {
                await validWitness(tester, { in: value })
            })
        }

        for (const [name, value] of outOfRange) {
            it(`rejects ${name}`, async () => {
                expect(await failureTrace(tester, { in: value })).toEqual([RANGE, NUM2BITS])
            })
        }
    })

    describe(`AssertGreaterEq(${bits})`, () => {
        let tester: WitnessTester
        beforeAll(async () => {
            tester = await witnessTester(`assert_greater_eq_${bits}`, { file: "lib/range", template: "AssertGreaterEq", params: [bits] })
        })

        const passes: [bigint, bigint][] = [
            [0n, 0n],
            [700n, 700n], // equal
            [701n, 700n],
            [MAX, 0n],
            [MAX, MAX],
            [MAX, MAX - 1n]
        ]
        for (const [a, b] of passes) {
            it(`accepts ${a} >= ${b}`, async () => {
                await validWitness(tester, { a, b })
            })
        }

        const below: [bigint, bigint][] = [
            [699n, 700n], // off by one
            [0n, 1n],
            [0n, MAX],
            [MAX - 1n, MAX]
        ]
        for (const [a, b] of below) {
            it(`rejects ${a} >= ${b} (a below b)`, async () => {
                expect(await failureTrace(tester, { a, b })).toEqual([GE_OK])
            })
        }

        for (const [name, value] of outOfRange) {
            it(`rejects a = ${name}`, async () => {
                expect(await failureTrace(tester, { a: value, b: 700n })).toEqual([GE_A, RANGE, NUM2BITS])
            })
            it(`rejects b = ${name}`, async () => {
                expect(await failureTrace(tester, { a: MAX, b: value })).toEqual([GE_B, RANGE, NUM2BITS])
            })
        }
    })

    describe(`AssertLess(${bits})`, () => {
        let tester: WitnessTester
        beforeAll(async () => {
            tester = await witnessTester(`assert_less_${bits}`, { file: "lib/range", template: "AssertLess", params: [bits] })
        })

        const passes: [bigint, bigint][] = [
            [0n, 1n],
            [699n, 700n], // off by one
            [0n, MAX],
            [MAX - 1n, MAX]
        ]
        for (const [a, b] of passes) {
            it(`accepts ${a} < ${b}`, async () => {
                await validWitness(tester, { a, b })
            })
        }

        const notLess: [bigint, bigint][] = [
            [700n, 700n], // equal
            [701n, 700n],
            [0n, 0n],
            [MAX, MAX],
            [MAX, 0n]
        ]
        for (const [a, b] of notLess) {
            it(`rejects ${a} < ${b}`, async () => {
                expect(await failureTrace(tester, { a, b })).toEqual([LT_OK])
            })
        }

        for (const [name, value] of outOfRange) {
            it(`rejects a = ${name}`, async () => {
                expect(await failureTrace(tester, { a: value, b: 700n })).toEqual([LT_A, RANGE, NUM2BITS])
            })
            it(`rejects b = ${name}`, async () => {
                expect(await failureTrace(tester, { a: 0n, b: value })).toEqual([LT_B, RANGE, NUM2BITS])
            })
        }
    })
}

// Why the range checks are there: circomlib's comparators alone are only sound on inputs that
// already fit in n bits. Near the field size they wrap around.
describe("circomlib comparators without a range check (why RangeCheck exists)", () => {
    let greaterEq16: WitnessTester
    let less64: WitnessTester
    beforeAll(async () => {
        // range.circom includes comparators.circom, so its templates can be the main
        greaterEq16 = await witnessTester("plain_greater_eq_than_16", { file: "lib/range", template: "GreaterEqThan", params: [16] })
        less64 = await witnessTester("plain_less_than_64", { file: "lib/range", template: "LessThan", params: [64] })
    })

    it("GreaterEqThan(16) says 5 >= p - 1; AssertGreaterEq(16) refuses it (test above)", async () => {
        const witness = await validWitness(greaterEq16, { in: [5n, P - 1n] })
        expect(await read(greaterEq16, witness, "out")).toBe(1n)
        // and, sanity: it does say 5 >= 700 is false
        expect(await read(greaterEq16, await validWitness(greaterEq16, { in: [5n, 700n] }), "out")).toBe(0n)
    })

    it("LessThan(64) says p - 1 < 1,800,000,000 (a currentTime of -1 before any expiry); AssertLess(64) refuses it", async () => {
        const witness = await validWitness(less64, { in: [P - 1n, 1_800_000_000n] })
        expect(await read(less64, witness, "out")).toBe(1n)
    })
})
