/**
 * Every page in zh-CN (the default) and in English: no raw message key and no text of the
 * other language visible, `<html lang>` follows, the choice survives a reload; a screenshot of
 * each page in each language. Then the wallet's failures, each as a clear message: wrong
 * network, a rejected transaction, a revert with its decoded reason, not enough ETH for gas.
 */
import { Contract, JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, expect, it } from "vitest"
import { LoanMarketAbi } from "../../client/src/generated/abis.ts"
import type { Page } from "playwright-core"
import type { Platform } from "../../scripts/lib/platform.ts"
import { act, CATALOGS, connectDevAccount, describeInBrowser, getAttestation, launchBrowser, layoutProblems, notice, open, restoreIdentity, screenshot, setLocale, startTestPlatform, type Locale, type TestBrowser } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORTS = { chain: testPort(8830), bureau: testPort(8831), app: testPort(8832) }

let platform: Platform
let stateDir: string
let url: string
const browsers: TestBrowser[] = []

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "pages"))
})

afterAll(async () => {
    for (const b of browsers) await b.close()
    await platform?.stop()
})

/** What a person sees: the body's text (language buttons aside) plus placeholders and labels. */
async function visibleText(page: Page): Promise<string> {
    return page.evaluate(() => {
        const lang = document.querySelector<HTMLElement>(".lang")
        if (lang) lang.style.display = "none"
        const text = document.body.innerText
        if (lang) lang.style.display = ""
        const attributes = [...document.querySelectorAll("[placeholder], [aria-label], [title]")]
            .filter((e) => !(e as HTMLElement).closest(".lang, .hash"))
            .flatMap((e) => ["placeholder", "aria-label"].map((a) => e.getAttribute(a) ?? ""))
        return `${text}\n${attributes.join("\n")}\n${document.title}`
    })
}

const keys = Object.keys(CATALOGS.en)
const zhValues = Object.values(CATALOGS["zh-CN"]).join("\n")
/** Pieces of English messages (between placeholders) that no Chinese message contains. */
const englishOnly = Object.values(CATALOGS.en)
    .flatMap((v) => v.split(/\{\w+\}/))
    .map((s) => s.trim())
    .filter((s) => s.length >= 4 && /[A-Za-z]{3}/.test(s) && !zhValues.includes(s))

function checkLanguage(text: string, locale: Locale, where: string): void {
    for (const key of keys) expect(text.includes(key), `${where}: raw key ${key} is visible`).toBe(false)
    if (locale === "zh-CN") {
        for (const piece of englishOnly) expect(text.includes(piece), `${where}: English text "${piece}" in the Chinese page`).toBe(false)
    } else {
        const cjk = text.match(/[\u3400-\u9fff]+/g)
        expect(cjk, `${where}: Chinese text in the English page`).toBeNull()
    }
}

async function checkPage(page: Page, locale: Locale, name: string): Promise<void> {
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale)
    // every <details> open, so that what is inside is read and laid out too
    await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)))
    checkLanguage(await visibleText(page), locale, `${locale} ${name}`)
    expect(await layoutProblems(page), `${locale} ${name}`).toEqual([])
    await screenshot(page, `i18n-${locale}-${name}`)
}

