/**
 * A loan request's whole life on one chain with real proofs (the built circuit, the real
 * CreditVerifier and trust registry): a borrower proves their band and lists a request;
 * three lenders fund it and it disburses; one lender sells its position; the borrower repays and
 * every repayment reaches the current holders pro rata, to the wei; a second borrower's request
 * stays underfunded and every lender is refunded at its deadline. The steps share state.
 */
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { positionShare } from "../../client/src/requests.ts"
import { as, attest, DAY, deployPlatform, eventOf, IDENTITIES, USD, type Deployed, type Platform, type Signer } from "../helpers/contracts.ts"
import { dueTime, instalmentAmount, interest } from "../helpers/loan-math.ts"
import { expectRevert } from "../helpers/reverts.ts"
import { deployRequestMarketOn, proveRequest, requestTerms, requestTermsTuple, STATUS, type RequestTerms } from "../helpers/requests.ts"

const connection = await network.create()
const { time } = connection.networkHelpers

let p: Platform
let market: Deployed
let lenders: Signer[]
let buyer: Signer
const PARTS = [1_000n * USD, 1_700n * USD, 300n * USD]
const PRINCIPAL = 3_000n * USD
let terms: RequestTerms
let positions: bigint[] = []
let received = 0n
/** Who holds each position now. */
let holders: Signer[] = []

async function balance(who: string): Promise<bigint> {
    return p.token.balanceOf(who)
}

beforeAll(async () => {
    p = await deployPlatform(connection)
    market = await deployRequestMarketOn(p)
    lenders = [p.signers.lender, p.signers.other, p.signers.stranger]
    buyer = p.signers.officer
    for (const account of [...lenders, p.signers.borrower, p.signers.admin]) {
        await (await p.token.mint(account.address, 10_000n * USD)).wait()
        await (await as(p.token, account).approve(await market.getAddress(), connection.ethers.MaxUint256)).wait()
    }
})

