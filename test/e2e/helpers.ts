/**
 * Browser tests: a platform per test file (its own ports, its own state folder), a local
 * Chromium (test/helpers/chromium.ts: CHROMIUM_PATH, else the usual locations) driven by
 * playwright-core with a fresh profile per browser, and small steps that every scenario shares
 * (pick a dev account, restore a demo identity, get an attestation).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Contract, ContractTransactionReceipt, JsonRpcProvider } from "ethers"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { describe, expect } from "vitest"
import { prepareBorrowRequest } from "../../client/src/borrow.ts"
import type { ZkCreditContracts } from "../../client/src/contracts.ts"
import { readOffer } from "../../client/src/views.ts"
import { generateCreditProof, Identity, KycTree, toBorrowCalldata, type Attestation } from "../../prover/src/index.ts"
import { en } from "../../app/src/lib/i18n/en.ts"
import { zhCN } from "../../app/src/lib/i18n/zh-CN.ts"
import { DEMO_BACKUP_PASSWORD, type DemoBorrower } from "../../scripts/lib/demo-world.ts"
import { startPlatform, type Platform } from "../../scripts/lib/platform.ts"
import { findChromium, isCI } from "../helpers/chromium.ts"
import { artifacts } from "../helpers/fixtures.ts"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))
export const SCREENSHOTS = `${ROOT}test-results/screenshots`
/** Where Chromium was looked for, and found or not. */
export const CHROMIUM_LOOKUP = findChromium()
/** The executable the browser tests drive; undefined when none was found. */
export const CHROMIUM: string | undefined = CHROMIUM_LOOKUP.found ? CHROMIUM_LOOKUP.path : undefined
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
export const CATALOGS = { "zh-CN": zhCN, en } as const
export type Locale = keyof typeof CATALOGS

/**
 * A platform for one test file, on its own ports; circuits, contracts and the app are built by
 * the global setup. Its `stop()` also deletes the state folder (demo identities and keys).
 */
export async function startTestPlatform(ports: { chain: number; bureau: number; app: number }, name: string): Promise<{ platform: Platform; stateDir: string; url: string }> {
    const stateDir = mkdtempSync(join(tmpdir(), `zkcredit-e2e-${name}-`))
    try {
        const started = await startPlatform({ ports, stateDir, build: false })
        if (!started.appUrl) throw new Error("the platform did not serve the app")
        const platform: Platform = {
            ...started,
            stop: async () => {
                await started.stop()
                rmSync(stateDir, { recursive: true, force: true })
            }
        }
        return { platform, stateDir, url: started.appUrl }
    } catch (error) {
        rmSync(stateDir, { recursive: true, force: true })
        throw error
    }
}

/** A browser with a fresh profile (its own temporary user-data-dir). */
export interface TestBrowser {
    context: BrowserContext
    page: Page
    /** Console errors and uncaught exceptions seen so far. */
    problems: string[]
    close(): Promise<void>
}

let warnedSkip = false
/**
 * `describe` for a suite that drives Chromium. Without a Chromium it is skipped, with a message
 * that names CHROMIUM_PATH (a file whose suites are all skipped starts no platform either); under
 * CI, or when CHROMIUM_PATH names a missing file, the test file fails instead, so CI never passes
 * without its browser tests.
 */
export function describeInBrowser(title: string, body: () => void): void {
    if (CHROMIUM_LOOKUP.found) {
        describe(title, body)
        return
    }
    if (!CHROMIUM_LOOKUP.skippable || isCI()) throw new Error(`browser tests: ${CHROMIUM_LOOKUP.problem}${isCI() ? " (CI: the browser tests cannot be skipped)" : ""}`)
    if (!warnedSkip) console.warn(`browser tests skipped: ${CHROMIUM_LOOKUP.problem}`)
    warnedSkip = true
    describe.skip(`${title} (skipped: no Chromium; set CHROMIUM_PATH)`, body)
}

