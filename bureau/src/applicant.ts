/**
 * The data a bureau scores: a person or an SME (small or medium enterprise), plus, when the
 * applicant names their pseudonym, its public record in a LoanMarket. Pure: runs in Node and
 * browsers.
 *
 * Money is in whole yuan (CNY), as integers: the scorecard's bands are whole yuan, and fen
 * would only add two digits nobody reads. Utilisation is a fraction 0..1 and is scored in basis
 * points (rounded), so every later step is integer arithmetic.
 */
import { BureauInputError, describeType } from "./errors.ts"

/** A private person applying for credit. */
export interface PersonApplicant {
    kind: "person"
    /** Instalments and bills paid on time in the last 24 months, across all credit accounts. */
    onTimePayments24m: number
    /** Instalments and bills paid 30 or more days after their due date in the last 24 months. */
    latePayments24m: number
    /** Balance / limit of revolving credit (cards, credit lines), 0..1; `null` when there is none. */
    creditUtilisation: number | null
    /** Net monthly income, whole yuan. */
    monthlyIncomeYuan: number
    /** Monthly repayments on existing debt (loans, mortgages, card minimums), whole yuan. */
    monthlyDebtPaymentsYuan: number
    /** Months since the oldest credit account was opened. */
    creditHistoryMonths: number
    /** Debts ever written off, sent to collection or defaulted (a default counts once). */
    pastDefaults: number
}

/** A small or medium enterprise applying for credit. */
export interface SmeApplicant {
    kind: "sme"
    /** Instalments and bills paid on time in the last 24 months, across all credit accounts. */
    onTimePayments24m: number
    /** Instalments and bills paid 30 or more days after their due date in the last 24 months. */
    latePayments24m: number
    /** Balance / limit of revolving business credit, 0..1; `null` when there is none. */
    creditUtilisation: number | null
    /** Average monthly revenue over the last 12 months, whole yuan. */
    averageMonthlyRevenueYuan: number
    /** Average monthly operating expenses (debt service included) over the last 12 months, whole yuan. */
    averageMonthlyExpensesYuan: number
    /** How many of the last 12 months had revenue above expenses, 0..12. */
    positiveCashFlowMonths12m: number
    /** Months since the business was registered. */
    monthsInBusiness: number
    /** Debts ever written off, sent to collection or defaulted (a default counts once). */
    pastDefaults: number
}

/** An applicant: a {@link PersonApplicant} or an {@link SmeApplicant}, told apart by `kind`. */
export type Applicant = PersonApplicant | SmeApplicant

/** The kinds of applicant the scorecard knows. */
export const APPLICANT_KINDS = ["person", "sme"] as const

/**
 * The public record of a pseudonym in a LoanMarket (`LoanMarket.record(nullifier)`). The bureau
 * reads it from the chain itself; it never takes it from the applicant.
 */
export interface OnChainRecord {
    loansTaken: number
    /** Loans repaid in full, early or on schedule. */
    loansRepaid: number
    /** Instalments that became late. */
    lateInstalments: number
    /** Loans marked defaulted. */
    defaults: number
}

/** How one applicant field is read and checked; the same list documents the fields. */
export interface ApplicantFieldSpec {
    /** The JSON field name. */
    readonly name: string
    /** `integer`: a whole number in [0, max]; `fraction`: a number in [0, 1] or `null`. */
    readonly type: "integer" | "fraction"
    /** Largest accepted value (1 for fractions). Caps keep out typos and overflow, not real data. */
    readonly max: number
    /** What the field is, for errors and the README. */
    readonly description: string
}

const PAYMENT_COUNT_MAX = 10_000
const MONTHS_MAX = 2_400

const paymentFields: readonly ApplicantFieldSpec[] = [
    { name: "onTimePayments24m", type: "integer", max: PAYMENT_COUNT_MAX, description: "payments made on time in the last 24 months" },
    { name: "latePayments24m", type: "integer", max: PAYMENT_COUNT_MAX, description: "payments 30+ days late in the last 24 months" },
    { name: "creditUtilisation", type: "fraction", max: 1, description: "revolving balance / limit, 0..1, or null without revolving credit" }
]

const defaultsField: ApplicantFieldSpec = { name: "pastDefaults", type: "integer", max: 100, description: "debts ever defaulted, written off or sent to collection" }

/** The fields of each kind of applicant, in the order they are checked (after `kind`). */
export const APPLICANT_FIELDS: { readonly person: readonly ApplicantFieldSpec[]; readonly sme: readonly ApplicantFieldSpec[] } = {
    person: [
        ...paymentFields,
        { name: "monthlyIncomeYuan", type: "integer", max: 100_000_000, description: "net monthly income, whole yuan" },
        { name: "monthlyDebtPaymentsYuan", type: "integer", max: 100_000_000, description: "monthly repayments on existing debt, whole yuan" },
        { name: "creditHistoryMonths", type: "integer", max: MONTHS_MAX, description: "months since the oldest credit account was opened" },
        defaultsField
    ],
    sme: [
        ...paymentFields,
        { name: "averageMonthlyRevenueYuan", type: "integer", max: 10_000_000_000, description: "average monthly revenue over 12 months, whole yuan" },
        { name: "averageMonthlyExpensesYuan", type: "integer", max: 10_000_000_000, description: "average monthly expenses over 12 months, whole yuan" },
        { name: "positiveCashFlowMonths12m", type: "integer", max: 12, description: "months of the last 12 with revenue above expenses" },
        { name: "monthsInBusiness", type: "integer", max: MONTHS_MAX, description: "months since the business was registered" },
        defaultsField
    ]
}

