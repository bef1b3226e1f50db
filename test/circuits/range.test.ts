/**
 * RangeCheck, AssertGreaterEq and AssertInWindow (circuits/src/lib/range.circom) at the widths
 * the credit proof uses for scores (16) and times (40): boundaries, 2^bits, and values near the
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
const WINDOW_START = at("AssertInWindow", FILES.range, "RangeCheck(bits)(start)")
const WINDOW_T = at("AssertInWindow", FILES.range, "RangeCheck(bits)(t)")
const WINDOW_END = at("AssertInWindow", FILES.range, "RangeCheck(bits)(end)")
const WINDOW_STARTED = at("AssertInWindow", FILES.range, "started === 1")
const WINDOW_NOT_ENDED = at("AssertInWindow", FILES.range, "notEnded === 1")

for (const bits of [16, 40]) {
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

    describe(`AssertInWindow(${bits}): start <= t < end`, () => {
        let tester: WitnessTester
        beforeAll(async () => {
            tester = await witnessTester(`assert_in_window_${bits}`, { file: "lib/range", template: "AssertInWindow", params: [bits] })
        })

        const passes: [bigint, bigint, bigint][] = [
            [0n, 0n, 1n],
            [700n, 700n, 701n], // t = start
            [700n, 800n, 801n], // t = end - 1
            [0n, 0n, MAX],
            [0n, MAX - 1n, MAX],
            [MAX - 1n, MAX - 1n, MAX]
        ]
        for (const [start, t, end] of passes) {
            it(`accepts ${start} <= ${t} < ${end}`, async () => {
                await validWitness(tester, { start, t, end })
            })
        }

        const beforeStart: [bigint, bigint, bigint][] = [
            [700n, 699n, 800n], // off by one
            [1n, 0n, 2n],
            [MAX, 0n, MAX],
            [MAX, MAX - 1n, MAX],
            [800n, 700n, 700n] // before its start and at its end: the start is checked first
        ]
        for (const [start, t, end] of beforeStart) {
            it(`rejects t = ${t} before start = ${start} (end ${end})`, async () => {
                expect(await failureTrace(tester, { start, t, end })).toEqual([WINDOW_STARTED])
            })
        }

        const notBeforeEnd: [bigint, bigint, bigint][] = [
            [0n, 800n, 800n], // t = end
            [0n, 801n, 800n],
            [0n, 0n, 0n],
            [0n, MAX, MAX],
            [0n, MAX, 0n]
        ]
        for (const [start, t, end] of notBeforeEnd) {
            it(`rejects t = ${t} not before end = ${end} (start ${start})`, async () => {
                expect(await failureTrace(tester, { start, t, end })).toEqual([WINDOW_NOT_ENDED])
            })
        }

        for (const [name, value] of outOfRange) {
            it(`rejects start = ${name}`, async () => {
                expect(await failureTrace(tester, { start: value, t: 700n, end: 800n })).toEqual([WINDOW_START, RANGE, NUM2BITS])
            })
            it(`rejects t = ${name}`, async () => {
                expect(await failureTrace(tester, { start: 0n, t: value, end: MAX })).toEqual([WINDOW_T, RANGE, NUM2BITS])
            })
            it(`rejects end = ${name}`, async () => {
                expect(await failureTrace(tester, { start: 0n, t: 700n, end: value })).toEqual([WINDOW_END, RANGE, NUM2BITS])
            })
        }
    })
}

// Why the range checks are there: circomlib's comparators alone are only sound on inputs that
// already fit in n bits. Near the field size they wrap around.
describe("circomlib comparators without a range check (why RangeCheck exists)", () => {
    let greaterEq16: WitnessTester
    let less40: WitnessTester
    beforeAll(async () => {
        // range.circom includes comparators.circom, so its templates can be the main
        greaterEq16 = await witnessTester("plain_greater_eq_than_16", { file: "lib/range", template: "GreaterEqThan", params: [16] })
        less40 = await witnessTester("plain_less_than_40", { file: "lib/range", template: "LessThan", params: [40] })
    })

    it("GreaterEqThan(16) says 5 >= p - 1; AssertGreaterEq(16) refuses it (test above)", async () => {
        const witness = await validWitness(greaterEq16, { in: [5n, P - 1n] })
        expect(await read(greaterEq16, witness, "out")).toBe(1n)
        // and, sanity: it does say 5 >= 700 is false
        expect(await read(greaterEq16, await validWitness(greaterEq16, { in: [5n, 700n] }), "out")).toBe(0n)
    })

    it("LessThan(40) says p - 1 < 1,800,000,000 (a currentTime of -1 before any expiry); AssertInWindow(40) refuses it", async () => {
        const witness = await validWitness(less40, { in: [P - 1n, 1_800_000_000n] })
        expect(await read(less40, witness, "out")).toBe(1n)
    })
})
