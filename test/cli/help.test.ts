/**
 * `zkcredit --help` and bad input. Every command has help; bad files, rows, numbers, commitments
 * and ids exit 2 with a message naming the problem and send nothing (the accounts' nonces and
 * the registry do not change); an unreachable chain exits 3. Ports 8950-8999.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import type { Command } from "commander"
import { Contract } from "ethers"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { buildProgram } from "../../cli/program.ts"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { bureauKeyHash, verifyAttestation } from "../../prover/src/attestation.ts"
import { jsonError, runCli, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessRunners } from "./in-process.ts"
import { testPort } from "../helpers/ports.ts"

const ROLES = ["officer", "bureau", "provider", "borrower", "lender", "admin"]

/** Every command under `command`, with its path. */
function allCommands(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
    return command.commands
        .filter((c) => c.name() !== "help")
        .flatMap((c) => [{ path: [...path, c.name()], command: c }, ...allCommands(c, [...path, c.name()])])
}

describe("zkcredit --help", () => {
    it("lists the four roles (and admin) and the exit codes", async () => {
        const result = await runCli(["--help"])
        expect(result.code).toBe(0)
        for (const role of ROLES) expect(result.stdout).toMatch(new RegExp(`^  ${role} `, "m"))
        expect(result.stdout).toContain("Exit codes:")
        for (const code of ["0  success", "1  the operation failed", "2  bad usage", "3  the chain or a service is unreachable"]) expect(result.stdout).toContain(code)
        expect(result.stdout).toContain("ZKCREDIT_PRIVATE_KEY")
    })

    it("every role's --help lists its commands (a child process per role)", async () => {
        const expected: Record<string, string[]> = {
            officer: ["bind", "add", "remove", "replace", "record-default", "readmit", "sync", "audit", "snapshot", "export"],
            bureau: ["key", "score", "sign", "serve"],
            borrower: ["identity", "attest", "offers", "borrow", "repay", "status"],
            lender: ["offer", "offers", "deposit", "withdraw", "pause", "resume", "loans", "faucet"],
            admin: ["bureau", "bureau-key", "officer", "allow-token", "disallow-token", "tokens", "pause", "unpause"],
            provider: ["keygen", "person-ref", "register", "revoke", "submit"]
        }
        const results = await Promise.all(ROLES.map((role) => runCli([role, "--help"])))
        results.forEach((result, i) => {
            expect(result.code).toBe(0)
            for (const sub of expected[ROLES[i]!]!) expect(result.stdout).toMatch(new RegExp(`^  ${sub}\\b`, "m"))
        })
    })

    it("every command has a description and a usage line in its help", () => {
        const commands = allCommands(buildProgram())
        expect(commands.length).toBeGreaterThan(35)
        for (const { path, command } of commands) {
            const help = command.helpInformation()
            expect(help, path.join(" ")).toContain(`Usage: zkcredit ${path.join(" ")}`)
            expect(command.description(), path.join(" ")).not.toBe("")
            expect(help).toContain("--help")
        }
    })

    it("a leaf command's --help shows its options (child process)", async () => {
        const result = await runCli(["borrower", "borrow", "--help"])
        expect(result.code).toBe(0)
        for (const option of ["--identity", "--offer", "--tier", "--amount"]) expect(result.stdout).toContain(option)
    })

    it("a command without its subcommand, an unknown command or option is bad usage (exit 2)", async () => {
        const [bare, fly, unknown] = await Promise.all([runCli(["officer"]), runCli(["lender", "fly"]), runCli(["--json", "officer", "sync", "--frobnicate"])])
        expect(bare.code).toBe(2)
        expect(fly.code).toBe(2)
        expect(unknown.code).toBe(2)
        expect(unknown.stdout).toBe("")
        expect(jsonError(unknown).message).toContain("--frobnicate")
    })

    it("an unreachable chain is exit 3 with a JSON error naming the URL", async () => {
        const result = await runCli(["--json", "--rpc", "http://127.0.0.1:8999", "borrower", "offers"])
        expect(result.code).toBe(3)
        expect(jsonError(result)).toMatchObject({ code: "CHAIN_UNREACHABLE", exitCode: 3 })
        expect(jsonError(result).message).toContain("http://127.0.0.1:8999")
    })
})

