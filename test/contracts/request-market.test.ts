/**
 * `RequestMarket` rules that are not about proofs: listing, funding, disbursement, cancel, expiry
 * and refunds, positions (claims, transfers, metadata), repayments, late fees, defaults, records,
 * the allowlist and the pause; every revert path. The verifier is `MockCreditVerifier`; real
 * proofs are in request-market-lifecycle.test.ts, pro-rata splits in request-market-splits.test.ts.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, DAY, deploy, deployTrustRegistry, eventOf, mockProof, registerTestCommittee, USD, type Signer } from "../helpers/contracts.ts"
import { COMMITTEE_KEY } from "../helpers/fixtures.ts"
import { dueTime, instalmentAmount, interest } from "../helpers/loan-math.ts"
import { positionShare } from "../../client/src/requests.ts"
import { expectRevert } from "../helpers/reverts.ts"
import { deployMockRequestMarket, requestTerms, requestTermsTuple, STATUS, type MockRequestMarket, type RequestTerms } from "../helpers/requests.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { loadFixture, time } = networkHelpers

const NULLIFIER = 0xabcn
const MAX_UINT128 = (1n << 128n) - 1n

async function fixture(): Promise<MockRequestMarket> {
    return deployMockRequestMarket(connection)
}

/** Lists a request from the borrower (or `signer`) and returns its id and terms. */
async function list(f: MockRequestMarket, overrides: Partial<RequestTerms> = {}, options: { nullifier?: bigint; signer?: Signer } = {}) {
    const now = (await time.latest()) + 1
    await time.setNextBlockTimestamp(now)
    const terms = requestTerms(await f.token.getAddress(), now, overrides)
    const id: bigint = await f.market.requestCount()
    await (await as(f.market, options.signer ?? f.signers.borrower).createRequest(requestTermsTuple(terms), mockProof(options.nullifier ?? NULLIFIER, now))).wait()
    return { id, terms }
}

/** Funds `amount` of request `id` from `lender` and returns the new position id. */
async function fund(f: MockRequestMarket, id: bigint, lender: Signer, amount: bigint): Promise<bigint> {
    const positionId: bigint = await f.market.positionCount()
    await (await as(f.market, lender).fundRequest(id, amount)).wait()
    return positionId
}

/** A fully funded request: three lenders with 1,000 / 1,500 / 500 dollars. */
async function funded(f: MockRequestMarket, overrides: Partial<RequestTerms> = {}, nullifier = NULLIFIER) {
    const { id, terms } = await list(f, overrides, { nullifier })
    const parts = [1_000n * USD, 1_500n * USD, 500n * USD]
    const positions: bigint[] = []
    for (const [i, amount] of parts.entries()) positions.push(await fund(f, id, f.lenders[i]!, amount))
    const start: bigint = (await f.market.request(id)).startTime
    return { id, terms, parts, positions, start }
}

async function balance(f: MockRequestMarket, who: string): Promise<bigint> {
    return f.token.balanceOf(who)
}

