/**
 * The whole lifecycle on one chain, step by step, with real proofs: an officer adds members, the
 * admin registers a bureau, a lender funds an offer, a borrower proves and borrows, repays on
 * schedule; a second loan goes late, pays a late fee, defaults, and the pseudonym is refused
 * next time. The steps share state: they run in order.
 */
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { KycTree, type BorrowProofCalldata } from "../../prover/src/index.ts"
import { as, attest, BUREAU_KEYS, CAPACITY, DAY, deployContracts, IDENTITIES, initialMembers, proveBorrow, registerTestCommittee, TERMS, TIERS, USD, type Contracts, type Deployed } from "../helpers/contracts.ts"
import { COMMITTEE_KEY } from "../helpers/fixtures.ts"
import { dueTime, instalmentAmount, interest } from "../helpers/loan-math.ts"
import { expectRevert } from "../helpers/reverts.ts"

const connection = await network.create()
const { time } = connection.networkHelpers

const dave = IDENTITIES.dave
const COUNT = BigInt(TERMS.instalmentCount)
const BORROWER_FUNDS = 2_000n * USD

let c: Contracts
let borrower: Deployed
let daveNullifier: bigint

/** The KYC tree as anyone rebuilds it from the registry's events (what a borrower's client does). */
async function groupFromEvents(kyc: Deployed): Promise<KycTree> {
    const leaves: bigint[] = []
    for (const log of await connection.ethers.provider.getLogs({ address: await kyc.getAddress(), fromBlock: 0 })) {
        const event = kyc.interface.parseLog(log)
        if (event?.name === "MembersAdded") leaves.push(...(event.args.commitments as bigint[]))
        else if (event?.name === "MemberRemoved") leaves[Number(event.args.index)] = 0n
        else if (event?.name === "MemberReplaced") leaves[Number(event.args.index)] = event.args.newCommitment
    }
    return new KycTree(leaves)
}

/** dave proves, now, that his score (810) meets `tier` for `principal` to `borrower`. */
async function daveProves(tier: bigint, principal: bigint): Promise<BorrowProofCalldata> {
    const now = await time.latest()
    return proveBorrow(c, {
        identity: dave,
        attestation: attest(dave, { score: 810, now }),
        group: await groupFromEvents(c.kyc),
        borrower: c.signers.borrower.address,
        tier,
        principal
    })
}

async function balanceOf(address: string): Promise<bigint> {
    return c.token.balanceOf(address)
}

beforeAll(async () => {
    c = await deployContracts(connection)
    borrower = as(c.market, c.signers.borrower)
    daveNullifier = dave.nullifier(await c.market.scope())
})

