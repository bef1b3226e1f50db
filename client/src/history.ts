import type { Contract } from "ethers"
import { findLoans, LOAN_STATUS } from "./views.ts"

/** One loan of a pseudonym with its lender, as a credit bureau reads it. */
export interface PseudonymLoan {
    loanId: number
    offerId: number
    /** The offer's lender. */
    lender: string
    status: "Active" | "Repaid" | "Defaulted"
    /** Instalments assessed late so far. */
    lateInstalments: number
    principal: bigint
}

/**
 * Every loan of a pseudonym in a market, from its `LoanOpened` events, with the lender of each
 * loan's offer. Fields are read by name, so a Loan struct that gains fields reads the same.
 * @param market A LoanMarket handle.
 * @param nullifier The pseudonym.
 * @param fromBlock The market's deployment block (events before it cannot exist).
 */
export async function readPseudonymLoans(market: Contract, nullifier: bigint, fromBlock = 0): Promise<PseudonymLoan[]> {
    const opened = await findLoans(market, fromBlock, { nullifier })
    const lenders = new Map<number, Promise<string>>()
    const lenderOf = (offerId: number) => {
        if (!lenders.has(offerId)) lenders.set(offerId, market.getFunction("offer")(offerId).then((o: { lender: string }) => o.lender))
        return lenders.get(offerId)!
    }
    return Promise.all(
        opened.map(async ({ id: loanId }) => {
            const l = await market.getFunction("loan")(loanId)
            const status = LOAN_STATUS[Number(l.status)]
            if (status !== "Active" && status !== "Repaid" && status !== "Defaulted") throw new Error(`loan ${loanId} has status ${String(l.status)}`)
            const offerId = Number(l.offerId)
            return { loanId, offerId, lender: await lenderOf(offerId), status, lateInstalments: Number(l.lateInstalmentsCharged), principal: BigInt(l.principal) }
        })
    )
}
