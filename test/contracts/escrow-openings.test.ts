/**
 * EscrowOpenings: requests only for defaulted loans, once per loan and per escrow, and only for
 * the escrow the market recorded from the loan's proof; partial decryptions only from that key's
 * authorities, once each, in events; every revert path. The market's verifier is the mock (these
 * tests are about loan states, not proofs); shares here are real, from a real DKG.
 */
import { AbiCoder, keccak256, type EventLog } from "ethers"
import { network } from "hardhat"
import { explainContractError } from "../../client/src/errors.ts"
import { describe, expect, it } from "vitest"
import { SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import { multiplyGenerator, SUBGROUP_ORDER, verifyPartialDecryption } from "../../prover/src/escrow/index.ts"
import { deployEscrowOpenings, ESCROW_GAS_CEILINGS, partialCalldata, type EscrowOpeningsFixture } from "../helpers/committee.ts"
import { as, DAY, eventsOf } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { loadFixture, time } = networkHelpers

const deployOpenings = () => deployEscrowOpenings(connection)
type Fixture = EscrowOpeningsFixture

async function requested(): Promise<Fixture> {
    const f = await deployOpenings()
    await (await f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext)).wait()
    return f
}

const partialOf = partialCalldata

/** The market's `escrowTag`, off chain: the top 144 bits of the keccak of the three signals. */
const escrowTagOf = (committeeKeyY: bigint, ephemeralKeyY: bigint, ciphertext: bigint) =>
    BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "uint256"], [committeeKeyY, ephemeralKeyY, ciphertext]))) >> 112n

