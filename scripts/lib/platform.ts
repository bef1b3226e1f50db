/**
 * The whole platform on this machine, as a function: a Hardhat node, the contracts deployed with
 * Ignition, the demo world, the bureau service and the app's static server. `npm start` runs it;
 * the CLI, browser and load tests start their own on other ports.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { JsonRpcProvider } from "ethers"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { loadOrCreateAdminToken } from "../../bureau/src/admin-token.ts"
import { chainHistory, officersFromChain, recordedDefaultsFromChain } from "../../bureau/src/chain.ts"
import { openDatabase } from "../../bureau/src/db/database.ts"
import { BureauStore } from "../../bureau/src/db/store.ts"
import { loadOrCreateBureauKeyFile } from "../../bureau/src/key-file.ts"
import { createBureauService } from "../../bureau/src/service.ts"
import type { Deployment } from "../../client/src/deployments.ts"
import type { PlatformConfig } from "../../client/src/platform-config.ts"
import { deployZkCredit } from "./deploy.ts"
import { seedDemoWorld, type DemoWorld } from "./demo-world.ts"
import { isPortTaken, startLocalNode } from "./local-node.ts"
import { startStaticServer, type StaticServer } from "./static-server.ts"
import { snapshotFiles, treeAtBlock, writeSnapshotDir } from "../../cli/lib/kyc-snapshot-files.ts"
import { buildApp } from "./app-build.ts"

export { buildApp }

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Options of {@link startPlatform}. */
export interface PlatformOptions {
    ports: { chain: number; bureau: number; app: number }
    /** Keys, identities and attestations of the demo world (made once, reused). */
    stateDir: string
    /** Serve the app (built if its sources changed). Default true. */
    serveApp?: boolean
    /**
     * Build circuits and contracts first (steps 1 and 2). Default true. A caller that builds
     * before importing this module (its imports need the generated ABIs) passes false.
     */
    build?: boolean
    /** Progress: a numbered step or a detail line. */
    onStep?: (step: number, total: number, text: string) => void
    onDetail?: (text: string) => void
}

/** A running platform. */
export interface Platform {
    rpcUrl: string
    bureauUrl: string
    /** Undefined when the app is not served. */
    appUrl?: string
    deployment: Deployment
    world: DemoWorld
    config: PlatformConfig
    /** Stops everything started, in reverse order, and frees the ports. */
    stop(): Promise<void>
}

const TOTAL_STEPS = 7

function runNode(args: string[], what: string, cwd = root): void {
    const result = spawnSync(process.execPath, args, { cwd, stdio: "inherit" })
    if (result.status !== 0) throw new Error(`${what} failed (exit code ${result.status})`)
}

