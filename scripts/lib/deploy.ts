/**
 * Deploys zkcredit with the Ignition modules to a network of hardhat.config.ts and writes
 * deployments/<chainId>.json, which the CLI and the app read.
 */
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { network } from "hardhat"
import { parseDeployment, type Deployment } from "../../client/src/deployments.ts"
import TestStablecoinModule from "../../ignition/modules/test-stablecoin.ts"
import ZkCreditModule from "../../ignition/modules/zkcredit.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Where the deployment of a chain is written. */
export function deploymentFile(chainId: number | bigint): string {
    return `${root}deployments/${chainId}.json`
}

/** Options of {@link deployZkCredit}. */
export interface DeployOptions {
    /** A network of hardhat.config.ts: "localhost", "remote", ... */
    networkName: string
    /** Overrides the network's URL (e.g. a local node on another port). */
    rpcUrl?: string
    /** Ignition parameters of the ZkCredit module. */
    parameters?: Record<string, string | number | boolean>
    /** Also deploy the test stablecoin (local and test networks only). */
    withStablecoin?: boolean
    /** Ignition deployment id (its journal folder under ignition/deployments); default chain-<id>. */
    deploymentId?: string
    /** Where to write the deployment; default deployments/<chainId>.json. */
    outFile?: string
    /**
     * Forget Ignition's journal of this chain first. Only for a chain that starts empty each time
     * (the local node): on a real network the journal is what makes a deployment resumable.
     */
    freshChain?: boolean
}

/** Deploys (or resumes a deployment) and writes deployments/<chainId>.json. */
export async function deployZkCredit(options: DeployOptions): Promise<Deployment> {
    const connection = await network.connect({ network: options.networkName, ...(options.rpcUrl ? { override: { url: options.rpcUrl } } : {}) })
    try {
        const { ethers, ignition } = connection
        const { chainId } = await ethers.provider.getNetwork()
        const deploymentId = options.deploymentId ?? `chain-${chainId}`
        if (options.freshChain) await rm(`${root}ignition/deployments/${deploymentId}`, { recursive: true, force: true })
        const fromBlock = (await ethers.provider.getBlockNumber()) + 1
        const parameters = { ZkCredit: options.parameters ?? {} }
        const core = await ignition.deploy(ZkCreditModule, { parameters, displayUi: false, deploymentId })
        const token = options.withStablecoin ? await ignition.deploy(TestStablecoinModule, { displayUi: false, deploymentId }) : undefined
        const deployment = parseDeployment({
            chainId: Number(chainId),
            network: options.networkName,
            contracts: {
                kycRegistry: await core.kycRegistry.getAddress(),
                bureauRegistry: await core.bureauRegistry.getAddress(),
                creditVerifier: await core.creditVerifier.getAddress(),
                loanMarket: await core.loanMarket.getAddress(),
                ...(token ? { stablecoin: await token.stablecoin.getAddress() } : {})
            },
            deployBlock: fromBlock
        })
        const outFile = options.outFile ?? deploymentFile(chainId)
        await mkdir(dirname(outFile), { recursive: true })
        await writeFile(outFile, `${JSON.stringify(deployment, null, 2)}\n`)
        return deployment
    } finally {
        await connection.close()
    }
}