describe("EscrowOpenings", () => {
    describe("# requestOpening", () => {
        it("records a request for a defaulted loan and emits it", async () => {
            const f = await loadFixture(deployOpenings)
            const receipt = await (await f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext)).wait()
            expect(eventsOf(f.openings, receipt).map((e) => [e.name, ...e.args])).toEqual([["OpeningRequested", 0n, f.officer.address, f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext]])
            const block = await ethers.provider.getBlock(receipt!.blockNumber)
            expect([...(await f.openings.openingOf(0n))]).toEqual([f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext, f.officer.address, BigInt(block!.timestamp), 0n])
            expect(await f.openings.market()).toBe(await f.market.getAddress())
            expect(await f.openings.committees()).toBe(await f.registry.getAddress())
        })

        it("refuses a loan in good standing, an unknown loan and a repaid one: LoanNotDefaulted with its status", async () => {
            const f = await loadFixture(deployOpenings)
            await expectRevert(f.requester.requestOpening(1n, f.nullifiers[1], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext), "LoanNotDefaulted", [1n, 1n])
            await expectRevert(f.requester.requestOpening(9n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext), "LoanNotDefaulted", [9n, 0n])
            await (await as(f.market, f.signers.other).repayAll(1n)).wait()
            expect((await f.market.loan(1n)).status).toBe(2n)
            await expectRevert(f.requester.requestOpening(1n, f.nullifiers[1], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext), "LoanNotDefaulted", [1n, 2n])
        })

        it("refuses a second request for the loan, and the same escrow under another loan", async () => {
            const f = await loadFixture(requested)
            await expectRevert(f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY + 1n, f.escrow.ciphertext), "OpeningAlreadyRequested", [0n])
            // a second defaulted loan, requested with loan 0's escrow
            await time.increaseTo((await time.latest()) + 365 * DAY)
            await (await f.market.markDefault(1n)).wait()
            await expectRevert(f.requester.requestOpening(1n, f.nullifiers[1], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext), "EscrowAlreadyRequested", [f.escrow.ephemeralKeyY, 0n])
        })

        it("refuses an escrow outside the field or with the y of a small-order point", async () => {
            const f = await loadFixture(deployOpenings)
            for (const [y, c] of [[P, 1n], [5n, P], [0n, 1n], [1n, 1n], [P - 1n, 1n]] as const) {
                await expectRevert(f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], y, c), "InvalidEscrow", [y, c])
            }
        })

        it("refuses an escrow that is not the one the market recorded for the loan (another key, R.y or c): EscrowNotOfLoan with the record", async () => {
            const f = await loadFixture(deployOpenings)
            const recorded = await f.market.escrowTagOf(0n, f.nullifiers[0])
            expect(recorded).toBe(escrowTagOf(f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext))
            const other = multiplyGenerator(777n)
            const now = await time.latest()
            // another registered, active key: still not the loan's
            await (await f.registry.addCommitteeKey(other[0], other[1], 1, [{ account: f.signers.lender.address, shareX: other[0], shareY: other[1] }], now, now + DAY)).wait()
            for (const [k, y, c] of [
                [other[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext],
                [12345n, f.escrow.ephemeralKeyY, f.escrow.ciphertext],
                [f.key[1], multiplyGenerator(5n)[1], f.escrow.ciphertext],
                [f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext + 1n]
            ] as const) {
                await expectRevert(f.requester.requestOpening(0n, f.nullifiers[0], k, y, c), "EscrowNotOfLoan", [0n, f.nullifiers[0], k, y, c, recorded])
            }
        })

        it("refuses the loan's escrow under another pseudonym than the loan's: the market keeps no tag for that pair", async () => {
            const f = await loadFixture(deployOpenings)
            const { ephemeralKeyY: y, ciphertext: c } = f.escrow
            for (const nullifier of [f.nullifiers[1], 0n, 0xaaa1n]) {
                expect(await f.market.escrowTagOf(0n, nullifier)).toBe(0n)
                await expectRevert(f.requester.requestOpening(0n, nullifier, f.key[1], y, c), "EscrowNotOfLoan", [0n, nullifier, f.key[1], y, c, 0n])
            }
        })

        it("the market records each loan's escrow from its proof: the tag in escrowTagOf (a first loan's in its record), the values in LoanOpened", async () => {
            const f = await loadFixture(deployOpenings)
            const events = await f.market.queryFilter(f.market.filters.LoanOpened!())
            expect(events.map((e) => [...(e as EventLog).args].slice(7))).toEqual([
                [f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext],
                [f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext]
            ])
            const tag = escrowTagOf(f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext)
            expect([await f.market.escrowTagOf(0n, f.nullifiers[0]), await f.market.escrowTagOf(1n, f.nullifiers[1])]).toEqual([tag, tag])
            expect(await f.market.escrowTagOf(9n, f.nullifiers[0])).toBe(0n)
        })

        it("refuses callers without the requester role", async () => {
            const f = await loadFixture(deployOpenings)
            const role = await f.openings.REQUESTER_ROLE()
            await expectRevert(as(f.openings, f.signers.stranger).requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext), "AccessControlUnauthorizedAccount", [f.signers.stranger.address, role])
            // the client names the role by the id the contract holds
            expect(explainContractError({ name: "AccessControlUnauthorizedAccount", args: { account: f.signers.stranger.address, neededRole: role } })).toContain("does not have REQUESTER_ROLE")
        })
    })

    describe("# publishPartialDecryption", () => {
        it("emits each authority's share, counts them, and reports the quorum at t = 2; the events verify off chain", async () => {
            const f = await loadFixture(requested)
            const first = await (await as(f.openings, f.authorities[0]!).publishPartialDecryption(0n, ...partialOf(f, 0))).wait()
            expect(eventsOf(f.openings, first).map((e) => e.name)).toEqual(["PartialDecryptionPublished"])
            const second = await (await as(f.openings, f.authorities[2]!).publishPartialDecryption(0n, ...partialOf(f, 2))).wait()
            const events = eventsOf(f.openings, second)
            expect(events.map((e) => e.name)).toEqual(["PartialDecryptionPublished", "OpeningQuorumReached"])
            expect([...events[1]!.args]).toEqual([0n, 2n])
            const [loanId, index, authority, x, y, challenge, response] = [...events[0]!.args]
            expect([loanId, index, authority]).toEqual([0n, 3n, f.authorities[2]!.address])
            const partial = { index: Number(index), partial: [String(x), String(y)], proof: { challenge: String(challenge), response: String(response) } }
            expect(verifyPartialDecryption(f.escrow, partial, f.committee.committeeKey, 0n)).toBe(true)
            expect((await f.openings.openingOf(0n)).shares).toBe(2n)
            expect(await f.openings.hasPublished(0n, 1n)).toBe(true)
            expect(await f.openings.hasPublished(0n, 2n)).toBe(false)
            // a third share is still taken (and counted), without a second quorum event
            const third = await (await as(f.openings, f.authorities[1]!).publishPartialDecryption(0n, ...partialOf(f, 1))).wait()
            expect(eventsOf(f.openings, third).map((e) => e.name)).toEqual(["PartialDecryptionPublished"])
        })

        it("refuses a loan without a request, a non-authority and a second share of one authority", async () => {
            const f = await loadFixture(requested)
            await expectRevert(as(f.openings, f.authorities[0]!).publishPartialDecryption(1n, ...partialOf(f, 0)), "OpeningNotRequested", [1n])
            await expectRevert(as(f.openings, f.officer).publishPartialDecryption(0n, ...partialOf(f, 0)), "NotAnAuthority", [0n, f.officer.address])
            await (await as(f.openings, f.authorities[0]!).publishPartialDecryption(0n, ...partialOf(f, 0))).wait()
            await expectRevert(as(f.openings, f.authorities[0]!).publishPartialDecryption(0n, ...partialOf(f, 0)), "ShareAlreadyPublished", [0n, 1n])
        })

        it("refuses a partial that is not a curve point, or proof values out of range", async () => {
            const f = await loadFixture(requested)
            const [x, y, c, z] = partialOf(f, 0)
            const signer = as(f.openings, f.authorities[0]!)
            await expectRevert(signer.publishPartialDecryption(0n, x, y + 1n, c, z), "InvalidPartialDecryption", [x, y + 1n])
            await expectRevert(signer.publishPartialDecryption(0n, 0n, 1n, c, z), "InvalidPartialDecryption", [0n, 1n])
            await expectRevert(signer.publishPartialDecryption(0n, x, y, P, z), "InvalidPartialDecryption", [x, y])
            await expectRevert(signer.publishPartialDecryption(0n, x, y, c, SUBGROUP_ORDER), "InvalidPartialDecryption", [x, y])
        })

        it("costs at most ESCROW_GAS_CEILINGS: 200,000 gas a request, 75,000 a share", async () => {
            const f = await loadFixture(deployOpenings)
            const request = await (await f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext)).wait()
            expect(request!.gasUsed).toBeLessThanOrEqual(BigInt(ESCROW_GAS_CEILINGS.openRequest))
            const share = await (await as(f.openings, f.authorities[1]!).publishPartialDecryption(0n, ...partialOf(f, 1))).wait()
            expect(share!.gasUsed).toBeLessThanOrEqual(BigInt(ESCROW_GAS_CEILINGS.publishShare))
        })
    })
})
