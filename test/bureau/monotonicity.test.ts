/**
 * Property tests: better data never lowers a score, and every score is an integer in
 * [300, 850].
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { APPLICANT_FIELDS, parseApplicant, scoreApplicant, SCORE_MAX, SCORE_MIN, type Applicant, type OnChainRecord, type PersonApplicant, type SmeApplicant } from "../../bureau/src/index.ts"

const RUNS = 400

const capOf = (kind: Applicant["kind"], name: string): number => APPLICANT_FIELDS[kind].find((f) => f.name === name)!.max

/** Mostly values near the bands, sometimes anywhere up to the cap. */
const count = (typicalMax: number, cap: number): fc.Arbitrary<number> =>
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: typicalMax }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: cap }) })

const utilisation = fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 100 }).map((p) => p / 100))

const person: fc.Arbitrary<PersonApplicant> = fc.record({
    kind: fc.constant("person" as const),
    onTimePayments24m: count(60, capOf("person", "onTimePayments24m")),
    latePayments24m: count(20, capOf("person", "latePayments24m")),
    creditUtilisation: utilisation,
    monthlyIncomeYuan: count(80_000, capOf("person", "monthlyIncomeYuan")),
    monthlyDebtPaymentsYuan: count(40_000, capOf("person", "monthlyDebtPaymentsYuan")),
    creditHistoryMonths: count(200, capOf("person", "creditHistoryMonths")),
    pastDefaults: count(5, capOf("person", "pastDefaults"))
})

const sme: fc.Arbitrary<SmeApplicant> = fc.record({
    kind: fc.constant("sme" as const),
    onTimePayments24m: count(60, capOf("sme", "onTimePayments24m")),
    latePayments24m: count(20, capOf("sme", "latePayments24m")),
    creditUtilisation: utilisation,
    averageMonthlyRevenueYuan: count(8_000_000, capOf("sme", "averageMonthlyRevenueYuan")),
    averageMonthlyExpensesYuan: count(8_000_000, capOf("sme", "averageMonthlyExpensesYuan")),
    positiveCashFlowMonths12m: fc.integer({ min: 0, max: 12 }),
    monthsInBusiness: count(200, capOf("sme", "monthsInBusiness")),
    pastDefaults: count(5, capOf("sme", "pastDefaults"))
})

const record: fc.Arbitrary<OnChainRecord> = fc.record({
    loansTaken: count(20, 2 ** 32 - 1),
    loansRepaid: count(10, 2 ** 32 - 1),
    lateInstalments: count(12, 2 ** 32 - 1),
    defaults: count(4, 2 ** 32 - 1)
})

/** How each factor improves: up for "more is better", down for "less is better". */
const PERSON_BETTER: Record<Exclude<keyof PersonApplicant, "kind">, "up" | "down"> = {
    onTimePayments24m: "up",
    latePayments24m: "down",
    creditUtilisation: "down",
    monthlyIncomeYuan: "up",
    monthlyDebtPaymentsYuan: "down",
    creditHistoryMonths: "up",
    pastDefaults: "down"
}

const SME_BETTER: Record<Exclude<keyof SmeApplicant, "kind">, "up" | "down"> = {
    onTimePayments24m: "up",
    latePayments24m: "down",
    creditUtilisation: "down",
    averageMonthlyRevenueYuan: "up",
    averageMonthlyExpensesYuan: "down",
    positiveCashFlowMonths12m: "up",
    monthsInBusiness: "up",
    pastDefaults: "down"
}

const RECORD_BETTER: Record<"loansRepaid" | "lateInstalments" | "defaults", "up" | "down"> = { loansRepaid: "up", lateInstalments: "down", defaults: "down" }

/**
 * Moves one value in the better direction by a step (as a fraction of the room left, so steps
 * of every size happen), staying within [0, cap].
 */
function improve(value: number, direction: "up" | "down", cap: number, step: number, fraction: boolean): number {
    if (direction === "up") return fraction ? value + (cap - value) * step : value + Math.ceil((cap - value) * step)
    return fraction ? value * (1 - step) : value - Math.ceil(value * step)
}

const step = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0.0001, 0.001, 0.01, 1))

function improvedApplicant<A extends Applicant>(applicant: A, field: string, direction: "up" | "down", by: number): A {
    const value = (applicant as unknown as Record<string, number | null>)[field]
    if (value === null || value === undefined) return applicant
    const spec = APPLICANT_FIELDS[applicant.kind].find((f) => f.name === field)!
    // steps small enough to stay in one band happen too: ceil makes every integer step at least 1 when room is left
    const next = improve(value, direction, spec.max, by, spec.type === "fraction")
    return { ...applicant, [field]: spec.type === "fraction" ? Math.min(1, Math.max(0, next)) : next }
}

