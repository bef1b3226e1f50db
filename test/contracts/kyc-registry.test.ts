/**
 * The KYC part of `TrustRegistry` (`KycRegistry`, abstract): roots and member changes kept by the
 * compliance officers, the root validity and pause kept by `DEFAULT_ADMIN_ROLE`; every revert path.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { KycTree, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { as, deploy, deployTrustRegistry, gasOf, SETTINGS } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const P = SNARK_SCALAR_FIELD
const OFFICER_ROLE = ethers.id("zkcredit.KycRegistry.OFFICER_ROLE")
/** Slot holding Pausable's `_paused` (byte 0), `_nextIndex` (bytes 1-4) and `_rootValidity` (bytes 5-12). */
const PACKED_SLOT = 1n

async function deployRegistry() {
    const [admin, officer, stranger] = await ethers.getSigners()
    const kyc = await deployTrustRegistry(ethers, admin!.address)
    await (await kyc.grantRole(OFFICER_ROLE, officer!.address)).wait()
    return { kyc, admin: admin!, officer: as(kyc, officer!), stranger: as(kyc, stranger!), officerAddress: officer!.address, strangerAddress: stranger!.address }
}

/** A registry whose officers published the tree of `members`. */
async function deployWithMembers() {
    const fixture = await deployRegistry()
    const members = [101n, 102n, 103n, 104n]
    const group = new KycTree(members)
    await (await fixture.officer.addMembers(members, group.root)).wait()
    // loadFixture hands out the same objects every time: tests that change the group get a copy
    return { ...fixture, members, get group() {
        return new KycTree(members)
    } }
}

function commitments(count: number, from = 1_000n): bigint[] {
    return Array.from({ length: count }, (_, i) => from + BigInt(i))
}