describe("RequestMarket: deployment and admin", () => {
    it("refuses a zero admin or verifier and a max of active loans out of range", async () => {
        const [admin] = await ethers.getSigners()
        const verifier = await deploy(connection.ethers, "MockCreditVerifier")
        const factory = await connection.ethers.getContractFactory("RequestMarket")
        await expectRevert(factory.deploy(ethers.ZeroAddress, await verifier.getAddress(), 1), "ZeroAddress", [])
        await expectRevert(factory.deploy(admin!.address, ethers.ZeroAddress, 1), "ZeroAddress", [])
        await expectRevert(factory.deploy(admin!.address, await verifier.getAddress(), 0), "InvalidMaxActiveLoans", [0n])
        await expectRevert(factory.deploy(admin!.address, await verifier.getAddress(), 1n << 32n), "InvalidMaxActiveLoans", [1n << 32n])
    })

    it("keeps a token allowlist: admin only, no zero address, contracts only, no no-op change", async () => {
        const f = await loadFixture(fixture)
        const token = await f.token.getAddress()
        expect(await f.market.isTokenAllowed(token)).toBe(true)
        await expectRevert(as(f.market, f.signers.stranger).setTokenAllowed(token, false), "AccessControlUnauthorizedAccount")
        await expectRevert(f.market.setTokenAllowed(ethers.ZeroAddress, true), "ZeroAddress", [])
        await expectRevert(f.market.setTokenAllowed(f.signers.stranger.address, true), "InvalidToken", [f.signers.stranger.address])
        await expectRevert(f.market.setTokenAllowed(token, true), "TokenAllowlistUnchanged", [token, true])
        const receipt = await (await f.market.setTokenAllowed(token, false)).wait()
        expect(eventOf(f.market, receipt, "TokenAllowlistSet").args.toArray()).toEqual([token, false, f.signers.admin.address])
        expect(await f.market.isTokenAllowed(token)).toBe(false)
    })

    it("pause stops listing and funding, admin only; everything else goes on", async () => {
        const f = await loadFixture(fixture)
        const { id } = await list(f)
        const p = await fund(f, id, f.lenders[0]!, 100n * USD)
        await expectRevert(as(f.market, f.signers.stranger).pause(), "AccessControlUnauthorizedAccount")
        await (await f.market.pause()).wait()
        await expectRevert(list(f, {}, { nullifier: 0xdefn }), "EnforcedPause", [])
        await expectRevert(as(f.market, f.lenders[1]!).fundRequest(id, 1n), "EnforcedPause", [])
        await (await as(f.market, f.signers.borrower).cancelRequest(id)).wait()
        await (await as(f.market, f.lenders[0]!).refund(p)).wait()
        await expectRevert(as(f.market, f.signers.stranger).unpause(), "AccessControlUnauthorizedAccount")
        await (await f.market.unpause()).wait()
        await list(f, {}, { nullifier: 0xdefn })
    })

    it("is an ERC-721 and AccessControl (ERC-165)", async () => {
        const f = await loadFixture(fixture)
        expect(await f.market.supportsInterface("0x80ac58cd")).toBe(true) // ERC-721
        expect(await f.market.supportsInterface("0x5b5e139f")).toBe(true) // metadata
        expect(await f.market.supportsInterface("0x7965db0b")).toBe(true) // AccessControl
        expect(await f.market.supportsInterface("0xffffffff")).toBe(false)
        expect(await f.market.name()).toBe("zkcredit loan position")
        expect(await f.market.symbol()).toBe("ZKCP")
    })
})

