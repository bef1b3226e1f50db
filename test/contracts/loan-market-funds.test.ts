/**
 * Funds invariants of `LoanMarket` under random sequences of borrowing, partial, instalment and
 * early repayment, waiting, defaults, recovery after default, deposits and withdrawals (fast-check): every payment is
 * exactly what the rules say (TypeScript mirror), the market always holds exactly what its
 * offers have available, no token is created or lost, and pseudonym records match the loans.
 * The verifier is `MockCreditVerifier`: proofs are not the subject here.
 */
import fc from "fast-check"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, DAY, deployMockMarket, mockProof, readLoanState, TIERS, USD, type MockMarket, type Signer } from "../helpers/contracts.ts"
import { expectedPayment } from "../helpers/loan-math.ts"
import { revertName } from "../helpers/reverts.ts"

const { networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const PSEUDONYMS = [0x101n, 0x202n, 0x303n]

type Action =
    | { kind: "borrow"; who: number; pseudonym: number; tier: number; fraction: number }
    | { kind: "repay"; loan: number; fraction: number }
    | { kind: "repayInstalment"; loan: number }
    | { kind: "repayAll"; loan: number }
    | { kind: "wait"; seconds: number }
    | { kind: "markDefault"; loan: number }
    | { kind: "deposit"; amount: number }
    | { kind: "withdraw"; fraction: number }

/** A share of something, in thousandths. */
const fraction = fc.integer({ min: 1, max: 1000 })
const share = (value: bigint, thousandths: number): bigint => (value * BigInt(thousandths)) / 1000n
const actionArb: fc.Arbitrary<Action> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("borrow" as const), who: fc.integer({ min: 0, max: 1 }), pseudonym: fc.integer({ min: 0, max: 2 }), tier: fc.integer({ min: 0, max: 2 }), fraction }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("repay" as const), loan: fc.nat(5), fraction }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("repayInstalment" as const), loan: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("repayAll" as const), loan: fc.nat(5) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 45 * DAY }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("markDefault" as const), loan: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("deposit" as const), amount: fc.integer({ min: 1, max: 50_000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), fraction }) }
)

/** Sequences that always run first: a late loan that defaults, an early payoff, a late payoff. */
const EXAMPLES: [Action[]][] = [
    [
        [
            { kind: "borrow", who: 0, pseudonym: 0, tier: 1, fraction: 500 },
            { kind: "wait", seconds: 35 * DAY },
            { kind: "repayInstalment", loan: 0 },
            { kind: "wait", seconds: 70 * DAY },
            { kind: "markDefault", loan: 0 },
            { kind: "repay", loan: 0, fraction: 300 },
            { kind: "repayAll", loan: 0 },
            { kind: "repayInstalment", loan: 0 },
            { kind: "borrow", who: 1, pseudonym: 0, tier: 0, fraction: 100 },
            { kind: "deposit", amount: 1_000 },
            { kind: "withdraw", fraction: 1000 }
        ]
    ],
    [
        [
            { kind: "borrow", who: 1, pseudonym: 1, tier: 2, fraction: 999 },
            { kind: "repay", loan: 0, fraction: 123 },
            { kind: "wait", seconds: 10 * DAY },
            { kind: "repayAll", loan: 0 },
            { kind: "borrow", who: 0, pseudonym: 2, tier: 0, fraction: 1 },
            { kind: "wait", seconds: 100 * DAY },
            { kind: "repayAll", loan: 1 }
        ]
    ]
]

/** Reverts a random action may meet by the rules; anything else fails the run. */
const EXPECTED_REVERTS = new Set([
    "TooManyActiveLoans",
    "PseudonymDefaulted",
    "InsufficientLiquidity",
    "InvalidPrincipal",
    "LoanNotActive",
    "NothingOwed",
    "LoanNotInDefault",
    "RepaymentExceedsDebt",
    "ZeroAmount",
    "UnknownLoan"
])

/** What the random runs reached, over all runs. */
const seen = { payments: 0, lateFees: 0, closed: 0, defaults: 0, recoveries: 0 }

async function balance(f: MockMarket, account: string): Promise<bigint> {
    return f.token.balanceOf(account)
}

