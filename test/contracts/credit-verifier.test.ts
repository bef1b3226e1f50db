/**
 * `CreditVerifier` on its own: each check with a real proof, each failure with its error.
 * One proof, made once; the tests change what they need around it.
 */
import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { KycTree, MESSAGE_BITS, SCORE_BITS, SNARK_SCALAR_FIELD, type BorrowProofCalldata } from "../../prover/src/index.ts"
import { multiplyGenerator } from "../../prover/src/escrow/index.ts"
import {
    as,
    attest,
    BUREAU_KEYS,
    COMMITTEE_WINDOW,
    deploy,
    deployPlatform,
    deployTrustRegistry,
    IDENTITIES,
    initialMembers,
    KEY_WINDOWS,
    proveBorrow,
    SETTINGS,
    tamper,
    TIERS,
    USD,
    type Deployed,
    type Platform
} from "../helpers/contracts.ts"
import { COMMITTEE_KEY } from "../helpers/fixtures.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const P = SNARK_SCALAR_FIELD
const TIER = 2n
const PRINCIPAL = 12_000n * USD
const THRESHOLD = TIERS[2]!.minScore

let proof: BorrowProofCalldata
let scope: bigint
let message: bigint

beforeAll(async () => {
    const platform = await loadFixture(deployPlatform)
    const now = await time.latest()
    const borrower = platform.signers.borrower.address
    proof = await proveBorrow(platform, { identity: IDENTITIES.carol, attestation: attest(IDENTITIES.carol, { score: 805, now }), group: platform.group, borrower, tier: TIER, principal: PRINCIPAL })
    scope = await platform.market.scope()
    message = await platform.market.borrowMessage(borrower, 0n, TIER, PRINCIPAL)
})

/**
 * The platform with the verifier's anchor of the proof's root, key and committee key under the
 * loan market's scope, as a market that calls the verifier would have it (the loan market itself
 * keeps its own).
 */
async function anchoredPlatform(): Promise<Platform> {
    const platform = await loadFixture(deployPlatform)
    await (await platform.verifier.prepareAnchor(platform.group.root, BUREAU_KEYS.main.keyHash, COMMITTEE_KEY[1], await platform.market.scope())).wait()
    return platform
}

/** Runs the next call in a block at exactly `timestamp`. */
async function atTime(timestamp: bigint | number): Promise<void> {
    await time.setNextBlockTimestamp(timestamp)
    await networkHelpers.mine()
}

/**
 * A trust registry of its own beside the platform's: the platform's KYC root published, and the
 * proof's bureau key and committee key registered with the given windows. A verifier on it differs
 * from the platform's in those windows only.
 */
async function trustRegistryWith(platform: Platform, windows: { bureauKey: readonly [number | bigint, number | bigint]; committeeKey: readonly [number | bigint, number | bigint] }): Promise<Deployed> {
    const admin = platform.signers.admin.address
    const trust = await deployTrustRegistry(ethers, admin)
    await (await trust.grantRole(await trust.OFFICER_ROLE(), admin)).wait()
    await (await trust.addMembers(initialMembers(), platform.group.root)).wait()
    await (await trust.addBureau("Acme Credit Bureau")).wait()
    const key = BUREAU_KEYS.main
    await (await trust.addKey(1, key.publicKey[0], key.publicKey[1], key.keyHash, ...windows.bureauKey)).wait()
    const [x, y] = COMMITTEE_KEY
    await (await trust.addCommitteeKey(x, y, 1, [{ account: admin, shareX: x, shareY: y }], ...windows.committeeKey)).wait()
    return trust
}

/** A credit verifier with the platform's time window on `trust`. */
async function verifierOn(platform: Platform, trust: Deployed): Promise<Deployed> {
    return deploy(ethers, "CreditVerifier", [platform.signers.admin.address, await trust.getAddress(), SETTINGS.maxProofAge, SETTINGS.maxFutureSkew])
}

function verify(platform: Platform, p: BorrowProofCalldata, threshold: bigint | number = THRESHOLD, s = scope, m = message) {
    return platform.verifier.verifyCreditProof(p, threshold, s, m)
}

