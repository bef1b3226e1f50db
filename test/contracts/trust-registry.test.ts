/**
 * `TrustRegistry` as one contract: its constructor, the separation of its three admin roles (each
 * part's admin, attacking the others' parts), and `requireTrusted`, the one call a proof check
 * makes: each way it refuses, its order, the passing case, and that it changes nothing. Each
 * part's own functions are tested in kyc-registry, bureau-registry and escrow-committee-registry.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { explainContractError } from "../../client/src/errors.ts"
import { KycTree } from "../../prover/src/index.ts"
import { multiplyGenerator } from "../../prover/src/escrow/index.ts"
import { as, DAY, deploy, SETTINGS, type Deployed } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const DEFAULT_ADMIN_ROLE = ethers.ZeroHash
const OFFICER_ROLE = ethers.id("zkcredit.KycRegistry.OFFICER_ROLE")
const BUREAU_ADMIN_ROLE = ethers.id("zkcredit.BureauRegistry.ADMIN_ROLE")
const COMMITTEE_ADMIN_ROLE = ethers.id("zkcredit.EscrowCommitteeRegistry.ADMIN_ROLE")

const MEMBERS = [101n, 102n, 103n, 104n]
/** The bureau key's hash and public key (any point off zero: the registry does not check the curve). */
const BUREAU_KEY = { keyHash: 0xb0b0n, ax: 7n, ay: 9n }
const COMMITTEE_KEY = multiplyGenerator(1111n)

/** A trust registry whose three admin roles three different accounts hold, and an officer. */
async function deployRegistry() {
    const [kycAdmin, bureauAdmin, committeeAdmin, officer, stranger] = await ethers.getSigners()
    const trust = await deploy(ethers, "TrustRegistry", [kycAdmin!.address, bureauAdmin!.address, committeeAdmin!.address, SETTINGS.rootValidity])
    await (await trust.grantRole(OFFICER_ROLE, officer!.address)).wait()
    return {
        trust,
        accounts: { kycAdmin: kycAdmin!, bureauAdmin: bureauAdmin!, committeeAdmin: committeeAdmin!, officer: officer!, stranger: stranger! },
        asKycAdmin: as(trust, kycAdmin!),
        asBureauAdmin: as(trust, bureauAdmin!),
        asCommitteeAdmin: as(trust, committeeAdmin!),
        asOfficer: as(trust, officer!),
        asStranger: as(trust, stranger!)
    }
}

/**
 * The registry with what a proof stands on, each part set up by its own admin: the officer
 * published the root of {@link MEMBERS}, the bureau admin registered a bureau and
 * {@link BUREAU_KEY}, the committee admin {@link COMMITTEE_KEY} with one authority. Both keys are
 * valid from a day before to 100 days after the fixture.
 */
async function deployTrusted() {
    const f = await deployRegistry()
    const root = new KycTree(MEMBERS).root
    await (await f.asOfficer.addMembers(MEMBERS, root)).wait()
    const now = await time.latest()
    const window = { validFrom: now - DAY, validUntil: now + 100 * DAY }
    await (await f.asBureauAdmin.addBureau("Acme Credit Bureau")).wait()
    await (await f.asBureauAdmin.addKey(1, BUREAU_KEY.ax, BUREAU_KEY.ay, BUREAU_KEY.keyHash, window.validFrom, window.validUntil)).wait()
    const [x, y] = COMMITTEE_KEY
    const authority = { account: f.accounts.committeeAdmin.address, shareX: x, shareY: y }
    await (await f.asCommitteeAdmin.addCommitteeKey(x, y, 1, [authority], window.validFrom, window.validUntil)).wait()
    return { ...f, root, now, window, committeeKeyY: y }
}

type Trusted = Awaited<ReturnType<typeof deployTrusted>>

/** Mines a block at exactly `timestamp`: the next `eth_call` runs at that block time. */
async function atTime(timestamp: number | bigint): Promise<void> {
    await time.setNextBlockTimestamp(timestamp)
    await networkHelpers.mine()
}

/** `requireTrusted` with the fixture's values, some replaced; proofTime defaults to the fixture's time. */
function check(f: Trusted, values: { root?: bigint; keyHash?: bigint; committeeKeyY?: bigint; proofTime?: number | bigint } = {}) {
    return f.trust.requireTrusted(values.root ?? f.root, values.keyHash ?? BUREAU_KEY.keyHash, values.committeeKeyY ?? f.committeeKeyY, values.proofTime ?? f.now)
}