describe("RequestMarket: listing", () => {
    it("lists a request bound to the caller and its terms; the open request counts as an active loan", async () => {
        const f = await loadFixture(fixture)
        const now = (await time.latest()) + 1
        await time.setNextBlockTimestamp(now)
        const terms = requestTerms(await f.token.getAddress(), now)
        const receipt = await (await as(f.market, f.signers.borrower).createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, now))).wait()
        const event = eventOf(f.market, receipt, "RequestCreated")
        expect(event.args.requestId).toBe(0n)
        expect(event.args.nullifier).toBe(NULLIFIER)
        expect(event.args.borrower).toBe(f.signers.borrower.address)
        const r = await f.market.request(0n)
        expect([r.principal, r.raised, r.status, r.borrower, r.minScore, r.aprBps]).toEqual([terms.principal, 0n, STATUS.Open, f.signers.borrower.address, 700n, 1200n])
        expect(await f.market.statusOf(0n)).toBe(STATUS.Open)
        const rec = await f.market.record(NULLIFIER)
        expect([rec.loansTaken, rec.activeLoans, rec.lastProofTime]).toEqual([0n, 1n, BigInt(now)])
        expect(await f.market.requestCount()).toBe(1n)
    })

    it("refuses bad terms, each with its own error", async () => {
        const f = await loadFixture(fixture)
        const now = (await time.latest()) + 1
        const token = await f.token.getAddress()
        const bad = (overrides: Partial<RequestTerms>) =>
            as(f.market, f.signers.borrower).createRequest(requestTermsTuple(requestTerms(token, now, overrides)), mockProof(NULLIFIER, now))
        await expectRevert(bad({ token: f.signers.stranger.address }), "InvalidToken", [f.signers.stranger.address])
        const other = await deploy(connection.ethers, "MockERC20", ["Other", "OTH", 6])
        await expectRevert(bad({ token: await other.getAddress() }), "TokenNotAllowed", [await other.getAddress()])
        await expectRevert(bad({ principal: 0n }), "ZeroAmount", [])
        await expectRevert(bad({ instalmentCount: 0 }), "InvalidInstalmentCount", [0n, 360n])
        await expectRevert(bad({ instalmentCount: 361, term: 400 * DAY }), "InvalidInstalmentCount", [361n, 360n])
        await expectRevert(bad({ term: 2 }), "InvalidTerm", [2n, 3n, 3650n * 86_400n])
        await expectRevert(bad({ term: 3650 * DAY + 1 }), "InvalidTerm", [3650n * 86_400n + 1n, 3n, 3650n * 86_400n])
        await expectRevert(bad({ defaultPeriod: 3 * DAY }), "InvalidDefaultPeriod", [3n * 86_400n, 3n * 86_400n, 365n * 86_400n])
        await expectRevert(bad({ defaultPeriod: 366 * DAY }), "InvalidDefaultPeriod", [366n * 86_400n, 3n * 86_400n, 365n * 86_400n])
        await expectRevert(bad({ aprBps: 0 }), "InvalidApr", [0n, 50_000n])
        await expectRevert(bad({ aprBps: 50_001 }), "InvalidApr", [50_001n, 50_000n])
        const t = (await time.latest()) + 1
        await time.setNextBlockTimestamp(t)
        await expectRevert(bad({ deadline: t }), "InvalidDeadline", [BigInt(t), BigInt(t), BigInt(t + 90 * DAY)])
        await expectRevert(bad({ deadline: t + 90 * DAY + 1 }), "InvalidDeadline", [BigInt(t + 90 * DAY + 1), BigInt(t), BigInt(t + 90 * DAY)])
        const worst = MAX_UINT128 + interest(MAX_UINT128, 1200n, BigInt(90 * DAY)) + 10n * USD * 3n
        await expectRevert(bad({ principal: MAX_UINT128 }), "AmountTooLarge", [worst, MAX_UINT128])
    })

    it("applies the pseudonym rules: one active loan, proofs strictly newer, a default bans, a bad proof fails", async () => {
        const f = await loadFixture(fixture)
        const { id } = await list(f)
        const now = (await time.latest()) + 1
        const terms = requestTerms(await f.token.getAddress(), now)
        const borrower = as(f.market, f.signers.borrower)
        await expectRevert(borrower.createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, now)), "TooManyActiveLoans", [NULLIFIER, 1n, 1n])
        await (await borrower.cancelRequest(id)).wait()
        expect((await f.market.record(NULLIFIER)).activeLoans).toBe(0n)
        const last = (await f.market.record(NULLIFIER)).lastProofTime
        await expectRevert(borrower.createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, last)), "ProofReplayed", [NULLIFIER, last, last])
        await expectRevert(borrower.createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, now, false)), "InvalidProof", [])
    })

    it("a pseudonym whose loan defaulted may never list again", async () => {
        const f = await loadFixture(fixture)
        const { id, start } = await funded(f)
        await time.increaseTo(dueTime(start, BigInt(90 * DAY), 3n, 0n) + BigInt(30 * DAY) + 1n)
        await (await as(f.market, f.signers.stranger).markDefault(id)).wait()
        const now = (await time.latest()) + 1
        const terms = requestTerms(await f.token.getAddress(), now)
        await expectRevert(as(f.market, f.signers.borrower).createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, now)), "PseudonymDefaulted", [NULLIFIER])
    })

    it("a market with two active loans per pseudonym takes two open requests", async () => {
        const f = await deployMockRequestMarket(connection, 2)
        await list(f)
        await list(f)
        expect((await f.market.record(NULLIFIER)).activeLoans).toBe(2n)
    })
})

