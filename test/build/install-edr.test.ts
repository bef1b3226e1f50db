/**
 * The postinstall that adds Hardhat's EDR binary where npm skipped it (scripts/install-edr.mjs):
 * which binary it picks for each platform from package-lock.json, and, in a scratch project on
 * this machine, that it installs exactly the locked package, does nothing the second time, refuses
 * a package whose integrity differs from the lock, and explains an old Node or an unsupported
 * platform.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const SCRIPT = `${root}scripts/install-edr.mjs`

/** The functions scripts/install-edr.mjs exports (plain JavaScript: no declaration file). */
interface InstallEdr {
    currentLibc(): "glibc" | "musl" | undefined
    pickEdrBinary(lock: unknown, target: { platform: string; arch: string; libc: string | undefined }): { status: "no-edr" } | { status: "unsupported"; candidates: string[] } | { status: "found"; name: string; version: string; integrity: string }
}
const scriptPath: string = SCRIPT
const { currentLibc, pickEdrBinary } = (await import(scriptPath)) as InstallEdr
const lockText = readFileSync(`${root}package-lock.json`, "utf8")
const lock = JSON.parse(lockText) as { packages: Record<string, { version: string; integrity: string }> }
const here = pickEdrBinary(lock, { platform: process.platform, arch: process.arch, libc: currentLibc() })

/** npm's own script: the one running this suite (npm test), else the global npm's. */
function npmCli(): string {
    if (process.env.npm_execpath && existsSync(process.env.npm_execpath) && /npm-cli\.js$/.test(process.env.npm_execpath)) return process.env.npm_execpath
    const globalRoot = execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["root", "-g"], { encoding: "utf8", shell: process.platform === "win32" }).trim()
    return join(globalRoot, "npm", "bin", "npm-cli.js")
}

const scratches: string[] = []
/** A project folder with the script and a lock file (the real one unless given), no node_modules. */
function scratchProject(lockContent = lockText): string {
    const dir = mkdtempSync(join(tmpdir(), "zkcredit-install-edr-"))
    scratches.push(dir)
    mkdirSync(join(dir, "scripts"))
    copyFileSync(SCRIPT, join(dir, "scripts", "install-edr.mjs"))
    writeFileSync(join(dir, "package-lock.json"), lockContent)
    return dir
}
function runScript(dir: string, options: { node?: string; preload?: string } = {}) {
    const args = [...(options.preload ? ["--import", `data:text/javascript,${encodeURIComponent(options.preload)}`] : []), join(dir, "scripts", "install-edr.mjs")]
    const result = spawnSync(options.node ?? process.execPath, args, { cwd: dir, env: { ...process.env, npm_execpath: npmCli() }, encoding: "utf8", timeout: 120_000 })
    return { status: result.status, out: `${result.stdout}${result.stderr}` }
}
const installedVersion = (dir: string, name: string) => {
    const manifest = join(dir, "node_modules", name, "package.json")
    return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : undefined
}

/** A Node older than 22 on PATH outside node_modules/.bin (Debian's system Node here), if any. */
function oldNode(): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
        if (dir.includes("node_modules")) continue
        const candidate = join(dir, process.platform === "win32" ? "node.exe" : "node")
        if (!existsSync(candidate)) continue
        const version = spawnSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim()
        if (Number(version.split(".")[0]) < 22) return candidate
    }
    return undefined
}
const OLD_NODE = oldNode()

afterAll(() => {
    for (const dir of scratches) rmSync(dir, { recursive: true, force: true })
})

