import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

function run(args: string[]): void {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" })
    if (result.status !== 0) throw new Error(`\`node ${args.join(" ")}\` failed with exit code ${result.status}`)
}

/** `run` without blocking: two builds that do not read each other's output share the two cores. */
function runAsync(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: root, stdio: "inherit" })
        child.once("error", reject)
        child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`\`node ${args.join(" ")}\` failed with exit code ${code}`))))
    })
}

/** Set once the builds are done: every project of vitest.config.ts runs this setup, the builds are needed once. */
const BUILT = "ZKCREDIT_TEST_BUILT"

/** Builds what every suite needs, once per `npm test`: circuit artifacts, contracts, the app. */
export default async function setup(): Promise<void> {
    if (process.env[BUILT] === root) return
    // the contracts include contracts/generated/, which the circuit build writes: circuits first
    run(["scripts/build-circuits.ts"])
    // the contracts and the app do not read each other (the app takes client/src/generated/abis.ts,
    // committed; test/build/abis.test.ts checks it matches these contracts): built at the same time.
    // the app: the browser tests' platforms serve it; built here so no two test files build it at once
    await Promise.all([
        runAsync(["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"]),
        runAsync(["--input-type=module", "-e", 'import { buildApp } from "./scripts/lib/app-build.ts"; await buildApp()'])
    ])
    process.env[BUILT] = root
}
