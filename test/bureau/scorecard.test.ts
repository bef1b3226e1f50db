import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
    maxPointsOf,
    ONCHAIN_TABLES,
    PERSON_TABLES,
    pointsFor,
    REASON_DESCRIPTIONS,
    RECORDED_DEFAULTS_TABLE,
    renderApplicantFieldsMarkdown,
    renderScorecardMarkdown,
    SCORE_MAX,
    SCORE_MIN,
    scoreApplicant,
    SME_TABLES,
    type FactorTable,
    type ScoreResult
} from "../../bureau/src/index.ts"
import { DEFAULTED_RECORD, GOOD_PERSON, GOOD_RECORD, GOOD_SME, LOSS_MAKING_SME, PERFECT_PERSON, THIN_FILE_PERSON, TROUBLED_PERSON, WORST_PERSON } from "./examples.ts"

const pointsOf = (result: ScoreResult): Record<string, number> => Object.fromEntries(result.breakdown.factors.map((f) => [f.factor, f.points]))

describe("scorecard", () => {
    describe("# tables", () => {
        const all: [string, readonly FactorTable[]][] = [
            ["person", PERSON_TABLES],
            ["sme", SME_TABLES],
            ["onchain", ONCHAIN_TABLES]
        ]

        it.each(all)("%s: bands are contiguous integer ranges from the lowest value up", (_kind, tables) => {
            for (const table of tables) {
                const first = table.bands[0]!
                expect(first.min === 0 || first.min === -Infinity, table.factor).toBe(true)
                for (let i = 1; i < table.bands.length; i++) {
                    expect(table.bands[i]!.min, `${table.factor} band ${i}`).toBe(table.bands[i - 1]!.max + 1)
                }
                for (const band of table.bands) expect(band.min <= band.max, table.factor).toBe(true)
            }
        })

        it.each(all)("%s: points never go the wrong way, and an undefined value sits between the ends", (_kind, tables) => {
            for (const table of tables) {
                const points = table.bands.map((b) => b.points)
                const ordered = table.better === "higher" ? points : [...points].reverse()
                for (let i = 1; i < ordered.length; i++) expect(ordered[i]!, table.factor).toBeGreaterThanOrEqual(ordered[i - 1]!)
                if (table.whenUndefined) {
                    expect(table.whenUndefined.points, table.factor).toBeGreaterThanOrEqual(Math.min(...points))
                    expect(table.whenUndefined.points, table.factor).toBeLessThanOrEqual(Math.max(...points))
                }
            }
        })

        it("persons and SMEs can each earn exactly 550 points: the best applicant scores 850", () => {
            const sum = (tables: readonly FactorTable[]): number => tables.reduce((total, t) => total + maxPointsOf(t), 0)
            expect(SCORE_MIN + sum(PERSON_TABLES)).toBe(SCORE_MAX)
            expect(SCORE_MIN + sum(SME_TABLES)).toBe(SCORE_MAX)
        })

        it("every reason code has a description", () => {
            const reasons = [...PERSON_TABLES, ...SME_TABLES, ...ONCHAIN_TABLES, RECORDED_DEFAULTS_TABLE].flatMap((t) => [t.reason, t.whenUndefined?.reason ?? null]).filter((r) => r !== null)
            for (const reason of reasons) expect(REASON_DESCRIPTIONS[reason]).toMatch(/\.$/)
        })

        it("pointsFor reads the band holding the value, and refuses a value no band holds", () => {
            const income = PERSON_TABLES.find((t) => t.factor === "monthlyIncome")!
            expect([0, 1, 2_999, 3_000, 49_999, 50_000, 1e8].map((v) => pointsFor(income, v))).toEqual([0, 5, 5, 15, 45, 50, 50])
            expect(() => pointsFor(income, -1)).toThrowError(RangeError)
            expect(() => pointsFor(income, null)).toThrowError(RangeError)
        })

        it("bureau/README.md shows the tables and fields the code scores", () => {
            const readme = readFileSync(new URL("../../bureau/README.md", import.meta.url), "utf8")
            for (const kind of ["person", "sme", "onchain", "kyc"] as const) expect(readme).toContain(renderScorecardMarkdown(kind))
            for (const kind of ["person", "sme"] as const) expect(readme).toContain(renderApplicantFieldsMarkdown(kind))
        })
    })

    describe("# scoreApplicant: pinned examples", () => {
        it("a good person: 785", () => {
            const result = scoreApplicant(GOOD_PERSON)
            expect(result.score).toBe(785)
            expect(pointsOf(result)).toEqual({ onTimeShare: 120, onTimePayments: 45, creditUtilisation: 90, monthlyIncome: 35, debtToIncome: 50, creditHistory: 65, pastDefaults: 80 })
            expect(result.breakdown).toMatchObject({ scorecardVersion: "zkcredit-scorecard/1", kind: "person", basePoints: 300, unclampedScore: 785, onChainRecord: null })
            expect(result.breakdown.factors.find((f) => f.factor === "debtToIncome")).toEqual({ factor: "debtToIncome", value: 2_000, points: 50, maxPoints: 60, reason: "HIGH_DEBT_TO_INCOME" })
            expect(result.breakdown.reasons).toEqual(["HIGH_CREDIT_UTILISATION", "SHORT_CREDIT_HISTORY", "LOW_INCOME", "HIGH_DEBT_TO_INCOME"])
        })

        it("a thin file: 545, with the undefined ratios scored as their tables say", () => {
            const result = scoreApplicant(THIN_FILE_PERSON)
            expect(result.score).toBe(545)
            expect(pointsOf(result)).toEqual({ onTimeShare: 40, onTimePayments: 0, creditUtilisation: 50, monthlyIncome: 15, debtToIncome: 60, creditHistory: 0, pastDefaults: 80 })
            const share = result.breakdown.factors[0]!
            expect(share).toEqual({ factor: "onTimeShare", value: null, points: 40, maxPoints: 120, reason: "NO_RECENT_PAYMENTS" })
            expect(result.breakdown.reasons).toEqual(["SHORT_CREDIT_HISTORY", "NO_RECENT_PAYMENTS", "NO_REVOLVING_CREDIT", "FEW_ON_TIME_PAYMENTS"])
        })

        it("a troubled person: 425, the biggest losses first", () => {
            const result = scoreApplicant(TROUBLED_PERSON)
            expect(result.score).toBe(425)
            expect(pointsOf(result)).toEqual({ onTimeShare: 30, onTimePayments: 20, creditUtilisation: 0, monthlyIncome: 15, debtToIncome: 0, creditHistory: 50, pastDefaults: 10 })
            expect(result.breakdown.factors[0]!.value).toBe(5_555) // floor(10 / 18 in basis points)
            expect(result.breakdown.reasons).toEqual(["HIGH_CREDIT_UTILISATION", "LATE_PAYMENTS", "PAST_DEFAULTS", "HIGH_DEBT_TO_INCOME"])
        })

        it("the top band everywhere is 850 with no reasons; the bottom band everywhere is 300", () => {
            expect(scoreApplicant(PERFECT_PERSON)).toMatchObject({ score: 850, breakdown: { unclampedScore: 850, reasons: [] } })
            const worst = scoreApplicant(WORST_PERSON)
            expect(worst.score).toBe(300)
            expect(worst.breakdown.factors.every((f) => f.points === 0)).toBe(true)
            expect(worst.breakdown.factors.find((f) => f.factor === "debtToIncome")).toMatchObject({ value: null, reason: "NO_INCOME" })
        })

        it("a good SME: 780", () => {
            const result = scoreApplicant(GOOD_SME)
            expect(result.score).toBe(780)
            expect(pointsOf(result)).toEqual({
                onTimeShare: 120,
                onTimePayments: 45,
                creditUtilisation: 40,
                cashFlowMargin: 55,
                positiveCashFlowMonths: 40,
                monthlyRevenue: 25,
                timeInBusiness: 75,
                pastDefaults: 80
            })
            expect(result.breakdown.factors.find((f) => f.factor === "cashFlowMargin")!.value).toBe(2_000)
        })

        it("a loss-making SME: 460, its negative margin floored", () => {
            const result = scoreApplicant(LOSS_MAKING_SME)
            expect(result.score).toBe(460)
            expect(pointsOf(result)).toEqual({
                onTimeShare: 60,
                onTimePayments: 10,
                creditUtilisation: 30,
                cashFlowMargin: 0,
                positiveCashFlowMonths: 0,
                monthlyRevenue: 15,
                timeInBusiness: 15,
                pastDefaults: 30
            })
            expect(result.breakdown.factors.find((f) => f.factor === "cashFlowMargin")).toMatchObject({ value: -2_000, reason: "LOW_CASH_FLOW_MARGIN" })
            // -1 yuan on 3 yuan of revenue is -3333.33 bps: floored, not truncated toward 0
            expect(scoreApplicant({ ...LOSS_MAKING_SME, averageMonthlyRevenueYuan: 3, averageMonthlyExpensesYuan: 4 }).breakdown.factors.find((f) => f.factor === "cashFlowMargin")!.value).toBe(-3_334)
            expect(scoreApplicant({ ...LOSS_MAKING_SME, averageMonthlyRevenueYuan: 0 }).breakdown.factors.find((f) => f.factor === "cashFlowMargin")).toMatchObject({ value: null, points: 0, reason: "NO_REVENUE" })
        })

        it("an on-chain record adds its points: +20 for two repaid loans, -5 for a late instalment", () => {
            const result = scoreApplicant(GOOD_PERSON, GOOD_RECORD)
            expect(result.score).toBe(800)
            expect(pointsOf(result)).toMatchObject({ onChainLoansRepaid: 20, onChainLateInstalments: -5, onChainDefaults: 0 })
            expect(result.breakdown.onChainRecord).toEqual(GOOD_RECORD)
        })

        it("an on-chain default costs 120 points, and is the first reason given", () => {
            const result = scoreApplicant(GOOD_PERSON, DEFAULTED_RECORD)
            expect(result.score).toBe(645)
            expect(result.breakdown.reasons[0]).toBe("ONCHAIN_DEFAULTS")
        })

        it("a default recorded against the identity in the KYC registry costs 120 points (160 for two), and is the first reason given", () => {
            const result = scoreApplicant(GOOD_PERSON, null, 1)
            expect(result.score).toBe(scoreApplicant(GOOD_PERSON).score - 120)
            expect(result.breakdown.reasons[0]).toBe("RECORDED_DEFAULTS")
            expect(result.breakdown.factors.at(-1)).toEqual({ factor: "recordedDefaults", value: 1, points: -120, maxPoints: 0, reason: "RECORDED_DEFAULTS" })
            expect(scoreApplicant(GOOD_PERSON, GOOD_RECORD, 2).score).toBe(scoreApplicant(GOOD_PERSON, GOOD_RECORD).score - 160)
            // none recorded: the factor is left out, the score is as before
            expect(scoreApplicant(GOOD_PERSON, null, 0)).toEqual(scoreApplicant(GOOD_PERSON))
            for (const bad of [-1, 1.5, Number.NaN]) expect(() => scoreApplicant(GOOD_PERSON, null, bad)).toThrowError(expect.objectContaining({ code: "INVALID_VALUE", field: "recordedDefaults" }))
        })

        it("an empty record changes nothing; a bonus above 850 is clamped", () => {
            expect(scoreApplicant(GOOD_PERSON, { loansTaken: 0, loansRepaid: 0, lateInstalments: 0, defaults: 0 }).score).toBe(scoreApplicant(GOOD_PERSON).score)
            const capped = scoreApplicant(PERFECT_PERSON, { loansTaken: 9, loansRepaid: 9, lateInstalments: 0, defaults: 0 })
            expect(capped.score).toBe(850)
            expect(capped.breakdown.unclampedScore).toBe(890)
            expect(capped.breakdown.reasons).toEqual([])
        })

        it("is deterministic and does not touch its input", () => {
            const input = structuredClone(GOOD_SME)
            expect(scoreApplicant(input)).toEqual(scoreApplicant(GOOD_SME))
            expect(input).toEqual(GOOD_SME)
        })

        it("checks its arguments: a bad applicant or record throws a BureauInputError naming the field", () => {
            expect(() => scoreApplicant({ ...GOOD_PERSON, pastDefaults: -1 })).toThrowError(expect.objectContaining({ name: "BureauInputError", field: "applicant.pastDefaults" }))
            expect(() => scoreApplicant(GOOD_PERSON, { ...GOOD_RECORD, defaults: 1.5 })).toThrowError(expect.objectContaining({ field: "onChainRecord.defaults", code: "NOT_AN_INTEGER" }))
        })
    })
})
