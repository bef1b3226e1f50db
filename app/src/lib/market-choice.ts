/**
 * Which markets the borrower shares their repayment history from: the bureau's markets
 * (`GET /v1/markets`) as choices, the last choice remembered on this device, and a choice
 * checked (bureau/src/market-choice.ts) into the scopes to prove or a translated problem.
 */
// a relative path, not $bureau: the module is also unit-tested in Node, where the alias is not set
import { checkMarketChoice, MAX_SHARED_MARKETS } from "../../../bureau/src/market-choice.ts"

/** Where the last choice is kept (scopes, decimal): which markets, not any pseudonym or record. */
export const SHARED_MARKETS_KEY = "zkcredit.sharedMarkets"

/** What is wrong with a choice of markets, as a message key and its parameters. */
export interface MarketChoiceMessage {
    key: "share.unknownMarket" | "share.tooManyMarkets"
    params: { market?: string; count?: number; max?: number }
}

/**
 * Checks the chosen markets against the bureau's.
 * @param chosen Chosen scopes, decimal strings (the form's checkbox values).
 * @param offered The bureau's scopes, decimal strings.
 * @returns The scopes to prove (none is a valid choice), or what is wrong.
 */
export function checkSharedMarkets(chosen: readonly string[], offered: readonly string[]): { scopes: bigint[] } | { problem: MarketChoiceMessage } {
    const parsed: bigint[] = []
    for (const scope of chosen) {
        // a value that is not a scope cannot be a market the bureau reads
        if (!/^[0-9]{1,78}$/.test(scope)) return { problem: { key: "share.unknownMarket", params: { market: scope.slice(0, 20) } } }
        parsed.push(BigInt(scope))
    }
    const result = checkMarketChoice(parsed, offered.map((s) => BigInt(s)))
    if ("scopes" in result) return result
    const p = result.problem
    return p.code === "UNKNOWN_MARKET" ? { problem: { key: "share.unknownMarket", params: { market: `${p.market.slice(0, 12)}…` } } } : { problem: { key: "share.tooManyMarkets", params: { count: p.count, max: p.max } } }
}

/**
 * The choice to start from: the last one kept in `storage`, less the markets the bureau no
 * longer reads, and at most what one proof can name; none when nothing was kept.
 */
export function rememberedMarkets(storage: Pick<Storage, "getItem">, offered: readonly string[]): string[] {
    let kept: unknown
    try {
        kept = JSON.parse(storage.getItem(SHARED_MARKETS_KEY) ?? "[]")
    } catch {
        return []
    }
    if (!Array.isArray(kept)) return []
    return kept.filter((scope): scope is string => typeof scope === "string" && offered.includes(scope)).slice(0, MAX_SHARED_MARKETS)
}

/** Keeps the choice for next time (only after it was checked and sent). */
export function rememberMarkets(storage: Pick<Storage, "setItem">, scopes: readonly bigint[]): void {
    storage.setItem(SHARED_MARKETS_KEY, JSON.stringify(scopes.map(String)))
}