describe("RequestMarket: funding and disbursement", () => {
    it("mints a position per part; the last part disburses the whole principal at once", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f)
        const before = await balance(f, f.signers.borrower.address)
        const p0 = await fund(f, id, f.lenders[0]!, 1_000n * USD)
        expect(await f.market.ownerOf(p0)).toBe(f.lenders[0]!.address)
        expect(await balance(f, f.signers.borrower.address)).toBe(before)
        await fund(f, id, f.lenders[1]!, 1_500n * USD)
        const positionId: bigint = await f.market.positionCount()
        const receipt = await (await as(f.market, f.lenders[2]!).fundRequest(id, 500n * USD)).wait()
        const fundedEvent = eventOf(f.market, receipt, "RequestFunded")
        expect(fundedEvent.args.toArray()).toEqual([id, positionId, f.lenders[2]!.address, 500n * USD, terms.principal])
        const disbursed = eventOf(f.market, receipt, "RequestDisbursed")
        expect(disbursed.args.toArray()).toEqual([id, f.signers.borrower.address, terms.principal, interest(terms.principal, 1200n, BigInt(terms.term))])
        expect(await balance(f, f.signers.borrower.address)).toBe(before + terms.principal)
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
        const r = await f.market.request(id)
        expect(r.status).toBe(STATUS.Active)
        const block = await ethers.provider.getBlock(receipt!.blockNumber)
        expect(r.startTime).toBe(BigInt(block!.timestamp))
        expect((await f.market.record(NULLIFIER)).loansTaken).toBe(1n)
        const pos = await f.market.position(p0 + 1n)
        expect([pos.requestId, pos.amount, pos.offset, pos.claimed]).toEqual([id, 1_500n * USD, 1_000n * USD, 0n])
    })

    it("refuses unknown, closed, over-funded, zero and disallowed funding", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f)
        const lender = as(f.market, f.lenders[0]!)
        await expectRevert(lender.fundRequest(9n, 1n), "UnknownRequest", [9n])
        await expectRevert(lender.fundRequest(id, 0n), "ZeroAmount", [])
        await expectRevert(lender.fundRequest(id, terms.principal + 1n), "FundingExceedsRemaining", [id, terms.principal + 1n, terms.principal])
        await fund(f, id, f.lenders[0]!, 1n)
        await expectRevert(lender.fundRequest(id, terms.principal), "FundingExceedsRemaining", [id, terms.principal, terms.principal - 1n])
        await (await f.market.setTokenAllowed(await f.token.getAddress(), false)).wait()
        await expectRevert(lender.fundRequest(id, 1n), "TokenNotAllowed", [await f.token.getAddress()])
        await (await f.market.setTokenAllowed(await f.token.getAddress(), true)).wait()
        await time.increaseTo(terms.deadline)
        await expectRevert(lender.fundRequest(id, 1n), "FundingClosed", [id, BigInt(terms.deadline)])
        const full = await funded(f, {}, 0xf00n)
        await expectRevert(lender.fundRequest(full.id, 1n), "WrongRequestStatus", [full.id, STATUS.Active])
    })

    it("refuses a token that takes a fee on transfer", async () => {
        const f = await loadFixture(fixture)
        const fee = await deploy(connection.ethers, "MockFeeOnTransferToken", [100])
        await (await f.market.setTokenAllowed(await fee.getAddress(), true)).wait()
        await (await fee.mint(f.lenders[0]!.address, 1_000n * USD)).wait()
        await (await as(fee, f.lenders[0]!).approve(await f.market.getAddress(), ethers.MaxUint256)).wait()
        const { id } = await list(f, { token: await fee.getAddress() })
        await expectRevert(as(f.market, f.lenders[0]!).fundRequest(id, 1_000n * USD), "UnsupportedToken", [await fee.getAddress(), 1_000n * USD, 990n * USD])
    })

    it("at the deadline, an opted-in request disburses what was raised, a loan of that principal", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f, { disbursePartial: true })
        await fund(f, id, f.lenders[0]!, 700n * USD)
        await fund(f, id, f.lenders[1]!, 300n * USD)
        await expectRevert(as(f.market, f.signers.stranger).closeFunding(id), "FundingStillOpen", [id, BigInt(terms.deadline)])
        await time.increaseTo(terms.deadline)
        expect(await f.market.statusOf(id)).toBe(STATUS.Expired)
        await expectRevert(as(f.market, f.lenders[0]!).refund(0n), "NotRefundable", [0n, STATUS.Expired])
        const before = await balance(f, f.signers.borrower.address)
        const receipt = await (await as(f.market, f.signers.stranger).closeFunding(id)).wait()
        expect(eventOf(f.market, receipt, "RequestDisbursed").args.principal).toBe(1_000n * USD)
        expect(await balance(f, f.signers.borrower.address)).toBe(before + 1_000n * USD)
        const standing = await f.market.loanStanding(id)
        expect(standing.totalDue).toBe(1_000n * USD + interest(1_000n * USD, 1200n, BigInt(terms.term)))
        await expectRevert(as(f.market, f.signers.stranger).closeFunding(id), "WrongRequestStatus", [id, STATUS.Active])
        await expectRevert(as(f.market, f.signers.stranger).closeFunding(7n), "UnknownRequest", [7n])
    })
})