describe("CreditVerifier", () => {
    describe("# constructor", () => {
        it("keeps the trust registry (trustRegistry()) and the time window", async () => {
            const platform = await loadFixture(deployPlatform)
            expect(await platform.verifier.trustRegistry()).toBe(await platform.trust.getAddress())
            expect(await platform.verifier.maxProofAge()).toBe(BigInt(SETTINGS.maxProofAge))
            expect(await platform.verifier.maxFutureSkew()).toBe(BigInt(SETTINGS.maxFutureSkew))
        })

        it("refuses a zero admin, a zero trust registry and a window out of bounds", async () => {
            const platform = await loadFixture(deployPlatform)
            const trust = await platform.trust.getAddress()
            const admin = platform.signers.admin.address
            await expectRevert(deploy(ethers, "CreditVerifier", [ethers.ZeroAddress, trust, 600, 60]), "ZeroAddress", [])
            await expectRevert(deploy(ethers, "CreditVerifier", [admin, ethers.ZeroAddress, 600, 60]), "ZeroAddress", [])
            const bounds = [86_400n, 900n]
            await expectRevert(deploy(ethers, "CreditVerifier", [admin, trust, 0, 60]), "InvalidTimeWindow", [0n, 60n, ...bounds])
            await expectRevert(deploy(ethers, "CreditVerifier", [admin, trust, 86_401, 60]), "InvalidTimeWindow", [86_401n, 60n, ...bounds])
            await expectRevert(deploy(ethers, "CreditVerifier", [admin, trust, 600, 901]), "InvalidTimeWindow", [600n, 901n, ...bounds])
        })
    })

    describe("# verifyCreditProof", () => {
        it("accepts a real proof with the market's threshold, scope and message", async () => {
            const platform = await loadFixture(deployPlatform)
            await verify(platform, proof)
        })

        it("refuses each public signal at or above the field, naming its index", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(verify(platform, tamper(proof, { nullifier: proof.nullifier + P })), "NotAFieldElement", [0n, proof.nullifier + P])
            await expectRevert(verify(platform, tamper(proof, { ephemeralKeyY: proof.ephemeralKeyY + P })), "NotAFieldElement", [1n, proof.ephemeralKeyY + P])
            await expectRevert(verify(platform, tamper(proof, { ciphertext: proof.ciphertext + P })), "NotAFieldElement", [2n, proof.ciphertext + P])
            await expectRevert(verify(platform, tamper(proof, { kycRoot: proof.kycRoot + P })), "NotAFieldElement", [3n, proof.kycRoot + P])
            await expectRevert(verify(platform, tamper(proof, { bureauKeyHash: proof.bureauKeyHash + P })), "NotAFieldElement", [4n, proof.bureauKeyHash + P])
            // the context is packed from parts the verifier range-checks first: it stays below 2^216
            await expectRevert(verify(platform, proof, THRESHOLD, scope + P), "NotAFieldElement", [6n, scope + P])
            await expectRevert(verify(platform, tamper(proof, { committeeKeyY: proof.committeeKeyY + P })), "NotAFieldElement", [7n, proof.committeeKeyY + P])
        })

        it("refuses a threshold of 2^16 or more and a message of 2^160 or more: they cannot be packed into the context", async () => {
            const platform = await loadFixture(deployPlatform)
            const wideThreshold = 1n << BigInt(SCORE_BITS)
            await expectRevert(verify(platform, proof, wideThreshold), "ContextOutOfRange", [wideThreshold, message])
            await expectRevert(verify(platform, proof, BigInt(THRESHOLD) + P), "ContextOutOfRange", [BigInt(THRESHOLD) + P, message])
            const wideMessage = 1n << BigInt(MESSAGE_BITS)
            await expectRevert(verify(platform, proof, THRESHOLD, scope, wideMessage), "ContextOutOfRange", [BigInt(THRESHOLD), wideMessage])
            await expectRevert(verify(platform, proof, THRESHOLD, scope, ethers.MaxUint256), "ContextOutOfRange", [BigInt(THRESHOLD), ethers.MaxUint256])
            // a currentTime at or above the field is far in the future
            await expectRevert(verify(platform, tamper(proof, { currentTime: proof.currentTime + P })), "ProofFromFuture")
        })

        it("refuses the proof's parts moved within the context (a lower threshold paid for by a later time)", async () => {
            const platform = await loadFixture(deployPlatform)
            // the verifier packs what the market says: a proof made for another split does not verify
            await expectRevert(verify(platform, proof, BigInt(THRESHOLD) - 1n), "InvalidProof", [])
            await expectRevert(verify(platform, proof, THRESHOLD, scope, message - 1n), "InvalidProof", [])
        })

        it("accepts currentTime up to maxFutureSkew after block time, refuses a second more", async () => {
            const platform = await loadFixture(deployPlatform)
            const blockTime = proof.currentTime + 100n
            await atTime(blockTime)
            // in the window: the time check passes and the (changed) proof fails later
            await expectRevert(verify(platform, tamper(proof, { currentTime: blockTime + BigInt(SETTINGS.maxFutureSkew) })), "InvalidProof", [])
            await expectRevert(verify(platform, tamper(proof, { currentTime: blockTime + BigInt(SETTINGS.maxFutureSkew) + 1n })), "ProofFromFuture", [
                blockTime + BigInt(SETTINGS.maxFutureSkew) + 1n,
                blockTime
            ])
        })

        it("accepts a proof maxProofAge seconds old, refuses it a second later", async () => {
            const platform = await loadFixture(deployPlatform)
            await atTime(proof.currentTime + BigInt(SETTINGS.maxProofAge))
            await verify(platform, proof)
            await atTime(proof.currentTime + BigInt(SETTINGS.maxProofAge) + 1n)
            await expectRevert(verify(platform, proof), "ProofTooOld", [proof.currentTime, proof.currentTime + BigInt(SETTINGS.maxProofAge) + 1n])
        })

        it("refuses an unknown root", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(verify(platform, tamper(proof, { kycRoot: 777n })), "UnknownRoot", [777n])
        })

        it("accepts a replaced root until rootValidity seconds after its replacement, then refuses it", async () => {
            const platform = await loadFixture(deployPlatform)
            const group = new KycTree(initialMembers())
            group.addMember(4242n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([4242n], group.root)).wait()
            const replacedAt = BigInt(await time.latest())
            const validUntil = replacedAt + BigInt(SETTINGS.rootValidity)
            await atTime(validUntil - 1n)
            await verify(platform, proof)
            await atTime(validUntil)
            await expectRevert(verify(platform, proof), "ExpiredRoot", [proof.kycRoot, replacedAt, validUntil])
        })

        it("refuses an unregistered key and a revoked key", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(verify(platform, tamper(proof, { bureauKeyHash: BUREAU_KEYS.shortLived.keyHash + 1n })), "InactiveBureauKey", [BUREAU_KEYS.shortLived.keyHash + 1n])
            await (await platform.bureaus.revokeKey(BUREAU_KEYS.main.keyHash)).wait()
            await expectRevert(verify(platform, proof), "InactiveBureauKey", [BUREAU_KEYS.main.keyHash])
        })

        it("refuses a registered key outside its window: not yet valid, then valid, then expired", async () => {
            const platform = await loadFixture(deployPlatform)
            // a fresh trust registry whose only key of the proof's hash starts a minute from now
            const now = await time.latest()
            const key = BUREAU_KEYS.main
            const trust = await trustRegistryWith(platform, { bureauKey: [now + 60, now + 120], committeeKey: [COMMITTEE_WINDOW.validFrom, COMMITTEE_WINDOW.validUntil] })
            const verifier = await verifierOn(platform, trust)
            const check = () => verifier.verifyCreditProof(proof, THRESHOLD, scope, message)
            await expectRevert(check(), "InactiveBureauKey", [key.keyHash])
            await atTime(now + 60)
            await check()
            await atTime(now + 120)
            await expectRevert(check(), "InactiveBureauKey", [key.keyHash])
        })

        it("refuses an escrow under an unregistered committee key, and under a revoked one (InactiveCommitteeKey at the proof's time)", async () => {
            const platform = await loadFixture(deployPlatform)
            expect(proof.committeeKeyY).toBe(COMMITTEE_KEY[1])
            const unknown = multiplyGenerator(4242n)[1]
            await expectRevert(verify(platform, tamper(proof, { committeeKeyY: unknown })), "InactiveCommitteeKey", [unknown, proof.currentTime, 0n, 0n, 0n])
            await (await platform.committees.revokeCommitteeKey(COMMITTEE_KEY[1])).wait()
            // revoked after the proof was made: refused from the revocation's block on
            const revokedAt = BigInt(await time.latest())
            expect(revokedAt).toBeGreaterThan(proof.currentTime)
            const { validFrom, validUntil } = COMMITTEE_WINDOW
            await expectRevert(verify(platform, proof), "InactiveCommitteeKey", [COMMITTEE_KEY[1], proof.currentTime, BigInt(validFrom), BigInt(validUntil), revokedAt])
        })

        it("checks the committee key's window at the proof's currentTime: a key valid only from a second after it is refused", async () => {
            const platform = await loadFixture(deployPlatform)
            // a verifier on a trust registry whose key of this y starts a second after the proof was made
            const y = COMMITTEE_KEY[1]
            const [validFrom, validUntil] = [proof.currentTime + 1n, proof.currentTime + 1000n]
            const trust = await trustRegistryWith(platform, { bureauKey: [KEY_WINDOWS.main.validFrom, KEY_WINDOWS.main.validUntil], committeeKey: [validFrom, validUntil] })
            const verifier = await verifierOn(platform, trust)
            // at a block time inside the key's window: the proof's own time is what counts
            expect(await trust.isCommitteeKeyActive(y, await time.latest())).toBe(true)
            await expectRevert(verifier.verifyCreditProof(proof, THRESHOLD, scope, message), "InactiveCommitteeKey", [y, proof.currentTime, validFrom, validUntil, 0n])
        })

        it("refuses another ciphertext, ephemeral key or committee key than the proof's (all registered keys): InvalidProof", async () => {
            const platform = await loadFixture(deployPlatform)
            await expectRevert(verify(platform, tamper(proof, { ciphertext: proof.ciphertext + 1n })), "InvalidProof", [])
            await expectRevert(verify(platform, tamper(proof, { ephemeralKeyY: multiplyGenerator(7n)[1] })), "InvalidProof", [])
            // another active key: the escrow was not made under it
            const other = multiplyGenerator(4242n)
            await (await platform.committees.addCommitteeKey(other[0], other[1], 1, [{ account: platform.signers.admin.address, shareX: other[0], shareY: other[1] }], COMMITTEE_WINDOW.validFrom, COMMITTEE_WINDOW.validUntil)).wait()
            await expectRevert(verify(platform, tamper(proof, { committeeKeyY: other[1] })), "InvalidProof", [])
        })

        it("refuses a revoked root and a root older than an immediate removal", async () => {
            const platform = await loadFixture(deployPlatform)
            await (await platform.kyc.revokeRoot(proof.kycRoot)).wait()
            await expectRevert(verify(platform, proof), "RevokedRoot", [proof.kycRoot])

            const fresh = await loadFixture(deployPlatform)
            const group = new KycTree(initialMembers())
            group.removeMember(0)
            await (await as(fresh.kyc, fresh.signers.officer).removeMemberImmediately(0, group.root)).wait()
            await expectRevert(verify(fresh, proof), "InvalidatedRoot", [proof.kycRoot])
        })
    })

    describe("# prepareAnchor", () => {
        /** The four signals an anchor stands for, as `prepareAnchor` takes them. */
        function anchorOf(p: BorrowProofCalldata, s = scope): [bigint, bigint, bigint, bigint] {
            return [p.kycRoot, p.bureauKeyHash, p.committeeKeyY, s]
        }

        it("keeps the anchor of an active root, bureau key and committee key for a scope: event, anchorPrepared, anchorIdOf", async () => {
            const platform = await anchoredPlatform()
            // deployPlatform prepared the market's; another scope has none yet
            const values = anchorOf(proof, scope + 1n)
            const id = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "uint256", "uint256"], values))
            expect(await platform.verifier.anchorIdOf(...values)).toBe(id)
            expect(await platform.verifier.anchorPrepared(...values)).toBe(false)
            expect(await platform.verifier.anchorPrepared(...anchorOf(proof))).toBe(true)
            const receipt = await (await as(platform.verifier, platform.signers.stranger).prepareAnchor(...values)).wait()
            const log = platform.verifier.interface.parseLog(receipt!.logs[0]!)!
            expect(log.name).toBe("AnchorPrepared")
            expect([...log.args]).toEqual([id, ...values])
            expect(await platform.verifier.anchorPrepared(...values)).toBe(true)
        })

        it("a proof verifies the same with its anchor as without, for about 20,000 gas less", async () => {
            const platform = await anchoredPlatform()
            // a second verifier on the same trust registry, with no anchor
            const bare = await verifierOn(platform, platform.trust)
            expect(await bare.anchorPrepared(...anchorOf(proof))).toBe(false)
            await bare.verifyCreditProof(proof, THRESHOLD, scope, message)
            const anchored = await platform.verifier.verifyCreditProof.estimateGas(proof, THRESHOLD, scope, message)
            const computed = await bare.verifyCreditProof.estimateGas(proof, THRESHOLD, scope, message)
            expect(computed - anchored).toBeGreaterThan(20_000n)
            // the same checks on both paths: a wrong statement fails on each
            for (const verifier of [platform.verifier, bare]) {
                await expectRevert(verifier.verifyCreditProof(proof, THRESHOLD - 1, scope, message), "InvalidProof", [])
                await expectRevert(verifier.verifyCreditProof(tamper(proof, { ciphertext: proof.ciphertext + 1n }), THRESHOLD, scope, message), "InvalidProof", [])
            }
        })

        it("an anchor stands for its four values only: a proof that claims them under another root is refused", async () => {
            const platform = await anchoredPlatform()
            // a newer root, valid and anchored; the proof was made under the older one
            const group = new KycTree(initialMembers())
            group.addMember(4242n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([4242n], group.root)).wait()
            await (await platform.verifier.prepareAnchor(...anchorOf(tamper(proof, { kycRoot: group.root })))).wait()
            await expectRevert(verify(platform, tamper(proof, { kycRoot: group.root })), "InvalidProof", [])
            await verify(platform, proof)
        })

        it("does not stand in for the trust registry: a root, bureau key or committee key revoked after it was prepared is refused", async () => {
            const revoked = [
                async (platform: Platform) => {
                    await (await platform.kyc.revokeRoot(proof.kycRoot)).wait()
                    return ["RevokedRoot", [proof.kycRoot]] as const
                },
                async (platform: Platform) => {
                    await (await platform.bureaus.revokeKey(BUREAU_KEYS.main.keyHash)).wait()
                    return ["InactiveBureauKey", [BUREAU_KEYS.main.keyHash]] as const
                },
                async (platform: Platform) => {
                    await (await platform.committees.revokeCommitteeKey(COMMITTEE_KEY[1])).wait()
                    const revokedAt = BigInt(await time.latest())
                    return ["InactiveCommitteeKey", [COMMITTEE_KEY[1], proof.currentTime, BigInt(COMMITTEE_WINDOW.validFrom), BigInt(COMMITTEE_WINDOW.validUntil), revokedAt]] as const
                }
            ]
            for (const revoke of revoked) {
                const platform = await anchoredPlatform()
                expect(await platform.verifier.anchorPrepared(...anchorOf(proof))).toBe(true)
                const [error, args] = await revoke(platform)
                await expectRevert(verify(platform, proof), error, [...args])
            }
        })

        it("refuses each value at or above the field, naming its signal index", async () => {
            const platform = await anchoredPlatform()
            const values = anchorOf(proof, scope + 1n)
            // kycRoot 3, bureauKeyHash 4, committeeKeyY 7, scope 6: the circuit's signal order
            const indices = [3n, 4n, 7n, 6n]
            for (let i = 0; i < 4; i++) {
                const bad = [...values] as typeof values
                bad[i] = values[i]! + P
                await expectRevert(platform.verifier.prepareAnchor(...bad), "NotAFieldElement", [indices[i]!, bad[i]!])
            }
            expect(await platform.verifier.anchorPrepared(...values)).toBe(false)
        })

        it("refuses a root, bureau key or committee key no proof could use now", async () => {
            const platform = await anchoredPlatform()
            const [root, keyHash, committeeY, s] = anchorOf(proof, scope + 1n)
            await expectRevert(platform.verifier.prepareAnchor(root + 1n, keyHash, committeeY, s), "UnknownRoot", [root + 1n])
            await expectRevert(platform.verifier.prepareAnchor(root, keyHash + 1n, committeeY, s), "InactiveBureauKey", [keyHash + 1n])
            const blockTime = BigInt(await time.latest()) + 10n
            await time.setNextBlockTimestamp(blockTime)
            await expectRevert(platform.verifier.prepareAnchor(root, keyHash, committeeY + 1n, s), "InactiveCommitteeKey", [committeeY + 1n, blockTime, 0n, 0n, 0n])

            // a replaced root past its validity, a revoked one and one older than an immediate removal
            const group = new KycTree(initialMembers())
            group.addMember(4242n)
            await (await as(platform.kyc, platform.signers.officer).addMembers([4242n], group.root)).wait()
            const replacedAt = BigInt(await time.latest())
            const validUntil = replacedAt + BigInt(SETTINGS.rootValidity)
            await time.setNextBlockTimestamp(validUntil)
            await expectRevert(platform.verifier.prepareAnchor(root, keyHash, committeeY, s), "ExpiredRoot", [root, replacedAt, validUntil])
            await (await platform.kyc.revokeRoot(group.root)).wait()
            await expectRevert(platform.verifier.prepareAnchor(group.root, keyHash, committeeY, s), "RevokedRoot", [group.root])

            const fresh = await anchoredPlatform()
            const smaller = new KycTree(initialMembers())
            smaller.removeMember(0)
            await (await as(fresh.kyc, fresh.signers.officer).removeMemberImmediately(0, smaller.root)).wait()
            await expectRevert(fresh.verifier.prepareAnchor(root, keyHash, committeeY, s), "InvalidatedRoot", [root])
            expect(await fresh.verifier.anchorPrepared(root, keyHash, committeeY, s)).toBe(false)
        })

        it("refuses to prepare an anchor twice", async () => {
            const platform = await anchoredPlatform()
            const values = anchorOf(proof)
            await expectRevert(platform.verifier.prepareAnchor(...values), "AnchorAlreadyPrepared", [await platform.verifier.anchorIdOf(...values)])
        })
    })

    describe("# pause / unpause", () => {
        it("the admin pauses: every proof is refused with VerifierPaused until unpaused; both emit an event", async () => {
            const platform = await loadFixture(deployPlatform)
            const admin = platform.signers.admin.address
            const paused = await (await platform.verifier.pause()).wait()
            expect(platform.verifier.interface.parseLog(paused!.logs[0]!)!.name).toBe("Paused")
            expect([...platform.verifier.interface.parseLog(paused!.logs[0]!)!.args]).toEqual([admin])
            expect(await platform.verifier.paused()).toBe(true)
            await expectRevert(verify(platform, proof), "VerifierPaused", [])
            const unpaused = await (await platform.verifier.unpause()).wait()
            expect(platform.verifier.interface.parseLog(unpaused!.logs[0]!)!.name).toBe("Unpaused")
            await verify(platform, proof)
        })

        it("refuses non-admins, pausing twice and unpausing when not paused", async () => {
            const platform = await loadFixture(deployPlatform)
            const officer = platform.signers.officer
            await expectRevert(as(platform.verifier, officer).pause(), "AccessControlUnauthorizedAccount", [officer.address, ethers.ZeroHash])
            await expectRevert(platform.verifier.unpause(), "ExpectedPause", [])
            await (await platform.verifier.pause()).wait()
            await expectRevert(platform.verifier.pause(), "EnforcedPause", [])
            await expectRevert(as(platform.verifier, officer).unpause(), "AccessControlUnauthorizedAccount", [officer.address, ethers.ZeroHash])
        })

        it("refuses another threshold, scope or message than the proof's", async () => {
            const platform = await loadFixture(deployPlatform)
            // a lower threshold than proved would let a weaker score through
            await expectRevert(verify(platform, proof, THRESHOLD - 1), "InvalidProof", [])
            await expectRevert(verify(platform, proof, THRESHOLD, scope + 1n), "InvalidProof", [])
            await expectRevert(verify(platform, proof, THRESHOLD, scope, message + 1n), "InvalidProof", [])
        })

        it("refuses changed proof points and points off the curve", async () => {
            const platform = await loadFixture(deployPlatform)
            for (const index of [0, 3, 7]) {
                const points = [...proof.points]
                points[index] = points[index]! + 1n
                await expectRevert(verify(platform, tamper(proof, { points })), "InvalidProof", [])
            }
            await expectRevert(verify(platform, tamper(proof, { points: proof.points.map(() => 0n) })), "InvalidProof", [])
            // a coordinate at or above the base field: the precompile fails, the verifier says no
            const base = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
            const points = [...proof.points]
            points[0] = points[0]! + base
            await expectRevert(verify(platform, tamper(proof, { points })), "InvalidProof", [])
        })
    })
})