describe("request lifecycle with real proofs", () => {
    it("alice proves band 700 bound to her terms and lists a request; a proof for other terms fails", async () => {
        const now = await time.latest()
        terms = requestTerms(await p.token.getAddress(), now, { principal: PRINCIPAL, minScore: 700 })
        const alice = IDENTITIES.alice
        const attestation = attest(alice, { score: 750, now })
        const proof = await proveRequest(p, market, { identity: alice, attestation, group: p.group, borrower: p.signers.borrower.address, terms })
        expect(proof.nullifier).toBe(alice.nullifier(await market.scope()))
        const borrower = as(market, p.signers.borrower)
        // the message binds the terms: the same proof cannot list a larger principal or a higher rate
        await expectRevert(borrower.createRequest(requestTermsTuple({ ...terms, principal: PRINCIPAL + 1n }), proof), "InvalidProof", [])
        await expectRevert(borrower.createRequest(requestTermsTuple({ ...terms, aprBps: 1300 }), proof), "InvalidProof", [])
        // nor be sent by another address
        await expectRevert(as(market, p.signers.other).createRequest(requestTermsTuple(terms), proof), "InvalidProof", [])
        const receipt = await (await borrower.createRequest(requestTermsTuple(terms), proof)).wait()
        expect(eventOf(market, receipt, "RequestCreated").args.nullifier).toBe(proof.nullifier)
        const r = await market.request(0n)
        expect([r.status, r.minScore, r.principal]).toEqual([STATUS.Open, 700n, PRINCIPAL])
        expect((await market.record(proof.nullifier)).activeLoans).toBe(1n)
    })

    it("three lenders fund it; the third part disburses the principal to the borrower at once", async () => {
        const before = await balance(p.signers.borrower.address)
        for (const [i, amount] of PARTS.entries()) {
            positions.push(await market.positionCount())
            await (await as(market, lenders[i]!).fundRequest(0n, amount)).wait()
            expect(await market.ownerOf(positions[i]!)).toBe(lenders[i]!.address)
        }
        holders = [...lenders]
        expect(await balance(p.signers.borrower.address)).toBe(before + PRINCIPAL)
        expect((await market.request(0n)).status).toBe(STATUS.Active)
        expect(await balance(await market.getAddress())).toBe(0n)
    })

    it("the second lender sells its position: the buyer holds it", async () => {
        await (await as(market, lenders[1]!).transferFrom(lenders[1]!.address, buyer.address, positions[1]!)).wait()
        expect(await market.ownerOf(positions[1]!)).toBe(buyer.address)
        holders[1] = buyer
    })

    it("each instalment reaches the current holders pro rata, to the wei; the first owner gets nothing more", async () => {
        const r = await market.request(0n)
        const start: bigint = r.startTime
        const total = PRINCIPAL + interest(PRINCIPAL, BigInt(terms.aprBps), BigInt(terms.term))
        const sellerBefore = await balance(lenders[1]!.address)
        for (let k = 0n; k < 3n; k++) {
            await time.setNextBlockTimestamp(dueTime(start, BigInt(terms.term), 3n, k) - 3600n)
            await (await as(market, p.signers.borrower).repayInstalment(0n)).wait()
            received += instalmentAmount(total, 3n, k)
            const request = await market.request(0n)
            const settled = request.status === STATUS.Repaid
            for (const [i, id] of positions.entries()) {
                const pos = await market.position(id)
                const expected = positionShare(pos.toObject(), { received, raised: PRINCIPAL, settled, splitSeed: request.splitSeed })
                if (!settled) expect(expected).toBe((received * PARTS[i]!) / PRINCIPAL - pos.claimed)
                expect(await market.claimable(id)).toBe(expected)
                const before = await balance(holders[i]!.address)
                await (await as(market, holders[i]!).claim(id)).wait()
                expect(await balance(holders[i]!.address)).toBe(before + expected)
            }
        }
        expect(received).toBe(total)
        expect(await balance(await market.getAddress())).toBe(0n)
        expect(await balance(lenders[1]!.address)).toBe(sellerBefore)
        // every holder got its exact share within one unit, the shares add up to what was repaid
        for (const [i, id] of positions.entries()) {
            const claimed: bigint = (await market.position(id)).claimed
            const deviation = claimed * PRINCIPAL - total * PARTS[i]!
            expect(deviation > -PRINCIPAL && deviation < PRINCIPAL).toBe(true)
        }
        const rec = await market.record(IDENTITIES.alice.nullifier(await market.scope()))
        expect([rec.loansTaken, rec.loansRepaid, rec.activeLoans]).toEqual([1n, 1n, 0n])
    })

    it("bob's request stays underfunded; at its deadline every lender is refunded", async () => {
        const now = await time.latest()
        const bobTerms = requestTerms(await p.token.getAddress(), now, { principal: 2_000n * USD, minScore: 600, aprBps: 1800, deadline: now + 3 * DAY })
        const bob = IDENTITIES.bob
        const proof = await proveRequest(p, market, { identity: bob, attestation: attest(bob, { score: 650, now }), group: p.group, borrower: p.signers.admin.address, terms: bobTerms })
        await (await as(market, p.signers.admin).createRequest(requestTermsTuple(bobTerms), proof)).wait()
        const id = 1n
        const funded: [Signer, bigint, bigint][] = []
        for (const [i, amount] of [400n * USD, 250n * USD].entries()) {
            const positionId: bigint = await market.positionCount()
            await (await as(market, lenders[i]!).fundRequest(id, amount)).wait()
            funded.push([lenders[i]!, positionId, amount])
        }
        await time.increaseTo(bobTerms.deadline)
        expect(await market.statusOf(id)).toBe(STATUS.Expired)
        await expectRevert(as(market, lenders[2]!).fundRequest(id, 1n), "FundingClosed", [id, BigInt(bobTerms.deadline)])
        for (const [lender, positionId, amount] of funded) {
            const before = await balance(lender.address)
            await (await as(market, lender).refund(positionId)).wait()
            expect(await balance(lender.address)).toBe(before + amount)
        }
        expect((await market.request(id)).status).toBe(STATUS.Expired)
        expect(await balance(await market.getAddress())).toBe(0n)
        expect((await market.record(proof.nullifier)).activeLoans).toBe(0n)
    })
})