/** The largest count in an on-chain record: the contract keeps each in a `uint32`. */
export const ONCHAIN_COUNT_MAX = 2 ** 32 - 1

const RECORD_FIELDS = ["loansTaken", "loansRepaid", "lateInstalments", "defaults"] as const

/**
 * Parses and checks an applicant.
 * @param value The applicant as a parsed JSON value, or as JSON text.
 * @param path Where the applicant sits in the request, prefixed to every error's `field`.
 * @returns A typed applicant holding only the known fields.
 * @throws BureauInputError naming the first bad field: missing, unknown, of the wrong type,
 *   not an integer, or out of range.
 */
export function parseApplicant(value: unknown, path = "applicant"): Applicant {
    if (typeof path !== "string" || path.length === 0) throw new TypeError("path must be a non-empty string")
    const data = typeof value === "string" ? parseJsonText(value, path) : value
    const object = requireJsonObject(data, path)
    if (!("kind" in object)) throw new BureauInputError("MISSING_FIELD", `${path}.kind`, `${path}.kind is required: "person" or "sme"`)
    const kind = object.kind
    if (kind !== "person" && kind !== "sme") {
        const got = typeof kind === "string" ? "another string" : describeType(kind)
        throw new BureauInputError("INVALID_VALUE", `${path}.kind`, `${path}.kind must be "person" or "sme", got ${got}`)
    }
    const fields = APPLICANT_FIELDS[kind]
    // unknown fields first: a typo then gets named as such, not as the correct field missing
    for (const key of Object.keys(object)) {
        if (key !== "kind" && !fields.some((field) => field.name === key)) {
            throw new BureauInputError("UNKNOWN_FIELD", `${path}.${key}`, `${path}.${key} is not a field of a ${kind} applicant; the fields are kind, ${fields.map((f) => f.name).join(", ")}`)
        }
    }
    const parsed: Record<string, unknown> = { kind }
    for (const field of fields) parsed[field.name] = readField(object, field, path)
    return parsed as unknown as Applicant
}

/**
 * Parses an on-chain record as a record reader returns it (numbers or bigints, as ethers gives
 * them; other properties such as `activeLoans` are ignored).
 * @param value The record.
 * @param path Prefix of every error's `field`.
 * @throws BureauInputError naming the first bad field.
 */
export function parseOnChainRecord(value: unknown, path = "record"): OnChainRecord {
    if (typeof path !== "string" || path.length === 0) throw new TypeError("path must be a non-empty string")
    const object = requireJsonObject(value, path)
    const record: Record<string, number> = {}
    for (const name of RECORD_FIELDS) {
        const field = `${path}.${name}`
        const raw = object[name]
        if (raw === undefined) throw new BureauInputError("MISSING_FIELD", field, `${field} is required: a count from 0 to ${ONCHAIN_COUNT_MAX}`)
        if (typeof raw === "bigint" && (raw < 0n || raw > BigInt(ONCHAIN_COUNT_MAX))) {
            throw new BureauInputError("OUT_OF_RANGE", field, `${field} must be a count from 0 to ${ONCHAIN_COUNT_MAX}, got ${raw}`)
        }
        record[name] = requireCount(typeof raw === "bigint" ? Number(raw) : raw, field, ONCHAIN_COUNT_MAX, "a count")
    }
    return record as unknown as OnChainRecord
}

function readField(object: Record<string, unknown>, spec: ApplicantFieldSpec, path: string): number | null {
    const field = `${path}.${spec.name}`
    if (!(spec.name in object) || object[spec.name] === undefined) {
        throw new BureauInputError("MISSING_FIELD", field, `${field} is required: ${expected(spec)}`)
    }
    const value = object[spec.name]
    if (spec.type === "integer") return requireCount(value, field, spec.max, spec.description)
    if (value === null) return null
    if (typeof value !== "number") throw new BureauInputError("WRONG_TYPE", field, `${field} must be ${expected(spec)}, got ${describeType(value)}`)
    if (!Number.isFinite(value)) throw new BureauInputError("OUT_OF_RANGE", field, `${field} must be ${expected(spec)}, got ${value}`)
    if (value < 0 || value > 1) throw new BureauInputError("OUT_OF_RANGE", field, `${field} must be ${expected(spec)}, got ${value}`)
    return value === 0 ? 0 : value
}

function requireCount(value: unknown, field: string, max: number, description: string): number {
    const wanted = `a whole number from 0 to ${max} (${description})`
    if (typeof value !== "number") throw new BureauInputError("WRONG_TYPE", field, `${field} must be ${wanted}, got ${describeType(value)}`)
    if (!Number.isInteger(value)) throw new BureauInputError("NOT_AN_INTEGER", field, `${field} must be ${wanted}, got ${value}`)
    if (value < 0 || value > max) throw new BureauInputError("OUT_OF_RANGE", field, `${field} must be ${wanted}, got ${value}`)
    // -0 passes the checks above; make it a plain 0 so it prints and compares as one
    return value === 0 ? 0 : value
}

function expected(spec: ApplicantFieldSpec): string {
    return spec.type === "integer"
        ? `a whole number from 0 to ${spec.max} (${spec.description})`
        : `a number from 0 to 1 or null (${spec.description})`
}

function parseJsonText(text: string, path: string): unknown {
    try {
        return JSON.parse(text) as unknown
    } catch {
        throw new BureauInputError("INVALID_JSON", path, `${path} is not valid JSON text`)
    }
}

/** Checks that a value is a plain object (not null, not an array). */
export function requireJsonObject(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new BureauInputError("WRONG_TYPE", field, `${field} must be an object, got ${describeType(value)}`)
    }
    return value as Record<string, unknown>
}