describe("RequestMarket: cancel, expiry and refunds", () => {
    it("the borrower cancels before the deadline; each holder pulls its refund; the slot is freed", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f)
        const p0 = await fund(f, id, f.lenders[0]!, 400n * USD)
        const p1 = await fund(f, id, f.lenders[1]!, 600n * USD)
        await expectRevert(as(f.market, f.lenders[0]!).refund(p0), "NotRefundable", [p0, STATUS.Open])
        await expectRevert(as(f.market, f.signers.stranger).cancelRequest(id), "NotBorrower", [id, f.signers.stranger.address, f.signers.borrower.address])
        await expectRevert(as(f.market, f.signers.borrower).cancelRequest(5n), "UnknownRequest", [5n])
        const receipt = await (await as(f.market, f.signers.borrower).cancelRequest(id)).wait()
        expect(eventOf(f.market, receipt, "RequestCancelled").args.requestId).toBe(id)
        expect((await f.market.record(NULLIFIER)).activeLoans).toBe(0n)
        await expectRevert(as(f.market, f.signers.borrower).cancelRequest(id), "WrongRequestStatus", [id, STATUS.Cancelled])
        await expectRevert(as(f.market, f.lenders[0]!).fundRequest(id, 1n), "WrongRequestStatus", [id, STATUS.Cancelled])
        await expectRevert(as(f.market, f.signers.stranger).refund(p0), "NotPositionHolder", [p0, f.signers.stranger.address, f.lenders[0]!.address])
        for (const [p, lender, amount] of [[p0, f.lenders[0]!, 400n * USD], [p1, f.lenders[1]!, 600n * USD]] as const) {
            const before = await balance(f, lender.address)
            const r = await (await as(f.market, lender).refund(p)).wait()
            expect(eventOf(f.market, r, "PositionRefunded").args.toArray()).toEqual([p, id, lender.address, amount])
            expect(await balance(f, lender.address)).toBe(before + amount)
        }
        await expectRevert(as(f.market, f.lenders[0]!).refund(p0), "UnknownPosition", [p0])
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
        expect((await f.market.request(id)).raised).toBe(0n)
        void terms
    })

    it("cannot cancel at or after the deadline", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f)
        await time.increaseTo(terms.deadline)
        await expectRevert(as(f.market, f.signers.borrower).cancelRequest(id), "FundingClosed", [id, BigInt(terms.deadline)])
    })

    it("underfunded at the deadline: the first refund expires it, every holder is refunded, nothing loops", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f)
        const positions = [await fund(f, id, f.lenders[0]!, 100n * USD), await fund(f, id, f.lenders[1]!, 200n * USD), await fund(f, id, f.lenders[2]!, 300n * USD)]
        await time.increaseTo(terms.deadline)
        // an approved address may refund for the holder; the tokens go to the holder
        await (await as(f.market, f.lenders[0]!).approve(f.signers.stranger.address, positions[0]!)).wait()
        const before = await balance(f, f.lenders[0]!.address)
        const receipt = await (await as(f.market, f.signers.stranger).refund(positions[0]!)).wait()
        expect(eventOf(f.market, receipt, "RequestExpired").args.toArray()).toEqual([id, 600n * USD])
        expect(await balance(f, f.lenders[0]!.address)).toBe(before + 100n * USD)
        expect((await f.market.record(NULLIFIER)).activeLoans).toBe(0n)
        await (await as(f.market, f.lenders[1]!).refund(positions[1]!)).wait()
        await (await as(f.market, f.lenders[2]!).refund(positions[2]!)).wait()
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
        await expectRevert(as(f.market, f.signers.stranger).closeFunding(id), "WrongRequestStatus", [id, STATUS.Expired])
    })

    it("a request nobody funded is closed by anyone at the deadline, freeing the pseudonym", async () => {
        const f = await loadFixture(fixture)
        const { id, terms } = await list(f, { disbursePartial: true })
        await time.increaseTo(terms.deadline)
        const receipt = await (await as(f.market, f.signers.stranger).closeFunding(id)).wait()
        expect(eventOf(f.market, receipt, "RequestExpired").args.toArray()).toEqual([id, 0n])
        expect((await f.market.request(id)).status).toBe(STATUS.Expired)
        expect((await f.market.record(NULLIFIER)).activeLoans).toBe(0n)
    })

    it("positions of a disbursed loan are not refundable", async () => {
        const f = await loadFixture(fixture)
        const { positions } = await funded(f)
        await expectRevert(as(f.market, f.lenders[0]!).refund(positions[0]!), "NotRefundable", [positions[0]!, STATUS.Active])
        await expectRevert(as(f.market, f.lenders[0]!).refund(99n), "UnknownPosition", [99n])
    })
})