describe("bad input changes nothing (exit 2)", () => {
    let chain: TestChain
    let officer: string
    let lender: string
    // in this process, one command at a time (the help and exit codes above are the real binary's)
    const { cli, json } = inProcessRunners({ env: () => chain.env, dir: () => chain.dir })

    /** The nonces of the officer and the lender, and the registry's size: what a sent transaction would change. */
    async function state(): Promise<number[]> {
        const { provider } = chain
        const kyc = new Contract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, provider)
        return [await provider.getTransactionCount(officer), await provider.getTransactionCount(lender), Number(await kyc.getFunction("nextIndex")())]
    }

    beforeAll(async () => {
        chain = await startTestChain(testPort(8950))
        officer = (await chain.provider.getSigner(1)).address
        lender = (await chain.provider.getSigner(2)).address
        await json(["admin", "officer", "grant", officer])
        await json(["lender", "faucet", "--amount", "5000", "--account", "2"])
        await json(["lender", "offer", "create", "--capacity", "1000", "--tiers", "600:1500:500", "--account", "2"])
        await writeFile(`${chain.dir}/good.csv`, "101\n102\n")
        await json(["officer", "add", "good.csv", "--account", "1"])
    })

    afterAll(async () => {
        await chain?.stop()
    })

    async function expectRefused(args: string[], message: RegExp, env: Record<string, string> = {}): Promise<void> {
        const before = await state()
        const result = await cli(["--json", ...args], env)
        expect(result.code, result.stderr).toBe(2)
        expect(result.stdout).toBe("")
        const error = jsonError(result)
        expect(error.exitCode).toBe(2)
        expect(error.message).toMatch(message)
        expect(await state()).toEqual(before)
    }

    it("a members file that does not exist", async () => {
        await expectRefused(["officer", "add", "missing.csv", "--account", "1"], /missing\.csv does not exist/)
    })

    it("a malformed CSV row, even after good rows: the line is named and nothing is sent", async () => {
        await writeFile(`${chain.dir}/bad.csv`, "commitment\n201\n202\n20x3\n204\n")
        await expectRefused(["officer", "add", "bad.csv", "--account", "1"], /bad\.csv line 4 .*"20x3"/)
    })

    it("repeated and existing members", async () => {
        await writeFile(`${chain.dir}/repeat.csv`, "301\n302\n301\n")
        await expectRefused(["officer", "add", "repeat.csv", "--account", "1"], /line 3: repeats the commitment of line 1/)
        await writeFile(`${chain.dir}/existing.csv`, "401\n102\n")
        await expectRefused(["officer", "add", "existing.csv", "--account", "1"], /already a member, at index 1/)
    })

    it("a commitment that is not a field element", async () => {
        const p = "21888242871839275222246405745257275088548364400416034343698204186575808495617"
        await expectRefused(["officer", "replace", "0", p, "--account", "1"], /not below the BN254 scalar field/)
        await writeFile(`${chain.dir}/big.json`, JSON.stringify(["501", p]))
        await expectRefused(["officer", "add", "big.json", "--account", "1"], /item 1 is not below the BN254 scalar field/)
    })

    it("an index that is not in the tree", async () => {
        await expectRefused(["officer", "remove", "7", "--account", "1"], /index 7 is not in the tree: it has 2 slots/)
    })

    it("a negative, malformed or too precise amount", async () => {
        await expectRefused(["lender", "deposit", "--offer", "0", "--amount", "-5", "--account", "2"], /--amount must be a positive amount/)
        await expectRefused(["lender", "deposit", "--offer", "0", "--amount", "ten", "--account", "2"], /--amount must be an amount in token units/)
        await expectRefused(["lender", "deposit", "--offer", "0", "--amount", "1.0000001", "--account", "2"], /7 decimals; the token has 6/)
    })

    it("an offer that does not exist", async () => {
        await expectRefused(["lender", "deposit", "--offer", "5", "--amount", "10", "--account", "2"], /there is no offer 5/)
        await expectRefused(["borrower", "repay", "--loan", "3", "--account", "2"], /there is no loan 3/)
    })

    it("bad offer tiers", async () => {
        await expectRefused(["lender", "offer", "create", "--capacity", "100", "--tiers", "700:1000:50,650:900:80", "--account", "2"], /tier 1 must ask a higher minScore/)
        await expectRefused(["lender", "offer", "create", "--capacity", "100", "--tiers", "700-1000-50", "--account", "2"], /--tiers tier 0 \(0 is the first\) .*must be minScore:aprBps:maxPrincipal/)
        // tiers are numbered from 0 here too, as in `--tier`, the app and the contract's errors
        await expectRefused(["lender", "offer", "create", "--capacity", "100", "--tiers", "600:1000:50,650:x:80", "--account", "2"], /--tiers tier 1 aprBps/)
    })

    it("an identity without a password in a pipe, or with a wrong one", async () => {
        const created = await cli(["--json", "borrower", "identity", "new", "--out", "id.json"])
        expect(created.code).toBe(0)
        await expectRefused(["borrower", "identity", "show", "--identity", "id.json"], /set ZKCREDIT_PASSWORD/, { ZKCREDIT_PASSWORD: "" })
        await expectRefused(["borrower", "identity", "show", "--identity", "id.json"], /password is wrong/, { ZKCREDIT_PASSWORD: "not-the-password" })
    })

    it("an applicant file with a bad field, before the bureau is asked", async () => {
        await writeFile(`${chain.dir}/applicant.json`, JSON.stringify({ kind: "person", onTimePayments24m: -1 }))
        await expectRefused(["bureau", "score", "applicant.json"], /onTimePayments24m/)
    })
})

