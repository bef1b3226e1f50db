/**
 * `zkcredit officer record-default`, `zkcredit officer readmit` and what `officer audit` shows of
 * them, on a real local node with the deployment's TrustRegistry. The loans are in a LoanMarket
 * whose credit verifier is the test one (loans without proofs; it names the deployment's trust
 * registry as the one it checks): this test is about the records, not the borrow proof. The CLI
 * runs in this process, as the committee test runs it. Port 8760.
 */
import { writeFile } from "node:fs/promises"
import { Contract as EthersContract, type Contract, type Signer } from "ethers"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { KycTree } from "../../prover/src/kyc-tree.ts"
import { deployArtifact } from "../helpers/committee.ts"
import { mockProof, TERMS, TIERS, USD } from "../helpers/contracts.ts"
import { testPort } from "../helpers/ports.ts"
import { GOOD_PERSON } from "../bureau/examples.ts"
import { jsonError, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessCli } from "./in-process.ts"

const CHAIN_PORT = testPort(8760)
/** Node accounts: 0 admin, 1 officer, 2 lender, 3 stranger, 5 and 6 borrowers. */
const OFFICER = "1"
const MEMBERS = ["11", "22", "33", "44"]
/** Loan 0 (borrower 5) defaults and is held by member 33; loan 1 (borrower 6) defaults too; loan 2 stays active. */
const DEFAULTER = "33"

let chain: TestChain
let env: Record<string, string>
let originalCwd: string

const { cli, json } = inProcessCli(() => env)

/** Runs a command that must fail, and returns its exit code and error code. */
async function refusal(args: string[]): Promise<[number, string, string]> {
    const result = await cli(["--json", ...args])
    const error = jsonError(result)
    return [result.code, error.code, error.message]
}

const world: { signers: Signer[]; market?: Contract; verifier?: Contract; token?: Contract; address: string } = { signers: [], address: "" }
const record = (extra: string[] = []) => ["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "0", "--market", world.address, ...extra]

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
    const signers = await Promise.all(Array.from({ length: 7 }, (_, i) => chain.provider.getSigner(i)))
    world.signers = signers
    const [admin, , lender, , , borrower, borrower2] = signers as unknown as Signer[]
    const verifier = await deployArtifact("test/MockCreditVerifier.sol", "MockCreditVerifier", admin!, [])
    await (await verifier.getFunction("setTrustRegistry")(chain.deployment.contracts.trustRegistry)).wait()
    const market = await deployArtifact("test/ExternalVerifierLoanMarket.sol", "ExternalVerifierLoanMarket", admin!, [await admin!.getAddress(), await verifier.getAddress(), 1])
    const token = await deployArtifact("test/MockERC20.sol", "MockERC20", admin!, ["Mock USD", "mUSD", 6])
    await (await market.getFunction("setTokenAllowed")(await token.getAddress(), true)).wait()
    for (const account of [lender!, borrower!, borrower2!]) {
        await (await (token.connect(admin!) as Contract).getFunction("mint")(await account.getAddress(), 1_000_000n * USD)).wait()
        await (await (token.connect(account) as Contract).getFunction("approve")(await market.getAddress(), 2n ** 255n)).wait()
    }
    await (await (market.connect(lender!) as Contract).getFunction("createOffer")(await token.getAddress(), 100_000n * USD, TIERS, TERMS)).wait()
    const now = (await chain.provider.getBlock("latest"))!.timestamp
    await (await (market.connect(borrower!) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xaaan, now))).wait()
    await (await (market.connect(borrower2!) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xbbbn, now + 1))).wait()
    await (await (market.connect(lender!) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xcccn, now + 2))).wait()
    Object.assign(world, { market, verifier, token, address: await market.getAddress() })
    originalCwd = process.cwd()
    process.chdir(chain.dir)
    env = { ...chain.env }
    await json(["--account", "0", "admin", "officer", "grant", await signers[1]!.getAddress()])
    await writeFile(`${chain.dir}/members.csv`, `${MEMBERS.join("\n")}\n`)
    await json(["--account", OFFICER, "officer", "add", "members.csv"])
})

afterAll(async () => {
    if (originalCwd) process.chdir(originalCwd)
    await chain?.stop()
})

