/**
 * Translations: every string of the app is a key of the English catalog (en.ts); zh-CN.ts must
 * have exactly the same keys (its type makes a missing or extra key a compile error, and
 * test/e2e/catalogs.test.ts checks it again). `t()` reads the current locale, so templates that
 * call it re-render when the language changes. Numbers, amounts and dates go through `Intl`.
 */
import { formatUnits } from "ethers"
import { en, type MessageKey, type Messages } from "./en.ts"
import { zhCN } from "./zh-CN.ts"

export type { MessageKey, Messages }

/** The languages of the app; the first is the default. */
export const LOCALES = ["zh-CN", "en"] as const
export type Locale = (typeof LOCALES)[number]

export const CATALOGS: Record<Locale, Messages> = { "zh-CN": zhCN, en }

const STORAGE_KEY = "zkcredit.locale"

function initialLocale(): Locale {
    try {
        const stored = globalThis.localStorage?.getItem(STORAGE_KEY)
        if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale
    } catch {
        // storage disabled: the default
    }
    return "zh-CN"
}

/** The current locale (reactive). */
export const i18n = $state<{ locale: Locale }>({ locale: initialLocale() })

/** Switches the language, remembers it and updates `<html lang>`. */
export function setLocale(locale: Locale): void {
    i18n.locale = locale
    try {
        localStorage.setItem(STORAGE_KEY, locale)
    } catch {
        // not remembered, still switched
    }
    document.documentElement.lang = locale
}

/** Whether a string is a message key (for keys built from codes, e.g. `error.revert.${name}`). */
export function isMessageKey(key: string): key is MessageKey {
    return Object.hasOwn(en, key)
}

/** Parameters of a message: `{name}` placeholders. */
export type MessageParams = Record<string, string | number | bigint>

/** The message `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: MessageParams): string {
    const message = CATALOGS[i18n.locale][key] ?? en[key] ?? key
    if (!params) return message
    return message.replace(PLURAL, (match, name: string, forms: string) => plural(params[name], forms) ?? match).replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match))
}

/** `{count, plural, one {# loan} other {# loans}}`: the ICU plural form, the one the app uses. */
const PLURAL = /\{(\w+), plural,((?:\s*[a-z=0-9]+ \{[^{}]*\})+)\s*\}/g

/**
 * The form of a plural message for a count, by the locale's rules (`Intl.PluralRules`: English
 * has one/other, Chinese other only), with `#` as the count formatted for the locale.
 */
function plural(value: string | number | bigint | undefined, forms: string): string | undefined {
    if (value === undefined) return undefined
    const n = Number(value)
    const options = new Map([...forms.matchAll(/([a-z=0-9]+) \{([^{}]*)\}/g)].map((m) => [m[1]!, m[2]!]))
    const form = options.get(`=${n}`) ?? options.get(new Intl.PluralRules(i18n.locale).select(n)) ?? options.get("other")
    return form?.replace(/#/g, formatNumber(n))
}

/** A number per locale. */
export function formatNumber(value: number | bigint, options?: Intl.NumberFormatOptions): string {
    return new Intl.NumberFormat(i18n.locale, options).format(value)
}

/** Fraction digits every amount of a token is shown with: its decimals, at most 6. */
export function displayDecimals(decimals: number): number {
    return Math.min(decimals, 6)
}

/**
 * A token amount per locale, one rule for every amount of a token: always the same number of
 * fraction digits ({@link displayDecimals}), so 349.771690 stands next to 349.771689. The value
 * in the token's smallest unit is turned into a decimal string first, then grouped by `Intl`
 * (which formats decimal strings exactly); tokens with more than 6 decimals are cut, not rounded
 * up, so a shown amount is never more than the real one.
 */
export function formatAmount(value: bigint, decimals: number, symbol?: string): string {
    const digits = displayDecimals(decimals)
    const decimal = formatUnits(value, decimals)
    const text = new Intl.NumberFormat(i18n.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, roundingMode: "trunc" } as Intl.NumberFormatOptions).format(decimal as unknown as number)
    return symbol ? `${text} ${symbol}` : text
}

/** Basis points as a percentage per locale (1200 → 12%). */
export function formatBps(bps: number): string {
    return new Intl.NumberFormat(i18n.locale, { style: "percent", maximumFractionDigits: 2 }).format(bps / 10_000)
}

/** A unix time (seconds) as date and time per locale. */
export function formatDateTime(unixSeconds: number | bigint): string {
    return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(Number(unixSeconds) * 1000))
}

/** A unix time (seconds) as a date per locale. */
export function formatDate(unixSeconds: number | bigint): string {
    return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium" }).format(new Date(Number(unixSeconds) * 1000))
}

/** A unix time (seconds) as a short day and month per locale (chart axes). */
export function formatShortDate(unixSeconds: number | bigint): string {
    return new Intl.DateTimeFormat(i18n.locale, { month: "short", day: "numeric" }).format(new Date(Number(unixSeconds) * 1000))
}

/** A token amount rounded for an axis label (whole units, grouped). */
export function formatAmountShort(value: bigint, decimals: number): string {
    const units = Number(formatUnits(value, decimals))
    return new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: units < 10 ? 2 : 0 }).format(units)
}

/** A duration in seconds, in days (or hours/seconds when shorter), per locale. */
export function formatDuration(seconds: number): string {
    if (seconds % 86_400 === 0) return t("unit.days", { n: seconds / 86_400 })
    if (seconds % 3_600 === 0) return t("unit.hours", { n: seconds / 3_600 })
    return t("unit.seconds", { n: seconds })
}
