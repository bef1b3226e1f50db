/**
 * Renders the scorecard's tables and the applicant fields as Markdown, so the README shows
 * exactly what the code scores (a test compares the two).
 */
import { APPLICANT_FIELDS, type ApplicantFieldSpec } from "./applicant.ts"
import { maxPointsOf, ONCHAIN_TABLES, PERSON_TABLES, RECORDED_DEFAULTS_TABLE, SME_TABLES, type FactorTable, type PointsBand } from "./scorecard.ts"

/**
 * The points tables of one scorecard as a Markdown table: one row per factor, with every band.
 * @param kind `person`, `sme`, `onchain` or `kyc` (the identity's recorded defaults).
 */
export function renderScorecardMarkdown(kind: "person" | "sme" | "onchain" | "kyc"): string {
    if (kind !== "person" && kind !== "sme" && kind !== "onchain" && kind !== "kyc") throw new TypeError(`kind must be "person", "sme", "onchain" or "kyc"`)
    const tables = kind === "person" ? PERSON_TABLES : kind === "sme" ? SME_TABLES : kind === "onchain" ? ONCHAIN_TABLES : [RECORDED_DEFAULTS_TABLE]
    const rows = tables.map((table) => {
        const bands = table.bands.map((band) => `${formatBand(band, table.unit)}: ${band.points}`)
        if (table.whenUndefined) bands.push(`${table.whenUndefined.meaning}: ${table.whenUndefined.points}`)
        return `| ${table.title} (\`${table.factor}\`) | \`${table.computedFrom}\` | ${table.better} | ${bands.join(" · ")} | ${maxPointsOf(table)} |`
    })
    return ["| factor | value | better | points by value | max |", "|---|---|---|---|---:|", ...rows].join("\n")
}

/**
 * The applicant fields of one kind as a Markdown table.
 * @param kind `person` or `sme`.
 */
export function renderApplicantFieldsMarkdown(kind: "person" | "sme"): string {
    if (kind !== "person" && kind !== "sme") throw new TypeError(`kind must be "person" or "sme"`)
    const rows = APPLICANT_FIELDS[kind].map((field) => `| \`${field.name}\` | ${formatFieldRange(field)} | ${field.description} |`)
    return ["| field | accepted values | meaning |", "|---|---|---|", `| \`kind\` | \`"${kind}"\` | kind of applicant |`, ...rows].join("\n")
}

function formatFieldRange(field: ApplicantFieldSpec): string {
    return field.type === "integer" ? `integer 0 – ${groupDigits(field.max)}` : "number 0 – 1, or `null`"
}

function formatBand(band: PointsBand, unit: FactorTable["unit"]): string {
    const value = (n: number): string => formatValue(n, unit)
    if (band.min === -Infinity) return `below ${value(band.max + 1)}`
    if (band.max === Infinity) return `${value(band.min)}+`
    if (band.min === band.max) return value(band.min)
    return `${value(band.min)}–${value(band.max)}`
}

function formatValue(n: number, unit: FactorTable["unit"]): string {
    if (unit === "bps") return `${formatPercent(n)}%`
    return groupDigits(n)
}

/** Basis points as a percentage with at most two decimals, without float rounding. */
function formatPercent(bps: number): string {
    const sign = bps < 0 ? "-" : ""
    const abs = Math.abs(bps)
    const whole = Math.floor(abs / 100)
    const fraction = abs % 100
    if (fraction === 0) return `${sign}${whole}`
    return `${sign}${whole}.${String(fraction).padStart(2, "0").replace(/0$/, "")}`
}

function groupDigits(n: number): string {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")
}
