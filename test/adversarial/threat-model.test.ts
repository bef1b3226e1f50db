/**
 * docs/threat-model.md names, for every attack, the tests that show its mitigation, as
 * `` `test/<file> › <title>` ``. This suite keeps the page honest: every named file exists, holds a
 * test with exactly that title, not skipped; every attack row names a test; and every
 * adversarial suite appears in the page.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const doc = readFileSync(`${root}docs/threat-model.md`, "utf8")

/** Rows of the attacks table: `| A<n> | attack | mitigation | tests |`. */
function attackRows(): { id: string; tests: { file: string; title: string }[] }[] {
    return doc
        .split("\n")
        .filter((line) => /^\|\s*A\d+\s*\|/.test(line))
        .map((line) => {
            const cells = line.split("|").map((c) => c.trim())
            const id = cells[1]!
            const testCell = cells[cells.length - 2] ?? ""
            const tests = [...testCell.matchAll(/`([^`]+?)\s+›\s+([^`]+)`/g)].map(([, file, title]) => ({ file: file!.trim(), title: title!.trim() }))
            return { id, tests }
        })
}

/** Whether `source` declares a test titled `title` (as a string literal of it / describe / it.fails), not skipped. */
function declares(source: string, title: string): { found: boolean; skipped: boolean } {
    for (const quote of ['"', "'", "`"]) {
        const literal = `${quote}${title}${quote}`
        const at = source.indexOf(literal)
        if (at === -1) continue
        const before = source.slice(Math.max(0, at - 40), at)
        const call = /\b(it|test|describe)(\.(each\([^)]*\)|fails|only|skip|todo|concurrent))?\(\s*$/.exec(before)
        if (!call) continue
        return { found: true, skipped: /\.(skip|todo)$/.test(call[2] ?? "") }
    }
    return { found: false, skipped: false }
}

describe("docs/threat-model.md", () => {
    const rows = attackRows()

    it("lists attacks A1..An in order, each naming at least one test", () => {
        expect(rows.length).toBeGreaterThanOrEqual(30)
        rows.forEach((row, i) => {
            expect(row.id).toBe(`A${i + 1}`)
            expect(row.tests.length, `${row.id} names no test`).toBeGreaterThan(0)
        })
    })

    it("every named test file exists and declares a test with exactly that title, not skipped", () => {
        const missing: string[] = []
        for (const row of rows) {
            for (const { file, title } of row.tests) {
                if (!existsSync(`${root}${file}`)) {
                    missing.push(`${row.id}: no file ${file}`)
                    continue
                }
                const { found, skipped } = declares(readFileSync(`${root}${file}`, "utf8"), title)
                if (!found) missing.push(`${row.id}: ${file} has no test "${title}"`)
                else if (skipped) missing.push(`${row.id}: ${file} skips "${title}"`)
            }
        }
        expect(missing).toEqual([])
    })

    it("names tests from every layer, and every adversarial suite", () => {
        const files = new Set(rows.flatMap((r) => r.tests.map((t) => t.file)))
        for (const layer of ["test/circuits/", "test/prover/", "test/contracts/", "test/bureau/", "test/build/", "test/adversarial/"]) {
            expect([...files].some((f) => f.startsWith(layer)), layer).toBe(true)
        }
        const suites = readdirSync(`${root}test/adversarial`).filter((f) => f.endsWith(".test.ts") && f !== "threat-model.test.ts")
        for (const suite of suites) expect(files.has(`test/adversarial/${suite}`), `test/adversarial/${suite} is not in the threat model`).toBe(true)
    })

    it("marks an attack OPEN exactly when its test is expected to fail (it.fails)", () => {
        for (const row of rows) {
            const line = doc.split("\n").find((l) => l.startsWith(`| ${row.id} |`))!
            const open = line.includes("**OPEN.**")
            const fails = row.tests.some(({ file, title }) => readFileSync(`${root}${file}`, "utf8").includes(`it.fails("${title}"`))
            expect(open, `${row.id}: OPEN in the page ⇔ an it.fails test`).toBe(fails)
        }
    })
})