for (const locale of ["zh-CN", "en"] as const) {
    describeInBrowser(`every page in ${locale}`, () => {
        let page: Page
        let browser: TestBrowser

        beforeAll(async () => {
            browser = await launchBrowser()
            browsers.push(browser)
            page = browser.page
            await open(page, `${url}/`)
            // zh-CN is the default of a fresh profile; English is picked and remembered
            expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN")
            if (locale === "en") {
                await setLocale(page, "en")
                await page.reload()
                await page.getByTestId("wallet").waitFor()
            }
        })

        it("overview", async () => {
            await page.getByTestId("home-offers").waitFor()
            await checkPage(page, locale, "overview")
        })

        it("borrower, with an identity, an attestation and a chosen tier", async () => {
            const borrower = platform.world.borrowers.find((b) => b.name === "pearl-river-tea")!
            await open(page, `${url}/borrower`)
            await checkPage(page, locale, "borrower-empty")
            await connectDevAccount(page, borrower.address)
            await restoreIdentity(page, stateDir, borrower)
            // the demo backup carries no attestation: the page says so and how to get one
            expect(await page.getByTestId("attestation-not-in-backup").innerText()).toBe(CATALOGS[locale]["attestation.notInBackup"])
            await checkPage(page, locale, "borrower-restored")
            await getAttestation(page, stateDir, borrower)
            await page.getByTestId(`select-${platform.world.offerIds[1]}-0`).click()
            await page.getByTestId("borrow-principal").fill("200")
            await page.getByTestId("borrow-preview").waitFor()
            await page.getByTestId("notice").locator("button").click()
            await checkPage(page, locale, "borrower")
        })

        it("lender, with offers and the create form", async () => {
            await open(page, `${url}/lender`)
            await connectDevAccount(page, platform.world.lenders[0]!)
            await page.getByTestId(`lender-offer-${platform.world.offerIds[0]}`).waitFor()
            // the demo stablecoin is on the market's token allowlist, and the form says so
            expect(await page.getByTestId("offer-token-state").getAttribute("data-allowed")).toBe("true")
            await checkPage(page, locale, "lender")
        })

        it("loan requests, with the request form (the identity and attestation from the borrower page) and an empty portfolio", async () => {
            await open(page, `${url}/requests`)
            await connectDevAccount(page, platform.world.lenders[0]!)
            await page.getByTestId("request-principal").waitFor()
            await page.getByTestId("open-requests-none").waitFor()
            await page.getByTestId("positions-none").waitFor()
            // the first read may still be under way ("loading"): the page says "none" once it is done
            await expect.poll(() => page.getByTestId("open-requests-none").innerText()).toBe(CATALOGS[locale]["requests.openNone"])
            await checkPage(page, locale, "requests")
        })

        it("compliance, as the officer", async () => {
            await open(page, `${url}/compliance`)
            await connectDevAccount(page, platform.world.officer)
            await page.getByTestId("root-0").waitFor()
            await checkPage(page, locale, "compliance")
        })

        it("bureau, with the records it holds about the applicant", async () => {
            // the identity restored on the borrower page is in this browser: prove it with its binding
            const borrower = platform.world.borrowers.find((b) => b.name === "pearl-river-tea")!
            await open(page, `${url}/bureau`)
            await page.getByTestId("bureau-key-active").waitFor()
            await page.getByTestId("bureau-binding-file").setInputFiles(`${stateDir}/${borrower.bindingFile}`)
            await page.getByTestId("bureau-binding").waitFor()
            await page.getByTestId("bureau-submit").click()
            await page.getByTestId("bureau-breakdown").waitFor()
            expect(await page.getByTestId("bureau-score").innerText()).toBe(String(borrower.score))
            await page.getByTestId("bureau-records").waitFor()
            expect(await page.locator('[data-testid^="record-"]').count()).toBeGreaterThan(0)
            await checkPage(page, locale, "bureau")
        })

        it("supervision overview and escrow committee (the deployment has the escrow contracts)", async () => {
            await open(page, `${url}/supervision`)
            await page.getByTestId("supervision-chart").waitFor()
            await page.getByTestId("supervision-totals").waitFor()
            expect(await page.getByTestId("supervision-no-escrow").count()).toBe(0)
            await checkPage(page, locale, "supervision")
            await open(page, `${url}/committee`)
            await page.getByTestId("committee-keys").waitFor()
            await page.getByTestId("committee-openings").waitFor()
            expect(await page.getByTestId("committee-no-openings-contract").count()).toBe(0)
            await checkPage(page, locale, "committee")
        })

        it("an unknown page", async () => {
            await open(page, `${url}/no-such-page`)
            await page.getByTestId("error-page").waitFor()
            await checkPage(page, locale, "not-found")
            // SvelteKit logs the 404 of the unknown page itself; nothing else may fail
            expect(browser.problems.filter((p) => !p.includes("Not found: /no-such-page"))).toEqual([])
        })
    })
}

describeInBrowser("without /config.json", () => {
    it("shows a clear error page instead of a broken app", async () => {
        const browser = await launchBrowser()
        browsers.push(browser)
        const { page } = browser
        await page.route("**/config.json", (route) => route.fulfill({ status: 404, body: "not found" }))
        await page.goto(`${url}/borrower`)
        const error = page.getByTestId("config-error")
        await error.waitFor()
        expect(await error.innerText()).toContain(CATALOGS["zh-CN"]["config.errorTitle"])
        checkLanguage(await visibleText(page), "zh-CN", "config error")
        await screenshot(page, "i18n-zh-CN-config-error")
    })
})

/** An EIP-6963 wallet for tests: reads go to the node; writes fail the way `mode` says. */
function fakeWallet(options: { rpcUrl: string; address: string; chainId: string; mode: "reject" | "poor" | "none" }): void {
    const provider = {
        async request({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> {
            if (method === "eth_requestAccounts" || method === "eth_accounts") return [options.address]
            if (method === "eth_chainId") return options.chainId
            if (method === "wallet_switchEthereumChain") throw Object.assign(new Error("Unrecognized chain ID"), { code: 4902 })
            if (method === "eth_sendTransaction" && options.mode === "reject") throw Object.assign(new Error("User rejected the request."), { code: 4001 })
            if (method === "eth_sendTransaction" && options.mode === "poor") throw Object.assign(new Error("insufficient funds for gas * price + value"), { code: -32000 })
            const response = await fetch(options.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }) })
            const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } }
            if (body.error) throw Object.assign(new Error(body.error.message), body.error)
            return body.result
        },
        on() {},
        removeListener() {}
    }
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: { uuid: "test-wallet", name: "Test Wallet", icon: "", rdns: "test.wallet" }, provider }) }))
    window.addEventListener("eip6963:requestProvider", announce)
    announce()
}

