/**
 * `zkcredit borrower attest --out`: a path the attestation cannot be written to is refused before
 * anything is proven or sent, so the bureau never scores a person whose attestation would then be
 * lost. No chain: the bureau is a stand-in that records what it is asked (on a port the system
 * picks, so no port of another file is taken).
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Wallet } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { signBinding } from "../../bureau/src/binding.ts"
import { jsonError, runCli, runJson } from "./helpers.ts"

const ENV = { ZKCREDIT_PASSWORD: "correct horse battery", ZKCREDIT_KDF_ITERATIONS: "1000" }

let dir: string
let server: Server
let bureau: string
/** The routes the stand-in bureau was asked, in order. */
const asked: string[] = []

/** Every name below `dir` with its size and modification time: what a run must leave as it was. */
async function snapshot(at = dir): Promise<string[]> {
    const entries = await readdir(at, { withFileTypes: true })
    const rows = await Promise.all(
        entries.map(async (e) => {
            const path = join(at, e.name)
            const info = await stat(path)
            return [`${path} ${info.size} ${info.mtimeMs}`, ...(e.isDirectory() ? await snapshot(path) : [])]
        })
    )
    return rows.flat().sort()
}

beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "zkcredit-attest-out-"))
    server = createServer((request, response) => {
        asked.push(`${request.method} ${request.url}`)
        // the bureau is down: a run that gets this far stops here (exit 3), before any proof
        response.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "stand-in" } }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("the stand-in bureau has no port")
    bureau = `http://127.0.0.1:${address.port}`
    const created = await runJson<{ commitment: string }>(["borrower", "identity", "new", "--out", "me.json"], { env: ENV, cwd: dir })
    const officer = Wallet.createRandom()
    const binding = await signBinding(officer, { personRef: `0x${"ab".repeat(32)}`, commitment: created.commitment, subjectKind: "person", issuedAt: 1_800_000_000 }, { chainId: 31337, kycRegistry: Wallet.createRandom().address })
    await writeFile(join(dir, "me.binding.json"), JSON.stringify(binding))
    await mkdir(join(dir, "adir"))
})

afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    if (dir) await rm(dir, { recursive: true, force: true })
})

describe("borrower attest --out", () => {
    const attest = (extra: string[]) => runCli(["--json", "borrower", "attest", "--identity", "me.json", "--binding", "me.binding.json", "--bureau", bureau, ...extra], { env: ENV, cwd: dir })

    it("a good path reaches the bureau (the stand-in is down: exit 3, nothing written)", async () => {
        const before = await snapshot()
        const run = await attest(["--out", "new-dir/me.attestation.json"])
        expect(run.code, run.stderr).toBe(3)
        expect(jsonError(run).code).toBe("UNAVAILABLE")
        expect(asked).toEqual(["POST /v1/challenges"])
        expect(await snapshot()).toEqual(before)
        asked.length = 0
    })

    const bad: [string, string[], RegExp][] = [
        ["a folder", ["--out", "adir"], /adir cannot be written: it is a folder/],
        ["a path through a file", ["--out", "me.json/attestation.json"], /me\.json is not a folder/],
        ["a name too long", ["--out", `${"y".repeat(300)}.json`], /the name is too long/],
        ["a folder's name", ["--out", "out/"], /it names a folder, not a file/],
        ["an empty path", ["--out", ""], /the path is empty/],
        // the markets are asked of the bureau before the proof: the path is checked before that too
        ["a folder, sharing history", ["--out", "adir", "--share-history", "all"], /adir cannot be written: it is a folder/]
    ]
    it.each(bad)("%s: refused at once (exit 2, FILE_UNWRITABLE), nothing asked of the bureau, nothing written", async (_, extra, message) => {
        const before = await snapshot()
        const started = Date.now()
        const run = await attest(extra)
        expect(run.code, run.stderr).toBe(2)
        expect(jsonError(run)).toMatchObject({ code: "FILE_UNWRITABLE", message: expect.stringMatching(message) })
        expect(run.stdout).toBe("")
        expect(asked).toEqual([])
        expect(await snapshot()).toEqual(before)
        // no proof was made: a history proof alone takes seconds; a refusal is the CLI's start-up
        expect(Date.now() - started).toBeLessThan(30_000)
    })
})
