/** Plain-text tables for the human output. */

/**
 * Formats rows as a left-aligned table with a header line.
 * @param header Column titles.
 * @param rows Cells as strings.
 */
export function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** A long hex or decimal value shortened for tables: `0x1234…abcd`. */
export function shorten(value: string | bigint, keep = 6): string {
    const text = typeof value === "bigint" ? `0x${value.toString(16)}` : value
    return text.length <= 2 * keep + 3 ? text : `${text.slice(0, keep + (text.startsWith("0x") ? 2 : 0))}…${text.slice(-keep)}`
}

/** A unix time as an ISO date-time (UTC, seconds). */
export function isoTime(unixSeconds: number): string {
    return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z")
}
