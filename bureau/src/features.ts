/**
 * From providers' records to the scorecard's applicant fields. The bureau never takes a field
 * from the applicant: each one is computed here from the current (not superseded) records it
 * holds for the person reference, as of the month of scoring, and each lists the records it came
 * from, so the breakdown can show its sources. Pure.
 *
 * - payments (on time, late; last 24 months) and utilisation, debt service, history length:
 *   `repayment-history` records (banks, utilities);
 * - income: the mean over the months of the last 12 that have `income` records (summed over providers);
 * - SME revenue, expenses, positive months: `sme-cash-flow` records of the last 12 months, summed
 *   per month over providers (tax office, e-commerce platforms);
 * - months in business: the earliest `business-registration`;
 * - past defaults: `default` records, one each.
 */
import type { Applicant } from "./applicant.ts"
import type { SubjectKind } from "./person-ref.ts"
import { periodIndex, type IncomeData, type RepaymentHistoryData, type SignedRecord, type SmeCashFlowData } from "./records.ts"

/** A record as the scorecard reads it: its id and the signed record. */
export interface ScoredRecord {
    id: string
    record: SignedRecord
}

/** The applicant the records describe, and which records each field came from. */
export interface DerivedApplicant {
    applicant: Applicant
    /** Field name → ids of the records it was computed from (empty: no record, the field's empty value). */
    sources: Record<string, string[]>
}

const MONTHS_MAX = 2_400

/**
 * Computes the scorecard's applicant from records.
 * @param kind The subject kind from the KYC binding.
 * @param records The current records of the person reference.
 * @param asOf The scoring month, `YYYY-MM`; records of later periods are ignored.
 */
export function applicantFromRecords(kind: SubjectKind, records: readonly ScoredRecord[], asOf: string): DerivedApplicant {
    const now = periodIndex(asOf)
    const valid = records.filter((r) => periodIndex(r.record.period) <= now)
    const of = <T>(k: SignedRecord["kind"]) => valid.filter((r) => r.record.kind === k).map((r) => ({ id: r.id, period: periodIndex(r.record.period), data: r.record.data as T }))
    const histories = of<RepaymentHistoryData>("repayment-history")
    const defaults = of<unknown>("default")
    const sources: Record<string, string[]> = {}

    // payments: each history's months end at its period; count those within the last 24 months
    let onTime = 0
    let late = 0
    const paymentSources: string[] = []
    for (const h of histories) {
        h.data.months.forEach((status, i) => {
            const month = h.period - (h.data.months.length - 1 - i)
            if (now - month >= 24) return
            if (status === "on-time") onTime++
            else late++
            if (!paymentSources.includes(h.id)) paymentSources.push(h.id)
        })
    }
    sources.onTimePayments24m = paymentSources
    sources.latePayments24m = paymentSources
    const revolving = histories.filter((h) => h.data.limitYuan !== null && h.data.limitYuan > 0 && now - h.period < 3)
    const limit = revolving.reduce((sum, h) => sum + (h.data.limitYuan ?? 0), 0)
    const balance = revolving.reduce((sum, h) => sum + h.data.balanceYuan, 0)
    sources.creditUtilisation = revolving.map((h) => h.id)
    const creditUtilisation = limit === 0 ? null : Math.min(1, balance / limit)
    const pastDefaults = Math.min(100, defaults.length)
    sources.pastDefaults = defaults.map((d) => d.id)

    if (kind === "person") {
        const active = histories.filter((h) => now - h.period < 3)
        sources.monthlyDebtPaymentsYuan = active.map((h) => h.id)
        const opened = histories.map((h) => periodIndex(h.data.openedPeriod))
        sources.creditHistoryMonths = histories.map((h) => h.id)
        const incomes = of<IncomeData>("income").filter((r) => now - r.period < 12)
        sources.monthlyIncomeYuan = incomes.map((r) => r.id)
        const byMonth = sumByMonth(incomes.map((r) => ({ period: r.period, value: r.data.netIncomeYuan })))
        const months = [...byMonth.values()]
        return {
            applicant: {
                kind: "person",
                onTimePayments24m: Math.min(10_000, onTime),
                latePayments24m: Math.min(10_000, late),
                creditUtilisation,
                monthlyIncomeYuan: Math.min(100_000_000, months.length === 0 ? 0 : Math.floor(months.reduce((a, b) => a + b, 0) / months.length)),
                monthlyDebtPaymentsYuan: Math.min(100_000_000, active.reduce((sum, h) => sum + h.data.monthlyPaymentYuan, 0)),
                creditHistoryMonths: opened.length === 0 ? 0 : Math.min(MONTHS_MAX, now - Math.min(...opened)),
                pastDefaults
            },
            sources
        }
    }
    const flows = of<SmeCashFlowData>("sme-cash-flow").filter((r) => now - r.period < 12)
    sources.averageMonthlyRevenueYuan = flows.map((r) => r.id)
    sources.averageMonthlyExpensesYuan = sources.averageMonthlyRevenueYuan
    sources.positiveCashFlowMonths12m = sources.averageMonthlyRevenueYuan
    const revenue = sumByMonth(flows.map((r) => ({ period: r.period, value: r.data.revenueYuan })))
    const expenses = sumByMonth(flows.map((r) => ({ period: r.period, value: r.data.expensesYuan })))
    const months = [...revenue.keys()]
    const mean = (m: Map<number, number>) => (months.length === 0 ? 0 : Math.floor([...m.values()].reduce((a, b) => a + b, 0) / months.length))
    const registrations = of<unknown>("business-registration")
    sources.monthsInBusiness = registrations.map((r) => r.id)
    return {
        applicant: {
            kind: "sme",
            onTimePayments24m: Math.min(10_000, onTime),
            latePayments24m: Math.min(10_000, late),
            creditUtilisation,
            averageMonthlyRevenueYuan: Math.min(10_000_000_000, mean(revenue)),
            averageMonthlyExpensesYuan: Math.min(10_000_000_000, mean(expenses)),
            positiveCashFlowMonths12m: months.filter((m) => (revenue.get(m) ?? 0) > (expenses.get(m) ?? 0)).length,
            monthsInBusiness: registrations.length === 0 ? 0 : Math.min(MONTHS_MAX, now - Math.min(...registrations.map((r) => r.period))),
            pastDefaults
        },
        sources
    }
}

function sumByMonth(entries: { period: number; value: number }[]): Map<number, number> {
    const sums = new Map<number, number>()
    for (const { period, value } of entries) sums.set(period, (sums.get(period) ?? 0) + value)
    return sums
}
