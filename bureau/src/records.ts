/**
 * What data providers send the bureau: records about one person reference, signed by the
 * provider's ed25519 key. Checked here field by field; the signature covers the canonical JSON of
 * every field but `signature`, under a domain tag, so a record cannot be altered, moved to
 * another person or replayed as another kind.
 *
 * Why ed25519 (node:crypto) rather than EdDSA-Poseidon: records never enter a circuit, and
 * ed25519 is what a bank's or tax office's HSM and KMS already sign with; verifying one costs
 * about 50 µs here and needs no dependency.
 */
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto"
import { BureauInputError, describeType } from "./errors.ts"
import { requireJsonObject } from "./applicant.ts"
import { requirePersonRef } from "./person-ref.ts"

export { requirePersonRef }

/** The kinds of record the bureau scores. */
export const RECORD_KINDS = ["repayment-history", "income", "sme-cash-flow", "business-registration", "default"] as const

/** A kind of record. */
export type RecordKind = (typeof RECORD_KINDS)[number]

/** What kind of institution a provider is. */
export const PROVIDER_CATEGORIES = ["bank", "tax-office", "utility", "e-commerce"] as const

/** A kind of provider. */
export type ProviderCategory = (typeof PROVIDER_CATEGORIES)[number]

/** Months of a repayment history a record carries at most (the scorecard looks at 24). */
export const MAX_HISTORY_MONTHS = 36

/** An account's repayment history up to `period` (a bank's loan or card, a utility's bills). */
export interface RepaymentHistoryData {
    /** The provider's own opaque account label (no account number): at most 64 characters. */
    account: string
    /** Month the account was opened, `YYYY-MM`. */
    openedPeriod: string
    /** Monthly instalment or minimum payment now due on the account, whole yuan. */
    monthlyPaymentYuan: number
    /** Credit limit of a revolving account (card, credit line), whole yuan; `null` for instalment loans and bills. */
    limitYuan: number | null
    /** Balance now owed, whole yuan. */
    balanceYuan: number
    /** One entry a month, oldest first, the last one for `period`. */
    months: ("on-time" | "late")[]
}

/** Net income of one month (payroll, tax office). */
export interface IncomeData {
    netIncomeYuan: number
}

/** An SME's revenue and operating expenses of one month (tax office, e-commerce platform). */
export interface SmeCashFlowData {
    revenueYuan: number
    expensesYuan: number
}

/** A business registration (`period` is the month it was registered). */
export interface BusinessRegistrationData {
    /** Registry number of the business, as the provider knows it; at most 64 characters. */
    registration: string
}

/** A debt written off, sent to collection or defaulted (`period` is the month it happened). */
export interface DefaultData {
    account: string
    amountYuan: number
}

/** The data of each kind of record. */
export interface RecordDataByKind {
    "repayment-history": RepaymentHistoryData
    income: IncomeData
    "sme-cash-flow": SmeCashFlowData
    "business-registration": BusinessRegistrationData
    default: DefaultData
}

/** A provider's record before signing. */
export interface ProviderRecord<K extends RecordKind = RecordKind> {
    /** The provider's id at the bureau. */
    provider: string
    /** The person reference, 0x + 64 hex digits (see `person-ref.ts`). */
    personRef: string
    kind: K
    /** The month the record is about, `YYYY-MM`. */
    period: string
    data: RecordDataByKind[K]
    /** When the provider signed it, unix seconds. */
    signedAt: number
    /** The id of an earlier record of the same provider and person this one corrects. */
    supersedes?: string
}

/** A record with its signature: base64url ed25519 over {@link recordSigningBytes}. */
export type SignedRecord<K extends RecordKind = RecordKind> = ProviderRecord<K> & { signature: string }

const DOMAIN = "zkcredit.provider-record.v1\n"
const MONEY_MAX = 10_000_000_000
const LABEL = /^[A-Za-z0-9._:-]{1,64}$/
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/
const ID = /^[a-z0-9][a-z0-9-]{1,62}$/

/** JSON with object keys sorted at every level: the same record always gives the same bytes. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
    }
    return JSON.stringify(value)
}

/** The bytes a provider signs: the domain tag and the canonical JSON of the record without its signature. */
export function recordSigningBytes(record: ProviderRecord): Buffer {
    const { signature: _, ...unsigned } = record as SignedRecord
    return Buffer.from(DOMAIN + canonicalJson(unsigned), "utf8")
}

