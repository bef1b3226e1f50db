/**
 * The layout check that the page tests run in both languages (`layoutProblems`), on a page made
 * to break each of its rules once: it must find every break, and nothing on a page that fits.
 * Pure Chromium, no platform.
 */
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, expect, it } from "vitest"
import { describeInBrowser, launchBrowser, layoutProblems, ROOT, type TestBrowser } from "./helpers.ts"

const CSS = readFileSync(`${ROOT}app/src/app.css`, "utf8")
let browser: TestBrowser

beforeAll(async () => {
    browser = await launchBrowser()
})

afterAll(async () => {
    await browser?.close()
})

const page = (body: string) => `<!doctype html><html lang="zh-CN"><head><style>${CSS}</style></head><body><main>${body}</main></body></html>`

describeInBrowser("the layout check", () => {
    it("passes a page that fits: headers whole, tables inside their card, placeholders shown, file pickers the page's own", async () => {
        await browser.page.setContent(
            page(`<section class="card" data-testid="ok">
                <table class="table"><thead><tr><th>档位</th><th>最低评分</th><th>Max principal</th></tr></thead><tbody><tr><td>0</td><td>600</td><td>1,000</td></tr></tbody></table>
                <input placeholder="例如 500" style="width: 12rem" />
                <label class="file-button">选择文件<input type="file" /></label>
            </section>`)
        )
        expect(await layoutProblems(browser.page)).toEqual([])
    })

    it("finds a header word broken across lines, a table wider than its card, a cut placeholder and a native file picker", async () => {
        await browser.page.setContent(
            page(`<section class="card" style="width: 30rem" data-testid="broken">
                <table class="table"><thead><tr><th style="white-space: normal; word-break: break-all; width: 1em">贷款笔数</th><th>${"很长的表头".repeat(30)}</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
                <input placeholder="最多 8,000,000.000000" style="width: 6rem" data-testid="cut" />
                <label>Binding <input type="file" data-testid="native" /></label>
            </section>`)
        )
        const problems = await layoutProblems(browser.page)
        expect(problems.some((p) => p.startsWith('table header word "贷款笔数" breaks across'))).toBe(true)
        expect(problems.some((p) => /^table broken is \d+ px wider than its card$/.test(p))).toBe(true)
        expect(problems.some((p) => p.startsWith('placeholder "最多 8,000,000.000000" is cut') && p.includes("cut)"))).toBe(true)
        expect(problems).toContain("file picker native is the browser's own, not translated")
        expect(problems.some((p) => /^the page is \d+ px wider than the window$/.test(p))).toBe(true)
    })
})
