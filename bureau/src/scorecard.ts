/**
 * The zkcredit scorecard: a points table per factor, one set for persons and one for SMEs, and
 * an optional on-chain factor from the applicant's pseudonym. A score is
 * `clamp(300 + sum of factor points, 300, 850)`; the best possible applicant without an
 * on-chain record scores exactly 850.
 *
 * Pure and deterministic: integers only (ratios are floored basis points, utilisation is
 * rounded to basis points once), no clock, no randomness; runs in Node and browsers.
 *
 * Every table is monotone in the direction the factor's `better` says, so better data never
 * lowers a score (the tests check the tables and the property). The README's tables are
 * rendered from these (`renderScorecardMarkdown`), and a test keeps the two equal.
 */
import { parseApplicant, parseOnChainRecord, type Applicant, type OnChainRecord, type PersonApplicant, type SmeApplicant } from "./applicant.ts"
import { BureauInputError } from "./errors.ts"

/** Version of the tables below. Change it with any change to a table: scores are not comparable across versions. */
export const SCORECARD_VERSION = "zkcredit-scorecard/1"

/** The lowest score. Every applicant starts from it. */
export const SCORE_MIN = 300

/** The highest score. */
export const SCORE_MAX = 850

/** Why an applicant lost points on a factor (like the reason codes of an adverse-action notice). */
export type ReasonCode =
    | "LATE_PAYMENTS"
    | "NO_RECENT_PAYMENTS"
    | "FEW_ON_TIME_PAYMENTS"
    | "HIGH_CREDIT_UTILISATION"
    | "NO_REVOLVING_CREDIT"
    | "LOW_INCOME"
    | "NO_INCOME"
    | "HIGH_DEBT_TO_INCOME"
    | "SHORT_CREDIT_HISTORY"
    | "PAST_DEFAULTS"
    | "NO_REVENUE"
    | "LOW_CASH_FLOW_MARGIN"
    | "FEW_POSITIVE_CASH_FLOW_MONTHS"
    | "LOW_REVENUE"
    | "SHORT_TIME_IN_BUSINESS"
    | "ONCHAIN_LATE_INSTALMENTS"
    | "ONCHAIN_DEFAULTS"
    | "RECORDED_DEFAULTS"

/** What each {@link ReasonCode} tells the applicant. */
export const REASON_DESCRIPTIONS: Readonly<Record<ReasonCode, string>> = {
    LATE_PAYMENTS: "Some payments in the last 24 months were 30 or more days late.",
    NO_RECENT_PAYMENTS: "No payments in the last 24 months to judge payment behaviour by.",
    FEW_ON_TIME_PAYMENTS: "Few on-time payments in the last 24 months.",
    HIGH_CREDIT_UTILISATION: "A large share of revolving credit limits is in use.",
    NO_REVOLVING_CREDIT: "No revolving credit, so no utilisation to judge.",
    LOW_INCOME: "Monthly income is low.",
    NO_INCOME: "No income reported, so debt cannot be set against income.",
    HIGH_DEBT_TO_INCOME: "A large share of income goes to existing debt repayments.",
    SHORT_CREDIT_HISTORY: "The credit history is short.",
    PAST_DEFAULTS: "One or more past defaults.",
    NO_REVENUE: "No revenue reported, so no cash-flow margin.",
    LOW_CASH_FLOW_MARGIN: "Expenses take most or all of revenue.",
    FEW_POSITIVE_CASH_FLOW_MONTHS: "Few of the last 12 months had revenue above expenses.",
    LOW_REVENUE: "Revenue is low.",
    SHORT_TIME_IN_BUSINESS: "The business is young.",
    ONCHAIN_LATE_INSTALMENTS: "The pseudonym's on-chain record has late instalments.",
    ONCHAIN_DEFAULTS: "The pseudonym's on-chain record has defaulted loans.",
    RECORDED_DEFAULTS: "A compliance officer recorded a default against this identity in the KYC registry."
}

