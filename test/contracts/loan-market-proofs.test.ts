/**
 * `LoanMarket.borrow` with real credit proofs from the prover, against the real verifier and
 * registries: the success path, its gas, and every attack on a proof.
 * Proofs are expensive (about 1.5 s): each is made once and shared by the tests that need it.
 */
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { computeMessage, computeScope, isZkCreditError, KycTree, SNARK_SCALAR_FIELD, type BorrowProofCalldata } from "../../prover/src/index.ts"
import {
    as,
    attest,
    BUREAU_KEYS,
    deploy,
    deployPlatform,
    eventOf,
    gasOf,
    IDENTITIES,
    initialMembers,
    KEY_WINDOWS,
    proveBorrow,
    SETTINGS,
    tamper,
    TERMS,
    TIERS,
    USD,
    type Platform
} from "../helpers/contracts.ts"
import { MARKET_GAS_CEILINGS } from "../helpers/gas.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const P = SNARK_SCALAR_FIELD
const TIER = 1n
const PRINCIPAL = 1_000n * USD
const { alice, bob, carol } = IDENTITIES

/** Made right after the fixture, at its latest block time. */
let provedAt: number
/** alice, score 720, borrows PRINCIPAL in TIER as `borrower`. */
let aliceProof: BorrowProofCalldata
/** bob, attested by the short-lived bureau key (expires 30 minutes after the platform starts). */
let bobProof: BorrowProofCalldata
/** carol, with an attestation that expires 10 minutes after the platform starts. */
let carolProof: BorrowProofCalldata
let shortAttestation: ReturnType<typeof attest>

beforeAll(async () => {
    const platform = await loadFixture(deployPlatform)
    provedAt = await time.latest()
    const borrower = platform.signers.borrower.address
    const now = provedAt
    aliceProof = await proveBorrow(platform, { identity: alice, attestation: attest(alice, { score: 720, now }), group: platform.group, borrower, tier: TIER, principal: PRINCIPAL })
    bobProof = await proveBorrow(platform, {
        identity: bob,
        attestation: attest(bob, { score: 700, now, key: BUREAU_KEYS.shortLived }),
        group: platform.group,
        borrower,
        tier: TIER,
        principal: PRINCIPAL
    })
    shortAttestation = attest(carol, { score: 650, now, validFor: 600 })
    carolProof = await proveBorrow(platform, { identity: carol, attestation: shortAttestation, group: platform.group, borrower, tier: 0n, principal: PRINCIPAL })
})

function borrowAs(platform: Platform, signer: keyof Platform["signers"], proof: BorrowProofCalldata, offerId = 0n, tier = TIER, principal = PRINCIPAL) {
    return as(platform.market, platform.signers[signer]).borrow(offerId, tier, principal, proof)
}

