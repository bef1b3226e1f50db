/**
 * `npm start`: the whole platform on this machine. Starts a Hardhat node on 127.0.0.1:8545,
 * builds the circuits and contracts if needed, deploys with the Ignition modules, seeds the demo
 * world, starts the bureau service and serves the app, then prints where to go. Ctrl-C stops
 * everything it started and frees the ports.
 *
 * Options: --chain-port (8545), --bureau-port (8787), --app-port (5173), --state-dir (.zkcredit/local)
 */
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { DEMO_BACKUP_PASSWORD } from "./lib/demo-world.ts"
import { startPlatform, type Platform } from "./lib/platform.ts"

const root = fileURLToPath(new URL("../", import.meta.url))
const started = Date.now()

function option(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback
}
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`

let platform: Platform | undefined
let stopping = false
async function stopAll(code: number): Promise<never> {
    if (!stopping) {
        stopping = true
        if (platform) {
            console.log("\nstopping…")
            await platform.stop()
            console.log("stopped; ports freed.")
        }
    }
    process.exit(code)
}
process.on("SIGINT", () => void stopAll(0))
process.on("SIGTERM", () => void stopAll(0))

try {
    console.log("\x1b[1mzkcredit\x1b[0m: starting the local platform\n")
    const stateDir = option("state-dir", `${root}.zkcredit/local`)
    platform = await startPlatform({
        ports: { chain: Number(option("chain-port", "8545")), bureau: Number(option("bureau-port", "8787")), app: Number(option("app-port", "5173")) },
        stateDir,
        onStep: (n, total, text) => console.log(`\x1b[1m[${n}/${total}]\x1b[0m ${text} \x1b[2m(${elapsed()})\x1b[0m`),
        onDetail: (text) => console.log(`      ${text}`)
    })
    const { world, deployment } = platform
    const line = "─".repeat(72)
    console.log(`\n${line}\n\x1b[1mzkcredit is running\x1b[0m (ready in ${elapsed()})\n`)
    if (platform.appUrl) console.log(`  app        ${platform.appUrl}`)
    console.log(`  chain      ${platform.rpcUrl}  (chain id ${deployment.chainId})`)
    console.log(`  bureau     ${platform.bureauUrl}/v1/health`)
    console.log(`\n  accounts (the node's unlocked dev accounts; the app offers them when no wallet is installed)`)
    console.log(`    admin    ${world.admin}`)
    console.log(`    officer  ${world.officer}`)
    world.lenders.forEach((l, i) => console.log(`    lender ${i + 1} ${l}`))
    console.log(`\n  demo identities in ${relative(process.cwd(), `${stateDir}/identities`)}/ (backup password "${DEMO_BACKUP_PASSWORD}")`)
    for (const b of world.borrowers) console.log(`    ${b.name.padEnd(16)} ${b.kind.padEnd(7)} score ${b.score}  account ${b.address}`)
    console.log(`\n  offers: ${world.offerIds.length} funded (8,000 tUSD each; the lenders keep 2,000); all demo data in ${relative(process.cwd(), `${stateDir}/demo.json`)}`)
    const first = world.borrowers[0]
    console.log(`  CLI: npx zkcredit --help   (accounts: --account 0 admin, 1 officer, 2-3 lenders, 4+ borrowers)`)
    if (first) {
        const backup = relative(process.cwd(), `${stateDir}/${first.backupFile}`)
        console.log(`       ZKCREDIT_PASSWORD=${DEMO_BACKUP_PASSWORD} npx zkcredit borrower status --identity ${backup}`)
    }
    console.log(`       npx zkcredit officer audit;  npx zkcredit --account 2 lender loans`)
    console.log(`\nCtrl-C stops everything.\n${line}`)
} catch (error) {
    console.error(`\n\x1b[31mnpm start failed:\x1b[0m ${(error as Error).message}`)
    await stopAll(1)
}