/** A factor of the scorecard: one row group of its points tables. */
export type FactorName =
    | "onTimeShare"
    | "onTimePayments"
    | "creditUtilisation"
    | "monthlyIncome"
    | "debtToIncome"
    | "creditHistory"
    | "cashFlowMargin"
    | "positiveCashFlowMonths"
    | "monthlyRevenue"
    | "timeInBusiness"
    | "pastDefaults"
    | "onChainLoansRepaid"
    | "onChainLateInstalments"
    | "onChainDefaults"
    | "recordedDefaults"

/** One row of a points table: a factor value in `[min, max]` (inclusive; ±Infinity for open ends) earns `points`. */
export interface PointsBand {
    readonly min: number
    readonly max: number
    readonly points: number
}

/** The points table of one factor. */
export interface FactorTable {
    readonly factor: FactorName
    /** What the factor measures, for people. */
    readonly title: string
    /** How the value is computed from the applicant's fields. */
    readonly computedFrom: string
    /** Unit of the value: `bps` are basis points (1/100 of a percent). */
    readonly unit: "count" | "months" | "yuan" | "bps"
    /** Which direction is better; the bands' points never go the other way. */
    readonly better: "higher" | "lower"
    /** Contiguous integer ranges from lowest to highest value. */
    readonly bands: readonly PointsBand[]
    /** Points when the value is undefined (for example a ratio over nothing), and why. */
    readonly whenUndefined?: { readonly meaning: string; readonly points: number; readonly reason: ReasonCode | null }
    /** Reason given when the value earns less than the factor's maximum; `null` for a pure bonus. */
    readonly reason: ReasonCode | null
}

const onTimeShareTable: FactorTable = {
    factor: "onTimeShare",
    title: "Share of payments made on time, last 24 months",
    computedFrom: "floor(10000 × onTimePayments24m / (onTimePayments24m + latePayments24m))",
    unit: "bps",
    better: "higher",
    bands: [
        { min: 0, max: 4_999, points: 0 },
        { min: 5_000, max: 7_999, points: 30 },
        { min: 8_000, max: 8_999, points: 60 },
        { min: 9_000, max: 9_499, points: 85 },
        { min: 9_500, max: 9_899, points: 105 },
        { min: 9_900, max: 10_000, points: 120 }
    ],
    // between "all late" and "all on time": going from no payments to one of either never jumps the wrong way
    whenUndefined: { meaning: "no payments in 24 months", points: 40, reason: "NO_RECENT_PAYMENTS" },
    reason: "LATE_PAYMENTS"
}

const onTimePaymentsTable: FactorTable = {
    factor: "onTimePayments",
    title: "Depth of the payment record: on-time payments, last 24 months",
    computedFrom: "onTimePayments24m",
    unit: "count",
    better: "higher",
    bands: [
        { min: 0, max: 0, points: 0 },
        { min: 1, max: 5, points: 10 },
        { min: 6, max: 11, points: 20 },
        { min: 12, max: 23, points: 35 },
        { min: 24, max: Infinity, points: 45 }
    ],
    reason: "FEW_ON_TIME_PAYMENTS"
}

const pastDefaultsTable: FactorTable = {
    factor: "pastDefaults",
    title: "Past defaults",
    computedFrom: "pastDefaults",
    unit: "count",
    better: "lower",
    bands: [
        { min: 0, max: 0, points: 80 },
        { min: 1, max: 1, points: 30 },
        { min: 2, max: 2, points: 10 },
        { min: 3, max: Infinity, points: 0 }
    ],
    reason: "PAST_DEFAULTS"
}