function expectNotLower(before: Applicant, after: Applicant, recordBefore: OnChainRecord | null = null, recordAfter: OnChainRecord | null = recordBefore): void {
    parseApplicant(after) // the improved applicant is valid
    const a = scoreApplicant(before, recordBefore)
    const b = scoreApplicant(after, recordAfter)
    expect(b.score).toBeGreaterThanOrEqual(a.score)
    // stronger: the unclamped sum never drops either, so clamping hides no inversion
    expect(b.breakdown.unclampedScore).toBeGreaterThanOrEqual(a.breakdown.unclampedScore)
}

describe("scorecard properties", () => {
    it("a person: improving any one factor never lowers the score", () => {
        const fields = Object.keys(PERSON_BETTER) as (keyof typeof PERSON_BETTER)[]
        fc.assert(
            fc.property(person, fc.option(record, { nil: null }), fc.constantFrom(...fields), step, (applicant, onChain, field, by) => {
                expectNotLower(applicant, improvedApplicant(applicant, field, PERSON_BETTER[field], by), onChain)
            }),
            { numRuns: RUNS * 3 }
        )
    })

    it("an SME: improving any one factor (revenue, expenses, positive months, ...) never lowers the score", () => {
        const fields = Object.keys(SME_BETTER) as (keyof typeof SME_BETTER)[]
        fc.assert(
            fc.property(sme, fc.option(record, { nil: null }), fc.constantFrom(...fields), step, (applicant, onChain, field, by) => {
                expectNotLower(applicant, improvedApplicant(applicant, field, SME_BETTER[field], by), onChain)
            }),
            { numRuns: RUNS * 3 }
        )
    })

    it("a better on-chain record (more repaid, fewer late instalments, fewer defaults) never lowers the score", () => {
        const fields = Object.keys(RECORD_BETTER) as (keyof typeof RECORD_BETTER)[]
        fc.assert(
            fc.property(fc.oneof(person, sme), record, fc.constantFrom(...fields), step, (applicant, before, field, by) => {
                const after = { ...before, [field]: improve(before[field], RECORD_BETTER[field], 2 ** 32 - 1, by, false) }
                expectNotLower(applicant, applicant, before, after)
            }),
            { numRuns: RUNS * 2 }
        )
    })

    it("improving several factors at once never lowers the score either", () => {
        fc.assert(
            fc.property(person, fc.array(fc.tuple(fc.constantFrom(...(Object.keys(PERSON_BETTER) as (keyof typeof PERSON_BETTER)[])), step), { maxLength: 5 }), (applicant, steps) => {
                let better = applicant
                for (const [field, by] of steps) better = improvedApplicant(better, field, PERSON_BETTER[field], by)
                expectNotLower(applicant, better)
            }),
            { numRuns: RUNS }
        )
    })

    it("a first payment, a first yuan of income or revenue never costs points (undefined ratios sit between the ends)", () => {
        fc.assert(
            fc.property(person, sme, (p, s) => {
                const noPayments = { ...p, onTimePayments24m: 0, latePayments24m: 0 }
                expectNotLower(noPayments, { ...noPayments, onTimePayments24m: 1 })
                expectNotLower({ ...noPayments, latePayments24m: 1 }, noPayments)
                const noIncome = { ...p, monthlyIncomeYuan: 0 }
                expectNotLower(noIncome, { ...noIncome, monthlyIncomeYuan: 1 })
                const noRevenue = { ...s, averageMonthlyRevenueYuan: 0 }
                expectNotLower(noRevenue, { ...noRevenue, averageMonthlyRevenueYuan: 1 })
            }),
            { numRuns: RUNS }
        )
    })

    it("every score is an integer in [300, 850], equal to the clamped sum of its breakdown", () => {
        fc.assert(
            fc.property(fc.oneof(person, sme), fc.option(record, { nil: null }), (applicant, onChain) => {
                const { score, breakdown } = scoreApplicant(applicant, onChain)
                expect(Number.isInteger(score)).toBe(true)
                expect(score).toBeGreaterThanOrEqual(SCORE_MIN)
                expect(score).toBeLessThanOrEqual(SCORE_MAX)
                const sum = breakdown.factors.reduce((total, f) => total + f.points, breakdown.basePoints)
                expect(breakdown.unclampedScore).toBe(sum)
                expect(score).toBe(Math.min(SCORE_MAX, Math.max(SCORE_MIN, sum)))
                for (const f of breakdown.factors) expect(f.points <= f.maxPoints && (f.reason === null) === (f.points === f.maxPoints || f.factor === "onChainLoansRepaid")).toBe(true)
            }),
            { numRuns: RUNS * 2 }
        )
    })

    it("an applicant survives a JSON round trip unchanged, and scores the same", () => {
        fc.assert(
            fc.property(fc.oneof(person, sme), (applicant) => {
                const parsed = parseApplicant(JSON.stringify(applicant))
                expect(parsed).toEqual(applicant)
                expect(scoreApplicant(parsed)).toEqual(scoreApplicant(applicant))
            }),
            { numRuns: RUNS }
        )
    })
})
