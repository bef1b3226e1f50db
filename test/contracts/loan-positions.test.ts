/**
 * Positions of loans taken from `LoanMarket` offers (`openPosition`, `claimPosition`, the
 * `OfferPositions` ERC-721): opt-in by the offer's lender, payments after the opening go to the
 * position's current holder, to the wei; what was paid before stays with the offer; transfers;
 * metadata; every revert path; gas ceilings; and random sequences (repayments, waits, defaults,
 * opening, transfers, claims) checking conservation to the wei and that the holders received exactly
 * what the loan paid after the opening. The verifier is `MockCreditVerifier`.
 */
import fc from "fast-check"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, DAY, deployMockMarket, eventOf, gasOf, mockProof, TERMS, TIERS, USD, type Deployed, type MockMarket } from "../helpers/contracts.ts"
import { OFFER_POSITION_GAS_CEILINGS } from "../helpers/gas.ts"
import { dueTime, instalmentAmount, interest } from "../helpers/loan-math.ts"
import { expectRevert } from "../helpers/reverts.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { loadFixture, time } = networkHelpers

const NULLIFIER = 0xabcn
const PRINCIPAL = 1_000n * USD
const TIER = 1n
const TOTAL = PRINCIPAL + interest(PRINCIPAL, BigInt(TIERS[1]!.aprBps), BigInt(TERMS.term))
const COUNT = BigInt(TERMS.instalmentCount)

interface Fixture extends MockMarket {
    positions: Deployed
    start: bigint
}

/** The mock market with loan 0 (1,000 dollars, tier 1) borrowed from offer 0. */
async function fixture(): Promise<Fixture> {
    const f = await deployMockMarket(connection)
    const now = (await time.latest()) + 1
    await time.setNextBlockTimestamp(now)
    await (await as(f.market, f.signers.borrower).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER, now))).wait()
    const positions = await ethers.getContractAt("OfferPositions", await f.market.positions())
    return { ...f, positions: positions as unknown as Deployed, start: BigInt(now) }
}

const lenderOf = (f: Fixture) => as(f.market, f.signers.lender)
const borrowerOf = (f: Fixture) => as(f.market, f.signers.borrower)

async function at(f: Fixture, k: number, offset = -DAY): Promise<void> {
    await time.setNextBlockTimestamp(Number(dueTime(f.start, BigInt(TERMS.term), COUNT, BigInt(k))) + offset)
}

/** What the market holds of its token and what it owes: offers, surplus and positions. */
async function conservation(f: Fixture, loans: bigint[]): Promise<{ held: bigint; owed: bigint }> {
    const held: bigint = await f.token.balanceOf(await f.market.getAddress())
    let owed: bigint = (await f.market.offer(0n)).available + (await f.market.surplus(0n))
    for (const id of loans) owed += (await f.market.offerPosition(id)).claimable
    return { held, owed }
}

function metadata(uri: string): { name: string; attrs: Record<string, unknown> } {
    const prefix = "data:application/json;base64,"
    expect(uri.startsWith(prefix)).toBe(true)
    const json = JSON.parse(Buffer.from(uri.slice(prefix.length), "base64").toString("utf8"))
    return { name: json.name, attrs: Object.fromEntries(json.attributes.map((a: { trait_type: string; value: unknown }) => [a.trait_type, a.value])) }
}

