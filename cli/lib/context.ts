/**
 * What every chain command needs, resolved lazily from the global options: the JSON-RPC
 * provider (checked to answer first, so a dead URL is exit 3 and not an endless retry), the
 * deployment of that chain, contract handles and the signer.
 *
 * Signer: `--account <index|address>` picks one of the node's unlocked accounts (a local dev
 * chain); otherwise the private key in `ZKCREDIT_PRIVATE_KEY` (never an argument, never printed);
 * otherwise account 0 of the node.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Contract, JsonRpcProvider, Network, Wallet, type Signer } from "ethers"
import { connectContracts, type ZkCreditContracts } from "../../client/src/contracts.ts"
import { parseDeployment, type Deployment } from "../../client/src/deployments.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { badInput, unreachable } from "./exit-codes.ts"
import { readJson } from "./files.ts"
import { Output } from "./output.ts"
import { parseAddress, parseInteger } from "./parse.ts"

const packageRoot = fileURLToPath(new URL("../../", import.meta.url))

/** Default JSON-RPC URL (a local node). */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545"

/** The environment variables the CLI reads. */
export const ENV = {
    rpc: "ZKCREDIT_RPC_URL",
    deployment: "ZKCREDIT_DEPLOYMENT",
    privateKey: "ZKCREDIT_PRIVATE_KEY",
    bureau: "ZKCREDIT_BUREAU_URL"
} as const

/** The global options, as commander gives them. */
export interface GlobalOptions {
    rpc?: string
    deployment?: string
    account?: string
    json?: boolean
    yes?: boolean
}

/** The resolved environment of one command run. */
export class CliContext {
    readonly options: GlobalOptions
    readonly out: Output
    #provider?: Promise<JsonRpcProvider>
    #deployment?: Promise<Deployment>
    #signer?: Promise<Signer>

    constructor(options: GlobalOptions) {
        this.options = options
        this.out = new Output(options.json === true)
    }

    /** The JSON-RPC URL: --rpc, else ZKCREDIT_RPC_URL, else the local node. */
    get rpcUrl(): string {
        return this.options.rpc ?? process.env[ENV.rpc] ?? DEFAULT_RPC_URL
    }

    /** A provider for the chain, after checking that it answers. */
    provider(): Promise<JsonRpcProvider> {
        this.#provider ??= connect(this.rpcUrl)
        return this.#provider
    }

    /** The chain id. */
    async chainId(): Promise<number> {
        return Number((await (await this.provider()).getNetwork()).chainId)
    }

    /**
     * The deployment: --deployment <file>, else ZKCREDIT_DEPLOYMENT, else deployments/<chainId>.json
     * in the current folder or in the zkcredit package. Checked against the chain (id and code).
     */
    deployment(): Promise<Deployment> {
        this.#deployment ??= this.#loadDeployment()
        return this.#deployment
    }

    /** Contract handles for reading. */
    async readContracts(): Promise<ZkCreditContracts> {
        return connectContracts(await this.deployment(), await this.provider())
    }

    /** Contract handles that send transactions from the signer. */
    async writeContracts(): Promise<ZkCreditContracts> {
        return connectContracts(await this.deployment(), await this.signer())
    }

    /** A contract of any ABI, connected to the signer (writes) or the provider. */
    async contract(address: string, abi: readonly unknown[], write = false): Promise<Contract> {
        return new Contract(address, abi as never, write ? await this.signer() : await this.provider())
    }

    /** The signer (see the module notes). */
    signer(): Promise<Signer> {
        this.#signer ??= this.#resolveSigner()
        return this.#signer
    }

    /** The signer's address. */
    async address(): Promise<string> {
        return (await this.signer()).getAddress()
    }

    /** Closes the provider so the process can exit. */
    close(): void {
        void this.#provider?.then((p) => p.destroy()).catch(() => {})
    }

