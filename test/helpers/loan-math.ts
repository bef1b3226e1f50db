/**
 * A TypeScript mirror of contracts/libraries/LoanMath.sol and of the market's repayment rules,
 * written from the rules in ILoanMarket's NatSpec, to predict what the contract must charge.
 * All values are bigints (token units, unix seconds).
 */

export const BPS = 10_000n
export const YEAR = 365n * 86_400n

const ceilDiv = (a: bigint, b: bigint): bigint => (a === 0n ? 0n : (a - 1n) / b + 1n)
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b)

/** Simple interest over the term, rounded up. */
export function interest(principal: bigint, aprBps: bigint, term: bigint): bigint {
    return ceilDiv(principal * aprBps * term, BPS * YEAR)
}

/** What the first k instalments add up to. */
export function cumulativeDue(total: bigint, count: bigint, k: bigint): bigint {
    return ceilDiv(total * k, count)
}

/** Instalment k (from 0). */
export function instalmentAmount(total: bigint, count: bigint, k: bigint): bigint {
    return cumulativeDue(total, count, k + 1n) - cumulativeDue(total, count, k)
}

/** Due time of instalment k. */
export function dueTime(start: bigint, term: bigint, count: bigint, k: bigint): bigint {
    return start + (term * (k + 1n)) / count
}

/** Instalments fully paid by `repaid`, by brute force over the schedule. */
export function instalmentsPaid(total: bigint, count: bigint, repaid: bigint): bigint {
    let k = 0n
    while (k < count && cumulativeDue(total, count, k + 1n) <= repaid) k++
    return k
}

/** Instalments due strictly before `time`, by brute force. */
export function countDueBefore(start: bigint, term: bigint, count: bigint, time: bigint): bigint {
    let n = 0n
    for (let k = 0n; k < count; k++) if (dueTime(start, term, count, k) < time) n++
    return n
}

/** Periods started at `time` (period k starts when instalment k - 1 is due), by brute force. */
export function periodsStarted(start: bigint, term: bigint, count: bigint, time: bigint): bigint {
    let n = 0n
    for (let k = 0n; k < count; k++) if (start + (term * k) / count <= time) n++
    return n
}

/** Early payoff total: principal plus the interest of the started periods. */
export function payoffTotal(principal: bigint, interestAmount: bigint, count: bigint, started: bigint): bigint {
    return principal + ceilDiv(interestAmount * started, count)
}

/** A loan as the market stores it, with its offer's terms. */
export interface LoanState {
    principal: bigint
    aprBps: bigint
    start: bigint
    term: bigint
    count: bigint
    gracePeriod: bigint
    defaultPeriod: bigint
    lateFee: bigint
    repaid: bigint
    lateInstalmentsCharged: bigint
    /** Marked defaulted: payments are recoveries, and a payoff is everything outstanding. */
    defaulted?: boolean
}

/** What a payment at `now` costs under each repayment kind, and the late fees on top. */
export function expectedPayment(loan: LoanState, now: bigint, kind: "instalment" | "payoff" | { amount: bigint }): { amount: bigint; lateFees: bigint; newlyLate: bigint; closes: boolean } {
    const i = interest(loan.principal, loan.aprBps, loan.term)
    const total = loan.principal + i
    const paid = instalmentsPaid(total, loan.count, loan.repaid)
    const lateCount = countDueBefore(loan.start, loan.term, loan.count, now - loan.gracePeriod)
    const newlyLate = max(0n, lateCount - max(loan.lateInstalmentsCharged, paid))
    let amount: bigint
    if (kind === "instalment") amount = cumulativeDue(total, loan.count, paid + 1n) - loan.repaid
    else if (kind === "payoff" && loan.defaulted) amount = total - loan.repaid
    else if (kind === "payoff") amount = max(0n, payoffTotal(loan.principal, i, loan.count, periodsStarted(loan.start, loan.term, loan.count, now)) - loan.repaid)
    else amount = kind.amount
    return { amount, lateFees: newlyLate * loan.lateFee, newlyLate, closes: (kind === "payoff" && !loan.defaulted) || loan.repaid + amount === total }
}

/** From when a loan may be marked defaulted. */
export function defaultableAt(loan: LoanState): bigint {
    const total = loan.principal + interest(loan.principal, loan.aprBps, loan.term)
    return dueTime(loan.start, loan.term, loan.count, instalmentsPaid(total, loan.count, loan.repaid)) + loan.defaultPeriod + 1n
}

export { ceilDiv, min }
