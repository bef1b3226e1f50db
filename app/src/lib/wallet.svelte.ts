/**
 * The wallet: an injected EIP-1193 wallet found through EIP-6963 (wrapped in ethers'
 * BrowserProvider, on the platform's chain or refused with a clear message), or, on a local
 * chain without one, one of the node's unlocked dev accounts (a JsonRpcSigner of the RPC
 * provider). Reads always go through the RPC provider; only writes go through the wallet.
 */
import { BrowserProvider, Contract, ZeroHash, type Eip1193Provider, type Signer } from "ethers"
import { connectContracts, type ZkCreditContracts } from "$client/contracts.ts"
import { TestStablecoinAbi } from "$client/generated/abis.ts"
import { app } from "./app.svelte.ts"
import { AppError } from "./errors.ts"

/** EIP-6963 provider info. */
export interface WalletInfo {
    uuid: string
    name: string
    icon: string
    rdns: string
}

type EventfulProvider = Eip1193Provider & {
    on?: (event: string, listener: (...args: unknown[]) => void) => void
    removeListener?: (event: string, listener: (...args: unknown[]) => void) => void
}

/** An injected wallet announced through EIP-6963. */
export interface InjectedWallet {
    info: WalletInfo
    provider: EventfulProvider
}

/** What the connected account may do, read on chain. */
export interface Roles {
    /** `DEFAULT_ADMIN_ROLE` of the trust registry: its KYC part's admin (officers, root validity, unpausing). Its bureau and committee parts have admin roles of their own. */
    kycAdmin: boolean
    officer: boolean
    marketAdmin: boolean
    /** Offers this account lends from. */
    lenderOf: number[]
}

const STORAGE_KEY = "zkcredit.wallet"

class WalletState {
    injected = $state.raw<InjectedWallet[]>([])
    kind = $state<"none" | "injected" | "dev">("none")
    address = $state<string | undefined>()
    /** The wallet's chain id (injected wallets); the platform's for dev accounts. */
    chainId = $state<number | undefined>()
    walletName = $state("")
    signer = $state.raw<Signer | undefined>()
    roles = $state.raw<Roles | undefined>()
    balances = $state.raw<{ eth: bigint; token: bigint } | undefined>()
    connecting = $state(false)
    #active: InjectedWallet | undefined
    #listeners: [string, (...args: unknown[]) => void][] = []

    /** Connected, on the right chain: writes are possible. */
    get ready(): boolean {
        return this.signer !== undefined && !this.wrongChain
    }

    get wrongChain(): boolean {
        return this.kind === "injected" && this.chainId !== undefined && this.chainId !== app.chainId
    }

    /** Listens for EIP-6963 announcements and asks wallets to announce themselves. */
    discover(): void {
        window.addEventListener("eip6963:announceProvider", (event: Event) => {
            const detail = (event as CustomEvent<InjectedWallet>).detail
            if (!detail?.info?.uuid || !detail.provider || this.injected.some((w) => w.info.uuid === detail.info.uuid)) return
            this.injected = [...this.injected, { info: detail.info, provider: detail.provider }]
            this.#resumeInjected(detail)
        })
        window.dispatchEvent(new Event("eip6963:requestProvider"))
    }

    /** Restores the last dev account (no prompt; injected wallets resume when they announce). */
    async resume(): Promise<void> {
        const saved = this.#saved()
        if (saved?.kind === "dev" && saved.address && app.config?.devAccounts?.some((a) => a.address.toLowerCase() === saved.address!.toLowerCase())) {
            await this.connectDev(saved.address).catch(() => this.#forget())
        }
    }

    #saved(): { kind: "dev" | "injected"; address?: string; rdns?: string } | undefined {
        try {
            return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") ?? undefined
        } catch {
            return undefined
        }
    }