/** A record's id: sha256 of its signing bytes, hex. Resubmitting the same record is a no-op. */
export function recordId(record: ProviderRecord): string {
    return createHash("sha256").update(recordSigningBytes(record)).digest("hex")
}

/** Months from `YYYY-MM` to a month index (year × 12 + month − 1), for arithmetic. */
export function periodIndex(period: string): number {
    const match = PERIOD.exec(period)
    if (!match) throw new RangeError(`not a YYYY-MM period: ${period}`)
    return Number(match[1]) * 12 + Number(match[2]) - 1
}

/** The `YYYY-MM` period of a unix time (UTC). */
export function periodOf(unixSeconds: number): string {
    const date = new Date(unixSeconds * 1000)
    return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`
}

/** Checks a provider id: lower-case letters, digits and dashes, 2 to 63 characters. */
export function requireProviderId(value: unknown, field: string): string {
    if (typeof value !== "string") throw new BureauInputError("WRONG_TYPE", field, `${field} must be a provider id (a string), got ${describeType(value)}`)
    if (!ID.test(value)) throw new BureauInputError("INVALID_VALUE", field, `${field} must be 2-63 lower-case letters, digits and dashes, starting with a letter or digit`)
    return value
}

/**
 * Parses a signed record's fields (not its signature's validity: see {@link verifyRecordSignature}).
 * @param value The record as parsed JSON.
 * @param path Prefix of every error's `field`.
 * @throws BureauInputError naming the first bad field.
 */
export function parseSignedRecord(value: unknown, path = "record"): SignedRecord {
    const object = requireJsonObject(value, path)
    const allowed = ["provider", "personRef", "kind", "period", "data", "signedAt", "supersedes", "signature"]
    for (const key of Object.keys(object)) {
        if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", `${path}.${key}`, `${path}.${key} is not a field of a record; the fields are ${allowed.join(", ")}`)
    }
    if (object.signature === undefined) throw new BureauInputError("MISSING_SIGNATURE", `${path}.signature`, `${path} is not signed: providers sign each record with their ed25519 key (\`zkcredit provider submit\` does)`)
    if (typeof object.signature !== "string" || !/^[A-Za-z0-9_-]{86}$/.test(object.signature)) {
        throw new BureauInputError("INVALID_VALUE", `${path}.signature`, `${path}.signature must be an ed25519 signature in base64url (86 characters)`)
    }
    for (const name of ["provider", "personRef", "kind", "period", "data", "signedAt"]) {
        if (object[name] === undefined) throw new BureauInputError("MISSING_FIELD", `${path}.${name}`, `${path}.${name} is required`)
    }
    const provider = requireProviderId(object.provider, `${path}.provider`)
    const personRef = requirePersonRef(object.personRef, `${path}.personRef`)
    const kind = object.kind
    if (typeof kind !== "string" || !(RECORD_KINDS as readonly string[]).includes(kind)) {
        throw new BureauInputError("INVALID_VALUE", `${path}.kind`, `${path}.kind must be one of ${RECORD_KINDS.join(", ")}`)
    }
    const period = requirePeriod(object.period, `${path}.period`)
    const signedAt = requireInteger(object.signedAt, `${path}.signedAt`, 2 ** 40, "unix seconds")
    const data = parseData(kind as RecordKind, object.data, `${path}.data`, period)
    const record: SignedRecord = { provider, personRef, kind: kind as RecordKind, period, data, signedAt, signature: object.signature }
    if (object.supersedes !== undefined) {
        if (typeof object.supersedes !== "string" || !/^[0-9a-f]{64}$/.test(object.supersedes)) {
            throw new BureauInputError("INVALID_VALUE", `${path}.supersedes`, `${path}.supersedes must be the id (64 hex digits) of the record this one corrects`)
        }
        record.supersedes = object.supersedes
    }
    return record
}

/**
 * Whether a record's signature is the provider's.
 * @param record A parsed record.
 * @param publicKey The provider's ed25519 public key: base64url of its 32 bytes, or a KeyObject.
 */
export function verifyRecordSignature(record: SignedRecord, publicKey: string | KeyObject): boolean {
    const key = typeof publicKey === "string" ? ed25519PublicKey(publicKey) : publicKey
    return verifySignature(null, recordSigningBytes(record), key, Buffer.from(record.signature, "base64url"))
}