describe("LoanMarket positions (offers)", () => {
    it("the market deploys its positions contract, an ERC-721 only it mints to", async () => {
        const f = await loadFixture(fixture)
        expect(await f.positions.market()).toBe(await f.market.getAddress())
        expect(await f.positions.name()).toBe("zkcredit offer loan position")
        expect(await f.positions.symbol()).toBe("ZKOP")
        expect(await f.positions.supportsInterface("0x80ac58cd")).toBe(true)
        await expectRevert(as(f.positions, f.signers.stranger).mint(f.signers.stranger.address, 0n), "NotMarket", [f.signers.stranger.address, await f.market.getAddress()])
        expect((await f.market.offerPosition(0n)).toObject()).toMatchObject({ open: false, received: 0n, claimable: 0n })
    })

    it("openPosition mints position loanId to the offer's lender; later payments go to the position, earlier ones stayed with the offer", async () => {
        const f = await loadFixture(fixture)
        await at(f, 0)
        const first: bigint = await borrowerOf(f).repayInstalment.staticCall(0n)
        await at(f, 0)
        await (await borrowerOf(f).repayInstalment(0n)).wait()
        const afterFirst: bigint = (await f.market.offer(0n)).available

        const receipt = await (await lenderOf(f).openPosition(0n)).wait()
        expect(eventOf(f.market, receipt, "PositionOpened").args.toObject()).toEqual({ loanId: 0n, offerId: 0n, lender: f.signers.lender.address, receivedBeforeOpen: first })
        expect(await f.positions.ownerOf(0n)).toBe(f.signers.lender.address)
        expect((await f.market.offerPosition(0n)).toObject()).toMatchObject({ open: true, receivedBeforeOpen: first, received: 0n, claimed: 0n, claimable: 0n })

        await at(f, 1)
        await (await borrowerOf(f).repayInstalment(0n)).wait()
        const second = instalmentAmount(TOTAL, COUNT, 1n)
        expect((await f.market.offer(0n)).available).toBe(afterFirst)
        expect((await f.market.offerPosition(0n)).toObject()).toMatchObject({ received: second, claimable: second })
        const c = await conservation(f, [0n])
        expect(c.held).toBe(c.owed)

        const before: bigint = await f.token.balanceOf(f.signers.lender.address)
        const claim = await (await lenderOf(f).claimPosition(0n)).wait()
        expect(eventOf(f.market, claim, "PositionClaimed").args.toObject()).toEqual({ loanId: 0n, holder: f.signers.lender.address, amount: second })
        expect((await f.token.balanceOf(f.signers.lender.address)) - before).toBe(second)
        expect((await f.market.offerPosition(0n)).toObject()).toMatchObject({ received: second, claimed: second, claimable: 0n })
        await expectRevert(lenderOf(f).claimPosition(0n), "NothingToClaim", [0n])
    })

    it("after a transfer the new holder is paid, not the first owner; an approved address claims for the holder", async () => {
        const f = await loadFixture(fixture)
        const { lender, other, stranger } = f.signers
        await (await lenderOf(f).openPosition(0n)).wait()
        await (await as(f.positions, lender).transferFrom(lender.address, other.address, 0n)).wait()
        await at(f, 0)
        await (await borrowerOf(f).repayInstalment(0n)).wait()
        const paid = instalmentAmount(TOTAL, COUNT, 0n)
        await expectRevert(lenderOf(f).claimPosition(0n), "NotPositionHolder", [0n, lender.address, other.address])
        const lenderBefore: bigint = await f.token.balanceOf(lender.address)
        const otherBefore: bigint = await f.token.balanceOf(other.address)
        await (await as(f.positions, other).approve(stranger.address, 0n)).wait()
        const strangerBefore: bigint = await f.token.balanceOf(stranger.address)
        await (await as(f.market, stranger).claimPosition(0n)).wait()
        expect((await f.token.balanceOf(other.address)) - otherBefore).toBe(paid)
        expect(await f.token.balanceOf(stranger.address)).toBe(strangerBefore)
        expect(await f.token.balanceOf(lender.address)).toBe(lenderBefore)
    })

    it("late fees, a default and the recovery go to the position, to the wei; the metadata follows the loan", async () => {
        const f = await loadFixture(fixture)
        await (await lenderOf(f).openPosition(0n)).wait()
        const defaultAt = Number(dueTime(f.start, BigInt(TERMS.term), COUNT, 0n)) + TERMS.defaultPeriod + 1
        await time.setNextBlockTimestamp(defaultAt)
        await (await as(f.market, f.signers.stranger).markDefault(0n)).wait()
        await (await borrowerOf(f).repay(0n, 100n * USD)).wait()
        const lateFees: bigint = (await f.market.loan(0n)).lateFeesPaid
        expect(lateFees).toBeGreaterThan(0n)
        let m = metadata(await f.positions.tokenURI(0n))
        expect(m.name).toBe("zkcredit offer position #0")
        expect(m.attrs).toMatchObject({ loan: 0, offer: 0, principal: 1_000_000_000, apr_bps: TIERS[1]!.aprBps, instalments: 3, term_seconds: TERMS.term, status: "defaulted", received: Number(100n * USD + lateFees) })
        expect(String(m.attrs.token).toLowerCase()).toBe((await f.token.getAddress()).toLowerCase())
        await (await borrowerOf(f).repayAll(0n)).wait()
        const received = TOTAL + lateFees
        expect((await f.market.offerPosition(0n)).toObject()).toMatchObject({ received, claimable: received })
        expect((await f.market.offer(0n)).available).toBe(100_000n * USD - PRINCIPAL)
        m = metadata(await f.positions.tokenURI(0n))
        expect(m.attrs).toMatchObject({ status: "recovered", total_due: Number(TOTAL), repaid: Number(TOTAL) })
        await (await lenderOf(f).claimPosition(0n)).wait()
        const c = await conservation(f, [0n])
        expect(c.held).toBe(c.owed)
        expect(m.attrs.claimable).toBe(Number(received))
        await expectRevert(f.positions.tokenURI(1n), "ERC721NonexistentToken", [1n])
    })

    it("openPosition refuses an unknown loan, another caller, a second opening, a repaid loan and a recovered one", async () => {
        const f = await loadFixture(fixture)
        await expectRevert(lenderOf(f).openPosition(5n), "UnknownLoan", [5n])
        await expectRevert(as(f.market, f.signers.stranger).openPosition(0n), "NotOfferLender", [0n, f.signers.stranger.address, f.signers.lender.address])
        await (await lenderOf(f).openPosition(0n)).wait()
        await expectRevert(lenderOf(f).openPosition(0n), "PositionAlreadyOpen", [0n])
        await (await borrowerOf(f).repayAll(0n)).wait()
        expect((await f.market.loan(0n)).status).toBe(2n)

        // a second loan of another pseudonym, repaid before any position: repaid loans are refused
        let now = (await time.latest()) + 1
        await time.setNextBlockTimestamp(now)
        await (await as(f.market, f.signers.other).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER + 1n, now))).wait()
        await (await as(f.market, f.signers.other).repayAll(1n)).wait()
        await expectRevert(lenderOf(f).openPosition(1n), "LoanNotActive", [1n, 2n])

        // a third, defaulted then recovered in full: nothing more will come
        now = (await time.latest()) + 1
        await time.setNextBlockTimestamp(now)
        await (await as(f.market, f.signers.stranger).borrow(0n, TIER, PRINCIPAL, mockProof(NULLIFIER + 2n, now))).wait()
        await time.increase(TERMS.term + TERMS.defaultPeriod + DAY)
        await (await as(f.market, f.signers.stranger).markDefault(2n)).wait()
        await (await as(f.market, f.signers.stranger).repayAll(2n)).wait()
        await expectRevert(lenderOf(f).openPosition(2n), "NothingOwed", [2n])
    })

    it("claimPosition refuses a loan without a position, a caller without rights and an empty position", async () => {
        const f = await loadFixture(fixture)
        await expectRevert(lenderOf(f).claimPosition(0n), "UnknownPosition", [0n])
        await (await lenderOf(f).openPosition(0n)).wait()
        await expectRevert(as(f.market, f.signers.stranger).claimPosition(0n), "NotPositionHolder", [0n, f.signers.stranger.address, f.signers.lender.address])
        await expectRevert(lenderOf(f).claimPosition(0n), "NothingToClaim", [0n])
    })

    it("gas: openPosition, claimPosition and an instalment to a position stay under their ceilings", async () => {
        const f = await loadFixture(fixture)
        await at(f, 0)
        await (await borrowerOf(f).repayInstalment(0n)).wait()
        expect(await gasOf(lenderOf(f).openPosition(0n))).toBeLessThanOrEqual(BigInt(OFFER_POSITION_GAS_CEILINGS.openPosition))
        await at(f, 1)
        expect(await gasOf(borrowerOf(f).repayInstalment(0n))).toBeLessThanOrEqual(BigInt(OFFER_POSITION_GAS_CEILINGS.repayInstalmentPosition))
        expect(await gasOf(lenderOf(f).claimPosition(0n))).toBeLessThanOrEqual(BigInt(OFFER_POSITION_GAS_CEILINGS.claimPosition))
    })
})

