/**
 * `LoanMarket` rules that are not about proofs: offers, funds, the instalment schedule, partial
 * and early repayment, late fees, defaults, pseudonym records, pause, reentrancy. The verifier is
 * `MockCreditVerifier` (accepts proofs whose first point is not 0); real proofs are in
 * loan-market-proofs.test.ts.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import {
    as,
    CAPACITY,
    DAY,
    deploy,
    deployMockMarket,
    deployMockMarketTwoLoans,
    eventOf,
    eventsOf,
    mockProof,
    readLoanState,
    TERMS,
    TIERS,
    USD,
    type MockMarket,
    type Signer
} from "../helpers/contracts.ts"
import { cumulativeDue, defaultableAt, dueTime, expectedPayment, instalmentAmount, interest, payoffTotal } from "../helpers/loan-math.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const NULLIFIER = 0xabcn
const PRINCIPAL = 1_000n * USD
const TIER = 1n
const INTEREST = interest(PRINCIPAL, BigInt(TIERS[1]!.aprBps), BigInt(TERMS.term))
const TOTAL = PRINCIPAL + INTEREST
const COUNT = BigInt(TERMS.instalmentCount)
const LATE_FEE = TERMS.lateFee
/** A day as a bigint, for arithmetic with block times. */
const DAY_N = BigInt(DAY)

/** Opens a loan at `at` (default: the next second) and returns its id and start time. */
async function openLoan(f: MockMarket, options: { nullifier?: bigint; proofTime?: number; tier?: bigint; principal?: bigint; signer?: Signer; at?: number } = {}) {
    const start = options.at ?? (await time.latest()) + 1
    await time.setNextBlockTimestamp(start)
    const signer = options.signer ?? f.signers.borrower
    const loanId = await f.market.loanCount()
    await (await as(f.market, signer).borrow(0n, options.tier ?? TIER, options.principal ?? PRINCIPAL, mockProof(options.nullifier ?? NULLIFIER, options.proofTime ?? start))).wait()
    return { loanId: loanId as bigint, start: BigInt(start) }
}

/** Sends a market call from `signer` in a block at `at` and returns the tokens it took from `signer`. */
async function payAt(f: MockMarket, at: bigint, call: (market: MockMarket["market"]) => Promise<unknown>, signer: Signer = f.signers.borrower): Promise<bigint> {
    const before: bigint = await f.token.balanceOf(signer.address)
    await time.setNextBlockTimestamp(at)
    await ((await call(as(f.market, signer))) as { wait(): Promise<unknown> }).wait()
    return before - (await f.token.balanceOf(signer.address))
}

/** The market holds exactly what its offers say is available: no wei stuck or missing. */
async function expectBooksBalance(f: MockMarket): Promise<void> {
    let available = 0n
    const offers = await f.market.offerCount()
    for (let i = 0n; i < offers; i++) available += (await f.market.offer(i)).available
    expect(await f.token.balanceOf(await f.market.getAddress())).toBe(available)
}

const due = (start: bigint, k: number) => dueTime(start, BigInt(TERMS.term), COUNT, BigInt(k))

