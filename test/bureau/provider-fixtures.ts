/**
 * Providers, keys and signed records for the bureau tests: a bank, the tax office, a utility and
 * an e-commerce platform, and record builders for a person and an SME as of {@link AS_OF}.
 */
import { createProviderKey, providerPublicKey, signRecord, type ProviderKeyFile } from "../../bureau/src/provider-key.ts"
import { personReference } from "../../bureau/src/person-ref.ts"
import type { ProviderCategory, ProviderRecord, RecordKind, SignedRecord } from "../../bureau/src/records.ts"
import { periodIndex } from "../../bureau/src/records.ts"

/** The shared reference salt of the tests. */
export const SALT = `0x${"5a".repeat(32)}`

/** The scoring month of the tests (NOW of test/helpers/fixtures.ts is in January 2027). */
export const AS_OF = "2027-01"

/** Test providers. */
export const PROVIDERS: { id: string; name: string; category: ProviderCategory }[] = [
    { id: "pearl-bank", name: "Pearl River Bank", category: "bank" },
    { id: "gd-tax", name: "Guangdong Tax Office", category: "tax-office" },
    { id: "gz-power", name: "Guangzhou Power", category: "utility" },
    { id: "shop-platform", name: "Shop Platform", category: "e-commerce" }
]

/** One key per test provider, made once per test file. */
export const KEYS: Record<string, ProviderKeyFile> = Object.fromEntries(PROVIDERS.map((p) => [p.id, createProviderKey(p.id)]))

/** What `POST /v1/admin/providers` takes for each provider. */
export const REGISTRATIONS = PROVIDERS.map((p) => ({ ...p, publicKey: providerPublicKey(KEYS[p.id]!) }))

/** A person reference of the tests. */
export function ref(id: string, kind: "person" | "sme" = "person"): string {
    return personReference(id, kind, SALT)
}

/** `YYYY-MM`, `back` months before {@link AS_OF}. */
export function monthsBefore(back: number, asOf = AS_OF): string {
    return monthsBeforeOf(back, asOf)
}

function monthsBeforeOf(back: number, asOf: string): string {
    const index = periodIndex(asOf) - back
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`
}

/** Signs a record as one of the test providers. */
export function signed<K extends RecordKind>(provider: string, personRef: string, kind: K, period: string, data: ProviderRecord<K>["data"], extra: { supersedes?: string } = {}): SignedRecord<K> {
    return signRecord({ provider, personRef, kind, period, data, signedAt: 1_790_000_000, ...extra }, KEYS[provider]!)
}

/** A good person's file: a card and a loan always on time, steady income. */
export function goodPersonRecords(personRef: string, asOf = AS_OF): SignedRecord[] {
    const monthsBefore = (back: number) => monthsBeforeOf(back, asOf)
    const onTime = Array<"on-time">(24).fill("on-time")
    return [
        signed("pearl-bank", personRef, "repayment-history", monthsBefore(1), { account: "card-1", openedPeriod: monthsBefore(96), monthlyPaymentYuan: 500, limitYuan: 50_000, balanceYuan: 7_500, months: onTime }),
        signed("pearl-bank", personRef, "repayment-history", monthsBefore(1), { account: "loan-1", openedPeriod: monthsBefore(30), monthlyPaymentYuan: 2_500, limitYuan: null, balanceYuan: 40_000, months: onTime }),
        signed("gz-power", personRef, "repayment-history", monthsBefore(1), { account: "meter-1", openedPeriod: monthsBefore(60), monthlyPaymentYuan: 0, limitYuan: null, balanceYuan: 0, months: onTime }),
        ...Array.from({ length: 6 }, (_, i) => signed("gd-tax", personRef, "income", monthsBefore(i + 1), { netIncomeYuan: 22_000 }))
    ]
}

/** A weak person's file: late payments and a default. */
export function weakPersonRecords(personRef: string, asOf = AS_OF): SignedRecord[] {
    const monthsBefore = (back: number) => monthsBeforeOf(back, asOf)
    const mixed = Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? "late" : "on-time") as "late" | "on-time")
    return [
        signed("pearl-bank", personRef, "repayment-history", monthsBefore(1), { account: "card-9", openedPeriod: monthsBefore(20), monthlyPaymentYuan: 2_800, limitYuan: 10_000, balanceYuan: 9_000, months: mixed }),
        signed("pearl-bank", personRef, "default", monthsBefore(10), { account: "loan-9", amountYuan: 12_000 }),
        ...Array.from({ length: 3 }, (_, i) => signed("gd-tax", personRef, "income", monthsBefore(i + 1), { netIncomeYuan: 4_000 }))
    ]
}

/** A good SME's file: registered 7 years ago, revenue above expenses every month. */
export function goodSmeRecords(personRef: string, asOf = AS_OF): SignedRecord[] {
    const monthsBefore = (back: number) => monthsBeforeOf(back, asOf)
    return [
        signed("gd-tax", personRef, "business-registration", monthsBefore(84), { registration: "91440101MA5XXXXX" }),
        signed("pearl-bank", personRef, "repayment-history", monthsBefore(1), { account: "line-1", openedPeriod: monthsBefore(60), monthlyPaymentYuan: 20_000, limitYuan: 1_000_000, balanceYuan: 200_000, months: Array(24).fill("on-time") }),
        ...Array.from({ length: 12 }, (_, i) => signed("shop-platform", personRef, "sme-cash-flow", monthsBefore(i + 1), { revenueYuan: 450_000, expensesYuan: 360_000 }))
    ]
}
