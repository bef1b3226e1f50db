/**
 * Positions of loans taken from offers, on the lender page, on a real local chain with the real
 * deployment: a demo borrower borrows from the first demo lender's offer with a real proof (made
 * in Node, as the supervision test does; the borrower page's proof has its own test). The lender
 * sees the loan with no position and opens one from the page (asked once); the borrower repays an
 * instalment, and the lender's page shows it received and claimable by itself; the lender claims
 * it (its balance grows by exactly that, to the wei) and transfers the position (a malformed
 * address and its own are named inline) to the second demo lender. That account's browser shows
 * the position in its portfolio, with what was received and claimed before, and claims the next
 * repayment to the wei; the first lender's position is gone from its portfolio, its loans table
 * names the new holder, and a tab of it left in the background (its poll paused, as the page does
 * for hidden tabs) that still offers the claim gets the market's refusal, NotPositionHolder, in
 * the page's words with the loan's id. Neither page shows anything of the borrower but its
 * pseudonym and public record. Layout checked and screenshots taken in zh-CN and English.
 * Ports 8890-8892.
 */
import { Contract, JsonRpcProvider, type ContractTransactionReceipt } from "ethers"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { connectContracts, type ZkCreditContracts } from "../../client/src/contracts.ts"
import { decodeRevert } from "../../client/src/errors.ts"
import { readOffer } from "../../client/src/views.ts"
import type { DemoBorrower } from "../../scripts/lib/demo-world.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { testPort } from "../helpers/ports.ts"
import { actConfirmed, borrowAsDemo, CATALOGS, connectDevAccount, describeInBrowser, launchBrowser, open, screenshotBoth, startTestPlatform, type Locale, type TestBrowser } from "./helpers.ts"

const PORTS = { chain: testPort(8890), bureau: testPort(8891), app: testPort(8892) }
const TUSD = 1_000_000n
const PRINCIPAL = 600n * TUSD
const OFFER = 0
const TIER = 0

let platform: Platform
let stateDir: string
let url: string
let provider: JsonRpcProvider
let contracts: ZkCreditContracts
let person: DemoBorrower
let loanId: number
let lenderA: string
let lenderB: string
let first: TestBrowser
let second: TestBrowser
/** The first lender's page, opened before the transfer and left in the background. */
let staleTab: Page
/** What each repayment paid (instalment and late fees). */
const paid: bigint[] = []

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "offer-positions"))
    provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
    contracts = connectContracts(platform.deployment, provider)
    ;[lenderA, lenderB] = platform.world.lenders as [string, string]
    const minScore = (await readOffer(contracts.loanMarket, OFFER))!.tiers[TIER]!.minScore
    person = platform.world.borrowers.find((b) => b.score >= minScore)!
    ;({ loanId } = await borrowAsDemo({ platform, stateDir, provider, contracts, borrower: person, offer: OFFER, tier: TIER, principal: PRINCIPAL, allowance: 2_000n * TUSD }))
    ;[first, second] = await Promise.all([launchBrowser(), launchBrowser()])
})

afterAll(async () => {
    for (const b of [first, second]) await b?.close()
    provider?.destroy()
    await platform?.stop()
})

const T = (locale: Locale, key: keyof (typeof CATALOGS)["en"]) => CATALOGS[locale][key]
const zh = (value: bigint) => `${new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 6, maximumFractionDigits: 6 }).format(Number(value) / 1e6)} tUSD`
const raw = async (page: Page, testid: string) => BigInt((await page.getByTestId(testid).getAttribute("data-raw")) ?? "-1")
const tokenBalance = (page: Page) => raw(page, "wallet-token-balance")
const chainBalance = async (address: string) => (await contracts.stablecoin!.getFunction("balanceOf")(address)) as bigint
/** What the loan still owes toward principal and interest, as the market says. */
const owed = async () => {
    const p = (await contracts.loanMarket.getFunction("loanPosition")(loanId)) as { totalDue: bigint; repaid: bigint }
    return p.totalDue - p.repaid
}

