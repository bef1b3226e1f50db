import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

function run(args: string[]): void {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" })
    if (result.status !== 0) throw new Error(`\`node ${args.join(" ")}\` failed with exit code ${result.status}`)
}

/** Builds what every suite needs, once per `npm test`: circuit artifacts, contracts, the app. */
export default function setup(): void {
    run(["scripts/build-circuits.ts"])
    run(["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"])
    // client/src/generated/abis.ts is committed and not rewritten here: test/build/abis.test.ts
    // checks it matches these contracts
    // the app: the browser tests' platforms serve it; built here so no two test files build it at once
    run(["--input-type=module", "-e", 'import { buildApp } from "./scripts/lib/app-build.ts"; await buildApp()'])
}
