import type { Contract } from "ethers"

/** A score tier of an offer. */
export interface TierView {
    index: number
    minScore: number
    aprBps: number
    maxPrincipal: bigint
}

/** An offer with its tiers, as clients show it. */
export interface OfferView {
    id: number
    lender: string
    token: string
    paused: boolean
    available: bigint
    term: number
    instalmentCount: number
    gracePeriod: number
    defaultPeriod: number
    lateFee: bigint
    tiers: TierView[]
}

/** Loan status as the contract's enum. */
export const LOAN_STATUS = ["None", "Active", "Repaid", "Defaulted"] as const
export type LoanStatusName = (typeof LOAN_STATUS)[number]

/** A loan with its position now. */
export interface LoanView {
    id: number
    nullifier: bigint
    offerId: number
    tier: number
    principal: bigint
    startTime: number
    status: LoanStatusName
    repaid: bigint
    lateFeesPaid: bigint
    lateInstalmentsCharged: number
    /** Paid after a default, late fees included (a defaulted loan stays `Defaulted`). */
    recovered: bigint
    position: {
        interest: bigint
        totalDue: bigint
        instalmentsPaid: number
        nextDueTime: number
        nextInstalmentRemaining: bigint
        overdueAmount: bigint
        lateFeesDue: bigint
        payoffAmount: bigint
        defaultableAt: number
    }
}

/** The public record of a pseudonym in a market. */
export interface PseudonymRecordView {
    nullifier: bigint
    loansTaken: number
    loansRepaid: number
    lateInstalments: number
    defaults: number
    activeLoans: number
    /** Defaulted loans paid in full since (they still count in `defaults`). */
    loansRecovered: number
}

/** Reads one offer and its tiers; undefined when no offer has this id. */
export async function readOffer(market: Contract, offerId: number): Promise<OfferView | undefined> {
    const o = await market.getFunction("offer")(offerId)
    if (o.lender === "0x0000000000000000000000000000000000000000") return undefined
    const tierCount = Number(o.tierCount)
    const tiers = await Promise.all(
        Array.from({ length: tierCount }, async (_, index) => {
            const t = await market.getFunction("tierOf")(offerId, index)
            return { index, minScore: Number(t.minScore), aprBps: Number(t.aprBps), maxPrincipal: BigInt(t.maxPrincipal) }
        })
    )
    return {
        id: offerId,
        lender: o.lender,
        token: o.token,
        paused: o.paused,
        available: BigInt(o.available),
        term: Number(o.term),
        instalmentCount: Number(o.instalmentCount),
        gracePeriod: Number(o.gracePeriod),
        defaultPeriod: Number(o.defaultPeriod),
        lateFee: BigInt(o.lateFee),
        tiers
    }
}

/** Reads every offer of a market, oldest first. */
export async function readOffers(market: Contract): Promise<OfferView[]> {
    const count = Number(await market.getFunction("offerCount")())
    const offers = await Promise.all(Array.from({ length: count }, (_, id) => readOffer(market, id)))
    return offers.filter((o): o is OfferView => o !== undefined)
}

/**
 * Reads a loan and where it stands at the current block; undefined for an unknown id. The market
 * does not store a loan's pseudonym (a first loan costs a slot less): it comes from the loan's
 * `LoanOpened` event, found by its indexed id, unless the caller already has it.
 * @param nullifier The loan's pseudonym when known (from {@link findLoans}): no event is queried.
 */
export async function readLoan(market: Contract, loanId: number, nullifier?: bigint): Promise<LoanView | undefined> {
    const [l, p, pseudonym] = await Promise.all([market.getFunction("loan")(loanId), market.getFunction("loanPosition")(loanId).catch(() => undefined), nullifier ?? openedNullifier(market, loanId)])
    if (Number(l.status) === 0 || p === undefined) return undefined
    if (pseudonym === undefined) throw new Error(`loan ${loanId} has no LoanOpened event: is the RPC serving logs from the market's deployment block?`)
    return {
        id: loanId,
        nullifier: pseudonym,
        offerId: Number(l.offerId),
        tier: Number(l.tier),
        principal: BigInt(l.principal),
        startTime: Number(l.startTime),
        status: LOAN_STATUS[Number(l.status)] ?? "None",
        repaid: BigInt(l.repaid),
        lateFeesPaid: BigInt(l.lateFeesPaid),
        lateInstalmentsCharged: Number(l.lateInstalmentsCharged),
        recovered: BigInt(l.recovered),
        position: {
            interest: BigInt(p.interest),
            totalDue: BigInt(p.totalDue),
            instalmentsPaid: Number(p.instalmentsPaid),
            nextDueTime: Number(p.nextDueTime),
            nextInstalmentRemaining: BigInt(p.nextInstalmentRemaining),
            overdueAmount: BigInt(p.overdueAmount),
            lateFeesDue: BigInt(p.lateFeesDue),
            payoffAmount: BigInt(p.payoffAmount),
            defaultableAt: Number(p.defaultableAt)
        }
    }
}

/** Reads the public record of a pseudonym. */
export async function readRecord(market: Contract, nullifier: bigint): Promise<PseudonymRecordView> {
    const r = await market.getFunction("record")(nullifier)
    return {
        nullifier,
        loansTaken: Number(r.loansTaken),
        loansRepaid: Number(r.loansRepaid),
        lateInstalments: Number(r.lateInstalments),
        defaults: Number(r.defaults),
        activeLoans: Number(r.activeLoans),
        loansRecovered: Number(r.loansRecovered)
    }
}

/** The pseudonym in loan `loanId`'s `LoanOpened` event; undefined when the RPC returns none. */
async function openedNullifier(market: Contract, loanId: number): Promise<bigint | undefined> {
    const [event] = (await market.queryFilter(market.filters.LoanOpened!(loanId))) as unknown as { args: { nullifier: bigint } }[]
    return event === undefined ? undefined : BigInt(event.args.nullifier)
}

/** A loan as its `LoanOpened` event names it. */
export interface OpenedLoan {
    id: number
    offerId: number
    /** The borrower's pseudonym in the market (pass it to {@link readLoan}). */
    nullifier: bigint
}

/**
 * Loans from `LoanOpened` events (one query), filtered by offer or pseudonym, oldest first.
 * @param filter.offerIds Only loans of these offers.
 * @param filter.nullifier Only loans of this pseudonym.
 */
export async function findLoans(market: Contract, fromBlock: number, filter: { offerIds?: number[]; nullifier?: bigint } = {}): Promise<OpenedLoan[]> {
    const event = market.filters.LoanOpened!(null, null, filter.nullifier ?? null)
    const logs = await market.queryFilter(event, fromBlock)
    const loans: OpenedLoan[] = []
    for (const log of logs) {
        const args = (log as unknown as { args: { loanId: bigint; offerId: bigint; nullifier: bigint } }).args
        if (filter.offerIds && !filter.offerIds.includes(Number(args.offerId))) continue
        loans.push({ id: Number(args.loanId), offerId: Number(args.offerId), nullifier: BigInt(args.nullifier) })
    }
    return loans
}
