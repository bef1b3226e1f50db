/**
 * Defaults follow the person, end to end, with real proofs on a local chain (Hardhat's
 * in-process EDR) and nothing mocked: a committee of three authorities from a real dealerless
 * DKG (t = 2) registers its key; a borrower proves and borrows in market A (the proof carries an
 * escrow of her KYC leaf, which the market records); she defaults; an opening is requested (the
 * escrow taken from the market's record); two authorities publish partial decryptions with
 * Chaum-Pedersen proofs; the combination is her commitment; one share alone does not open it; a
 * forged share is rejected, naming its authority; an opening of a loan in good standing is
 * refused on chain. The officer then records the default against the opened leaf in the KYC
 * registry (`recordDefault`: a removal marked "default" that names the loan), and the same person
 * is refused in market B, with errors that say why.
 */
import type { EventLog } from "ethers"
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { combinePartialDecryptions, partialDecrypt, pointToJson, multiplyGenerator, requirePoint, verifyPartialDecryption, type PartialDecryption } from "../../prover/src/escrow/index.ts"
import { isZkCreditError, KycTree } from "../../prover/src/index.ts"
import { runCommittee, viaFile, type TestCommittee } from "../helpers/committee.ts"
import { as, attest, deploy, deployPlatform, eventOf, IDENTITIES, initialMembers, proveBorrow, TERMS, TIERS, USD, type Deployed, type Platform, type Signer } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { time } = networkHelpers

const { alice, bob } = IDENTITIES
const PRINCIPAL = 500n * USD

let platform: Platform
let committee: TestCommittee
let authorities: Signer[]
let openings: Deployed
let key: readonly [bigint, bigint]
/** Alice's loan (defaults) and Bob's (good standing). */
const loans = { alice: 0n, bob: 1n }
let escrow: { nullifier: bigint; committeeKeyY: bigint; ephemeralKeyY: bigint; ciphertext: bigint }

/** What `fn` threw (or rejected with); fails the test if it did not. */
async function thrown(fn: () => unknown): Promise<unknown> {
    try {
        await fn()
    } catch (error) {
        return error
    }
    throw new Error("expected an error")
}

/** The pseudonym and the escrow of a loan, as its market recorded them from the verified proof (`LoanOpened`). */
async function recordedEscrow(market: Deployed, loanId: bigint) {
    const [event] = (await market.queryFilter(market.filters.LoanOpened!(loanId))) as EventLog[]
    if (!event) throw new Error(`no LoanOpened event for loan ${loanId}`)
    const a = event.args
    return { nullifier: a.nullifier as bigint, committeeKeyY: a.committeeKeyY as bigint, ephemeralKeyY: a.ephemeralKeyY as bigint, ciphertext: a.ciphertext as bigint }
}

/** The partial decryptions of a loan, read back from the chain's events. */
async function publishedPartials(loanId: bigint): Promise<PartialDecryption[]> {
    const events = (await openings.queryFilter(openings.filters.PartialDecryptionPublished!(loanId))) as EventLog[]
    return events.map((e) => ({
        index: Number(e.args.index),
        partial: [String(e.args.partialX), String(e.args.partialY)],
        proof: { challenge: String(e.args.challenge), response: String(e.args.response) }
    }))
}

/** Authority `i` (0-based) computes its partial decryption of Alice's escrow off chain and publishes it. */
async function publishShare(i: number) {
    return (await as(openings, authorities[i]!).publishPartialDecryption(loans.alice, ...shareCalldata(i))).wait()
}

