/**
 * Test files run two at a time (vitest.config.ts), so no two files may listen on one port. Each
 * file takes its ports with `testPort(base)`; this reads every test file and checks that no base
 * is taken by two files, and that the load test's range (a free port from 9200, up to 100 tried)
 * is nobody else's.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))
const LOAD_RANGE = { file: "test/adversarial/load.test.ts", from: 9200, to: 9299 }

function testFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) return testFiles(path)
        return entry.name.endsWith(".ts") ? [path] : []
    })
}

/** Port bases by file, from every `testPort(<number>)` in test/. */
function portsByFile(): Map<string, number[]> {
    const result = new Map<string, number[]>()
    for (const path of testFiles(join(ROOT, "test"))) {
        const bases = [...readFileSync(path, "utf8").matchAll(/testPort\((\d[\d_]*)\)/g)].map((m) => Number(m[1]!.replaceAll("_", "")))
        if (bases.length > 0) result.set(relative(ROOT, path), bases)
    }
    return result
}

describe("test ports", () => {
    it("finds the ports of the suites that listen (the check reads what it should)", () => {
        const files = portsByFile()
        expect(files.get("test/cli/lifecycle.test.ts")).toEqual(expect.arrayContaining([8600, 8601]))
        expect(files.get(LOAD_RANGE.file)).toEqual([LOAD_RANGE.from])
        expect(files.size).toBeGreaterThan(10)
    })

    it("no port is taken by two test files, and none falls in the load test's range", () => {
        const owners = new Map<number, string>()
        const clashes: string[] = []
        for (const [file, bases] of portsByFile()) {
            for (const base of new Set(bases)) {
                const owner = owners.get(base)
                if (owner !== undefined) clashes.push(`${base}: ${owner} and ${file}`)
                else owners.set(base, file)
                if (file !== LOAD_RANGE.file && base >= LOAD_RANGE.from && base <= LOAD_RANGE.to) clashes.push(`${base}: ${file} is inside ${LOAD_RANGE.file}'s range ${LOAD_RANGE.from}-${LOAD_RANGE.to}`)
            }
        }
        expect(clashes, "give each file its own ports (test/helpers/ports.ts)").toEqual([])
    })
})