describe("files of the borrower and the bureau (no chain)", () => {
    let dir: string
    const env = { ZKCREDIT_PASSWORD: "first-password", ZKCREDIT_KDF_ITERATIONS: "10000" }
    // in this process, one command at a time
    const inProcess = inProcessRunners({ env: () => env, dir: () => dir })
    const run = (args: string[], extra: Record<string, string> = {}) => inProcess.cli(["--json", ...args], extra)

    beforeAll(async () => {
        dir = await mkdtemp(`${tmpdir()}/zkcredit-files-`)
    })
    afterAll(async () => {
        await rm(dir, { recursive: true, force: true })
    })

    it("an identity survives export and import under new passwords; the secret is never printed", async () => {
        const created = await run(["borrower", "identity", "new", "--out", "me.json"])
        expect(created.code).toBe(0)
        const { commitment } = JSON.parse(created.stdout)
        const backup = JSON.parse(await readFile(`${dir}/me.json`, "utf8"))
        expect(backup).toMatchObject({ format: "zkcredit-identity-backup", kdf: { iterations: 10000 } })
        expect(JSON.stringify(backup)).not.toContain(commitment)
        expect((await run(["borrower", "identity", "export", "--identity", "me.json", "--out", "backup.json"], { ZKCREDIT_NEW_PASSWORD: "second-password" })).code).toBe(0)
        expect((await run(["borrower", "identity", "show", "--identity", "backup.json"])).code).toBe(2)
        const imported = await run(["borrower", "identity", "import", "--from", "backup.json", "--out", "again.json"], { ZKCREDIT_PASSWORD: "second-password", ZKCREDIT_NEW_PASSWORD: "third-password" })
        expect(imported.code).toBe(0)
        const shown = await run(["borrower", "identity", "show", "--identity", "again.json"], { ZKCREDIT_PASSWORD: "third-password" })
        expect(JSON.parse(shown.stdout)).toEqual({ commitment })
        // an existing file is never replaced without --force
        const again = await run(["borrower", "identity", "new", "--out", "me.json"])
        expect(again.code).toBe(2)
        expect(jsonError(again).code).toBe("FILE_EXISTS")
    })

    it("the bureau signs an attestation of the score it computes, for the commitment given", async () => {
        await writeFile(`${dir}/sme.json`, JSON.stringify({ kind: "sme", onTimePayments24m: 60, latePayments24m: 0, creditUtilisation: 0.2, averageMonthlyRevenueYuan: 450000, averageMonthlyExpensesYuan: 360000, positiveCashFlowMonths12m: 12, monthsInBusiness: 84, pastDefaults: 0 }))
        expect((await run(["bureau", "key", "create", "--out", "key.json"])).code).toBe(0)
        const scored = JSON.parse((await run(["bureau", "score", "sme.json"])).stdout)
        const signed = await run(["bureau", "sign", "--key", "key.json", "--commitment", "4242", "--applicant", "sme.json", "--out", "att.json", "--valid-days", "10"])
        expect(signed.code).toBe(0)
        // the score goes into the file for the applicant, not onto the bureau's screen or logs
        expect(Object.keys(JSON.parse(signed.stdout))).toEqual(["attestationFile", "keyHash", "issuedAt", "expiresAt"])
        const attestation = JSON.parse(await readFile(`${dir}/att.json`, "utf8"))
        expect(attestation).toMatchObject({ commitment: "4242", score: scored.score })
        expect(attestation.expiresAt - attestation.issuedAt).toBe(10 * 86_400)
        expect(verifyAttestation(attestation)).toBe(true)
        const key = JSON.parse((await run(["bureau", "key", "show", "--key", "key.json"])).stdout)
        expect(bureauKeyHash(attestation.bureauPublicKey).toString()).toBe(key.keyHash)
        expect((await run(["bureau", "sign", "--key", "key.json", "--commitment", "0", "--applicant", "sme.json", "--out", "x.json"])).code).toBe(2)
    })

    it("the bureau signs no time a credit proof cannot carry: an expiry of 2^40 exits 1 TIME_NOT_PROVABLE, one second earlier it signs", async () => {
        await writeFile(`${dir}/clock-sme.json`, JSON.stringify({ kind: "sme", onTimePayments24m: 60, latePayments24m: 0, creditUtilisation: 0.2, averageMonthlyRevenueYuan: 450000, averageMonthlyExpensesYuan: 360000, positiveCashFlowMonths12m: 12, monthsInBusiness: 84, pastDefaults: 0 }))
        expect((await run(["bureau", "key", "create", "--out", "clock-key.json"])).code).toBe(0)
        const sign = (out: string) => run(["bureau", "sign", "--key", "clock-key.json", "--commitment", "4242", "--applicant", "clock-sme.json", "--out", out, "--valid-days", "10"])
        // the command runs in this process: its clock is this process's Date
        vi.useFakeTimers({ toFake: ["Date"] })
        try {
            vi.setSystemTime((2 ** 40 - 10 * 86_400) * 1000)
            const refused = await sign("late.json")
            expect(refused.code).toBe(1)
            expect(jsonError(refused)).toMatchObject({ code: "TIME_NOT_PROVABLE", field: "expiresAt" })
            await expect(readFile(`${dir}/late.json`)).rejects.toThrow()
            vi.setSystemTime((2 ** 40 - 1 - 10 * 86_400) * 1000)
            expect((await sign("last.json")).code).toBe(0)
        } finally {
            vi.useRealTimers()
        }
        const attestation = JSON.parse(await readFile(`${dir}/last.json`, "utf8"))
        expect(attestation.expiresAt).toBe(2 ** 40 - 1)
        expect(verifyAttestation(attestation)).toBe(true)
    })
})
