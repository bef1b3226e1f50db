/**
 * Gas ceilings of the RequestMarket, measured with a real proof on the real verifier (the same
 * measurement bench/gas.ts writes to bench/results/gas.json): listing, funding (a part, and the
 * part that disburses), a position's claim and its transfer.
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { attest, deployPlatform } from "../helpers/contracts.ts"
import { measureRequestGas, REQUEST_GAS_CEILINGS } from "../helpers/requests.ts"

const connection = await network.create()

describe("RequestMarket gas", () => {
    it("stays under its ceilings", async () => {
        const platform = await deployPlatform(connection)
        const g = await measureRequestGas(platform, platform.group, (identity, now) => attest(identity, { score: 760, now }))
        for (const [name, ceiling] of Object.entries(REQUEST_GAS_CEILINGS)) {
            expect(g[name as keyof typeof REQUEST_GAS_CEILINGS], name).toBeLessThanOrEqual(ceiling)
        }
    })
})
