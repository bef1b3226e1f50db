/**
 * The bureau part of `TrustRegistry` (`BureauRegistry`, abstract): bureaus and their keys with
 * validity windows, kept by `BUREAU_ADMIN_ROLE`; every revert path (the constructor and the
 * roles are tested in trust-registry.test.ts).
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { bureauKeyHash, createBureauKey, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { as, DAY, deployTrustRegistry } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const P = SNARK_SCALAR_FIELD
const oldKey = createBureauKey(`0x${"0a".repeat(32)}`)
const newKey = createBureauKey(`0x${"0b".repeat(32)}`)

/** A trust registry whose admin holds its three admin roles, with one bureau and one key of it. */
async function deployRegistry() {
    const [admin, stranger] = await ethers.getSigners()
    const bureaus = await deployTrustRegistry(ethers, admin!.address)
    await (await bureaus.addBureau("Acme Credit Bureau")).wait()
    const now = await time.latest()
    const window = { validFrom: now - DAY, validUntil: now + 100 * DAY }
    await (await bureaus.addKey(1, oldKey.publicKey[0], oldKey.publicKey[1], oldKey.keyHash, window.validFrom, window.validUntil)).wait()
    const role: string = await bureaus.BUREAU_ADMIN_ROLE()
    return { bureaus, role, stranger: as(bureaus, stranger!), strangerAddress: stranger!.address, now, window }
}

