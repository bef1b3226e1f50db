/**
 * Loan requests in the app, on a real local chain with the real deployment: a demo borrower with a
 * bureau attestation lists a request on /requests with a proof made in Chromium; two lender
 * accounts, each in its own browser, see it with its proven band and the pseudonym's public record
 * (never a score) and fund a part each; the part that completes it disburses, and the borrower's
 * page shows the funding progress, the disbursement and the money in its account without a reload.
 * Then the borrower repays an instalment, one lender sees its position's received, claimable and
 * expected repayments, claims, and transfers the position to another account (a contract that
 * takes no NFTs is refused with the market's reason, in the page's words). Every money move is
 * confirmed once. Nothing the borrower's browser sends or logs carries the secret, the
 * attestation's signature, the score or the Merkle leaf index. Screenshots in zh-CN and English.
 */
import { Contract, JsonRpcProvider } from "ethers"
import type { Page, Request } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { loanInterest } from "../../client/src/loan-schedule.ts"
import type { DemoBorrower } from "../../scripts/lib/demo-world.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { Identity } from "../../prover/src/identity.ts"
import { actConfirmed, CATALOGS, connectDevAccount, describeInBrowser, ensureIdentity, getAttestation, hex32, launchBrowser, open, screenshotBoth as screenshotInBoth, startTestPlatform, type Locale, type TestBrowser } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORTS = { chain: testPort(8880), bureau: testPort(8881), app: testPort(8882) }
const TUSD = 1_000_000n
const PRINCIPAL = 1_500n * TUSD
const PART_A = 600n * TUSD
const PART_B = 900n * TUSD
const APR_BPS = 1200
const TERM_DAYS = 60
const BAND = 650
/** The first lender's share of principal and interest, repaid on schedule. */
const EXPECTED_A = ((PRINCIPAL + loanInterest(PRINCIPAL, APR_BPS, TERM_DAYS * 86_400)) * PART_A) / PRINCIPAL

let platform: Platform
let stateDir: string
let url: string
let person: DemoBorrower
let borrower: TestBrowser
let lenderA: TestBrowser
let lenderB: TestBrowser
let requestId: number
let balanceBefore: bigint
let positionA: number
const sent: { url: string; body: string }[] = []
const logged: string[] = []

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "requests"))
    person = platform.world.borrowers.find((b) => b.name === "wu-fang")!
    borrower = await launchBrowser()
    borrower.context.on("request", (request: Request) => sent.push({ url: request.url(), body: request.postData() ?? "" }))
    borrower.page.on("console", (message) => logged.push(message.text()))
    lenderA = await launchBrowser()
    lenderB = await launchBrowser()
})

afterAll(async () => {
    for (const b of [borrower, lenderA, lenderB]) await b?.close()
    await platform?.stop()
})

const T = (locale: Locale, key: keyof (typeof CATALOGS)["en"]) => CATALOGS[locale][key]
const zh = (value: bigint) => `${new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 6, maximumFractionDigits: 6 }).format(Number(value) / 1e6)} tUSD`
const raw = async (page: Page, testid: string) => BigInt((await page.getByTestId(testid).getAttribute("data-raw")) ?? "-1")
const tokenBalance = (page: Page) => raw(page, "wallet-token-balance")

/** A screenshot in both languages, each checked for layout; the page is left in zh-CN. */
const screenshotBoth = (page: Page, name: string) => screenshotInBoth(page, `requests-${name}`)

/** A lender's browser on /requests with its dev account. */
async function openAsLender(b: TestBrowser, address: string): Promise<Page> {
    await open(b.page, `${url}/requests`)
    await connectDevAccount(b.page, address)
    return b.page
}

