import { buildModule } from "@nomicfoundation/hardhat-ignition/modules"

/** The worthless test stablecoin (tUSD, 6 decimals, faucet) for local and test networks only. */
export default buildModule("TestStablecoin", (m) => {
    const stablecoin = m.contract("TestStablecoin", [])
    return { stablecoin }
})