/** Starts Chromium (headless) with a fresh profile. */
export async function launchBrowser(options: { locale?: Locale; clipboard?: boolean } = {}): Promise<TestBrowser> {
    if (!CHROMIUM_LOOKUP.found) throw new Error(CHROMIUM_LOOKUP.problem)
    const profile = mkdtempSync(join(tmpdir(), "zkcredit-profile-"))
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_LOOKUP.path,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1200, height: 900 },
        acceptDownloads: true,
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.clipboard ? { permissions: ["clipboard-read", "clipboard-write"] } : {})
    })
    context.setDefaultTimeout(30_000)
    const page = context.pages()[0] ?? (await context.newPage())
    const problems: string[] = []
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`))
    page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`)
    })
    return {
        context,
        page,
        problems,
        close: async () => {
            await context.close()
            rmSync(profile, { recursive: true, force: true })
        }
    }
}

/** Opens a page of the app and waits until it is ready (config loaded, wallet resumed). */
export async function open(page: Page, url: string): Promise<void> {
    await page.goto(url)
    await page.getByTestId("wallet").waitFor()
}

/** Uses one of the local node's accounts through the dev-account picker. */
export async function connectDevAccount(page: Page, address: string): Promise<void> {
    const connected = page.getByTestId("wallet-address")
    if ((await connected.count()) > 0) {
        if ((await connected.getAttribute("data-value"))?.toLowerCase() === address.toLowerCase()) return
        await page.getByTestId("wallet-disconnect").click()
    }
    await page.getByTestId("dev-account").selectOption(address)
    await page.getByTestId("dev-account-connect").click()
    await page.getByTestId("wallet-balances").waitFor()
}

/**
 * A browser on the compliance page with the officer's dev account connected, once the page's
 * audit of the registry is green.
 */
export async function openComplianceAsOfficer(url: string, officer: string, browsers: TestBrowser[]): Promise<TestBrowser> {
    const browser = await launchBrowser()
    browsers.push(browser)
    await open(browser.page, `${url}/compliance`)
    await connectDevAccount(browser.page, officer)
    await expect.poll(() => browser.page.getByTestId("audit").getAttribute("data-ok")).toBe("true")
    return browser
}

/** Restores a demo borrower's identity from its backup file (on the borrower page). */
export async function restoreIdentity(page: Page, stateDir: string, borrower: DemoBorrower): Promise<void> {
    await page.getByTestId("backup-file").setInputFiles(join(stateDir, borrower.backupFile))
    await page.getByTestId("backup-password").fill(DEMO_BACKUP_PASSWORD)
    await page.getByTestId("identity-restore").click()
    await page.getByTestId("identity-commitment").waitFor()
}

/**
 * Makes sure the borrower page has the demo borrower's identity: waits until the vault has loaded
 * (the page shows either the identity or the restore form) and restores from the backup only if
 * the page has none. Checking before the vault loads would restore into a page that is about to
 * show the stored identity.
 */
export async function ensureIdentity(page: Page, stateDir: string, borrower: DemoBorrower): Promise<void> {
    const stored = page.getByTestId("identity-commitment")
    await stored.or(page.getByTestId("backup-file")).first().waitFor({ state: "attached" })
    if ((await stored.count()) === 0) await restoreIdentity(page, stateDir, borrower)
}

/** Asks the bureau for an attestation with the borrower's KYC binding file and a history proof (on the borrower page). */
export async function getAttestation(page: Page, stateDir: string, borrower: DemoBorrower): Promise<void> {
    await page.getByTestId("applicant-binding-file").setInputFiles(join(stateDir, borrower.bindingFile))
    await page.getByTestId("applicant-binding").waitFor()
    await page.getByTestId("applicant-submit").click()
    await page.getByTestId("attestation-score").waitFor()
}

