/**
 * Deploys zkcredit with the Ignition modules to a network of hardhat.config.ts and writes
 * deployments/<chainId>.json, which the CLI and the app read.
 */
import { readFileSync } from "node:fs"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { getAddress, isAddress } from "ethers"
import { network } from "hardhat"
import { parseDeployment, type Deployment } from "../../client/src/deployments.ts"
import TestStablecoinModule from "../../ignition/modules/test-stablecoin.ts"
import ZkCreditModule from "../../ignition/modules/zkcredit.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** The chain id of the local Hardhat node (`npm start`, tests): the only one the development verifier may go to by default. */
export const LOCAL_CHAIN_ID = 31337n

/** The flag an operator passes to deploy the INSECURE development verifier elsewhere. */
export const ALLOW_INSECURE_DEV_VERIFIER_FLAG = "--allow-insecure-dev-verifier"

/** Deploying the development verifier to a chain other than the local one, without the flag. */
export class InsecureVerifierError extends Error {
    /** The chain that was refused. */
    readonly chainId: bigint
    constructor(chainId: bigint) {
        super(
            `refusing to deploy the INSECURE development verifier to chain ${chainId}: its trusted setup is public, anyone can forge proofs. ` +
                `Build a production verifier from a ceremony (README, "Trusted setup"), or pass ${ALLOW_INSECURE_DEV_VERIFIER_FLAG} for a throw-away test network`
        )
        this.name = "InsecureVerifierError"
        this.chainId = chainId
    }
}

/** Deployment input the operator must fix (a token to allow that is not an address or not a contract, an admin that is not the deployer); nothing was sent. */
export class DeployInputError extends Error {
    constructor(message: string) {
        super(message)
        this.name = "DeployInputError"
    }
}

/**
 * Checks the `--allow-token` values: each an address (any case; checksummed if mixed-case), not
 * zero, no repeats. Returns them checksummed.
 * @throws {DeployInputError} naming the bad value.
 */
export function parseAllowTokens(values: readonly string[]): string[] {
    const tokens: string[] = []
    for (const value of values) {
        if (!isAddress(value)) throw new DeployInputError(`--allow-token ${JSON.stringify(value)} is not an address: give the token contract's 0x address (40 hex digits)`)
        const address = getAddress(value)
        if (BigInt(address) === 0n) throw new DeployInputError("--allow-token 0x0000000000000000000000000000000000000000 is the zero address: give the token contract's address")
        if (tokens.includes(address)) throw new DeployInputError(`--allow-token ${address} is given twice`)
        tokens.push(address)
    }
    return tokens
}

/**
 * Whether the Solidity verifier the contracts inherit comes from the development setup: the
 * generator labels it `INSECURE development setup` (scripts/lib/dev-setup.ts), a ceremony's does not.
 */
export function isDevelopmentVerifier(source = readFileSync(`${root}contracts/generated/CreditProofVerifier.sol`, "utf8")): boolean {
    return source.includes("INSECURE development setup")
}

/**
 * Refuses (throws {@link InsecureVerifierError}) to deploy the development verifier to any chain but
 * {@link LOCAL_CHAIN_ID}, unless `allowInsecureDevVerifier` says the operator asked for it.
 */
export function requireVerifierAllowed(chainId: bigint, options: { allowInsecureDevVerifier?: boolean; developmentVerifier?: boolean } = {}): void {
    const development = options.developmentVerifier ?? isDevelopmentVerifier()
    if (development && chainId !== LOCAL_CHAIN_ID && options.allowInsecureDevVerifier !== true) throw new InsecureVerifierError(chainId)
}

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
    /**
     * Deploy the INSECURE development verifier to a chain other than the local one (a throw-away
     * test network). Without it such a deployment throws {@link InsecureVerifierError} before
     * sending anything.
     */
    allowInsecureDevVerifier?: boolean
    /**
     * Tokens the market's allowlist takes at deployment (offers can use no other). The test
     * stablecoin is allowed too when `withStablecoin`. The deployer must be the market's admin to
     * send these; with another `admin` parameter, that admin runs `zkcredit admin allow-token`.
     */
    allowTokens?: readonly string[]
}