/** An ed25519 public key from the base64url of its 32 raw bytes. */
export function ed25519PublicKey(raw: string): KeyObject {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw }, format: "jwk" })
}

function parseData(kind: RecordKind, value: unknown, path: string, period: string): RecordDataByKind[RecordKind] {
    const object = requireJsonObject(value, path)
    const fields: Record<RecordKind, string[]> = {
        "repayment-history": ["account", "openedPeriod", "monthlyPaymentYuan", "limitYuan", "balanceYuan", "months"],
        income: ["netIncomeYuan"],
        "sme-cash-flow": ["revenueYuan", "expensesYuan"],
        "business-registration": ["registration"],
        default: ["account", "amountYuan"]
    }
    for (const key of Object.keys(object)) {
        if (!fields[kind].includes(key)) throw new BureauInputError("UNKNOWN_FIELD", `${path}.${key}`, `${path}.${key} is not a field of a ${kind} record; the fields are ${fields[kind].join(", ")}`)
    }
    for (const key of fields[kind]) {
        if (object[key] === undefined) throw new BureauInputError("MISSING_FIELD", `${path}.${key}`, `${path}.${key} is required in a ${kind} record`)
    }
    const money = (key: string) => requireInteger(object[key], `${path}.${key}`, MONEY_MAX, "whole yuan")
    switch (kind) {
        case "repayment-history": {
            const openedPeriod = requirePeriod(object.openedPeriod, `${path}.openedPeriod`)
            if (periodIndex(openedPeriod) > periodIndex(period)) throw new BureauInputError("OUT_OF_RANGE", `${path}.openedPeriod`, `${path}.openedPeriod must not be after the record's period`)
            const months = object.months
            if (!Array.isArray(months) || months.length === 0 || months.length > MAX_HISTORY_MONTHS) {
                throw new BureauInputError("WRONG_TYPE", `${path}.months`, `${path}.months must be an array of 1 to ${MAX_HISTORY_MONTHS} entries, "on-time" or "late", oldest first`)
            }
            months.forEach((m, i) => {
                if (m !== "on-time" && m !== "late") throw new BureauInputError("INVALID_VALUE", `${path}.months.${i}`, `${path}.months.${i} must be "on-time" or "late"`)
            })
            if (months.length > periodIndex(period) - periodIndex(openedPeriod) + 1) {
                throw new BureauInputError("OUT_OF_RANGE", `${path}.months`, `${path}.months has more months than the account has been open`)
            }
            return {
                account: requireLabel(object.account, `${path}.account`),
                openedPeriod,
                monthlyPaymentYuan: money("monthlyPaymentYuan"),
                limitYuan: object.limitYuan === null ? null : money("limitYuan"),
                balanceYuan: money("balanceYuan"),
                months: months as ("on-time" | "late")[]
            }
        }
        case "income":
            return { netIncomeYuan: money("netIncomeYuan") }
        case "sme-cash-flow":
            return { revenueYuan: money("revenueYuan"), expensesYuan: money("expensesYuan") }
        case "business-registration":
            return { registration: requireLabel(object.registration, `${path}.registration`) }
        case "default":
            return { account: requireLabel(object.account, `${path}.account`), amountYuan: money("amountYuan") }
    }
}

function requirePeriod(value: unknown, field: string): string {
    if (typeof value !== "string" || !PERIOD.test(value)) throw new BureauInputError("INVALID_VALUE", field, `${field} must be a month as YYYY-MM, e.g. 2026-11`)
    return value
}

function requireLabel(value: unknown, field: string): string {
    if (typeof value !== "string" || !LABEL.test(value)) throw new BureauInputError("INVALID_VALUE", field, `${field} must be 1-64 letters, digits, dots, dashes, underscores or colons (an opaque label, never an account number)`)
    return value
}

function requireInteger(value: unknown, field: string, max: number, what: string): number {
    if (typeof value !== "number") throw new BureauInputError("WRONG_TYPE", field, `${field} must be a whole number (${what}), got ${describeType(value)}`)
    if (!Number.isInteger(value)) throw new BureauInputError("NOT_AN_INTEGER", field, `${field} must be a whole number (${what})`)
    if (value < 0 || value > max) throw new BureauInputError("OUT_OF_RANGE", field, `${field} must be from 0 to ${max} (${what})`)
    return value === 0 ? 0 : value
}