describe("RequestMarket: repayments and positions", () => {
    it("instalments on time reach the holders pro rata; the record shows the loan repaid", async () => {
        const f = await loadFixture(fixture)
        const { id, terms, parts, positions, start } = await funded(f)
        const total = terms.principal + interest(terms.principal, 1200n, BigInt(terms.term))
        for (let k = 0n; k < 3n; k++) {
            await time.setNextBlockTimestamp(dueTime(start, BigInt(terms.term), 3n, k) - 3600n)
            const before = await balance(f, f.signers.borrower.address)
            await (await as(f.market, f.signers.borrower).repayInstalment(id)).wait()
            expect(before - (await balance(f, f.signers.borrower.address))).toBe(instalmentAmount(total, 3n, k))
        }
        expect((await f.market.request(id)).status).toBe(STATUS.Repaid)
        const rec = await f.market.record(NULLIFIER)
        expect([rec.loansTaken, rec.loansRepaid, rec.activeLoans]).toEqual([1n, 1n, 0n])
        let claimedTotal = 0n
        for (const [i, p] of positions.entries()) {
            const pos = await f.market.position(p)
            const expected = positionShare(pos.toObject(), { received: total, raised: terms.principal, settled: true, splitSeed: (await f.market.request(id)).splitSeed })
            expect(expected - (total * parts[i]!) / terms.principal).toBeGreaterThanOrEqual(0n)
            expect(await f.market.claimable(p)).toBe(expected)
            const before = await balance(f, f.lenders[i]!.address)
            const receipt = await (await as(f.market, f.lenders[i]!).claim(p)).wait()
            expect(eventOf(f.market, receipt, "PositionClaimed").args.toArray()).toEqual([p, id, f.lenders[i]!.address, expected])
            expect(await balance(f, f.lenders[i]!.address)).toBe(before + expected)
            claimedTotal += expected
        }
        expect(claimedTotal).toBe(total)
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
        await expectRevert(as(f.market, f.lenders[0]!).claim(positions[0]!), "NothingToClaim", [positions[0]!])
        await expectRevert(as(f.market, f.signers.borrower).repayInstalment(id), "LoanNotActive", [id, STATUS.Repaid])
    })

    it("a transferred position pays its new holder, unclaimed amounts included, not the first owner", async () => {
        const f = await loadFixture(fixture)
        const { id, positions } = await funded(f)
        await (await as(f.market, f.signers.borrower).repay(id, 300n * USD)).wait()
        const first = f.lenders[0]!
        const buyer = f.signers.borrower
        const owed: bigint = await f.market.claimable(positions[0]!)
        expect(owed).toBe(100n * USD)
        await (await as(f.market, first).transferFrom(first.address, buyer.address, positions[0]!)).wait()
        expect(await f.market.ownerOf(positions[0]!)).toBe(buyer.address)
        await expectRevert(as(f.market, first).claim(positions[0]!), "NotPositionHolder", [positions[0]!, first.address, buyer.address])
        const before = await balance(f, buyer.address)
        await (await as(f.market, buyer).claim(positions[0]!)).wait()
        expect(await balance(f, buyer.address)).toBe(before + owed)
    })

    it("refuses claims on unknown positions and before disbursement", async () => {
        const f = await loadFixture(fixture)
        const { id } = await list(f)
        const p = await fund(f, id, f.lenders[0]!, 1n)
        await expectRevert(as(f.market, f.lenders[0]!).claim(p), "NothingToClaim", [p])
        await expectRevert(as(f.market, f.lenders[0]!).claim(42n), "UnknownPosition", [42n])
        await expectRevert(f.market.claimable(42n), "UnknownPosition", [42n])
        expect(await f.market.claimable(p)).toBe(0n)
    })

    it("refuses repayments of unknown or undisbursed loans, zero and excess amounts", async () => {
        const f = await loadFixture(fixture)
        const { id } = await list(f)
        const borrower = as(f.market, f.signers.borrower)
        await expectRevert(borrower.repayInstalment(8n), "UnknownRequest", [8n])
        await expectRevert(borrower.repayAll(id), "LoanNotActive", [id, STATUS.Open])
        await expectRevert(f.market.loanStanding(id), "LoanNotActive", [id, STATUS.Open])
        await expectRevert(f.market.loanStanding(8n), "UnknownRequest", [8n])
        await expectRevert(borrower.markDefault(id), "LoanNotActive", [id, STATUS.Open])
        const full = await funded(f, {}, 0xf00n)
        await expectRevert(borrower.repay(full.id, 0n), "ZeroAmount", [])
        const standing = await f.market.loanStanding(full.id)
        await expectRevert(borrower.repay(full.id, standing.totalDue + 1n), "RepaymentExceedsDebt", [full.id, standing.totalDue + 1n, standing.totalDue])
    })

    it("early repayment waives interest of periods not started; the split is exact", async () => {
        const f = await loadFixture(fixture)
        const { id, terms, positions } = await funded(f)
        const receipt = await (await as(f.market, f.signers.borrower).repayAll(id)).wait()
        const paid = eventOf(f.market, receipt, "LoanRepayment").args.amount as bigint
        const fullInterest = interest(terms.principal, 1200n, BigInt(terms.term))
        expect(paid).toBe(terms.principal + (fullInterest + 2n) / 3n)
        expect(eventOf(f.market, receipt, "LoanRepaid").args.interestWaived).toBe(terms.principal + fullInterest - paid)
        let sum = 0n
        for (const [i, p] of positions.entries()) {
            sum += await f.market.claimable(p)
            await (await as(f.market, f.lenders[i]!).claim(p)).wait()
        }
        expect(sum).toBe(paid)
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
    })

    it("late fees go to the holders; default after the default period; recovery is shared and exact", async () => {
        const f = await loadFixture(fixture)
        const { id, terms, positions, start } = await funded(f)
        const firstDue = dueTime(start, BigInt(terms.term), 3n, 0n)
        const defaultable = firstDue + BigInt(terms.defaultPeriod) + 1n
        const standingBefore = await f.market.loanStanding(id)
        expect(standingBefore.defaultableAt).toBe(defaultable)
        await time.setNextBlockTimestamp(defaultable - 1n)
        await expectRevert(as(f.market, f.signers.stranger).markDefault(id), "LoanNotInDefault", [id, defaultable])
        await time.setNextBlockTimestamp(defaultable)
        const receipt = await (await as(f.market, f.signers.stranger).markDefault(id)).wait()
        const total = terms.principal + interest(terms.principal, 1200n, BigInt(terms.term))
        expect(eventOf(f.market, receipt, "LoanDefaulted").args.outstanding).toBe(total)
        await expectRevert(as(f.market, f.signers.stranger).markDefault(id), "LoanNotActive", [id, STATUS.Defaulted])
        const rec = await f.market.record(NULLIFIER)
        expect([rec.defaults, rec.activeLoans, rec.lateInstalments]).toEqual([1n, 0n, 1n])
        const standing = await f.market.loanStanding(id)
        expect(standing.payoffAmount).toBe(total)
        // recovery: everything outstanding plus the late fee of the late instalments
        const paidReceipt = await (await as(f.market, f.signers.borrower).repayAll(id)).wait()
        const payment = eventOf(f.market, paidReceipt, "LoanRepayment")
        expect(payment.args.amount).toBe(total)
        expect(payment.args.lateFees).toBe(terms.lateFee * 1n)
        expect(eventOf(f.market, paidReceipt, "LoanRecovered").args.recovered).toBe(total + terms.lateFee)
        await expectRevert(as(f.market, f.signers.borrower).repayAll(id), "NothingOwed", [id])
        let sum = 0n
        for (const [i, p] of positions.entries()) {
            sum += await f.market.claimable(p)
            await (await as(f.market, f.lenders[i]!).claim(p)).wait()
        }
        expect(sum).toBe(total + terms.lateFee)
        expect(await balance(f, await f.market.getAddress())).toBe(0n)
        expect((await f.market.record(NULLIFIER)).loansRecovered).toBe(1n)
    })

    it("the metadata shows the loan's terms, the position and the status", async () => {
        const f = await loadFixture(fixture)
        const { positions, parts } = await funded(f)
        const uri: string = await f.market.tokenURI(positions[1]!)
        expect(uri.startsWith("data:application/json;base64,")).toBe(true)
        const json = JSON.parse(Buffer.from(uri.slice("data:application/json;base64,".length), "base64").toString("utf8"))
        expect(json.name).toBe(`zkcredit position #${positions[1]}`)
        const attrs = Object.fromEntries(json.attributes.map((a: { trait_type: string; value: unknown }) => [a.trait_type, a.value]))
        expect(attrs).toMatchObject({ request: 0, amount: Number(parts[1]), principal: 3_000_000_000, apr_bps: 1200, instalments: 3, status: "active", claimed: 0, claimable: 0 })
        expect(String(attrs.token).toLowerCase()).toBe((await f.token.getAddress()).toLowerCase())
        await expectRevert(f.market.tokenURI(99n), "ERC721NonexistentToken", [99n])
    })
})

