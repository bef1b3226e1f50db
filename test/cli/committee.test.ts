/**
 * The whole escrow committee flow through the `zkcredit committee` CLI on a real local node:
 * three authorities (regulator, bureau, compliance desk; t = 2) generate the key in rounds of
 * files, the committee admin registers it in a TrustRegistry, a loan defaults, an opening is requested (and refused for a
 * loan in good standing), one authority's share alone does not open the escrow, a forged share
 * is rejected, and two shares open it to the escrowed commitment.
 *
 * The loans are in a LoanMarket with the MockCreditVerifier: this test is about the committee,
 * not the borrow proof (test/e2e/escrow.test.ts has real proofs); the escrow is made with the
 * prover's encryptCommitment, as the borrower's proof makes it, and the market records it. The CLI runs in
 * this process, as the malformed-input suite runs it. Port 8750.
 */
import { readFile } from "node:fs/promises"
import type { Contract, Signer } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encryptCommitment, multiplyGenerator, pointToJson, requirePoint, type CommitteeKeyFile } from "../../prover/src/escrow/index.ts"
import { Identity } from "../../prover/src/index.ts"
import { deployArtifact } from "../helpers/committee.ts"
import { mockProof, TERMS, TIERS, USD } from "../helpers/contracts.ts"
import { requestTerms, requestTermsTuple } from "../helpers/requests.ts"
import { testPort } from "../helpers/ports.ts"
import { expectRevert } from "../helpers/reverts.ts"
import { jsonError, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessCli } from "./in-process.ts"

const CHAIN_PORT = testPort(8750)
const NAMES = ["regulator", "bureau", "compliance"]
/** Node accounts: 0 admin, 1 requester (compliance desk), 2-4 the authorities. */
const AUTHORITY_ACCOUNTS = [2, 3, 4]

let chain: TestChain
let env: Record<string, string>
let originalCwd: string

const { cli, json } = inProcessCli(() => env)

const world: { signers: Signer[]; market?: Contract; openings?: Contract; registry?: Contract; start: number } = { signers: [], start: 0 }

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
    const signers = await Promise.all(Array.from({ length: 6 }, (_, i) => chain.provider.getSigner(i)))
    world.signers = signers
    const [admin, , lender, , , borrower] = signers as unknown as [Signer, Signer, Signer, Signer, Signer, Signer]
    // a market of mock proofs with two loans: 0 will default, 1 stays in good standing
    const verifier = await deployArtifact("test/MockCreditVerifier.sol", "MockCreditVerifier", admin, [])
    const market = await deployArtifact("test/ExternalVerifierLoanMarket.sol", "ExternalVerifierLoanMarket", admin, [await admin.getAddress(), await verifier.getAddress(), 1])
    const token = await deployArtifact("test/MockERC20.sol", "MockERC20", admin, ["Mock USD", "mUSD", 6])
    await (await market.getFunction("setTokenAllowed")(await token.getAddress(), true)).wait()
    for (const account of [lender, borrower]) {
        await (await (token.connect(admin) as Contract).getFunction("mint")(await account.getAddress(), 1_000_000n * USD)).wait()
        await (await (token.connect(account) as Contract).getFunction("approve")(await market.getAddress(), 2n ** 255n)).wait()
    }
    await (await (market.connect(lender) as Contract).getFunction("createOffer")(await token.getAddress(), 100_000n * USD, TIERS, TERMS)).wait()
    world.start = (await chain.provider.getBlock("latest"))!.timestamp
    // the trust registry of the committee's keys: the admin holds its three admin roles
    const registry = await deployArtifact("TrustRegistry.sol", "TrustRegistry", admin, [await admin.getAddress(), await admin.getAddress(), await admin.getAddress(), 3600])
    const openings = await deployArtifact("EscrowOpenings.sol", "EscrowOpenings", admin, [await admin.getAddress(), await market.getAddress(), await registry.getAddress()])
    await (await openings.getFunction("grantRole")(await openings.getFunction("REQUESTER_ROLE")(), await signers[1]!.getAddress())).wait()
    Object.assign(world, { market, openings, registry })
    originalCwd = process.cwd()
    process.chdir(chain.dir)
    env = { ...chain.env, ZKCREDIT_ESCROW_REGISTRY: await registry.getAddress(), ZKCREDIT_ESCROW_OPENINGS: await openings.getAddress() }
})

afterAll(async () => {
    if (originalCwd) process.chdir(originalCwd)
    await chain?.stop()
})