describeInBrowser("a loan request funded by two lenders", () => {
    it("the borrower lists a request with a proof made in the browser, and sees it open at 0%", async () => {
        const { page } = borrower
        expect(person.score).toBeGreaterThanOrEqual(BAND)
        await open(page, `${url}/borrower`)
        await connectDevAccount(page, person.address)
        await ensureIdentity(page, stateDir, person)
        await getAttestation(page, stateDir, person)
        await page.getByTestId("nav-requests").click()
        await page.getByTestId("request-create-section").waitFor()
        await page.getByTestId("request-principal").waitFor()
        // the form starts empty, examples as placeholders, and cannot be sent until filled
        expect(await page.getByTestId("request-principal").inputValue()).toBe("")
        expect(await page.getByTestId("request-submit").isDisabled()).toBe(true)
        // a band above the attested score is named inline (the score is the page's own, never sent)
        await page.getByTestId("request-band").fill(String(person.score + 1))
        expect(await page.getByTestId("request-band-error").innerText()).toBe(T("zh-CN", "requests.bandAboveScore").replace("{score}", String(person.score)))
        for (const [id, value] of [["request-principal", "1500"], ["request-apr", "12%"], ["request-term", String(TERM_DAYS)], ["request-instalments", "2"], ["request-band", String(BAND)], ["request-funding", "7"]] as const) {
            await page.getByTestId(id).fill(value)
        }
        await screenshotBoth(page, "01-form")
        balanceBefore = await tokenBalance(page)
        const created = await actConfirmed(page, "request-submit", 240_000)
        expect(created, created.text).toMatchObject({ kind: "success", key: "requests.created" })
        expect(created.confirmation).toContain(zh(PRINCIPAL))
        expect(created.confirmation).toContain(T("zh-CN", "requests.bandValue").replace("{score}", String(BAND)))
        const mine = page.locator('article[data-testid^="my-request-"]')
        await expect.poll(() => mine.count()).toBe(1)
        requestId = Number((await mine.getAttribute("data-testid"))!.replace("my-request-", ""))
        expect(await page.getByTestId(`my-request-status-${requestId}`).innerText()).toBe(T("zh-CN", "requests.status.open"))
        expect(await page.getByTestId(`my-request-progress-${requestId}`).getAttribute("data-raised")).toBe("0")
        expect(await page.getByTestId(`my-request-progress-${requestId}`).innerText()).toContain(`${zh(0n)} / ${zh(PRINCIPAL)}`)
        await screenshotBoth(page, "02-listed")
        expect(borrower.problems).toEqual([])
    }, 300_000)

    it("the first lender sees the band and the pseudonym's record, never a score, and funds a part", async () => {
        const page = await openAsLender(lenderA, platform.world.lenders[0]!)
        const listing = page.getByTestId(`open-request-${requestId}`)
        await listing.waitFor()
        expect(await page.getByTestId(`open-request-band-${requestId}`).innerText()).toBe(T("zh-CN", "requests.bandValue").replace("{score}", String(BAND)))
        // a fresh pseudonym in this market: one open request counts as active, nothing else yet
        const record = page.getByTestId(`record-${requestId}`)
        expect(await record.getAttribute("data-loans-taken")).toBe("0")
        expect(await record.getAttribute("data-active")).toBe("1")
        expect(await record.getAttribute("data-defaults")).toBe("0")
        expect(await listing.innerText()).not.toContain(String(person.score))
        // more than is missing is named inline
        await page.getByTestId(`fund-amount-${requestId}`).fill("1500.000001")
        await page.getByTestId(`fund-amount-error-${requestId}`).waitFor()
        expect(await page.getByTestId(`fund-${requestId}`).isDisabled()).toBe(true)
        await page.getByTestId(`fund-amount-${requestId}`).fill("600")
        await screenshotBoth(page, "03-lender-listing")
        const funded = await actConfirmed(page, `fund-${requestId}`)
        expect(funded, funded.text).toMatchObject({ kind: "success", key: "requests.funded" })
        expect(funded.confirmation).toContain(zh(PART_A))
        await expect.poll(() => page.getByTestId(`open-request-progress-${requestId}`).getAttribute("data-raised")).toBe(PART_A.toString())
        expect(await page.getByTestId(`open-request-progress-${requestId}`).innerText()).toContain("40%")
        // the position is in the portfolio at once, with what it brings back if the request fills
        const rows = page.locator('tr[data-testid^="position-"]')
        await expect.poll(() => rows.count()).toBe(1)
        positionA = Number((await rows.getAttribute("data-testid"))!.replace("position-", ""))
        expect(await page.getByTestId(`position-status-${positionA}`).innerText()).toBe(T("zh-CN", "requests.status.open"))
        expect(await raw(page, `position-expected-${positionA}`)).toBe(EXPECTED_A)
        expect(lenderA.problems).toEqual([])
    })

    it("the borrower's page shows the progress by itself", async () => {
        const { page } = borrower
        await expect.poll(() => page.getByTestId(`my-request-progress-${requestId}`).getAttribute("data-raised"), { timeout: 20_000 }).toBe(PART_A.toString())
        expect(await page.getByTestId(`my-request-progress-${requestId}`).innerText()).toContain(`${zh(PART_A)} / ${zh(PRINCIPAL)}`)
        expect(await page.getByTestId(`my-request-progress-bar-${requestId}`).getAttribute("aria-valuenow")).toBe("40")
    })

    it("the second lender funds the rest: the request disburses", async () => {
        const page = await openAsLender(lenderB, platform.world.lenders[1]!)
        await page.getByTestId(`open-request-${requestId}`).waitFor()
        expect(await page.getByTestId(`open-request-progress-${requestId}`).getAttribute("data-raised")).toBe(PART_A.toString())
        await page.getByTestId(`fund-amount-${requestId}`).fill("900")
        const funded = await actConfirmed(page, `fund-${requestId}`)
        expect(funded, funded.text).toMatchObject({ kind: "success", key: "requests.fundedAndDisbursed" })
        expect(funded.confirmation).toContain(zh(PART_B))
        // no longer open: the listing is gone, and the position is in this lender's portfolio
        await expect.poll(() => page.getByTestId(`open-request-${requestId}`).count()).toBe(0)
        await expect.poll(() => page.locator('tr[data-testid^="position-"]').count()).toBe(1)
        expect(lenderB.problems).toEqual([])
    })

    it("the borrower sees the disbursement: status, amount and the money in the account", async () => {
        const { page } = borrower
        await expect.poll(() => page.getByTestId(`my-request-status-${requestId}`).innerText(), { timeout: 20_000 }).toBe(T("zh-CN", "requests.status.active"))
        expect(await page.getByTestId(`request-disbursed-${requestId}`).innerText()).toContain(zh(PRINCIPAL))
        expect(await page.getByTestId(`my-request-progress-${requestId}`).innerText()).toContain("100%")
        await expect.poll(() => tokenBalance(page), { timeout: 20_000 }).toBe(balanceBefore + PRINCIPAL)
        expect(await page.getByTestId("wallet-balances").innerText()).toContain(zh(balanceBefore + PRINCIPAL))
        await screenshotBoth(page, "04-disbursed")
        expect(borrower.problems).toEqual([])
    })

    it("the first lender's portfolio shows its position with received and expected repayments", async () => {
        const page = lenderA.page
        await expect.poll(() => page.getByTestId(`position-status-${positionA}`).innerText(), { timeout: 20_000 }).toBe(T("zh-CN", "requests.status.active"))
        expect(await raw(page, `position-amount-${positionA}`)).toBe(PART_A)
        expect(await raw(page, `position-received-${positionA}`)).toBe(0n)
        expect(await raw(page, `position-expected-${positionA}`)).toBe(EXPECTED_A)
        expect(await page.getByTestId(`position-expected-${positionA}`).innerText()).toBe(zh(EXPECTED_A))
        expect(await page.getByTestId(`position-received-${positionA}`).innerText()).toBe(zh(0n))
        await screenshotBoth(page, "05-portfolio")
    })

    it("the borrower repays an instalment; the lender claims its share and sees it received", async () => {
        const b = borrower.page
        const repaid = await actConfirmed(b, `request-repay-instalment-${requestId}`)
        expect(repaid, repaid.text).toMatchObject({ kind: "success", key: "repay.success" })
        expect(await raw(b, `request-repaid-${requestId}`)).toBeGreaterThan(0n)
        const total = await raw(b, `request-repaid-${requestId}`)
        const share = (total * PART_A) / PRINCIPAL
        const page = lenderA.page
        await expect.poll(() => raw(page, `position-claimable-${positionA}`), { timeout: 20_000 }).toBe(share)
        const claimed = await actConfirmed(page, `position-claim-${positionA}`)
        expect(claimed, claimed.text).toMatchObject({ kind: "success", key: "requests.claimed" })
        expect(claimed.confirmation).toContain(zh(share))
        await expect.poll(() => raw(page, `position-received-${positionA}`)).toBe(share)
        expect(await page.getByTestId(`position-received-${positionA}`).innerText()).toBe(zh(share))
        expect(await raw(page, `position-claimable-${positionA}`)).toBe(0n)
        await screenshotBoth(page, "06-claimed")
    })

    it("the lender transfers its position: a wrong address is named inline, then it leaves the portfolio", async () => {
        const page = lenderA.page
        const to = platform.world.admin
        await page.getByTestId(`position-transfer-to-${positionA}`).fill("0x1234")
        await page.getByTestId(`position-transfer-${positionA}`).click()
        expect(await page.getByTestId(`position-transfer-error-${positionA}`).innerText()).toBe(T("zh-CN", "position.transferInvalid"))
        // a contract that takes no NFTs: the market refuses, and the page says why in its own words
        await page.getByTestId(`position-transfer-to-${positionA}`).fill(platform.deployment.contracts.stablecoin!)
        const refused = await actConfirmed(page, `position-transfer-${positionA}`)
        expect(refused, refused.text).toMatchObject({ kind: "error", key: "error.revert.ERC721InvalidReceiver" })
        expect(refused.text).toContain(T("zh-CN", "error.revert.ERC721InvalidReceiver"))
        expect(await page.getByTestId(`position-${positionA}`).count()).toBe(1)
        await page.getByTestId(`position-transfer-to-${positionA}`).fill(to)
        const moved = await actConfirmed(page, `position-transfer-${positionA}`)
        expect(moved, moved.text).toMatchObject({ kind: "success", key: "requests.transferred" })
        expect(moved.confirmation).toContain(to)
        await page.getByTestId("positions-none").waitFor()
        // the new holder sees it, with what was already received
        await connectDevAccount(page, to)
        await page.getByTestId(`position-${positionA}`).waitFor()
        expect(await raw(page, `position-amount-${positionA}`)).toBe(PART_A)
        expect(lenderA.problems).toEqual([])
    })
})

