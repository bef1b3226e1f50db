/**
 * The officer's members file: identity commitments to add, as CSV or JSON. Every row is checked
 * before anything is sent; errors name the file and line.
 *
 * CSV: one commitment per line (decimal or 0x-hex); a header row naming a `commitment` column
 * lets the file carry other columns (they are ignored); empty lines and lines starting with `#`
 * are skipped. JSON: an array of commitments (strings or numbers), of `{ "commitment": ... }`
 * objects, or `{ "commitments": [...] }`.
 */
import { badInput, type CliError } from "./exit-codes.ts"
import { parseCommitment } from "./parse.ts"

/** A commitment and where it came from ("line 7", "item 3"). */
export interface MemberRow {
    commitment: bigint
    where: string
}

/** Most problems listed in one error. */
const MAX_LISTED = 10

/**
 * Parses and checks a members file: every value a non-zero field element, no repeats.
 * @throws bad input listing the first problems.
 */
export function parseMembersFile(text: string, path: string): MemberRow[] {
    const trimmed = text.replace(/^\uFEFF/, "").trim()
    const isJson = /\.json$/i.test(path) || trimmed.startsWith("[") || trimmed.startsWith("{")
    const raw = isJson ? jsonRows(trimmed, path) : csvRows(trimmed, path)
    const problems: string[] = []
    const rows: MemberRow[] = []
    const seen = new Map<bigint, string>()
    for (const { value, where } of raw) {
        try {
            const commitment = parseCommitment(value, where)
            const earlier = seen.get(commitment)
            if (earlier) problems.push(`${where}: repeats the commitment of ${earlier}`)
            else {
                seen.set(commitment, where)
                rows.push({ commitment, where })
            }
        } catch (error) {
            problems.push((error as CliError).message)
        }
    }
    if (problems.length > 0) {
        const listed = problems.slice(0, MAX_LISTED).map((p) => `  ${path} ${p}`)
        if (problems.length > MAX_LISTED) listed.push(`  ... and ${problems.length - MAX_LISTED} more`)
        throw badInput("INVALID_MEMBERS_FILE", `${problems.length} bad row(s) in ${path}; nothing was sent:\n${listed.join("\n")}`, { file: path, problems: problems.slice(0, 100) })
    }
    if (rows.length === 0) throw badInput("INVALID_MEMBERS_FILE", `${path} holds no commitments`, { file: path })
    return rows
}

function jsonRows(text: string, path: string): { value: unknown; where: string }[] {
    let data: unknown
    try {
        data = JSON.parse(text)
    } catch (error) {
        throw badInput("INVALID_JSON", `${path} is not valid JSON (${(error as Error).message})`, { file: path })
    }
    const list = Array.isArray(data) ? data : typeof data === "object" && data !== null && Array.isArray((data as { commitments?: unknown }).commitments) ? (data as { commitments: unknown[] }).commitments : undefined
    if (!list) throw badInput("INVALID_MEMBERS_FILE", `${path} must hold a JSON array of commitments or { "commitments": [...] }`, { file: path })
    return list.map((item, i) => ({
        value: typeof item === "object" && item !== null && !Array.isArray(item) ? (item as { commitment?: unknown }).commitment : item,
        where: `item ${i}`
    }))
}

function csvRows(text: string, path: string): { value: unknown; where: string }[] {
    const lines = text.split(/\r?\n/)
    const rows: { value: unknown; where: string }[] = []
    let column = 0
    let headerSeen = false
    lines.forEach((line, i) => {
        const content = line.trim()
        if (content === "" || content.startsWith("#")) return
        const cells = content.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, "$1"))
        if (!headerSeen) {
            headerSeen = true
            const named = cells.findIndex((c) => c.toLowerCase() === "commitment")
            if (named >= 0) {
                column = named
                return
            }
            // a first row without a number in it is a header without a commitment column
            if (!cells.some((c) => /^(0x)?[0-9a-fA-F]+$/.test(c))) {
                throw badInput("INVALID_MEMBERS_FILE", `${path} line ${i + 1}: a header row needs a "commitment" column`, { file: path })
            }
        }
        rows.push({ value: cells[column] ?? "", where: `line ${i + 1}` })
    })
    return rows
}