/** The root published next: the fixture's members and one more. */
function nextRoot(extra = 200n): bigint {
    return new KycTree([...MEMBERS, extra]).root
}

describe("TrustRegistry", () => {
    describe("# constructor", () => {
        it("gives each part's admin role to its own admin only; the bureau and committee roles administer themselves", async () => {
            const { trust, accounts } = await loadFixture(deployRegistry)
            expect(await trust.DEFAULT_ADMIN_ROLE()).toBe(DEFAULT_ADMIN_ROLE)
            expect(await trust.BUREAU_ADMIN_ROLE()).toBe(BUREAU_ADMIN_ROLE)
            expect(await trust.COMMITTEE_ADMIN_ROLE()).toBe(COMMITTEE_ADMIN_ROLE)
            const roles = [DEFAULT_ADMIN_ROLE, BUREAU_ADMIN_ROLE, COMMITTEE_ADMIN_ROLE]
            const admins = [accounts.kycAdmin, accounts.bureauAdmin, accounts.committeeAdmin]
            for (const [i, role] of roles.entries()) {
                for (const [j, account] of [...admins, accounts.officer, accounts.stranger].entries()) {
                    expect(await trust.hasRole(role, account.address), `role ${i}, account ${j}`).toBe(i === j)
                }
            }
            expect(await trust.getRoleAdmin(DEFAULT_ADMIN_ROLE)).toBe(DEFAULT_ADMIN_ROLE)
            expect(await trust.getRoleAdmin(OFFICER_ROLE)).toBe(DEFAULT_ADMIN_ROLE)
            expect(await trust.getRoleAdmin(BUREAU_ADMIN_ROLE)).toBe(BUREAU_ADMIN_ROLE)
            expect(await trust.getRoleAdmin(COMMITTEE_ADMIN_ROLE)).toBe(COMMITTEE_ADMIN_ROLE)
            expect(await trust.rootValidity()).toBe(BigInt(SETTINGS.rootValidity))
        })

        it("lets one account hold all three admin roles (a single-operator deployment)", async () => {
            const [admin] = await ethers.getSigners()
            const trust = await deploy(ethers, "TrustRegistry", [admin!.address, admin!.address, admin!.address, SETTINGS.rootValidity])
            for (const role of [DEFAULT_ADMIN_ROLE, BUREAU_ADMIN_ROLE, COMMITTEE_ADMIN_ROLE]) expect(await trust.hasRole(role, admin!.address)).toBe(true)
        })

        it("refuses each zero admin: KYC, bureau, committee", async () => {
            const [admin] = await ethers.getSigners()
            const a = admin!.address
            const zero = ethers.ZeroAddress
            await expectRevert(deploy(ethers, "TrustRegistry", [zero, a, a, SETTINGS.rootValidity]), "ZeroAddress", [])
            await expectRevert(deploy(ethers, "TrustRegistry", [a, zero, a, SETTINGS.rootValidity]), "ZeroAddress", [])
            await expectRevert(deploy(ethers, "TrustRegistry", [a, a, zero, SETTINGS.rootValidity]), "ZeroAddress", [])
        })
    })

    describe("# role separation", () => {
        it("a refusal names the missing role: the client knows each of the registry's roles by the id the contract holds", async () => {
            const { trust, accounts } = await loadFixture(deployRegistry)
            for (const name of ["DEFAULT_ADMIN_ROLE", "OFFICER_ROLE", "BUREAU_ADMIN_ROLE", "COMMITTEE_ADMIN_ROLE"]) {
                const neededRole = (await trust.getFunction(name)()) as string
                const refusal = { name: "AccessControlUnauthorizedAccount", args: { account: accounts.stranger.address, neededRole } }
                expect(explainContractError(refusal)).toContain(`This account does not have ${name}, which this action needs.`)
            }
        })

        it("the KYC admin (DEFAULT_ADMIN_ROLE) cannot grant or revoke BUREAU_ADMIN_ROLE or COMMITTEE_ADMIN_ROLE, to itself or anyone", async () => {
            const { trust, accounts, asKycAdmin } = await loadFixture(deployRegistry)
            const kycAdmin = accounts.kycAdmin.address
            for (const role of [BUREAU_ADMIN_ROLE, COMMITTEE_ADMIN_ROLE]) {
                await expectRevert(asKycAdmin.grantRole(role, kycAdmin), "AccessControlUnauthorizedAccount", [kycAdmin, role])
                await expectRevert(asKycAdmin.grantRole(role, accounts.stranger.address), "AccessControlUnauthorizedAccount", [kycAdmin, role])
            }
            await expectRevert(asKycAdmin.revokeRole(BUREAU_ADMIN_ROLE, accounts.bureauAdmin.address), "AccessControlUnauthorizedAccount", [kycAdmin, BUREAU_ADMIN_ROLE])
            await expectRevert(asKycAdmin.revokeRole(COMMITTEE_ADMIN_ROLE, accounts.committeeAdmin.address), "AccessControlUnauthorizedAccount", [kycAdmin, COMMITTEE_ADMIN_ROLE])
            expect(await trust.hasRole(BUREAU_ADMIN_ROLE, accounts.bureauAdmin.address)).toBe(true)
            expect(await trust.hasRole(COMMITTEE_ADMIN_ROLE, accounts.committeeAdmin.address)).toBe(true)
        })

        it("the KYC admin and its officers cannot add bureaus, add or revoke bureau keys, or add or revoke committee keys", async () => {
            const f = await loadFixture(deployTrusted)
            const [x, y] = multiplyGenerator(2222n)
            const authority = { account: f.accounts.stranger.address, shareX: x, shareY: y }
            for (const [caller, account] of [
                [f.asKycAdmin, f.accounts.kycAdmin.address],
                [f.asOfficer, f.accounts.officer.address]
            ] as const) {
                await expectRevert(caller.addBureau("Mallory Scores"), "AccessControlUnauthorizedAccount", [account, BUREAU_ADMIN_ROLE])
                await expectRevert(caller.addKey(1, 1n, 2n, 3n, f.now, f.now + DAY), "AccessControlUnauthorizedAccount", [account, BUREAU_ADMIN_ROLE])
                await expectRevert(caller.revokeKey(BUREAU_KEY.keyHash), "AccessControlUnauthorizedAccount", [account, BUREAU_ADMIN_ROLE])
                await expectRevert(caller.addCommitteeKey(x, y, 1, [authority], f.now, f.now + DAY), "AccessControlUnauthorizedAccount", [account, COMMITTEE_ADMIN_ROLE])
                await expectRevert(caller.revokeCommitteeKey(f.committeeKeyY), "AccessControlUnauthorizedAccount", [account, COMMITTEE_ADMIN_ROLE])
            }
        })

        it("the bureau admin cannot change members, grant officers, set the root validity, pause or unpause, revoke roots, touch committee keys or grant the others' roles", async () => {
            const f = await loadFixture(deployTrusted)
            const bureauAdmin = f.accounts.bureauAdmin.address
            const [x, y] = multiplyGenerator(2222n)
            await expectRevert(f.asBureauAdmin.addMembers([200n], nextRoot()), "AccessControlUnauthorizedAccount", [bureauAdmin, OFFICER_ROLE])
            await expectRevert(f.asBureauAdmin.removeMemberImmediately(0, nextRoot()), "AccessControlUnauthorizedAccount", [bureauAdmin, OFFICER_ROLE])
            await expectRevert(f.asBureauAdmin.pause(), "AccessControlUnauthorizedAccount", [bureauAdmin, OFFICER_ROLE])
            await expectRevert(f.asBureauAdmin.setRootValidity(1), "AccessControlUnauthorizedAccount", [bureauAdmin, DEFAULT_ADMIN_ROLE])
            await expectRevert(f.asBureauAdmin.revokeRoot(f.root), "NotOfficerOrAdmin", [bureauAdmin])
            await expectRevert(f.asBureauAdmin.addCommitteeKey(x, y, 1, [{ account: bureauAdmin, shareX: x, shareY: y }], f.now, f.now + DAY), "AccessControlUnauthorizedAccount", [bureauAdmin, COMMITTEE_ADMIN_ROLE])
            await expectRevert(f.asBureauAdmin.revokeCommitteeKey(f.committeeKeyY), "AccessControlUnauthorizedAccount", [bureauAdmin, COMMITTEE_ADMIN_ROLE])
            for (const role of [OFFICER_ROLE, DEFAULT_ADMIN_ROLE]) {
                await expectRevert(f.asBureauAdmin.grantRole(role, bureauAdmin), "AccessControlUnauthorizedAccount", [bureauAdmin, DEFAULT_ADMIN_ROLE])
            }
            await expectRevert(f.asBureauAdmin.grantRole(COMMITTEE_ADMIN_ROLE, bureauAdmin), "AccessControlUnauthorizedAccount", [bureauAdmin, COMMITTEE_ADMIN_ROLE])
            await (await f.asOfficer.pause()).wait()
            await expectRevert(f.asBureauAdmin.unpause(), "AccessControlUnauthorizedAccount", [bureauAdmin, DEFAULT_ADMIN_ROLE])
        })

        it("the committee admin cannot change members, revoke roots, touch bureaus or bureau keys, or grant the others' roles", async () => {
            const f = await loadFixture(deployTrusted)
            const committeeAdmin = f.accounts.committeeAdmin.address
            await expectRevert(f.asCommitteeAdmin.addMembers([200n], nextRoot()), "AccessControlUnauthorizedAccount", [committeeAdmin, OFFICER_ROLE])
            await expectRevert(f.asCommitteeAdmin.setRootValidity(1), "AccessControlUnauthorizedAccount", [committeeAdmin, DEFAULT_ADMIN_ROLE])
            await expectRevert(f.asCommitteeAdmin.revokeRoot(f.root), "NotOfficerOrAdmin", [committeeAdmin])
            await expectRevert(f.asCommitteeAdmin.addBureau("Mallory Scores"), "AccessControlUnauthorizedAccount", [committeeAdmin, BUREAU_ADMIN_ROLE])
            await expectRevert(f.asCommitteeAdmin.addKey(1, 1n, 2n, 3n, f.now, f.now + DAY), "AccessControlUnauthorizedAccount", [committeeAdmin, BUREAU_ADMIN_ROLE])
            await expectRevert(f.asCommitteeAdmin.revokeKey(BUREAU_KEY.keyHash), "AccessControlUnauthorizedAccount", [committeeAdmin, BUREAU_ADMIN_ROLE])
            await expectRevert(f.asCommitteeAdmin.grantRole(OFFICER_ROLE, committeeAdmin), "AccessControlUnauthorizedAccount", [committeeAdmin, DEFAULT_ADMIN_ROLE])
            await expectRevert(f.asCommitteeAdmin.grantRole(BUREAU_ADMIN_ROLE, committeeAdmin), "AccessControlUnauthorizedAccount", [committeeAdmin, BUREAU_ADMIN_ROLE])
        })

        it("each admin hands on its own role only: a new bureau admin adds keys, a new committee admin adds committee keys, neither more", async () => {
            const f = await loadFixture(deployTrusted)
            const stranger = f.accounts.stranger.address
            await (await f.asBureauAdmin.grantRole(BUREAU_ADMIN_ROLE, stranger)).wait()
            await (await f.asStranger.addBureau("Beta Scores")).wait()
            expect(await f.trust.bureauCount()).toBe(2n)
            await expectRevert(f.asStranger.revokeCommitteeKey(f.committeeKeyY), "AccessControlUnauthorizedAccount", [stranger, COMMITTEE_ADMIN_ROLE])
            // the first bureau admin steps down: the role stays with the one it was handed to
            await (await f.asBureauAdmin.renounceRole(BUREAU_ADMIN_ROLE, f.accounts.bureauAdmin.address)).wait()
            await expectRevert(f.asBureauAdmin.addBureau("Gamma"), "AccessControlUnauthorizedAccount", [f.accounts.bureauAdmin.address, BUREAU_ADMIN_ROLE])
            await (await f.asStranger.revokeKey(BUREAU_KEY.keyHash)).wait()

            await (await f.asCommitteeAdmin.grantRole(COMMITTEE_ADMIN_ROLE, f.accounts.officer.address)).wait()
            await (await f.asOfficer.revokeCommitteeKey(f.committeeKeyY)).wait()
            await expectRevert(f.asOfficer.addBureau("Delta"), "AccessControlUnauthorizedAccount", [f.accounts.officer.address, BUREAU_ADMIN_ROLE])
        })

        it("the KYC pause stops membership changes only: bureau and committee keys are still added and revoked", async () => {
            const f = await loadFixture(deployTrusted)
            await (await f.asOfficer.pause()).wait()
            await expectRevert(f.asOfficer.addMembers([200n], nextRoot()), "EnforcedPause", [])
            await (await f.asBureauAdmin.addKey(1, 1n, 2n, 3n, f.now, f.now + 10 * DAY)).wait()
            await (await f.asBureauAdmin.revokeKey(BUREAU_KEY.keyHash)).wait()
            const [x, y] = multiplyGenerator(2222n)
            await (await f.asCommitteeAdmin.addCommitteeKey(x, y, 1, [{ account: f.accounts.stranger.address, shareX: x, shareY: y }], f.now, f.now + 10 * DAY)).wait()
            await (await f.asCommitteeAdmin.revokeCommitteeKey(f.committeeKeyY)).wait()
        })
    })

    describe("# requireTrusted", () => {
        it("passes for a current root, an active bureau key and a committee key whose window holds proofTime, at both ends of the window", async () => {
            const f = await loadFixture(deployTrusted)
            await check(f)
            await check(f, { proofTime: f.window.validFrom })
            await check(f, { proofTime: f.window.validUntil - 1 })
        })

        it("passes for a replaced root until rootValidity seconds after its replacement", async () => {
            const f = await loadFixture(deployTrusted)
            await (await f.asOfficer.addMembers([200n], nextRoot())).wait()
            const replacedAt = await time.latest()
            await atTime(replacedAt + SETTINGS.rootValidity - 1)
            await check(f)
            await check(f, { root: nextRoot() })
        })

        it("changes no state: a view, and sent as a transaction it emits nothing and every record reads the same after", async () => {
            const f = await loadFixture(deployTrusted)
            expect(f.trust.interface.getFunction("requireTrusted")!.stateMutability).toBe("view")
            const snapshot = async (trust: Deployed) => [
                await trust.currentRoot(),
                await trust.nextIndex(),
                await trust.rootValidity(),
                await trust.validFromSequence(),
                [...(await trust.rootRecord(f.root))],
                [...(await trust.keyOf(BUREAU_KEY.keyHash))],
                [...(await trust.committeeKeyOf(f.committeeKeyY))],
                await trust.bureauCount(),
                await trust.paused()
            ]
            const before = await snapshot(f.trust)
            const data = f.trust.interface.encodeFunctionData("requireTrusted", [f.root, BUREAU_KEY.keyHash, f.committeeKeyY, f.now])
            const receipt = await (await f.accounts.stranger.sendTransaction({ to: await f.trust.getAddress(), data })).wait()
            expect(receipt!.status).toBe(1)
            expect(receipt!.logs).toEqual([])
            expect(await snapshot(f.trust)).toEqual(before)
        })

        it("refuses a root never published (also 0): UnknownRoot", async () => {
            const f = await loadFixture(deployTrusted)
            await expectRevert(check(f, { root: f.root + 1n }), "UnknownRoot", [f.root + 1n])
            await expectRevert(check(f, { root: 0n }), "UnknownRoot", [0n])
        })

        it("refuses a revoked root, current or not: RevokedRoot", async () => {
            const f = await loadFixture(deployTrusted)
            await (await f.asOfficer.revokeRoot(f.root)).wait()
            await expectRevert(check(f), "RevokedRoot", [f.root])
        })

        it("refuses a root published before an immediate removal, at once: InvalidatedRoot", async () => {
            const f = await loadFixture(deployTrusted)
            const smaller = new KycTree(MEMBERS)
            smaller.removeMember(0)
            await (await f.asOfficer.removeMemberImmediately(0, smaller.root)).wait()
            await expectRevert(check(f), "InvalidatedRoot", [f.root])
            await check(f, { root: smaller.root })
        })

        it("refuses a replaced root from rootValidity seconds after its replacement: ExpiredRoot", async () => {
            const f = await loadFixture(deployTrusted)
            await (await f.asOfficer.addMembers([200n], nextRoot())).wait()
            const replacedAt = BigInt(await time.latest())
            const validUntil = replacedAt + BigInt(SETTINGS.rootValidity)
            await atTime(validUntil)
            await expectRevert(check(f), "ExpiredRoot", [f.root, replacedAt, validUntil])
            await check(f, { root: nextRoot() })
        })

        it("refuses an unknown bureau key: InactiveBureauKey", async () => {
            const f = await loadFixture(deployTrusted)
            await expectRevert(check(f, { keyHash: BUREAU_KEY.keyHash + 1n }), "InactiveBureauKey", [BUREAU_KEY.keyHash + 1n])
        })

        it("refuses a revoked bureau key from its revocation's block on: InactiveBureauKey", async () => {
            const f = await loadFixture(deployTrusted)
            await (await f.asBureauAdmin.revokeKey(BUREAU_KEY.keyHash)).wait()
            await expectRevert(check(f), "InactiveBureauKey", [BUREAU_KEY.keyHash])
        })

        it("refuses a bureau key not yet valid at block time, and passes from its validFrom: InactiveBureauKey", async () => {
            const f = await loadFixture(deployTrusted)
            const later = { keyHash: 0xb1b1n, validFrom: f.now + DAY }
            await (await f.asBureauAdmin.addKey(1, 11n, 12n, later.keyHash, later.validFrom, later.validFrom + DAY)).wait()
            await expectRevert(check(f, { keyHash: later.keyHash }), "InactiveBureauKey", [later.keyHash])
            await atTime(later.validFrom)
            await check(f, { keyHash: later.keyHash })
        })

        it("refuses a bureau key at and after its validUntil (block time, not proofTime): InactiveBureauKey", async () => {
            const f = await loadFixture(deployTrusted)
            await atTime(f.window.validUntil - 1)
            await check(f)
            await atTime(f.window.validUntil)
            await expectRevert(check(f), "InactiveBureauKey", [BUREAU_KEY.keyHash])
        })

        it("refuses an unknown committee key, with an empty window: InactiveCommitteeKey", async () => {
            const f = await loadFixture(deployTrusted)
            const unknown = multiplyGenerator(4242n)[1]
            await expectRevert(check(f, { committeeKeyY: unknown }), "InactiveCommitteeKey", [unknown, f.now, 0n, 0n, 0n])
        })

        it("refuses a revoked committee key, whatever proofTime (also before the revocation): InactiveCommitteeKey", async () => {
            const f = await loadFixture(deployTrusted)
            const receipt = await (await f.asCommitteeAdmin.revokeCommitteeKey(f.committeeKeyY)).wait()
            const revokedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp
            const { validFrom, validUntil } = f.window
            await expectRevert(check(f), "InactiveCommitteeKey", [f.committeeKeyY, f.now, validFrom, validUntil, revokedAt])
            await expectRevert(check(f, { proofTime: validFrom }), "InactiveCommitteeKey", [f.committeeKeyY, validFrom, validFrom, validUntil, revokedAt])
        })

        it("refuses a committee key whose window does not hold proofTime (a second before validFrom, at validUntil): InactiveCommitteeKey", async () => {
            const f = await loadFixture(deployTrusted)
            const { validFrom, validUntil } = f.window
            await expectRevert(check(f, { proofTime: validFrom - 1 }), "InactiveCommitteeKey", [f.committeeKeyY, validFrom - 1, validFrom, validUntil, 0n])
            await expectRevert(check(f, { proofTime: validUntil }), "InactiveCommitteeKey", [f.committeeKeyY, validUntil, validFrom, validUntil, 0n])
        })

        it("reports the first failed check, in the order root, bureau key, committee key", async () => {
            const f = await loadFixture(deployTrusted)
            const unknown = { root: f.root + 1n, keyHash: BUREAU_KEY.keyHash + 1n, committeeKeyY: multiplyGenerator(4242n)[1] }
            await expectRevert(check(f, unknown), "UnknownRoot", [unknown.root])
            await expectRevert(check(f, { ...unknown, root: f.root }), "InactiveBureauKey", [unknown.keyHash])
            await expectRevert(check(f, { committeeKeyY: unknown.committeeKeyY }), "InactiveCommitteeKey", [unknown.committeeKeyY, f.now, 0n, 0n, 0n])
        })
    })
})
