/**
 * Gas ceilings of the loan market, asserted by the contract tests and by the gas benchmark
 * (bench/gas.ts). They are measured with a real Groth16 proof of today's 8 public signals; README
 * Specs shows them against the floor of a borrow.
 */
export const MARKET_GAS_CEILINGS = {
    /**
     * A pseudonym's first loan, to an address that holds no tokens yet, with its identity escrow:
     * two fresh slots (the record, which keeps the loan's escrow tag, and the loan).
     */
    borrow: 356_000,
    /**
     * The same pseudonym's next loan, its earlier one repaid: its record and the borrower's balance
     * exist. It reads the pseudonym's outcomes (keyed by its first loan), which a first loan does
     * not; its escrow tag takes the record's bits, as a first loan's does (a loan taken beside an
     * active one, `maxActiveLoans` > 1, writes it in a slot of its own).
     */
    borrowRepeat: 324_000,
    /** An instalment on schedule after the loan's first payment. */
    repayInstalment: 59_900
} as const

/**
 * Gas ceilings of offer positions (`LoanMarket.openPosition`, `claimPosition`), asserted by
 * test/contracts/loan-positions.test.ts and the gas benchmark.
 */
export const OFFER_POSITION_GAS_CEILINGS = {
    /**
     * The lender opens the position of a loan before its first payment: four fresh slots (the
     * loan's books, the position's, the ERC-721 owner and balance) and the mint's event.
     */
    openPosition: 140_000,
    /** The holder claims one instalment. */
    claimPosition: 60_000,
    /** An instalment on schedule of a loan with a position: one cold slot more than `repayInstalment`. */
    repayInstalmentPosition: 63_500
} as const
