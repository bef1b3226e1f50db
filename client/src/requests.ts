/**
 * Loan requests of the RequestMarket: the terms a borrower lists and the message their credit
 * proof is bound to (the contract recomputes it from the call, see `IRequestMarket.requestMessage`).
 */
import { AbiCoder, getAddress, keccak256 } from "ethers"
import { ZkCreditError } from "../../prover/src/errors.ts"

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
 * The message of a request: `keccak256(abi.encode(chainId, market, borrower, terms)) >> 8`, so a
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
    return BigInt(keccak256(encoded)) >> 8n
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