describe("LoanMarket funds", () => {
    it("pays exactly by the rules and loses no wei in any sequence of actions", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(actionArb, { minLength: 4, maxLength: 16 }), async (actions) => {
                const f = await loadFixture(deployMockMarket)
                const marketAddress = await f.market.getAddress()
                const accounts = [f.signers.lender, f.signers.borrower, f.signers.other, f.signers.stranger]
                const supply = f.minted * BigInt(accounts.length)
                let now = BigInt(await time.latest())
                let proofTime = 1n
                const loanNullifiers: bigint[] = []

                /** Sends a call in the next second; returns false when it reverted by the rules. */
                const send = async (signer: Signer, call: (m: MockMarket["market"]) => Promise<{ wait(): Promise<unknown> }>): Promise<boolean> => {
                    now += 1n
                    await time.setNextBlockTimestamp(now)
                    try {
                        await (await call(as(f.market, signer))).wait()
                        return true
                    } catch (error) {
                        const name = revertName(error)
                        if (!EXPECTED_REVERTS.has(name)) throw new Error(`unexpected revert ${name}`)
                        // the failed transaction was not mined: the next one may take this second
                        now -= 1n
                        return false
                    }
                }

                for (const action of actions) {
                    const loanCount = Number(await f.market.loanCount())
                    const loanId = "loan" in action && loanCount > 0 ? BigInt(action.loan % loanCount) : BigInt(loanCount)
                    switch (action.kind) {
                        case "borrow": {
                            const tier = TIERS[action.tier]!
                            const principal = share(tier.maxPrincipal, action.fraction)
                            const signer = action.who === 0 ? f.signers.borrower : f.signers.other
                            const nullifier = PSEUDONYMS[action.pseudonym]!
                            const before = await balance(f, signer.address)
                            const available = (await f.market.offer(0n)).available
                            if (await send(signer, (m) => m.borrow(0n, action.tier, principal, mockProof(nullifier, proofTime++)))) {
                                loanNullifiers.push(nullifier)
                                expect((await balance(f, signer.address)) - before).toBe(principal)
                                expect((await f.market.offer(0n)).available).toBe(available - principal)
                            }
                            break
                        }
                        case "repay":
                        case "repayInstalment":
                        case "repayAll": {
                            const state = loanId < BigInt(loanCount) ? await readLoanState(f.market, loanId) : undefined
                            const before = await balance(f, f.signers.borrower.address)
                            const available = (await f.market.offer(0n)).available
                            const outstanding = state ? (await f.market.loanPosition(loanId)).totalDue - state.repaid : 0n
                            const amount = action.kind === "repay" ? share(outstanding, action.fraction) : 0n
                            const ok = await send(f.signers.borrower, (m) =>
                                action.kind === "repay" ? m.repay(loanId, amount) : action.kind === "repayInstalment" ? m.repayInstalment(loanId) : m.repayAll(loanId)
                            )
                            if (ok && state) {
                                const expected = expectedPayment(state, now, action.kind === "repay" ? { amount } : action.kind === "repayInstalment" ? "instalment" : "payoff")
                                const paid = before - (await balance(f, f.signers.borrower.address))
                                expect(paid).toBe(expected.amount + expected.lateFees)
                                expect((await f.market.offer(0n)).available).toBe(available + paid)
                                // a defaulted loan stays defaulted, paid in full or not
                                expect((await f.market.loan(loanId)).status).toBe(state.defaulted ? 3n : expected.closes ? 2n : 1n)
                                if (state.defaulted) seen.recoveries++
                                seen.payments++
                                if (expected.lateFees > 0n) seen.lateFees++
                                if (expected.closes) seen.closed++
                            }
                            break
                        }
                        case "wait":
                            now += BigInt(action.seconds)
                            await time.increaseTo(now)
                            break
                        case "markDefault":
                            if (await send(f.signers.stranger, (m) => m.markDefault(loanId))) seen.defaults++
                            break
                        case "deposit":
                            await send(f.signers.lender, (m) => m.deposit(0n, BigInt(action.amount) * USD))
                            break
                        case "withdraw": {
                            const available: bigint = (await f.market.offer(0n)).available
                            await send(f.signers.lender, (m) => m.withdraw(0n, share(available, action.fraction)))
                            break
                        }
                    }
                    // the market holds exactly what the offer has available, and no token appeared or vanished
                    expect(await balance(f, marketAddress)).toBe((await f.market.offer(0n)).available)
                    let total = await balance(f, marketAddress)
                    for (const account of accounts) total += await balance(f, account.address)
                    expect(total).toBe(supply)
                }

                // records agree with the loans
                for (const nullifier of PSEUDONYMS) {
                    const statuses: bigint[] = []
                    for (const [id, n] of loanNullifiers.entries()) if (n === nullifier) statuses.push((await f.market.loan(BigInt(id))).status)
                    const record = await f.market.record(nullifier)
                    expect(record.loansTaken).toBe(BigInt(statuses.length))
                    expect(record.activeLoans).toBe(BigInt(statuses.filter((s) => s === 1n).length))
                    expect(record.loansRepaid).toBe(BigInt(statuses.filter((s) => s === 2n).length))
                    expect(record.defaults).toBe(BigInt(statuses.filter((s) => s === 3n).length))
                    let recovered = 0n
                    for (const [id, n] of loanNullifiers.entries()) {
                        const loan = await f.market.loan(BigInt(id))
                        if (n === nullifier && loan.status === 3n && loan.repaid === (await f.market.loanPosition(BigInt(id))).totalDue) recovered++
                    }
                    expect(record.loansRecovered).toBe(recovered)
                }
                // the lender can take out everything available, to the last unit
                const available: bigint = (await f.market.offer(0n)).available
                if (available > 0n) await (await as(f.market, f.signers.lender).withdraw(0n, available)).wait()
                expect(await balance(f, marketAddress)).toBe(0n)
            }),
            { numRuns: 50, examples: EXAMPLES }
        )
        // the runs did reach the paths that matter (the examples make sure of it)
        expect(seen.payments).toBeGreaterThan(20)
        expect(seen.lateFees).toBeGreaterThan(0)
        expect(seen.closed).toBeGreaterThan(0)
        expect(seen.defaults).toBeGreaterThan(0)
        expect(seen.recoveries).toBeGreaterThan(0)
    })
})
