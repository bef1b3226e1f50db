/**
 * `postinstall`: makes sure Hardhat's simulator binary (EDR) for this platform is installed.
 *
 * Every `@nomicfoundation/edr-<platform>` package declares `engines.node >= 22`, and npm skips an
 * optional dependency whose `engines` does not match the Node that runs npm itself, silently and
 * whatever `--force` or `--engine-strict` say. Where npm runs on an older Node than the project's
 * (Linux with the system's Node 20 and `node-linux-*` from the optional dependencies, which npm
 * runs this script with: node_modules/.bin comes first on a script's PATH), `npm ci` leaves
 * Hardhat without its binary. This script then installs exactly the version and integrity that
 * package-lock.json records for this platform, with npm itself run by the current Node, into
 * node_modules; it changes neither package.json nor the lock file. Where npm already installed the
 * binary (npm on Node >= 22: macOS, Windows, any machine whose Node is recent), it does nothing.
 *
 * Plain JavaScript on purpose: it is the one script that may run on an old Node (one without type
 * stripping), where it must say what is wrong instead of failing to parse.
 *
 * Exit codes: 0 installed or nothing to do (also when EDR has no binary for this platform: a
 * warning says so and Hardhat will refuse to start); 1 the binary is missing and could not be
 * installed (the message says why and what to do).
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The package that loads the platform binary, as package-lock.json names it. */
export const EDR = "@nomicfoundation/edr"

/**
 * The C library of this process: "glibc" or "musl" on Linux (as npm decides it: a glibc runtime
 * version in the process report means glibc), undefined elsewhere.
 * @returns {"glibc" | "musl" | undefined}
 */
export function currentLibc() {
    if (process.platform !== "linux") return undefined
    const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report.getReport())
    return report.header?.glibcVersionRuntime ? "glibc" : "musl"
}

/**
 * @param {string | string[] | undefined} allowed a package's `os`, `cpu` or `libc` field
 * @param {string | undefined} value this machine's
 */
function allows(allowed, value) {
    if (allowed === undefined) return true
    const list = Array.isArray(allowed) ? allowed : [allowed]
    if (list.length === 1 && list[0] === "any") return true
    if (value === undefined) return false
    // npm's rule (npm-install-checks): "!x" excludes x; a list of exclusions only allows the rest
    if (list.includes(`!${value}`)) return false
    const positive = list.filter((entry) => !entry.startsWith("!"))
    return positive.length === 0 || positive.includes(value)
}

/**
 * The EDR binary package that package-lock.json records for a platform.
 * @param {{ packages?: Record<string, { version?: string, integrity?: string, os?: string | string[], cpu?: string | string[], libc?: string | string[], optionalDependencies?: Record<string, string> }> }} lock parsed package-lock.json (lockfileVersion 2 or 3)
 * @param {{ platform: string, arch: string, libc: string | undefined }} target
 * @returns {{ status: "no-edr" } | { status: "unsupported", candidates: string[] } | { status: "found", name: string, version: string, integrity: string, entry: object }}
 */
export function pickEdrBinary(lock, target) {
    const packages = lock.packages ?? {}
    const edr = packages[`node_modules/${EDR}`]
    if (!edr) return { status: "no-edr" }
    const candidates = Object.keys(edr.optionalDependencies ?? {})
    for (const name of candidates) {
        const entry = packages[`node_modules/${name}`]
        if (!entry || !entry.version || !entry.integrity) continue
        if (allows(entry.os, target.platform) && allows(entry.cpu, target.arch) && allows(entry.libc, target.libc)) {
            return { status: "found", name, version: entry.version, integrity: entry.integrity, entry }
        }
    }
    return { status: "unsupported", candidates }
}

/**
 * Whether node_modules holds `name` at `version`.
 * @param {string} root project folder
 * @param {string} name
 * @param {string} version
 */
export function isInstalled(root, name, version) {
    const manifest = join(root, "node_modules", name, "package.json")
    if (!existsSync(manifest)) return false
    try {
        return JSON.parse(readFileSync(manifest, "utf8")).version === version
    } catch {
        return false
    }
}

