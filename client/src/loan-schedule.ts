/**
 * The instalment schedule of a loan, computed as contracts/libraries/LoanMath.sol does:
 * simple interest `ceil(principal * aprBps * term / (10_000 * 365 days))`; instalment k due at
 * `start + floor(term * (k + 1) / n)`; the first k instalments add up to `ceil(total * k / n)`.
 */

const ceilDiv = (a: bigint, b: bigint): bigint => (a === 0n ? 0n : (a - 1n) / b + 1n)

/** One instalment of a schedule. */
export interface Instalment {
    index: number
    /** Unix seconds. */
    dueTime: number
    amount: bigint
    /** What all instalments up to and including this one add up to. */
    cumulative: bigint
}

/** Interest of a whole term, rounded up. */
export function loanInterest(principal: bigint, aprBps: number, term: number): bigint {
    return ceilDiv(principal * BigInt(aprBps) * BigInt(term), 10_000n * 365n * 86_400n)
}

/**
 * The schedule of a loan.
 * @param loan Principal, tier rate, start time, offer term and instalment count.
 */
export function instalmentSchedule(loan: { principal: bigint; aprBps: number; startTime: number; term: number; instalmentCount: number }): Instalment[] {
    const n = BigInt(loan.instalmentCount)
    const total = loan.principal + loanInterest(loan.principal, loan.aprBps, loan.term)
    const schedule: Instalment[] = []
    let previous = 0n
    for (let k = 0; k < loan.instalmentCount; k++) {
        const cumulative = ceilDiv(total * BigInt(k + 1), n)
        schedule.push({ index: k, dueTime: loan.startTime + Math.floor((loan.term * (k + 1)) / loan.instalmentCount), amount: cumulative - previous, cumulative })
        previous = cumulative
    }
    return schedule
}
