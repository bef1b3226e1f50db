/** Reading loans with their offers and schedules, shared by the borrower and lender pages. */
import { instalmentSchedule, type Instalment } from "$client/loan-schedule.ts"
import { findLoans, readLoan, readOffer, type LoanView, type OfferView, type PseudonymRecordView } from "$client/views.ts"
import { app } from "./app.svelte.ts"

/** A loan with its offer, schedule and the pseudonym's record. */
export interface LoanDetails {
    loan: LoanView
    offer: OfferView
    schedule: Instalment[]
    record?: PseudonymRecordView
}

/** Where an instalment stands. */
export type InstalmentState = "paid" | "partial" | "due" | "overdue" | "upcoming"

/** The state of instalment `i` of a loan at `now` (chain time). */
export function instalmentState(details: LoanDetails, index: number, now: number): InstalmentState {
    const item = details.schedule[index]
    if (!item) return "upcoming"
    const { loan } = details
    if (loan.repaid >= item.cumulative || loan.status === "Repaid") return "paid"
    if (item.dueTime < now) return "overdue"
    if (loan.repaid > item.cumulative - item.amount) return "partial"
    return index === loan.position.instalmentsPaid ? "due" : "upcoming"
}

/**
 * Every loan of the market with its offer, read the same way by every visitor: the pseudonyms of
 * all loans from one `LoanOpened` log query (`findLoans`, unfiltered), then `loan(i)` for every id,
 * so the RPC node cannot tell whose loans this browser is after. A pseudonym's loans are picked
 * out of them here, on the device: no request names a pseudonym or depends on which loans are
 * this browser's (see docs/threat-model.md).
 */
export async function readAllLoanDetails(): Promise<LoanDetails[]> {
    const market = app.contracts!.loanMarket
    // counted first: every loan counted has its event in the query that follows (a loan the RPC's
    // logs lack is looked up alone by readLoan, which says what is wrong when it has none either)
    const count = Number(await market.getFunction("loanCount")())
    const pseudonyms = new Map((await findLoans(market, app.config!.deployment.deployBlock)).map((l) => [l.id, l.nullifier]))
    const loans = (await Promise.all(Array.from({ length: count }, (_, id) => readLoan(market, id, pseudonyms.get(id))))).filter((l): l is LoanView => l !== undefined)
    const offerIds = [...new Set(loans.map((l) => l.offerId))]
    const offers = new Map((await Promise.all(offerIds.map((id) => readOffer(market, id)))).filter((o): o is OfferView => o !== undefined).map((o) => [o.id, o]))
    await Promise.all([...offers.values()].map((o) => app.tokenInfo(o.token)))
    return loans.flatMap((loan) => {
        const offer = offers.get(loan.offerId)
        const tier = offer?.tiers[loan.tier]
        if (!offer || !tier) return []
        const schedule = instalmentSchedule({ principal: loan.principal, aprBps: tier.aprBps, startTime: loan.startTime, term: offer.term, instalmentCount: offer.instalmentCount })
        return [{ loan, offer, schedule }]
    })
}

/**
 * A pseudonym's public record rebuilt from its loans, as the contract keeps it: loans taken,
 * repaid, active, defaulted, recovered after a default, and late instalments charged. Computed on the device instead of
 * asking `record(pseudonym)`, which would tell the node which pseudonym this browser is.
 */
export function recordFromLoans(nullifier: bigint, loans: LoanDetails[]): PseudonymRecordView {
    const mine = loans.filter((l) => l.loan.nullifier === nullifier)
    return {
        nullifier,
        loansTaken: mine.length,
        loansRepaid: mine.filter((l) => l.loan.status === "Repaid").length,
        activeLoans: mine.filter((l) => l.loan.status === "Active").length,
        defaults: mine.filter((l) => l.loan.status === "Defaulted").length,
        // a defaulted loan paid in full: the contract counts it when the payment closes it
        loansRecovered: mine.filter((l) => l.loan.status === "Defaulted" && l.loan.repaid >= l.loan.position.totalDue).length,
        lateInstalments: mine.reduce((sum, l) => sum + l.loan.lateInstalmentsCharged, 0)
    }
}

/** The chain's clock: the latest block's time. */
export async function chainNow(): Promise<number> {
    const block = await app.provider!.getBlock("latest")
    return block?.timestamp ?? Math.floor(Date.now() / 1000)
}

/** A payment at a time: expected (an instalment due) or received (a repayment). */
export interface Point {
    time: number
    amount: bigint
}

/** Repayments received for these loans (amount plus late fees), at block time. */
export async function receivedPayments(loanIds: number[]): Promise<Point[]> {
    if (loanIds.length === 0) return []
    const market = app.contracts!.loanMarket
    const wanted = new Set(loanIds)
    const logs = await market.queryFilter(market.filters.LoanRepayment!(), app.config!.deployment.deployBlock)
    const points: { block: number; amount: bigint }[] = []
    for (const log of logs) {
        const args = (log as unknown as { args: { loanId: bigint; amount: bigint; lateFees: bigint } }).args
        if (wanted.has(Number(args.loanId))) points.push({ block: log.blockNumber, amount: args.amount + args.lateFees })
    }
    const blocks = [...new Set(points.map((p) => p.block))]
    const times = new Map(await Promise.all(blocks.map(async (b) => [b, (await app.provider!.getBlock(b))?.timestamp ?? 0] as const)))
    return points.map((p) => ({ time: times.get(p.block) ?? 0, amount: p.amount }))
}