/**
 * Starts the platform. On failure, stops what it had started and rethrows.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
    const step = (n: number, text: string) => options.onStep?.(n, TOTAL_STEPS, text)
    const detail = options.onDetail ?? (() => {})
    const cleanups: (() => Promise<void>)[] = []
    const stop = async () => {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
    }
    try {
        for (const [name, port] of Object.entries(options.ports)) {
            if (await isPortTaken(port)) throw new Error(`port ${port} (${name}) is in use: stop what runs there, or pass --${name}-port <port>`)
        }
        if (options.build !== false) {
            step(1, "circuits (built once, reused while the sources are unchanged)")
            runNode(["scripts/build-circuits.ts"], "building the circuits")
            step(2, "contracts")
            runNode(["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"], "compiling the contracts")
            runNode(["scripts/export-abis.ts"], "exporting the ABIs")
        }

        step(3, `local chain on 127.0.0.1:${options.ports.chain}`)
        const node = await startLocalNode({ port: options.ports.chain })
        cleanups.push(() => node.stop())

        step(4, "deploying with Ignition (ignition/modules/zkcredit.ts)")
        // the default port is `npm start`'s chain, whose addresses the CLI finds in deployments/;
        // a platform on another port (tests) keeps its deployment in its state folder
        const isDefault = options.ports.chain === 8545
        const outFile = isDefault ? undefined : `${options.stateDir}/deployment.json`
        const deployment = await deployZkCredit({
            networkName: "localhost",
            rpcUrl: node.url,
            withStablecoin: true,
            freshChain: true,
            ...(isDefault ? {} : { deploymentId: `localhost-${options.ports.chain}`, outFile })
        })
        detail(`LoanMarket ${deployment.contracts.loanMarket}; addresses in ${outFile ? relative(root, outFile) : `deployments/${deployment.chainId}.json`}`)

        // the bureau's database outlives the chain: embedded in the state folder, or a server by configuration
        const databaseUrl = process.env.ZKCREDIT_BUREAU_DATABASE_URL
        const store = await BureauStore.open(await openDatabase(databaseUrl ? { url: databaseUrl } : { dataDir: `${options.stateDir}/bureau-db` }))
        cleanups.push(() => store.close())

        step(5, "seeding the demo world")
        const world = await seedDemoWorld({ rpcUrl: node.url, deployment, stateDir: options.stateDir, store, onStep: detail })

        step(6, `bureau service on 127.0.0.1:${options.ports.bureau} (database: ${databaseUrl ? "PostgreSQL server" : `${relative(root, options.stateDir)}/bureau-db`})`)
        const { key } = await loadOrCreateBureauKeyFile(`${options.stateDir}/bureau-key.json`)
        const provider = new JsonRpcProvider(node.url, deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
        const bureau = createBureauService({
            privateKey: key.privateKey,
            validitySeconds: 30 * 86_400,
            store,
            officers: officersFromChain(provider, Number(deployment.chainId), deployment.contracts.trustRegistry),
            historyVerificationKey: JSON.parse(await readFile(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object,
            chain: await chainHistory(provider, [{ address: deployment.contracts.loanMarket }]),
            recordedDefaults: recordedDefaultsFromChain(provider, deployment.contracts.trustRegistry, deployment.deployBlock),
            adminToken: await loadOrCreateAdminToken(`${options.stateDir}/bureau-admin-token`),
            logger: () => {}
        })
        await bureau.listen(options.ports.bureau, "127.0.0.1")
        cleanups.push(async () => {
            await bureau.close()
            provider.destroy()
        })
        const bureauUrl = `http://127.0.0.1:${options.ports.bureau}`

        const config: PlatformConfig = {
            rpcUrl: node.url,
            deployment,
            bureauUrl,
            artifacts: { wasm: "/artifacts/credit-proof.wasm", zkey: "/artifacts/credit-proof.zkey" },
            devAccounts: [
                { address: world.admin, label: "admin" },
                { address: world.officer, label: "officer" },
                ...world.lenders.map((address, i) => ({ address, label: `lender ${i + 1}` })),
                ...world.borrowers.map((b) => ({ address: b.address, label: `borrower ${b.name}` }))
            ],
            token: { symbol: "tUSD", decimals: 6 }
        }

        step(7, `app on 127.0.0.1:${options.ports.app}`)
        let server: StaticServer | undefined
        if (options.serveApp !== false && existsSync(`${root}app/svelte.config.js`)) {
            await buildApp(detail)
            // a verifiable snapshot of the KYC registry, served next to the app: borrowers start from it
            const snapshotDir = `${options.stateDir}/kyc-snapshot`
            const { tree, block } = await treeAtBlock({ provider, chainId: deployment.chainId, kycRegistry: deployment.contracts.trustRegistry, deployBlock: deployment.deployBlock })
            const { manifest } = await writeSnapshotDir(snapshotDir, tree, { chainId: deployment.chainId, kycRegistry: deployment.contracts.trustRegistry, block })
            detail(`KYC snapshot at block ${block} (${tree.size} leaves) in ${relative(root, snapshotDir)}`)
            server = await startStaticServer({
                dir: `${root}app/build`,
                port: options.ports.app,
                files: snapshotFiles(snapshotDir, manifest),
                json: { "/config.json": () => config }
            })
            const s = server
            cleanups.push(() => s.close())
        }
        return { rpcUrl: node.url, bureauUrl, ...(server ? { appUrl: server.url } : {}), deployment, world, config, stop }
    } catch (error) {
        await stop()
        throw error
    }
}