describeInBrowser("a request cancelled before it fills", () => {
    it("the borrower repays the first loan in full, then lists a second request", async () => {
        const { page } = borrower
        const repaid = await actConfirmed(page, `request-repay-all-${requestId}`)
        expect(repaid, repaid.text).toMatchObject({ kind: "success", key: "repay.successAll" })
        expect(await page.getByTestId(`my-request-status-${requestId}`).innerText()).toBe(T("zh-CN", "requests.status.repaid"))
        expect(await page.getByTestId("record-mine").getAttribute("data-loans-repaid")).toBe("1")
        expect(await page.getByTestId("record-mine").getAttribute("data-active")).toBe("0")
        for (const [id, value] of [["request-principal", "400"], ["request-apr", "10"], ["request-term", "30"], ["request-instalments", "1"], ["request-band", String(BAND)], ["request-funding", "3"]] as const) {
            await page.getByTestId(id).fill(value)
        }
        const created = await actConfirmed(page, "request-submit", 120_000)
        expect(created, created.text).toMatchObject({ kind: "success", key: "requests.created" })
        await expect.poll(() => page.locator('article[data-testid^="my-request-"]').count()).toBe(2)
        expect(await page.getByTestId(`my-request-status-${requestId + 1}`).innerText()).toBe(T("zh-CN", "requests.status.open"))
    }, 180_000)

    it("a lender funds a part; the borrower cancels; the lender takes its refund and the position is gone", async () => {
        const second = requestId + 1
        const page = lenderB.page
        await page.getByTestId(`open-request-${second}`).waitFor({ timeout: 20_000 })
        // the pseudonym's record now shows the repaid loan, and still no score
        expect(await page.getByTestId(`record-${second}`).getAttribute("data-loans-repaid")).toBe("1")
        const before = await tokenBalance(page)
        await page.getByTestId(`fund-amount-${second}`).fill("150")
        expect((await actConfirmed(page, `fund-${second}`)).key).toBe("requests.funded")
        const b = borrower.page
        await expect.poll(() => b.getByTestId(`my-request-progress-${second}`).getAttribute("data-raised"), { timeout: 20_000 }).toBe((150n * TUSD).toString())
        const cancelled = await actConfirmed(b, `request-cancel-${second}`)
        expect(cancelled, cancelled.text).toMatchObject({ kind: "success", key: "requests.cancelled" })
        expect(await b.getByTestId(`my-request-status-${second}`).innerText()).toBe(T("zh-CN", "requests.status.cancelled"))
        const refund = page.locator('[data-testid^="position-refund-"]')
        await expect.poll(() => refund.count(), { timeout: 20_000 }).toBe(1)
        const id = Number((await refund.getAttribute("data-testid"))!.replace("position-refund-", ""))
        expect(await raw(page, `position-expected-${id}`)).toBe(150n * TUSD)
        const refunded = await actConfirmed(page, `position-refund-${id}`)
        expect(refunded, refunded.text).toMatchObject({ kind: "success", key: "requests.refunded" })
        expect(refunded.confirmation).toContain(zh(150n * TUSD))
        await expect.poll(() => page.getByTestId(`position-${id}`).count()).toBe(0)
        expect(await tokenBalance(page)).toBe(before)
        await screenshotBoth(b, "07-cancelled")
        expect(lenderB.problems).toEqual([])
        expect(borrower.problems).toEqual([])
    })
})

