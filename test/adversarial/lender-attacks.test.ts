/**
 * Attacks on borrowers by the lender and by whoever races a default (proofs mocked:
 * `MockCreditVerifier`; these are about the market's books, not proofs).
 * - A lender fills its offer's `available` to the uint128 maximum with a token it mints, so that
 *   every repayment would overflow the books, the loan goes unpaid, and the borrower's pseudonym is
 *   marked defaulted.
 * - Someone marks a late loan defaulted in the same block as the borrower's payoff, ahead of it.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, DAY, deployMockMarket, mockProof, TERMS, USD } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const UINT128_MAX = (1n << 128n) - 1n
const NULLIFIER = 0xa11ce
const PRINCIPAL = 1_000n * USD
const DEFAULTED = 3n

async function borrowed() {
    const f = await loadFixture(deployMockMarket)
    await (await as(f.market, f.signers.borrower).borrow(0n, 0n, PRINCIPAL, mockProof(BigInt(NULLIFIER), await time.latest()))).wait()
    const start = Number((await f.market.loan(0n)).startTime)
    const due = (k: number) => start + Math.floor((TERMS.term * (k + 1)) / TERMS.instalmentCount)
    return { ...f, due }
}

describe("a lender-minted token fills the offer's books to force a default", () => {
    it("every repayment still lands: what does not fit available goes to the surplus, which the lender withdraws", async () => {
        const { market, token, signers, due } = await borrowed()
        const lender = as(market, signers.lender)
        // the attack: mint and deposit until available is at the uint128 maximum
        const room = UINT128_MAX - (await market.offer(0n)).available
        await (await token.mint(signers.lender.address, room)).wait()
        await (await lender.deposit(0n, room)).wait()
        expect((await market.offer(0n)).available).toBe(UINT128_MAX)
        await expectRevert(lender.deposit(0n, 1n), "AmountTooLarge", [UINT128_MAX + 1n, UINT128_MAX])

        // the borrower pays on time, every instalment and the payoff: nothing reverts
        await time.increaseTo(due(0) - DAY)
        const before = await token.balanceOf(signers.borrower.address)
        await (await as(market, signers.borrower).repayInstalment(0n)).wait()
        await (await as(market, signers.borrower).repayAll(0n)).wait()
        const paid = before - (await token.balanceOf(signers.borrower.address))
        expect((await market.loan(0n)).status).toBe(2n)
        expect((await market.record(NULLIFIER)).defaults).toBe(0n)
        expect((await market.record(NULLIFIER)).loansRepaid).toBe(1n)
        // the lender is owed exactly what was paid, and takes it
        expect(await market.surplus(0n)).toBe(paid)
        expect((await market.offer(0n)).available).toBe(UINT128_MAX)
        const lenderBefore = await token.balanceOf(signers.lender.address)
        await (await lender.withdrawSurplus(0n)).wait()
        expect((await token.balanceOf(signers.lender.address)) - lenderBefore).toBe(paid)
        expect(await market.surplus(0n)).toBe(0n)
        // the market holds what it owes, to the wei
        expect(await token.balanceOf(await market.getAddress())).toBe(UINT128_MAX)
    })

    it("withdrawSurplus: only the offer's lender, only when there is a surplus", async () => {
        const { market, signers } = await borrowed()
        await expectRevert(as(market, signers.lender).withdrawSurplus(0n), "ZeroAmount", [])
        await expectRevert(as(market, signers.stranger).withdrawSurplus(0n), "NotOfferLender", [0n, signers.stranger.address, signers.lender.address])
        await expectRevert(as(market, signers.lender).withdrawSurplus(9n), "UnknownOffer", [9n])
    })
})

describe("markDefault front-runs the borrower's late payoff", () => {
    it("the payoff lands on the defaulted loan, the lender gets at least what it would have, the record keeps the default and shows the recovery", async () => {
        const { market, signers, due } = await borrowed()
        // late past the default period on the first instalment
        const at = due(0) + TERMS.defaultPeriod + 1
        const payoffAt = async (front: boolean): Promise<bigint> => {
            const availableBefore = (await market.offer(0n)).available
            await ethers.provider.send("evm_setAutomine", [false])
            try {
                if (front) await as(market, signers.stranger).markDefault(0n, { gasLimit: 300_000, maxPriorityFeePerGas: 5_000_000_000n, maxFeePerGas: 50_000_000_000n })
                await as(market, signers.borrower).repayAll(0n, { gasLimit: 500_000, maxPriorityFeePerGas: 1_000_000_000n, maxFeePerGas: 50_000_000_000n })
                await time.setNextBlockTimestamp(at)
                await networkHelpers.mine()
            } finally {
                await ethers.provider.send("evm_setAutomine", [true])
            }
            const block = await ethers.provider.getBlock("latest", true)
            expect(block!.transactions.length).toBe(front ? 2 : 1)
            for (const hash of block!.transactions) expect((await ethers.provider.getTransactionReceipt(hash))!.status).toBe(1)
            return BigInt((await market.offer(0n)).available) - BigInt(availableBefore)
        }

        const snapshot = await networkHelpers.takeSnapshot()
        const honest = await payoffAt(false)
        expect((await market.loan(0n)).status).toBe(2n)
        await snapshot.restore()

        const raced = await payoffAt(true)
        expect(raced).toBeGreaterThanOrEqual(honest)
        const loan = await market.loan(0n)
        expect(loan.status).toBe(DEFAULTED)
        expect(loan.recovered).toBe(raced)
        const position = await market.loanPosition(0n)
        expect(loan.repaid).toBe(position.totalDue)
        const rec = await market.record(NULLIFIER)
        expect([rec.defaults, rec.loansRecovered, rec.activeLoans, rec.loansRepaid]).toEqual([1n, 1n, 0n, 0n])
        // nothing more is owed, and the pseudonym stays barred
        await expectRevert(as(market, signers.borrower).repayAll(0n), "NothingOwed", [0n])
        await expectRevert(as(market, signers.borrower).borrow(0n, 0n, PRINCIPAL, mockProof(BigInt(NULLIFIER), await time.latest())), "PseudonymDefaulted", [BigInt(NULLIFIER)])
    })
})
