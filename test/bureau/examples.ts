/**
 * Example applicants of the bureau tests, with their scores worked out by hand from the tables
 * in bureau/README.md.
 */
import type { OnChainRecord, PersonApplicant, SmeApplicant } from "../../bureau/src/index.ts"

/** 48 on time, none late, 20% utilisation, 15,000 yuan income with 20% going to debt, 6 years of history. */
export const GOOD_PERSON: PersonApplicant = {
    kind: "person",
    onTimePayments24m: 48,
    latePayments24m: 0,
    creditUtilisation: 0.2,
    monthlyIncomeYuan: 15_000,
    monthlyDebtPaymentsYuan: 3_000,
    creditHistoryMonths: 72,
    pastDefaults: 0
}

/** Nothing on file yet: no payments, no revolving credit, no history. */
export const THIN_FILE_PERSON: PersonApplicant = {
    kind: "person",
    onTimePayments24m: 0,
    latePayments24m: 0,
    creditUtilisation: null,
    monthlyIncomeYuan: 5_000,
    monthlyDebtPaymentsYuan: 0,
    creditHistoryMonths: 0,
    pastDefaults: 0
}

/** 8 of 18 payments late, 95% utilisation, 75% of income to debt, 2 defaults. */
export const TROUBLED_PERSON: PersonApplicant = {
    kind: "person",
    onTimePayments24m: 10,
    latePayments24m: 8,
    creditUtilisation: 0.95,
    monthlyIncomeYuan: 4_000,
    monthlyDebtPaymentsYuan: 3_000,
    creditHistoryMonths: 30,
    pastDefaults: 2
}

/** The top band of every factor. */
export const PERFECT_PERSON: PersonApplicant = {
    kind: "person",
    onTimePayments24m: 60,
    latePayments24m: 0,
    creditUtilisation: 0.05,
    monthlyIncomeYuan: 60_000,
    monthlyDebtPaymentsYuan: 0,
    creditHistoryMonths: 150,
    pastDefaults: 0
}

/** The bottom band of every factor. */
export const WORST_PERSON: PersonApplicant = {
    kind: "person",
    onTimePayments24m: 0,
    latePayments24m: 50,
    creditUtilisation: 1,
    monthlyIncomeYuan: 0,
    monthlyDebtPaymentsYuan: 1_000,
    creditHistoryMonths: 0,
    pastDefaults: 5
}

/** Profitable (20% margin), 800,000 yuan a month, 80 months old. */
export const GOOD_SME: SmeApplicant = {
    kind: "sme",
    onTimePayments24m: 24,
    latePayments24m: 0,
    creditUtilisation: 0.4,
    averageMonthlyRevenueYuan: 800_000,
    averageMonthlyExpensesYuan: 640_000,
    positiveCashFlowMonths12m: 11,
    monthsInBusiness: 80,
    pastDefaults: 0
}

/** Losing money (-20% margin), young, one default. */
export const LOSS_MAKING_SME: SmeApplicant = {
    kind: "sme",
    onTimePayments24m: 5,
    latePayments24m: 1,
    creditUtilisation: null,
    averageMonthlyRevenueYuan: 100_000,
    averageMonthlyExpensesYuan: 120_000,
    positiveCashFlowMonths12m: 3,
    monthsInBusiness: 8,
    pastDefaults: 1
}

/** A pseudonym with two loans repaid and one late instalment. */
export const GOOD_RECORD: OnChainRecord = { loansTaken: 3, loansRepaid: 2, lateInstalments: 1, defaults: 0 }

/** A pseudonym with a defaulted loan. */
export const DEFAULTED_RECORD: OnChainRecord = { loansTaken: 2, loansRepaid: 0, lateInstalments: 3, defaults: 1 }
