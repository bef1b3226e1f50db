/**
 * The whole lifecycle through the `zkcredit` CLI only, on a real local node process: the admin
 * registers a bureau and its key and grants the officer role; the bureau serves; the officer adds
 * members from a CSV; the lender takes tUSD and creates an offer; the borrower creates an
 * identity, gets an attestation sharing the history of two markets (a second LoanMarket deployed
 * here, read by the bureau through `--market`), lists offers, proves and borrows (a real proof), repays an
 * instalment and sees the loan; the lender lists it; then everything stops and the ports are free.
 * Ports 8600-8699. The steps share state: they run in order.
 */
import { readFile, writeFile } from "node:fs/promises"
import { ContractFactory } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { instalmentSchedule } from "../../client/src/loan-schedule.ts"
import { isPortTaken, jsonError, ROOT, startCliProcess, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"
import { runCommittee } from "../helpers/committee.ts"
import { testPort } from "../helpers/ports.ts"

const CHAIN_PORT = testPort(8600)
const BUREAU_PORT = testPort(8601)
const ACCOUNTS = { admin: "0", officer: "1", lender: "2", borrower: "3" }
const TUSD = 1_000_000n

let chain: TestChain
let bureau: Awaited<ReturnType<typeof startCliProcess>> | undefined
// in this process, but for the commands that prove (`borrower attest` and `borrow`) and the bureau's
// `bureau serve`: those are child processes of the real binary
const { cli, json } = inProcessChainRunners(() => chain)

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
})

afterAll(async () => {
    await bureau?.stop()
    await chain?.stop()
})