/** The person scorecard (maximum 550 points above {@link SCORE_MIN}). */
export const PERSON_TABLES: readonly FactorTable[] = [
    onTimeShareTable,
    onTimePaymentsTable,
    {
        factor: "creditUtilisation",
        title: "Revolving credit utilisation",
        computedFrom: "round(10000 × creditUtilisation)",
        unit: "bps",
        better: "lower",
        bands: [
            { min: 0, max: 1_000, points: 110 },
            { min: 1_001, max: 3_000, points: 90 },
            { min: 3_001, max: 5_000, points: 60 },
            { min: 5_001, max: 7_500, points: 30 },
            { min: 7_501, max: 9_000, points: 10 },
            { min: 9_001, max: 10_000, points: 0 }
        ],
        whenUndefined: { meaning: "no revolving credit (null)", points: 50, reason: "NO_REVOLVING_CREDIT" },
        reason: "HIGH_CREDIT_UTILISATION"
    },
    {
        factor: "monthlyIncome",
        title: "Net monthly income",
        computedFrom: "monthlyIncomeYuan",
        unit: "yuan",
        better: "higher",
        bands: [
            { min: 0, max: 0, points: 0 },
            { min: 1, max: 2_999, points: 5 },
            { min: 3_000, max: 5_999, points: 15 },
            { min: 6_000, max: 9_999, points: 25 },
            { min: 10_000, max: 19_999, points: 35 },
            { min: 20_000, max: 49_999, points: 45 },
            { min: 50_000, max: Infinity, points: 50 }
        ],
        reason: "LOW_INCOME"
    },
    {
        factor: "debtToIncome",
        title: "Debt repayments as a share of income",
        computedFrom: "floor(10000 × monthlyDebtPaymentsYuan / monthlyIncomeYuan)",
        unit: "bps",
        better: "lower",
        bands: [
            { min: 0, max: 1_000, points: 60 },
            { min: 1_001, max: 2_000, points: 50 },
            { min: 2_001, max: 3_500, points: 35 },
            { min: 3_501, max: 5_000, points: 15 },
            { min: 5_001, max: 7_000, points: 5 },
            { min: 7_001, max: Infinity, points: 0 }
        ],
        // no income is the worst case whatever the debt: adding income can then only help
        whenUndefined: { meaning: "no income", points: 0, reason: "NO_INCOME" },
        reason: "HIGH_DEBT_TO_INCOME"
    },
    {
        factor: "creditHistory",
        title: "Length of credit history",
        computedFrom: "creditHistoryMonths",
        unit: "months",
        better: "higher",
        bands: [
            { min: 0, max: 0, points: 0 },
            { min: 1, max: 5, points: 10 },
            { min: 6, max: 11, points: 20 },
            { min: 12, max: 23, points: 35 },
            { min: 24, max: 47, points: 50 },
            { min: 48, max: 83, points: 65 },
            { min: 84, max: 119, points: 75 },
            { min: 120, max: Infinity, points: 85 }
        ],
        reason: "SHORT_CREDIT_HISTORY"
    },
    pastDefaultsTable
]

