/**
 * The demo world's data providers and their signed records: for each demo applicant, the
 * records a bank, the tax office, a utility and an e-commerce platform would hold, made so the
 * bureau derives (about) the applicant's profile from them. Deterministic: the same state folder
 * gives the same keys, references and record ids, so a restart resubmits nothing new.
 */
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { randomBytes } from "node:crypto"
import type { Applicant } from "../../bureau/src/applicant.ts"
import { createProviderKey, parseProviderKeyFile, providerPublicKey, signRecord, type ProviderKeyFile } from "../../bureau/src/provider-key.ts"
import { periodIndex, type ProviderCategory, type SignedRecord } from "../../bureau/src/records.ts"

/** The demo providers. */
export const DEMO_PROVIDERS: { id: string; name: string; category: ProviderCategory }[] = [
    { id: "pearl-river-bank", name: "Pearl River Bank (demo)", category: "bank" },
    { id: "guangdong-tax", name: "Guangdong Tax Office (demo)", category: "tax-office" },
    { id: "guangzhou-power", name: "Guangzhou Power (demo)", category: "utility" },
    { id: "lingnan-market", name: "Lingnan Market e-commerce (demo)", category: "e-commerce" }
]

/** When the demo records were signed (fixed, so their ids are stable). */
const SIGNED_AT = 1_767_225_600

/** Loads or makes each demo provider's key in `<stateDir>/providers/`. */
export async function demoProviderKeys(stateDir: string): Promise<Record<string, ProviderKeyFile>> {
    await mkdir(`${stateDir}/providers`, { recursive: true })
    const keys: Record<string, ProviderKeyFile> = {}
    for (const p of DEMO_PROVIDERS) {
        const file = `${stateDir}/providers/${p.id}.key.json`
        if (existsSync(file)) keys[p.id] = parseProviderKeyFile(JSON.parse(await readFile(file, "utf8")))
        else {
            keys[p.id] = createProviderKey(p.id)
            await writeFile(file, `${JSON.stringify(keys[p.id], null, 2)}\n`, { mode: 0o600 })
        }
    }
    return keys
}

/** The registrations the bureau takes for the demo providers. */
export function demoRegistrations(keys: Record<string, ProviderKeyFile>): { id: string; name: string; category: ProviderCategory; publicKey: string }[] {
    return DEMO_PROVIDERS.map((p) => ({ ...p, publicKey: providerPublicKey(keys[p.id]!) }))
}

/** The shared person-reference salt of the demo (officer and providers), in `<stateDir>/reference-salt`. */
export async function demoReferenceSalt(stateDir: string): Promise<string> {
    const file = `${stateDir}/reference-salt`
    if (existsSync(file)) return (await readFile(file, "utf8")).trim()
    const salt = `0x${randomBytes(32).toString("hex")}`
    await writeFile(file, `${salt}\n`, { mode: 0o600 })
    return salt
}

/** `YYYY-MM`, `back` months before `asOf`. */
function before(asOf: string, back: number): string {
    const i = periodIndex(asOf) - back
    return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`
}

/**
 * The records the providers hold about one demo applicant, as of a month.
 * @param personRef The applicant's person reference.
 * @param applicant The profile the records are made from.
 * @param asOf The month of scoring, `YYYY-MM`.
 */
export function demoRecords(personRef: string, applicant: Applicant, asOf: string, keys: Record<string, ProviderKeyFile>): SignedRecord[] {
    const last = before(asOf, 1)
    const records: SignedRecord[] = []
    const sign = (provider: string, kind: SignedRecord["kind"], period: string, data: SignedRecord["data"]) =>
        records.push(signRecord({ provider, personRef, kind, period, data, signedAt: SIGNED_AT } as never, keys[provider]!))

    // payment history: accounts of up to 24 months ending last month, late months spread out
    const historyMonths = applicant.kind === "person" ? applicant.creditHistoryMonths : applicant.monthsInBusiness
    const total = applicant.onTimePayments24m + applicant.latePayments24m
    const accounts = Math.max(1, Math.ceil(total / 24))
    let late = applicant.latePayments24m
    let left = total
    for (let a = 0; a < accounts; a++) {
        const length = Math.ceil(left / (accounts - a))
        left -= length
        const months = Array.from({ length }, (_, i) => {
            if (late > 0 && i % 3 === 1) {
                late--
                return "late" as const
            }
            return "on-time" as const
        })
        // any late months not yet placed go at the start
        for (let i = 0; late > 0 && i < months.length; i++) {
            if (months[i] === "on-time") {
                months[i] = "late"
                late--
            }
        }
        if (length === 0) continue
        const revolving = a === 0 && applicant.creditUtilisation !== null
        const limit = applicant.kind === "person" ? 100_000 : 2_000_000
        sign(a === accounts - 1 && applicant.kind === "person" ? "guangzhou-power" : "pearl-river-bank", "repayment-history", last, {
            account: `acct-${a + 1}`,
            openedPeriod: before(asOf, Math.max(historyMonths, length)),
            monthlyPaymentYuan: a === 0 && applicant.kind === "person" ? applicant.monthlyDebtPaymentsYuan : 0,
            limitYuan: revolving ? limit : null,
            balanceYuan: revolving ? Math.round((applicant.creditUtilisation ?? 0) * limit) : 0,
            months
        })
    }
    for (let d = 0; d < applicant.pastDefaults; d++) sign("pearl-river-bank", "default", before(asOf, 6 + d), { account: `old-loan-${d + 1}`, amountYuan: 8_000 })
    if (applicant.kind === "person") {
        for (let m = 1; m <= 6; m++) sign("guangdong-tax", "income", before(asOf, m), { netIncomeYuan: applicant.monthlyIncomeYuan })
        return records
    }
    sign("guangdong-tax", "business-registration", before(asOf, applicant.monthsInBusiness), { registration: `91440101DEMO${personRef.slice(2, 8).toUpperCase()}` })
    const revenue = applicant.averageMonthlyRevenueYuan
    const positive = applicant.positiveCashFlowMonths12m
    const negative = 12 - positive
    // positive months a 5% margin; the negative months take up the rest of the mean
    let up = Math.max(1, Math.floor(revenue * 0.05))
    let down = negative === 0 ? 0 : Math.ceil((positive * up - 12 * (revenue - applicant.averageMonthlyExpensesYuan)) / negative)
    if (negative > 0 && down <= 0) {
        down = Math.max(1, Math.floor(revenue * 0.01))
        up = Math.floor((12 * (revenue - applicant.averageMonthlyExpensesYuan) + negative * down) / Math.max(1, positive))
    }
    for (let m = 1; m <= 12; m++) {
        const isPositive = m <= positive
        sign("lingnan-market", "sme-cash-flow", before(asOf, m), { revenueYuan: revenue, expensesYuan: Math.max(0, isPositive ? revenue - up : revenue + down) })
    }
    return records
}