describe("lifecycle with real proofs", () => {
    it("an officer adds members in one batch; the tree rebuilt from events has the published root", async () => {
        await (await c.kyc.grantRole(await c.kyc.OFFICER_ROLE(), c.signers.officer.address)).wait()
        const officerGroup = new KycTree([...initialMembers(), dave.commitment])
        await (await as(c.kyc, c.signers.officer).addMembers(officerGroup.leaves, officerGroup.root)).wait()
        expect(await c.kyc.currentRoot()).toBe(officerGroup.root)
        expect((await groupFromEvents(c.kyc)).root).toBe(officerGroup.root)
    })

    it("the admin registers a bureau and its key", async () => {
        await (await c.bureaus.addBureau("Acme Credit Bureau")).wait()
        const key = BUREAU_KEYS.main
        const now = await time.latest()
        await (await c.bureaus.addKey(1, key.publicKey[0], key.publicKey[1], key.keyHash, now - DAY, now + 365 * DAY)).wait()
        expect(await c.bureaus.isKeyActive(key.keyHash, now)).toBe(true)
    })

    it("the admin registers the escrow committee key", async () => {
        await registerTestCommittee(c.committees, c.signers.admin.address)
        expect(await c.committees.isCommitteeKeyActive(COMMITTEE_KEY[1], await time.latest())).toBe(true)
    })

    it("a lender creates and funds an offer", async () => {
        const { lender } = c.signers
        await (await c.token.mint(lender.address, CAPACITY)).wait()
        await (await c.token.mint(c.signers.borrower.address, BORROWER_FUNDS)).wait()
        await (await as(c.token, lender).approve(await c.market.getAddress(), CAPACITY)).wait()
        await (await as(c.token, c.signers.borrower).approve(await c.market.getAddress(), connection.ethers.MaxUint256)).wait()
        await (await as(c.market, lender).createOffer(await c.token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
        expect((await c.market.offer(0n)).available).toBe(CAPACITY)
    })

    const FIRST = { tier: 2n, principal: 12_000n * USD }
    let firstStart: bigint

    it("the borrower proves a score for the top tier and borrows", async () => {
        const proof = await daveProves(FIRST.tier, FIRST.principal)
        expect(proof.nullifier).toBe(daveNullifier)
        await (await borrower.borrow(0n, FIRST.tier, FIRST.principal, proof)).wait()
        firstStart = (await c.market.loan(0n)).startTime
        expect(await balanceOf(c.signers.borrower.address)).toBe(BORROWER_FUNDS + FIRST.principal)
        expect([...(await c.market.record(daveNullifier))].slice(0, 5)).toEqual([1n, 0n, 0n, 0n, 1n])
    })

    it("repays on schedule without fees; the record shows one loan repaid", async () => {
        const total = FIRST.principal + interest(FIRST.principal, BigInt(TIERS[2]!.aprBps), BigInt(TERMS.term))
        for (let k = 0n; k < COUNT; k++) {
            await time.setNextBlockTimestamp(dueTime(firstStart, BigInt(TERMS.term), COUNT, k) - 3600n)
            const before = await balanceOf(c.signers.borrower.address)
            await (await borrower.repayInstalment(0n)).wait()
            expect(before - (await balanceOf(c.signers.borrower.address))).toBe(instalmentAmount(total, COUNT, k))
        }
        expect((await c.market.loan(0n)).status).toBe(2n)
        expect([...(await c.market.record(daveNullifier))].slice(0, 5)).toEqual([1n, 1n, 0n, 0n, 0n])
    })

    const SECOND = { tier: 1n, principal: 4_000n * USD }
    let secondStart: bigint

    it("a second loan (a new proof) goes late and pays the late fee once", async () => {
        const proof = await daveProves(SECOND.tier, SECOND.principal)
        await (await borrower.borrow(0n, SECOND.tier, SECOND.principal, proof)).wait()
        secondStart = (await c.market.loan(1n)).startTime
        const total = SECOND.principal + interest(SECOND.principal, BigInt(TIERS[1]!.aprBps), BigInt(TERMS.term))
        const firstDue = dueTime(secondStart, BigInt(TERMS.term), COUNT, 0n)
        await time.setNextBlockTimestamp(firstDue + BigInt(TERMS.gracePeriod) + 1n)
        const before = await balanceOf(c.signers.borrower.address)
        await (await borrower.repayInstalment(1n)).wait()
        expect(before - (await balanceOf(c.signers.borrower.address))).toBe(instalmentAmount(total, COUNT, 0n) + TERMS.lateFee)
        expect((await c.market.record(daveNullifier)).lateInstalments).toBe(1n)
        expect((await c.market.loan(1n)).lateFeesPaid).toBe(TERMS.lateFee)
    })

    it("then stops paying and anyone marks the loan defaulted after the default period", async () => {
        const secondDue = dueTime(secondStart, BigInt(TERMS.term), COUNT, 1n)
        await time.setNextBlockTimestamp(secondDue + BigInt(TERMS.defaultPeriod))
        await expectRevert(as(c.market, c.signers.stranger).markDefault(1n), "LoanNotInDefault", [1n, secondDue + BigInt(TERMS.defaultPeriod) + 1n])
        await time.setNextBlockTimestamp(secondDue + BigInt(TERMS.defaultPeriod) + 1n)
        await (await as(c.market, c.signers.stranger).markDefault(1n)).wait()
        expect((await c.market.loan(1n)).status).toBe(3n)
        // taken 2, repaid 1, late 2 (the fee-paid one and the unpaid one), defaults 1, active 0
        expect([...(await c.market.record(daveNullifier))].slice(0, 5)).toEqual([2n, 1n, 2n, 1n, 0n])
    })

    it("refuses the pseudonym next time, even with a fresh valid proof", async () => {
        const proof = await daveProves(0n, 100n * USD)
        await expectRevert(borrower.borrow(0n, 0n, 100n * USD, proof), "PseudonymDefaulted", [daveNullifier])
    })

    it("lost no wei: the market holds what the offer has available, and the lender can take it all", async () => {
        const market = await c.market.getAddress()
        const available: bigint = (await c.market.offer(0n)).available
        expect(await balanceOf(market)).toBe(available)
        await (await as(c.market, c.signers.lender).withdraw(0n, available)).wait()
        expect(await balanceOf(market)).toBe(0n)
        const lender = await balanceOf(c.signers.lender.address)
        const borrowerBalance = await balanceOf(c.signers.borrower.address)
        expect(lender + borrowerBalance).toBe(CAPACITY + BORROWER_FUNDS)
        // the lender earned the first loan's interest and the late fee, and lost the unpaid rest of the second
        const firstInterest = interest(FIRST.principal, BigInt(TIERS[2]!.aprBps), BigInt(TERMS.term))
        const secondTotal = SECOND.principal + interest(SECOND.principal, BigInt(TIERS[1]!.aprBps), BigInt(TERMS.term))
        const secondPaid = instalmentAmount(secondTotal, COUNT, 0n)
        expect(lender).toBe(CAPACITY + firstInterest + TERMS.lateFee + secondPaid - SECOND.principal)
    })
})