describe("LoanMarket", () => {
    describe("# constructor", () => {
        it("sets the admin, the verifier and the active-loan limit", async () => {
            const f = await loadFixture(deployMockMarket)
            expect(await f.market.hasRole(ethers.ZeroHash, f.signers.admin.address)).toBe(true)
            expect(await f.market.creditVerifier()).toBe(await f.verifier.getAddress())
            expect(await f.market.maxActiveLoans()).toBe(1n)
        })

        it("refuses zero addresses and a limit of 0 or above 2^32 - 1", async () => {
            const f = await loadFixture(deployMockMarket)
            const verifier = await f.verifier.getAddress()
            const admin = f.signers.admin.address
            await expectRevert(deploy(ethers, "LoanMarket", [ethers.ZeroAddress, verifier, 1]), "ZeroAddress", [])
            await expectRevert(deploy(ethers, "LoanMarket", [admin, ethers.ZeroAddress, 1]), "ZeroAddress", [])
            await expectRevert(deploy(ethers, "LoanMarket", [admin, verifier, 0]), "InvalidMaxActiveLoans", [0n])
            await expectRevert(deploy(ethers, "LoanMarket", [admin, verifier, 2n ** 32n]), "InvalidMaxActiveLoans", [2n ** 32n])
        })
    })

    describe("# createOffer", () => {
        it("stores the offer and its tiers, takes the capacity and emits it all", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            await expect(lender.createOffer.staticCall(token, 5_000n * USD, TIERS, TERMS)).resolves.toBe(1n)
            const before = await f.token.balanceOf(f.signers.lender.address)
            const receipt = await (await lender.createOffer(token, 5_000n * USD, TIERS, TERMS)).wait()
            expect(before - (await f.token.balanceOf(f.signers.lender.address))).toBe(5_000n * USD)
            const event = eventOf(f.market, receipt, "OfferCreated")
            expect(event.args.offerId).toBe(1n)
            expect(event.args.lender).toBe(f.signers.lender.address)
            expect(event.args.token).toBe(token)
            expect(event.args.capacity).toBe(5_000n * USD)
            expect(event.args.terms.toObject()).toEqual({ ...TERMS, term: BigInt(TERMS.term), instalmentCount: BigInt(TERMS.instalmentCount), gracePeriod: BigInt(TERMS.gracePeriod), defaultPeriod: BigInt(TERMS.defaultPeriod) })
            expect(event.args.tiers.map((t: { toObject(): object }) => t.toObject())).toEqual(TIERS.map((t) => ({ minScore: BigInt(t.minScore), aprBps: BigInt(t.aprBps), maxPrincipal: t.maxPrincipal })))
            const offer = await f.market.offer(1n)
            expect(offer.toObject()).toEqual({
                token,
                tierCount: 3n,
                paused: false,
                instalmentCount: BigInt(TERMS.instalmentCount),
                term: BigInt(TERMS.term),
                gracePeriod: BigInt(TERMS.gracePeriod),
                lender: f.signers.lender.address,
                defaultPeriod: BigInt(TERMS.defaultPeriod),
                available: 5_000n * USD,
                lateFee: LATE_FEE
            })
            expect([...(await f.market.tierOf(1n, 2n))]).toEqual([BigInt(TIERS[2]!.minScore), BigInt(TIERS[2]!.aprBps), TIERS[2]!.maxPrincipal])
            expect(await f.market.offerCount()).toBe(2n)
            await expectBooksBalance(f)
        })

        it("refuses a token that is not a contract", async () => {
            const f = await loadFixture(deployMockMarket)
            const eoa = f.signers.stranger.address
            await expectRevert(as(f.market, f.signers.lender).createOffer(eoa, 1n, TIERS, TERMS), "InvalidToken", [eoa])
        })

        it("refuses 0 or more than MAX_TIERS tiers", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            await expectRevert(lender.createOffer(token, 1n, [], TERMS), "InvalidTierCount", [0n, 8n])
            const nine = Array.from({ length: 9 }, (_, i) => ({ minScore: 300 + i, aprBps: 100, maxPrincipal: 1n }))
            await expectRevert(lender.createOffer(token, 1n, nine, TERMS), "InvalidTierCount", [9n, 8n])
        })

        it("refuses a tier above MAX_APR_BPS, with maxPrincipal 0, or not ascending in score", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            const tier = (minScore: number, aprBps: number, maxPrincipal: bigint) => ({ minScore, aprBps, maxPrincipal })
            await expectRevert(lender.createOffer(token, 1n, [tier(600, 100, 1n), tier(700, 50_001, 1n)], TERMS), "AprTooHigh", [1n, 50_001n, 50_000n])
            await expectRevert(lender.createOffer(token, 1n, [tier(600, 100, 0n)], TERMS), "ZeroMaxPrincipal", [0n])
            await expectRevert(lender.createOffer(token, 1n, [tier(600, 100, 1n), tier(600, 90, 1n)], TERMS), "TiersNotAscending", [1n, 600n, 600n])
            await expectRevert(lender.createOffer(token, 1n, [tier(600, 100, 1n), tier(700, 90, 1n), tier(650, 80, 1n)], TERMS), "TiersNotAscending", [2n, 650n, 700n])
        })

        it("refuses bad terms", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, instalmentCount: 0 }), "InvalidInstalmentCount", [0n, 360n])
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, instalmentCount: 361 }), "InvalidInstalmentCount", [361n, 360n])
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, term: 2 }), "InvalidTerm", [2n, 3n, 3650n * 86_400n])
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, term: 3650 * DAY + 1 }), "InvalidTerm", [3650n * 86_400n + 1n, 3n, 3650n * 86_400n])
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, defaultPeriod: TERMS.gracePeriod }), "InvalidDefaultPeriod", [BigInt(TERMS.gracePeriod), BigInt(TERMS.gracePeriod), 365n * 86_400n])
            await expectRevert(lender.createOffer(token, 1n, TIERS, { ...TERMS, defaultPeriod: 365 * DAY + 1 }), "InvalidDefaultPeriod", [365n * 86_400n + 1n, BigInt(TERMS.gracePeriod), 365n * 86_400n])
        })

        it("refuses a capacity of 0 or above 2^128 - 1", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            await expectRevert(lender.createOffer(token, 0n, TIERS, TERMS), "ZeroAmount", [])
            await expectRevert(lender.createOffer(token, 2n ** 128n, TIERS, TERMS), "AmountTooLarge", [2n ** 128n, 2n ** 128n - 1n])
        })

        it("refuses tiers whose largest loan with interest and all late fees would not fit the books (uint128)", async () => {
            const f = await loadFixture(deployMockMarket)
            const lender = as(f.market, f.signers.lender)
            const token = await f.token.getAddress()
            const max = 2n ** 128n - 1n
            const huge = [{ minScore: 600, aprBps: 0, maxPrincipal: max - 3n * LATE_FEE + 1n }]
            await expectRevert(lender.createOffer(token, 1n, huge, TERMS), "AmountTooLarge", [max + 1n, max])
            const fits = [{ minScore: 600, aprBps: 0, maxPrincipal: max - 3n * LATE_FEE }]
            await (await lender.createOffer(token, 1n, fits, TERMS)).wait()
        })

        it("refuses a fee-on-transfer token (the market would owe more than it holds)", async () => {
            const f = await loadFixture(deployMockMarket)
            const feeToken = await deploy(ethers, "MockFeeOnTransferToken", [100])
            await (await feeToken.mint(f.signers.lender.address, 1_000n)).wait()
            await (await as(feeToken, f.signers.lender).approve(await f.market.getAddress(), 1_000n)).wait()
            await (await f.market.setTokenAllowed(await feeToken.getAddress(), true)).wait()
            await expectRevert(as(f.market, f.signers.lender).createOffer(await feeToken.getAddress(), 1_000n, TIERS, TERMS), "UnsupportedToken", [await feeToken.getAddress(), 1_000n, 990n])
        })

        it("refuses without allowance and while the market is paused", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await f.token.getAddress()
            await (await as(f.token, f.signers.lender).approve(await f.market.getAddress(), 0n)).wait()
            await expectRevert(as(f.market, f.signers.lender).createOffer(token, 1n, TIERS, TERMS), "ERC20InsufficientAllowance")
            await (await f.market.pause()).wait()
            await expectRevert(as(f.market, f.signers.lender).createOffer(token, 1n, TIERS, TERMS), "EnforcedPause")
        })
    })

    describe("# deposit", () => {
        it("adds funds to the offer", async () => {
            const f = await loadFixture(deployMockMarket)
            const receipt = await (await as(f.market, f.signers.lender).deposit(0n, 500n * USD)).wait()
            expect([...eventOf(f.market, receipt, "OfferDeposit").args]).toEqual([0n, 500n * USD, CAPACITY + 500n * USD])
            expect((await f.market.offer(0n)).available).toBe(CAPACITY + 500n * USD)
            await expectBooksBalance(f)
        })

        it("refuses an unknown offer, a caller other than the lender, 0, and an overflow of the books", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(as(f.market, f.signers.lender).deposit(9n, 1n), "UnknownOffer", [9n])
            await expectRevert(as(f.market, f.signers.other).deposit(0n, 1n), "NotOfferLender", [0n, f.signers.other.address, f.signers.lender.address])
            await expectRevert(as(f.market, f.signers.lender).deposit(0n, 0n), "ZeroAmount", [])
            const max = 2n ** 128n - 1n
            await expectRevert(as(f.market, f.signers.lender).deposit(0n, max), "AmountTooLarge", [max + CAPACITY, max])
        })

        it("refuses a token that started taking fees after the offer was made", async () => {
            const f = await loadFixture(deployMockMarket)
            const feeToken = await deploy(ethers, "MockFeeOnTransferToken", [0])
            await (await feeToken.mint(f.signers.lender.address, 10_000n)).wait()
            await (await as(feeToken, f.signers.lender).approve(await f.market.getAddress(), 10_000n)).wait()
            await (await f.market.setTokenAllowed(await feeToken.getAddress(), true)).wait()
            await (await as(f.market, f.signers.lender).createOffer(await feeToken.getAddress(), 1_000n, TIERS, TERMS)).wait()
            await (await feeToken.setFeeBps(50)).wait()
            await expectRevert(as(f.market, f.signers.lender).deposit(1n, 1_000n), "UnsupportedToken", [await feeToken.getAddress(), 1_000n, 995n])
        })

        it("refuses while the market is paused", async () => {
            const f = await loadFixture(deployMockMarket)
            await (await f.market.pause()).wait()
            await expectRevert(as(f.market, f.signers.lender).deposit(0n, 1n), "EnforcedPause")
        })
    })

    describe("# withdraw", () => {
        it("sends funds that are not lent to the lender, also while the market is paused", async () => {
            const f = await loadFixture(deployMockMarket)
            await openLoan(f)
            await (await f.market.pause()).wait()
            const lent = CAPACITY - PRINCIPAL
            const paid = await payAt(f, BigInt(await time.latest()) + 1n, (m) => m.withdraw(0n, lent), f.signers.lender)
            expect(paid).toBe(-lent)
            expect((await f.market.offer(0n)).available).toBe(0n)
            await expectBooksBalance(f)
        })

        it("refuses more than available, 0, an unknown offer and other callers", async () => {
            const f = await loadFixture(deployMockMarket)
            await openLoan(f)
            const lender = as(f.market, f.signers.lender)
            await expectRevert(lender.withdraw(0n, CAPACITY), "InsufficientLiquidity", [0n, CAPACITY, CAPACITY - PRINCIPAL])
            await expectRevert(lender.withdraw(0n, 0n), "ZeroAmount", [])
            await expectRevert(lender.withdraw(3n, 1n), "UnknownOffer", [3n])
            await expectRevert(as(f.market, f.signers.borrower).withdraw(0n, 1n), "NotOfferLender", [0n, f.signers.borrower.address, f.signers.lender.address])
        })
    })

    describe("# setOfferPaused", () => {
        it("stops and resumes new loans of the offer; loans already made go on", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const receipt = await (await as(f.market, f.signers.lender).setOfferPaused(0n, true)).wait()
            expect([...eventOf(f.market, receipt, "OfferPauseSet").args]).toEqual([0n, true])
            await expectRevert(as(f.market, f.signers.other).borrow(0n, 0n, 1n, mockProof(7n, 1)), "OfferPaused", [0n])
            await payAt(f, due(start, 0), (m) => m.repayInstalment(loanId))
            await (await as(f.market, f.signers.lender).setOfferPaused(0n, false)).wait()
            await (await as(f.market, f.signers.other).borrow(0n, 0n, 1n, mockProof(7n, 1))).wait()
        })

        it("refuses other callers and unknown offers", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(as(f.market, f.signers.other).setOfferPaused(0n, true), "NotOfferLender", [0n, f.signers.other.address, f.signers.lender.address])
            await expectRevert(as(f.market, f.signers.lender).setOfferPaused(1n, true), "UnknownOffer", [1n])
        })
    })

    describe("# borrow (rules besides the proof)", () => {
        it("consumes nothing when the verifier refuses the proof", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 5, false)), "InvalidProof", [])
            expect([...(await f.market.record(NULLIFIER))]).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 0n])
            expect(await f.market.loanCount()).toBe(0n)
            expect((await f.market.offer(0n)).available).toBe(CAPACITY)
            // the same proof time is still fresh
            await (await as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 5))).wait()
        })

        it("needs a strictly newer proof time than the pseudonym's last accepted proof", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f, { proofTime: 1_000 })
            await payAt(f, start + 10n, (m) => m.repayAll(loanId))
            const borrower = as(f.market, f.signers.borrower)
            await expectRevert(borrower.borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 1_000)), "ProofReplayed", [NULLIFIER, 1_000n, 1_000n])
            await expectRevert(borrower.borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 999)), "ProofReplayed", [NULLIFIER, 999n, 1_000n])
            await (await borrower.borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 1_001))).wait()
            expect((await f.market.record(NULLIFIER)).lastProofTime).toBe(1_001n)
        })

        it("allows as many active loans per pseudonym as the market is configured for", async () => {
            const f = await loadFixture(deployMockMarketTwoLoans)
            await openLoan(f, { proofTime: 1 })
            await openLoan(f, { proofTime: 2, signer: f.signers.other })
            expect((await f.market.record(NULLIFIER)).activeLoans).toBe(2n)
            await expectRevert(as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, 3)), "TooManyActiveLoans", [NULLIFIER, 2n, 2n])
            // other pseudonyms are not affected
            await openLoan(f, { nullifier: 0xdefn, proofTime: 3 })
        })
    })

    describe("# repayInstalment", () => {
        it("pays the schedule exactly: instalments sum to principal plus interest, then the loan closes", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const lenderAvailable = (await f.market.offer(0n)).available
            let paidTotal = 0n
            for (let k = 0; k < TERMS.instalmentCount; k++) {
                const paid = await payAt(f, due(start, k), (m) => m.repayInstalment(loanId))
                expect(paid).toBe(instalmentAmount(TOTAL, COUNT, BigInt(k)))
                paidTotal += paid
                await expectBooksBalance(f)
            }
            expect(paidTotal).toBe(TOTAL)
            expect((await f.market.offer(0n)).available).toBe(lenderAvailable + TOTAL)
            const loan = await f.market.loan(loanId)
            expect(loan.status).toBe(2n)
            expect(loan.repaid).toBe(TOTAL)
            expect([...(await f.market.record(NULLIFIER))].slice(0, 5)).toEqual([1n, 1n, 0n, 0n, 0n])
        })

        it("lets anyone pay, emits the payment and the closing", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 1n, (m) => m.repay(loanId, cumulativeDue(TOTAL, COUNT, 2n)), f.signers.other)
            await time.setNextBlockTimestamp(start + 2n)
            const receipt = await (await as(f.market, f.signers.stranger).repayInstalment(loanId)).wait()
            const events = eventsOf(f.market, receipt)
            const last = instalmentAmount(TOTAL, COUNT, 2n)
            expect(events.map((e) => e.name)).toEqual(["LoanRepayment", "LoanRepaid"])
            expect([...events[0]!.args]).toEqual([loanId, f.signers.stranger.address, last, 0n, 0n])
            expect([...events[1]!.args]).toEqual([loanId, 0n])
        })

        it("refuses unknown and closed loans", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(as(f.market, f.signers.borrower).repayInstalment(0n), "UnknownLoan", [0n])
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 5n, (m) => m.repayAll(loanId))
            await expectRevert(as(f.market, f.signers.borrower).repayInstalment(loanId), "LoanNotActive", [loanId, 2n])
        })
    })

    describe("# repay", () => {
        it("pays part of an instalment, then the rest, without skipping ahead", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const first = instalmentAmount(TOTAL, COUNT, 0n)
            await payAt(f, start + DAY_N, (m) => m.repay(loanId, 100n * USD))
            let position = await f.market.loanPosition(loanId)
            expect(position.instalmentsPaid).toBe(0n)
            expect(position.nextInstalmentRemaining).toBe(first - 100n * USD)
            expect(await payAt(f, start + 2n * DAY_N, (m) => m.repayInstalment(loanId))).toBe(first - 100n * USD)
            position = await f.market.loanPosition(loanId)
            expect(position.instalmentsPaid).toBe(1n)
            expect(position.nextDueTime).toBe(due(start, 1))
        })

        it("pays several instalments at once and closes the loan when all is paid", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 1n, (m) => m.repay(loanId, cumulativeDue(TOTAL, COUNT, 2n) + 1n))
            expect((await f.market.loanPosition(loanId)).instalmentsPaid).toBe(2n)
            await payAt(f, start + 2n, (m) => m.repay(loanId, TOTAL - cumulativeDue(TOTAL, COUNT, 2n) - 1n))
            expect((await f.market.loan(loanId)).status).toBe(2n)
            await expectBooksBalance(f)
        })

        it("refuses 0 and more than the outstanding debt", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId } = await openLoan(f)
            await expectRevert(as(f.market, f.signers.borrower).repay(loanId, 0n), "ZeroAmount", [])
            await expectRevert(as(f.market, f.signers.borrower).repay(loanId, TOTAL + 1n), "RepaymentExceedsDebt", [loanId, TOTAL + 1n, TOTAL])
        })
    })

    describe("# repayAll", () => {
        it("charges the principal plus the interest of started periods only", async () => {
            const f = await loadFixture(deployMockMarket)
            const cases: [string, (start: bigint) => bigint, bigint][] = [
                ["in the first period", (s) => s + 10n * DAY_N, 1n],
                ["the second period's first second", (s) => due(s, 0), 2n],
                ["in the last period", (s) => due(s, 1) + 1n, 3n],
                ["after the term", (s) => due(s, 2) + 1n, 3n]
            ]
            for (const [label, when, started] of cases) {
                const snapshot = await networkHelpers.takeSnapshot()
                const { loanId, start } = await openLoan(f)
                const expected = payoffTotal(PRINCIPAL, INTEREST, COUNT, started)
                const at = when(start)
                const lateFees = at > due(start, 0) + BigInt(TERMS.gracePeriod) ? LATE_FEE * (at > due(start, 1) + BigInt(TERMS.gracePeriod) ? 2n : 1n) : 0n
                expect(await payAt(f, at, (m) => m.repayAll(loanId)), label).toBe(expected + lateFees)
                const loan = await f.market.loan(loanId)
                expect(loan.status, label).toBe(2n)
                await snapshot.restore()
            }
        })

        it("takes only what is left after earlier payments, and emits the interest waived", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const first = await payAt(f, due(start, 0) - 1n, (m) => m.repayInstalment(loanId))
            await time.setNextBlockTimestamp(due(start, 0) + 5n)
            const receipt = await (await as(f.market, f.signers.borrower).repayAll(loanId)).wait()
            const target = payoffTotal(PRINCIPAL, INTEREST, COUNT, 2n)
            expect(eventOf(f.market, receipt, "LoanRepayment").args.amount).toBe(target - first)
            expect([...eventOf(f.market, receipt, "LoanRepaid").args]).toEqual([loanId, TOTAL - target])
        })

        it("closes a loan prepaid past the payoff amount without taking more", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 1n, (m) => m.repay(loanId, TOTAL - 1n))
            expect(await payAt(f, start + 2n, (m) => m.repayAll(loanId))).toBe(0n)
            expect((await f.market.loan(loanId)).status).toBe(2n)
        })

        it("refuses closed loans", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 1n, (m) => m.repayAll(loanId))
            await expectRevert(as(f.market, f.signers.borrower).repayAll(loanId), "LoanNotActive", [loanId, 2n])
        })
    })

    describe("late fees", () => {
        it("charges nothing within the grace period", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const paid = await payAt(f, due(start, 0) + BigInt(TERMS.gracePeriod), (m) => m.repayInstalment(loanId))
            expect(paid).toBe(instalmentAmount(TOTAL, COUNT, 0n))
        })

        it("charges the fee once per late instalment, even when it is paid in parts", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const late = due(start, 0) + BigInt(TERMS.gracePeriod) + 1n
            expect((await f.market.loanPosition(loanId)).lateFeesDue).toBe(0n)
            expect(await payAt(f, late, (m) => m.repay(loanId, 10n * USD))).toBe(10n * USD + LATE_FEE)
            expect(await payAt(f, late + 1n, (m) => m.repayInstalment(loanId))).toBe(instalmentAmount(TOTAL, COUNT, 0n) - 10n * USD)
            const loan = await f.market.loan(loanId)
            expect(loan.lateFeesPaid).toBe(LATE_FEE)
            expect(loan.lateInstalmentsCharged).toBe(1n)
            expect((await f.market.record(NULLIFIER)).lateInstalments).toBe(1n)
            // the next instalment paid on time costs no fee
            expect(await payAt(f, due(start, 1), (m) => m.repayInstalment(loanId))).toBe(instalmentAmount(TOTAL, COUNT, 1n))
        })

        it("charges every late instalment at the next payment, and says so in loanPosition first", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const when = due(start, 1) + BigInt(TERMS.gracePeriod) + 1n
            await time.setNextBlockTimestamp(when)
            await networkHelpers.mine()
            const position = await f.market.loanPosition(loanId)
            expect(position.lateFeesDue).toBe(2n * LATE_FEE)
            expect(position.overdueAmount).toBe(cumulativeDue(TOTAL, COUNT, 2n))
            const receipt = await (await as(f.market, f.signers.borrower).repayInstalment(loanId)).wait()
            expect([...eventOf(f.market, receipt, "LoanRepayment").args].slice(2)).toEqual([instalmentAmount(TOTAL, COUNT, 0n), 2n * LATE_FEE, 2n])
            expect((await f.market.record(NULLIFIER)).lateInstalments).toBe(2n)
            // instalment 1, already charged, costs no second fee
            expect(await payAt(f, when + 10n, (m) => m.repayInstalment(loanId))).toBe(instalmentAmount(TOTAL, COUNT, 1n))
        })
    })

    describe("# markDefault", () => {
        it("refuses before the default period after the first unpaid due time has passed", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const at = due(start, 0) + BigInt(TERMS.defaultPeriod) + 1n
            await time.setNextBlockTimestamp(at - 1n)
            await expectRevert(as(f.market, f.signers.stranger).markDefault(loanId), "LoanNotInDefault", [loanId, at])
            expect((await f.market.loanPosition(loanId)).defaultableAt).toBe(at)
        })

        it("counts from the first unpaid instalment: paying on time moves the default clock", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            await payAt(f, due(start, 0), (m) => m.repayInstalment(loanId))
            await time.setNextBlockTimestamp(due(start, 0) + BigInt(TERMS.defaultPeriod) + 1n)
            await networkHelpers.mine()
            const expected = defaultableAt(await readLoanState(f.market, loanId))
            expect(expected).toBe(due(start, 1) + BigInt(TERMS.defaultPeriod) + 1n)
            await expectRevert(as(f.market, f.signers.stranger).markDefault(loanId), "LoanNotInDefault", [loanId, expected])
        })

        it("lets anyone mark it, records the default and the late instalments, and keeps the loan open to recovery only", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const at = due(start, 0) + BigInt(TERMS.defaultPeriod) + 1n
            await time.setNextBlockTimestamp(at)
            const receipt = await (await as(f.market, f.signers.stranger).markDefault(loanId)).wait()
            expect([...eventOf(f.market, receipt, "LoanDefaulted").args]).toEqual([loanId, TOTAL])
            expect((await f.market.loan(loanId)).status).toBe(3n)
            // instalment 0 was late past grace by then (instalment 1 is due, but still in its grace)
            expect([...(await f.market.record(NULLIFIER))].slice(0, 5)).toEqual([1n, 0n, 1n, 1n, 0n])
            await expectRevert(as(f.market, f.signers.stranger).markDefault(loanId), "LoanNotActive", [loanId, 3n])
            // the pseudonym is refused for good, whatever its proof
            await expectRevert(as(f.market, f.signers.borrower).borrow(0n, 0n, 1n, mockProof(NULLIFIER, at + 100n)), "PseudonymDefaulted", [NULLIFIER])
        })

        it("refuses unknown loans", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(as(f.market, f.signers.stranger).markDefault(5n), "UnknownLoan", [5n])
        })
    })

    describe("# recovery after default", () => {
        async function defaulted(f: Awaited<ReturnType<typeof deployMockMarket>>) {
            const { loanId, start } = await openLoan(f)
            const at = due(start, 0) + BigInt(TERMS.defaultPeriod) + 1n
            await time.setNextBlockTimestamp(at)
            await (await as(f.market, f.signers.stranger).markDefault(loanId)).wait()
            return { loanId, start, at }
        }

        it("takes partial payments with the late fees still due, then the rest; the status stays Defaulted, the record shows the recovery", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start, at } = await defaulted(f)
            const position = await f.market.loanPosition(loanId)
            // after a default everything is due, and the late fees not charged yet are still owed
            expect(position.payoffAmount).toBe(TOTAL)
            expect(position.overdueAmount).toBe(TOTAL)
            expect(position.defaultableAt).toBe(0n)
            const lateFees = position.lateFeesDue
            expect(lateFees).toBe(LATE_FEE)
            const available = (await f.market.offer(0n)).available
            await time.setNextBlockTimestamp(at + 10n)
            const first = await (await as(f.market, f.signers.borrower).repay(loanId, 100n * USD)).wait()
            expect([...eventOf(f.market, first, "LoanRepayment").args]).toEqual([loanId, f.signers.borrower.address, 100n * USD, lateFees, 1n])
            expect((await f.market.loan(loanId)).recovered).toBe(100n * USD + lateFees)
            expect((await f.market.offer(0n)).available).toBe(available + 100n * USD + lateFees)
            // the record's late count stays what it was at the default
            expect((await f.market.record(NULLIFIER)).lateInstalments).toBe(1n)
            await time.setNextBlockTimestamp(due(start, 1) + BigInt(TERMS.gracePeriod) + 1n)
            const receipt = await (await as(f.market, f.signers.other).repayAll(loanId)).wait()
            // instalment 1 became late past grace since the default: its fee is charged too
            const rest = TOTAL - 100n * USD
            expect([...eventOf(f.market, receipt, "LoanRecovered").args]).toEqual([loanId, 100n * USD + lateFees + rest + LATE_FEE])
            const loan = await f.market.loan(loanId)
            expect(loan.status).toBe(3n)
            expect(loan.repaid).toBe(TOTAL)
            expect((await f.market.offer(0n)).available).toBe(available + TOTAL + lateFees + LATE_FEE)
            const record = await f.market.record(NULLIFIER)
            expect([record.loansTaken, record.loansRepaid, record.lateInstalments, record.defaults, record.activeLoans, record.loansRecovered]).toEqual([1n, 0n, 1n, 1n, 0n, 1n])
            await expectRevert(as(f.market, f.signers.borrower).repayInstalment(loanId), "NothingOwed", [loanId])
            await expectRevert(as(f.market, f.signers.borrower).repay(loanId, 1n), "NothingOwed", [loanId])
            await expectRevert(as(f.market, f.signers.borrower).repayAll(loanId), "NothingOwed", [loanId])
            // recovered, but defaulted for good
            await expectRevert(as(f.market, f.signers.borrower).borrow(0n, 0n, 1n, mockProof(NULLIFIER, at + 100n)), "PseudonymDefaulted", [NULLIFIER])
        })

        it("takes the next instalment, refuses more than the outstanding debt and 0", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId } = await defaulted(f)
            await (await as(f.market, f.signers.borrower).repayInstalment(loanId)).wait()
            const loan = await f.market.loan(loanId)
            expect(loan.repaid).toBe(cumulativeDue(TOTAL, COUNT, 1n))
            expect(loan.status).toBe(3n)
            const outstanding = TOTAL - loan.repaid
            await expectRevert(as(f.market, f.signers.borrower).repay(loanId, outstanding + 1n), "RepaymentExceedsDebt", [loanId, outstanding + 1n, outstanding])
            await expectRevert(as(f.market, f.signers.borrower).repay(loanId, 0n), "ZeroAmount", [])
        })
    })

    describe("# loanPosition", () => {
        it("matches the TypeScript mirror of the rules at any time", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            for (const offset of [1n, 29n * DAY_N, 33n * DAY_N + 1n, 61n * DAY_N, 95n * DAY_N]) {
                await time.setNextBlockTimestamp(start + offset)
                await networkHelpers.mine()
                const now = start + offset
                const state = await readLoanState(f.market, loanId)
                const position = await f.market.loanPosition(loanId)
                expect(position.payoffAmount).toBe(expectedPayment(state, now, "payoff").amount)
                expect(position.lateFeesDue).toBe(expectedPayment(state, now, "payoff").lateFees)
                expect(position.nextInstalmentRemaining).toBe(expectedPayment(state, now, "instalment").amount)
                expect(position.defaultableAt).toBe(defaultableAt(state))
                expect(position.totalDue).toBe(TOTAL)
                expect(position.interest).toBe(INTEREST)
            }
        })

        it("refuses unknown loans and shows closed ones without a next instalment", async () => {
            const f = await loadFixture(deployMockMarket)
            await expectRevert(f.market.loanPosition(0n), "UnknownLoan", [0n])
            const { loanId, start } = await openLoan(f)
            await payAt(f, start + 1n, (m) => m.repayAll(loanId))
            const position = await f.market.loanPosition(loanId)
            expect(position.nextDueTime).toBe(0n)
            expect(position.payoffAmount).toBe(0n)
        })
    })

    describe("# escrowTagOf", () => {
        const tagOf = (e: { committeeKeyY: bigint; ephemeralKeyY: bigint; ciphertext: bigint }) =>
            BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "uint256"], [e.committeeKeyY, e.ephemeralKeyY, e.ciphertext]))) >> 112n

        it("keeps the tag of a loan taken with none active in the pseudonym's record, and of one taken beside an active loan in its own slot; 0 for another pseudonym or an unknown loan", async () => {
            const f = await loadFixture(deployMockMarketTwoLoans)
            const escrows = [
                { committeeKeyY: 11n, ephemeralKeyY: 12n, ciphertext: 13n },
                { committeeKeyY: 11n, ephemeralKeyY: 22n, ciphertext: 23n },
                { committeeKeyY: 11n, ephemeralKeyY: 32n, ciphertext: 33n }
            ]
            const at = (await time.latest()) + 1
            // loans 0 and 2 are NULLIFIER's (its first and a later one), loan 1 another pseudonym's first
            await (await as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, at, true, escrows[0]))).wait()
            await (await as(f.market, f.signers.other).borrow(0n, TIER, PRINCIPAL, mockProof(0xdefn, at + 1, true, escrows[1]))).wait()
            await (await as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, at + 2, true, escrows[2]))).wait()
            expect(await f.market.escrowTagOf(0n, NULLIFIER)).toBe(tagOf(escrows[0]!))
            expect(await f.market.escrowTagOf(1n, 0xdefn)).toBe(tagOf(escrows[1]!))
            expect(await f.market.escrowTagOf(2n, NULLIFIER)).toBe(tagOf(escrows[2]!))
            // a loan named with another pseudonym than its own: no tag
            expect(await f.market.escrowTagOf(0n, 0xdefn)).toBe(0n)
            expect(await f.market.escrowTagOf(1n, NULLIFIER)).toBe(0n)
            expect(await f.market.escrowTagOf(2n, 0xdefn)).toBe(0n)
            // unknown loans and pseudonyms
            expect(await f.market.escrowTagOf(3n, NULLIFIER)).toBe(0n)
            expect(await f.market.escrowTagOf(0n, 0x123n)).toBe(0n)
            // the escrow's values are in LoanOpened
            const opened = await f.market.queryFilter(f.market.filters.LoanOpened!(2n))
            expect([...(opened[0] as unknown as { args: unknown[] }).args].slice(7)).toEqual([11n, 32n, 33n])
        })

        it("gives a repaid loan's record bits to the pseudonym's next loan: the repaid loan's tag reads 0, the new one's is kept, a default keeps its own", async () => {
            const f = await loadFixture(deployMockMarket)
            const escrows = [
                { committeeKeyY: 11n, ephemeralKeyY: 42n, ciphertext: 43n },
                { committeeKeyY: 11n, ephemeralKeyY: 52n, ciphertext: 53n }
            ]
            const at = (await time.latest()) + 1
            const borrower = as(f.market, f.signers.borrower)
            await (await borrower.borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, at, true, escrows[0]))).wait()
            expect(await f.market.escrowTagOf(0n, NULLIFIER)).toBe(tagOf(escrows[0]!))
            await payAt(f, BigInt(at + 10), (m) => m.repayAll(0n))
            // repaid: its escrow can never be opened, and the record's bits are free for the next loan
            expect(await f.market.escrowTagOf(0n, NULLIFIER)).toBe(0n)
            await (await borrower.borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, at + 20, true, escrows[1]))).wait()
            expect(await f.market.escrowTagOf(1n, NULLIFIER)).toBe(tagOf(escrows[1]!))
            expect(await f.market.escrowTagOf(0n, NULLIFIER)).toBe(0n)
            // defaulted, the loan's tag stays: the pseudonym can never borrow again to overwrite it
            await time.increase(TERMS.term + TERMS.defaultPeriod + 1)
            await (await as(f.market, f.signers.stranger).markDefault(1n)).wait()
            const [defaulted, status, tag] = await f.market.escrowOf(1n, NULLIFIER)
            expect([defaulted, status, tag]).toEqual([true, 3n, tagOf(escrows[1]!)])
        })
    })

    describe("# pause / unpause", () => {
        it("is for the admin only", async () => {
            const f = await loadFixture(deployMockMarket)
            const stranger = f.signers.stranger.address
            await expectRevert(as(f.market, f.signers.stranger).pause(), "AccessControlUnauthorizedAccount", [stranger, ethers.ZeroHash])
            await (await f.market.pause()).wait()
            await expectRevert(as(f.market, f.signers.stranger).unpause(), "AccessControlUnauthorizedAccount", [stranger, ethers.ZeroHash])
            await (await f.market.unpause()).wait()
            expect(await f.market.paused()).toBe(false)
        })

        it("keeps repayments and defaults going while new loans stop", async () => {
            const f = await loadFixture(deployMockMarket)
            const { loanId, start } = await openLoan(f)
            const other = await openLoan(f, { nullifier: 0xbeefn, signer: f.signers.other })
            await (await f.market.pause()).wait()
            await expectRevert(as(f.market, f.signers.stranger).borrow(0n, 0n, 1n, mockProof(5n, 1)), "EnforcedPause")
            await payAt(f, due(start, 0), (m) => m.repayInstalment(loanId))
            await payAt(f, due(start, 0) + 1n, (m) => m.repayAll(loanId))
            await time.setNextBlockTimestamp(due(other.start, 0) + BigInt(TERMS.defaultPeriod) + 1n)
            await (await as(f.market, f.signers.stranger).markDefault(other.loanId)).wait()
        })
    })

    describe("reentrancy", () => {
        /** Offer 1 in a token whose transfers call back into the market. */
        async function withReentrantOffer() {
            const f = await loadFixture(deployMockMarket)
            const token = await deploy(ethers, "MockReentrantToken")
            const market = await f.market.getAddress()
            await (await f.market.setTokenAllowed(await token.getAddress(), true)).wait()
            for (const account of [f.signers.lender, f.signers.borrower]) {
                await (await token.mint(account.address, 1_000_000n * USD)).wait()
                await (await as(token, account).approve(market, ethers.MaxUint256)).wait()
            }
            await (await as(f.market, f.signers.lender).createOffer(await token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
            return { ...f, reentrant: token }
        }

        it("refuses a token that re-enters borrow while disbursing", async () => {
            const f = await withReentrantOffer()
            await (await f.reentrant.setHook(await f.market.getAddress(), f.market.interface.encodeFunctionData("borrow", [1n, 0n, 1n, mockProof(NULLIFIER, 99)]))).wait()
            await expectRevert(as(f.market, f.signers.borrower).borrow(1n, TIER, PRINCIPAL, mockProof(NULLIFIER, 1)), "ReentrancyGuardReentrantCall", [])
        })

        it("refuses a token that re-enters repayment or withdrawal while pulling or paying", async () => {
            const f = await withReentrantOffer()
            await (await as(f.market, f.signers.borrower).borrow(1n, TIER, PRINCIPAL, mockProof(NULLIFIER, 1))).wait()
            const market = await f.market.getAddress()
            await (await f.reentrant.setHook(market, f.market.interface.encodeFunctionData("repayInstalment", [0n]))).wait()
            await expectRevert(as(f.market, f.signers.borrower).repay(0n, 1n), "ReentrancyGuardReentrantCall", [])
            await (await f.reentrant.setHook(market, f.market.interface.encodeFunctionData("withdraw", [1n, 1n]))).wait()
            await expectRevert(as(f.market, f.signers.lender).withdraw(1n, 1n), "ReentrancyGuardReentrantCall", [])
            await (await f.reentrant.setHook(market, f.market.interface.encodeFunctionData("markDefault", [0n]))).wait()
            await expectRevert(as(f.market, f.signers.borrower).repayAll(0n), "ReentrancyGuardReentrantCall", [])
            await (await f.reentrant.setHook(ethers.ZeroAddress, "0x")).wait()
            await (await as(f.market, f.signers.borrower).repayAll(0n)).wait()
        })
    })
})