describe("LoanMarket positions (offers): conservation under random sequences", () => {
    type Step = { kind: "repay"; amount: number } | { kind: "wait"; days: number } | { kind: "open" } | { kind: "transfer"; to: number } | { kind: "claim" } | { kind: "default" }
    const step = fc.oneof(
        fc.record({ kind: fc.constant("repay" as const), amount: fc.integer({ min: 1, max: 400 }) }),
        fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 40 }) }),
        fc.record({ kind: fc.constant("open" as const) }),
        fc.record({ kind: fc.constant("transfer" as const), to: fc.integer({ min: 0, max: 2 }) }),
        fc.record({ kind: fc.constant("claim" as const) }),
        fc.record({ kind: fc.constant("default" as const) })
    )

    it("the market holds what the offer and the position owe; the holders received exactly what the loan paid after the opening", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps: Step[]) => {
                const f = await loadFixture(fixture)
                const holders = [f.signers.lender, f.signers.other, f.signers.stranger]
                let holder = 0
                let claimedByHolders = 0n
                for (const s of steps) {
                    const loan = await f.market.loan(0n)
                    const p = await f.market.offerPosition(0n)
                    if (s.kind === "wait") await time.increase(s.days * DAY)
                    else if (s.kind === "repay") {
                        const outstanding = TOTAL - loan.repaid
                        if (outstanding === 0n) continue
                        const amount = BigInt(s.amount) * USD < outstanding ? BigInt(s.amount) * USD : outstanding
                        await (await borrowerOf(f).repay(0n, amount)).wait()
                    } else if (s.kind === "open") {
                        if (p.open || loan.status === 2n || loan.repaid === TOTAL) continue
                        await (await lenderOf(f).openPosition(0n)).wait()
                        holder = 0
                    } else if (s.kind === "transfer") {
                        if (!p.open || s.to === holder) continue
                        await (await as(f.positions, holders[holder]!).transferFrom(holders[holder]!.address, holders[s.to]!.address, 0n)).wait()
                        holder = s.to
                    } else if (s.kind === "claim") {
                        if (!p.open || p.claimable === 0n) continue
                        const before: bigint = await f.token.balanceOf(holders[holder]!.address)
                        await (await as(f.market, holders[holder]!).claimPosition(0n)).wait()
                        const got = (await f.token.balanceOf(holders[holder]!.address)) - before
                        expect(got).toBe(p.claimable)
                        claimedByHolders += got
                    } else {
                        const standing = await f.market.loanPosition(0n)
                        if (loan.status !== 1n || standing.defaultableAt === 0n || BigInt(await time.latest()) + 1n < standing.defaultableAt) continue
                        await (await as(f.market, f.signers.stranger).markDefault(0n)).wait()
                    }
                    const c = await conservation(f, [0n])
                    expect(c.held).toBe(c.owed)
                    const after = await f.market.offerPosition(0n)
                    const l = await f.market.loan(0n)
                    // a position never claims more than the loan received since it opened
                    expect(after.claimed + after.claimable).toBe(after.received)
                    if (after.open) expect(after.receivedBeforeOpen + after.received).toBe(l.repaid + l.lateFeesPaid)
                    expect(after.claimed).toBe(claimedByHolders)
                }
            }),
            { numRuns: 25 }
        )
    })
})
