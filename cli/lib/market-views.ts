/**
 * Offers and loans as the CLI shows them: JSON (amounts in the smallest unit as strings, plus
 * token facts) and tables (amounts in token units).
 */
import type { ContractRunner } from "ethers"
import type { LoanView, OfferView, PseudonymRecordView } from "../../client/src/views.ts"
import { formatAmount } from "./parse.ts"
import { isoTime, shorten, table } from "./table.ts"
import { tokenInfo, type TokenInfo } from "./token.ts"

const DAY = 86_400

/** Token facts by address, read once. */
export class TokenCache {
    readonly #runner: ContractRunner
    readonly #tokens = new Map<string, Promise<TokenInfo>>()

    constructor(runner: ContractRunner) {
        this.#runner = runner
    }

    get(address: string): Promise<TokenInfo> {
        const key = address.toLowerCase()
        if (!this.#tokens.has(key)) this.#tokens.set(key, tokenInfo(address, this.#runner))
        return this.#tokens.get(key)!
    }
}

/** An offer as JSON. */
export function offerJson(offer: OfferView, token: TokenInfo, qualifying?: number[]): Record<string, unknown> {
    return {
        id: offer.id,
        lender: offer.lender,
        token: { address: token.address, symbol: token.symbol, decimals: token.decimals },
        paused: offer.paused,
        available: offer.available.toString(),
        termDays: offer.term / DAY,
        instalments: offer.instalmentCount,
        graceDays: offer.gracePeriod / DAY,
        defaultDays: offer.defaultPeriod / DAY,
        lateFee: offer.lateFee.toString(),
        tiers: offer.tiers.map((t) => ({ index: t.index, minScore: t.minScore, aprBps: t.aprBps, maxPrincipal: t.maxPrincipal.toString(), ...(qualifying ? { qualifies: qualifying.includes(t.index) } : {}) }))
    }
}

/** Offers as a table; tiers as `T: minScore+ APR% max`, `*` marking tiers the attestation qualifies for. */
export function offersTable(offers: { offer: OfferView; token: TokenInfo; qualifying?: number[] }[]): string {
    const rows = offers.map(({ offer, token, qualifying }) => [
        String(offer.id) + (offer.paused ? " (paused)" : ""),
        shorten(offer.lender, 4),
        formatAmount(offer.available, token.decimals, token.symbol),
        `${offer.term / DAY}d`,
        String(offer.instalmentCount),
        offer.tiers
            .map((t) => `${qualifying?.includes(t.index) ? "*" : ""}${t.index}: ${t.minScore}+ ${(t.aprBps / 100).toFixed(2)}% max ${formatAmount(t.maxPrincipal, token.decimals)}`)
            .join(" | ")
    ])
    return table(["offer", "lender", "available", "term", "instalments", "tiers (tier: min score, APR, max principal)"], rows)
}

/** A loan as JSON, with its pseudonym's record when given. */
export function loanJson(loan: LoanView, token: TokenInfo, record?: PseudonymRecordView): Record<string, unknown> {
    return {
        id: loan.id,
        offerId: loan.offerId,
        tier: loan.tier,
        pseudonym: loan.nullifier.toString(),
        status: loan.status,
        token: { address: token.address, symbol: token.symbol, decimals: token.decimals },
        principal: loan.principal.toString(),
        startTime: loan.startTime,
        repaid: loan.repaid.toString(),
        lateFeesPaid: loan.lateFeesPaid.toString(),
        position: {
            interest: loan.position.interest.toString(),
            totalDue: loan.position.totalDue.toString(),
            instalmentsPaid: loan.position.instalmentsPaid,
            nextDueTime: loan.position.nextDueTime,
            nextInstalmentRemaining: loan.position.nextInstalmentRemaining.toString(),
            overdueAmount: loan.position.overdueAmount.toString(),
            lateFeesDue: loan.position.lateFeesDue.toString(),
            payoffAmount: loan.position.payoffAmount.toString(),
            defaultableAt: loan.position.defaultableAt
        },
        ...(record ? { record: recordJson(record) } : {})
    }
}

/** A pseudonym's record as JSON. */
export function recordJson(record: PseudonymRecordView): Record<string, unknown> {
    return { loansTaken: record.loansTaken, loansRepaid: record.loansRepaid, lateInstalments: record.lateInstalments, defaults: record.defaults, activeLoans: record.activeLoans }
}

/** A record in a few characters: `taken/repaid/late/defaults`. */
export function recordText(record: PseudonymRecordView): string {
    return `${record.loansTaken} taken, ${record.loansRepaid} repaid, ${record.lateInstalments} late, ${record.defaults} defaults`
}

/** Loans as a table. */
export function loansTable(loans: { loan: LoanView; token: TokenInfo; record?: PseudonymRecordView }[]): string {
    const rows = loans.map(({ loan, token, record }) => [
        String(loan.id),
        `${loan.offerId}/${loan.tier}`,
        shorten(`0x${loan.nullifier.toString(16).padStart(64, "0")}`, 4),
        loan.status,
        formatAmount(loan.principal, token.decimals, token.symbol),
        `${formatAmount(loan.repaid, token.decimals)} / ${formatAmount(loan.position.totalDue, token.decimals)}`,
        loan.status === "Active" && loan.position.nextDueTime ? `${isoTime(loan.position.nextDueTime).slice(0, 10)} (${formatAmount(loan.position.nextInstalmentRemaining, token.decimals)})` : "-",
        record ? recordText(record) : ""
    ])
    return table(["loan", "offer/tier", "pseudonym", "status", "principal", "repaid / due", "next due", "pseudonym's record"], rows)
}
