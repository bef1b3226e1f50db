/** The ERC-20 token of an offer: facts for amounts (decimals, symbol) and a handle. */
import { Contract, type ContractRunner } from "ethers"
import type { Deployment } from "../../client/src/deployments.ts"
import { badInput } from "./exit-codes.ts"
import { parseAddress } from "./parse.ts"

/** The ERC-20 functions the CLI calls (the test stablecoin's faucet included). */
export const ERC20_ABI = [
    "function decimals() view returns (uint8)",
    "function symbol() view returns (string)",
    "function balanceOf(address) view returns (uint256)",
    "function allowance(address owner, address spender) view returns (uint256)",
    "function approve(address spender, uint256 amount) returns (bool)",
    "function faucet(uint256 amount)"
] as const

/** A token and its display facts. */
export interface TokenInfo {
    address: string
    decimals: number
    symbol: string
    contract: Contract
}

/**
 * Resolves a token argument: an address, or `tusd` for the deployment's test stablecoin.
 * @param name The option or argument, for messages (default `--token`).
 */
export function resolveTokenAddress(text: string, deployment: Deployment, name = "--token"): string {
    if (text.toLowerCase() === "tusd") {
        if (!deployment.contracts.stablecoin) throw badInput("NO_STABLECOIN", `chain ${deployment.chainId} has no test stablecoin: pass the token's address`)
        return deployment.contracts.stablecoin
    }
    return parseAddress(text, name)
}

/**
 * Refuses (exit 2, nothing sent) a token the market's allowlist does not hold: `createOffer` and
 * `deposit` would revert with `TokenNotAllowed`.
 */
export async function requireTokenAllowed(loanMarket: Contract, token: TokenInfo, action: string): Promise<void> {
    if (await loanMarket.getFunction("isTokenAllowed")(token.address)) return
    throw badInput("TOKEN_NOT_ALLOWED", `${token.symbol} (${token.address}) is not on the market's token allowlist, so it cannot ${action}: use an allowed token, or ask the admin (\`zkcredit admin allow-token ${token.address}\`)`, { token: token.address })
}

/** Reads a token's decimals and symbol. */
export async function tokenInfo(address: string, runner: ContractRunner): Promise<TokenInfo> {
    const contract = new Contract(address, ERC20_ABI, runner)
    let decimals: number
    try {
        decimals = Number(await contract.getFunction("decimals")())
    } catch {
        throw badInput("NOT_A_TOKEN", `${address} does not answer decimals(): it is not an ERC-20 token on this chain`, { token: address })
    }
    const symbol = await contract.getFunction("symbol")().then(String).catch(() => "tokens")
    return { address, decimals, symbol, contract }
}