describeInBrowser("the borrower's privacy", () => {
    /** Where the borrower's commitment sits in the KYC tree, from the registry's public events. */
    async function leafIndexOf(commitment: bigint): Promise<number> {
        const provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
        try {
            const registry = new Contract(platform.deployment.contracts.trustRegistry, KycRegistryAbi, provider)
            for (const log of await registry.queryFilter(registry.filters.MembersAdded!())) {
                const { startIndex, commitments } = (log as unknown as { args: { startIndex: bigint; commitments: bigint[] } }).args
                const at = commitments.indexOf(commitment)
                if (at >= 0) return Number(startIndex) + at
            }
            throw new Error("the borrower's commitment is not in the registry's events")
        } finally {
            provider.destroy()
        }
    }

    it("the borrower's browser sent and logged nothing that carries the secret, the signature, the score or the leaf index", async () => {
        const { page } = borrower
        const vault = await page.evaluate(
            () =>
                new Promise<{ secret: string; signature: { R8: [string, string]; S: string } }>((resolve, reject) => {
                    const req = indexedDB.open("zkcredit")
                    req.onsuccess = () => {
                        const store = req.result.transaction("vault").objectStore("vault")
                        const id = store.get("identity")
                        const at = store.get("attestation")
                        at.onsuccess = () => resolve({ secret: id.result.secret, signature: at.result.attestation.signature })
                        at.onerror = () => reject(at.error)
                    }
                    req.onerror = () => reject(req.error)
                })
        )
        const identity = new Identity(vault.secret)
        const forms = (v: bigint) => [v.toString(), v.toString(16), hex32(v).slice(2)]
        const secrets = [identity.secret, BigInt(vault.signature.R8[0]), BigInt(vault.signature.R8[1]), BigInt(vault.signature.S)].flatMap(forms)
        const bureau = new URL(platform.bureauUrl).origin
        const scoreWord = person.score.toString(16).padStart(64, "0")
        const leafIndex = await leafIndexOf(identity.commitment)
        const leafWord = leafIndex.toString(16).padStart(64, "0")
        /** The 32-byte words of every hex string in a body (call data after its selector, or plain words). */
        const words = (body: string) => [...body.matchAll(/0x([0-9a-f]+)/gi)].flatMap(([, hex]) => (hex!.length % 64 === 8 ? hex!.slice(8) : hex!).match(/.{64}/g) ?? [])
        expect(sent.length).toBeGreaterThan(20)
        for (const r of sent) {
            for (const v of secrets) expect(`${r.url} ${r.body}`.includes(v), `${r.url} carries a secret`).toBe(false)
            if (r.url.startsWith(bureau)) continue
            expect(words(r.body).includes(scoreWord), `${r.url} has the score as an argument`).toBe(false)
            expect(words(r.body).includes(leafWord), `${r.url} has the leaf index as an argument`).toBe(false)
            expect(r.body, r.url).not.toMatch(new RegExp(`"(score|index|leafIndex)"\\s*:\\s*"?(${person.score}|${leafIndex})\\b`))
        }
        for (const line of logged) for (const v of secrets) expect(line.includes(v), `the console logged a secret: ${line.slice(0, 80)}`).toBe(false)
    })
})
