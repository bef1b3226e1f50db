/**
 * `zkcredit officer audit` on a real local node: an honest history audits clean (exit 0); an
 * officer who publishes a root that does not match the members (sent straight to the contract)
 * is reported with that event's root, block and transaction (exit 1), and the CLI then refuses
 * to build on the bad root. An add interrupted by a signal part-way is continued with --resume,
 * adding no member twice. The tree file states the 4-ary shape and one of the binary tree is
 * refused. Ports 8700-8701.
 */
import { readFile, rm, writeFile } from "node:fs/promises"
import { Contract } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { KycTree } from "../../prover/src/kyc-tree.ts"
import { jsonError, runCli, startCliProcess, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"
import { testPort } from "../helpers/ports.ts"

const OFFICER = 1
let chain: TestChain
// in this process; the failed audit in words and the interrupted add also as child processes of the real binary
const { cli, json } = inProcessChainRunners(() => chain)
const child = (args: string[]) => runCli(args, { env: chain.env, cwd: chain.dir })

beforeAll(async () => {
    chain = await startTestChain(testPort(8700))
    const officer = (await chain.provider.getSigner(OFFICER)).address
    await json(["admin", "officer", "grant", officer, "--account", "0"])
})

afterAll(async () => {
    await chain?.stop()
})

describe("zkcredit officer audit", () => {
    const honest = ["11", "22", "33", "44", "55"]

    it("an honest history (adds, a removal, a replacement) audits clean", async () => {
        await writeFile(`${chain.dir}/members.csv`, `${honest.join("\n")}\n`)
        await json(["officer", "add", "members.csv", "--batch-size", "2", "--account", String(OFFICER)])
        await json(["officer", "remove", "1", "--account", String(OFFICER)])
        await json(["officer", "replace", "3", "66", "--account", String(OFFICER)])
        const result = await cli(["--json", "officer", "audit"])
        expect(result.code).toBe(0)
        const audit = JSON.parse(result.stdout)
        // a plain removal is no default: the audit lists none (removals for a default: test/cli/default-records.test.ts)
        expect(audit).toMatchObject({ ok: true, rootsChecked: 5, members: 4, currentRootMatches: true, findings: [], defaults: [] })
        expect(result.stdout).not.toContain("removed for the default")
        const expected = new KycTree(["11", "0", "33", "66", "55"])
        expect(audit.currentRoot).toBe(expected.root.toString())
    })

    let tamperTx: string
    let wrongRoot: bigint
    let rightRoot: bigint

    it("a root that does not match the members is reported with its event (exit 1)", async () => {
        // an officer publishes a made-up root with a real member, straight to the contract
        const registry = new Contract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, await chain.provider.getSigner(OFFICER))
        rightRoot = new KycTree(["11", "0", "33", "66", "55", "77"]).root
        wrongRoot = 123456789n
        const tx = await registry.getFunction("addMembers")([77n], wrongRoot)
        tamperTx = (await tx.wait())!.hash

        const result = await cli(["--json", "officer", "audit"])
        expect(result.code).toBe(1)
        const audit = JSON.parse(result.stdout)
        expect(audit.ok).toBe(false)
        expect(audit.rootsChecked).toBe(6)
        expect(audit.findings).toHaveLength(1)
        expect(audit.findings[0]).toMatchObject({ eventIndex: 5, kind: "added", transactionHash: tamperTx, publishedRoot: wrongRoot.toString(), expectedRoot: rightRoot.toString() })
        expect(audit.currentRootMatches).toBe(false)
        expect(jsonError(result)).toMatchObject({ code: "AUDIT_MISMATCH", exitCode: 1 })
    })

    it("says so in words too, naming the root and the transaction", async () => {
        const result = await child(["officer", "audit"])
        expect(result.code).toBe(1)
        expect(result.stdout).toContain("AUDIT FAILED")
        expect(result.stdout).toContain(`published root ${wrongRoot}`)
        expect(result.stdout).toContain(tamperTx)
    })

    it("refuses to add members on top of the bad root, sending nothing (exit 1)", async () => {
        const officer = (await chain.provider.getSigner(OFFICER)).address
        const nonce = await chain.provider.getTransactionCount(officer)
        await writeFile(`${chain.dir}/more.csv`, "88\n")
        const result = await cli(["--json", "officer", "add", "more.csv", "--account", String(OFFICER)])
        expect(result.code).toBe(1)
        expect(jsonError(result).code).toBe("TREE_MISMATCH")
        expect(await chain.provider.getTransactionCount(officer)).toBe(nonce)
        const sync = await cli(["--json", "officer", "sync"])
        expect(sync.code).toBe(1)
    })
})

