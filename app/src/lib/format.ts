/** Small formatting and parsing helpers that do not depend on the language. */
import { parseUnits } from "ethers"

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
