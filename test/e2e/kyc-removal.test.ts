/**
 * A compliance officer removes a KYC member in the browser (the new root computed from the tree
 * rebuilt from chain events; the audit stays green), then that member, in a fresh browser
 * profile, tries to borrow: no tier can be chosen, each saying why, and no proof is started.
 */
import { JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, expect, it } from "vitest"
import { connectContracts } from "../../client/src/contracts.ts"
import { Identity } from "../../prover/src/identity.ts"
import type { DemoBorrower } from "../../scripts/lib/demo-world.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { act, CATALOGS, connectDevAccount, describeInBrowser, getAttestation, hex32, launchBrowser, notice, open, openComplianceAsOfficer, restoreIdentity, screenshot, startTestPlatform, type TestBrowser } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORTS = { chain: testPort(8820), bureau: testPort(8821), app: testPort(8822) }

let platform: Platform
let stateDir: string
let url: string
let member: DemoBorrower
let index: number
const browsers: TestBrowser[] = []

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "kyc"))
    index = platform.world.borrowers.findIndex((b) => b.name === "zhang-yu")
    member = platform.world.borrowers[index]!
})

afterAll(async () => {
    for (const b of browsers) await b.close()
    await platform?.stop()
})

describeInBrowser("compliance officer", () => {
    it("sees a green audit, removes a member and the audit stays green", async () => {
        const officer = await openComplianceAsOfficer(url, platform.world.officer, browsers)
        const { page } = officer
        expect(await page.getByTestId("member-count").innerText()).toBe("12")
        expect(await page.getByTestId(`member-commitment-${index}`).getAttribute("data-value")).toBe(hex32(member.commitment))
        const rootBefore = await page.getByTestId("current-root").getAttribute("data-value")
        await page.getByTestId(`remove-${index}`).click()
        const result = await act(page, `remove-confirm-${index}`)
        expect(result, result.text).toMatchObject({ kind: "success", key: "compliance.removed" })
        await expect.poll(() => page.getByTestId(`member-${index}`).getAttribute("data-removed")).toBe("true")
        expect(await page.getByTestId("member-count").innerText()).toBe("11")
        expect(await page.getByTestId("audit").getAttribute("data-ok")).toBe("true")
        expect(await page.getByTestId("current-root").getAttribute("data-value")).not.toBe(rootBefore)
        // the newest root is current and valid; the one it replaced is still valid for the grace period
        expect(await page.getByTestId("root-0").getAttribute("data-valid")).toBe("true")
        await screenshot(page, "kyc-01-removed")
    })

    it("refuses a pasted list with a bad entry, naming it", async () => {
        const { page } = browsers[0]!
        await page.getByTestId("add-textarea").fill(`123\nnot-a-number\n${member.commitment}`)
        const result = await act(page, "add-submit")
        expect(result.key).toBe("compliance.fixProblems")
        expect(await page.getByTestId("add-problems").locator("li").count()).toBe(1)
        expect(browsers[0]!.problems).toEqual([])
    })
})

describeInBrowser("the removed member", () => {
    it("cannot choose a tier, and the page says why, before any proof", async () => {
        const borrower = await launchBrowser()
        browsers.push(borrower)
        const { page } = borrower
        await open(page, `${url}/borrower`)
        await connectDevAccount(page, member.address)
        await restoreIdentity(page, stateDir, member)
        await expect.poll(() => page.getByTestId("kyc-status").getAttribute("data-member")).toBe("false")
        await getAttestation(page, stateDir, member)
        // no tier can be chosen, each says why; no proof is even started
        const offer = platform.world.offerIds[0]!
        for (const tier of [0, 1, 2]) {
            await expect.poll(() => page.getByTestId(`tier-${offer}-${tier}`).getAttribute("data-state")).toBe("notMember")
            expect(await page.getByTestId(`select-${offer}-${tier}`).isDisabled()).toBe(true)
        }
        // the default language is zh-CN: the reason is the translated one
        expect(await page.getByTestId(`tier-state-${offer}-0`).innerText()).toBe(CATALOGS["zh-CN"]["tier.state.notMember"])
        expect(await page.getByTestId("borrow-section").count()).toBe(0)
        const proofs = await page.evaluate(() => (window as unknown as { __zkcredit: { proofs: unknown[] } }).__zkcredit.proofs.length)
        expect(proofs).toBe(0)
        // nothing was borrowed
        expect(await page.locator('[data-testid^="loan-"]').count()).toBe(0)
        await screenshot(page, "kyc-02-refused")
        expect(borrower.problems).toEqual([])
    })
})

