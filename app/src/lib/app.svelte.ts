/**
 * The app's shared state: the runtime config (/config.json), the read-only chain connection,
 * token display facts, the message shown to the user and the one transaction at a time.
 */
import { Contract, JsonRpcProvider } from "ethers"
import { connectContracts, type ZkCreditContracts } from "$client/contracts.ts"
import { TestStablecoinAbi } from "$client/generated/abis.ts"
import { parsePlatformConfig, type PlatformConfig } from "$client/platform-config.ts"
import { describeError, type Described, type MessageParam } from "./errors.ts"
import type { MessageKey } from "./i18n/index.svelte.ts"

/** Symbol and decimals of a token. */
export interface TokenInfo {
    address: string
    symbol: string
    decimals: number
}

/** What the page shows at the top: the outcome of the last action. */
export interface Notice extends Described {
    kind: "error" | "success" | "info"
    /** For errors after some steps went through: what was done (keys, already in the user's language when shown). */
    done?: MessageKey[]
    /** Increases on each notice, so the same message twice still shows as new. */
    seq: number
}

/** Loads and checks /config.json. */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<PlatformConfig> {
    const response = await fetcher("/config.json", { cache: "no-store" })
    if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`)
    const type = response.headers.get("content-type") ?? ""
    if (!type.includes("json")) throw new Error("/config.json is not JSON (is the app served by `npm start` or a host that provides it?)")
    return parsePlatformConfig(await response.json())
}

class AppState {
    config = $state.raw<PlatformConfig | undefined>()
    provider = $state.raw<JsonRpcProvider | undefined>()
    /** Read-only contract handles (on the RPC provider). */
    contracts = $state.raw<ZkCreditContracts | undefined>()
    tokens = $state.raw<Map<string, TokenInfo>>(new Map())
    notice = $state.raw<Notice | undefined>()
    /** The message key of the transaction step in flight; every write button is disabled while set. */
    pending = $state<MessageKey | undefined>()
    #seq = 0

    /** Sets up the chain connection from a config. */
    init(config: PlatformConfig): void {
        const provider = new JsonRpcProvider(config.rpcUrl, config.deployment.chainId, { staticNetwork: true, cacheTimeout: -1 })
        provider.pollingInterval = 500
        this.config = config
        this.provider = provider
        this.contracts = connectContracts(config.deployment, provider)
        const stablecoin = config.deployment.contracts.stablecoin
        if (stablecoin && config.token) this.tokens = new Map([[stablecoin.toLowerCase(), { address: stablecoin, ...config.token }]])
    }

    get chainId(): number {
        return this.config?.deployment.chainId ?? 0
    }

    /** The stablecoin (offers are made in it), when the deployment has one. */
    get stablecoin(): TokenInfo | undefined {
        const address = this.config?.deployment.contracts.stablecoin
        return address ? this.tokens.get(address.toLowerCase()) : undefined
    }

    /** Token facts, read from the chain once per token. */
    async tokenInfo(address: string): Promise<TokenInfo> {
        const known = this.tokens.get(address.toLowerCase())
        if (known) return known
        const token = new Contract(address, TestStablecoinAbi, this.provider)
        const [symbol, decimals] = await Promise.all([token.getFunction("symbol")().catch(() => "?"), token.getFunction("decimals")().catch(() => 18n)])
        const info = { address, symbol: String(symbol), decimals: Number(decimals) }
        this.tokens = new Map(this.tokens).set(address.toLowerCase(), info)
        return info
    }

    /** The token facts known so far (the stablecoin's until others are read). */
    token(address: string | undefined): TokenInfo {
        return (address && this.tokens.get(address.toLowerCase())) || this.stablecoin || { address: address ?? "", symbol: "", decimals: 18 }
    }

    notify(kind: Notice["kind"], key: MessageKey, params?: Record<string, MessageParam>, done?: MessageKey[]): void {
        this.notice = { kind, key, ...(params ? { params } : {}), ...(done && done.length ? { done } : {}), seq: ++this.#seq }
    }

    /** Shows an error as a translated message. */
    fail(error: unknown, done?: MessageKey[]): void {
        const described = describeError(error, this.config?.deployment)
        this.notice = { kind: "error", ...described, ...(done && done.length ? { done } : {}), seq: ++this.#seq }
    }

    clearNotice(): void {
        this.notice = undefined
    }
}

/** The one app state. */
export const app = new AppState()