/**
 * Before anything is sent: each token to allow is a contract on this chain, and the deployer, who
 * sends the allowlist's transactions, is the admin.
 * @throws {DeployInputError}
 */
async function requireAllowableTokens(
    provider: { getCode(address: string): Promise<string> },
    tokens: readonly string[],
    who: { admin: unknown; deployer: string; withStablecoin: boolean }
): Promise<void> {
    for (const token of tokens) {
        if ((await provider.getCode(token)) === "0x") throw new DeployInputError(`--allow-token ${token} is not a contract on this chain: give the token contract's address`)
    }
    const adminIsDeployer = who.admin === undefined || (typeof who.admin === "string" && isAddress(who.admin) && getAddress(who.admin) === getAddress(who.deployer))
    if ((tokens.length > 0 || who.withStablecoin) && !adminIsDeployer) {
        throw new DeployInputError(`the admin parameter ${String(who.admin)} is not the deployer ${who.deployer}, so the deployment cannot allow tokens: deploy without --allow-token, then the admin runs \`zkcredit admin allow-token <address>\``)
    }
}

/** Deploys (or resumes a deployment), allows its tokens in the market, and writes deployments/<chainId>.json. */
export async function deployZkCredit(options: DeployOptions): Promise<Deployment> {
    const connection = await network.connect({ network: options.networkName, ...(options.rpcUrl ? { override: { url: options.rpcUrl } } : {}) })
    try {
        const { ethers, ignition } = connection
        const { chainId } = await ethers.provider.getNetwork()
        requireVerifierAllowed(chainId, { allowInsecureDevVerifier: options.allowInsecureDevVerifier === true })
        const allowTokens = parseAllowTokens(options.allowTokens ?? [])
        const [deployer] = await ethers.getSigners()
        await requireAllowableTokens(ethers.provider, allowTokens, { admin: options.parameters?.admin, deployer: deployer!.address, withStablecoin: options.withStablecoin === true })
        if (chainId !== LOCAL_CHAIN_ID && isDevelopmentVerifier()) {
            console.warn(`WARNING: deploying the INSECURE development verifier to chain ${chainId} (${ALLOW_INSECURE_DEV_VERIFIER_FLAG}): anyone can forge proofs there`)
        }
        const deploymentId = options.deploymentId ?? `chain-${chainId}`
        if (options.freshChain) await rm(`${root}ignition/deployments/${deploymentId}`, { recursive: true, force: true })
        const fromBlock = (await ethers.provider.getBlockNumber()) + 1
        const parameters = { ZkCredit: options.parameters ?? {} }
        const core = await ignition.deploy(ZkCreditModule, { parameters, displayUi: false, deploymentId })
        const token = options.withStablecoin ? await ignition.deploy(TestStablecoinModule, { displayUi: false, deploymentId }) : undefined
        // the allowlist, after Ignition: skipped for tokens already allowed, so a resumed deployment sends each once
        for (const address of [...(token ? [await token.stablecoin.getAddress()] : []), ...allowTokens]) {
            for (const market of [core.loanMarket, core.requestMarket]) {
                if (!(await market.getFunction("isTokenAllowed")(address))) await (await market.getFunction("setTokenAllowed")(address, true)).wait()
            }
        }
        const deployment = parseDeployment({
            chainId: Number(chainId),
            network: options.networkName,
            contracts: {
                trustRegistry: await core.trustRegistry.getAddress(),
                creditVerifier: await core.creditVerifier.getAddress(),
                loanMarket: await core.loanMarket.getAddress(),
                escrowOpenings: await core.escrowOpenings.getAddress(),
                requestMarket: await core.requestMarket.getAddress(),
                requestEscrowOpenings: await core.requestEscrowOpenings.getAddress(),
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
