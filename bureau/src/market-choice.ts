/**
 * The markets an applicant chooses to prove pseudonyms for in a history proof, checked against
 * the markets the bureau reads (`GET /v1/markets`) and the proof's slots. Pure: the app and the
 * CLI both check a choice here before they prove anything.
 */
import circuits from "../../circuits/circuits.json" with { type: "json" }

/**
 * How many markets one history proof can name: its slots (circuits.json's `history-proof`
 * parameter, the same source as the prover's `HISTORY_PROOF_SLOTS`, read here without loading
 * the prover).
 */
export const MAX_SHARED_MARKETS = Number(circuits["history-proof"].params[0])

/** Why a choice of markets cannot be proven. */
export type MarketChoiceProblem =
    /** `market` (a scope, decimal) is not one the bureau reads: it would refuse the proof. */
    | { code: "UNKNOWN_MARKET"; market: string }
    /** More distinct markets than one proof has slots for. */
    | { code: "TOO_MANY_MARKETS"; count: number; max: number }

/**
 * Checks the markets an applicant chose.
 * @param chosen The chosen markets' scopes, in the applicant's order; repeats count once.
 * @param offered The scopes of the markets the bureau reads.
 * @param max Most markets one proof can name (default {@link MAX_SHARED_MARKETS}).
 * @returns The distinct scopes to prove, in order (none is a valid choice), or the problem.
 */
export function checkMarketChoice(chosen: readonly bigint[], offered: readonly bigint[], max: number = MAX_SHARED_MARKETS): { scopes: bigint[] } | { problem: MarketChoiceProblem } {
    const scopes = [...new Set(chosen)]
    // too many is said first: no choice of which markets to drop could fix it otherwise
    if (scopes.length > max) return { problem: { code: "TOO_MANY_MARKETS", count: scopes.length, max } }
    const unknown = scopes.find((scope) => !offered.includes(scope))
    if (unknown !== undefined) return { problem: { code: "UNKNOWN_MARKET", market: unknown.toString() } }
    return { scopes }
}