/** The borrower pays its next instalment (from Node, as its wallet would); returns what it paid. */
async function repayInstalment(): Promise<bigint> {
    const market = contracts.loanMarket.connect(await provider.getSigner(person.address)) as Contract
    const receipt = (await (await market.getFunction("repayInstalment")(loanId)).wait()) as ContractTransactionReceipt
    const log = receipt.logs.map((l) => contracts.loanMarket.interface.parseLog(l)).find((l) => l?.name === "LoanRepayment")!
    const amount = (log.args.amount as bigint) + (log.args.lateFees as bigint)
    paid.push(amount)
    return amount
}

/** A lender's browser on /lender with its dev account, once the page has read the chain. */
async function openLender(page: Page, address: string): Promise<void> {
    await open(page, `${url}/lender`)
    await connectDevAccount(page, address)
    await page.getByTestId("offer-positions-section").waitFor()
    const none = page.getByTestId("offer-positions-none")
    const read = async () => (await page.locator('tr[data-testid^="offer-position-"]').count()) > 0 || ((await none.count()) > 0 && (await none.innerText()) !== T("zh-CN", "common.loading"))
    await expect.poll(read).toBe(true)
}

/**
 * The holder claims from its page after one confirmation that names the amount: its balance grows
 * by exactly `amount` (on chain and on the page), the position shows `claimedAfter` claimed and
 * nothing left to claim, and no claim is offered any more.
 */
async function claimChecked(page: Page, holder: string, amount: bigint, claimedAfter: bigint): Promise<void> {
    const before = await tokenBalance(page)
    expect(before).toBe(await chainBalance(holder))
    const claimed = await actConfirmed(page, `offer-position-claim-${loanId}`)
    expect(claimed, claimed.text).toMatchObject({ kind: "success", key: "lender.positions.claimDone" })
    expect(claimed.confirmation).toContain(zh(amount))
    expect(await chainBalance(holder)).toBe(before + amount)
    await expect.poll(() => tokenBalance(page)).toBe(before + amount)
    expect(await raw(page, `offer-position-claimed-${loanId}`)).toBe(claimedAfter)
    expect(await raw(page, `offer-position-claimable-${loanId}`)).toBe(0n)
    expect(await page.getByTestId(`offer-position-claim-${loanId}`).count()).toBe(0)
}

/** Neither the borrower's address nor anything but its pseudonym and public record is on the lender's page. */
async function expectNothingOfTheBorrower(page: Page): Promise<void> {
    const html = (await page.locator('[data-testid="lender-loans"], [data-testid="offer-positions-section"]').evaluateAll((els) => els.map((e) => e.outerHTML).join("\n"))).toLowerCase()
    expect(html).not.toContain(person.address.slice(2).toLowerCase())
    expect(html).not.toContain(BigInt(person.commitment).toString(16))
}