/** The SME scorecard (maximum 550 points above {@link SCORE_MIN}): cash flow replaces income, time in business replaces credit history. */
export const SME_TABLES: readonly FactorTable[] = [
    onTimeShareTable,
    onTimePaymentsTable,
    {
        factor: "creditUtilisation",
        title: "Revolving business credit utilisation",
        computedFrom: "round(10000 × creditUtilisation)",
        unit: "bps",
        better: "lower",
        bands: [
            { min: 0, max: 1_000, points: 70 },
            { min: 1_001, max: 3_000, points: 55 },
            { min: 3_001, max: 5_000, points: 40 },
            { min: 5_001, max: 7_500, points: 20 },
            { min: 7_501, max: 9_000, points: 5 },
            { min: 9_001, max: 10_000, points: 0 }
        ],
        whenUndefined: { meaning: "no revolving credit (null)", points: 30, reason: "NO_REVOLVING_CREDIT" },
        reason: "HIGH_CREDIT_UTILISATION"
    },
    {
        factor: "cashFlowMargin",
        title: "Net cash-flow margin",
        computedFrom: "floor(10000 × (averageMonthlyRevenueYuan − averageMonthlyExpensesYuan) / averageMonthlyRevenueYuan)",
        unit: "bps",
        better: "higher",
        bands: [
            { min: -Infinity, max: -1, points: 0 },
            { min: 0, max: 499, points: 15 },
            { min: 500, max: 999, points: 30 },
            { min: 1_000, max: 1_999, points: 45 },
            { min: 2_000, max: 2_999, points: 55 },
            { min: 3_000, max: 10_000, points: 60 }
        ],
        whenUndefined: { meaning: "no revenue", points: 0, reason: "NO_REVENUE" },
        reason: "LOW_CASH_FLOW_MARGIN"
    },
    {
        factor: "positiveCashFlowMonths",
        title: "Months with positive cash flow, last 12",
        computedFrom: "positiveCashFlowMonths12m",
        unit: "months",
        better: "higher",
        bands: [
            { min: 0, max: 3, points: 0 },
            { min: 4, max: 6, points: 15 },
            { min: 7, max: 9, points: 30 },
            { min: 10, max: 11, points: 40 },
            { min: 12, max: 12, points: 50 }
        ],
        reason: "FEW_POSITIVE_CASH_FLOW_MONTHS"
    },
    {
        factor: "monthlyRevenue",
        title: "Average monthly revenue",
        computedFrom: "averageMonthlyRevenueYuan",
        unit: "yuan",
        better: "higher",
        bands: [
            { min: 0, max: 0, points: 0 },
            { min: 1, max: 49_999, points: 5 },
            { min: 50_000, max: 199_999, points: 15 },
            { min: 200_000, max: 999_999, points: 25 },
            { min: 1_000_000, max: 4_999_999, points: 35 },
            { min: 5_000_000, max: Infinity, points: 40 }
        ],
        reason: "LOW_REVENUE"
    },
    {
        factor: "timeInBusiness",
        title: "Time in business",
        computedFrom: "monthsInBusiness",
        unit: "months",
        better: "higher",
        bands: [
            { min: 0, max: 5, points: 0 },
            { min: 6, max: 11, points: 15 },
            { min: 12, max: 23, points: 30 },
            { min: 24, max: 35, points: 45 },
            { min: 36, max: 59, points: 60 },
            { min: 60, max: 119, points: 75 },
            { min: 120, max: Infinity, points: 85 }
        ],
        reason: "SHORT_TIME_IN_BUSINESS"
    },
    pastDefaultsTable
]

/** The points of a count of defaults: the market's record and the KYC registry's are scored alike. */
const DEFAULT_COUNT_BANDS: readonly PointsBand[] = [
    { min: 0, max: 0, points: 0 },
    { min: 1, max: 1, points: -120 },
    { min: 2, max: 2, points: -160 },
    { min: 3, max: Infinity, points: -180 }
]

/**
 * The on-chain factor, used only when the applicant names their pseudonym and the bureau reads
 * its record from the chain. An empty record scores 0: naming a fresh pseudonym neither helps
 * nor hurts. Repaid loans can add up to 40 points (still capped at {@link SCORE_MAX}).
 */
export const ONCHAIN_TABLES: readonly FactorTable[] = [
    {
        factor: "onChainLoansRepaid",
        title: "On-chain record: loans repaid in full",
        computedFrom: "record.loansRepaid",
        unit: "count",
        better: "higher",
        bands: [
            { min: 0, max: 0, points: 0 },
            { min: 1, max: 1, points: 10 },
            { min: 2, max: 2, points: 20 },
            { min: 3, max: 3, points: 30 },
            { min: 4, max: Infinity, points: 40 }
        ],
        // a bonus: not having one is no reason for a low score
        reason: null
    },
    {
        factor: "onChainLateInstalments",
        title: "On-chain record: late instalments",
        computedFrom: "record.lateInstalments",
        unit: "count",
        better: "lower",
        bands: [
            { min: 0, max: 0, points: 0 },
            { min: 1, max: 1, points: -5 },
            { min: 2, max: 2, points: -10 },
            { min: 3, max: 4, points: -20 },
            { min: 5, max: 7, points: -30 },
            { min: 8, max: Infinity, points: -40 }
        ],
        reason: "ONCHAIN_LATE_INSTALMENTS"
    },
    {
        factor: "onChainDefaults",
        title: "On-chain record: defaulted loans",
        computedFrom: "record.defaults",
        unit: "count",
        better: "lower",
        bands: DEFAULT_COUNT_BANDS,
        reason: "ONCHAIN_DEFAULTS"
    }
]