describe("RequestMarket: identity escrows", () => {
    const ESCROW = { committeeKeyY: COMMITTEE_KEY[1], ephemeralKeyY: 2n, ciphertext: 3n }
    const tag = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "uint256"], [ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext]))) >> 112n

    it("records each request's escrow from its proof: the tag in escrowOf, the values in RequestCreated", async () => {
        const f = await loadFixture(fixture)
        const now = (await time.latest()) + 1
        await time.setNextBlockTimestamp(now)
        const terms = requestTerms(await f.token.getAddress(), now)
        const receipt = await (await as(f.market, f.signers.borrower).createRequest(requestTermsTuple(terms), mockProof(NULLIFIER, now, true, ESCROW))).wait()
        const args = eventOf(f.market, receipt, "RequestCreated").args
        expect([args.committeeKeyY, args.ephemeralKeyY, args.ciphertext]).toEqual([ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext])
        expect([...(await f.market.escrowOf(0n, NULLIFIER))]).toEqual([false, STATUS.Open, tag])
        // another pseudonym, an unknown request: no tag
        expect([...(await f.market.escrowOf(0n, NULLIFIER + 1n))]).toEqual([false, STATUS.Open, 0n])
        expect([...(await f.market.escrowOf(9n, NULLIFIER))]).toEqual([false, STATUS.None, 0n])
    })

    it("an EscrowOpenings of the request market opens a defaulted request's escrow and refuses an active one", async () => {
        const f = await loadFixture(fixture)
        const { admin, officer } = f.signers
        const registry = await deployTrustRegistry(ethers, admin.address)
        await registerTestCommittee(registry, admin.address)
        const openings = await deploy(ethers, "EscrowOpenings", [admin.address, await f.market.getAddress(), await registry.getAddress()])
        await (await openings.grantRole(await openings.REQUESTER_ROLE(), officer.address)).wait()
        const requester = as(openings, officer)
        const { id, start, terms } = await funded(f)
        await expectRevert(requester.requestOpening(id, NULLIFIER, ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext), "LoanNotDefaulted", [id, STATUS.Active])
        await time.increaseTo(dueTime(start, BigInt(terms.term), 3n, 0n) + BigInt(terms.defaultPeriod) + 1n)
        await (await as(f.market, f.signers.stranger).markDefault(id)).wait()
        await expectRevert(requester.requestOpening(id, NULLIFIER + 1n, ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext), "EscrowNotOfLoan", [id, NULLIFIER + 1n, ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext, 0n])
        const receipt = await (await requester.requestOpening(id, NULLIFIER, ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext)).wait()
        expect([...eventOf(openings, receipt, "OpeningRequested").args]).toEqual([id, officer.address, ESCROW.committeeKeyY, ESCROW.ephemeralKeyY, ESCROW.ciphertext])
    })
})
