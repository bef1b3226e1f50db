/**
 * The escrow committee part of `TrustRegistry` (`EscrowCommitteeRegistry`, abstract): committee
 * keys named by their y, with authorities, public shares, validity windows, revocation and
 * rotation with overlap, kept by `COMMITTEE_ADMIN_ROLE`; every revert path (the constructor and
 * the roles are tested in trust-registry.test.ts).
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import { addPoints, multiplyGenerator, negate, type Point } from "../../prover/src/escrow/index.ts"
import { as, DAY, deployTrustRegistry, eventsOf } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const oldKey = multiplyGenerator(1111n)
const newKey = multiplyGenerator(2222n)
const shares = [multiplyGenerator(11n), multiplyGenerator(22n), multiplyGenerator(33n)]

/** A trust registry whose admin holds its three admin roles, with one committee key of three authorities. */
async function deployRegistry() {
    const [admin, a1, a2, a3, stranger] = await ethers.getSigners()
    const registry = await deployTrustRegistry(ethers, admin!.address)
    const authorities = [a1!, a2!, a3!].map((a, i) => ({ account: a.address, shareX: shares[i]![0], shareY: shares[i]![1] }))
    const now = await time.latest()
    const window = { validFrom: now - DAY, validUntil: now + 100 * DAY }
    await (await registry.addCommitteeKey(oldKey[0], oldKey[1], 2, authorities, window.validFrom, window.validUntil)).wait()
    const role: string = await registry.COMMITTEE_ADMIN_ROLE()
    return { registry, role, authorities, stranger: as(registry, stranger!), strangerAddress: stranger!.address, now, window }
}