describeInBrowser("wallet failures, each a clear message (English)", () => {
    async function withWallet(mode: "reject" | "poor" | "none", chainId: string, address: string): Promise<Page> {
        const browser = await launchBrowser()
        browsers.push(browser)
        await browser.context.addInitScript(fakeWallet, { rpcUrl: platform.rpcUrl, address, chainId, mode })
        await browser.context.addInitScript(() => localStorage.setItem("zkcredit.locale", "en"))
        await open(browser.page, `${url}/lender`)
        await browser.page.getByTestId("wallet-injected-test.wallet").click()
        await browser.page.getByTestId("wallet-address").waitFor()
        return browser.page
    }

    it("a wallet on another network: wrong-network message, nothing can be sent", async () => {
        const page = await withWallet("none", "0x1", platform.world.lenders[0]!)
        const banner = page.getByTestId("wrong-chain")
        await banner.waitFor()
        expect(await banner.innerText()).toContain(CATALOGS.en["error.wrongChain"].replace("{actual}", "1").replace("{expected}", String(platform.deployment.chainId)))
        await screenshot(page, "wallet-wrong-chain")
    })

    it("a rejected transaction", async () => {
        const page = await withWallet("reject", `0x${platform.deployment.chainId.toString(16)}`, platform.world.lenders[0]!)
        const result = await act(page, "pause-0")
        expect(result).toMatchObject({ kind: "error", key: "error.rejected" })
        expect(result.text).toContain(CATALOGS.en["error.rejected"])
        // the offer was not paused
        expect(await page.getByTestId("offer-state-0").innerText()).toBe(CATALOGS.en["offers.open"])
    })

    it("not enough ETH for gas", async () => {
        const page = await withWallet("poor", `0x${platform.deployment.chainId.toString(16)}`, platform.world.lenders[0]!)
        const result = await act(page, "pause-0")
        expect(result).toMatchObject({ kind: "error", key: "error.insufficientFunds" })
    })

    it("a contract revert, decoded and translated", async () => {
        const browser = await launchBrowser()
        browsers.push(browser)
        const { page } = browser
        await open(page, `${url}/lender`)
        await setLocale(page, "en")
        await connectDevAccount(page, platform.world.lenders[1]!)
        // the demo world used this lender's faucet allowance a moment ago
        const result = await act(page, "faucet")
        expect(result).toMatchObject({ kind: "error", key: "error.revert.FaucetCooldown" })
        expect(result.text).toMatch(/^The faucet can be used again from .*\d/)
        await screenshot(page, "wallet-revert")
    })

    it("a token the admin disallowed: the page says so, and refuses an offer and a deposit in it with a translated message, sending nothing", async () => {
        const provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
        const lender = platform.world.lenders[0]!
        const offerId = platform.world.offerIds[0]!
        const market = new Contract(platform.deployment.contracts.loanMarket, LoanMarketAbi, await provider.getSigner(platform.world.admin))
        const stablecoin = platform.deployment.contracts.stablecoin!
        await (await market.getFunction("setTokenAllowed")(stablecoin, false)).wait()
        try {
            const browser = await launchBrowser()
            browsers.push(browser)
            const { page } = browser
            await open(page, `${url}/lender`)
            await setLocale(page, "zh-CN")
            await connectDevAccount(page, lender)
            await page.getByTestId(`offer-token-disallowed-${offerId}`).waitFor()
            expect(await page.getByTestId("offer-token-state").getAttribute("data-allowed")).toBe("false")
            expect(await page.getByTestId("offer-token-state").innerText()).toContain(CATALOGS["zh-CN"]["lender.allowlist.notAllowed"].replace("{symbol}", "tUSD"))
            const nonce = await provider.getTransactionCount(lender)
            const created = await act(page, "offer-create")
            expect(created).toMatchObject({ kind: "error", key: "lender.allowlist.createRefused" })
            expect(created.text).toContain(CATALOGS["zh-CN"]["lender.allowlist.createRefused"].replace("{symbol}", "tUSD"))
            await setLocale(page, "en")
            await page.getByTestId(`deposit-input-${offerId}`).fill("10")
            const deposited = await act(page, `deposit-${offerId}`)
            expect(deposited).toMatchObject({ kind: "error", key: "lender.allowlist.depositRefused" })
            expect(deposited.text).toContain(CATALOGS.en["lender.allowlist.depositRefused"].replace("{symbol}", "tUSD"))
            expect(await provider.getTransactionCount(lender)).toBe(nonce)
            await screenshot(page, "lender-token-disallowed")
        } finally {
            await (await market.getFunction("setTokenAllowed")(stablecoin, true)).wait()
            provider.destroy()
        }
    })
})
