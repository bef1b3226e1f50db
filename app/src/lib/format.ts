/** Small formatting and parsing helpers that do not depend on the language. */
import { formatUnits, parseUnits } from "ethers"

/** 0x1234…abcd for addresses; for big decimal numbers (pseudonyms, roots) the first and last digits. */
export function short(value: string | bigint, keep = 6): string {
    const text = typeof value === "bigint" ? `0x${value.toString(16).padStart(64, "0")}` : value
    return text.length <= keep * 2 + 3 ? text : `${text.slice(0, keep + (text.startsWith("0x") ? 2 : 0))}…${text.slice(-keep)}`
}

/** A pseudonym or root as 0x-hex of 32 bytes (how explorers show uint256 values). */
export function hex32(value: bigint): string {
    return `0x${value.toString(16).padStart(64, "0")}`
}

/**
 * Parses an amount typed by a person ("1,234.5", "1 234.5") into the token's smallest unit.
 * @returns undefined when it is not a positive decimal with at most `decimals` decimals.
 */
export function parseAmount(text: string, decimals: number): bigint | undefined {
    const clean = text.trim().replace(/[,\s_]/g, "")
    if (!/^\d+(\.\d+)?$/.test(clean)) return undefined
    const fraction = clean.split(".")[1] ?? ""
    if (fraction.length > decimals) return undefined
    try {
        const value = parseUnits(clean, decimals)
        return value > 0n ? value : undefined
    } catch {
        return undefined
    }
}

/** What is wrong with a typed amount, as a message key and its parameters (shown inline). */
export interface AmountProblem {
    key: "amount.notNumber" | "amount.notPositive" | "amount.tooManyDecimals" | "amount.tooHigh"
    params?: { decimals?: number; max?: { amount: bigint } }
}

/**
 * Checks a typed amount and says what is wrong with it, or returns its value in the token's
 * smallest unit. Empty text is neither: the field shows its placeholder and the action waits.
 * @param max The most the action accepts (the contract would refuse more).
 */
export function checkAmount(text: string, decimals: number, max?: bigint): { value: bigint } | { problem: AmountProblem } | undefined {
    const clean = text.trim().replace(/[,\s_]/g, "")
    if (clean === "") return undefined
    if (/^-/.test(clean) && /^-\d+(\.\d+)?$/.test(clean)) return { problem: { key: "amount.notPositive" } }
    if (!/^\d*\.?\d+$|^\d+\.$/.test(clean)) return { problem: { key: "amount.notNumber" } }
    const fraction = clean.split(".")[1] ?? ""
    if (fraction.length > decimals) return { problem: { key: "amount.tooManyDecimals", params: { decimals } } }
    const value = parseUnits(clean.replace(/\.$/, "").replace(/^\./, "0."), decimals)
    if (value === 0n) return { problem: { key: "amount.notPositive" } }
    if (max !== undefined && value > max) return { problem: { key: "amount.tooHigh", params: { max: { amount: max } } } }
    return { value }
}

/** A smallest-unit amount as plain decimal text for an input ("1000.5"), no grouping. */
export function amountInputText(value: bigint, decimals: number): string {
    const text = formatUnits(value, decimals)
    return text.endsWith(".0") ? text.slice(0, -2) : text
}

/** Parses a whole number in [min, max]; undefined otherwise. */
export function parseInteger(text: string | number, min: number, max: number): number | undefined {
    const clean = String(text).trim().replace(/[,\s_]/g, "")
    if (!/^\d+$/.test(clean)) return undefined
    const value = Number(clean)
    return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined
}

/** Parses a decimal number (percent, fraction) in [min, max]; undefined otherwise. */
export function parseDecimal(text: string | number, min: number, max: number): number | undefined {
    const clean = String(text).trim().replace(/[,\s_]/g, "")
    if (!/^\d+(\.\d+)?$/.test(clean)) return undefined
    const value = Number(clean)
    return Number.isFinite(value) && value >= min && value <= max ? value : undefined
}

/** Parses a percentage typed as "20", "20%" or "20 %" (also the full-width ％) in [min, max]. */
export function parsePercent(text: string | number, min: number, max: number): number | undefined {
    return parseDecimal(String(text).trim().replace(/\s*[%％]$/, ""), min, max)
}

/** Saves text as a file download. */
export function downloadText(filename: string, text: string, type = "application/json"): void {
    const url = URL.createObjectURL(new Blob([text], { type }))
    const a = document.createElement("a")
    a.href = url
    a.download = filename
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/**
 * A CSS width that shows all of `placeholder` in an input (for `style:width`): one `ch` per
 * character, two for a wide one (Chinese, full-width forms), plus the input's padding and border.
 * A minimum keeps short placeholders from making tiny fields; `max-width: 100%` in the CSS keeps
 * long ones inside their card.
 * @param minCh The narrowest the field may be, in `ch`.
 */
export function placeholderWidth(placeholder: string, minCh = 8): string {
    let ch = 0
    for (const c of placeholder) ch += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(c) ? 2 : 1
    return `calc(${Math.max(ch + 1, minCh)}ch + 1.3rem)`
}