describe("zkcredit committee on a local node", () => {
    let committeeKey: CommitteeKeyFile
    const commitment = new Identity(0x5eed5n).commitment
    let escrow: { ephemeralKeyY: bigint; ciphertext: bigint }

    it("key generation: authority keys, roster, deal, verify, finalize; every authority derives the same key", async () => {
        for (const name of NAMES) await json(["committee", "authority", "new", "--name", name, "--out", `${name}.json`])
        const roster = await json(["committee", "roster", "--threshold", "2", "--out", "roster.json", "--members", ...NAMES.map((n) => `${n}.json`)])
        expect(roster.members).toEqual(NAMES.map((name, i) => ({ index: i + 1, name })))
        for (const [i, name] of NAMES.entries()) await json(["committee", "deal", "--roster", "roster.json", "--authority", `${name}.json`, "--out", `dealing-${i + 1}.json`])
        const dealings = NAMES.map((_, i) => `dealing-${i + 1}.json`)
        for (const [i, name] of NAMES.entries()) {
            const verified = await json(["committee", "verify", "--roster", "roster.json", "--authority", `${name}.json`, "--out", `complaints-${i + 1}.json`, "--dealings", ...dealings])
            expect(verified).toMatchObject({ verified: [1, 2, 3], complaintsAgainst: [] })
        }
        const complaints = NAMES.map((_, i) => `complaints-${i + 1}.json`)
        const keys = []
        for (const name of NAMES) {
            const result = await json(["committee", "finalize", "--roster", "roster.json", "--dealings", ...dealings, "--complaints", ...complaints, "--authority", `${name}.json`, "--share-out", `${name}-share.json`, "--out", `${name}-committee-key.json`])
            expect(result.qualified).toEqual([1, 2, 3])
            keys.push(await readFile(`${chain.dir}/${name}-committee-key.json`, "utf8"))
        }
        expect(new Set(keys).size).toBe(1)
        committeeKey = JSON.parse(keys[0]!) as CommitteeKeyFile
        escrow = encryptCommitment(commitment, requirePoint(committeeKey.publicKey, "publicKey")).escrow
    })

    it("the committee admin registers the key with the authorities' accounts; another account, and a second registration, are refused", async () => {
        const accounts = await Promise.all(AUTHORITY_ACCOUNTS.map((i) => world.signers[i]!.getAddress()))
        // the requester holds no COMMITTEE_ADMIN_ROLE: the contract refuses, and the error names the role
        const stranger = await cli(["--json", "--account", "1", "committee", "register", "--committee-key", "regulator-committee-key.json", "--accounts", accounts.join(","), "--valid-from", String(world.start - 60)])
        expect([stranger.code, jsonError(stranger).code]).toEqual([1, "CONTRACT_REVERT"])
        expect(jsonError(stranger).message).toContain("AccessControlUnauthorizedAccount")
        expect(jsonError(stranger).message).toContain("COMMITTEE_ADMIN_ROLE")
        const registered = await json(["--account", "0", "committee", "register", "--committee-key", "regulator-committee-key.json", "--accounts", accounts.join(","), "--valid-from", String(world.start - 60)])
        expect(registered).toMatchObject({ committeeKeyY: committeeKey.publicKey[1], threshold: 2, authorities: accounts })
        const again = await cli(["--json", "--account", "0", "committee", "register", "--committee-key", "regulator-committee-key.json", "--accounts", accounts.join(",")])
        expect([again.code, jsonError(again).code]).toEqual([1, "KEY_REGISTERED"])
        // two loans whose (mock) proofs carry the escrow, as the market records it: 0 will default, 1 stays in good standing
        const [, , lender, , , borrower] = world.signers
        const now = (await chain.provider.getBlock("latest"))!.timestamp
        const recorded = { committeeKeyY: BigInt(committeeKey.publicKey[1]), ...escrow }
        await (await (world.market!.connect(borrower!) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xaaan, now, true, recorded))).wait()
        await (await (world.market!.connect(lender!) as Contract).getFunction("borrow")(0n, 1n, 1_000n * USD, mockProof(0xbbbn, now + 1, true, recorded))).wait()
    })

    it("an opening of a loan in good standing is refused, by the CLI and by the contract", async () => {
        await chain.provider.send("evm_increaseTime", [TERMS.term / TERMS.instalmentCount + TERMS.defaultPeriod + 10])
        await chain.provider.send("evm_mine", [])
        await (await world.market!.getFunction("markDefault")(0n)).wait()
        const request = (loan: string) => ["--json", "--account", "1", "committee", "request", "--loan", loan, "--committee-key-y", committeeKey.publicKey[1], "--ephemeral-key-y", String(escrow.ephemeralKeyY), "--ciphertext", String(escrow.ciphertext)]
        const refused = await cli(request("1"))
        expect([refused.code, jsonError(refused).code]).toEqual([1, "LOAN_NOT_DEFAULTED"])
        expect(jsonError(refused).message).toBe("loan 1 is active, not defaulted: only a defaulted loan's escrow can be opened")
        const asRequester = world.openings!.connect(world.signers[1]!) as Contract
        await expectRevert(asRequester.getFunction("requestOpening")(1n, 0xbbbn, committeeKey.publicKey[1], escrow.ephemeralKeyY, escrow.ciphertext), "LoanNotDefaulted", [1n, 1n])
        const unknown = await cli(request("7"))
        expect([unknown.code, jsonError(unknown).code]).toEqual([1, "LOAN_NOT_DEFAULTED"])
        // and nobody decrypts a loan that has no request
        const decrypt = await cli(["--json", "--account", "2", "committee", "decrypt", "--loan", "1", "--share", "regulator-share.json"])
        expect([decrypt.code, jsonError(decrypt).code]).toEqual([1, "OPENING_NOT_REQUESTED"])
    })

    it("the defaulted loan's opening is requested with the escrow the market recorded; another escrow is refused", async () => {
        const other = await cli(["--json", "--account", "1", "committee", "request", "--loan", "0", "--committee-key-y", committeeKey.publicKey[1], "--ephemeral-key-y", String(escrow.ephemeralKeyY), "--ciphertext", String(escrow.ciphertext + 1n)])
        expect([other.code, jsonError(other).code]).toEqual([2, "NOT_THE_LOANS_ESCROW"])
        const requested = await json(["--account", "1", "committee", "request", "--loan", "0"])
        expect(requested.loanId).toBe(0)
        const opening = await world.openings!.getFunction("openingOf")(0n)
        expect([opening.ephemeralKeyY, opening.ciphertext]).toEqual([escrow.ephemeralKeyY, escrow.ciphertext])
    })

    it("one share alone does not open it; a forged share is rejected; a share from the wrong account is refused", async () => {
        const first = await json(["--account", "2", "committee", "decrypt", "--loan", "0", "--share", "regulator-share.json"])
        expect(first.index).toBe(1)
        const wrongAccount = await cli(["--json", "--account", "3", "committee", "decrypt", "--loan", "0", "--share", "compliance-share.json"])
        expect([wrongAccount.code, jsonError(wrongAccount).code]).toEqual([1, "NOT_THE_AUTHORITY"])
        const alone = await cli(["--json", "committee", "combine", "--loan", "0", "--committee-key", "regulator-committee-key.json"])
        expect([alone.code, jsonError(alone).code]).toEqual([1, "NOT_ENOUGH_SHARES"])
        // the bureau's account publishes a made-up point with a made-up proof: it lands (the contract checks the curve only) and is rejected off chain
        const forged = pointToJson(multiplyGenerator(12345n))
        await (await (world.openings!.connect(world.signers[3]!) as Contract).getFunction("publishPartialDecryption")(0n, forged[0], forged[1], 1n, 1n)).wait()
        const withForged = await cli(["--json", "committee", "combine", "--loan", "0", "--committee-key", "regulator-committee-key.json"])
        expect([withForged.code, jsonError(withForged).code]).toEqual([1, "NOT_ENOUGH_SHARES"])
        expect(jsonError(withForged).message).toBe("loan 0 has 1 valid share(s) on chain (rejected: authorities 2); the committee needs 2")
    })

    it("a second authority's share opens the escrow to the borrower's commitment, with the forged one left out", async () => {
        const second = await json(["--account", "4", "committee", "decrypt", "--loan", "0", "--share", "compliance-share.json", "--out", "compliance-partial.json"])
        expect(second.index).toBe(3)
        const again = await cli(["--json", "--account", "4", "committee", "decrypt", "--loan", "0", "--share", "compliance-share.json"])
        expect([again.code, jsonError(again).code]).toEqual([1, "ALREADY_PUBLISHED"])
        const opened = await json(["committee", "combine", "--loan", "0", "--committee-key", "regulator-committee-key.json"])
        expect(opened).toEqual({ loanId: 0, commitment: commitment.toString(), authorities: [1, 3], rejected: [2] })
        expect(await world.openings!.getFunction("hasPublished")(0n, 3n)).toBe(true)
    })

    it("a request market's loans: the CLI names an open request as such and requests the opening of a defaulted one", async () => {
        const [admin, requester, lender, , , borrower] = world.signers as [Signer, Signer, Signer, Signer, Signer, Signer]
        const verifier = await deployArtifact("test/MockCreditVerifier.sol", "MockCreditVerifier", admin, [])
        const market = await deployArtifact("RequestMarket.sol", "RequestMarket", admin, [await admin.getAddress(), await verifier.getAddress(), 1])
        const token = await deployArtifact("test/MockERC20.sol", "MockERC20", admin, ["Mock USD", "mUSD", 6])
        await (await market.getFunction("setTokenAllowed")(await token.getAddress(), true)).wait()
        await (await (token.connect(admin) as Contract).getFunction("mint")(await lender.getAddress(), 1_000_000n * USD)).wait()
        await (await (token.connect(lender) as Contract).getFunction("approve")(await market.getAddress(), 2n ** 255n)).wait()
        const openings = await deployArtifact("EscrowOpenings.sol", "EscrowOpenings", admin, [await admin.getAddress(), await market.getAddress(), await world.registry!.getAddress()])
        await (await openings.getFunction("grantRole")(await openings.getFunction("REQUESTER_ROLE")(), await requester.getAddress())).wait()
        const now = (await chain.provider.getBlock("latest"))!.timestamp + 1
        const terms = requestTerms(await token.getAddress(), now)
        const recorded = { committeeKeyY: BigInt(committeeKey.publicKey[1]), ...escrow }
        await (await (market.connect(borrower) as Contract).getFunction("createRequest")(requestTermsTuple(terms), mockProof(0xcccn, now, true, recorded))).wait()
        const request = ["--json", "--account", "1", "committee", "request", "--loan", "0", "--openings", await openings.getAddress()]
        const open = await cli(request)
        expect([open.code, jsonError(open).code]).toEqual([1, "LOAN_NOT_DEFAULTED"])
        expect(jsonError(open).message).toBe("request 0 is open, not defaulted: only a defaulted loan's escrow can be opened")
        // funded in full (it disburses), then past its first instalment and the default period
        await (await (market.connect(lender) as Contract).getFunction("fundRequest")(0n, terms.principal)).wait()
        await chain.provider.send("evm_increaseTime", [terms.term / terms.instalmentCount + terms.defaultPeriod + 10])
        await chain.provider.send("evm_mine", [])
        await (await market.getFunction("markDefault")(0n)).wait()
        const requested = await json(request.slice(1))
        expect(requested).toMatchObject({ loanId: 0 })
        const opening = await openings.getFunction("openingOf")(0n)
        expect([opening.committeeKeyY, opening.ephemeralKeyY, opening.ciphertext]).toEqual([recorded.committeeKeyY, escrow.ephemeralKeyY, escrow.ciphertext])
    })

    it("the committee admin revokes the key; a stranger, an unknown y (exit 2) and a second revocation (exit 1) are refused and send nothing", async () => {
        const keyY = BigInt(committeeKey.publicKey[1])
        const registry = world.registry!
        const nonces = async () => Promise.all([0, 1].map(async (i) => chain.provider.getTransactionCount(await world.signers[i]!.getAddress())))
        const stranger = await cli(["--json", "--account", "1", "committee", "revoke", keyY.toString()])
        expect([stranger.code, jsonError(stranger).code]).toEqual([1, "CONTRACT_REVERT"])
        expect(jsonError(stranger).message).toContain("COMMITTEE_ADMIN_ROLE")
        let before = await nonces()
        const unknown = await cli(["--json", "--account", "0", "committee", "revoke", "12345"])
        expect([unknown.code, jsonError(unknown).code]).toEqual([2, "UNKNOWN_KEY"])
        expect(jsonError(unknown).message).toContain("no committee key with y=12345 is registered")
        const notField = await cli(["--json", "--account", "0", "committee", "revoke", "-1"])
        expect(notField.code).toBe(2)
        expect(await nonces()).toEqual(before)
        expect(await registry.getFunction("isCommitteeKeyActive")(keyY, (await chain.provider.getBlock("latest"))!.timestamp)).toBe(true)

        const revoked = await json(["--account", "0", "committee", "revoke", `0x${keyY.toString(16)}`])
        expect(revoked).toMatchObject({ committeeKeyY: keyY.toString() })
        const block = (await chain.provider.getBlock(revoked.blockNumber))!
        expect((await registry.getFunction("committeeKeyOf")(keyY)).revokedAt).toBe(BigInt(block.timestamp))
        expect(await registry.getFunction("isCommitteeKeyActive")(keyY, block.timestamp)).toBe(false)
        before = await nonces()
        const again = await cli(["--json", "--account", "0", "committee", "revoke", keyY.toString()])
        expect([again.code, jsonError(again).code]).toEqual([1, "KEY_REVOKED"])
        expect(await nonces()).toEqual(before)
    })
})