/**
 * Installs one package exactly as the lock file records it: `npm ci` in a scratch project (inside
 * node_modules, so the final move is a rename on one file system) whose lock holds that entry
 * alone, so npm checks the recorded integrity; then the package is moved into node_modules.
 * @param {{ root: string, name: string, version: string, entry: object, npmCli: string, log: (line: string) => void }} options
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function installFromLock({ root, name, version, entry, npmCli, log }) {
    const scratch = join(root, "node_modules", ".zkcredit-edr-install")
    rmSync(scratch, { recursive: true, force: true })
    mkdirSync(scratch, { recursive: true })
    try {
        const manifest = { name: "zkcredit-edr-install", version: "0.0.0", private: true, dependencies: { [name]: version } }
        // a direct dependency there, not an optional one: npm reports a mismatch instead of skipping it
        const { optional, dev, devOptional, peer, ...direct } = /** @type {Record<string, unknown>} */ (entry)
        const lock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: { "": { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies }, [`node_modules/${name}`]: direct } }
        writeFileSync(join(scratch, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
        writeFileSync(join(scratch, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`)
        log(`installing ${name}@${version} (the version and integrity package-lock.json records) with npm under Node ${process.versions.node}`)
        const args = [npmCli, "ci", "--prefix", scratch, "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]
        // the parent's platform overrides (npm_config_os, _cpu, _libc) would pick another binary
        const env = { ...process.env }
        for (const key of Object.keys(env)) if (/^npm_config_(os|cpu|libc|omit|global|prefix)$/i.test(key)) delete env[key]
        const result = spawnSync(process.execPath, args, { cwd: scratch, env, encoding: "utf8" })
        if (result.error) return { ok: false, reason: `could not run npm (${npmCli}): ${result.error.message}` }
        if (result.status !== 0) return { ok: false, reason: `npm ci exited with code ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").slice(-6).join(" | ")}` }
        const installed = join(scratch, "node_modules", name)
        if (!isInstalled(scratch, name, version)) return { ok: false, reason: `npm ci succeeded but ${name}@${version} is not in its node_modules (npm skipped it: does ${name} accept Node ${process.versions.node}, ${process.platform}-${process.arch}?)` }
        const target = join(root, "node_modules", name)
        rmSync(target, { recursive: true, force: true })
        mkdirSync(dirname(target), { recursive: true })
        renameSync(installed, target)
        return { ok: true }
    } finally {
        rmSync(scratch, { recursive: true, force: true })
    }
}

/** @param {string} root */
function main(root) {
    const log = (/** @type {string} */ line) => console.log(`zkcredit postinstall: ${line}`)
    const fail = (/** @type {string} */ line) => {
        console.error(`zkcredit postinstall: ${line}`)
        process.exitCode = 1
    }
    const lockPath = join(root, "package-lock.json")
    if (!existsSync(lockPath)) return log("no package-lock.json: nothing to check")
    const target = { platform: process.platform, arch: process.arch, libc: currentLibc() }
    const platformName = `${target.platform}-${target.arch}${target.libc ? ` (${target.libc})` : ""}`
    const pick = pickEdrBinary(JSON.parse(readFileSync(lockPath, "utf8")), target)
    if (pick.status === "no-edr") return
    if (pick.status === "unsupported") {
        console.warn(`zkcredit postinstall: warning: Hardhat's simulator (EDR) has no binary for ${platformName}; Hardhat will not start here. Binaries exist for: ${pick.candidates.join(", ")}.`)
        return
    }
    if (isInstalled(root, pick.name, pick.version)) return
    const major = Number(process.versions.node.split(".")[0])
    if (major < 22) {
        return fail(
            `${pick.name}@${pick.version} is missing and Node ${process.versions.node} runs this install: Hardhat needs Node >= 22. ` +
                `Install Node 22.18 or later (see README, Platforms), or on Linux x64/arm64 keep optional dependencies (no --omit=optional) so node-linux-* provides Node 24, then run npm ci again.`
        )
    }
    const npmCli = process.env.npm_execpath
    if (!npmCli || !existsSync(npmCli)) return fail(`${pick.name}@${pick.version} is missing and npm's own script is unknown (npm_execpath is not set: run this through npm, e.g. npm ci).`)
    const result = installFromLock({ root, name: pick.name, version: pick.version, entry: pick.entry, npmCli, log })
    if (!result.ok) return fail(`${pick.name}@${pick.version} is missing and installing it failed: ${result.reason}`)
    // npm_config_user_agent: "npm/11.19.1 node/v20.20.2 linux x64 ..."
    const npmNode = /node\/v(\d+)((?:\.\d+)*)/.exec(process.env.npm_config_user_agent ?? "")
    const why = npmNode && Number(npmNode[1]) < 22 ? `npm runs on Node ${npmNode[1]}${npmNode[2]} and skips it for its engines field (node >= 22)` : "it was missing from node_modules"
    log(`installed ${pick.name}@${pick.version} for ${platformName}: ${why}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
    main(fileURLToPath(new URL("../", import.meta.url)))
}