describeInBrowser("positions of loans from offers, on the lender page", () => {
    it("the lender sees the loan from its offer without a position, and opens one after one confirmation", async () => {
        const { page } = first
        await openLender(page, lenderA)
        const cell = page.getByTestId(`loan-position-${loanId}`)
        await cell.waitFor()
        expect(await cell.getAttribute("data-open")).toBe("false")
        expect(await page.getByTestId(`open-position-${loanId}`).innerText()).toBe(T("zh-CN", "lender.openPosition"))
        expect(await page.getByTestId("offer-positions-none").innerText()).toBe(T("zh-CN", "lender.positions.none"))
        await screenshotBoth(page, "offer-positions-00-not-open")
        const stillOwed = await owed()
        const opened = await actConfirmed(page, `open-position-${loanId}`)
        expect(opened, opened.text).toMatchObject({ kind: "success", key: "lender.positionOpened" })
        expect(opened.confirmation).toContain(zh(stillOwed))
        expect(opened.confirmation).toContain(T("zh-CN", "lender.confirmOpenNote").replace("{offer}", String(OFFER)))
        // open, held by this account; no second opening is offered
        expect(await cell.getAttribute("data-open")).toBe("true")
        expect(await cell.innerText()).toContain(T("zh-CN", "lender.position.heldByYou"))
        expect(await page.getByTestId(`open-position-${loanId}`).count()).toBe(0)
        expect(((await contracts.loanMarket.getFunction("offerPosition")(loanId)) as { open: boolean }).open).toBe(true)
        // in the portfolio: nothing received yet, everything still owed
        await page.getByTestId(`offer-position-${loanId}`).waitFor()
        expect(await page.getByTestId(`offer-position-status-${loanId}`).innerText()).toBe(T("zh-CN", "loan.status.Active"))
        expect(await raw(page, `offer-position-received-${loanId}`)).toBe(0n)
        expect(await raw(page, `offer-position-claimable-${loanId}`)).toBe(0n)
        expect(await raw(page, `offer-position-owed-${loanId}`)).toBe(stillOwed)
        expect(await page.getByTestId(`offer-position-owed-${loanId}`).innerText()).toBe(zh(stillOwed))
        expect(await page.getByTestId(`offer-position-claim-${loanId}`).count()).toBe(0)
        await expectNothingOfTheBorrower(page)
        expect(first.problems).toEqual([])
    })

    it("the borrower repays an instalment: the page shows it received and claimable by itself; the lender claims it to the wei", async () => {
        const { page } = first
        const amount = await repayInstalment()
        expect(amount).toBeGreaterThan(0n)
        await expect.poll(() => raw(page, `offer-position-claimable-${loanId}`), { timeout: 20_000 }).toBe(amount)
        expect(await raw(page, `offer-position-received-${loanId}`)).toBe(amount)
        expect(await raw(page, `offer-position-claimed-${loanId}`)).toBe(0n)
        expect(await raw(page, `offer-position-owed-${loanId}`)).toBe(await owed())
        expect(await page.getByTestId(`offer-position-claimable-${loanId}`).innerText()).toBe(zh(amount))
        await screenshotBoth(page, "offer-positions-01-claimable")
        // a second tab of this lender, left in the background from now on: its poll pauses, as
        // the page's does while hidden, so it keeps offering this claim
        staleTab = await first.context.newPage()
        await openLender(staleTab, lenderA)
        await staleTab.getByTestId(`offer-position-claim-${loanId}`).waitFor()
        await staleTab.evaluate(() => Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" }))
        await claimChecked(page, lenderA, amount, amount)
        expect(first.problems).toEqual([])
    })

    it("the lender transfers the position: a malformed address and its own are named inline, then it goes to the second lender", async () => {
        const { page } = first
        const input = page.getByTestId(`offer-position-transfer-to-${loanId}`)
        await input.fill("0x1234")
        await page.getByTestId(`offer-position-transfer-${loanId}`).click()
        expect(await page.getByTestId(`offer-position-transfer-error-${loanId}`).innerText()).toBe(T("zh-CN", "position.transferInvalid"))
        await input.fill(lenderA.toLowerCase())
        await page.getByTestId(`offer-position-transfer-${loanId}`).click()
        expect(await page.getByTestId(`offer-position-transfer-error-${loanId}`).innerText()).toBe(T("zh-CN", "position.transferSelf"))
        expect(await page.getByTestId("confirm-ok").count()).toBe(0)
        await input.fill(lenderB)
        const moved = await actConfirmed(page, `offer-position-transfer-${loanId}`)
        expect(moved, moved.text).toMatchObject({ kind: "success", key: "lender.positions.transferred" })
        expect(moved.confirmation).toContain(lenderB)
        expect(moved.text).toContain(lenderB)
        expect(await page.getByTestId(`offer-position-transfer-error-${loanId}`).count()).toBe(0)
        await page.getByTestId("offer-positions-none").waitFor()
        // the loan is still this lender's offer's, its position another's
        const cell = page.getByTestId(`loan-position-${loanId}`)
        expect((await cell.getAttribute("data-holder"))?.toLowerCase()).toBe(lenderB.toLowerCase())
        expect(await cell.innerText()).toContain(T("zh-CN", "lender.position.heldBy"))
        expect(first.problems).toEqual([])
    })

    it("the first lender's background tab still offers the claim: the market refuses it, in the page's words", async () => {
        const refused = await actConfirmed(staleTab, `offer-position-claim-${loanId}`)
        expect(refused, refused.text).toMatchObject({ kind: "error", key: "error.revert.NotPositionHolder" })
        expect(refused.text).toContain(T("zh-CN", "error.revert.NotPositionHolder").replace("{loanId}", String(loanId)).replace("{holder}", lenderB))
        expect(refused.text).not.toMatch(/\{\w+\}|0x[0-9a-f]{8,}\(|at \w+ \(/)
        expect(await chainBalance(lenderA)).toBe(await tokenBalance(first.page))
        await staleTab.close()
    })

    it("the second lender's browser shows the position transferred to it, and claims the next repayment to the wei", async () => {
        const { page } = second
        await openLender(page, lenderB)
        const row = page.getByTestId(`offer-position-${loanId}`)
        await row.waitFor()
        // what the position received and its first holder claimed come with it
        expect(await raw(page, `offer-position-received-${loanId}`)).toBe(paid[0])
        expect(await raw(page, `offer-position-claimed-${loanId}`)).toBe(paid[0])
        expect(await raw(page, `offer-position-claimable-${loanId}`)).toBe(0n)
        expect(await row.innerText()).toContain(`#${OFFER} / 0`)
        // the pseudonym's public record, nothing else of the borrower
        expect(await page.getByTestId(`offer-position-record-${loanId}`).innerText()).toContain(T("zh-CN", "lender.record").replace("{taken}", "1").replace("{repaid}", "0").replace("{late}", "0").replace("{defaults}", "0"))
        await expectNothingOfTheBorrower(page)
        const amount = await repayInstalment()
        await expect.poll(() => raw(page, `offer-position-claimable-${loanId}`), { timeout: 20_000 }).toBe(amount)
        expect(await raw(page, `offer-position-received-${loanId}`)).toBe(paid[0]! + amount)
        expect(await raw(page, `offer-position-owed-${loanId}`)).toBe(await owed())
        await screenshotBoth(page, "offer-positions-02-transferred-in")
        await claimChecked(page, lenderB, amount, paid[0]! + amount)
        expect(second.problems).toEqual([])
    })

    it("the first lender gets nothing of the second repayment and can no longer claim", async () => {
        const { page } = first
        const balance = await chainBalance(lenderA)
        await openLender(page, lenderA)
        await page.getByTestId("offer-positions-none").waitFor()
        expect(await page.getByTestId(`offer-position-${loanId}`).count()).toBe(0)
        expect(await tokenBalance(page)).toBe(balance)
        // the market says why, decoded with the loan market's own argument names
        const market = contracts.loanMarket.connect(await provider.getSigner(lenderA)) as Contract
        const error = await market.getFunction("claimPosition").staticCall(loanId).then(() => undefined, (e: unknown) => e)
        expect(decodeRevert(error, platform.deployment)).toEqual({ name: "NotPositionHolder", contract: "LoanMarket", args: { loanId: BigInt(loanId), caller: lenderA, holder: lenderB } })
        // the request market declares the same error (one selector) with a position id: each is
        // read with the declaration of the contract called, by its address or else by its function
        expect(decodeRevert(error)?.args).toEqual({ loanId: BigInt(loanId), caller: lenderA, holder: lenderB })
        const requests = contracts.requestMarket!.connect(await provider.getSigner(lenderA)) as Contract
        const unknown = await requests.getFunction("claim").staticCall(99).then(() => undefined, (e: unknown) => e)
        for (const decoded of [decodeRevert(unknown, platform.deployment), decodeRevert(unknown)]) expect(decoded).toEqual({ name: "UnknownPosition", contract: "RequestMarket", args: { positionId: 99n } })
        expect(first.problems).toEqual([])
    })
})