/** Clicks a button and waits for the notice of that action (a new one, not the one shown before). */
export async function act(page: Page, testid: string, timeout = 60_000): Promise<{ kind: string; key: string; text: string }> {
    const before = await page.getByTestId("notice").getAttribute("data-seq", { timeout: 100 }).catch(() => null)
    await page.getByTestId(testid).click()
    await page.waitForFunction((seq) => {
        const n = document.querySelector('[data-testid="notice"]')
        return n !== null && n.getAttribute("data-seq") !== seq
    }, before, { timeout })
    return notice(page, timeout)
}

/**
 * Clicks an action that moves funds, checks its confirmation dialog (asked once), confirms, and
 * waits for the action's notice. Returns the dialog's text with the notice.
 */
export async function actConfirmed(page: Page, testid: string, timeout = 90_000): Promise<{ kind: string; key: string; text: string; confirmation: string }> {
    const before = await page.getByTestId("notice").getAttribute("data-seq", { timeout: 100 }).catch(() => null)
    await page.getByTestId(testid).click()
    const dialog = page.getByTestId("confirm-dialog")
    await page.getByTestId("confirm-ok").waitFor()
    const confirmation = (await dialog.innerText()).trim()
    await page.getByTestId("confirm-ok").click()
    // asked once: the dialog is gone while the action runs
    await page.getByTestId("confirm-ok").waitFor({ state: "detached" })
    await page.waitForFunction((seq) => {
        const n = document.querySelector('[data-testid="notice"]')
        return n !== null && n.getAttribute("data-seq") !== seq
    }, before, { timeout })
    return { ...(await notice(page, timeout)), confirmation }
}

/** Waits for the notice of the last action and returns its kind, key and text. */
export async function notice(page: Page, timeout = 60_000): Promise<{ kind: string; key: string; text: string }> {
    const n = page.getByTestId("notice")
    await n.waitFor({ timeout })
    return { kind: (await n.getAttribute("data-kind")) ?? "", key: (await n.getAttribute("data-key")) ?? "", text: (await n.innerText()).trim() }
}

/**
 * What does not fit, as a person would see it: a table header with a word broken across lines
 * (in Chinese a run of characters is one word: "贷/款"), a table wider than its card (a scroll bar
 * counts as not fitting), a placeholder cut off by its input, a file picker left native (its
 * "Choose file" text is the browser's language, not the page's), a page wider than the window.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
    return page.evaluate(() => {
        const problems: string[] = []
        const shown = (e: Element) => {
            const r = e.getBoundingClientRect()
            return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"
        }
        const where = (e: Element) => e.closest("[data-testid]")?.getAttribute("data-testid") ?? e.tagName.toLowerCase()
        for (const th of document.querySelectorAll("th")) {
            if (!shown(th)) continue
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT)
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if ((node.parentElement as HTMLElement).closest(".hash")) continue
                for (const word of (node.textContent ?? "").matchAll(/\S+/g)) {
                    const range = document.createRange()
                    range.setStart(node, word.index)
                    range.setEnd(node, word.index + word[0].length)
                    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
                    if (lines.size > 1) problems.push(`table header word "${word[0]}" breaks across ${lines.size} lines (${where(th)})`)
                }
            }
        }
        for (const table of document.querySelectorAll("table")) {
            if (!shown(table)) continue
            const card = table.closest(".card") as HTMLElement | null
            if (!card) continue
            const style = getComputedStyle(card)
            const inner = card.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth)
            const overflow = Math.round(table.getBoundingClientRect().right - inner)
            if (overflow > 1) problems.push(`table ${where(table)} is ${overflow} px wider than its card`)
        }
        const canvas = document.createElement("canvas").getContext("2d")!
        for (const input of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input[placeholder], textarea[placeholder]")) {
            if (!shown(input) || input.value !== "" || input.tagName === "TEXTAREA") continue
            const style = getComputedStyle(input)
            canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`
            const needed = canvas.measureText(input.placeholder).width
            const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
            if (needed > room + 1) problems.push(`placeholder "${input.placeholder}" is cut (${Math.round(needed)} px in ${Math.round(room)} px, ${input.dataset.testid ?? where(input)})`)
        }
        for (const input of document.querySelectorAll<HTMLInputElement>("input[type=file]")) {
            // the page's own button (a label with the page's text) stands in for the hidden native one
            const label = input.closest("label.file-button")
            if (!label || getComputedStyle(input).opacity !== "0" || (label.textContent ?? "").trim() === "") problems.push(`file picker ${input.dataset.testid ?? where(input)} is the browser's own, not translated`)
        }
        const extra = document.documentElement.scrollWidth - document.documentElement.clientWidth
        if (extra > 1) problems.push(`the page is ${extra} px wider than the window`)
        return problems
    })
}

/** Saves a full-page screenshot to test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true })
}

/** A screenshot in both languages (<name>-en.png, <name>-zh-CN.png), each checked for layout first; the page is left in zh-CN. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
    for (const locale of ["en", "zh-CN"] as const) {
        await setLocale(page, locale)
        expect(await layoutProblems(page), `${name} ${locale}`).toEqual([])
        await screenshot(page, `${name}-${locale}`)
    }
}

/** A commitment as the app shows it (0x, 32 bytes). */
export function hex32(value: string | bigint): string {
    return `0x${BigInt(value).toString(16).padStart(64, "0")}`
}