describe("zkcredit officer record-default / readmit", () => {
    it("checks its arguments before anything else (exit 2)", async () => {
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", "0", "--loan", "0"])).slice(0, 2)).toEqual([2, "INVALID_COMMITMENT"])
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "1.5"])).slice(0, 2)).toEqual([2, "INVALID_NUMBER"])
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "0", "--market", "0x12"])).slice(0, 2)).toEqual([2, "INVALID_ADDRESS"])
        expect((await refusal(["--account", OFFICER, "officer", "readmit", "--commitment", "x"])).slice(0, 2)).toEqual([2, "INVALID_COMMITMENT"])
    })

    it("refuses a loan that is not defaulted, naming its status, and a market that is not this registry's", async () => {
        expect(await refusal(record())).toEqual([1, "LOAN_NOT_DEFAULTED", `loan 0 of market ${world.address} is active, not defaulted: only a defaulted loan's default can be recorded`])
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "9", "--market", world.address]))[2]).toContain("is unknown, not defaulted")
        const stranger = await world.signers[3]!.getAddress()
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "0", "--market", stranger])).slice(0, 2)).toEqual([2, "NO_CONTRACT"])
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", DEFAULTER, "--loan", "0", "--market", await world.token!.getAddress()])).slice(0, 2)).toEqual([2, "NOT_A_MARKET"])
        await (await world.verifier!.getFunction("setTrustRegistry")(stranger)).wait()
        expect((await refusal(record())).slice(0, 2)).toEqual([1, "MARKET_NOT_ON_REGISTRY"])
        await (await world.verifier!.getFunction("setTrustRegistry")(chain.deployment.contracts.trustRegistry)).wait()
    })

    it("refuses an account without the officer role", async () => {
        const [code, error] = await refusal(["--account", "3", "officer", "record-default", "--commitment", DEFAULTER, "--loan", "0", "--market", world.address])
        expect([code, error]).toEqual([1, "NOT_AN_OFFICER"])
    })

    it("once the loan is defaulted, refuses a commitment that is not a member, then removes the member for the default, naming the loan", async () => {
        await chain.provider.send("evm_increaseTime", [TERMS.term / TERMS.instalmentCount + TERMS.defaultPeriod + 10])
        await chain.provider.send("evm_mine", [])
        await (await world.market!.getFunction("markDefault")(0n)).wait()
        await (await world.market!.getFunction("markDefault")(1n)).wait()
        expect((await refusal(["--account", OFFICER, "officer", "record-default", "--commitment", "99", "--loan", "0", "--market", world.address])).slice(0, 2)).toEqual([2, "NOT_A_MEMBER"])
        const result = await json(record())
        const expected = new KycTree(["11", "22", "0", "44"])
        expect(result).toMatchObject({ removedForDefault: 2, commitment: DEFAULTER, market: world.address, loanId: 0, immediate: false, root: expected.root.toString() })
        // the new root's anchors come with it (as after any officer change that publishes a root)
        expect(result.anchors).toMatchObject({ kycRoot: expected.root.toString() })
        expect(result.anchors).not.toHaveProperty("error")
        const human = await cli(record())
        expect(human.code).toBe(1)
        expect(human.stderr).toContain(`the identity is out already for the default of loan 0 of market ${world.address}`)
        expect((await refusal(record())).slice(0, 2)).toEqual([1, "DEFAULT_OPEN"])
    })

    it("the audit shows the removal as a default naming the loan", async () => {
        const audit = await json(["officer", "audit"])
        expect(audit).toMatchObject({ ok: true, findings: [], defaults: [{ commitment: DEFAULTER, market: world.address, loanId: 0, index: 2, readmitted: null }] })
        const human = await cli(["officer", "audit"])
        expect(human.stdout).toContain(`index 2 removed for the default of loan 0 of market ${world.address}`)
        expect(human.stdout).toContain("not readmitted")
    })

    it("readmit waits for the loan to be paid in full, naming what it owes; then readmits at the next index", async () => {
        const [code, error, message] = await refusal(["--account", OFFICER, "officer", "readmit", "--commitment", DEFAULTER])
        expect([code, error]).toEqual([1, "DEFAULT_NOT_RECOVERED"])
        expect(message).toMatch(/^loan 0 of market 0x[0-9a-fA-F]{40} still owes \d+ \(token units\)/)
        expect((await refusal(["--account", OFFICER, "officer", "readmit", "--commitment", "11"])).slice(0, 2)).toEqual([1, "NO_OPEN_DEFAULT"])
        await (await (world.market!.connect(world.signers[5]!) as Contract).getFunction("repayAll")(0n)).wait()
        const result = await json(["--account", OFFICER, "officer", "readmit", "--commitment", DEFAULTER])
        expect(result).toMatchObject({ readmitted: 4, commitment: DEFAULTER, market: world.address, loanId: 0, root: new KycTree(["11", "22", "0", "44", DEFAULTER]).root.toString() })
        expect(result.anchors).toMatchObject({ kycRoot: new KycTree(["11", "22", "0", "44", DEFAULTER]).root.toString() })
        expect(result.anchors).not.toHaveProperty("error")
        expect((await refusal(["--account", OFFICER, "officer", "readmit", "--commitment", DEFAULTER])).slice(0, 2)).toEqual([1, "NO_OPEN_DEFAULT"])
        // the loan is recovered: its default cannot be recorded again
        expect((await refusal(record())).slice(0, 2)).toEqual([1, "DEFAULT_RECOVERED"])
        const audit = await json(["officer", "audit"])
        expect(audit.defaults[0]).toMatchObject({ index: 2, loanId: 0, readmitted: { index: 4 } })
        expect((await cli(["officer", "audit"])).stdout).toContain("readmitted at index 4 once repaid")
    })

    it("an identity out for an open default: the CLI will not add it back; added straight to the contract, the audit fails", async () => {
        await json(["--account", OFFICER, "officer", "record-default", "--commitment", "44", "--loan", "1", "--market", world.address, "--immediate"])
        // the CLI refuses to add it back, or to put it in another slot, before sending
        const [code, error, message] = await refusal(["--account", OFFICER, "officer", "add", await writeMembers(["55", "44"])])
        expect([code, error]).toEqual([2, "OPEN_DEFAULT"])
        expect(message).toContain(`again.csv line 2: out for the default of loan 1 of market ${world.address}`)
        expect((await refusal(["--account", OFFICER, "officer", "replace", "0", "44"])).slice(0, 2)).toEqual([2, "OPEN_DEFAULT"])
        // an officer adds it back straight to the contract (which cannot know the leaves)
        const registry = new EthersContract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, world.signers[1]!)
        const tree = new KycTree(["11", "22", "0", "0", DEFAULTER, "44"])
        await (await registry.getFunction("addMembers")([44n], tree.root)).wait()
        const result = await cli(["--json", "officer", "audit"])
        expect(result.code).toBe(1)
        const audit = JSON.parse(result.stdout)
        expect(audit.findings).toEqual([expect.objectContaining({ kind: "default", loanId: 1, problem: expect.stringContaining("is a member again at index 5 without a readmission") })])
        expect(jsonError(result).code).toBe("AUDIT_MISMATCH")
    })

    it("the identity removed for a default in one market is refused in another (the deployment's), with an error that says why", async () => {
        const identity = await json(["borrower", "identity", "new", "--out", "person.identity.json"])
        await json(["--account", OFFICER, "officer", "add", "--batch-size", "1", await writeMembers([identity.commitment])])
        await (await world.market!.getFunction("markDefault")(2n)).wait()
        await json(["--account", OFFICER, "officer", "record-default", "--commitment", identity.commitment, "--loan", "2", "--market", world.address])
        // an offer in the deployment's market, and an attestation
        await json(["--account", "2", "lender", "faucet", "--amount", "1000"])
        await json(["--account", "2", "lender", "offer", "create", "--capacity", "500", "--tiers", "600:1500:500"])
        await json(["bureau", "key", "create", "--out", "bureau-key.json"])
        await writeFile(`${chain.dir}/person.json`, JSON.stringify(GOOD_PERSON))
        await json(["bureau", "sign", "--key", "bureau-key.json", "--commitment", identity.commitment, "--applicant", "person.json", "--out", "person.identity.attestation.json"])
        const [code, error, message] = await refusal(["--account", "6", "borrower", "borrow", "--identity", "person.identity.json", "--offer", "0", "--amount", "100"])
        expect([code, error]).toEqual([1, "REMOVED_FOR_DEFAULT"])
        expect(message).toContain(`removed from the KYC registry for the default of loan 2 of market ${world.address}`)
        expect(message).toContain("cannot prove KYC membership in any market until that loan is paid in full")
    })
})

async function writeMembers(members: string[]): Promise<string> {
    const file = `${chain.dir}/again.csv`
    await writeFile(file, `${members.join("\n")}\n`)
    return file
}