describe("TrustRegistry: bureaus (BureauRegistry)", () => {
    describe("# addBureau", () => {
        it("registers bureaus with ids from 1", async () => {
            const { bureaus } = await loadFixture(deployRegistry)
            await expect(bureaus.addBureau.staticCall("Beta Scores")).resolves.toBe(2n)
            const receipt = await (await bureaus.addBureau("Beta Scores")).wait()
            expect([...bureaus.interface.parseLog(receipt!.logs[0]!)!.args]).toEqual([2n, "Beta Scores"])
            expect(await bureaus.bureauCount()).toBe(2n)
            expect(await bureaus.bureauName(1)).toBe("Acme Credit Bureau")
            expect(await bureaus.bureauName(2)).toBe("Beta Scores")
        })

        it("refuses an empty name and non-admins", async () => {
            const { bureaus, role, stranger, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.addBureau(""), "EmptyBureauName", [])
            await expectRevert(stranger.addBureau("Mallory"), "AccessControlUnauthorizedAccount", [strangerAddress, role])
        })
    })

    describe("# addKey", () => {
        it("stores the key with its public key and window and emits it all", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            const receipt = await (await bureaus.addKey(1, newKey.publicKey[0], newKey.publicKey[1], newKey.keyHash, now, now + 365 * DAY)).wait()
            const event = bureaus.interface.parseLog(receipt!.logs[0]!)!
            expect(event.name).toBe("BureauKeyAdded")
            expect([...event.args]).toEqual([1n, newKey.keyHash, newKey.publicKey[0], newKey.publicKey[1], BigInt(now), BigInt(now + 365 * DAY)])
            const stored = await bureaus.keyOf(newKey.keyHash)
            expect([...stored]).toEqual([newKey.publicKey[0], newKey.publicKey[1], 1n, BigInt(now), BigInt(now + 365 * DAY), 0n])
            // a client checks the hash against the stored public key with the prover's function
            expect(bureauKeyHash([stored.ax, stored.ay])).toBe(newKey.keyHash)
        })

        it("refuses an unknown bureau", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.addKey(0, 1n, 2n, 3n, now, now + DAY), "UnknownBureau", [0n])
            await expectRevert(bureaus.addKey(2, 1n, 2n, 3n, now, now + DAY), "UnknownBureau", [2n])
        })

        it("refuses a key hash of 0 or not below the field", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.addKey(1, 1n, 2n, 0n, now, now + DAY), "InvalidKeyHash", [0n])
            await expectRevert(bureaus.addKey(1, 1n, 2n, P, now, now + DAY), "InvalidKeyHash", [P])
        })

        it("refuses public key coordinates not below the field, or (0, 0)", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.addKey(1, P, 2n, 3n, now, now + DAY), "InvalidPublicKey", [P, 2n])
            await expectRevert(bureaus.addKey(1, 1n, P, 3n, now, now + DAY), "InvalidPublicKey", [1n, P])
            await expectRevert(bureaus.addKey(1, 0n, 0n, 3n, now, now + DAY), "InvalidPublicKey", [0n, 0n])
        })

        it("refuses an empty window, one already over, or one past 2^64", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            // the block time the call runs at depends on the wall clock
            const next = expect.any(BigInt)
            await expectRevert(bureaus.addKey(1, 1n, 2n, 3n, now + 10, now + 10), "InvalidValidityWindow", [now + 10, now + 10, next])
            await expectRevert(bureaus.addKey(1, 1n, 2n, 3n, now - 10, now), "InvalidValidityWindow", [now - 10, now, next])
            await expectRevert(bureaus.addKey(1, 1n, 2n, 3n, now, 1n << 64n), "InvalidValidityWindow", [now, 1n << 64n, next])
        })

        it("refuses a key registered before, also after it was revoked", async () => {
            const { bureaus, now } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.addKey(1, oldKey.publicKey[0], oldKey.publicKey[1], oldKey.keyHash, now, now + DAY), "KeyAlreadyRegistered", [oldKey.keyHash])
            await (await bureaus.revokeKey(oldKey.keyHash)).wait()
            await expectRevert(bureaus.addKey(1, oldKey.publicKey[0], oldKey.publicKey[1], oldKey.keyHash, now, now + DAY), "KeyAlreadyRegistered", [oldKey.keyHash])
        })

        it("refuses non-admins", async () => {
            const { role, stranger, strangerAddress, now } = await loadFixture(deployRegistry)
            await expectRevert(stranger.addKey(1, 1n, 2n, 3n, now, now + DAY), "AccessControlUnauthorizedAccount", [strangerAddress, role])
        })
    })

    describe("# revokeKey", () => {
        it("deactivates the key from this block on and emits it", async () => {
            const { bureaus } = await loadFixture(deployRegistry)
            const receipt = await (await bureaus.revokeKey(oldKey.keyHash)).wait()
            const revokedAt = BigInt(await time.latest())
            expect([...bureaus.interface.parseLog(receipt!.logs[0]!)!.args]).toEqual([1n, oldKey.keyHash])
            expect((await bureaus.keyOf(oldKey.keyHash)).revokedAt).toBe(revokedAt)
            expect(await bureaus.isKeyActive(oldKey.keyHash, revokedAt)).toBe(false)
            // history stays readable: before revocation it was active
            expect(await bureaus.isKeyActive(oldKey.keyHash, revokedAt - 1n)).toBe(true)
        })

        it("refuses unknown or already revoked keys, and non-admins", async () => {
            const { bureaus, role, stranger, strangerAddress } = await loadFixture(deployRegistry)
            await expectRevert(bureaus.revokeKey(123n), "UnknownKey", [123n])
            await expectRevert(stranger.revokeKey(oldKey.keyHash), "AccessControlUnauthorizedAccount", [strangerAddress, role])
            await (await bureaus.revokeKey(oldKey.keyHash)).wait()
            const revokedAt = await time.latest()
            await expectRevert(bureaus.revokeKey(oldKey.keyHash), "KeyAlreadyRevoked", [oldKey.keyHash, revokedAt])
        })
    })

    describe("# isKeyActive", () => {
        it("is true exactly in [validFrom, validUntil)", async () => {
            const { bureaus, window } = await loadFixture(deployRegistry)
            expect(await bureaus.isKeyActive(oldKey.keyHash, window.validFrom - 1)).toBe(false)
            expect(await bureaus.isKeyActive(oldKey.keyHash, window.validFrom)).toBe(true)
            expect(await bureaus.isKeyActive(oldKey.keyHash, window.validUntil - 1)).toBe(true)
            expect(await bureaus.isKeyActive(oldKey.keyHash, window.validUntil)).toBe(false)
            expect(await bureaus.isKeyActive(999n, window.validFrom)).toBe(false)
        })

        it("lets two keys of one bureau overlap during a rotation", async () => {
            const { bureaus, now, window } = await loadFixture(deployRegistry)
            // the new key starts before the old one ends
            await (await bureaus.addKey(1, newKey.publicKey[0], newKey.publicKey[1], newKey.keyHash, now + 50 * DAY, now + 400 * DAY)).wait()
            const overlap = now + 60 * DAY
            expect(await bureaus.isKeyActive(oldKey.keyHash, overlap)).toBe(true)
            expect(await bureaus.isKeyActive(newKey.keyHash, overlap)).toBe(true)
            expect(await bureaus.isKeyActive(oldKey.keyHash, window.validUntil)).toBe(false)
            expect(await bureaus.isKeyActive(newKey.keyHash, window.validUntil)).toBe(true)
        })
    })
})
