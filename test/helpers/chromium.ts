/**
 * Where the browser tests and the browser benchmark find Chromium: the `CHROMIUM_PATH`
 * environment variable, else the usual install locations of Chromium and Google Chrome on
 * Debian/Ubuntu, macOS and Windows, in that order. Never a downloaded browser.
 */
import { accessSync, constants, statSync } from "node:fs"
import { homedir } from "node:os"
import { join, win32 } from "node:path"

/** The environment variable that names Chromium's executable. */
export const CHROMIUM_ENV = "CHROMIUM_PATH"

/** What {@link findChromium} looks at; the defaults are this process's. */
export interface ChromiumSearch {
    env?: NodeJS.ProcessEnv
    platform?: NodeJS.Platform
    /** Whether an executable file is at `path`. */
    isExecutable?: (path: string) => boolean
}

/** The outcome of {@link findChromium}. */
export type ChromiumLookup =
    | { found: true; path: string; from: typeof CHROMIUM_ENV | "default location"; tried: string[] }
    /** `problem` says what is wrong and how to fix it; `skippable` is false when CHROMIUM_PATH names a missing file. */
    | { found: false; problem: string; skippable: boolean; tried: string[] }

/**
 * The usual locations of a Chromium-based browser on `platform`, most specific first.
 * @param platform `process.platform` of the machine.
 * @param env Its environment (Windows folders come from ProgramFiles, ProgramFiles(x86), LOCALAPPDATA).
 */
export function chromiumLocations(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string[] {
    switch (platform) {
        case "linux":
            // Debian's package, Ubuntu's (and older Debian's) name, Ubuntu's snap, Google's packages
            return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome"]
        case "darwin": {
            const bundles = ["Chromium.app/Contents/MacOS/Chromium", "Google Chrome.app/Contents/MacOS/Google Chrome"]
            const home = env.HOME ?? homedir()
            return bundles.flatMap((bundle) => [`/Applications/${bundle}`, join(home, "Applications", bundle)])
        }
        case "win32": {
            const roots = [env.ProgramFiles ?? "C:\\Program Files", env["ProgramFiles(x86)"] ?? "C:\\Program Files (x86)", env.LOCALAPPDATA].filter((r): r is string => r !== undefined)
            const browsers = [
                ["Chromium", "Application", "chrome.exe"],
                ["Google", "Chrome", "Application", "chrome.exe"]
            ]
            return browsers.flatMap((parts) => roots.map((root) => win32.join(root, ...parts)))
        }
        default:
            return []
    }
}

/** Whether `path` is an executable file (on Windows: a file; there is no execute bit). */
export function isExecutableFile(path: string): boolean {
    try {
        if (!statSync(path).isFile()) return false
        if (process.platform !== "win32") accessSync(path, constants.X_OK)
        return true
    } catch {
        return false
    }
}

/**
 * Finds Chromium: `CHROMIUM_PATH` when set (and then only there), else the first of
 * {@link chromiumLocations} that holds an executable.
 */
export function findChromium(search: ChromiumSearch = {}): ChromiumLookup {
    const env = search.env ?? process.env
    const platform = search.platform ?? process.platform
    const isExecutable = search.isExecutable ?? isExecutableFile
    const fromEnv = env[CHROMIUM_ENV]
    if (fromEnv !== undefined && fromEnv !== "") {
        if (isExecutable(fromEnv)) return { found: true, path: fromEnv, from: CHROMIUM_ENV, tried: [fromEnv] }
        return { found: false, skippable: false, tried: [fromEnv], problem: `${CHROMIUM_ENV} is "${fromEnv}", and no executable is there: point it at Chromium's (or Google Chrome's) executable, or unset it to search the usual locations` }
    }
    const tried = chromiumLocations(platform, env)
    const path = tried.find((candidate) => isExecutable(candidate))
    if (path !== undefined) return { found: true, path, from: "default location", tried }
    const install = platform === "linux" ? "apt-get install chromium, or " : ""
    const where = tried.length > 0 ? `looked in ${tried.join(", ")}` : `no usual location is known on ${platform}`
    return { found: false, skippable: true, tried, problem: `no Chromium found (${where}): ${install}set ${CHROMIUM_ENV} to the executable of Chromium or Google Chrome` }
}

/** Whether this runs under CI: the `CI` variable is set to anything but "", "0" or "false". */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
    const value = env.CI?.trim().toLowerCase()
    return value !== undefined && value !== "" && value !== "0" && value !== "false"
}
