/**
 * Every custom error declared in contracts/interfaces is reached by some test: each must appear
 * as the expected error of an `expectRevert(...)` call in test/contracts, and `expectRevert`
 * itself fails unless the call reverts with exactly that error (checked below too). So a new
 * error without a test that triggers it fails this suite.
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { abiOf, as, deployTrustRegistry } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const { ethers } = await network.create()
const root = fileURLToPath(new URL("../../", import.meta.url))
const TESTS = `${root}test/contracts/`

/** Error names declared in each interface, from the compiled ABIs. */
function interfaceErrors(): Map<string, string> {
    const owner = new Map<string, string>()
    for (const file of readdirSync(`${root}contracts/interfaces`).filter((f) => f.endsWith(".sol"))) {
        const name = file.replace(/\.sol$/, "")
        for (const fragment of abiOf(`interfaces/${file}`, name) as { type: string; name: string }[]) {
            if (fragment.type === "error") owner.set(fragment.name, name)
        }
    }
    return owner
}

/** The text of every `expectRevert(...)` call (balanced parentheses) in a source. */
function expectRevertCalls(source: string): string[] {
    const calls: string[] = []
    let from = 0
    for (;;) {
        const start = source.indexOf("expectRevert(", from)
        if (start === -1) return calls
        let depth = 0
        let end = start + "expectRevert".length
        for (; end < source.length; end++) {
            if (source[end] === "(") depth++
            else if (source[end] === ")" && --depth === 0) break
        }
        calls.push(source.slice(start, end + 1))
        from = end + 1
    }
}

describe("custom errors", () => {
    const testFiles = readdirSync(TESTS).filter((f) => f.endsWith(".test.ts") && f !== "error-coverage.test.ts")

    it("each error declared in contracts/interfaces is expected by an expectRevert in some test", () => {
        const declared = interfaceErrors()
        expect(declared.size).toBeGreaterThan(40)
        const expected = new Set<string>()
        for (const file of testFiles) {
            for (const call of expectRevertCalls(readFileSync(`${TESTS}${file}`, "utf8"))) {
                for (const [, name] of call.matchAll(/"([A-Z][A-Za-z0-9]*)"/g)) expected.add(name as string)
            }
        }
        const untested = [...declared.keys()].filter((name) => !expected.has(name)).map((name) => `${declared.get(name)}.${name}`)
        expect(untested, "errors no test reaches").toEqual([])
    })

    it("no contract test is skipped or focused (a skipped test would count without running)", () => {
        for (const file of testFiles) {
            const source = readFileSync(`${TESTS}${file}`, "utf8")
            expect(source, file).not.toMatch(/\b(?:it|describe|test)\.(?:skip|only|todo|fails)\b|\bx(?:it|describe)\(/)
        }
    })

    describe("expectRevert", () => {
        it("passes only for the named error with the given arguments", async () => {
            const [admin] = await ethers.getSigners()
            const kyc = await deployTrustRegistry(ethers, admin!.address, 60)
            await (await kyc.grantRole(await kyc.OFFICER_ROLE(), admin!.address)).wait()
            const officer = as(kyc, admin!)
            await expectRevert(officer.addMembers([], 1n), "EmptyBatch", [])
            await expect(expectRevert(officer.addMembers([], 1n), "InvalidRoot")).rejects.toThrow(/expected a revert with InvalidRoot, got EmptyBatch\(\)/)
            await expect(expectRevert(officer.addMembers([0n], 1n), "InvalidCommitment", [1n])).rejects.toThrow(/arguments of InvalidCommitment/)
            await expect(expectRevert(officer.addMembers([1n], 1n), "EmptyBatch")).rejects.toThrow(/but it succeeded/)
        })
    })
})
