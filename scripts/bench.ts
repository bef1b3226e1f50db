/**
 * `npm run bench`: runs every benchmark in bench/ in its own process and leaves the results in
 * bench/results/*.json. Builds what they need first.
 *
 * Usage: npm run bench [-- --only prover,gas]
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
/** In order: each later one may rely on what an earlier one built. */
const BENCHMARKS = ["prover", "gas", "gas-trace", "browser", "browser-semaphore", "load", "registry", "escrow", "bureau"]

const onlyArg = process.argv.indexOf("--only")
const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? "").split(",") : BENCHMARKS
const unknown = only.filter((name) => !BENCHMARKS.includes(name))
if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${BENCHMARKS.join(", ")}`)
    process.exit(2)
}

function run(args: string[]): boolean {
    return spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" }).status === 0
}

if (!run(["scripts/build-circuits.ts"]) || !run(["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"]) || !run(["scripts/export-abis.ts"])) process.exit(1)

const failed: string[] = []
for (const name of only) {
    const script = `bench/${name}.ts`
    if (!existsSync(`${root}${script}`)) {
        console.log(`\n(${script} not present, skipped)`)
        continue
    }
    console.log(`\n=== ${name} ===`)
    if (!run([script])) failed.push(name)
}
if (failed.length > 0) {
    console.error(`\nbenchmarks failed: ${failed.join(", ")}`)
    process.exit(1)
}