beforeAll(async () => {
    platform = await deployPlatform(connection)
    const { admin, officer, borrower, other } = platform.signers
    authorities = (await ethers.getSigners()).slice(8, 11) as Signer[]
    // the committee: regulator, bureau, compliance desk, 2 of 3, from a real DKG (files through JSON)
    committee = runCommittee(2)
    key = requirePoint(committee.committeeKey.publicKey, "publicKey")
    const now = await time.latest()
    const entries = committee.committeeKey.publicShares.map((s, i) => ({ account: authorities[i]!.address, shareX: s.publicShare[0], shareY: s.publicShare[1] }))
    await (await platform.committees.addCommitteeKey(key[0], key[1], 2, entries, now - 60, now + 365 * 86_400)).wait()
    openings = await deploy(ethers, "EscrowOpenings", [admin.address, await platform.market.getAddress(), await platform.committees.getAddress()])
    await (await openings.grantRole(await openings.REQUESTER_ROLE(), officer.address)).wait()

    // market A: Alice and Bob borrow with real proofs whose escrows are under the committee's key
    for (const [who, identity, account] of [
        ["alice", alice, borrower],
        ["bob", bob, other]
    ] as const) {
        const proof = await proveBorrow(platform, { identity, attestation: attest(identity, { score: 720, now: await time.latest() }), group: platform.group, borrower: account.address, tier: 0n, principal: PRINCIPAL, committeeKey: key })
        const receipt = await (await as(platform.market, account).borrow(0n, 0n, PRINCIPAL, proof)).wait()
        expect(eventOf(platform.market, receipt, "LoanOpened").args[0]).toBe(loans[who])
    }
    escrow = await recordedEscrow(platform.market, loans.alice)
    // Alice pays nothing: her first instalment is past due by more than the default period
    await time.increase(TERMS.term / TERMS.instalmentCount + TERMS.defaultPeriod + 1)
    await (await platform.market.markDefault(loans.alice)).wait()
}, 300_000)