    #forget(): void {
        try {
            localStorage.removeItem(STORAGE_KEY)
        } catch {
            // nothing to forget
        }
    }

    async #resumeInjected(wallet: InjectedWallet): Promise<void> {
        const saved = this.#saved()
        if (saved?.kind !== "injected" || saved.rdns !== wallet.info.rdns || this.kind !== "none") return
        // eth_accounts does not prompt: resume only if the site is still allowed
        const accounts = (await wallet.provider.request({ method: "eth_accounts" }).catch(() => [])) as string[]
        if (accounts.length > 0) await this.connectInjected(wallet).catch(() => {})
    }

    /** Connects an injected wallet; asks it to switch to the platform's chain when it is on another. */
    async connectInjected(wallet: InjectedWallet): Promise<void> {
        this.connecting = true
        try {
            this.disconnect()
            const accounts = (await wallet.provider.request({ method: "eth_requestAccounts" })) as string[]
            if (!accounts?.[0]) throw new AppError("wallet.noAccount")
            this.#active = wallet
            this.kind = "injected"
            this.walletName = wallet.info.name
            this.address = accounts[0]
            this.chainId = Number(await wallet.provider.request({ method: "eth_chainId" }))
            if (this.chainId !== app.chainId) await this.switchChain()
            await this.#injectedSigner()
            const onAccounts = (...args: unknown[]) => {
                const list = args[0] as string[]
                if (!list?.[0]) this.disconnect()
                else {
                    this.address = list[0]
                    void this.#injectedSigner()
                }
            }
            const onChain = (...args: unknown[]) => {
                this.chainId = Number(args[0])
                void this.#injectedSigner()
            }
            wallet.provider.on?.("accountsChanged", onAccounts)
            wallet.provider.on?.("chainChanged", onChain)
            this.#listeners = [["accountsChanged", onAccounts], ["chainChanged", onChain]]
            localStorage.setItem(STORAGE_KEY, JSON.stringify({ kind: "injected", rdns: wallet.info.rdns }))
        } finally {
            this.connecting = false
        }
    }

    /** Asks the injected wallet to switch to the platform's chain; leaves the wrong-chain state on refusal. */
    async switchChain(): Promise<void> {
        if (!this.#active) return
        try {
            await this.#active.provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${app.chainId.toString(16)}` }] })
            this.chainId = Number(await this.#active.provider.request({ method: "eth_chainId" }))
        } catch {
            // the wallet does not know the chain or the user said no: the wrong-network message stays
        }
    }

    async #injectedSigner(): Promise<void> {
        if (!this.#active || !this.address) return
        if (this.wrongChain) {
            this.signer = undefined
        } else {
            const browser = new BrowserProvider(this.#active.provider, app.chainId)
            browser.pollingInterval = 500
            this.signer = await browser.getSigner(this.address)
        }
        await this.refresh()
    }

    /** Uses one of the local node's unlocked accounts (local chain only). */
    async connectDev(address: string): Promise<void> {
        if (!app.provider) return
        this.disconnect()
        this.signer = await app.provider.getSigner(address)
        this.kind = "dev"
        this.address = await this.signer.getAddress()
        this.chainId = app.chainId
        this.walletName = app.config?.devAccounts?.find((a) => a.address.toLowerCase() === address.toLowerCase())?.label ?? ""
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ kind: "dev", address: this.address }))
        await this.refresh()
    }

    disconnect(): void {
        for (const [event, listener] of this.#listeners) this.#active?.provider.removeListener?.(event, listener)
        this.#listeners = []
        this.#active = undefined
        this.kind = "none"
        this.address = undefined
        this.chainId = undefined
        this.signer = undefined
        this.roles = undefined
        this.balances = undefined
        this.walletName = ""
        this.#forget()
    }

    /** Contract handles that write through the wallet. */
    writeContracts(): ZkCreditContracts {
        if (!app.config) throw new AppError("error.noConfig")
        if (this.wrongChain) throw new AppError("error.wrongChain", { expected: app.chainId, actual: this.chainId ?? 0 })
        if (!this.signer) throw new AppError("error.noWallet")
        return connectContracts(app.config.deployment, this.signer)
    }

    /** An ERC-20 handle that writes through the wallet. */
    writeToken(address: string): Contract {
        if (this.wrongChain) throw new AppError("error.wrongChain", { expected: app.chainId, actual: this.chainId ?? 0 })
        if (!this.signer) throw new AppError("error.noWallet")
        return new Contract(address, TestStablecoinAbi, this.signer)
    }

    /** Reads the account's roles and balances from the chain. */
    async refresh(): Promise<void> {
        const address = this.address
        const c = app.contracts
        if (!address || !c || !app.provider) return
        const officerRole = (await c.kycRegistry.getFunction("OFFICER_ROLE")()) as string
        const [kycAdmin, officer, marketAdmin, offerCount, eth, token] = await Promise.all([
            c.kycRegistry.getFunction("hasRole")(ZeroHash, address) as Promise<boolean>,
            c.kycRegistry.getFunction("hasRole")(officerRole, address) as Promise<boolean>,
            c.loanMarket.getFunction("hasRole")(ZeroHash, address) as Promise<boolean>,
            c.loanMarket.getFunction("offerCount")() as Promise<bigint>,
            app.provider.getBalance(address),
            c.stablecoin ? (c.stablecoin.getFunction("balanceOf")(address) as Promise<bigint>) : Promise.resolve(0n)
        ])
        const lenders = await Promise.all(Array.from({ length: Number(offerCount) }, (_, id) => c.loanMarket.getFunction("offer")(id).then((o: { lender: string }) => o.lender)))
        if (address !== this.address) return
        this.roles = { kycAdmin, officer, marketAdmin, lenderOf: lenders.flatMap((l, id) => (l.toLowerCase() === address.toLowerCase() ? [id] : [])) }
        this.balances = { eth, token }
    }
}

/** The one wallet. */
export const wallet = new WalletState()
