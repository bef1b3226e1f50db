/** Reading loans with their offers and schedules, shared by the borrower and lender pages. */
import { instalmentSchedule, type Instalment } from "$client/loan-schedule.ts"
import { readLoan, readOffer, type LoanView, type OfferView, type PseudonymRecordView } from "$client/views.ts"
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

/** Reads loans by id with their offers (each offer once). */
export async function readLoanDetails(ids: number[]): Promise<LoanDetails[]> {
    const market = app.contracts!.loanMarket
    const loans = (await Promise.all(ids.map((id) => readLoan(market, id)))).filter((l): l is LoanView => l !== undefined)
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
 * Every loan of the market, read the same way by every visitor (`loan(i)` for all ids), so the
 * RPC node cannot tell whose loans this browser is after. A pseudonym's loans are picked out of
 * them here, on the device: no request names the pseudonym (see docs/threat-model.md).
 */
export async function readAllLoanDetails(): Promise<LoanDetails[]> {
    const count = Number(await app.contracts!.loanMarket.getFunction("loanCount")())
    return readLoanDetails(Array.from({ length: count }, (_, id) => id))
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