describe("TrustRegistry: KYC (KycRegistry)", () => {
    describe("# constructor", () => {
        it("gives the admin role and sets the root validity", async () => {
            const { kyc, admin } = await loadFixture(deployRegistry)
            expect(await kyc.hasRole(await kyc.DEFAULT_ADMIN_ROLE(), admin.address)).toBe(true)
            expect(await kyc.OFFICER_ROLE()).toBe(OFFICER_ROLE)
            expect(await kyc.rootValidity()).toBe(BigInt(SETTINGS.rootValidity))
            expect(await kyc.currentRoot()).toBe(0n)
            expect(await kyc.nextIndex()).toBe(0n)
        })

        it("refuses a zero KYC admin", async () => {
            const [admin] = await ethers.getSigners()
            await expectRevert(deploy(ethers, "TrustRegistry", [ethers.ZeroAddress, admin!.address, admin!.address, SETTINGS.rootValidity]), "ZeroAddress", [])
        })

        it("refuses a root validity above MAX_ROOT_VALIDITY", async () => {
            const [admin] = await ethers.getSigners()
            const max = 30n * 86_400n
            await expectRevert(deploy(ethers, "TrustRegistry", [admin!.address, admin!.address, admin!.address, max + 1n]), "RootValidityTooLong", [max + 1n, max])
        })
    })

    describe("# addMembers", () => {
        it("appends at the next indices, publishes the root and emits every leaf", async () => {
            const { kyc, officer } = await loadFixture(deployRegistry)
            const group = new KycTree()
            const first = [5n, 6n, 7n]
            group.addMembers(first)
            await expect(officer.addMembers.staticCall(first, group.root)).resolves.toBe(0n)
            const tx = await officer.addMembers(first, group.root)
            const receipt = await tx.wait()
            const event = kyc.interface.parseLog(receipt!.logs[0]!)!
            expect(event.name).toBe("MembersAdded")
            expect(event.args.startIndex).toBe(0n)
            expect([...event.args.commitments]).toEqual(first)
            expect(event.args.newRoot).toBe(group.root)

            group.addMembers([8n, 9n])
            await expect(officer.addMembers.staticCall([8n, 9n], group.root)).resolves.toBe(3n)
            await (await officer.addMembers([8n, 9n], group.root)).wait()
            expect(await kyc.currentRoot()).toBe(group.root)
            expect(await kyc.nextIndex()).toBe(5n)
            expect(await kyc.isRootValid(group.root)).toBe(true)
        })

        it("refuses callers without the officer role", async () => {
            const { stranger, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(stranger.addMembers([1n], 2n), "AccessControlUnauthorizedAccount", [strangerAddress, OFFICER_ROLE])
        })

        it("refuses while paused", async () => {
            const { officer } = await loadFixture(deployRegistry)
            await (await officer.pause()).wait()
            await expectRevert(officer.addMembers([1n], 2n), "EnforcedPause")
        })

        it("refuses an empty batch", async () => {
            const { officer } = await loadFixture(deployRegistry)
            await expectRevert(officer.addMembers([], 2n), "EmptyBatch", [])
        })

        it("refuses commitment 0 (the empty leaf) and commitments not below the field", async () => {
            const { officer } = await loadFixture(deployRegistry)
            await expectRevert(officer.addMembers([1n, 0n], 2n), "InvalidCommitment", [0n])
            await expectRevert(officer.addMembers([P], 2n), "InvalidCommitment", [P])
            await expectRevert(officer.addMembers([1n, ethers.MaxUint256], 2n), "InvalidCommitment", [ethers.MaxUint256])
        })

        it("refuses root 0 and roots not below the field", async () => {
            const { officer } = await loadFixture(deployRegistry)
            await expectRevert(officer.addMembers([1n], 0n), "InvalidRoot", [0n])
            await expectRevert(officer.addMembers([1n], P), "InvalidRoot", [P])
        })

        it("refuses a root equal to the current one", async () => {
            const { officer, group } = await loadFixture(deployWithMembers)
            await expectRevert(officer.addMembers([1n], group.root), "RootUnchanged", [group.root])
        })

        it("refuses members past the tree's capacity of 2^20", async () => {
            const { kyc, officer } = await loadFixture(deployRegistry)
            // a full tree takes a million members: set the used slot count directly instead
            const capacity = 1n << 20n
            const packed = BigInt(await ethers.provider.getStorage(await kyc.getAddress(), PACKED_SLOT))
            const nearlyFull = (packed & ~(0xffffffffn << 8n)) | ((capacity - 2n) << 8n)
            await networkHelpers.setStorageAt(await kyc.getAddress(), PACKED_SLOT, nearlyFull)
            expect(await kyc.nextIndex()).toBe(capacity - 2n)
            expect(await kyc.rootValidity()).toBe(BigInt(SETTINGS.rootValidity))
            await expectRevert(officer.addMembers(commitments(3), 5n), "TreeFull", [capacity - 2n, 3n, capacity])
            await (await officer.addMembers(commitments(2), 5n)).wait()
            expect(await kyc.nextIndex()).toBe(capacity)
            await expectRevert(officer.addMembers([1n], 6n), "TreeFull", [capacity, 1n, capacity])
        })

        it("costs at most 10,000 gas per member in a batch of 100 (no leaves in storage)", async () => {
            const { officer } = await loadFixture(deployWithMembers)
            const batch = commitments(100, 10_000n)
            const group = new KycTree([101n, 102n, 103n, 104n, ...batch])
            const gas = await gasOf(officer.addMembers(batch, group.root))
            expect(gas / 100n).toBeLessThanOrEqual(10_000n)
        })
    })

    describe("# removeMember", () => {
        it("publishes the new root and emits the index", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const oldRoot = group.root
            group.removeMember(2)
            const receipt = await (await officer.removeMember(2, group.root)).wait()
            const event = kyc.interface.parseLog(receipt!.logs[0]!)!
            expect(event.name).toBe("MemberRemoved")
            expect([...event.args]).toEqual([2n, group.root])
            expect(await kyc.currentRoot()).toBe(group.root)
            const record = await kyc.rootRecord(oldRoot)
            expect(record.replacedAt).toBe(BigInt(await time.latest()))
        })

        it("refuses an index that was never used", async () => {
            const { officer } = await loadFixture(deployWithMembers)
            await expectRevert(officer.removeMember(4, 7n), "IndexOutOfRange", [4n, 4n])
        })

        it("refuses an invalid or unchanged root", async () => {
            const { officer, group } = await loadFixture(deployWithMembers)
            await expectRevert(officer.removeMember(1, P + 1n), "InvalidRoot", [P + 1n])
            await expectRevert(officer.removeMember(1, group.root), "RootUnchanged", [group.root])
        })

        it("refuses strangers and works not while paused", async () => {
            const { officer, stranger, strangerAddress } = await loadFixture(deployWithMembers)
            await expectRevert(stranger.removeMember(1, 7n), "AccessControlUnauthorizedAccount", [strangerAddress, OFFICER_ROLE])
            await (await officer.pause()).wait()
            await expectRevert(officer.removeMember(1, 7n), "EnforcedPause")
        })
    })

    describe("# replaceMember", () => {
        it("publishes the new root and emits the index and the new commitment", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            group.updateMember(1, 555n)
            const receipt = await (await officer.replaceMember(1, 555n, group.root)).wait()
            const event = kyc.interface.parseLog(receipt!.logs[0]!)!
            expect(event.name).toBe("MemberReplaced")
            expect([...event.args]).toEqual([1n, 555n, group.root])
            expect(await kyc.currentRoot()).toBe(group.root)
        })

        it("refuses an unused index, an invalid commitment or root", async () => {
            const { officer } = await loadFixture(deployWithMembers)
            await expectRevert(officer.replaceMember(9, 555n, 7n), "IndexOutOfRange", [9n, 4n])
            await expectRevert(officer.replaceMember(1, 0n, 7n), "InvalidCommitment", [0n])
            await expectRevert(officer.replaceMember(1, P, 7n), "InvalidCommitment", [P])
            await expectRevert(officer.replaceMember(1, 555n, 0n), "InvalidRoot", [0n])
        })

        it("refuses strangers and works not while paused", async () => {
            const { officer, stranger, strangerAddress } = await loadFixture(deployWithMembers)
            await expectRevert(stranger.replaceMember(1, 555n, 7n), "AccessControlUnauthorizedAccount", [strangerAddress, OFFICER_ROLE])
            await (await officer.pause()).wait()
            await expectRevert(officer.replaceMember(1, 555n, 7n), "EnforcedPause")
        })
    })

    describe("# isRootValid / rootRecord", () => {
        it("keeps a root valid for rootValidity seconds after it is replaced, not after it was created", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const first = group.root
            const createdAt = (await kyc.rootRecord(first)).createdAt
            // much older than the validity, but still current: valid
            await time.increase(10 * SETTINGS.rootValidity)
            expect(await kyc.isRootValid(first)).toBe(true)

            group.addMember(200n)
            await (await officer.addMembers([200n], group.root)).wait()
            const replacedAt = BigInt(await time.latest())
            expect(await kyc.rootRecord(first)).toEqual([createdAt, replacedAt, replacedAt + BigInt(SETTINGS.rootValidity), 0n, false])
            expect((await kyc.rootRecord(group.root)).sequence).toBe(1n)
            expect(await kyc.isRootValid(first)).toBe(true)

            await time.setNextBlockTimestamp(replacedAt + BigInt(SETTINGS.rootValidity) - 1n)
            await networkHelpers.mine()
            expect(await kyc.isRootValid(first)).toBe(true)
            await networkHelpers.mine()
            expect(await kyc.isRootValid(first)).toBe(false)
            expect(await kyc.isRootValid(group.root)).toBe(true)
        })

        it("knows no root it never published", async () => {
            const { kyc } = await loadFixture(deployWithMembers)
            expect(await kyc.isRootValid(12345n)).toBe(false)
            expect(await kyc.rootRecord(12345n)).toEqual([0n, 0n, 0n, 0n, false])
            expect(await kyc.rootStatus(12345n)).toEqual([[0n, 0n, 0n, 0n, false], false])
        })

        it("makes a root current again when a change restores an earlier tree", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const before = group.root
            group.addMember(300n)
            await (await officer.addMembers([300n], group.root)).wait()
            group.removeMember(4)
            // a zero leaf is the empty leaf: the tree is the one before the add
            expect(group.root).toBe(before)
            await (await officer.removeMember(4, group.root)).wait()
            expect(await kyc.currentRoot()).toBe(before)
            expect((await kyc.rootRecord(before)).replacedAt).toBe(0n)
            await time.increase(SETTINGS.rootValidity * 2)
            expect(await kyc.isRootValid(before)).toBe(true)
        })
    })

    describe("# setRootValidity", () => {
        it("lets the admin change it for roots replaced from then on; roots replaced before keep their expiry", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const first = group.root
            group.addMember(200n)
            await (await officer.addMembers([200n], group.root)).wait()
            const firstExpiry = (await kyc.rootRecord(first)).expiresAt
            await time.increase(SETTINGS.rootValidity + 1)
            expect(await kyc.isRootValid(first)).toBe(false)
            const receipt = await (await kyc.setRootValidity(SETTINGS.rootValidity * 10)).wait()
            expect([...kyc.interface.parseLog(receipt!.logs[0]!)!.args]).toEqual([BigInt(SETTINGS.rootValidity), BigInt(SETTINGS.rootValidity * 10)])
            // not retroactive: the expired root stays expired, with the expiry it got when replaced
            expect(await kyc.isRootValid(first)).toBe(false)
            expect((await kyc.rootRecord(first)).expiresAt).toBe(firstExpiry)
            // the next replacement gets the new validity
            const second = group.root
            group.addMember(201n)
            await (await officer.addMembers([201n], group.root)).wait()
            const replacedAt = BigInt(await time.latest())
            expect((await kyc.rootRecord(second)).expiresAt).toBe(replacedAt + BigInt(SETTINGS.rootValidity * 10))
            // lowering it does not shorten that one either
            await (await kyc.setRootValidity(1)).wait()
            await time.increase(SETTINGS.rootValidity * 5)
            expect(await kyc.isRootValid(second)).toBe(true)
        })

        it("refuses more than MAX_ROOT_VALIDITY and non-admins", async () => {
            const { kyc, officer, officerAddress } = await loadFixture(deployRegistry)
            const max = await kyc.MAX_ROOT_VALIDITY()
            await expectRevert(kyc.setRootValidity(max + 1n), "RootValidityTooLong", [max + 1n, max])
            await expectRevert(officer.setRootValidity(1), "AccessControlUnauthorizedAccount", [officerAddress, ethers.ZeroHash])
        })
    })

    describe("# removeMemberImmediately", () => {
        it("publishes the new root, emits MemberRemoved and MemberRemovedImmediately, and invalidates every older root at once", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const first = group.root
            group.addMember(200n)
            await (await officer.addMembers([200n], group.root)).wait()
            const second = group.root
            expect(await kyc.isRootValid(first)).toBe(true)
            group.removeMember(1)
            const receipt = await (await officer.removeMemberImmediately(1, group.root)).wait()
            const events = receipt!.logs.map((log: Parameters<typeof kyc.interface.parseLog>[0]) => kyc.interface.parseLog(log)!)
            expect(events.map((e: { name: string }) => e.name)).toEqual(["MemberRemoved", "MemberRemovedImmediately"])
            expect([...events[0]!.args]).toEqual([1n, group.root])
            expect([...events[1]!.args]).toEqual([1n, group.root, 2n])
            expect(await kyc.validFromSequence()).toBe(2n)
            expect(await kyc.currentRoot()).toBe(group.root)
            for (const old of [first, second]) {
                expect(await kyc.isRootValid(old)).toBe(false)
                expect((await kyc.rootStatus(old))[1]).toBe(true)
            }
            expect(await kyc.isRootValid(group.root)).toBe(true)
            expect((await kyc.rootStatus(group.root))[1]).toBe(false)
            // later changes replace the new root as usual: it keeps its validity window
            const third = group.root
            group.addMember(300n)
            await (await officer.addMembers([300n], group.root)).wait()
            expect(await kyc.isRootValid(third)).toBe(true)
            expect((await kyc.rootStatus(third))[1]).toBe(false)
        })

        it("refuses an unused index, an invalid or unchanged root, strangers, and works not while paused", async () => {
            const { kyc, officer, stranger, strangerAddress, group } = await loadFixture(deployWithMembers)
            await expectRevert(officer.removeMemberImmediately(4, 7n), "IndexOutOfRange", [4n, 4n])
            await expectRevert(officer.removeMemberImmediately(0, 0n), "InvalidRoot", [0n])
            await expectRevert(officer.removeMemberImmediately(0, group.root), "RootUnchanged", [group.root])
            await expectRevert(stranger.removeMemberImmediately(0, 7n), "AccessControlUnauthorizedAccount", [strangerAddress, OFFICER_ROLE])
            await expectRevert(as(kyc, (await ethers.getSigners())[0]!).removeMemberImmediately(0, 7n), "AccessControlUnauthorizedAccount", [(await ethers.getSigners())[0]!.address, OFFICER_ROLE])
            await (await officer.pause()).wait()
            await expectRevert(officer.removeMemberImmediately(0, 7n), "EnforcedPause")
        })
    })

    describe("# revokeRoot", () => {
        it("an officer or the admin revokes a root at once, current or replaced, also while paused", async () => {
            const { kyc, admin, officer, officerAddress, group } = await loadFixture(deployWithMembers)
            const first = group.root
            group.addMember(200n)
            await (await officer.addMembers([200n], group.root)).wait()
            await (await officer.pause()).wait()
            const receipt = await (await officer.revokeRoot(first)).wait()
            expect([...kyc.interface.parseLog(receipt!.logs[0]!)!.args]).toEqual([first, officerAddress])
            expect(await kyc.isRootValid(first)).toBe(false)
            expect((await kyc.rootRecord(first)).revoked).toBe(true)
            const current = group.root
            const byAdmin = await (await kyc.revokeRoot(current)).wait()
            expect([...kyc.interface.parseLog(byAdmin!.logs[0]!)!.args]).toEqual([current, admin.address])
            expect(await kyc.isRootValid(current)).toBe(false)
            // it stays the current root: the tree is what it is until the next change
            expect(await kyc.currentRoot()).toBe(current)
        })

        it("refuses strangers, a root never published, a root revoked already", async () => {
            const { kyc, stranger, strangerAddress, group } = await loadFixture(deployWithMembers)
            await expectRevert(stranger.revokeRoot(group.root), "NotOfficerOrAdmin", [strangerAddress])
            await expectRevert(kyc.revokeRoot(12345n), "RootNotPublished", [12345n])
            await (await kyc.revokeRoot(group.root)).wait()
            await expectRevert(kyc.revokeRoot(group.root), "RootAlreadyRevoked", [group.root])
        })

        it("a revoked root cannot be published again", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            const before = group.root
            group.addMember(300n)
            await (await officer.addMembers([300n], group.root)).wait()
            await (await kyc.revokeRoot(before)).wait()
            group.removeMember(4)
            // removing the last member would restore the revoked tree
            expect(group.root).toBe(before)
            await expectRevert(officer.removeMember(4, before), "RootIsRevoked", [before])
        })
    })

    describe("# pause / unpause", () => {
        it("officers pause, only the admin unpauses", async () => {
            const { kyc, officer, stranger, officerAddress, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(stranger.pause(), "AccessControlUnauthorizedAccount", [strangerAddress, OFFICER_ROLE])
            await (await officer.pause()).wait()
            expect(await kyc.paused()).toBe(true)
            await expectRevert(officer.unpause(), "AccessControlUnauthorizedAccount", [officerAddress, ethers.ZeroHash])
            await (await kyc.unpause()).wait()
            expect(await kyc.paused()).toBe(false)
            await (await officer.addMembers([1n], 2n)).wait()
        })

        it("keeps roots valid while paused: proofs still land", async () => {
            const { kyc, officer, group } = await loadFixture(deployWithMembers)
            await (await officer.pause()).wait()
            expect(await kyc.isRootValid(group.root)).toBe(true)
        })
    })

    describe("audit", () => {
        it("rebuilds the tree from events alone and finds every published root", async () => {
            const { kyc, officer } = await loadFixture(deployRegistry)
            const officerGroup = new KycTree()
            const publish = async (change: () => Promise<unknown>) => {
                await change()
            }
            officerGroup.addMembers([1n, 2n, 3n])
            await publish(async () => (await officer.addMembers([1n, 2n, 3n], officerGroup.root)).wait())
            officerGroup.removeMember(1)
            await publish(async () => (await officer.removeMember(1, officerGroup.root)).wait())
            officerGroup.addMembers([4n, 5n])
            await publish(async () => (await officer.addMembers([4n, 5n], officerGroup.root)).wait())
            officerGroup.updateMember(0, 6n)
            await publish(async () => (await officer.replaceMember(0, 6n, officerGroup.root)).wait())

            const logs = await ethers.provider.getLogs({ address: await kyc.getAddress(), fromBlock: 0 })
            const leaves: bigint[] = []
            const rebuiltRoots: [bigint, bigint][] = []
            for (const log of logs) {
                const event = kyc.interface.parseLog(log)
                if (!event) continue
                if (event.name === "MembersAdded") {
                    expect(event.args.startIndex).toBe(BigInt(leaves.length))
                    leaves.push(...(event.args.commitments as bigint[]))
                } else if (event.name === "MemberRemoved") {
                    leaves[Number(event.args.index)] = 0n
                } else if (event.name === "MemberReplaced") {
                    leaves[Number(event.args.index)] = event.args.newCommitment as bigint
                } else continue
                rebuiltRoots.push([new KycTree(leaves).root, event.args.newRoot as bigint])
            }
            expect(rebuiltRoots).toHaveLength(4)
            for (const [rebuilt, published] of rebuiltRoots) expect(rebuilt).toBe(published)
            expect(leaves).toEqual(officerGroup.leaves)
            expect(await kyc.currentRoot()).toBe(officerGroup.root)
        })
    })
})
