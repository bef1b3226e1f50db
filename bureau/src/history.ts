/**
 * The on-chain factor's input: the loans of the pseudonyms an applicant proved theirs, read by
 * the bureau from the chain, summed into one record. Wash lending (lending to yourself from
 * your own offer and repaying, for the cost of gas) must not raise a score, so a repaid loan
 * counts only when its lender is one the bureau recognises; late instalments and defaults count
 * whoever lent, since hiding them would only ever help the borrower. Pure.
 */
import type { OnChainRecord } from "./applicant.ts"

/** One loan of a proven pseudonym, as the bureau read it from a LoanMarket. */
export interface OnChainLoan {
    /** The market's scope, decimal. */
    scope: string
    /** The market's address, when the reader knows it (to match the KYC registry's default records). */
    market?: string
    loanId: number
    /** The offer's lender, as the contract gives it. */
    lender: string
    status: "Active" | "Repaid" | "Defaulted"
    lateInstalments: number
}

/** The summed record and what was left out of it. */
export interface HistorySummary {
    record: OnChainRecord
    /** Repaid loans left out because their lender is not recognised. */
    unrecognisedRepaid: number
}

/**
 * Sums loans into the record the scorecard reads.
 * @param loans Every loan of the proven pseudonyms.
 * @param recognisedLenders Lower-case addresses of the lenders whose repaid loans count.
 */
export function summariseHistory(loans: readonly OnChainLoan[], recognisedLenders: ReadonlySet<string>): HistorySummary {
    let loansRepaid = 0
    let unrecognisedRepaid = 0
    let lateInstalments = 0
    let defaults = 0
    for (const loan of loans) {
        lateInstalments += loan.lateInstalments
        if (loan.status === "Defaulted") defaults++
        if (loan.status === "Repaid") {
            if (recognisedLenders.has(loan.lender.toLowerCase())) loansRepaid++
            else unrecognisedRepaid++
        }
    }
    return { record: { loansTaken: loans.length, loansRepaid, lateInstalments, defaults }, unrecognisedRepaid }
}
