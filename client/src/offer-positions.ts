/**
 * Positions of loans taken from `LoanMarket` offers: ERC-721 tokens of the market's
 * `OfferPositions` contract (token id = loan id), opened by the offer's lender. Read the same way
 * by every visitor: every position with its holder (the positions contract's `Transfer` events,
 * replayed on the device: no request names an account) and its books (`offerPosition`).
 */
import { Contract, ZeroAddress, type ContractRunner } from "ethers"
import { OfferPositionsAbi } from "./generated/abis.ts"
import type { LoanView } from "./views.ts"

/** An offer position with its holder now and its books. */
export interface OfferPositionView {
    /** The loan's id, which is the position's token id. */
    loanId: number
    holder: string
    /** What the loan paid before the position opened (it went to the offer). */
    receivedBeforeOpen: bigint
    /** What the loan paid since, credited to the position. */
    received: bigint
    /** What the position's holders claimed. */
    claimed: bigint
    /** What its holder may claim now. */
    claimable: bigint
}

/** The market's `OfferPositions` contract (`positions()`), on `runner` (the market's by default). */
export async function offerPositionsContract(market: Contract, runner?: ContractRunner | null): Promise<Contract> {
    return new Contract(String(await market.getFunction("positions")()), OfferPositionsAbi, runner ?? market.runner)
}

/** Every position's holder, from the positions contract's `Transfer` events in chain order (a mint comes from the zero address). */
export async function offerPositionHolders(positions: Contract, fromBlock: number): Promise<Map<number, string>> {
    const logs = await positions.queryFilter(positions.filters.Transfer!(), fromBlock)
    const holders = new Map<number, string>()
    for (const log of logs) {
        const { to, tokenId } = (log as unknown as { args: { from: string; to: string; tokenId: bigint } }).args
        if (to === ZeroAddress) holders.delete(Number(tokenId))
        else holders.set(Number(tokenId), to)
    }
    return holders
}

/** Every offer position of the market, oldest loan first. */
export async function readAllOfferPositions(market: Contract, fromBlock: number): Promise<OfferPositionView[]> {
    const holders = await offerPositionHolders(await offerPositionsContract(market), fromBlock)
    const ids = [...holders.keys()].sort((a, b) => a - b)
    return Promise.all(
        ids.map(async (loanId) => {
            const p = (await market.getFunction("offerPosition")(loanId)) as { receivedBeforeOpen: bigint; received: bigint; claimed: bigint; claimable: bigint }
            return { loanId, holder: holders.get(loanId)!, receivedBeforeOpen: BigInt(p.receivedBeforeOpen), received: BigInt(p.received), claimed: BigInt(p.claimed), claimable: BigInt(p.claimable) }
        })
    )
}

/**
 * What a loan still owes toward `principal + interest`: what its position's holder may still
 * receive, late fees aside (nothing once the loan is repaid, interest waived on early payoff).
 */
export function stillOwed(loan: Pick<LoanView, "status" | "repaid" | "position">): bigint {
    if (loan.status === "Repaid" || loan.repaid >= loan.position.totalDue) return 0n
    return loan.position.totalDue - loan.repaid
}

/**
 * Whether the offer's lender may open a loan's position now (`openPosition`), if it has none yet:
 * the loan is active, or defaulted and not paid in full.
 */
export function canOpenPosition(loan: Pick<LoanView, "status" | "repaid" | "position">): boolean {
    return (loan.status === "Active" || loan.status === "Defaulted") && loan.repaid < loan.position.totalDue
}
