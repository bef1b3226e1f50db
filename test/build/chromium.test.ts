/**
 * How the browser tests find Chromium (test/helpers/chromium.ts), on every platform, without a
 * browser: the file system is a given set of executables. And what the browser suites do when
 * none is found: skipped with a message naming CHROMIUM_PATH, failing under CI, checked in child
 * vitest runs of a suite that uses `describeInBrowser`.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { chromiumLocations, findChromium, isCI, isExecutableFile } from "../helpers/chromium.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const on = (...paths: string[]) => (path: string) => paths.includes(path)

describe("finding Chromium", () => {
    it("CHROMIUM_PATH wins over every usual location", () => {
        const lookup = findChromium({ env: { CHROMIUM_PATH: "/opt/my/chrome" }, platform: "linux", isExecutable: on("/opt/my/chrome", "/usr/bin/chromium") })
        expect(lookup).toMatchObject({ found: true, path: "/opt/my/chrome", from: "CHROMIUM_PATH" })
    })

    it("CHROMIUM_PATH naming no executable is an error that cannot be skipped, even with a browser elsewhere", () => {
        const lookup = findChromium({ env: { CHROMIUM_PATH: "/nope/chromium" }, platform: "linux", isExecutable: on("/usr/bin/chromium") })
        expect(lookup).toMatchObject({ found: false, skippable: false })
        expect(!lookup.found && lookup.problem).toBe('CHROMIUM_PATH is "/nope/chromium", and no executable is there: point it at Chromium\'s (or Google Chrome\'s) executable, or unset it to search the usual locations')
    })

    it("an empty CHROMIUM_PATH counts as unset", () => {
        expect(findChromium({ env: { CHROMIUM_PATH: "" }, platform: "linux", isExecutable: on("/usr/bin/chromium") })).toMatchObject({ found: true, path: "/usr/bin/chromium", from: "default location" })
    })

    it("Linux: Debian's chromium, then Ubuntu's chromium-browser, the snap, Google Chrome", () => {
        const order = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome"]
        expect(chromiumLocations("linux", {})).toEqual(order)
        // each one is found when it is the only one, and the earlier one wins when several are there
        order.forEach((path, i) => {
            expect(findChromium({ env: {}, platform: "linux", isExecutable: on(path) })).toMatchObject({ found: true, path })
            expect(findChromium({ env: {}, platform: "linux", isExecutable: on(...order.slice(i)) })).toMatchObject({ found: true, path })
        })
    })

    it("macOS: Chromium's app bundle before Google Chrome's, /Applications before ~/Applications", () => {
        expect(chromiumLocations("darwin", { HOME: "/Users/ana" })).toEqual([
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
            "/Users/ana/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
        ])
        const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
        expect(findChromium({ env: { HOME: "/Users/ana" }, platform: "darwin", isExecutable: on(chrome) })).toMatchObject({ found: true, path: chrome })
    })

    it("Windows: Chromium, then Google Chrome, each in Program Files, Program Files (x86), then LOCALAPPDATA", () => {
        const env = { ProgramFiles: "C:\\Program Files", "ProgramFiles(x86)": "C:\\Program Files (x86)", LOCALAPPDATA: "C:\\Users\\ana\\AppData\\Local" }
        expect(chromiumLocations("win32", env)).toEqual([
            "C:\\Program Files\\Chromium\\Application\\chrome.exe",
            "C:\\Program Files (x86)\\Chromium\\Application\\chrome.exe",
            "C:\\Users\\ana\\AppData\\Local\\Chromium\\Application\\chrome.exe",
            "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
            "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
            "C:\\Users\\ana\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe"
        ])
        const userChrome = "C:\\Users\\ana\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe"
        expect(findChromium({ env, platform: "win32", isExecutable: on(userChrome) })).toMatchObject({ found: true, path: userChrome })
    })

    it("none found: a skippable problem that lists where it looked and names CHROMIUM_PATH", () => {
        const lookup = findChromium({ env: {}, platform: "linux", isExecutable: on() })
        expect(lookup).toMatchObject({ found: false, skippable: true })
        expect(!lookup.found && lookup.problem).toBe(
            "no Chromium found (looked in /usr/bin/chromium, /usr/bin/chromium-browser, /snap/bin/chromium, /usr/bin/google-chrome-stable, /usr/bin/google-chrome): apt-get install chromium, or set CHROMIUM_PATH to the executable of Chromium or Google Chrome"
        )
        const elsewhere = findChromium({ env: {}, platform: "freebsd", isExecutable: on() })
        expect(!elsewhere.found && elsewhere.problem).toBe("no Chromium found (no usual location is known on freebsd): set CHROMIUM_PATH to the executable of Chromium or Google Chrome")
    })

    it("an executable file counts; a folder or a missing path does not", () => {
        expect(isExecutableFile(process.execPath)).toBe(true)
        expect(isExecutableFile(root)).toBe(false)
        expect(isExecutableFile(join(root, "no-such-browser"))).toBe(false)
    })

    it("CI is any CI value but empty, 0 or false", () => {
        expect([{}, { CI: "" }, { CI: "0" }, { CI: "false" }, { CI: "FALSE" }].map((env) => isCI(env))).toEqual([false, false, false, false, false])
        expect([{ CI: "true" }, { CI: "1" }, { CI: "woodpecker" }].map((env) => isCI(env))).toEqual([true, true, true])
    })
})

describe("a browser suite without Chromium (child vitest runs)", () => {
    // a suite shaped like the e2e files: a file-level beforeAll (the platform) that must not run
    // when its suites are skipped. The probe mocks the file system the finder sees: no browser
    // anywhere (the test is about what the suites do then, not about finding one).
    const dir = mkdtempSync(join(root, "test", "e2e", ".chromium-probe-"))
    writeFileSync(
        join(dir, "probe.ts"),
        [
            'import { beforeAll, expect, it, vi } from "vitest"',
            'import { describeInBrowser } from "../helpers.ts"',
            'vi.mock("../../helpers/chromium.ts", async (importOriginal) => {',
            '    const real = await importOriginal<typeof import("../../helpers/chromium.ts")>()',
            '    return { ...real, findChromium: () => real.findChromium({ isExecutable: () => false }) }',
            "})",
            'beforeAll(() => { throw new Error("the platform started although the suite is skipped") })',
            'describeInBrowser("drives the browser", () => { it("runs", () => { expect(1).toBe(1) }) })',
            ""
        ].join("\n")
    )
    // its own config: not a *.test.ts of the main run, no global setup (nothing to build)
    writeFileSync(join(dir, "vitest.config.mjs"), 'export default { test: { include: ["probe.ts"], pool: "forks" } }\n')
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    function runProbe(env: Record<string, string>) {
        const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "CI" && key !== "CHROMIUM_PATH" && !key.startsWith("VITEST")))
        const result = spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "run", "--root", dir], {
            cwd: dir,
            env: { ...clean, ...env, FORCE_COLOR: "0", NO_COLOR: "1" },
            encoding: "utf8",
            timeout: 120_000
        })
        return { status: result.status, out: `${result.stdout}${result.stderr}` }
    }

    it("skips, naming CHROMIUM_PATH, and starts nothing, when none is found outside CI", () => {
        const run = runProbe({})
        expect(run.out).toMatch(/browser tests skipped: no Chromium found \(looked in [^)]+\): .*set CHROMIUM_PATH/)
        expect(run.out).toMatch(/1 skipped/)
        expect(run.out).not.toContain("the platform started")
        expect(run.status).toBe(0)
    })

    it("fails under CI=true when none is found", () => {
        const run = runProbe({ CI: "true" })
        expect(run.out).toMatch(/browser tests: no Chromium found .*set CHROMIUM_PATH.*\(CI: the browser tests cannot be skipped\)/)
        expect(run.status).toBe(1)
    })

    it("fails when CHROMIUM_PATH names a missing file, CI or not", () => {
        const missing = join(dir, "no-chromium-here")
        const run = runProbe({ CHROMIUM_PATH: missing })
        expect(run.out).toContain(`browser tests: CHROMIUM_PATH is "${missing}", and no executable is there`)
        expect(run.status).toBe(1)
    })
})
