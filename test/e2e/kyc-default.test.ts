/**
 * The compliance page shows a removal for a default as such: a demo member's loan defaults in a
 * second market (a LoanMarket whose credit verifier is the test one, naming the platform's trust
 * registry: loans without proofs), the officer records the default against the member's
 * commitment, and the page names the loan in the member list, the root history and the default
 * records, with the audit green.
 */
import { Contract, JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, expect, it } from "vitest"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { fetchKycEvents, kycTreeFromEvents } from "../../client/src/kyc-tree.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { deployArtifact } from "../helpers/committee.ts"
import { mockProof, TERMS, TIERS, USD } from "../helpers/contracts.ts"
import { testPort } from "../helpers/ports.ts"
import { describeInBrowser, openComplianceAsOfficer, screenshot, startTestPlatform, type TestBrowser } from "./helpers.ts"

const PORTS = { chain: testPort(8840), bureau: testPort(8841), app: testPort(8842) }

let platform: Platform
let url: string
let provider: JsonRpcProvider
let market: string
let index: number
const browsers: TestBrowser[] = []

beforeAll(async () => {
    ;({ platform, url } = await startTestPlatform(PORTS, "kyc-default"))
    provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { staticNetwork: true })
    const admin = await provider.getSigner(0)
    const lender = await provider.getSigner(2)
    const verifier = await deployArtifact("test/MockCreditVerifier.sol", "MockCreditVerifier", admin, [])
    await (await verifier.getFunction("setTrustRegistry")(platform.deployment.contracts.trustRegistry)).wait()
    const loans = await deployArtifact("test/ExternalVerifierLoanMarket.sol", "ExternalVerifierLoanMarket", admin, [await admin.getAddress(), await verifier.getAddress(), 1])
    const token = await deployArtifact("test/MockERC20.sol", "MockERC20", admin, ["Mock USD", "mUSD", 6])
    await (await loans.getFunction("setTokenAllowed")(await token.getAddress(), true)).wait()
    await (await token.getFunction("mint")(await lender.getAddress(), 1_000_000n * USD)).wait()
    await (await (token.connect(lender) as Contract).getFunction("approve")(await loans.getAddress(), 2n ** 255n)).wait()
    await (await (loans.connect(lender) as Contract).getFunction("createOffer")(await token.getAddress(), 100_000n * USD, TIERS, TERMS)).wait()
    const now = (await provider.getBlock("latest"))!.timestamp
    await (await (loans.connect(lender) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xaaan, now))).wait()
    await provider.send("evm_increaseTime", [TERMS.term / TERMS.instalmentCount + TERMS.defaultPeriod + 10])
    await provider.send("evm_mine", [])
    await (await loans.getFunction("markDefault")(0n)).wait()
    market = await loans.getAddress()

    // the officer records the default against the first demo borrower's commitment
    const member = platform.world.borrowers[0]!
    const registry = platform.deployment.contracts.trustRegistry
    const tree = kycTreeFromEvents(await fetchKycEvents(provider, registry, { fromBlock: platform.deployment.deployBlock }))
    index = tree.indexOf(member.commitment)
    const root = tree.setLeaf(index, 0n)
    const kyc = new Contract(registry, KycRegistryAbi, await provider.getSigner(platform.world.officer))
    await (await kyc.getFunction("recordDefault")(index, member.commitment, market, 0n, root, false)).wait()
})

afterAll(async () => {
    for (const b of browsers) await b.close()
    provider?.destroy()
    await platform?.stop()
})

describeInBrowser("compliance officer", () => {
    it("sees the removal as a default naming the loan: member list, root history, default records; the audit stays green", async () => {
        const officer = await openComplianceAsOfficer(url, platform.world.officer, browsers)
        const { page } = officer
        const short = `${market.slice(0, 6)}…${market.slice(-4)}`
        await expect.poll(() => page.getByTestId(`member-${index}`).getAttribute("data-removed")).toBe("true")
        // the default language is zh-CN
        expect(await page.getByTestId(`member-${index}-default`).innerText()).toBe(`因违约移除 · 贷款 0 · 市场 ${short}`)
        expect(await page.getByTestId("root-0-default").innerText()).toBe(`因违约移除 · 贷款 0 · 市场 ${short}`)
        expect(await page.getByTestId("default-0").getAttribute("data-readmitted")).toBe("false")
        expect(await page.getByTestId("default-records").innerText()).toContain("因违约移出")
        expect(await page.getByTestId("default-findings").count()).toBe(0)
        await screenshot(page, "kyc-default-01-recorded")
        expect(officer.problems).toEqual([])
    })
})
