/**
 * Attacks through the KYC roots and the missing emergency brake, with real proofs against the real
 * verifier and trust registry:
 * - raising `rootValidity` after a removal revives the removed member's expired root;
 * - a stolen officer key publishes a root with an extra member, and that root stays valid;
 * - a sanctioned member keeps borrowing on the old root for `rootValidity` seconds after removal;
 * - nothing stops every proof at once.
 * Each test makes its proofs (about 1.5 s each).
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { Identity } from "../../prover/src/index.ts"
import { as, attest, deployPlatform, IDENTITIES, proveBorrow, SETTINGS, USD, type Platform } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const TIER = 1n
const PRINCIPAL = 1_000n * USD
const { alice, bob, carol } = IDENTITIES
const INDEX = { alice: 2, bob: 3 }

function prove(platform: Platform, identity: Identity, group = platform.group) {
    return time.latest().then((now) =>
        proveBorrow(platform, { identity, attestation: attest(identity, { score: 720, now }), group, borrower: platform.signers.borrower.address, tier: TIER, principal: PRINCIPAL })
    )
}

function borrow(platform: Platform, proof: Awaited<ReturnType<typeof prove>>) {
    return as(platform.market, platform.signers.borrower).borrow(0n, TIER, PRINCIPAL, proof)
}

describe("KYC roots and emergency controls under attack", () => {
    it("raising rootValidity after a removal does not revive the removed member's expired root", async () => {
        const platform = await loadFixture(deployPlatform)
        const proof = await prove(platform, alice)
        const group = platform.group
        group.removeMember(INDEX.alice)
        await (await as(platform.kyc, platform.signers.officer).removeMember(INDEX.alice, group.root)).wait()
        const replacedAt = BigInt(await time.latest())
        await time.increase(SETTINGS.rootValidity + 1)
        // the attack: the validity is raised later (by mistake or on purpose)
        await (await platform.kyc.setRootValidity(SETTINGS.rootValidity * 10)).wait()
        expect(await platform.kyc.isRootValid(proof.kycRoot)).toBe(false)
        await expectRevert(borrow(platform, proof), "ExpiredRoot", [proof.kycRoot, replacedAt, replacedAt + BigInt(SETTINGS.rootValidity)])
    })

    it("a root published with a stolen officer key is revoked by the admin at once: its member's proof is refused", async () => {
        const platform = await loadFixture(deployPlatform)
        const mallory = new Identity(0x6666n)
        const group = platform.group
        group.addMember(mallory.commitment)
        // the attack: the stolen key admits mallory; pausing the registry would not stop proofs
        await (await as(platform.kyc, platform.signers.officer).addMembers([mallory.commitment], group.root)).wait()
        const proof = await prove(platform, mallory, group)
        await (await as(platform.kyc, platform.signers.officer).pause()).wait()
        expect(await platform.kyc.isRootValid(group.root)).toBe(true)
        await (await platform.kyc.revokeRoot(group.root)).wait()
        await expectRevert(borrow(platform, proof), "RevokedRoot", [group.root])
    })

    it("an immediate removal refuses the removed member's proof at once, and every older root: others must re-prove", async () => {
        const platform = await loadFixture(deployPlatform)
        const aliceProof = await prove(platform, alice)
        const bobProof = await prove(platform, bob)
        const group = platform.group
        group.removeMember(INDEX.alice)
        await (await as(platform.kyc, platform.signers.officer).removeMemberImmediately(INDEX.alice, group.root)).wait()
        // without it, both proofs would land for rootValidity seconds
        await expectRevert(borrow(platform, aliceProof), "InvalidatedRoot", [aliceProof.kycRoot])
        // the cost: bob's proof against the old root fails too; he re-proves against the new one
        await expectRevert(borrow(platform, bobProof), "InvalidatedRoot", [bobProof.kycRoot])
        await time.increase(1)
        await (await borrow(platform, await prove(platform, bob, group))).wait()
        expect((await platform.market.loan(0n)).principal).toBe(PRINCIPAL)
    })

    it("the admin stops every proof at once: the loan market's pause stops its borrows (it checks their proofs itself), the credit verifier's every market that calls it", async () => {
        const platform = await loadFixture(deployPlatform)
        const proof = await prove(platform, carol)
        const { verifier, market, signers } = platform
        const [scope, message] = [await market.scope(), await market.borrowMessage(signers.borrower.address, 0n, TIER, PRINCIPAL)]
        const threshold = (await market.tierOf(0n, TIER)).minScore
        await (await market.pause()).wait()
        await (await verifier.pause()).wait()
        await expectRevert(borrow(platform, proof), "EnforcedPause", [])
        // what RequestMarket (or any market on the shared verifier) asks
        await expectRevert(verifier.verifyCreditProof(proof, threshold, scope, message), "VerifierPaused", [])
        // the verifier's pause alone does not reach the loan market: its brake is its own pause
        await (await market.unpause()).wait()
        await (await borrow(platform, proof)).wait()
        expect(await market.loanCount()).toBe(1n)
        await (await verifier.unpause()).wait()
        await verifier.verifyCreditProof(proof, threshold, scope, message)
    })
})