describe("postinstall: Hardhat's EDR binary (scripts/install-edr.mjs)", () => {
    it("picks the binary package-lock.json records for each platform Hardhat supports, and none for the others", () => {
        const pick = (platform: string, arch: string, libc?: string) => {
            const result = pickEdrBinary(lock, { platform, arch, libc })
            return result.status === "found" ? result.name : result.status
        }
        expect(pick("linux", "x64", "glibc")).toBe("@nomicfoundation/edr-linux-x64-gnu")
        expect(pick("linux", "x64", "musl")).toBe("@nomicfoundation/edr-linux-x64-musl")
        expect(pick("linux", "arm64", "glibc")).toBe("@nomicfoundation/edr-linux-arm64-gnu")
        expect(pick("linux", "arm64", "musl")).toBe("@nomicfoundation/edr-linux-arm64-musl")
        expect(pick("darwin", "arm64")).toBe("@nomicfoundation/edr-darwin-arm64")
        expect(pick("darwin", "x64")).toBe("@nomicfoundation/edr-darwin-x64")
        expect(pick("win32", "x64")).toBe("@nomicfoundation/edr-win32-x64-msvc")
        expect(pick("win32", "arm64")).toBe("unsupported")
        expect(pick("freebsd", "x64")).toBe("unsupported")
        expect(pick("linux", "riscv64", "glibc")).toBe("unsupported")
        expect(pickEdrBinary({ packages: {} }, { platform: "linux", arch: "x64", libc: "glibc" }).status).toBe("no-edr")
        const found = pickEdrBinary(lock, { platform: "darwin", arch: "arm64", libc: undefined })
        expect(found.status === "found" && [found.version, found.integrity]).toEqual([lock.packages["node_modules/@nomicfoundation/edr-darwin-arm64"]!.version, lock.packages["node_modules/@nomicfoundation/edr-darwin-arm64"]!.integrity])
    })

    it.runIf(here.status === "found")("this checkout's install has the binary, and Hardhat's EDR loads it", () => {
        if (here.status !== "found") throw new Error("unreachable: runIf")
        expect(installedVersion(root, here.name)).toBe(here.version)
        // `hardhat --version` does not load EDR; requiring it does (it throws without its binary)
        const edr = createRequire(import.meta.url)("@nomicfoundation/edr") as Record<string, unknown>
        expect(Object.keys(edr).length).toBeGreaterThan(10)
    })

    it.runIf(here.status === "found")("installs the locked binary for this machine when it is missing, then does nothing on a second run", () => {
        if (here.status !== "found") throw new Error("unreachable: runIf")
        const dir = scratchProject()
        const first = runScript(dir)
        expect(first.out).toContain(`installed ${here.name}@${here.version}`)
        expect(first.status).toBe(0)
        expect(installedVersion(dir, here.name)).toBe(here.version)
        expect(existsSync(join(dir, "node_modules", ".zkcredit-edr-install")), "the scratch install folder is removed").toBe(false)
        const second = runScript(dir)
        expect(second).toEqual({ status: 0, out: "" })
    })

    it.runIf(here.status === "found")("refuses a package whose integrity differs from the lock, and installs nothing", () => {
        if (here.status !== "found") throw new Error("unreachable: runIf")
        const tampered = JSON.parse(lockText) as typeof lock
        // a well-formed sha512 that no published tarball has: the real one must be refused
        tampered.packages[`node_modules/${here.name}`]!.integrity = `sha512-${createHash("sha512").update("not the locked package").digest("base64")}`
        const dir = scratchProject(JSON.stringify(tampered, null, 2))
        const result = runScript(dir)
        expect(result.out).toMatch(new RegExp(`${here.name}@${here.version} is missing and installing it failed: npm ci exited with code \\d+: .*EINTEGRITY`))
        expect(result.status).toBe(1)
        expect(installedVersion(dir, here.name)).toBeUndefined()
    })

    it.runIf(here.status === "found" && OLD_NODE !== undefined)("on a Node older than 22 it fails and says which Node to install", () => {
        const dir = scratchProject()
        const result = runScript(dir, { node: OLD_NODE })
        expect(result.out).toMatch(/is missing and Node \d+\.[\d.]+ runs this install: Hardhat needs Node >= 22\. Install Node 22\.18 or later/)
        expect(result.status).toBe(1)
    })

    it("on a platform without an EDR binary it warns and lets the install finish", () => {
        const dir = scratchProject()
        const result = runScript(dir, { preload: `Object.defineProperty(process, "platform", { value: "freebsd" })` })
        expect(result.out).toContain("warning: Hardhat's simulator (EDR) has no binary for freebsd-")
        expect(result.out).toContain("@nomicfoundation/edr-darwin-arm64")
        expect(result.status).toBe(0)
        expect(existsSync(join(dir, "node_modules"))).toBe(false)
    })
})