describeInBrowser("a new borrower", () => {
    it("creates an identity in the browser, an officer adds its commitment, it becomes a member", async () => {
        const borrower = await launchBrowser()
        browsers.push(borrower)
        const { page } = borrower
        await open(page, `${url}/borrower`)
        await page.getByTestId("identity-create").click()
        const commitment = await page.getByTestId("identity-commitment").getAttribute("data-value")
        expect(commitment).toMatch(/^0x[0-9a-f]{64}$/)
        await expect.poll(() => page.getByTestId("kyc-status").getAttribute("data-member")).toBe("false")

        const { page: officer } = browsers[0]!
        await officer.getByTestId("add-textarea").fill(commitment!)
        const added = await act(officer, "add-submit")
        expect(added, added.text).toMatchObject({ kind: "success", key: "compliance.added" })
        await expect.poll(() => officer.getByTestId("member-count").innerText()).toBe("12")
        expect(await officer.getByTestId("audit").getAttribute("data-ok")).toBe("true")

        // the page sees it by itself: no reload
        await expect.poll(() => page.getByTestId("kyc-status").getAttribute("data-member"), { timeout: 30_000 }).toBe("true")
        expect(borrower.problems).toEqual([])
    })
})

describeInBrowser("compliance officer, later", () => {
    it("replaces a member with a re-issued commitment, pauses; only the admin lifts the pause", async () => {
        const { page } = browsers[0]!
        const fresh = new Identity().commitment
        const slot = platform.world.borrowers.findIndex((b) => b.name === "zhou-jie")
        // a removed slot stays removed: only current members can be replaced
        expect(await page.getByTestId(`replace-${index}`).count()).toBe(0)
        await page.getByTestId(`replace-${slot}`).click()
        await page.getByTestId("replace-input").fill(fresh.toString())
        const replaced = await act(page, "replace-submit")
        expect(replaced, replaced.text).toMatchObject({ kind: "success", key: "compliance.replaced" })
        await expect.poll(() => page.getByTestId(`member-commitment-${slot}`).getAttribute("data-value")).toBe(hex32(fresh))
        expect(await page.getByTestId("member-count").innerText()).toBe("12")
        expect(await page.getByTestId("audit").getAttribute("data-ok")).toBe("true")

        expect((await act(page, "registry-pause")).key).toBe("compliance.pausedDone")
        await expect.poll(() => page.getByTestId("registry-paused").getAttribute("data-paused")).toBe("true")
        expect(await page.getByTestId("add-submit").isDisabled()).toBe(true)
        expect(await page.getByTestId("registry-unpause").isDisabled()).toBe(true)
        await screenshot(page, "kyc-03-paused")

        await connectDevAccount(page, platform.world.admin)
        expect((await act(page, "registry-unpause")).key).toBe("compliance.unpausedDone")
        await expect.poll(() => page.getByTestId("registry-paused").getAttribute("data-paused")).toBe("false")
        expect(browsers[0]!.problems).toEqual([])
    })

    it("the admin's emergency brake on proofs pauses the credit verifier and the loan market (which checks its borrows' proofs itself), and lifts both", async () => {
        const { page } = browsers[0]!
        const provider = new JsonRpcProvider(platform.rpcUrl)
        const contracts = connectContracts(platform.deployment, provider)
        const pausedOnChain = async () => [await contracts.creditVerifier.getFunction("paused")(), await contracts.loanMarket.getFunction("paused")()]
        expect(await pausedOnChain()).toEqual([false, false])
        expect((await act(page, "verifier-pause")).key).toBe("emergency.verifierPausedDone")
        await expect.poll(() => page.getByTestId("verifier-paused").getAttribute("data-paused")).toBe("true")
        expect(await pausedOnChain()).toEqual([true, true])
        expect((await act(page, "verifier-unpause")).key).toBe("emergency.verifierUnpausedDone")
        await expect.poll(() => page.getByTestId("verifier-paused").getAttribute("data-paused")).toBe("false")
        expect(await pausedOnChain()).toEqual([false, false])
        provider.destroy()
        expect(browsers[0]!.problems).toEqual([])
    })
})