describe("zkcredit officer add --resume", () => {
    // a chain of its own: the audit tests above leave a wrong root on theirs
    let chain: TestChain
    const { cli, json } = inProcessChainRunners(() => chain)
    beforeAll(async () => {
        chain = await startTestChain(testPort(8701))
        await json(["admin", "officer", "grant", (await chain.provider.getSigner(OFFICER)).address, "--account", "0"])
    })
    afterAll(async () => {
        await chain?.stop()
    })

    it("after an add is stopped part-way, --resume adds only what the chain does not have, and the audit is clean", async () => {
        const registry = new Contract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, chain.provider)
        const members = Array.from({ length: 40 }, (_, i) => String(9_000 + i))
        await writeFile(`${chain.dir}/many.csv`, `${members.join("\n")}\n`)
        const start = Number(await registry.getFunction("nextIndex")())
        // one member per transaction, stopped once a few have landed (as a crash or Ctrl-C would)
        const running = await startCliProcess(["--json", "officer", "add", "many.csv", "--batch-size", "1", "--account", String(OFFICER)], {
            env: chain.env,
            cwd: chain.dir,
            ready: async () => Number(await registry.getFunction("nextIndex")()) >= start + 3
        })
        await running.stop()
        const landed = Number(await registry.getFunction("nextIndex")()) - start
        expect(landed).toBeGreaterThanOrEqual(3)
        expect(landed).toBeLessThan(members.length)

        const again = await cli(["--json", "officer", "add", "many.csv", "--account", String(OFFICER)])
        expect(again.code).toBe(2)
        expect(jsonError(again)).toMatchObject({ code: "ALREADY_MEMBER" })

        const resumed = await json(["officer", "add", "many.csv", "--resume", "--batch-size", "10", "--account", String(OFFICER)])
        expect(resumed).toMatchObject({ added: members.length - landed, skipped: landed, size: start + members.length })
        const audit = await json(["officer", "audit"])
        expect(audit).toMatchObject({ ok: true, currentRootMatches: true })
        const done = await json(["officer", "add", "many.csv", "--resume", "--account", String(OFFICER)])
        expect(done).toMatchObject({ added: 0, skipped: members.length })
    })

    it("the tree file and the export state the 4-ary shape; a file of the former binary tree is refused, saying so, until deleted", async () => {
        const path = `${chain.dir}/.zkcredit/${chain.deployment.chainId}/kyc-tree.json`
        await json(["officer", "sync"])
        const file = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>
        expect(file).toMatchObject({ format: "zkcredit-kyc-tree", version: 1, depth: 10, arity: 4 })
        await json(["officer", "export", "--out", "tree-export.json"])
        const exported = JSON.parse(await readFile(`${chain.dir}/tree-export.json`, "utf8")) as Record<string, unknown>
        expect(exported).toMatchObject({ depth: 10, arity: 4, leaves: file.leaves })
        expect(KycTree.import(JSON.stringify(exported)).root.toString()).toBe(file.root)
        // as the binary tree's CLI wrote it: depth 20, no arity (its root is another tree's)
        const { arity: _arity, ...binary } = file
        await writeFile(path, JSON.stringify({ ...binary, depth: 20 }))
        const refused = await cli(["--json", "officer", "sync"])
        expect(refused.code).toBe(2)
        expect(jsonError(refused)).toMatchObject({ code: "INVALID_TREE_FILE", message: expect.stringMatching(/4-ary of depth 10.*delete it/) })
        await writeFile(path, JSON.stringify({ ...binary, depth: 10 }))
        expect(jsonError(await cli(["--json", "officer", "sync"]))).toMatchObject({ code: "INVALID_TREE_FILE" })
        await rm(path)
        expect(await json(["officer", "sync"])).toMatchObject({ matchesChain: true, root: file.root })
    })
})