/**
 * The identity's default records: loans whose escrow the committee opened to this identity and
 * whose default a compliance officer then recorded in the KYC registry (`MemberRemovedForDefault`).
 * The bureau reads them from the chain for the bound commitment; the applicant cannot leave them
 * out, as it can leave a pseudonym unproven. A loan already counted in the proven on-chain record
 * is not counted again. Readmission after repayment does not erase the record (as a recovered loan
 * still counts in the market's `defaults`). Scored only when there is one: an identity without a
 * default record is scored as before.
 */
export const RECORDED_DEFAULTS_TABLE: FactorTable = {
    factor: "recordedDefaults",
    title: "Defaults recorded against the identity (KYC registry)",
    computedFrom: "recordedDefaults",
    unit: "count",
    better: "lower",
    bands: DEFAULT_COUNT_BANDS,
    reason: "RECORDED_DEFAULTS"
}

/** The points one factor earned. */
export interface FactorScore {
    factor: FactorName
    /** The value the table was read at (basis points for ratios); `null` when undefined (see the table). */
    value: number | null
    points: number
    /** The most this factor can earn. */
    maxPoints: number
    /** Why points were lost; `null` at full points. */
    reason: ReasonCode | null
}

/** How a score was reached. */
export interface ScoreBreakdown {
    scorecardVersion: string
    kind: Applicant["kind"]
    /** {@link SCORE_MIN}: every applicant starts here. */
    basePoints: number
    /** One entry per table row group, in table order; on-chain factors only when a record was used. */
    factors: FactorScore[]
    /** `basePoints` + all factor points, before clamping to [300, 850]. */
    unclampedScore: number
    /** The on-chain record that was scored, or `null` when none was given. */
    onChainRecord: OnChainRecord | null
    /** Up to four reasons, most points lost first: what would raise the score most. */
    reasons: ReasonCode[]
}

/** A score and how it was reached. */
export interface ScoreResult {
    /** An integer in [{@link SCORE_MIN}, {@link SCORE_MAX}]. */
    score: number
    breakdown: ScoreBreakdown
}

/** How many reason codes a breakdown lists at most. */
export const MAX_REASONS = 4

/**
 * Scores an applicant.
 * @param applicant The applicant's data; checked with {@link parseApplicant} first.
 * @param onChainRecord The record of the applicant's pseudonym, read from the chain by the
 *   bureau; omit it (or pass `null`) when the applicant did not name a pseudonym.
 * @param recordedDefaults Defaults recorded against the identity in the KYC registry and not in
 *   `onChainRecord` ({@link RECORDED_DEFAULTS_TABLE}); 0 or omitted: the factor is left out.
 * @throws BureauInputError naming the first bad field of any argument.
 */
export function scoreApplicant(applicant: Applicant, onChainRecord?: OnChainRecord | null, recordedDefaults = 0): ScoreResult {
    if (!Number.isSafeInteger(recordedDefaults) || recordedDefaults < 0) throw new BureauInputError("INVALID_VALUE", "recordedDefaults", "recordedDefaults must be a whole number of 0 or more")
    const data = parseApplicant(applicant)
    const record = onChainRecord === undefined || onChainRecord === null ? null : parseOnChainRecord(onChainRecord, "onChainRecord")
    const values = data.kind === "person" ? personValues(data) : smeValues(data)
    const tables = data.kind === "person" ? PERSON_TABLES : SME_TABLES
    const factors = tables.map((table) => scoreFactor(table, values[table.factor] ?? null))
    if (record !== null) {
        const recordValues: Partial<Record<FactorName, number>> = {
            onChainLoansRepaid: record.loansRepaid,
            onChainLateInstalments: record.lateInstalments,
            onChainDefaults: record.defaults
        }
        for (const table of ONCHAIN_TABLES) factors.push(scoreFactor(table, recordValues[table.factor] ?? null))
    }
    if (recordedDefaults > 0) factors.push(scoreFactor(RECORDED_DEFAULTS_TABLE, recordedDefaults))
    const unclampedScore = factors.reduce((sum, factor) => sum + factor.points, SCORE_MIN)
    const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, unclampedScore))
    return {
        score,
        breakdown: { scorecardVersion: SCORECARD_VERSION, kind: data.kind, basePoints: SCORE_MIN, factors, unclampedScore, onChainRecord: record, reasons: topReasons(factors) }
    }
}

