/**
 * `LoanMarket`'s token allowlist: the admin allows and disallows tokens; `createOffer` and
 * `deposit` refuse a token that is not allowed; disallowing one locks nobody in and makes nobody
 * late (repayments, withdrawals and defaults of its existing offers go on). The verifier is
 * `MockCreditVerifier`: proofs are not what this file is about.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, CAPACITY, deploy, deployMockMarket, eventOf, mockProof, TERMS, TIERS, USD, type MockMarket } from "../helpers/contracts.ts"
import { dueTime } from "../helpers/loan-math.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

/** Everything a refused call could have changed: the allowlist, offer 0, the offer count, the balances. */
async function snapshot(f: MockMarket, token: string): Promise<unknown> {
    return {
        allowed: [await f.market.isTokenAllowed(token), await f.market.isTokenAllowed(await f.token.getAddress())],
        offer: [...(await f.market.offer(0n))],
        offers: await f.market.offerCount(),
        lender: await f.token.balanceOf(f.signers.lender.address),
        market: await f.token.balanceOf(await f.market.getAddress())
    }
}

describe("LoanMarket token allowlist", () => {
    describe("# setTokenAllowed", () => {
        it("the admin allows a token, then disallows it; each emits its event and isTokenAllowed follows", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await (await deploy(ethers, "MockERC20", ["Other", "OTH", 18])).getAddress()
            expect(await f.market.isTokenAllowed(token)).toBe(false)
            const allowed = await (await f.market.setTokenAllowed(token, true)).wait()
            expect([...eventOf(f.market, allowed, "TokenAllowed").args]).toEqual([token, f.signers.admin.address])
            expect(await f.market.isTokenAllowed(token)).toBe(true)
            const disallowed = await (await f.market.setTokenAllowed(token, false)).wait()
            expect([...eventOf(f.market, disallowed, "TokenDisallowed").args]).toEqual([token, f.signers.admin.address])
            expect(await f.market.isTokenAllowed(token)).toBe(false)
        })

        it("refuses the zero address, a token that is not a contract, and a change that changes nothing", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await f.token.getAddress()
            const eoa = f.signers.stranger.address
            await expectRevert(f.market.setTokenAllowed(ethers.ZeroAddress, true), "ZeroAddress", [])
            await expectRevert(f.market.setTokenAllowed(ethers.ZeroAddress, false), "ZeroAddress", [])
            await expectRevert(f.market.setTokenAllowed(eoa, true), "InvalidToken", [eoa])
            await expectRevert(f.market.setTokenAllowed(token, true), "TokenAllowlistUnchanged", [token, true])
            await (await f.market.setTokenAllowed(token, false)).wait()
            await expectRevert(f.market.setTokenAllowed(token, false), "TokenAllowlistUnchanged", [token, false])
            expect(await f.market.isTokenAllowed(eoa)).toBe(false)
        })

        it("is for the admin only: lenders and strangers are refused and change nothing", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await f.token.getAddress()
            const other = await (await deploy(ethers, "MockERC20", ["Other", "OTH", 18])).getAddress()
            for (const signer of [f.signers.lender, f.signers.stranger]) {
                await expectRevert(as(f.market, signer).setTokenAllowed(other, true), "AccessControlUnauthorizedAccount", [signer.address, ethers.ZeroHash])
                await expectRevert(as(f.market, signer).setTokenAllowed(token, false), "AccessControlUnauthorizedAccount", [signer.address, ethers.ZeroHash])
            }
            expect([await f.market.isTokenAllowed(token), await f.market.isTokenAllowed(other)]).toEqual([true, false])
        })
    })

    describe("# createOffer and deposit", () => {
        it("refuse a token that was never allowed, naming it, and change nothing", async () => {
            const f = await loadFixture(deployMockMarket)
            const stranger = await deploy(ethers, "MockERC20", ["Unvetted", "UNV", 6])
            const token = await stranger.getAddress()
            await (await stranger.mint(f.signers.lender.address, CAPACITY)).wait()
            await (await as(stranger, f.signers.lender).approve(await f.market.getAddress(), CAPACITY)).wait()
            const before = await snapshot(f, token)
            await expectRevert(as(f.market, f.signers.lender).createOffer(token, CAPACITY, TIERS, TERMS), "TokenNotAllowed", [token])
            expect(await snapshot(f, token)).toEqual(before)
            expect(await stranger.balanceOf(f.signers.lender.address)).toBe(CAPACITY)
        })

        it("refuse a disallowed token: no new offer, no deposit into an existing one; allowed again, both work", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await f.token.getAddress()
            await (await f.market.setTokenAllowed(token, false)).wait()
            const before = await snapshot(f, token)
            await expectRevert(as(f.market, f.signers.lender).createOffer(token, CAPACITY, TIERS, TERMS), "TokenNotAllowed", [token])
            await expectRevert(as(f.market, f.signers.lender).deposit(0n, 1n), "TokenNotAllowed", [token])
            expect(await snapshot(f, token)).toEqual(before)
            await (await f.market.setTokenAllowed(token, true)).wait()
            await (await as(f.market, f.signers.lender).deposit(0n, 1n * USD)).wait()
            await (await as(f.market, f.signers.lender).createOffer(token, 1n * USD, TIERS, TERMS)).wait()
            expect((await f.market.offer(0n)).available).toBe(CAPACITY + 1n * USD)
            expect(await f.market.offerCount()).toBe(2n)
        })
    })

    describe("disallowing a token", () => {
        it("locks nobody in and makes nobody late: repayments, recovery, withdrawals and defaults of its offers go on", async () => {
            const f = await loadFixture(deployMockMarket)
            const token = await f.token.getAddress()
            const start = BigInt(await time.latest()) + 1n
            await time.setNextBlockTimestamp(start)
            await (await as(f.market, f.signers.borrower).borrow(0n, 1n, 1_000n * USD, mockProof(0xa1n, start))).wait()
            await (await as(f.market, f.signers.other).borrow(0n, 1n, 1_000n * USD, mockProof(0xb2n, start + 1n))).wait()
            await (await f.market.setTokenAllowed(token, false)).wait()

            // the borrower repays, the lender withdraws what is not lent
            const due = (k: bigint) => dueTime(start, BigInt(TERMS.term), BigInt(TERMS.instalmentCount), k)
            await time.setNextBlockTimestamp(due(0n))
            await (await as(f.market, f.signers.borrower).repayInstalment(0n)).wait()
            await (await as(f.market, f.signers.borrower).repayAll(0n)).wait()
            expect((await f.market.loan(0n)).status).toBe(2n)
            const available: bigint = (await f.market.offer(0n)).available
            await (await as(f.market, f.signers.lender).withdraw(0n, available)).wait()
            expect((await f.market.offer(0n)).available).toBe(0n)

            // the other loan goes unpaid: it still defaults, and still takes the recovery
            await time.setNextBlockTimestamp((await f.market.loanPosition(1n)).defaultableAt)
            await (await as(f.market, f.signers.stranger).markDefault(1n)).wait()
            await (await as(f.market, f.signers.other).repayAll(1n)).wait()
            expect((await f.market.record(0xb2n)).loansRecovered).toBe(1n)
            const recovered: bigint = (await f.market.offer(0n)).available
            expect(recovered).toBeGreaterThan(1_000n * USD)
            await (await as(f.market, f.signers.lender).withdraw(0n, recovered)).wait()
            expect(await f.token.balanceOf(await f.market.getAddress())).toBe(0n)
            // still disallowed all along: new money stays out
            await expectRevert(as(f.market, f.signers.lender).deposit(0n, 1n), "TokenNotAllowed", [token])
        })

        it("does not stop borrows from an existing offer (borrow does not read the allowlist): its lender pauses it", async () => {
            const f = await loadFixture(deployMockMarket)
            await (await f.market.setTokenAllowed(await f.token.getAddress(), false)).wait()
            const now = await time.latest()
            await (await as(f.market, f.signers.borrower).borrow(0n, 1n, 1_000n * USD, mockProof(0xc3n, now + 1))).wait()
            await (await as(f.market, f.signers.lender).setOfferPaused(0n, true)).wait()
            await expectRevert(as(f.market, f.signers.other).borrow(0n, 1n, 1_000n * USD, mockProof(0xd4n, now + 2)), "OfferPaused", [0n])
        })
    })
})