    async #loadDeployment(): Promise<Deployment> {
        const provider = await this.provider()
        const chainId = Number((await provider.getNetwork()).chainId)
        if (this.options.deployment === "") throw badInput("FILE_NOT_FOUND", "--deployment is empty: give the deployment file, or leave the option out")
        // an empty ZKCREDIT_DEPLOYMENT is an unset one (as shells export it)
        const explicit = this.options.deployment ?? (process.env[ENV.deployment] || undefined)
        const candidates = explicit ? [resolve(explicit)] : [resolve(`deployments/${chainId}.json`), `${packageRoot}deployments/${chainId}.json`]
        const file = candidates.find((f) => existsSync(f))
        if (!file) {
            if (explicit) throw badInput("FILE_NOT_FOUND", `deployment file ${explicit} does not exist: check --deployment`, { file: explicit })
            throw unreachable("NO_DEPLOYMENT", `no deployment is known for chain ${chainId}: deploy first (npm start, or node scripts/deploy.ts --network <name>), or pass --deployment <file>`, { chainId })
        }
        let deployment: Deployment
        try {
            deployment = parseDeployment(await readJson(file, "deployment file"))
        } catch (error) {
            if (isZkCreditError(error)) throw badInput("INVALID_DEPLOYMENT", `deployment file ${file}: ${error.message}`, { file })
            throw error
        }
        if (deployment.chainId !== chainId) {
            throw badInput("WRONG_CHAIN", `deployment file ${file} is for chain ${deployment.chainId}, but ${this.rpcUrl} is chain ${chainId}: pass the right --deployment or --rpc`, { file, chainId })
        }
        if ((await provider.getCode(deployment.contracts.loanMarket)) === "0x") {
            throw unreachable("NO_DEPLOYMENT", `chain ${chainId} has no contract at the LoanMarket address of ${file} (was the local node restarted?): deploy again`, { file, chainId })
        }
        return deployment
    }

    async #resolveSigner(): Promise<Signer> {
        const provider = await this.provider()
        const account = this.options.account
        if (account === undefined && process.env[ENV.privateKey]) {
            const key = process.env[ENV.privateKey]!.trim()
            const invalid = () => badInput("INVALID_PRIVATE_KEY", `${ENV.privateKey} must be a private key of 64 hex digits, above 0 and below the secp256k1 group order (its value is not shown)`)
            if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw invalid()
            try {
                return new Wallet(key.startsWith("0x") ? key : `0x${key}`, provider)
            } catch {
                // 0, or at or above the curve order: ethers' message would name neither the variable nor the rule
                throw invalid()
            }
        }
        const accounts = (await provider.send("eth_accounts", [])) as string[]
        const which = account ?? "0"
        if (/^0x/i.test(which)) {
            const address = parseAddress(which, "--account")
            if (!accounts.some((a) => a.toLowerCase() === address.toLowerCase())) {
                throw badInput("UNKNOWN_ACCOUNT", `${address} is not an unlocked account of the node at ${this.rpcUrl}: on a public chain set ${ENV.privateKey} instead`)
            }
            return provider.getSigner(address)
        }
        const index = parseInteger(which, "--account")
        if (index >= accounts.length) {
            throw badInput("UNKNOWN_ACCOUNT", `the node at ${this.rpcUrl} has ${accounts.length} unlocked accounts, so --account ${index} does not exist${accounts.length === 0 ? `: set ${ENV.privateKey} to sign with a key` : ""}`)
        }
        return provider.getSigner(index)
    }
}

/** Checks the URL answers eth_chainId (10 s at most), then makes a provider with that network fixed. */
async function connect(url: string): Promise<JsonRpcProvider> {
    if (!/^https?:\/\//.test(url)) throw badInput("INVALID_URL", `--rpc must be an http(s) URL, got ${JSON.stringify(url)}`)
    let chainId: bigint
    try {
        const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
            signal: AbortSignal.timeout(10_000)
        })
        const body = (await response.json()) as { result?: string }
        if (typeof body.result !== "string") throw new Error("no chain id in the answer")
        chainId = BigInt(body.result)
    } catch (error) {
        throw unreachable("CHAIN_UNREACHABLE", `no JSON-RPC node answers at ${url} (${(error as Error).message}): start one (npm start) or pass --rpc <url>`, { rpc: url })
    }
    // cacheTimeout -1: back-to-back transactions must not read a stale nonce
    return new JsonRpcProvider(url, Network.from(chainId), { cacheTimeout: -1, staticNetwork: true })
}
