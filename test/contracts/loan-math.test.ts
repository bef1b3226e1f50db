/**
 * Properties of contracts/libraries/LoanMath.sol over random principals, rates, terms and
 * instalment counts (fast-check), through `LoanMathHarness`, checked against exact rational
 * arithmetic and brute force, and cross-checked with the TypeScript mirror.
 */
import fc from "fast-check"
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { deploy, type Deployed } from "../helpers/contracts.ts"
import * as mirror from "../helpers/loan-math.ts"

const { ethers } = await network.create()

let math: Deployed
beforeAll(async () => {
    math = await deploy(ethers, "LoanMathHarness")
})

const MAX_TERM = 3650 * 86_400
/** What the market accepts: principal below 2^128, rate up to 500 %, 1-360 instalments, term up to 10 years. */
const loanArb = fc
    .record({
        principal: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 2n ** 128n - 1n })),
        aprBps: fc.integer({ min: 0, max: 50_000 }),
        count: fc.integer({ min: 1, max: 360 }),
        term: fc.integer({ min: 1, max: MAX_TERM }),
        start: fc.integer({ min: 1_700_000_000, max: 2_000_000_000 })
    })
    .filter((l) => l.term >= l.count)

const RUNS = { numRuns: 150 }

describe("LoanMath", () => {
    describe("# interest", () => {
        it("is the exact simple interest rounded up: never below it, less than one unit above", async () => {
            await fc.assert(
                fc.asyncProperty(loanArb, async ({ principal, aprBps, term }) => {
                    const i: bigint = await math.interest(principal, aprBps, term)
                    const numerator = principal * BigInt(aprBps) * BigInt(term)
                    const denominator = 10_000n * 365n * 86_400n
                    expect(i * denominator >= numerator).toBe(true)
                    expect((i - 1n) * denominator < numerator || i === 0n).toBe(true)
                    expect(i).toBe(mirror.interest(principal, BigInt(aprBps), BigInt(term)))
                }),
                RUNS
            )
        })

        it("is 0 at 0 % and exact for a year at a round rate", async () => {
            expect(await math.interest(1_000_000n, 0, 86_400 * 365)).toBe(0n)
            expect(await math.interest(1_000_000n, 1_000, 86_400 * 365)).toBe(100_000n)
            expect(await math.interest(1n, 1, 1)).toBe(1n)
        })
    })

    describe("# schedule (instalmentAmount, dueTime)", () => {
        it("sums to principal plus interest exactly; each instalment is within one unit of total / count; cumulative dues never lag the exact share", async () => {
            await fc.assert(
                fc.asyncProperty(loanArb, async ({ principal, aprBps, term, count, start }) => {
                    const [interest, amounts, dueTimes] = (await math.schedule(principal, aprBps, term, count, start)) as [bigint, bigint[], bigint[]]
                    const total = principal + interest
                    const n = BigInt(count)
                    expect(amounts.reduce((a, b) => a + b, 0n)).toBe(total)
                    let cumulative = 0n
                    for (const [k, amount] of amounts.entries()) {
                        // |amount - total / n| < 1  <=>  |amount * n - total| < n
                        const diff = amount * n - total
                        expect(diff < n && diff > -n).toBe(true)
                        cumulative += amount
                        // rounding never favours the borrower: at every due time at least the exact share is due
                        expect(cumulative * n >= total * BigInt(k + 1)).toBe(true)
                        expect(amount).toBe(mirror.instalmentAmount(total, n, BigInt(k)))
                    }
                    for (let k = 1; k < dueTimes.length; k++) expect(dueTimes[k]! > dueTimes[k - 1]!).toBe(true)
                    expect(dueTimes[0]! > BigInt(start)).toBe(true)
                    expect(dueTimes.at(-1)).toBe(BigInt(start + term))
                }),
                { numRuns: 60 }
            )
        })
    })

    describe("# instalmentsPaid", () => {
        it("is the number of instalments whose cumulative due is covered", async () => {
            await fc.assert(
                fc.asyncProperty(loanArb, fc.double({ min: 0, max: 1, noNaN: true }), async ({ principal, count }, fraction) => {
                    const total = principal
                    const repaid = BigInt(Math.floor(fraction * 1e6)) * total / 1_000_000n
                    const n = BigInt(count)
                    expect(await math.instalmentsPaid(total, n, repaid)).toBe(mirror.instalmentsPaid(total, n, repaid))
                    // exactly on an instalment boundary
                    const k = BigInt(Math.floor(fraction * count))
                    const boundary = mirror.cumulativeDue(total, n, k)
                    expect(await math.instalmentsPaid(total, n, boundary)).toBe(mirror.instalmentsPaid(total, n, boundary))
                    if (boundary > 0n) expect(await math.instalmentsPaid(total, n, boundary - 1n)).toBe(mirror.instalmentsPaid(total, n, boundary - 1n))
                }),
                RUNS
            )
        })
    })

    describe("# nextInstalment", () => {
        it("is instalmentsPaid and what completes the next instalment, for a loan not paid in full", async () => {
            await fc.assert(
                fc.asyncProperty(loanArb, fc.double({ min: 0, max: 1, noNaN: true }), async ({ principal, aprBps, term, count }, fraction) => {
                    const total = principal + mirror.interest(principal, BigInt(aprBps), BigInt(term))
                    const n = BigInt(count)
                    const k = BigInt(Math.floor(fraction * count))
                    // anywhere below the total, and just below and on an instalment boundary
                    const boundary = mirror.cumulativeDue(total, n, k)
                    const cases = [BigInt(Math.floor(fraction * 1e6)) * total / 1_000_000n, boundary, boundary - 1n, total - 1n]
                    for (const repaid of cases.filter((r) => r >= 0n && r < total)) {
                        const [paid, remaining] = (await math.nextInstalment(total, n, repaid)) as [bigint, bigint]
                        expect(paid).toBe(mirror.instalmentsPaid(total, n, repaid))
                        expect(remaining).toBe(mirror.cumulativeDue(total, n, paid + 1n) - repaid)
                        expect(remaining > 0n).toBe(true)
                    }
                }),
                RUNS
            )
        })

        it("reverts on a zero count, as a division by zero does", async () => {
            await expect(math.nextInstalment(10n, 0n, 1n)).rejects.toThrow(/panic|0x12|division/i)
        })
    })

    describe("# countDueBefore / periodsStarted", () => {
        it("agree with brute force over the due times, around every boundary", async () => {
            const small = loanArb.filter((l) => l.count <= 24)
            await fc.assert(
                fc.asyncProperty(small, fc.integer({ min: 0, max: 23 }), fc.integer({ min: -2, max: 2 }), async ({ term, count, start }, pick, shift) => {
                    const [s, t, n] = [BigInt(start), BigInt(term), BigInt(count)]
                    const k = BigInt(pick % count)
                    for (const anchor of [mirror.dueTime(s, t, n, k), s + (t * k) / n, s]) {
                        const time = anchor + BigInt(shift)
                        expect(await math.countDueBefore(s, t, n, time)).toBe(mirror.countDueBefore(s, t, n, time))
                        expect(await math.periodsStarted(s, t, n, time)).toBe(mirror.periodsStarted(s, t, n, time))
                    }
                }),
                RUNS
            )
        })
    })

    describe("# payoffTotal", () => {
        it("is never below what is due by then and never above the total", async () => {
            await fc.assert(
                fc.asyncProperty(loanArb, fc.integer({ min: 1, max: 360 }), async ({ principal, aprBps, term, count }, startedPick) => {
                    const n = BigInt(count)
                    const started = BigInt(((startedPick - 1) % count) + 1)
                    const interest = mirror.interest(principal, BigInt(aprBps), BigInt(term))
                    const payoff: bigint = await math.payoffTotal(principal, interest, n, started)
                    expect(payoff).toBe(mirror.payoffTotal(principal, interest, n, started))
                    expect(payoff >= (await math.cumulativeDue(principal + interest, n, started))).toBe(true)
                    expect(payoff <= principal + interest).toBe(true)
                    if (started === n) expect(payoff).toBe(principal + interest)
                }),
                RUNS
            )
        })
    })
})