/** A fresh platform where alice borrowed with `aliceProof` and can repay (100 USD more, market approved). */
async function borrowedWithFunds(): Promise<Platform> {
    const platform = await loadFixture(deployPlatform)
    const { market, token, signers } = platform
    await (await borrowAs(platform, "borrower", aliceProof)).wait()
    await (await token.mint(signers.borrower.address, 100n * USD)).wait()
    await (await as(token, signers.borrower).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    return platform
}

describe("LoanMarket with real proofs", () => {
    describe("# scope / borrowMessage", () => {
        it("equal the prover's computeScope and computeMessage", async () => {
            const platform = await loadFixture(deployPlatform)
            const market = await platform.market.getAddress()
            expect(await platform.market.scope()).toBe(computeScope(platform.chainId, market))
            const borrower = platform.signers.borrower.address
            for (const [offerId, tier, principal] of [
                [0n, 0n, 1n],
                [7n, 2n, 123_456_789n],
                [2n ** 200n, 255n, 2n ** 255n]
            ] as const) {
                expect(await platform.market.borrowMessage(borrower, offerId, tier, principal)).toBe(
                    computeMessage({ chainId: platform.chainId, market, borrower, offerId, tier, principal })
                )
            }
        })
    })

    describe("# borrow", () => {
        it("disburses against a real proof, opens the loan and the pseudonym's record", async () => {
            const platform = await loadFixture(deployPlatform)
            const { market, token, signers } = platform
            const marketAddress = await market.getAddress()
            const receipt = await (await borrowAs(platform, "borrower", aliceProof)).wait()
            const startTime = BigInt(await time.latest())

            expect(await token.balanceOf(signers.borrower.address)).toBe(PRINCIPAL)
            expect(await token.balanceOf(marketAddress)).toBe(100_000n * USD - PRINCIPAL)
            expect((await market.offer(0n)).available).toBe(100_000n * USD - PRINCIPAL)

            const interest = (PRINCIPAL * BigInt(TIERS[1]!.aprBps) * BigInt(TERMS.term) + 10_000n * 365n * 86_400n - 1n) / (10_000n * 365n * 86_400n)
            expect([...eventOf(market, receipt, "LoanOpened").args]).toEqual([
                0n,
                0n,
                aliceProof.nullifier,
                signers.borrower.address,
                TIER,
                PRINCIPAL,
                interest,
                aliceProof.committeeKeyY,
                aliceProof.ephemeralKeyY,
                aliceProof.ciphertext
            ])

            const loan = await market.loan(0n)
            expect([...loan]).toEqual([PRINCIPAL, startTime, 0n, TIER, 0n, 1n, 0n, 0n, 0n])
            expect([...(await market.record(aliceProof.nullifier))]).toEqual([1n, 0n, 0n, 0n, 1n, aliceProof.currentTime, 0n])
            expect(await market.loanCount()).toBe(1n)
            // the nullifier is alice's pseudonym in this market and nowhere else
            expect(aliceProof.nullifier).toBe(alice.nullifier(await market.scope()))
        })

        it("costs at most 365,000 gas with the identity escrow, proof verification included (first loan, empty borrower)", async () => {
            const platform = await loadFixture(deployPlatform)
            const gas = await gasOf(borrowAs(platform, "borrower", aliceProof))
            expect(gas).toBeLessThanOrEqual(BigInt(MARKET_GAS_CEILINGS.borrow))
        })

        it("costs at most 59,900 gas an instalment on schedule and 333,000 the pseudonym's next loan (its escrow tag in the record's bits)", async () => {
            const platform = await borrowedWithFunds()
            const { market, signers } = platform
            const start = Number((await market.loan(0n)).startTime)
            const due = (k: number) => start + Math.floor((TERMS.term * (k + 1)) / TERMS.instalmentCount)
            await time.increaseTo(due(0) - 3_600)
            // the first payment writes the loan's books slot; the next ones update it
            await (await as(market, signers.borrower).repayInstalment(0n)).wait()
            await time.increaseTo(due(1) - 3_600)
            expect(await gasOf(as(market, signers.borrower).repayInstalment(0n))).toBeLessThanOrEqual(BigInt(MARKET_GAS_CEILINGS.repayInstalment))
            await (await as(market, signers.borrower).repayAll(0n)).wait()

            const borrower = signers.borrower.address
            const next = await proveBorrow(platform, { identity: alice, attestation: attest(alice, { score: 720, now: await time.latest() }), group: platform.group, borrower, tier: TIER, principal: PRINCIPAL })
            expect(await gasOf(borrowAs(platform, "borrower", next))).toBeLessThanOrEqual(BigInt(MARKET_GAS_CEILINGS.borrowRepeat))
            // the loan's pseudonym is named by its LoanOpened event (the market does not store it)
            const opened = (await market.queryFilter(market.filters.LoanOpened!(1n))) as unknown as { args: { nullifier: bigint } }[]
            expect(opened.map((e) => e.args.nullifier)).toEqual([aliceProof.nullifier])
            expect([...(await market.record(aliceProof.nullifier))]).toEqual([2n, 1n, 0n, 0n, 1n, next.currentTime, 0n])
        })

        it("refuses the same proof replayed, even after the first loan is repaid", async () => {
            const platform = await borrowedWithFunds()
            const { market, signers } = platform
            await (await as(market, signers.borrower).repayAll(0n)).wait()
            expect((await market.record(aliceProof.nullifier)).activeLoans).toBe(0n)
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "ProofReplayed", [aliceProof.nullifier, aliceProof.currentTime, aliceProof.currentTime])
        })

        it("refuses a second loan of the same pseudonym while one is active (one at a time)", async () => {
            const platform = await loadFixture(deployPlatform)
            await (await borrowAs(platform, "borrower", aliceProof)).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "TooManyActiveLoans", [aliceProof.nullifier, 1n, 1n])
        })

        it("refuses the proof sent from another address (a front-runner copying it from the mempool)", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(borrowAs(platform, "other", aliceProof), "InvalidProof", [])
        })

        it("refuses a higher tier, a higher principal or another offer than the proof was made for", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, 2n), "InvalidProof", [])
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, TIER, PRINCIPAL + 1n), "InvalidProof", [])
            // a lower principal is another message too: the proof binds the exact amount
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, TIER, PRINCIPAL - 1n), "InvalidProof", [])
            const { market, token, signers } = platform
            await (await as(market, signers.lender).createOffer(await token.getAddress(), 10_000n * USD, TIERS, TERMS)).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 1n), "InvalidProof", [])
            // nothing was consumed by the failures: the honest borrow still works
            await (await borrowAs(platform, "borrower", aliceProof)).wait()
        })

        it("refuses a proof with a point changed", async () => {
            const platform = await loadFixture(deployPlatform)
            const points = [...aliceProof.points]
            points[6] = points[6]! + 1n
            await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { points })), "InvalidProof", [])
        })

        it("refuses public inputs at or above the SNARK field (no aliasing of x and x + p)", async () => {
            const platform = await loadFixture(deployPlatform)
            const cases: [keyof BorrowProofCalldata, number][] = [
                ["nullifier", 0],
                ["ephemeralKeyY", 1],
                ["ciphertext", 2],
                ["kycRoot", 3],
                ["bureauKeyHash", 4],
                ["committeeKeyY", 7]
            ]
            for (const [field, signalIndex] of cases) {
                const aliased = (aliceProof[field] as bigint) + P
                await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { [field]: aliased })), "NotAFieldElement", [signalIndex, aliased])
            }
            // currentTime is packed into the context signal only after the time window, which refuses it
            await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { currentTime: aliceProof.currentTime + P })), "ProofFromFuture")
        })

        it("refuses a proof too far in the future or too old", async () => {
            const platform = await loadFixture(deployPlatform)
            const future = aliceProof.currentTime + BigInt(SETTINGS.maxFutureSkew) + 3_600n
            const error = await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { currentTime: future })), "ProofFromFuture")
            expect(error.args[0]).toBe(future)
            const tooLate = aliceProof.currentTime + BigInt(SETTINGS.maxProofAge) + 1n
            await time.setNextBlockTimestamp(tooLate)
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "ProofTooOld", [aliceProof.currentTime, tooLate])
        })

        it("accepts a proof against the previous root while it is valid after an update", async () => {
            const platform = await loadFixture(deployPlatform)
            const group = platform.group
            group.addMember(999n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([999n], group.root)).wait()
            await (await borrowAs(platform, "borrower", aliceProof)).wait()
        })

        it("refuses a root past its validity", async () => {
            const platform = await loadFixture(deployPlatform)
            const group = platform.group
            group.addMember(999n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([999n], group.root)).wait()
            const replacedAt = BigInt(await time.latest())
            await time.increase(SETTINGS.rootValidity)
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "ExpiredRoot", [aliceProof.kycRoot, replacedAt, replacedAt + BigInt(SETTINGS.rootValidity)])
        })

        it("refuses a removed member: no proof under the fresh root, the old root dies after its validity", async () => {
            const platform = await loadFixture(deployPlatform)
            const group = new KycTree(initialMembers())
            const aliceIndex = group.indexOf(alice.commitment)
            group.removeMember(aliceIndex)
            await (await as(platform.kyc, platform.signers.officer).removeMember(aliceIndex, group.root)).wait()

            // the prover cannot even build a proof under the fresh root
            const attempt = proveBorrow(platform, { identity: alice, attestation: attest(alice, { score: 720, now: provedAt }), group, borrower: platform.signers.borrower.address, tier: TIER, principal: PRINCIPAL })
            await expect(attempt).rejects.toSatisfy((e: unknown) => isZkCreditError(e) && e.code === "NOT_A_MEMBER")
            // the old proof does not verify under the fresh root
            await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { kycRoot: group.root })), "InvalidProof", [])
            // and the old root stops working rootValidity seconds after the removal
            await time.increase(SETTINGS.rootValidity)
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "ExpiredRoot")
        })

        it("refuses a root the registry never published", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(borrowAs(platform, "borrower", tamper(aliceProof, { kycRoot: 12345n })), "UnknownRoot", [12345n])
        })

        it("refuses a revoked bureau key", async () => {
            const platform = await loadFixture(deployPlatform)
            await (await platform.bureaus.revokeKey(BUREAU_KEYS.main.keyHash)).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "InactiveBureauKey", [BUREAU_KEYS.main.keyHash])
        })

        it("accepts a key in its window and refuses it once expired", async () => {
            const platform = await loadFixture(deployPlatform)
            const snapshot = await networkHelpers.takeSnapshot()
            await (await borrowAs(platform, "borrower", bobProof)).wait()
            await snapshot.restore()
            await time.increaseTo(KEY_WINDOWS.shortLived.validUntil)
            await expectRevert(borrowAs(platform, "borrower", bobProof), "InactiveBureauKey", [BUREAU_KEYS.shortLived.keyHash])
        })

        it("refuses an expired attestation: the proof made while it was valid is too old after it expired", async () => {
            const platform = await loadFixture(deployPlatform)
            await time.increaseTo(shortAttestation.expiresAt)
            // no new proof can be made with it
            const attempt = proveBorrow(platform, { identity: carol, attestation: shortAttestation, group: platform.group, borrower: platform.signers.borrower.address, tier: 0n, principal: PRINCIPAL })
            await expect(attempt).rejects.toSatisfy((e: unknown) => isZkCreditError(e) && e.code === "ATTESTATION_EXPIRED")
            // the one made before lands only within maxProofAge of its time, which bounds how long
            // after expiry an attestation can still be used
            await time.increaseTo(Number(carolProof.currentTime) + SETTINGS.maxProofAge + 1)
            await expectRevert(borrowAs(platform, "borrower", carolProof, 0n, 0n), "ProofTooOld")
        })

        it("refuses while the market is paused, and works again after", async () => {
            const platform = await loadFixture(deployPlatform)
            await (await platform.market.pause()).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "EnforcedPause")
            await (await platform.market.unpause()).wait()
            await (await borrowAs(platform, "borrower", aliceProof)).wait()
        })

        it("refuses while the offer is paused", async () => {
            const platform = await loadFixture(deployPlatform)
            await (await as(platform.market, platform.signers.lender).setOfferPaused(0n, true)).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "OfferPaused", [0n])
        })

        it("refuses an unknown offer or tier, a principal out of the tier or above the funds, before verifying", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 5n), "UnknownOffer", [5n])
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, 3n), "UnknownTier", [0n, 3n, 3n])
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, TIER, 0n), "InvalidPrincipal", [0n, TIER, 0n, TIERS[1]!.maxPrincipal])
            await expectRevert(borrowAs(platform, "borrower", aliceProof, 0n, TIER, TIERS[1]!.maxPrincipal + 1n), "InvalidPrincipal", [0n, TIER, TIERS[1]!.maxPrincipal + 1n, TIERS[1]!.maxPrincipal])
            const { market, signers } = platform
            await (await as(market, signers.lender).withdraw(0n, 99_500n * USD)).wait()
            await expectRevert(borrowAs(platform, "borrower", aliceProof), "InsufficientLiquidity", [0n, PRINCIPAL, 500n * USD])
        })
    })
    describe("# proofs checked in place (CreditProofCheck)", () => {
        /** alice's proof under a root that has one more member than the fixture's, and no anchor. */
        async function newRootProof(platform: Platform): Promise<BorrowProofCalldata> {
            const group = platform.group
            group.addMember(4242n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([4242n], group.root)).wait()
            return proveBorrow(platform, { identity: alice, attestation: attest(alice, { score: 720, now: await time.latest() }), group, borrower: platform.signers.borrower.address, tier: TIER, principal: PRINCIPAL })
        }

        it("borrows under the market's own anchor, or computes the four signals without one: the same check, about 20,000 gas apart", async () => {
            const platform = await loadFixture(deployPlatform)
            const { market, verifier } = platform
            const scope = await market.scope()
            const anchored = [aliceProof.kycRoot, aliceProof.bureauKeyHash, aliceProof.committeeKeyY, scope] as const
            // the market keeps its anchors: the credit verifier has none for the market's proofs
            expect(await market.anchorPrepared(...anchored)).toBe(true)
            expect(await verifier.anchorPrepared(...anchored)).toBe(false)
            const proof = await newRootProof(platform)
            const fresh = [proof.kycRoot, proof.bureauKeyHash, proof.committeeKeyY, scope] as const
            expect(await market.anchorPrepared(...fresh)).toBe(false)
            const computed = await as(market, platform.signers.borrower).borrow.estimateGas(0n, TIER, PRINCIPAL, proof)
            await expectRevert(borrowAs(platform, "borrower", tamper(proof, { ciphertext: proof.ciphertext + 1n })), "InvalidProof", [])
            await (await as(market, platform.signers.stranger).prepareAnchor(...fresh)).wait()
            const read = await as(market, platform.signers.borrower).borrow.estimateGas(0n, TIER, PRINCIPAL, proof)
            expect(computed - read).toBeGreaterThan(20_000n)
            await expectRevert(borrowAs(platform, "borrower", tamper(proof, { ciphertext: proof.ciphertext + 1n })), "InvalidProof", [])
            await (await borrowAs(platform, "borrower", proof)).wait()
        })

        it("prepareAnchor on the market refuses as the verifier's does: a value outside the field, an unknown root, an anchor prepared already", async () => {
            const platform = await loadFixture(deployPlatform)
            const { market } = platform
            const scope = await market.scope()
            const values = [aliceProof.kycRoot, aliceProof.bureauKeyHash, aliceProof.committeeKeyY, scope] as const
            await expectRevert(market.prepareAnchor(values[0], values[1], values[2] + P, scope), "NotAFieldElement", [7n, values[2] + P])
            await expectRevert(market.prepareAnchor(values[0] + 1n, values[1], values[2], scope), "UnknownRoot", [values[0] + 1n])
            await expectRevert(market.prepareAnchor(...values), "AnchorAlreadyPrepared", [await market.anchorIdOf(...values)])
        })

        it("checks against the registries and time window of the verifier it was deployed with", async () => {
            const platform = await loadFixture(deployPlatform)
            const { admin } = platform.signers
            // a verifier on a KYC registry of its own, which never published the platform's root
            const kyc = await deploy(ethers, "KycRegistry", [admin.address, SETTINGS.rootValidity])
            const verifier = await deploy(ethers, "CreditVerifier", [admin.address, await kyc.getAddress(), await platform.bureaus.getAddress(), await platform.committees.getAddress(), SETTINGS.maxProofAge, SETTINGS.maxFutureSkew])
            const market = await deploy(ethers, "LoanMarket", [admin.address, await verifier.getAddress(), 1])
            expect(await market.creditVerifier()).toBe(await verifier.getAddress())
            await (await market.setTokenAllowed(await platform.token.getAddress(), true)).wait()
            await (await platform.token.mint(platform.signers.lender.address, 10_000n * USD)).wait()
            await (await as(platform.token, platform.signers.lender).approve(await market.getAddress(), ethers.MaxUint256)).wait()
            await (await as(market, platform.signers.lender).createOffer(await platform.token.getAddress(), 10_000n * USD, TIERS, TERMS)).wait()
            const borrower = platform.signers.borrower.address
            const proof = await proveBorrow({ ...platform, market }, { identity: alice, attestation: attest(alice, { score: 720, now: await time.latest() }), group: platform.group, borrower, tier: TIER, principal: PRINCIPAL })
            await expectRevert(as(market, platform.signers.borrower).borrow(0n, TIER, PRINCIPAL, proof), "UnknownRoot", [proof.kycRoot])
        })
    })
})