describe("TrustRegistry: escrow committees (EscrowCommitteeRegistry)", () => {
    describe("# addCommitteeKey", () => {
        it("stores the key, its threshold and window, and each authority with its public share, and emits them", async () => {
            const { registry, authorities, now } = await loadFixture(deployRegistry)
            const receipt = await (await registry.addCommitteeKey(newKey[0], newKey[1], 3, authorities, now, now + 365 * DAY)).wait()
            const events = eventsOf(registry, receipt)
            expect(events.map((e) => e.name)).toEqual(["CommitteeKeyAdded", "CommitteeAuthorityAdded", "CommitteeAuthorityAdded", "CommitteeAuthorityAdded"])
            expect([...events[0]!.args]).toEqual([newKey[1], newKey[0], 3n, 3n, BigInt(now), BigInt(now + 365 * DAY)])
            expect([...events[2]!.args]).toEqual([newKey[1], 2n, authorities[1]!.account, shares[1]![0], shares[1]![1]])
            expect([...(await registry.committeeKeyOf(newKey[1]))]).toEqual([newKey[0], 3n, 3n, BigInt(now), BigInt(now + 365 * DAY), 0n])
            expect([...(await registry.authorityOf(newKey[1], 3))]).toEqual([authorities[2]!.account, shares[2]![0], shares[2]![1]])
            expect(await registry.authorityIndex(newKey[1], authorities[0]!.account)).toBe(1n)
            expect(await registry.authorityIndex(newKey[1], ethers.ZeroAddress)).toBe(0n)
            expect([...(await registry.authorityOf(newKey[1], 4))]).toEqual([ethers.ZeroAddress, 0n, 0n])
        })

        it("refuses points off the curve, with x = 0 (order 1 or 2) or a coordinate outside the field, for the key and for a share", async () => {
            const { registry, authorities, now } = await loadFixture(deployRegistry)
            const add = (key: Point, list = authorities) => registry.addCommitteeKey(key[0], key[1], 2, list, now, now + DAY)
            await expectRevert(add([newKey[0], newKey[1] + 1n]), "InvalidCommitteePoint", [newKey[0], newKey[1] + 1n])
            await expectRevert(add([0n, 1n]), "InvalidCommitteePoint", [0n, 1n])
            await expectRevert(add([0n, P - 1n]), "InvalidCommitteePoint", [0n, P - 1n])
            await expectRevert(add([newKey[0] + P, newKey[1]]), "InvalidCommitteePoint", [newKey[0] + P, newKey[1]])
            const badShare = [authorities[0]!, { ...authorities[1]!, shareY: 5n }, authorities[2]!]
            await expectRevert(add(newKey, badShare), "InvalidCommitteePoint", [authorities[1]!.shareX, 5n])
            // a mixed-order key passes on chain (the client checks the subgroup): documented, not hidden
            const mixed = addPoints(newKey, [0n, P - 1n])
            await (await add(mixed)).wait()
            expect((await registry.committeeKeyOf(mixed[1])).x).toBe(mixed[0])
        })

        it("refuses a threshold of 0 or above n, no authorities, and more than 64", async () => {
            const { registry, authorities, now } = await loadFixture(deployRegistry)
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 0, authorities, now, now + DAY), "InvalidThreshold", [0n, 3n, 64n])
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 4, authorities, now, now + DAY), "InvalidThreshold", [4n, 3n, 64n])
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 1, [], now, now + DAY), "InvalidThreshold", [1n, 0n, 64n])
            const many = Array.from({ length: 65 }, (_, i) => ({ account: ethers.getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`), shareX: shares[0]![0], shareY: shares[0]![1] }))
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, many, now, now + DAY), "InvalidThreshold", [2n, 65n, 64n])
        })

        it("refuses the zero address and an authority listed twice, naming its index", async () => {
            const { registry, authorities, now } = await loadFixture(deployRegistry)
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, [authorities[0]!, { ...authorities[1]!, account: ethers.ZeroAddress }], now, now + DAY), "InvalidAuthority", [2n, ethers.ZeroAddress])
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, [authorities[0]!, authorities[1]!, authorities[0]!], now, now + DAY), "InvalidAuthority", [3n, authorities[0]!.account])
        })

        it("refuses empty, past and oversized windows", async () => {
            const { registry, authorities, now } = await loadFixture(deployRegistry)
            // the block time the call runs at depends on the wall clock
            const next = expect.any(BigInt)
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, authorities, now + DAY, now + DAY), "InvalidCommitteeWindow", [BigInt(now + DAY), BigInt(now + DAY), next])
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, authorities, now - 10, now), "InvalidCommitteeWindow", [BigInt(now - 10), BigInt(now), next])
            await expectRevert(registry.addCommitteeKey(newKey[0], newKey[1], 2, authorities, now, 2n ** 64n), "InvalidCommitteeWindow", [BigInt(now), 2n ** 64n, next])
        })

        it("refuses a key registered already (also as -PK, which has the same y) and non-admins", async () => {
            const { registry, role, authorities, now, stranger, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(registry.addCommitteeKey(oldKey[0], oldKey[1], 2, authorities, now, now + DAY), "CommitteeKeyAlreadyRegistered", [oldKey[1]])
            await expectRevert(registry.addCommitteeKey(negate(oldKey)[0], oldKey[1], 2, authorities, now, now + DAY), "CommitteeKeyAlreadyRegistered", [oldKey[1]])
            await expectRevert(stranger.addCommitteeKey(newKey[0], newKey[1], 2, authorities, now, now + DAY), "AccessControlUnauthorizedAccount", [strangerAddress, role])
        })
    })

    describe("# revokeCommitteeKey and # isCommitteeKeyActive", () => {
        it("is active inside its window only, and not from revocation on", async () => {
            const { registry, window } = await loadFixture(deployRegistry)
            expect(await registry.isCommitteeKeyActive(oldKey[1], window.validFrom - 1)).toBe(false)
            expect(await registry.isCommitteeKeyActive(oldKey[1], window.validFrom)).toBe(true)
            expect(await registry.isCommitteeKeyActive(oldKey[1], window.validUntil - 1)).toBe(true)
            expect(await registry.isCommitteeKeyActive(oldKey[1], window.validUntil)).toBe(false)
            expect(await registry.isCommitteeKeyActive(newKey[1], window.validFrom)).toBe(false)
            const receipt = await (await registry.revokeCommitteeKey(oldKey[1])).wait()
            const revokedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp
            expect(eventsOf(registry, receipt).map((e) => [e.name, ...e.args])).toEqual([["CommitteeKeyRevoked", oldKey[1]]])
            expect(await registry.isCommitteeKeyActive(oldKey[1], revokedAt - 1)).toBe(true)
            expect(await registry.isCommitteeKeyActive(oldKey[1], revokedAt)).toBe(false)
            // the authorities stay: escrows made under the key can still be opened
            expect(await registry.authorityIndex(oldKey[1], (await registry.authorityOf(oldKey[1], 2)).account)).toBe(2n)
        })

        it("rotates with overlap: both keys are active while the new one starts and the old one runs out", async () => {
            const { registry, authorities, window } = await loadFixture(deployRegistry)
            const overlapFrom = window.validUntil - 10 * DAY
            await (await registry.addCommitteeKey(newKey[0], newKey[1], 2, authorities, overlapFrom, window.validUntil + 365 * DAY)).wait()
            expect(await registry.isCommitteeKeyActive(oldKey[1], overlapFrom)).toBe(true)
            expect(await registry.isCommitteeKeyActive(newKey[1], overlapFrom)).toBe(true)
            expect(await registry.isCommitteeKeyActive(oldKey[1], window.validUntil)).toBe(false)
            expect(await registry.isCommitteeKeyActive(newKey[1], window.validUntil)).toBe(true)
        })

        it("refuses unknown keys, a second revocation and non-admins", async () => {
            const { registry, role, stranger, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(registry.revokeCommitteeKey(newKey[1]), "UnknownCommitteeKey", [newKey[1]])
            await expectRevert(stranger.revokeCommitteeKey(oldKey[1]), "AccessControlUnauthorizedAccount", [strangerAddress, role])
            const receipt = await (await registry.revokeCommitteeKey(oldKey[1])).wait()
            const revokedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp
            await expectRevert(registry.revokeCommitteeKey(oldKey[1]), "CommitteeKeyAlreadyRevoked", [oldKey[1], BigInt(revokedAt)])
        })
    })

    describe("# committeeKeyWindow", () => {
        it("is the key's threshold, window and revocation time; all zeros for an unknown key", async () => {
            const { registry, window } = await loadFixture(deployRegistry)
            expect([...(await registry.committeeKeyWindow(oldKey[1]))]).toEqual([2n, BigInt(window.validFrom), BigInt(window.validUntil), 0n])
            expect([...(await registry.committeeKeyWindow(newKey[1]))]).toEqual([0n, 0n, 0n, 0n])
            const receipt = await (await registry.revokeCommitteeKey(oldKey[1])).wait()
            const revokedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp
            expect([...(await registry.committeeKeyWindow(oldKey[1]))]).toEqual([2n, BigInt(window.validFrom), BigInt(window.validUntil), BigInt(revokedAt)])
        })
    })
})
