/** Shared by the benchmark scripts: medians, machine facts, a printed table, the JSON file. */
import { writeFileSync, mkdirSync } from "node:fs"
import { cpus } from "node:os"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url))

/** Where results go. */
export const RESULTS_DIR = `${ROOT}bench/results`

/** Median of a list of numbers. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b)
    const mid = Math.floor(sorted.length / 2)
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Runs `fn` `runs` times and returns each duration in ms (rounded to 0.1 ms). */
export async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
        const start = performance.now()
        await fn()
        times.push(Math.round((performance.now() - start) * 10) / 10)
    }
    return times
}

/** What the numbers were measured on. */
export function machine(): Record<string, string | number> {
    const cpu = cpus()
    return { node: process.version, cpu: cpu[0]?.model ?? "unknown", cores: cpu.length, platform: `${process.platform}-${process.arch}` }
}

/** Prints rows as an aligned two-column table. */
export function printTable(title: string, rows: [string, string | number][]): void {
    const width = Math.max(...rows.map(([k]) => k.length))
    console.log(`\n${title}`)
    console.log(`${"".padEnd(width + 2, "-")}${"".padEnd(24, "-")}`)
    for (const [key, value] of rows) console.log(`${key.padEnd(width + 2)}${typeof value === "number" ? value.toLocaleString("en-US") : value}`)
}

/** Writes a result file as pretty JSON and says where. */
export function writeResult(path: string, data: unknown): void {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`)
    console.log(`\nwrote ${path.replace(ROOT, "")}`)
}