/** Clicks a language button. */
export async function setLocale(page: Page, locale: Locale): Promise<void> {
    await page.getByTestId(`lang-${locale}`).click()
    await page.waitForFunction((l) => document.documentElement.lang === l, locale)
}

/**
 * Proves in Node (the real circuit, as the borrower page proves in the browser) and borrows for a
 * demo borrower: its identity from its backup, its attestation from the demo world's file, its
 * Merkle path from `group` (the demo world's tree unless given). It approves `allowance` of the
 * stablecoin to the market first, for its repayments.
 * @returns The loan's id and the receipts of the approval and the borrow.
 */
export async function borrowAsDemo(o: { platform: Platform; stateDir: string; provider: JsonRpcProvider; contracts: ZkCreditContracts; borrower: DemoBorrower; offer: number; tier: number; principal: bigint; allowance: bigint; group?: KycTree }): Promise<{ loanId: number; receipts: ContractTransactionReceipt[] }> {
    const b = o.borrower
    const identity = await Identity.importBackup(await readFile(join(o.stateDir, b.backupFile), "utf8"), DEMO_BACKUP_PASSWORD)
    const attestation = JSON.parse(await readFile(join(o.stateDir, b.attestationFile), "utf8")) as Attestation
    const group = o.group ?? KycTree.import(await readFile(join(o.stateDir, "kyc-tree.json"), "utf8"))
    const offer = (await readOffer(o.contracts.loanMarket, o.offer))!
    const request = await prepareBorrowRequest({ provider: o.provider, deployment: o.platform.deployment, contracts: o.contracts, identity, attestation, group, intent: { offer, tier: o.tier, principal: o.principal, borrower: b.address } })
    const proof = toBorrowCalldata(await generateCreditProof(request, artifacts))
    const me = await o.provider.getSigner(b.address)
    const send = async (tx: Promise<{ wait: () => Promise<unknown> }>) => (await (await tx).wait()) as ContractTransactionReceipt
    const receipts = [
        await send((o.contracts.stablecoin!.connect(me) as Contract).getFunction("approve")(o.platform.deployment.contracts.loanMarket, o.allowance)),
        await send((o.contracts.loanMarket.connect(me) as Contract).getFunction("borrow")(o.offer, o.tier, o.principal, proof))
    ]
    return { loanId: Number(await o.contracts.loanMarket.getFunction("loanCount")()) - 1, receipts }
}