describe("an identity escrow opened after a default, by 2 of 3 authorities, in public", () => {
    it("the market recorded each loan's escrow from its proof: under the committee key, fresh per borrower", async () => {
        expect(escrow.committeeKeyY).toBe(key[1])
        const bobs = await recordedEscrow(platform.market, loans.bob)
        expect(bobs.committeeKeyY).toBe(key[1])
        expect(bobs.ephemeralKeyY).not.toBe(escrow.ephemeralKeyY)
        // nothing in the escrow is Alice's commitment in the clear
        expect([escrow.ephemeralKeyY, escrow.ciphertext]).not.toContain(alice.commitment)
    })

    it("an opening of a loan in good standing is refused on chain", async () => {
        const requester = as(openings, platform.signers.officer)
        const bobs = await recordedEscrow(platform.market, loans.bob)
        await expectRevert(requester.requestOpening(loans.bob, bobs.nullifier, bobs.committeeKeyY, bobs.ephemeralKeyY, bobs.ciphertext), "LoanNotDefaulted", [loans.bob, 1n])
        // nor can a good borrower's escrow be passed off as the defaulter's, with either pseudonym
        const alices = await platform.market.escrowTagOf(loans.alice, escrow.nullifier)
        expect(alices).not.toBe(0n)
        await expectRevert(requester.requestOpening(loans.alice, escrow.nullifier, bobs.committeeKeyY, bobs.ephemeralKeyY, bobs.ciphertext), "EscrowNotOfLoan", [
            loans.alice,
            escrow.nullifier,
            bobs.committeeKeyY,
            bobs.ephemeralKeyY,
            bobs.ciphertext,
            alices
        ])
        await expectRevert(requester.requestOpening(loans.alice, bobs.nullifier, bobs.committeeKeyY, bobs.ephemeralKeyY, bobs.ciphertext), "EscrowNotOfLoan", [
            loans.alice,
            bobs.nullifier,
            bobs.committeeKeyY,
            bobs.ephemeralKeyY,
            bobs.ciphertext,
            0n
        ])
    })

    it("the defaulted loan's opening is requested with the escrow the market recorded, in an event", async () => {
        const receipt = await (await as(openings, platform.signers.officer).requestOpening(loans.alice, escrow.nullifier, escrow.committeeKeyY, escrow.ephemeralKeyY, escrow.ciphertext)).wait()
        expect([...eventOf(openings, receipt, "OpeningRequested").args]).toEqual([loans.alice, platform.signers.officer.address, escrow.committeeKeyY, escrow.ephemeralKeyY, escrow.ciphertext])
    })

    it("one share alone does not open it", async () => {
        await publishShare(0)
        const partials = await publishedPartials(loans.alice)
        expect(partials).toHaveLength(1)
        expect(verifyPartialDecryption(escrow, partials[0], committee.committeeKey, loans.alice)).toBe(true)
        expect(isZkCreditError(await thrown(() => combinePartialDecryptions(escrow, partials, committee.committeeKey, loans.alice)), "NOT_ENOUGH_SHARES")).toBe(true)
        // and used as if it were the whole key, the one share gives another value than the commitment
        const { commitment } = combinePartialDecryptions(escrow, partials, { ...committee.committeeKey, threshold: 1 }, loans.alice)
        expect(commitment).not.toBe(alice.commitment)
    })

    it("a forged share is rejected off chain, naming its authority", async () => {
        // the bureau's account publishes a made-up point with a made-up proof: it lands (the
        // contract checks the curve only) and anyone's check rejects it
        const forged = pointToJson(multiplyGenerator(12345n))
        const landed = await (await as(openings, authorities[1]!).publishPartialDecryption(loans.alice, forged[0], forged[1], 1n, 1n)).wait()
        // the quorum event counts shares, it does not verify them: the check is off chain
        expect([...eventOf(openings, landed, "OpeningQuorumReached").args]).toEqual([loans.alice, 2n])
        const partials = await publishedPartials(loans.alice)
        const fake = partials.find((p) => p.index === 2)!
        expect(verifyPartialDecryption(escrow, fake, committee.committeeKey, loans.alice)).toBe(false)
        const caught = await thrown(() => combinePartialDecryptions(escrow, partials, committee.committeeKey, loans.alice))
        expect(isZkCreditError(caught, "INVALID_DECRYPTION_SHARE")).toBe(true)
        expect((caught as Error).message).toMatch(/authority 2/)
    })

    it("a second authority's share: the combination of 2 of 3 verified shares is the borrower's commitment, her KYC leaf", async () => {
        await publishShare(2)
        expect((await openings.openingOf(loans.alice)).shares).toBe(3n)
        const verified = (await publishedPartials(loans.alice)).filter((p) => verifyPartialDecryption(escrow, p, committee.committeeKey, loans.alice))
        expect(verified.map((p) => p.index)).toEqual([1, 3])
        const opened = combinePartialDecryptions(escrow, verified, committee.committeeKey, loans.alice)
        expect(opened).toEqual({ commitment: alice.commitment, authorities: [1, 3] })
        expect(platform.group.indexOf(opened.commitment)).toBe(initialMembers().indexOf(alice.commitment))
    })

    it("the officer records the default against the opened leaf: the same person is refused in market B, with errors that say why", async () => {
        const before = new KycTree(initialMembers())
        const group = new KycTree(initialMembers())
        const index = group.indexOf(alice.commitment)
        group.removeMember(index)
        const market = await platform.market.getAddress()
        const receipt = await (await as(platform.kyc, platform.signers.officer).recordDefault(index, alice.commitment, market, loans.alice, group.root, true)).wait()
        expect([...eventOf(platform.kyc, receipt, "MemberRemovedForDefault").args]).toEqual([alice.commitment, market, loans.alice, BigInt(index), group.root])

        // market B, on the same verifier, with an offer like market A's
        const { admin, lender } = platform.signers
        const marketB = await deploy(ethers, "LoanMarket", [admin.address, await platform.verifier.getAddress(), 1])
        const token = await platform.token.getAddress()
        await (await as(marketB, admin).setTokenAllowed(token, true)).wait()
        await (await as(platform.token, lender).approve(await marketB.getAddress(), ethers.MaxUint256)).wait()
        await (await as(marketB, lender).createOffer(token, 10_000n * USD, TIERS, TERMS)).wait()
        const attestation = attest(alice, { score: 720, now: await time.latest() })
        const request = { identity: alice, attestation, borrower: platform.signers.borrower.address, tier: 0n, principal: PRINCIPAL, committeeKey: key }
        // the prover, on the registry's tree, refuses before proving
        const caught = await thrown(() => proveBorrow({ ...platform, market: marketB }, { ...request, group }))
        expect(isZkCreditError(caught, "NOT_A_MEMBER")).toBe(true)
        expect((caught as Error).message).toMatch(/not in the KYC group/)
        // a proof against the root from before the removal is refused on chain: the removal was immediate
        const stale = await proveBorrow({ ...platform, market: marketB }, { ...request, group: before })
        await expectRevert(as(marketB, platform.signers.borrower).borrow(0n, 0n, PRINCIPAL, stale), "InvalidatedRoot", [before.root])
        // and the registry says why: a default, in market A, on this loan
        const open = await platform.kyc.openDefaultOf(alice.commitment)
        expect([open.market, open.loanId]).toEqual([market, loans.alice])
    })
})

/** Authority `i`'s partial decryption of Alice's escrow, as `publishPartialDecryption` takes it. */
function shareCalldata(i: number): [string, string, string, string] {
    const p = partialDecrypt({ ephemeralKeyY: escrow.ephemeralKeyY, ciphertext: escrow.ciphertext }, viaFile(committee.shares[i]!), loans.alice)
    return [p.partial[0], p.partial[1], p.proof.challenge, p.proof.response]
}