describe("zkcredit CLI lifecycle on a local node", () => {
    let officerAddress: string
    let commitment: string
    let keyHash: string

    it("admin: registers a bureau and its key, grants the officer role", async () => {
        const created = await json(["bureau", "key", "create", "--out", "bureau-key.json"])
        keyHash = created.keyHash
        expect(created.publicKey).toHaveLength(2)
        const bureauAdded = await json(["admin", "bureau", "add", "Pearl River Credit", "--account", ACCOUNTS.admin])
        expect(bureauAdded.bureauId).toBe(1)
        const key = await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "bureau-key.json", "--valid-days", "30", "--account", ACCOUNTS.admin])
        expect(key.keyHash).toBe(keyHash)
        officerAddress = (await chain.provider.getSigner(Number(ACCOUNTS.officer))).address
        const granted = await json(["admin", "officer", "grant", officerAddress, "--account", ACCOUNTS.admin])
        expect(granted).toMatchObject({ officer: officerAddress, role: "granted" })
    })

    it("admin: registers the escrow committee's key (from its DKG), without which no proof is accepted", async () => {
        // the committee's rounds are test/cli/committee.test.ts's; here only the key they produce
        const committee = runCommittee()
        await writeFile(`${chain.dir}/committee-key.json`, JSON.stringify(committee.committeeKey))
        const accounts = await Promise.all([ACCOUNTS.admin, ACCOUNTS.officer, ACCOUNTS.lender].map(async (i) => (await chain.provider.getSigner(Number(i))).address))
        const registry = chain.deployment.contracts.trustRegistry
        const registered = await json(["committee", "register", "--committee-key", "committee-key.json", "--accounts", accounts.join(","), "--registry", registry, "--account", ACCOUNTS.admin])
        expect(registered).toMatchObject({ committeeKeyY: committee.committeeKey.publicKey[1], threshold: 2 })
    })

    let marketB: string
    it("bureau: serves attestations on its database, reading officers and records from the chain, and the history of two markets", async () => {
        // a second market on the same verifier, whose history the bureau reads as well
        const artifact = JSON.parse(await readFile(`${ROOT}artifacts/contracts/LoanMarket.sol/LoanMarket.json`, "utf8")) as { abi: []; bytecode: string }
        const admin = await chain.provider.getSigner(Number(ACCOUNTS.admin))
        const deployed = await new ContractFactory(artifact.abi, artifact.bytecode, admin).deploy(admin.address, chain.deployment.contracts.creditVerifier, 1)
        marketB = await (await deployed.waitForDeployment()).getAddress()
        // a port already taken would pass for this bureau listening
        expect(await isPortTaken(BUREAU_PORT), `port ${BUREAU_PORT} is free before the bureau starts`).toBe(false)
        bureau = await startCliProcess(["bureau", "serve", "--key", "bureau-key.json", "--port", String(BUREAU_PORT), "--data-dir", "bureau-db", "--admin-token-file", "bureau-admin-token", "--market", marketB], {
            env: chain.env,
            cwd: chain.dir,
            ready: () => isPortTaken(BUREAU_PORT)
        })
        const key = (await (await fetch(`http://127.0.0.1:${BUREAU_PORT}/v1/key`)).json()) as { keyHash: string }
        expect(key.keyHash).toBe(keyHash)
        const markets = (await (await fetch(`http://127.0.0.1:${BUREAU_PORT}/v1/markets`)).json()) as { scopes: string[] }
        expect(markets.scopes).toHaveLength(2)
    })

    it("borrower: creates an identity (an encrypted backup)", async () => {
        const created = await json(["borrower", "identity", "new", "--out", "me.json"])
        commitment = created.commitment
        expect(commitment).toMatch(/^[0-9]+$/)
        const shown = await json(["borrower", "identity", "show", "--identity", "me.json"])
        expect(shown.commitment).toBe(commitment)
    })

    it("officer: adds members from a CSV in batches, the borrower among them", async () => {
        const others = Array.from({ length: 7 }, (_, i) => String(1000 + i))
        await writeFile(`${chain.dir}/members.csv`, `commitment,reference\n${others.slice(0, 3).map((c) => `${c},kyc-${c}`).join("\n")}\n${commitment},kyc-me\n${others.slice(3).join("\n")}\n`)
        const added = await json(["officer", "add", "members.csv", "--batch-size", "3", "--account", ACCOUNTS.officer])
        expect(added.added).toBe(8)
        expect(added.batches).toHaveLength(3)
        expect(added.batches.map((b: { startIndex: number }) => b.startIndex)).toEqual([0, 3, 6])
        const synced = await json(["officer", "sync"])
        expect(synced).toMatchObject({ members: 8, matchesChain: true, root: added.root })
    })

    let offerId: number
    it("lender: takes tUSD from the faucet and creates an offer", async () => {
        await json(["lender", "faucet", "--amount", "10000", "--account", ACCOUNTS.lender])
        const created = await json(["lender", "offer", "create", "--capacity", "8000", "--tiers", "600:1800:1000,700:1200:3000", "--term-days", "90", "--instalments", "3", "--grace-days", "3", "--default-days", "30", "--late-fee", "5", "--account", ACCOUNTS.lender])
        offerId = created.offerId
        expect(offerId).toBe(0)
        expect(created.offer.available).toBe((8000n * TUSD).toString())
        expect(created.offer.tiers).toHaveLength(2)
    })

    let personRef: string
    it("provider: a bank makes a key, registers with the bureau and submits signed records from a CSV", async () => {
        const BUREAU = `http://127.0.0.1:${BUREAU_PORT}`
        await writeFile(`${chain.dir}/reference-salt`, `0x${"3c".repeat(32)}\n`)
        personRef = (await json(["provider", "person-ref", "--national-id", "440101 19900101 1234", "--salt-file", "reference-salt"])).personRef
        const key = await json(["provider", "keygen", "--id", "pearl-bank", "--out", "bank-key.json"])
        expect(key.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
        await json(["provider", "register", "--key", "bank-key.json", "--name", "Pearl River Bank", "--category", "bank", "--admin-token-file", "bureau-admin-token", "--bureau", BUREAU])
        const months = Array(24).fill("on-time").join(";")
        const now = new Date()
        const period = (back: number) => {
            const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
            return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`
        }
        await writeFile(
            `${chain.dir}/records.csv`,
            [
                "personRef,kind,period,account,openedPeriod,monthlyPaymentYuan,limitYuan,balanceYuan,months,netIncomeYuan",
                `${personRef},repayment-history,${period(1)},card-1,${period(96)},3000,100000,15000,${months},`,
                ...[1, 2, 3].map((back) => `${personRef},income,${period(back)},,,,,,,22000`)
            ].join("\n")
        )
        const submitted = await json(["provider", "submit", "--key", "bank-key.json", "--records", "records.csv", "--bureau", BUREAU])
        expect(submitted.stored).toHaveLength(4)
        // a key the bureau never registered is refused (exit 2, one line)
        await json(["provider", "keygen", "--id", "rogue-bank", "--out", "rogue-key.json"])
        const rogue = await cli(["provider", "submit", "--key", "rogue-key.json", "--records", "records.csv", "--bureau", BUREAU])
        expect(rogue.code).toBe(2)
        expect(rogue.stderr).toContain("UNKNOWN_PROVIDER")
    })

    it("officer: binds the member's person reference to their commitment", async () => {
        const bound = await json(["officer", "bind", "--commitment", commitment, "--national-id", "440101199001011234", "--salt-file", "reference-salt", "--out", "me.binding.json", "--account", ACCOUNTS.officer])
        expect(bound.personRef).toBe(personRef)
        // a binding signed by someone without the officer role is signed, but the bureau will refuse it
        await json(["officer", "bind", "--commitment", commitment, "--person-ref", personRef, "--out", "forged.binding.json", "--account", ACCOUNTS.lender])
    })

    let score: number
    it("borrower: proves who they are and gets an attestation of the bureau's records", async () => {
        const forged = await cli(["borrower", "attest", "--identity", "me.json", "--binding", "forged.binding.json", "--bureau", `http://127.0.0.1:${BUREAU_PORT}`])
        expect(forged.code).toBe(2)
        expect(forged.stderr).toContain("UNKNOWN_OFFICER")
        // bad choices of markets are refused before anything is proven: exit 2, one line
        const bureauUrl = `http://127.0.0.1:${BUREAU_PORT}`
        const attest = (share: string) => cli(["--json", "borrower", "attest", "--identity", "me.json", "--binding", "me.binding.json", "--share-history", share, "--bureau", bureauUrl])
        const unknown = await attest(`${chain.deployment.contracts.loanMarket},0x${"11".repeat(20)}`)
        expect(unknown.code).toBe(2)
        expect(jsonError(unknown)).toMatchObject({ code: "UNKNOWN_MARKET", message: expect.stringContaining("does not read") })
        const tooMany = await attest(Array.from({ length: 9 }, (_, i) => String(i + 1)).join(","))
        expect(tooMany.code).toBe(2)
        expect(jsonError(tooMany)).toMatchObject({ code: "TOO_MANY_MARKETS", message: expect.stringContaining("at most 8") })
        // both markets: the bureau verifies both pseudonyms and reads both markets
        const attested = await json(["borrower", "attest", "--identity", "me.json", "--binding", "me.binding.json", "--share-history", `${chain.deployment.contracts.loanMarket},${marketB}`, "--bureau", bureauUrl])
        expect(attested.sharedMarkets).toHaveLength(2)
        expect(attested.provenPseudonyms).toBe(2)
        score = attested.score
        expect(score).toBeGreaterThanOrEqual(700)
        expect(attested.attestationFile).toBe("me.attestation.json")
        // the bureau's log has the request line and nothing of the applicant's data
        expect(bureau!.output()).toMatch(/POST \/v1\/attestations 200/)
        expect(bureau!.output()).not.toContain(commitment)
        expect(bureau!.output()).not.toContain(personRef)
    })

    it("borrower: lists offers with the tiers the attestation qualifies for", async () => {
        const listed = await json(["borrower", "offers", "--attestation", "me.attestation.json"])
        expect(listed.offers).toHaveLength(1)
        expect(listed.offers[0].tiers.map((t: { qualifies: boolean }) => t.qualifies)).toEqual([true, true])
        const human = await cli(["borrower", "offers", "--attestation", "me.attestation.json"])
        expect(human.code).toBe(0)
        expect(human.stdout).toContain("*1: 700+ 12.00%")
    })

    let borrowed: Record<string, any>
    it("borrower: proves and borrows (a real proof); the cheapest qualifying tier is chosen", async () => {
        const before = await json(["borrower", "status", "--identity", "me.json"])
        expect(before.loans).toEqual([])
        borrowed = await json(["borrower", "borrow", "--identity", "me.json", "--offer", String(offerId), "--amount", "1000", "--account", ACCOUNTS.borrower])
        expect(borrowed).toMatchObject({ loanId: 0, offerId: 0, tier: 1, aprBps: 1200, principal: (1000n * TUSD).toString() })
        expect(borrowed.schedule).toHaveLength(3)
        const total = borrowed.schedule.reduce((sum: bigint, s: { amount: string }) => sum + BigInt(s.amount), 0n)
        expect(total).toBe(1000n * TUSD + BigInt(borrowed.interest))
        // the schedule is the client library's, for the loan's start time on chain
        const startTime = borrowed.schedule[2].dueTime - 90 * 86_400
        const expected = instalmentSchedule({ principal: 1000n * TUSD, aprBps: 1200, startTime, term: 90 * 86_400, instalmentCount: 3 })
        expect(borrowed.schedule.map((s: { amount: string }) => s.amount)).toEqual(expected.map((s) => s.amount.toString()))
    })

    it("borrower: repays one instalment (approving the market first)", async () => {
        await json(["lender", "faucet", "--amount", "100", "--account", ACCOUNTS.borrower])
        const repaid = await json(["borrower", "repay", "--loan", "0", "--account", ACCOUNTS.borrower])
        expect(repaid).toMatchObject({ loanId: 0, status: "Active", paid: borrowed.schedule[0].amount, lateFees: "0" })
        expect(repaid.repaid).toBe(borrowed.schedule[0].amount)
    })

    it("borrower: status shows the loan, what is due next and the pseudonym's record", async () => {
        const status = await json(["borrower", "status", "--identity", "me.json"])
        expect(status.loans).toHaveLength(1)
        expect(status.loans[0]).toMatchObject({ id: 0, status: "Active", repaid: borrowed.schedule[0].amount })
        expect(status.loans[0].position.instalmentsPaid).toBe(1)
        expect(status.record).toEqual({ loansTaken: 1, loansRepaid: 0, lateInstalments: 0, defaults: 0, activeLoans: 1 })
        expect(status.nextDue).toEqual({ loanId: 0, dueTime: borrowed.schedule[1].dueTime, amount: borrowed.schedule[1].amount })
    })

    it("lender: lists the loan with the pseudonym's record", async () => {
        const loans = await json(["lender", "loans", "--account", ACCOUNTS.lender])
        expect(loans.loans).toHaveLength(1)
        expect(loans.loans[0]).toMatchObject({ id: 0, offerId: 0, status: "Active", record: { loansTaken: 1, activeLoans: 1 } })
        const human = await cli(["lender", "loans", "--account", ACCOUNTS.lender])
        expect(human.stdout).toContain("1 taken, 0 repaid, 0 late, 0 defaults")
        // pseudonyms are shown shortened in tables
        expect(human.stdout).not.toContain(loans.loans[0].pseudonym)
    })

    it("officer: the audit of this honest history is clean", async () => {
        const audit = await json(["officer", "audit"])
        expect(audit).toMatchObject({ ok: true, rootsChecked: 3, findings: [] })
    })

    it("stops the bureau and the node cleanly; the ports are free", async () => {
        expect(await bureau!.stop()).toBe(0)
        bureau = undefined
        await chain.node.stop()
        expect(await isPortTaken(BUREAU_PORT)).toBe(false)
        expect(await isPortTaken(CHAIN_PORT)).toBe(false)
    })
})
