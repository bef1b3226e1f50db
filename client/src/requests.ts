/**
 * Loan requests of the RequestMarket: the terms a borrower lists and the message their credit
 * proof is bound to (the contract recomputes it from the call, see `IRequestMarket.requestMessage`).
 */
import { AbiCoder, getAddress, keccak256, type Contract } from "ethers"
import { ZkCreditError } from "../../prover/src/errors.ts"
import { messageOf } from "../../prover/src/hash.ts"
import { loanInterest } from "./loan-schedule.ts"
import type { PseudonymRecordView } from "./views.ts"

/** The terms of a request, as `IRequestMarket.RequestTerms` (amounts in the token's smallest unit, times in seconds). */
export interface RequestTerms {
    token: string
    principal: bigint
    term: number
    instalmentCount: number
    /** The highest simple annual rate accepted, basis points; lenders fund at it. */
    aprBps: number
    /** The band: the proof shows the score is at least this. */
    minScore: number
    gracePeriod: number
    defaultPeriod: number
    lateFee: bigint
    /** Funding ends at this unix time. */
    deadline: number
    /** Take what was raised when the deadline passes underfunded (otherwise every lender is refunded). */
    disbursePartial: boolean
}

/** The Solidity tuple of {@link RequestTerms}, in field order. */
export const REQUEST_TERMS_TUPLE = "tuple(address,uint128,uint32,uint16,uint16,uint16,uint32,uint32,uint128,uint40,bool)"

/** {@link RequestTerms} as the positional tuple the contract takes. */
export function requestTermsTuple(t: RequestTerms): readonly unknown[] {
    return [t.token, t.principal, t.term, t.instalmentCount, t.aprBps, t.minScore, t.gracePeriod, t.defaultPeriod, t.lateFee, t.deadline, t.disbursePartial]
}

/** What a request binds its credit proof to. */
export interface RequestMessage {
    chainId: bigint | number
    /** The RequestMarket address. */
    market: string
    /** The address that sends `createRequest` and receives the loan. */
    borrower: string
    terms: RequestTerms
}

/**
 * The message of a request: the top 160 bits of `keccak256(abi.encode(chainId, market, borrower,
 * terms))` (`messageOf`), so a
 * proof seen in the mempool cannot list other terms or for another address.
 * @throws ZkCreditError naming the bad field.
 */
export function computeRequestMessage(m: RequestMessage): bigint {
    let market: string
    let borrower: string
    try {
        market = getAddress(m.market)
        borrower = getAddress(m.borrower)
    } catch {
        throw new ZkCreditError("INVALID_ARGUMENT", "market and borrower must be addresses", "market")
    }
    const encoded = AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address", REQUEST_TERMS_TUPLE], [BigInt(m.chainId), market, borrower, requestTermsTuple(m.terms)])
    return messageOf(keccak256(encoded))
}

/** Request statuses as `IRequestMarket.RequestStatus` numbers them. */
export const REQUEST_STATUS = ["none", "open", "cancelled", "expired", "active", "repaid", "defaulted"] as const

/** A request status by name. */
export type RequestStatusName = (typeof REQUEST_STATUS)[number]

/**
 * What a position may claim, as the contract computes it (`IRequestMarket`'s notice): while the
 * loan is open `floor(received * amount / raised)`; once settled its arc from
 * `a = offset + splitSeed * raised / 2^56`, `floor(received * (a + amount) / raised) - floor(received * a / raised)`;
 * minus what it claimed.
 */
export function positionShare(
    p: { amount: bigint; offset: bigint; claimed: bigint },
    loan: { received: bigint; raised: bigint; settled: boolean; splitSeed: bigint }
): bigint {
    if (loan.raised === 0n) return 0n
    const from = p.offset + ((loan.splitSeed * loan.raised) >> 56n)
    const share = loan.settled ? (loan.received * (from + p.amount)) / loan.raised - (loan.received * from) / loan.raised : (loan.received * p.amount) / loan.raised
    return share - p.claimed
}

/** A request as read from the market, with its status now (`statusOf`) and what its loan owes. */
export interface RequestView {
    id: number
    /** The status now: an open request past its deadline reads `expired`. */
    status: RequestStatusName
    /** The stored status (`open` until `closeFunding` or a refund expires it). */
    storedStatus: RequestStatusName
    borrower: string
    nullifier: bigint
    token: string
    principal: bigint
    /** Funded so far; once disbursed, the loan's principal. */
    raised: bigint
    aprBps: number
    minScore: number
    term: number
    instalmentCount: number
    gracePeriod: number
    defaultPeriod: number
    lateFee: bigint
    deadline: number
    disbursePartial: boolean
    startTime: number
    splitSeed: bigint
    repaid: bigint
    lateFeesPaid: bigint
    recovered: bigint
    lateInstalmentsCharged: number
    /** Interest over the term on what was disbursed (0 before disbursement). */
    interest: bigint
}

