/**
 * Load benchmark: 100 borrowers (by default) prove and borrow concurrently from 4 lenders against
 * a real local chain process (test/adversarial/lib/load.ts, which the load test runs CI-sized).
 * Prints a table and writes bench/results/load.json: loans, seconds, failed, throughput, medians,
 * the checks that nothing was lost, and the machine. Exits 1 if a borrow failed or a check broke.
 *
 * Usage: npx node bench/load.ts [--borrowers N] [--lenders N] [--workers N]
 */
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { runLoad } from "../test/adversarial/lib/load.ts"
import { machine, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"
import { testPort } from "../test/helpers/ports.ts"

function flag(name: string, fallback: number): number {
    const at = process.argv.indexOf(`--${name}`)
    if (at < 0) return fallback
    const value = Number(process.argv[at + 1])
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
}

async function main(): Promise<void> {
    const borrowers = flag("borrowers", 100)
    const lenders = flag("lenders", 4)
    const workersFlag = process.argv.includes("--workers") ? flag("workers", 1) : undefined
    const result = await runLoad({ borrowers, lenders, firstPort: testPort(8950), ...(workersFlag ? { workers: workersFlag } : {}), log: (line) => console.log(`  ${line}`) })
    const ok = result.failed === 0 && result.loans === borrowers && Object.values(result.checks).every(Boolean)
    printTable("load: concurrent proofs and borrows on a local chain process", [
        ["borrowers / lenders", `${result.borrowers} / ${result.lenders}`],
        ["proving processes", result.workers],
        ["loans", result.loans],
        ["failed", result.failed],
        ["seconds (prove + borrow)", result.seconds],
        ["loans per second", result.loansPerSecond],
        ["proofs per second", result.proofsPerSecond],
        ["proof ms (median, under load)", result.proofMsMedian],
        ["borrow ms (median, send to receipt)", result.borrowMsMedian],
        ["setup seconds", result.setupSeconds],
        ["nothing lost", ok ? "yes" : `NO: ${JSON.stringify(result.checks)}`]
    ])
    writeResult(`${RESULTS_DIR}/load.json`, { ...result, machine: machine(), measuredAt: new Date().toISOString() })
    if (!ok) {
        for (const failure of result.failures.slice(0, 20)) console.error(failure)
        process.exit(1)
    }
}

try {
    await main()
} catch (error) {
    console.error(error)
    process.exitCode = 1
} finally {
    await releaseSnarkCurve()
    // two MessagePorts from the set-up stay open after the results are written (whose is not found
    // yet) and would keep the process alive, so that `npm run bench` never reached the next one
    process.exit()
}
