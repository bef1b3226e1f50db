import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, deploy, eventOf } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const MAX = 10_000n * 10n ** 6n
const COOLDOWN = 3600n

async function deployStablecoin() {
    const [, user] = await ethers.getSigners()
    const token = await deploy(ethers, "TestStablecoin")
    return { token, user: as(token, user!), address: user!.address }
}

describe("TestStablecoin", () => {
    it("is a 6-decimal dollar that says it is a test token", async () => {
        const { token } = await loadFixture(deployStablecoin)
        expect(await token.name()).toBe("zkcredit Test USD")
        expect(await token.symbol()).toBe("tUSD")
        expect(await token.decimals()).toBe(6n)
        expect(await token.totalSupply()).toBe(0n)
        expect(await token.FAUCET_MAX_AMOUNT()).toBe(MAX)
        expect(await token.FAUCET_COOLDOWN()).toBe(COOLDOWN)
    })

    describe("# faucet", () => {
        it("mints up to the maximum to the caller and starts the cooldown", async () => {
            const { token, user, address } = await loadFixture(deployStablecoin)
            const receipt = await (await user.faucet(MAX)).wait()
            const at = BigInt(await time.latest())
            expect(await token.balanceOf(address)).toBe(MAX)
            expect([...eventOf(token, receipt, "FaucetUsed").args]).toEqual([address, MAX])
            expect(await token.faucetAvailableAt(address)).toBe(at + COOLDOWN)
        })

        it("refuses 0 and more than the maximum", async () => {
            const { user } = await loadFixture(deployStablecoin)
            await expectRevert(user.faucet(0n), "FaucetAmountInvalid", [0n, MAX])
            await expectRevert(user.faucet(MAX + 1n), "FaucetAmountInvalid", [MAX + 1n, MAX])
        })

        it("refuses a second call within the cooldown, per account, and allows it after", async () => {
            const { token, user, address } = await loadFixture(deployStablecoin)
            await (await user.faucet(1n)).wait()
            const availableAt = BigInt(await time.latest()) + COOLDOWN
            await time.setNextBlockTimestamp(availableAt - 1n)
            await expectRevert(user.faucet(1n), "FaucetCooldown", [address, availableAt])
            // another account is not limited by this one
            await (await token.faucet(5n)).wait()
            await time.setNextBlockTimestamp(availableAt)
            await (await user.faucet(2n)).wait()
            expect(await token.balanceOf(address)).toBe(3n)
        })
    })
})