/**
 * The points a table gives a value.
 * @param table The factor's table.
 * @param value The factor value (an integer), or `null` when undefined.
 */
export function pointsFor(table: FactorTable, value: number | null): number {
    if (value === null) {
        if (!table.whenUndefined) throw new RangeError(`factor ${table.factor} has no points for an undefined value`)
        return table.whenUndefined.points
    }
    const band = table.bands.find((b) => b.min <= value && value <= b.max)
    if (!band) throw new RangeError(`factor ${table.factor} has no band for ${value}`)
    return band.points
}

/** The most points a table can give. */
export function maxPointsOf(table: FactorTable): number {
    return Math.max(...table.bands.map((b) => b.points), table.whenUndefined?.points ?? -Infinity)
}

function scoreFactor(table: FactorTable, value: number | null): FactorScore {
    const points = pointsFor(table, value)
    const maxPoints = maxPointsOf(table)
    const reason = points >= maxPoints ? null : value === null ? (table.whenUndefined?.reason ?? null) : table.reason
    return { factor: table.factor, value, points, maxPoints, reason }
}

function topReasons(factors: readonly FactorScore[]): ReasonCode[] {
    return factors
        .map((factor, order) => ({ reason: factor.reason, lost: factor.maxPoints - factor.points, order }))
        .filter((entry): entry is { reason: ReasonCode; lost: number; order: number } => entry.reason !== null && entry.lost > 0)
        // ties keep table order, so the list is deterministic
        .sort((a, b) => b.lost - a.lost || a.order - b.order)
        .map((entry) => entry.reason)
        .filter((reason, i, all) => all.indexOf(reason) === i)
        .slice(0, MAX_REASONS)
}

function personValues(p: PersonApplicant): Partial<Record<FactorName, number | null>> {
    return {
        ...paymentValues(p),
        monthlyIncome: p.monthlyIncomeYuan,
        debtToIncome: p.monthlyIncomeYuan === 0 ? null : floorBps(p.monthlyDebtPaymentsYuan, p.monthlyIncomeYuan),
        creditHistory: p.creditHistoryMonths,
        pastDefaults: p.pastDefaults
    }
}

function smeValues(s: SmeApplicant): Partial<Record<FactorName, number | null>> {
    const revenue = s.averageMonthlyRevenueYuan
    return {
        ...paymentValues(s),
        cashFlowMargin: revenue === 0 ? null : floorBps(revenue - s.averageMonthlyExpensesYuan, revenue),
        positiveCashFlowMonths: s.positiveCashFlowMonths12m,
        monthlyRevenue: revenue,
        timeInBusiness: s.monthsInBusiness,
        pastDefaults: s.pastDefaults
    }
}

function paymentValues(a: Applicant): Partial<Record<FactorName, number | null>> {
    const payments = a.onTimePayments24m + a.latePayments24m
    return {
        onTimeShare: payments === 0 ? null : floorBps(a.onTimePayments24m, payments),
        onTimePayments: a.onTimePayments24m,
        // the one rounding of the scorecard; Math.round is monotone, so lower utilisation never scores lower
        creditUtilisation: a.creditUtilisation === null ? null : Math.round(a.creditUtilisation * 10_000)
    }
}

/** `floor(10000 × numerator / denominator)` exactly, for a positive denominator (bigint: no float rounding). */
function floorBps(numerator: number, denominator: number): number {
    const n = BigInt(numerator) * 10_000n
    const d = BigInt(denominator)
    let quotient = n / d
    // bigint division truncates toward zero; floor it for negative margins
    if (n % d !== 0n && n < 0n) quotient -= 1n
    return Number(quotient)
}
