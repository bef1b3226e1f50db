/**
 * From a fresh browser profile, a demo borrower restores their identity, gets an attestation
 * from the bureau, proves in the browser (a real Groth16 proof in a Web Worker), borrows,
 * sees the schedule and repays an instalment; the lender then sees the loan. The identity
 * secret never appears in a request, in localStorage or in the console.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { Identity } from "../../prover/src/identity.ts"
import { DEMO_BACKUP_PASSWORD, type DemoBorrower } from "../../scripts/lib/demo-world.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { act, CATALOGS, connectDevAccount, describeInBrowser, getAttestation, hex32, launchBrowser, open, restoreIdentity, screenshot, type TestBrowser } from "./helpers.ts"
import { startTestPlatform } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORTS = { chain: testPort(8810), bureau: testPort(8811), app: testPort(8812) }

let platform: Platform
let stateDir: string
let url: string
let browser: TestBrowser
let borrower: DemoBorrower
let secret: bigint
const requestBodies: string[] = []

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "borrow"))
    borrower = platform.world.borrowers.find((b) => b.name === "chen-wei")!
    secret = (await Identity.importBackup(readFileSync(join(stateDir, borrower.backupFile), "utf8"), DEMO_BACKUP_PASSWORD)).secret
    browser = await launchBrowser()
    browser.page.on("request", (request) => requestBodies.push(`${request.url()} ${request.postData() ?? ""}`))
})

afterAll(async () => {
    await browser?.close()
    await platform?.stop()
})

describeInBrowser("borrower, in a fresh browser profile", () => {
    it("restores the identity from its backup and keeps it across a reload", async () => {
        const { page } = browser
        await open(page, `${url}/borrower`)
        await screenshot(page, "borrow-01-empty")
        await connectDevAccount(page, borrower.address)
        await restoreIdentity(page, stateDir, borrower)
        expect(await page.getByTestId("identity-commitment").getAttribute("data-value")).toBe(hex32(borrower.commitment))
        await expect.poll(() => page.getByTestId("kyc-status").getAttribute("data-member"), { timeout: 30_000 }).toBe("true")
        await page.reload()
        await page.getByTestId("identity-commitment").waitFor()
        expect(await page.getByTestId("identity-commitment").getAttribute("data-value")).toBe(hex32(borrower.commitment))
        expect(await page.getByTestId("wallet-address").getAttribute("data-value")).toBe(borrower.address)
    })

    it("gets an attestation from the bureau, kept in IndexedDB across a reload", async () => {
        const { page } = browser
        await getAttestation(page, stateDir, borrower)
        expect(await page.getByTestId("attestation-score").innerText()).toBe(String(borrower.score))
        await page.reload()
        await page.getByTestId("attestation-score").waitFor()
        expect(await page.getByTestId("attestation-score").innerText()).toBe(String(borrower.score))
        await screenshot(page, "borrow-02-attested")
    })

    it("sees which tiers qualify before proving", async () => {
        const { page } = browser
        const offer = platform.world.offerIds[0]!
        const rows = page.locator(`[data-testid^="tier-${offer}-"]`)
        await expect.poll(() => rows.count()).toBe(3)
        for (const [i, minScore] of [600, 680, 750].entries()) {
            expect(await page.getByTestId(`tier-${offer}-${i}`).getAttribute("data-qualifies")).toBe(String(borrower.score >= minScore))
        }
    })

    it("proves in the browser with staged progress and borrows", async () => {
        const { page } = browser
        const offer = platform.world.offerIds[0]!
        const tier = [600, 680, 750].filter((s) => borrower.score >= s).length - 1
        await page.getByTestId(`select-${offer}-${tier}`).click()
        await page.getByTestId("borrow-principal").fill("200")
        const stagesSeen = new Set<string>()
        const watch = setInterval(() => {
            void page.getByTestId("proof-progress").getAttribute("data-stage", { timeout: 200 }).then((s) => s && stagesSeen.add(s)).catch(() => {})
        }, 50)
        const result = await act(page, "borrow-submit", 90_000)
        clearInterval(watch)
        expect(result, result.text).toMatchObject({ kind: "success", key: "borrow.success" })
        await expect.poll(() => page.getByTestId("proof-progress").getAttribute("data-stage")).toBe("done")
        // the worker reported every stage, and the app timed the proof (artifacts from the network the first time)
        const proofs = await page.evaluate(() => (window as unknown as { __zkcredit: { proofs: { totalMs: number; artifactsFrom: string; stages: Record<string, number> } [] } }).__zkcredit.proofs)
        expect(proofs).toHaveLength(1)
        expect(Object.keys(proofs[0]!.stages)).toEqual(["checking-inputs", "loading-artifacts", "computing-witness", "proving"])
        expect(proofs[0]!.artifactsFrom).toBe("network")
        expect(stagesSeen.size).toBeGreaterThan(0)
        // the artifacts are in the Cache API now
        const cached = await page.evaluate(async () => (await (await caches.open("zkcredit-artifacts-v1")).keys()).map((r) => new URL(r.url).pathname).sort())
        expect(cached).toEqual(["/artifacts/credit-proof.wasm", "/artifacts/credit-proof.zkey"])
        await screenshot(page, "borrow-03-borrowed")
    })

    it("shows the schedule and the next due date, repays an instalment, updates the record", async () => {
        const { page } = browser
        await page.getByTestId("loan-0").waitFor()
        await expect.poll(() => page.locator('[data-testid^="instalment-0-"]').count()).toBe(3)
        expect(await page.getByTestId("instalment-0-0").getAttribute("data-state")).toBe("due")
        expect(await page.getByTestId("next-due-0").innerText()).toMatch(/\d/)
        expect(await page.getByTestId("record-loans-taken").innerText()).toBe("1")
        const result = await act(page, "repay-instalment-0")
        expect(result, result.text).toMatchObject({ kind: "success", key: "repay.success" })
        await expect.poll(() => page.getByTestId("instalment-0-0").getAttribute("data-state")).toBe("paid")
        expect(BigInt((await page.getByTestId("loan-repaid-0").getAttribute("data-raw")) ?? "0")).toBeGreaterThan(0n)
        expect(await page.getByTestId("record-active").innerText()).toBe("1")
        await screenshot(page, "borrow-04-repaid")
    })

    it("downloads an encrypted backup that restores the same identity", async () => {
        const { page } = browser
        await page.getByTestId("backup-password-new").fill("another-password")
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("backup-download").click()])
        const text = readFileSync((await download.path())!, "utf8")
        for (const form of [secret.toString(), secret.toString(16)]) expect(text.includes(form)).toBe(false)
        expect(JSON.parse(text).format).toBe("zkcredit-identity-backup")
        expect((await Identity.importBackup(text, "another-password")).commitment.toString()).toBe(borrower.commitment)
    })

    it("never sent or stored the identity secret in the clear", async () => {
        const { page } = browser
        const forms = [secret.toString(), secret.toString(16), hex32(secret).slice(2)]
        for (const body of requestBodies) for (const form of forms) expect(body.includes(form), `a request carried the secret: ${body.slice(0, 120)}`).toBe(false)
        const local = await page.evaluate(() => JSON.stringify({ ...localStorage }))
        for (const form of forms) expect(local.includes(form)).toBe(false)
        expect(browser.problems.filter((p) => forms.some((f) => p.includes(f)))).toEqual([])
        expect(browser.problems).toEqual([])
    })
})

describeInBrowser("lender", () => {
    it("sees the loan, its pseudonym's record and the repayment chart", async () => {
        const { page } = browser
        await open(page, `${url}/lender`)
        await connectDevAccount(page, platform.world.lenders[0]!)
        const row = page.getByTestId("lender-loan-0")
        await row.waitFor()
        expect(await row.getAttribute("data-status")).toBe("Active")
        expect(BigInt((await page.getByTestId("lender-loan-repaid-0").getAttribute("data-raw")) ?? "0")).toBeGreaterThan(0n)
        const chart = page.getByTestId("repayment-chart")
        await expect.poll(() => chart.getAttribute("data-received-points")).toBe("1")
        expect(await chart.getAttribute("data-expected-points")).toBe("3")
        await screenshot(page, "lend-01-loans")
    })
})

describeInBrowser("a new lender", () => {
    it("gets test tokens, creates an offer with tiers, deposits, withdraws and pauses it", async () => {
        const { page } = browser
        await open(page, `${url}/lender`)
        // the admin account has ETH and has not used the faucet yet
        await connectDevAccount(page, platform.world.admin)
        expect(await page.getByTestId("lender-no-offers").isVisible()).toBe(true)
        expect((await act(page, "faucet")).key).toBe("lender.fauceted")
        // a mistake is named before anything is sent
        await page.getByTestId("tier-min-1").fill("600")
        expect((await act(page, "offer-create")).key).toBe("lender.form.invalid")
        expect(await page.getByTestId("offer-form-errors").innerText()).toContain(CATALOGS["zh-CN"]["lender.form.tiersAscending"])
        await page.getByTestId("tier-min-1").fill("700")
        await page.getByTestId("offer-capacity").fill("2000")
        const created = await act(page, "offer-create")
        expect(created, created.text).toMatchObject({ kind: "success", key: "lender.created" })
        const id = platform.world.offerIds.length
        await page.getByTestId(`lender-offer-${id}`).waitFor()
        expect(await page.getByTestId(`offer-available-${id}`).getAttribute("data-raw")).toBe("2000000000")
        await page.getByTestId(`deposit-input-${id}`).fill("500")
        expect((await act(page, `deposit-${id}`)).key).toBe("lender.deposited")
        await page.getByTestId(`withdraw-input-${id}`).fill("300")
        expect((await act(page, `withdraw-${id}`)).key).toBe("lender.withdrawn")
        await expect.poll(() => page.getByTestId(`offer-available-${id}`).getAttribute("data-raw")).toBe("2200000000")
        expect((await act(page, `pause-${id}`)).key).toBe("lender.paused")
        await expect.poll(() => page.getByTestId(`offer-state-${id}`).innerText()).toBe(CATALOGS["zh-CN"]["offers.paused"])
        await screenshot(page, "lend-02-new-offer")
        expect(browser.problems).toEqual([])
    })
})