/** Reads request `id`; undefined when the market has no such request. */
export async function readRequest(market: Contract, id: number): Promise<RequestView | undefined> {
    const [raw, status] = (await Promise.all([market.getFunction("request")(id), market.getFunction("statusOf")(id)])) as [Record<string, unknown> & { toObject(): Record<string, unknown> }, bigint]
    const r = raw.toObject() as {
        token: string
        instalmentCount: bigint
        aprBps: bigint
        minScore: bigint
        status: bigint
        disbursePartial: boolean
        term: bigint
        borrower: string
        deadline: bigint
        gracePeriod: bigint
        lateInstalmentsCharged: bigint
        principal: bigint
        raised: bigint
        lateFee: bigint
        defaultPeriod: bigint
        startTime: bigint
        splitSeed: bigint
        repaid: bigint
        lateFeesPaid: bigint
        recovered: bigint
        nullifier: bigint
    }
    if (Number(r.status) === 0) return undefined
    const view: RequestView = {
        id,
        status: REQUEST_STATUS[Number(status)] ?? "none",
        storedStatus: REQUEST_STATUS[Number(r.status)] ?? "none",
        borrower: r.borrower,
        nullifier: r.nullifier,
        token: r.token,
        principal: r.principal,
        raised: r.raised,
        aprBps: Number(r.aprBps),
        minScore: Number(r.minScore),
        term: Number(r.term),
        instalmentCount: Number(r.instalmentCount),
        gracePeriod: Number(r.gracePeriod),
        defaultPeriod: Number(r.defaultPeriod),
        lateFee: r.lateFee,
        deadline: Number(r.deadline),
        disbursePartial: r.disbursePartial,
        startTime: Number(r.startTime),
        splitSeed: r.splitSeed,
        repaid: r.repaid,
        lateFeesPaid: r.lateFeesPaid,
        recovered: r.recovered,
        lateInstalmentsCharged: Number(r.lateInstalmentsCharged),
        interest: 0n
    }
    view.interest = view.startTime > 0 ? loanInterest(view.raised, view.aprBps, view.term) : 0n
    return view
}

/**
 * Every request of the market (`request(i)` for every id), read the same way by every visitor, so
 * the node cannot tell whose requests a client is after: a pseudonym's are picked out on the device.
 */
export async function readAllRequests(market: Contract): Promise<RequestView[]> {
    const count = Number(await market.getFunction("requestCount")())
    const all = await Promise.all(Array.from({ length: count }, (_, id) => readRequest(market, id)))
    return all.filter((r): r is RequestView => r !== undefined)
}

/** Whether a request's loan was disbursed (it is active, repaid or defaulted). */
export function isDisbursed(r: RequestView): boolean {
    return r.startTime > 0
}

/**
 * A pseudonym's public record in the request market rebuilt from every request, as the contract
 * keeps it (`record(nullifier)`), without asking for it by pseudonym: loans taken (disbursed),
 * repaid, active (open requests count until cancelled or expired), defaulted, recovered after a
 * default, and late instalments charged.
 */
export function recordFromRequests(nullifier: bigint, requests: RequestView[]): PseudonymRecordView {
    const mine = requests.filter((r) => r.nullifier === nullifier)
    return {
        nullifier,
        loansTaken: mine.filter(isDisbursed).length,
        loansRepaid: mine.filter((r) => r.storedStatus === "repaid").length,
        activeLoans: mine.filter((r) => r.storedStatus === "open" || r.storedStatus === "active").length,
        defaults: mine.filter((r) => r.storedStatus === "defaulted").length,
        loansRecovered: mine.filter((r) => r.storedStatus === "defaulted" && r.repaid + r.recovered >= r.raised + r.interest).length,
        lateInstalments: mine.reduce((sum, r) => sum + r.lateInstalmentsCharged, 0)
    }
}

/** A lender's position (an ERC-721 token of the market), with its holder and what it may claim now. */
export interface PositionView {
    id: number
    requestId: number
    holder: string
    amount: bigint
    offset: bigint
    claimed: bigint
    claimable: bigint
}

/**
 * Every live position of the market (`position(i)` for every id; refunded ones are burnt and
 * left out), read the same way by every visitor; a holder's are picked out on the device.
 */
export async function readAllPositions(market: Contract): Promise<PositionView[]> {
    const count = Number(await market.getFunction("positionCount")())
    const all = await Promise.all(
        Array.from({ length: count }, async (_, id): Promise<PositionView | undefined> => {
            const p = (await market.getFunction("position")(id)) as { amount: bigint; claimed: bigint; requestId: bigint; offset: bigint }
            if (p.amount === 0n) return undefined
            const [holder, claimable] = (await Promise.all([market.getFunction("ownerOf")(id), market.getFunction("claimable")(id)])) as [string, bigint]
            return { id, requestId: Number(p.requestId), holder, amount: p.amount, offset: p.offset, claimed: p.claimed, claimable }
        })
    )
    return all.filter((p): p is PositionView => p !== undefined)
}

/**
 * What a position's holders should receive over the loan if it is repaid on schedule: its share of
 * `principal + interest` (the open-loan rule, `floor(total * amount / raised)`); 0 before disbursement.
 */
export function expectedRepayment(p: { amount: bigint }, r: RequestView): bigint {
    if (!isDisbursed(r) || r.raised === 0n) return 0n
    return ((r.raised + r.interest) * p.amount) / r.raised
}
