/**
 * Malformed input thrown at the `zkcredit` CLI: every command and subcommand with hostile
 * option values and arguments (negative, NaN, 1e309, 2^256, p, p - 1, hex and decimal edge
 * cases, empty, huge and unicode strings), missing required options, unknown options and
 * extra arguments; hostile files (truncated and garbled JSON, CSV with bad rows, a BOM, CRLF and
 * huge numbers, backups, key, offer, deployment and tree files with wrong fields, applicants
 * with wrong types, binary junk, folders, devices, missing paths); hostile global options and
 * environment; and command lines from `hostileArgv`.
 *
 * One real `hardhat node` (port 8970) with zkcredit deployed and a little state (a registered
 * bureau key, an officer, five KYC slots with one removed, two lenders' offers, one loan), and a
 * bureau service (port 8971). Cases run in this process with `runCli(argv)`; a handful also as
 * child processes. Each case is built so its right answer is known (lib/cli-cases.ts,
 * lib/cli-oracle.ts): exit 2 for bad input, 1 or 3 only where that is the documented answer
 * (a revert, a lender's offer that is not yours, an unreachable URL), 0 only for input that is
 * in fact valid; valid command lines that would change the chain are not run. Every answer has
 * a clear message (`{ error: { code, message } }` with --json), no stack trace, `TypeError` or
 * `undefined`; no unhandled rejection; no transaction (block number, nonces, registry, market
 * unchanged); no file written where a failed command would have written one.
 *
 * CI runs over 3,000 cases in under a minute; `ZKCREDIT_FULL=1` about 25,000 (five minutes).
 * `ZKCREDIT_SEED` replays a run (the seed is printed); `ZKCREDIT_CLI_FAILURES=<file>` writes every
 * failed case there (the assertion shows the first 25).
 */
import { execFileSync } from "node:child_process"
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import fc from "fast-check"
import { Contract, JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseBinding, scoreApplicant } from "../../bureau/src/index.ts"
import { startTestBureau, type TestBureau } from "../bureau/harness.ts"
import { LoanMarketAbi, TrustRegistryAbi } from "../../client/src/generated/abis.ts"
import { readLoan, readOffers, type LoanView, type OfferView } from "../../client/src/views.ts"
import { parseDeployment } from "../../client/src/deployments.ts"
import { KycTree } from "../../prover/src/index.ts"
import { createDealing, createRoster, encryptCommitment, finalizeCommittee, parseAuthorityKey, parseAuthorityShare, parseCommitteeKey, parseEscrow, requirePoint, verifyDealings, type AuthorityKeyFile, type CommitteeRoster } from "../../prover/src/escrow/index.ts"
import { GOOD_PERSON, GOOD_SME } from "../bureau/examples.ts"
import { startTestChain, type TestChain } from "../cli/helpers.ts"
import { bad, failed, HELP, mutations, OK, positionalOutcome, safePathText, show, skip, unreachable, USAGE, type Case, type CommandSpec, type Outcome, type Slot } from "./lib/cli-cases.ts"
import { problemsOf, runChild, runInProcess, withEnv, type CliRun } from "./lib/cli-harness.ts"
import {
    address,
    DAY,
    fieldElement,
    isApplicant,
    isAttestation,
    isTreeFile,
    keyFile,
    membersFile,
    offerCapacity,
    P,
    parseJsonFile,
    publicKeyFile,
    tokenAmount,
    wholeNumber,
    type MarketLimits,
    type OfferSource
} from "./lib/cli-oracle.ts"
import { deeplyNested, garbled, hostileArgv, hostileJson, hostileText, mutation, ODD_STRINGS, truncations } from "./lib/hostile.ts"
import { testPort } from "../helpers/ports.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
const SCALE = FULL ? 10 : 1
/** Cases per command (chain: commands that reach the chain, ~50 ms a case; local: 3 to 25 ms), for hostileArgv and the environment, before SCALE. */
const SIZES = { chainSpec: 14, localSpec: 45, argvChain: 30, argvLocal: 80, env: 35 }
/**
 * Cases of a command that proves (`borrower attest`: a history proof, seconds, for each valid
 * line): fewer in CI, as many as a local command's with ZKCREDIT_FULL=1.
 */
const PROVING_SPEC_CASES = FULL ? SIZES.localSpec * SCALE : 15
const SEED = Number(process.env.ZKCREDIT_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CHAIN_PORT = testPort(8970)
const BUREAU_PORT = testPort(8971)
const PASSWORD = "test-password-1"
const NEW_PASSWORD = "new-password-22"
const DECIMALS = 6
const TREE_DEPTH = 10
const MAX_SAFE = Number.MAX_SAFE_INTEGER

const leaks: unknown[] = []
const onRejection = (reason: unknown) => leaks.push(reason)

// ------------------------------------------------------------------------------------ the world

interface World {
    chain: TestChain
    dir: string
    rpc: string
    deploymentFile: string
    provider: JsonRpcProvider
    accounts: string[]
    a: { file: string; commitment: bigint }
    b: { file: string; commitment: bigint }
    leaves: bigint[]
    offers: OfferView[]
    loan: LoanView
    score: number
    balances: bigint[]
    stablecoin: string
    limits: MarketLimits
    k1: bigint
    k2: bigint
    /** The trust registry's current KYC root. */
    root: bigint
    bureauCount: number
    now: number
    codeAt: Map<string, string>
    /** Addresses with code among the deployment's and the hostile texts' (checksummed). */
    contracts: Set<string>
}

let W: World
let testChain: TestChain | undefined
let bureau: TestBureau | undefined
let originalCwd: string
let suiteEnv: Record<string, string | undefined>
let restoreSuiteEnv: (() => void) | undefined
let startBlock: number
let stateBefore: unknown
let started = 0

const tally = { inProcess: 0, chain: 0, child: 0, skipped: 0, exits: new Map<string, number>() }

/** The chain state a transaction would change. */
async function chainState(): Promise<Record<string, unknown>> {
    const { provider, chain } = W
    const c = chain.deployment.contracts
    const trust = new Contract(c.trustRegistry, TrustRegistryAbi, provider)
    const market = new Contract(c.loanMarket, LoanMarketAbi, provider)
    const token = new Contract(c.stablecoin!, ["function balanceOf(address) view returns (uint256)", "function allowance(address,address) view returns (uint256)"], provider)
    const nonces = await Promise.all(W.accounts.slice(0, 10).map((a) => provider.getTransactionCount(a)))
    const balances = await Promise.all(W.accounts.slice(0, 10).map(async (a) => String(await token.getFunction("balanceOf")(a))))
    const allowances = await Promise.all(W.accounts.slice(0, 10).map(async (a) => String(await token.getFunction("allowance")(a, c.loanMarket))))
    return {
        blockNumber: await provider.getBlockNumber(),
        nonces,
        balances,
        allowances,
        kycNextIndex: String(await trust.getFunction("nextIndex")()),
        kycRoot: String(await trust.getFunction("currentRoot")()),
        kycPaused: await trust.getFunction("paused")(),
        offerCount: String(await market.getFunction("offerCount")()),
        loanCount: String(await market.getFunction("loanCount")()),
        marketPaused: await market.getFunction("paused")(),
        bureauCount: String(await trust.getFunction("bureauCount")())
    }
}

/** Runs a setup command in this process; it must succeed. */
async function must(argv: string[], env: Record<string, string | undefined> = {}): Promise<Record<string, any>> {
    const run = await runInProcess(["--json", ...argv], env)
    if (run.exit !== 0) throw new Error(`setup: zkcredit ${argv.join(" ")} exited ${run.exit}: ${run.stderr}`)
    return JSON.parse(run.stdout) as Record<string, any>
}

beforeAll(async () => {
    started = performance.now()
    process.on("unhandledRejection", onRejection)
    const chain = await startTestChain(CHAIN_PORT)
    testChain = chain
    originalCwd = process.cwd()
    process.chdir(chain.dir)
    bureau = undefined
    suiteEnv = {
        ...chain.env,
        ZKCREDIT_NEW_PASSWORD: NEW_PASSWORD,
        ZKCREDIT_BUREAU_URL: `http://127.0.0.1:${BUREAU_PORT}`,
        ZKCREDIT_PRIVATE_KEY: undefined
    }
    restoreSuiteEnv = withEnv(suiteEnv)
    const dir = chain.dir
    const provider = chain.provider
    const accounts = ((await provider.send("eth_accounts", [])) as string[]).map((a) => address(a)!)

    // keys, bureau, officer
    const k1 = BigInt((await must(["bureau", "key", "create", "--out", "k1.json"])).keyHash)
    const k2 = BigInt((await must(["bureau", "key", "create", "--out", "k2.json"])).keyHash)
    await must(["--account", "0", "admin", "bureau", "add", "Test Bureau"])
    await must(["--account", "0", "admin", "bureau-key", "add", "--bureau", "1", "--key", "k1.json"])
    await must(["--account", "0", "admin", "officer", "grant", accounts[1]!])
    // identities A (will borrow) and B (a member with an attestation, no loan)
    const a = { file: "a.json", commitment: BigInt((await must(["borrower", "identity", "new", "--out", "a.json"])).commitment) }
    const b = { file: "b.json", commitment: BigInt((await must(["borrower", "identity", "new", "--out", "b.json"])).commitment) }
    writeFileSync(`${dir}/members.csv`, `commitment\n${a.commitment}\n${b.commitment}\n101\n102\n103\n`)
    await must(["--account", "1", "officer", "add", "members.csv", "--tree", "tree.json"])
    await must(["--account", "1", "--yes", "officer", "remove", "4", "--tree", "tree.json"])
    await must(["officer", "sync"])
    await must(["officer", "sync", "--tree", "tree.json"])
    // lenders' offers, tUSD for the borrower
    for (const account of ["2", "3", "4"]) await must(["--account", account, "lender", "faucet", "--amount", "10000"])
    await must(["--account", "2", "lender", "offer", "create", "--capacity", "5000", "--tiers", "600:1500:500,700:1200:1000"])
    await must(["--account", "3", "lender", "offer", "create", "--capacity", "1000", "--tiers", "650:1000:300"])
    // attestations and files
    writeFileSync(`${dir}/person.json`, JSON.stringify(GOOD_PERSON))
    writeFileSync(`${dir}/sme.json`, JSON.stringify(GOOD_SME))
    for (const id of [a, b]) await must(["bureau", "sign", "--key", "k1.json", "--commitment", String(id.commitment), "--applicant", "person.json", "--out", id.file.replace(".json", ".attestation.json")])
    writeFileSync(`${dir}/k2-public.json`, JSON.stringify({ publicKey: JSON.parse(readFileSync(`${dir}/k2.json`, "utf8")).publicKey, keyHash: String(k2) }))
    writeFileSync(`${dir}/offer.json`, JSON.stringify({ token: "tusd", capacity: "100", tiers: [{ minScore: 600, aprBps: 1500, maxPrincipal: "500" }], termDays: 90, instalments: 3, graceDays: 3, defaultDays: 30, lateFee: "0" }))
    writeFileSync(`${dir}/new-members.csv`, "201\n202\n")
    mkdirSync(`${dir}/files`)
    mkdirSync(`${dir}/adir`)
    writeFileSync(`${dir}/junk.bin`, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xc3, 0x28, 0x7b, 0x5b]))
    writeFileSync(`${dir}/empty.json`, "")
    writeFileSync(`${dir}/old-out.json`, "{}")
    symlinkSync("loop", `${dir}/loop`)
    symlinkSync("missing-target.json", `${dir}/dangling`)
    symlinkSync("person.json", `${dir}/person-link.json`)
    execFileSync("mkfifo", [`${dir}/fifo`])
    // the escrow committee: three authorities' files, a roster, dealings, complaints, the key and a share; the escrow contracts
    const authorityNames = ["regulator", "bureau", "compliance"]
    for (const name of authorityNames) await must(["committee", "authority", "new", "--name", name, "--out", `authority-${name}.json`])
    await must(["committee", "roster", "--threshold", "2", "--out", "roster.json", "--members", ...authorityNames.map((n) => `authority-${n}.json`)])
    for (const [i, name] of authorityNames.entries()) await must(["committee", "deal", "--roster", "roster.json", "--authority", `authority-${name}.json`, "--out", `dealing-${i + 1}.json`])
    const dealingFiles = authorityNames.map((_, i) => `dealing-${i + 1}.json`)
    for (const [i, name] of authorityNames.entries()) await must(["committee", "verify", "--roster", "roster.json", "--authority", `authority-${name}.json`, "--out", `complaints-${i + 1}.json`, "--dealings", ...dealingFiles])
    await must(["committee", "finalize", "--roster", "roster.json", "--authority", "authority-regulator.json", "--share-out", "regulator-share.json", "--out", "committee-key.json", "--dealings", ...dealingFiles, "--complaints", ...authorityNames.map((_, i) => `complaints-${i + 1}.json`)])
    // the deployment's escrow openings; the key registered (in the deployment's trust registry, the
    // CLI's default) before the borrow, whose proof encrypts under it
    suiteEnv.ZKCREDIT_ESCROW_OPENINGS = process.env.ZKCREDIT_ESCROW_OPENINGS = chain.deployment.contracts.escrowOpenings!
    await must(["--account", "0", "committee", "register", "--committee-key", "committee-key.json", "--accounts", accounts.slice(2, 5).join(",")])
    // a loan of A's (a real proof, in a child process: proving leaves worker threads behind)
    const borrowed = await runChild(["--json", "--account", "4", "borrower", "borrow", "--identity", "a.json", "--offer", "0", "--amount", "100"], {
        cwd: dir,
        env: Object.fromEntries(Object.entries(suiteEnv).filter((e): e is [string, string] => e[1] !== undefined)),
        timeoutMs: 120_000
    })
    if (borrowed.exit !== 0) throw new Error(`setup: borrow exited ${borrowed.exit}: ${borrowed.stderr}`)
    // the bureau: providers' records about A, and the officer's binding of A's commitment
    bureau = await startTestBureau({ privateKey: JSON.parse(readFileSync(`${dir}/k1.json`, "utf8")).privateKey, validitySeconds: 30 * DAY, logger: () => {}, port: BUREAU_PORT })
    writeFileSync(`${dir}/a.binding.json`, JSON.stringify(await bureau.enrol(a)))

    const market = new Contract(chain.deployment.contracts.loanMarket, LoanMarketAbi, provider)
    const token = new Contract(chain.deployment.contracts.stablecoin!, ["function balanceOf(address) view returns (uint256)"], provider)
    const limit = async (name: string) => Number(await market.getFunction(name)())
    W = {
        chain,
        dir,
        rpc: chain.node.url,
        deploymentFile: chain.deploymentFile,
        provider,
        accounts,
        a,
        b,
        leaves: [a.commitment, b.commitment, 101n, 102n, 0n],
        offers: await readOffers(market),
        loan: (await readLoan(market, 0))!,
        score: scoreApplicant(GOOD_PERSON).score,
        balances: await Promise.all(accounts.map(async (x) => BigInt(await token.getFunction("balanceOf")(x)))),
        stablecoin: chain.deployment.contracts.stablecoin!,
        limits: { maxTiers: await limit("MAX_TIERS"), maxAprBps: await limit("MAX_APR_BPS"), maxInstalments: await limit("MAX_INSTALMENTS"), maxTerm: await limit("MAX_TERM"), maxPeriod: await limit("MAX_PERIOD") },
        k1,
        k2,
        root: BigInt(await new Contract(chain.deployment.contracts.trustRegistry, TrustRegistryAbi, provider).getFunction("currentRoot")()),
        bureauCount: 1,
        now: (await provider.getBlock("latest"))!.timestamp,
        codeAt: new Map(),
        contracts: new Set()
    }
    for (const candidate of new Set([...Object.values(chain.deployment.contracts), ...ODD_STRINGS.map(address)])) {
        if (candidate !== undefined && (await provider.getCode(candidate)) !== "0x") W.contracts.add(address(candidate)!)
    }
    expect(W.contracts.has(address(W.stablecoin)!)).toBe(true)
    expect(W.offers.map((o) => o.lender)).toEqual([accounts[2], accounts[3]])
    expect(W.loan.status).toBe("Active")
    startBlock = await provider.getBlockNumber()
    stateBefore = await chainState()
}, 300_000)

afterAll(async () => {
    process.off("unhandledRejection", onRejection)
    restoreSuiteEnv?.()
    if (originalCwd) process.chdir(originalCwd)
    await bureau?.close()
    await testChain?.stop()
    const exits = Object.fromEntries([...tally.exits].sort())
    console.log(
        `malformed CLI input: ${(tally.inProcess + tally.child).toLocaleString("en-US")} cases (${tally.inProcess.toLocaleString("en-US")} in-process, ${tally.chain.toLocaleString("en-US")} of them reaching the chain; ${tally.child} child processes); ` +
            `${tally.skipped.toLocaleString("en-US")} valid ones not run (they would change the chain); exits ${JSON.stringify(exits)}; ${((performance.now() - started) / 1000).toFixed(1)} s; seed ${SEED}`
    )
})

// ------------------------------------------------------------------------------------ judges

const decimals = DECIMALS

/** `then(n)` for a whole number in [min, max], else bad input. */
const whole =
    (min: number, max: number, then: (n: number) => Outcome, code?: string) =>
    (text: string): Outcome => {
        const n = wholeNumber(text, min, max)
        return n === undefined ? bad(code) : then(n)
    }

/** `then(v)` for a token amount, else bad input. */
const amount =
    (then: (v: bigint) => Outcome) =>
    (text: string): Outcome => {
        const v = tokenAmount(text, decimals)
        return v === undefined ? bad() : then(v)
    }

/** A path in the scratch folder (the CLI's working folder). */
const at = (text: string) => resolve(W.dir, text)

/** A file the command reads: missing, a folder, a device, unreadable (or an empty path): bad input; else what its content says. */
function readPath(text: string, content: (body: string) => Outcome): Outcome {
    if (text.includes("\u0000") || text === "") return bad()
    let info
    try {
        info = statSync(at(text))
    } catch {
        return bad()
    }
    if (!info.isFile()) return bad()
    let body: string
    try {
        body = readFileSync(at(text), "utf8")
    } catch {
        return bad()
    }
    return content(body)
}

/** A new file the command writes (never replacing one): `ok` when it can be created, else bad input. */
function writePath(text: string, ok: Outcome, options: { overwrite?: boolean } = {}): Outcome {
    if (text === "" || text.includes("\u0000") || text.endsWith("/")) return bad()
    const target = at(text)
    let existing
    try {
        existing = lstatSync(target)
    } catch {
        existing = undefined
    }
    if (existing) return options.overwrite && existing.isFile() ? ok : bad()
    const rel = relative(W.dir, target)
    if (rel.split("/").some((part) => Buffer.byteLength(part) > 255)) return bad()
    let parent = resolve(target, "..")
    while (!existsSync(parent)) parent = resolve(parent, "..")
    return statSync(parent).isDirectory() ? ok : bad()
}

/** A --tree value: "" is the default tree file; an existing file must be a tree file; a new one is created. */
function treePath(text: string, ok: Outcome): Outcome {
    if (text === "") return bad()
    if (text.includes("\u0000")) return bad()
    // the CLI resolves the path first: "x/" is the file x
    const path = at(text)
    if (existsSync(path)) return readPath(path, (body) => (isTreeFile(parseJsonFile(body)?.value, TREE_DEPTH) ? ok : bad()))
    return writePath(path, ok)
}

const json = (body: string) => parseJsonFile(body)?.value
const applicantFile = (body: string) => (isApplicant(json(body)) ? OK : bad())
/** A KYC binding file that parses and binds this commitment (the signature is the bureau's to check). */
const isBindingOf = (value: unknown, commitment: bigint): boolean => {
    try {
        return parseBinding(value).commitment === commitment.toString()
    } catch {
        return false
    }
}
const keyFileContent = (body: string) => (keyFile(json(body)) !== undefined ? OK : bad())
const attestationFile = (body: string) => (isAttestation(json(body)) ? OK : bad())

/** A members file's content in `officer add --dry-run`: valid new commitments pass, anything else is refused. */
function membersOutcome(body: string, name: string): Outcome {
    const rows = membersFile(body, name)
    if (!rows) return bad()
    if (rows.some((c) => W.leaves.includes(c))) return bad("ALREADY_MEMBER")
    return OK
}

/** The answer of `borrower borrow` by B for this offer, principal and tier. */
function borrowOutcome(offerId: number, principal: bigint, tierText?: string): Outcome {
    const offer = W.offers[offerId]
    if (!offer) return bad("UNKNOWN_OFFER")
    let tier = offer.tiers.filter((t) => W.score >= t.minScore && t.maxPrincipal >= principal).sort((x, y) => x.aprBps - y.aprBps)[0]
    if (tierText !== undefined) {
        const n = wholeNumber(tierText)
        if (n === undefined) return bad()
        tier = offer.tiers[n]
        if (!tier) return bad("UNKNOWN_TIER")
    }
    if (!tier) return bad("NO_TIER")
    if (principal > tier.maxPrincipal || principal > offer.available || W.score < tier.minScore) return bad()
    return skip("borrows")
}

/** The answer of `lender offer create` for an offer. */
function offerOutcome(source: OfferSource, fromFile: boolean): Outcome {
    const capacity = offerCapacity(source, {
        decimals,
        limits: W.limits,
        fromFile,
        isToken: (t) => t.toLowerCase() === "tusd" || address(t) === W.stablecoin
    })
    if (capacity === undefined) return bad()
    return capacity > W.balances[2]! ? failed("INSUFFICIENT_BALANCE") : skip("creates an offer")
}

/** A token argument naming the test stablecoin: `tusd` or its address. */
const isStablecoin = (t: string) => t.toLowerCase() === "tusd" || address(t) === W.stablecoin

/** --offer of lender 2's commands: 0 is theirs, 1 is lender 3's (exit 1), others do not exist. */
const lenderOffer = (then: Outcome) => whole(0, MAX_SAFE, (n) => (n === 0 ? then : n < W.offers.length ? failed() : bad("UNKNOWN_OFFER")))

/** The bureau URL of `borrower attest`: http(s) only; ours works, others do not answer (exit 3). */
function bureauUrl(text: string): Outcome {
    const url = text.replace(/\/+$/, "")
    if (!/^https?:\/\//.test(url)) return bad("INVALID_URL")
    return url === `http://127.0.0.1:${BUREAU_PORT}` ? OK : unreachable()
}

/** An RPC URL: http(s) only; ours works, others do not answer (exit 3). */
function rpcUrl(text: string): Outcome {
    if (!/^https?:\/\//.test(text)) return bad("INVALID_URL")
    return text.replace(/\/+$/, "") === W.rpc ? OK : unreachable("CHAIN_UNREACHABLE")
}

/** --account: an index or an address of the node's unlocked accounts. */
function account(text: string): Outcome {
    if (/^0x/i.test(text)) {
        const a = address(text)
        if (!a) return bad("INVALID_ADDRESS")
        return W.accounts.includes(a) ? OK : bad("UNKNOWN_ACCOUNT")
    }
    const n = wholeNumber(text)
    if (n === undefined) return bad()
    return n < W.accounts.length ? OK : bad("UNKNOWN_ACCOUNT")
}

/** A deployment file's content (for `borrower offers`, which uses only the market and the offers' tokens). */
function deploymentContent(body: string): Outcome {
    const value = json(body)
    let deployment
    try {
        deployment = parseDeployment(value)
    } catch {
        return bad()
    }
    if (deployment.chainId !== 31337) return bad("WRONG_CHAIN")
    const code = W.codeAt.get(deployment.contracts.loanMarket.toLowerCase())
    if (code === undefined) throw new Error(`no code looked up for ${deployment.contracts.loanMarket}`)
    if (code === "0x") return unreachable("NO_DEPLOYMENT")
    return deployment.contracts.loanMarket === W.chain.deployment.contracts.loanMarket ? OK : failed()
}

/** Looks up the code of every address a deployment file may name (for {@link deploymentContent}). */
async function lookUpCode(bodies: string[]): Promise<void> {
    for (const body of bodies) {
        try {
            const market = parseDeployment(json(body)).contracts.loanMarket.toLowerCase()
            if (!W.codeAt.has(market)) W.codeAt.set(market, await W.provider.getCode(market))
        } catch {
            // not a deployment: no address to look up
        }
    }
}

// ------------------------------------------------------------------------------------ commands

const acct = (n: number) => ["--account", String(n)]
const opt = (name: string, value: string, judge: (t: string) => Outcome, extra: Partial<Slot> = {}): Slot => ({ name, value, judge, ...extra })
const arg = (name: string, value: string, judge: (t: string) => Outcome, extra: Partial<Slot> = {}): Slot => ({ name, value, judge, positional: true, required: true, ...extra })
const flag = (name: string): Slot => ({ name })
const readOpt = (name: string, value: string, content: (body: string) => Outcome, required = true) => opt(name, value, (t) => readPath(t, content), { path: "read", required })
const outOpt = (value: string, ok: Outcome = OK) => opt("--out", value, (t) => writePath(t, ok), { path: "write", required: true })
const treeOpt = (ok: Outcome) => opt("--tree", "tree.json", (t) => treePath(t, ok), { path: "write" })
const nothing = () => bad()

/** Every command, with valid arguments and how it answers each change. `chain`: it reaches the chain; `proves`: it makes a proof. */
function commands(): { spec: CommandSpec; chain: boolean; proves?: boolean }[] {
    const memberIndex = (then: Outcome) => whole(0, MAX_SAFE, (n) => (n >= W.leaves.length ? bad("UNKNOWN_INDEX") : W.leaves[n] === 0n ? bad("REMOVED_MEMBER") : then))
    const newCommitment = (t: string): Outcome => {
        const c = fieldElement(t)
        return c === undefined ? bad() : W.leaves.includes(c) ? bad("ALREADY_MEMBER") : skip("replaces a member")
    }
    const offerSource: Record<string, string> = { token: "tusd", capacity: "100", tiers: "600:1500:500,700:1200:1000", termDays: "90", instalments: "3", graceDays: "3", defaultDays: "30", lateFee: "0" }
    const offerFlags: [string, string][] = [
        ["token", "--token"],
        ["capacity", "--capacity"],
        ["tiers", "--tiers"],
        ["termDays", "--term-days"],
        ["instalments", "--instalments"],
        ["graceDays", "--grace-days"],
        ["defaultDays", "--default-days"],
        ["lateFee", "--late-fee"]
    ]
    const loan0 = W.loan.position.totalDue - W.loan.repaid
    const keyFileOutcome = (body: string): Outcome => {
        const hash = publicKeyFile(json(body))
        return hash === undefined ? bad() : hash === W.k1 ? failed("CONTRACT_REVERT") : skip("registers a key")
    }
    const specs: { spec: CommandSpec; chain: boolean; proves?: boolean }[] = [
        // officer
        {
            chain: true,
            spec: {
                path: ["officer", "add"],
                globals: acct(1),
                slots: [
                    arg("<file>", "new-members.csv", (t) => readPath(t, (body) => membersOutcome(body, t)), { path: "read" }),
                    treeOpt(OK),
                    opt("--batch-size", "100", whole(1, 1000, () => OK)),
                    flag("--dry-run")
                ],
                base: OK,
                without: (s) => (s.name === "--dry-run" ? skip("adds members") : OK)
            }
        },
        {
            chain: true,
            spec: { path: ["officer", "add"], globals: acct(1), slots: [arg("<file>", "new-members.csv", (t) => readPath(t, (body) => (membersOutcome(body, t).exit === 0 ? skip("adds members") : membersOutcome(body, t))), { path: "read" }), opt("--batch-size", "100", whole(1, 1000, () => skip("adds members")))], base: skip("adds members") }
        },
        { chain: true, spec: { path: ["officer", "remove"], globals: acct(1), slots: [arg("[index]", "2", memberIndex(skip("removes a member")), { required: false }), treeOpt(skip("removes a member"))], base: skip("removes a member"), without: (s) => (s.name === "[index]" ? bad("USAGE") : skip("removes a member")) } },
        {
            chain: true,
            spec: {
                path: ["officer", "remove"],
                globals: acct(1),
                slots: [opt("--commitment", "101", (t) => {
                    const c = fieldElement(t)
                    return c === undefined ? bad() : W.leaves.includes(c) ? skip("removes a member") : bad("NOT_A_MEMBER")
                }), treeOpt(skip("removes a member"))],
                base: skip("removes a member"),
                without: (s) => (s.name === "--commitment" ? bad("USAGE") : skip("removes a member"))
            }
        },
        { chain: true, spec: { path: ["officer", "replace"], globals: acct(1), slots: [arg("<index>", "2", memberIndex(skip("replaces a member"))), arg("<commitment>", "999", newCommitment), treeOpt(skip("replaces a member"))], base: skip("replaces a member") } },
        // the world's one loan is active (and any other id names no loan): every well-formed record-default is refused by the chain
        {
            chain: true,
            spec: {
                path: ["officer", "record-default"],
                globals: acct(1),
                slots: [
                    opt("--commitment", "101", (t) => (fieldElement(t) === undefined ? bad() : failed("LOAN_NOT_DEFAULTED")), { required: true }),
                    opt("--loan", "0", whole(0, MAX_SAFE, () => failed("LOAN_NOT_DEFAULTED")), { required: true }),
                    opt("--market", W.chain.deployment.contracts.loanMarket, (t) => (address(t) === W.chain.deployment.contracts.loanMarket ? failed("LOAN_NOT_DEFAULTED") : bad())),
                    flag("--immediate")
                ],
                base: failed("LOAN_NOT_DEFAULTED")
            }
        },
        // nobody in the world has an open default
        { chain: true, spec: { path: ["officer", "readmit"], globals: acct(1), slots: [opt("--commitment", "101", (t) => (fieldElement(t) === undefined ? bad() : failed("NO_OPEN_DEFAULT")), { required: true })], base: failed("NO_OPEN_DEFAULT") } },
        { chain: true, spec: { path: ["officer", "sync"], slots: [treeOpt(OK)], base: OK } },
        { chain: true, spec: { path: ["officer", "sync"], slots: [opt("--tree", "tree.json", (t) => (t === "" ? bad() : writePath(at(t), OK, { overwrite: true })), { path: "overwrite" }), flag("--full")], base: OK } },
        { chain: true, spec: { path: ["officer", "audit"], slots: [], base: OK } },
        {
            chain: true,
            spec: {
                path: ["officer", "export"],
                slots: [outOpt("export.json"), opt("--format", "json", (t) => (["json", "csv"].includes(t.toLowerCase()) ? OK : bad("INVALID_FORMAT"))), treeOpt(OK)],
                base: OK,
                outputs: ["export.json"]
            }
        },
        { chain: true, spec: { path: ["officer", "pause"], globals: acct(1), slots: [], base: skip("pauses the registry") } },
        {
            chain: true,
            spec: {
                path: ["officer", "remove"],
                globals: acct(1),
                slots: [arg("[index]", "2", memberIndex(skip("removes a member immediately")), { required: false }), flag("--immediate"), treeOpt(skip("removes a member immediately"))],
                base: skip("removes a member immediately"),
                without: (s) => (s.name === "[index]" ? bad("USAGE") : skip("removes a member"))
            }
        },
        ...(["officer", "admin"] as const).map((role) => ({
            chain: true,
            spec: {
                path: [role, "revoke-root"],
                globals: acct(role === "officer" ? 1 : 0),
                slots: [arg("<root>", String(W.root), (t) => (fieldElement(t) === undefined ? bad() : fieldElement(t) === W.root ? skip("revokes a root") : bad("UNKNOWN_ROOT")))],
                base: skip("revokes a root")
            }
        })),
        // anchors: the current root's are not prepared (the committee key came after the officer's changes)
        { chain: true, spec: { path: ["anchors", "prepare"], globals: acct(5), slots: [opt("--root", String(W.root), (t) => (fieldElement(t) === undefined ? bad() : fieldElement(t) === W.root ? skip("prepares anchors") : bad("INVALID_ROOT")))], base: skip("prepares anchors") } },
        // bureau
        { chain: false, spec: { path: ["bureau", "key", "create"], slots: [outOpt("new-key.json")], base: OK, outputs: ["new-key.json"] } },
        { chain: false, spec: { path: ["bureau", "key", "show"], slots: [readOpt("--key", "k1.json", keyFileContent)], base: OK } },
        { chain: false, spec: { path: ["bureau", "score"], slots: [arg("<applicant>", "person.json", (t) => readPath(t, applicantFile), { path: "read" })], base: OK } },
        {
            chain: false,
            spec: {
                path: ["bureau", "sign"],
                slots: [
                    readOpt("--key", "k1.json", keyFileContent),
                    opt("--commitment", String(W.a.commitment), (t) => (fieldElement(t) === undefined ? bad() : OK), { required: true }),
                    readOpt("--applicant", "person.json", applicantFile),
                    outOpt("signed.json"),
                    opt("--valid-days", "30", whole(1, 366, () => OK))
                ],
                base: OK,
                outputs: ["signed.json"]
            }
        },
        {
            chain: false,
            spec: {
                path: ["bureau", "serve"],
                slots: [readOpt("--key", "k1.json", (body) => (keyFile(json(body)) !== undefined ? skip("serves") : bad())), opt("--port", "8972", whole(0, 65_535, () => skip("serves"))), opt("--valid-days", "30", whole(1, 366, () => skip("serves")))],
                base: skip("serves until stopped")
            }
        },
        // borrower
        { chain: false, spec: { path: ["borrower", "identity", "new"], slots: [outOpt("new-id.json")], base: OK, outputs: ["new-id.json"] } },
        { chain: false, spec: { path: ["borrower", "identity", "show"], slots: [readOpt("--identity", "a.json", nothing)], base: OK } },
        { chain: true, spec: { path: ["borrower", "identity", "show"], slots: [readOpt("--identity", "a.json", nothing), flag("--pseudonym")], base: OK } },
        { chain: false, spec: { path: ["borrower", "identity", "export"], slots: [readOpt("--identity", "a.json", nothing), outOpt("exported.json")], base: OK, outputs: ["exported.json"] } },
        { chain: false, spec: { path: ["borrower", "identity", "import"], slots: [readOpt("--from", "a.json", nothing), outOpt("imported.json")], base: OK, outputs: ["imported.json"] } },
        {
            chain: false,
            proves: true,
            spec: {
                path: ["borrower", "attest"],
                slots: [readOpt("--identity", "a.json", nothing), readOpt("--binding", "a.binding.json", (body) => (isBindingOf(json(body), W.a.commitment) ? OK : bad())), opt("--out", "attested.json", (t) => writePath(t, OK, { overwrite: true }), { path: "overwrite" }), opt("--bureau", `http://127.0.0.1:${BUREAU_PORT}`, bureauUrl)],
                base: OK,
                outputs: ["attested.json"]
            }
        },
        { chain: true, spec: { path: ["borrower", "offers"], slots: [readOpt("--attestation", "a.attestation.json", (body) => (isAttestation(json(body)) ? OK : bad()), false)], base: OK } },
        {
            chain: true,
            spec: {
                path: ["borrower", "borrow"],
                globals: acct(5),
                slots: [
                    readOpt("--identity", "b.json", nothing),
                    readOpt("--attestation", "b.attestation.json", nothing, false),
                    opt("--offer", "0", whole(0, MAX_SAFE, (n) => borrowOutcome(n, 100_000_000n)), { required: true }),
                    opt("--amount", "100", amount((v) => borrowOutcome(0, v)), { required: true })
                ],
                base: skip("borrows")
            }
        },
        {
            chain: true,
            spec: {
                path: ["borrower", "borrow"],
                globals: acct(5),
                slots: [readOpt("--identity", "b.json", nothing), opt("--offer", "0", whole(0, MAX_SAFE, (n) => borrowOutcome(n, 100_000_000n, "1")), { required: true }), opt("--tier", "1", (t) => borrowOutcome(0, 100_000_000n, t)), opt("--amount", "100", amount((v) => borrowOutcome(0, v, "1")), { required: true })],
                base: skip("borrows"),
                without: (s) => (s.name === "--tier" ? skip("borrows") : USAGE)
            }
        },
        { chain: true, spec: { path: ["borrower", "repay"], globals: acct(4), slots: [opt("--loan", "0", whole(0, MAX_SAFE, (n) => (n === 0 ? skip("repays") : bad("UNKNOWN_LOAN"))), { required: true })], base: skip("repays") } },
        {
            chain: true,
            spec: {
                path: ["borrower", "repay"],
                globals: acct(4),
                slots: [opt("--loan", "0", whole(0, MAX_SAFE, (n) => (n === 0 ? skip("repays") : bad("UNKNOWN_LOAN"))), { required: true }), opt("--amount", "10", amount((v) => (v > loan0 ? bad("INVALID_AMOUNT") : v > W.balances[4]! ? failed() : skip("repays"))))],
                base: skip("repays")
            }
        },
        { chain: true, spec: { path: ["borrower", "repay"], globals: acct(4), slots: [opt("--loan", "0", (t) => (wholeNumber(t) === undefined ? bad() : USAGE), { required: true }), opt("--amount", "10", () => USAGE), flag("--all")], base: USAGE, without: (s) => (s.name === "--loan" ? USAGE : skip("repays")) } },
        { chain: true, spec: { path: ["borrower", "status"], slots: [readOpt("--identity", "a.json", nothing)], base: OK } },
        // lender
        {
            chain: true,
            spec: {
                path: ["lender", "offer", "create"],
                globals: acct(2),
                slots: offerFlags.map(([field, name]) => opt(name, offerSource[field]!, (t) => offerOutcome({ ...offerSource, [field]: t }, false))),
                base: skip("creates an offer"),
                without: (s) => (s.name === "--capacity" || s.name === "--tiers" ? bad("MISSING_OPTION") : skip("creates an offer"))
            }
        },
        { chain: true, spec: { path: ["lender", "offer", "create"], globals: acct(2), slots: [readOpt("--file", "offer.json", (body) => offerFileOutcome(body), false)], base: skip("creates an offer"), without: () => bad("MISSING_OPTION") } },
        { chain: true, spec: { path: ["lender", "offers"], globals: acct(2), slots: [flag("--all")], base: OK } },
        { chain: true, spec: { path: ["lender", "deposit"], globals: acct(2), slots: [opt("--offer", "0", lenderOffer(skip("deposits")), { required: true }), opt("--amount", "10", amount((v) => (v > W.balances[2]! ? failed("INSUFFICIENT_BALANCE") : skip("deposits"))), { required: true })], base: skip("deposits") } },
        {
            chain: true,
            spec: {
                path: ["lender", "withdraw"],
                globals: acct(2),
                slots: [opt("--offer", "0", lenderOffer(skip("withdraws")), { required: true }), opt("--amount", "10", amount((v) => (v > W.offers[0]!.available ? bad("INVALID_AMOUNT") : skip("withdraws"))))],
                base: skip("withdraws"),
                without: (s) => (s.name === "--amount" ? bad("USAGE") : USAGE)
            }
        },
        { chain: true, spec: { path: ["lender", "withdraw"], globals: acct(2), slots: [opt("--offer", "0", lenderOffer(skip("withdraws")), { required: true }), flag("--all")], base: skip("withdraws"), without: (s) => (s.name === "--all" ? bad("USAGE") : USAGE) } },
        { chain: true, spec: { path: ["lender", "withdraw-surplus"], globals: acct(2), slots: [opt("--offer", "0", lenderOffer(bad("INVALID_AMOUNT")), { required: true })], base: bad("INVALID_AMOUNT") } },
        { chain: true, spec: { path: ["lender", "pause"], globals: acct(2), slots: [opt("--offer", "0", lenderOffer(skip("pauses")), { required: true })], base: skip("pauses") } },
        { chain: true, spec: { path: ["lender", "resume"], globals: acct(2), slots: [opt("--offer", "0", lenderOffer(skip("resumes")), { required: true })], base: skip("resumes") } },
        { chain: true, spec: { path: ["lender", "loans"], globals: acct(2), slots: [opt("--offer", "0", whole(0, MAX_SAFE, (n) => (n < W.offers.length ? OK : bad("UNKNOWN_OFFER"))), { variadic: true })], base: OK } },
        { chain: true, spec: { path: ["lender", "loans"], globals: acct(2), slots: [flag("--all")], base: OK } },
        { chain: true, spec: { path: ["lender", "faucet"], globals: acct(2), slots: [opt("--amount", "10", amount(() => failed("CONTRACT_REVERT")), { required: true })], base: failed("CONTRACT_REVERT") } },
        // loan requests and positions: this world has none, so every id is unknown
        { chain: true, spec: { path: ["request", "list"], globals: acct(2), slots: [flag("--open")], base: OK } },
        { chain: true, spec: { path: ["request", "fund"], globals: acct(2), slots: [opt("--request", "0", whole(0, MAX_SAFE, () => bad("UNKNOWN_REQUEST")), { required: true }), opt("--amount", "10", amount(() => bad("UNKNOWN_REQUEST")), { required: true })], base: bad("UNKNOWN_REQUEST") } },
        ...(["cancel", "close", "repay"] as const).map((verb) => ({ chain: true, spec: { path: ["request", verb], globals: acct(2), slots: [opt("--request", "0", whole(0, MAX_SAFE, () => bad("UNKNOWN_REQUEST")), { required: true })], base: bad("UNKNOWN_REQUEST") } })),
        { chain: true, spec: { path: ["request", "refund"], globals: acct(2), slots: [opt("--position", "0", whole(0, MAX_SAFE, () => bad("UNKNOWN_POSITION")), { required: true, variadic: true })], base: bad("UNKNOWN_POSITION") } },
        { chain: true, spec: { path: ["position", "list"], globals: acct(2), slots: [flag("--all")], base: OK } },
        { chain: true, spec: { path: ["position", "claim"], globals: acct(2), slots: [opt("--position", "0", whole(0, MAX_SAFE, () => bad("UNKNOWN_POSITION")), { variadic: true })], base: bad("UNKNOWN_POSITION"), without: () => bad("INVALID_POSITION") } },
        // positions of loans from offers: loan 0 has none; other ids have no loan
        { chain: true, spec: { path: ["lender", "open-position"], globals: acct(2), slots: [opt("--loan", "0", whole(0, MAX_SAFE, (n) => (n !== 0 ? bad("UNKNOWN_LOAN") : W.offers[Number(W.loan.offerId)]!.lender === W.accounts[2] ? skip("opens a position") : failed("NOT_OFFER_LENDER"))), { required: true })], base: W.offers[Number(W.loan.offerId)]!.lender === W.accounts[2] ? skip("opens a position") : failed("NOT_OFFER_LENDER") } },
        { chain: true, spec: { path: ["position", "claim"], globals: acct(2), slots: [opt("--loan", "0", whole(0, MAX_SAFE, (n) => bad(n === 0 ? "UNKNOWN_POSITION" : "UNKNOWN_LOAN")), { variadic: true })], base: bad("UNKNOWN_POSITION"), without: () => bad("INVALID_POSITION") } },
        {
            chain: true,
            spec: {
                path: ["position", "transfer"],
                globals: acct(2),
                slots: [opt("--loan", "0", whole(0, MAX_SAFE, (n) => bad(n === 0 ? "UNKNOWN_POSITION" : "UNKNOWN_LOAN"))), opt("--to", W.accounts[6]!, (t) => (address(t) ? bad("UNKNOWN_POSITION") : bad("INVALID_ADDRESS")), { required: true })],
                base: bad("UNKNOWN_POSITION"),
                without: () => bad("INVALID_POSITION")
            }
        },
        {
            chain: true,
            spec: {
                path: ["position", "transfer"],
                globals: acct(2),
                slots: [opt("--position", "0", whole(0, MAX_SAFE, () => bad("UNKNOWN_POSITION"))), opt("--to", W.accounts[6]!, (t) => (address(t) ? bad("UNKNOWN_POSITION") : bad("INVALID_ADDRESS")), { required: true })],
                base: bad("UNKNOWN_POSITION"),
                without: () => bad("INVALID_POSITION")
            }
        },
        // admin
        { chain: true, spec: { path: ["admin", "bureau", "add"], globals: acct(0), slots: [arg("<name>", "Another Bureau", (t) => (t.trim() === "" ? bad("INVALID_NAME") : skip("registers a bureau")))], base: skip("registers a bureau") } },
        { chain: true, spec: { path: ["admin", "bureau", "list"], globals: acct(0), slots: [], base: OK } },
        {
            chain: true,
            spec: {
                path: ["admin", "bureau-key", "add"],
                globals: acct(0),
                slots: [
                    opt("--bureau", "1", whole(1, MAX_SAFE, (n) => (n > W.bureauCount ? bad("UNKNOWN_BUREAU") : skip("registers a key"))), { required: true }),
                    readOpt("--key", "k2-public.json", keyFileOutcome),
                    opt("--valid-days", "365", whole(1, 36_500, () => skip("registers a key"))),
                    opt("--valid-from", String(W.now + 3600), whole(0, MAX_SAFE, (from) => (Math.abs(from + 365 * DAY - W.now) < 3 * 3600 ? skip("near the boundary") : from + 365 * DAY <= W.now ? failed("CONTRACT_REVERT") : skip("registers a key"))))
                ],
                base: skip("registers a key")
            }
        },
        { chain: true, spec: { path: ["admin", "bureau-key", "revoke"], globals: acct(0), slots: [arg("<keyHash>", String(W.k1), (t) => (fieldElement(t) === undefined ? bad() : fieldElement(t) === W.k1 ? skip("revokes a key") : bad("UNKNOWN_KEY")))], base: skip("revokes a key") } },
        ...(["grant", "revoke"] as const).map((verb) => ({ chain: true, spec: { path: ["admin", "officer", verb], globals: acct(0), slots: [arg("<address>", W.accounts[6]!, (t) => (address(t) ? skip(`${verb}s the role`) : bad("INVALID_ADDRESS")))], base: skip(`${verb}s the role`) } })),
        // the stablecoin is the one token allowed (and the only ERC-20 on this chain): anything else is bad input
        { chain: true, spec: { path: ["admin", "allow-token"], globals: acct(0), slots: [arg("<address>", W.stablecoin, (t) => (isStablecoin(t) ? failed("ALREADY") : bad()))], base: failed("ALREADY") } },
        // another contract is no token and not allowed: disallowing it is "not allowed already" (exit 1)
        { chain: true, spec: { path: ["admin", "disallow-token"], globals: acct(0), slots: [arg("<address>", "tusd", (t) => (isStablecoin(t) ? skip("disallows a token") : W.contracts.has(address(t) ?? "") ? failed("ALREADY") : bad()))], base: skip("disallows a token") } },
        { chain: true, spec: { path: ["admin", "tokens"], globals: acct(0), slots: [], base: OK } },
        { chain: true, spec: { path: ["admin", "pause"], globals: acct(0), slots: [arg("<contract>", "kyc", (t) => (["kyc", "market", "verifier"].includes(t) ? skip("pauses") : bad("USAGE")))], base: skip("pauses") } },
        { chain: true, spec: { path: ["admin", "pause"], globals: acct(0), slots: [arg("<contract>", "verifier", (t) => (["kyc", "market", "verifier"].includes(t) ? skip("pauses") : bad("USAGE")))], base: skip("pauses") } },
        { chain: true, spec: { path: ["admin", "unpause"], globals: acct(0), slots: [arg("<contract>", "market", (t) => (["kyc", "market", "verifier"].includes(t) ? failed("ALREADY") : bad("USAGE")))], base: failed("ALREADY") } },
        { chain: true, spec: { path: ["admin", "unpause"], globals: acct(0), slots: [arg("<contract>", "verifier", (t) => (["kyc", "market", "verifier"].includes(t) ? failed("ALREADY") : bad("USAGE")))], base: failed("ALREADY") } },
        // escrow committee
        ...committeeSpecs(),
        // global options on commands that use them
        {
            chain: true,
            spec: {
                path: ["lender", "offers"],
                slots: [opt("--account", "2", account), opt("--rpc", "", rpcUrl), opt("--deployment", "", (t) => readPath(t, deploymentContent), { path: "read" })].map((s) => (s.name === "--account" ? s : { ...s, value: s.name === "--rpc" ? W.rpc : W.deploymentFile })),
                base: OK
            }
        }
    ]
    return specs
}

/**
 * The `committee` commands. File contents are judged by the library's own parsers (the answer to
 * a malformed file is bad input either way; what this suite checks is how the CLI says so), and
 * chain commands stop at the chain's refusal: no loan is defaulted and no opening requested here.
 */
function committeeSpecs(): { spec: CommandSpec; chain: boolean }[] {
    const file = (name: string) => JSON.parse(readFileSync(at(name), "utf8")) as unknown
    const regulator = file("authority-regulator.json") as AuthorityKeyFile
    const roster = file("roster.json") as CommitteeRoster
    const key = requirePoint((file("committee-key.json") as { publicKey: unknown }).publicKey, "publicKey")
    const escrow = encryptCommitment(W.a.commitment, key).escrow
    const holds = (fn: () => unknown) => {
        try {
            fn()
            return true
        } catch {
            return false
        }
    }
    const parsed = (body: string, check: (value: unknown) => unknown, then: Outcome = OK): Outcome => {
        const value = json(body)
        return value !== undefined && holds(() => check(value)) ? then : bad()
    }
    const name = (t: string) => (t.trim() === "" || t.length > 100 ? bad("INVALID_COMMITTEE_FILE") : OK)
    const integer = (t: string) => /^-?[0-9]+$/.test(t.trim()) || /^0x[0-9a-fA-F]+$/.test(t.trim())
    const loan = (then: Outcome) => whole(0, MAX_SAFE, () => then)
    return [
        { chain: false, spec: { path: ["committee", "authority", "new"], slots: [opt("--name", "auditor", name, { required: true }), outOpt("new-authority.json")], base: OK, outputs: ["new-authority.json"] } },
        { chain: false, spec: { path: ["committee", "authority", "show"], slots: [readOpt("--authority", "authority-regulator.json", (b) => parsed(b, parseAuthorityKey))], base: OK } },
        {
            chain: false,
            spec: {
                path: ["committee", "roster"],
                slots: [
                    opt("--threshold", "1", whole(1, 1, () => OK), { required: true }),
                    outOpt("new-roster.json"),
                    opt("--members", "authority-regulator.json", (t) => readPath(t, (b) => parsed(b, (v) => createRoster(1, [v as never]))), { path: "read", required: true, variadic: true })
                ],
                base: OK,
                outputs: ["new-roster.json"]
            }
        },
        {
            chain: false,
            spec: {
                path: ["committee", "deal"],
                slots: [
                    readOpt("--roster", "roster.json", (b) => parsed(b, (v) => createDealing(v as CommitteeRoster, regulator))),
                    readOpt("--authority", "authority-regulator.json", (b) => parsed(b, (v) => createDealing(roster, v as AuthorityKeyFile))),
                    outOpt("new-dealing.json")
                ],
                base: OK,
                outputs: ["new-dealing.json"]
            }
        },
        {
            chain: false,
            spec: {
                path: ["committee", "verify"],
                slots: [
                    readOpt("--roster", "roster.json", (b) => parsed(b, (v) => verifyDealings(v as CommitteeRoster, regulator, [file("dealing-1.json")]))),
                    readOpt("--authority", "authority-regulator.json", (b) => parsed(b, (v) => verifyDealings(roster, v as AuthorityKeyFile, [file("dealing-1.json")]))),
                    outOpt("new-complaints.json"),
                    opt("--dealings", "dealing-1.json", (t) => readPath(t, (b) => parsed(b, (v) => verifyDealings(roster, regulator, [v]))), { path: "read", required: true, variadic: true })
                ],
                base: OK,
                outputs: ["new-complaints.json"]
            }
        },
        {
            chain: false,
            spec: {
                path: ["committee", "finalize"],
                // one dealing of three, t = 2: the rounds cannot finish, whatever else is wrong
                slots: [readOpt("--roster", "roster.json", (b) => parsed(b, (v) => finalizeCommittee(v as CommitteeRoster, [], []), bad("DKG_FAILED"))), outOpt("new-committee-key.json", bad("DKG_FAILED")), opt("--dealings", "dealing-1.json", (t) => readPath(t, () => bad()), { path: "read", required: true, variadic: true })],
                base: bad("DKG_FAILED")
            }
        },
        {
            chain: true,
            spec: {
                path: ["committee", "register"],
                globals: acct(0),
                slots: [
                    readOpt("--committee-key", "committee-key.json", (b) => parsed(b, parseCommitteeKey, skip("registers a key"))),
                    opt("--accounts", W.accounts.slice(2, 5).join(","), (t) => (t.split(",").length === 3 && t.split(",").every((a) => address(a)) ? skip("registers a key") : bad()), { required: true }),
                    opt("--valid-days", "365", whole(1, 3650, () => skip("registers a key")))
                ],
                base: skip("registers a key")
            }
        },
        {
            chain: true,
            spec: {
                path: ["committee", "request"],
                globals: acct(1),
                slots: [
                    opt("--loan", "0", loan(failed("LOAN_NOT_DEFAULTED")), { required: true }),
                    // optional: the market's record of the loan by default; checked up front when given
                    opt("--committee-key-y", String(key[1]), (t) => (fieldElement(t) === undefined ? bad() : failed("LOAN_NOT_DEFAULTED"))),
                    opt("--ephemeral-key-y", String(escrow.ephemeralKeyY), (t) => (holds(() => parseEscrow({ ephemeralKeyY: t, ciphertext: "1" })) ? failed("LOAN_NOT_DEFAULTED") : bad())),
                    opt("--ciphertext", String(escrow.ciphertext), (t) => (integer(t) && BigInt(t.trim()) >= 0n && BigInt(t.trim()) < P ? failed("LOAN_NOT_DEFAULTED") : bad()))
                ],
                base: failed("LOAN_NOT_DEFAULTED")
            }
        },
        {
            chain: true,
            spec: {
                path: ["committee", "decrypt"],
                globals: acct(2),
                slots: [opt("--loan", "0", loan(failed("OPENING_NOT_REQUESTED")), { required: true }), readOpt("--share", "regulator-share.json", (b) => parsed(b, parseAuthorityShare, failed("OPENING_NOT_REQUESTED")))],
                base: failed("OPENING_NOT_REQUESTED")
            }
        },
        {
            chain: true,
            spec: {
                path: ["committee", "combine"],
                slots: [opt("--loan", "0", loan(failed("OPENING_NOT_REQUESTED")), { required: true }), readOpt("--committee-key", "committee-key.json", (b) => parsed(b, parseCommitteeKey, failed("OPENING_NOT_REQUESTED")))],
                base: failed("OPENING_NOT_REQUESTED")
            }
        }
    ]
}

/** `lender offer create --file`: an offer file's content. */
function offerFileOutcome(body: string): Outcome {
    const value = json(body)
    if (typeof value !== "object" || value === null || Array.isArray(value)) return bad()
    const data = value as Record<string, unknown>
    const defaults = { token: "tusd", termDays: 90, instalments: 3, graceDays: 3, defaultDays: 30, lateFee: 0 }
    const merged: OfferSource = { ...defaults }
    for (const [k, v] of Object.entries(data)) Object.defineProperty(merged, k, { value: v, enumerable: true, writable: true, configurable: true })
    return offerOutcome(merged, true)
}

// ------------------------------------------------------------------------------------ running cases

/** A case to run in this process. */
interface RunCase extends Case {
    /** A file written just before the run (relative to the scratch folder) and removed after. */
    file?: { name: string; content: string | Buffer }
    /** Text the CLI may echo (file contents). */
    input?: string
    /** Whether the command reaches the chain. */
    chain?: boolean
    /** Whether the command sends transactions when it succeeds: the block number is then checked after the case. */
    sends?: boolean
    /** Checks on top of the exit code when the command succeeded. */
    check?: (run: CliRun) => string[]
    /** The answer decided from the run itself (for oracles such as "refused, or the same identity"). */
    decide?: (run: CliRun) => { expected: Outcome; problems?: string[] }
    /** A refused file must be left as it was. */
    keepsFile?: boolean
}

/** Entries of the scratch folder and its files/ subfolder. */
function entries(): Set<string> {
    return new Set([...readdirSync(W.dir), ...readdirSync(`${W.dir}/files`).map((f) => `files/${f}`)])
}

/**
 * Runs cases in this process and returns what went wrong, one entry per case. After each: the
 * exit code and the message, no file left behind by a failure (what it created is removed), no
 * block mined.
 */
async function runCases(cases: RunCase[]): Promise<string[]> {
    const failures: string[] = []
    for (const c of cases) {
        if (c.expected.exit === "skip" && !c.decide) {
            tally.skipped++
            continue
        }
        if (c.file) writeFileSync(`${W.dir}/${c.file.name}`, c.file.content)
        const before = entries()
        const run = await runInProcess(c.argv, c.env, { timeoutMs: 30_000 })
        tally.inProcess++
        tally.exits.set(String(run.exit), (tally.exits.get(String(run.exit)) ?? 0) + 1)
        const decided = c.decide?.(run)
        const expected = decided?.expected ?? c.expected
        const input = `${c.argv.join(" ")} ${Object.values(c.env).join(" ")} ${c.input ?? ""}`
        const problems = expected.exit === "skip" ? [`ran a case that should not run`] : problemsOf(run, expected, c.json, input)
        problems.push(...(decided?.problems ?? []))
        if (c.check && run.exit === 0) problems.push(...c.check(run))
        if (c.file) {
            if (c.keepsFile && run.exit !== 0 && !Buffer.from(readFileSync(`${W.dir}/${c.file.name}`)).equals(Buffer.from(c.file.content))) problems.push("a refused file was changed")
            rmSync(`${W.dir}/${c.file.name}`, { force: true })
        }
        const created = [...entries()].filter((e) => !before.has(e))
        for (const e of created) rmSync(`${W.dir}/${e}`, { recursive: true, force: true })
        if (run.exit !== 0 && c.outputs.some((o) => created.includes(o))) problems.push("a failed command wrote the file it writes on success")
        if (run.exit !== 0 && created.length > 0) problems.push(`a failed command left files behind: ${created.map((f) => JSON.stringify(f.slice(0, 60))).join(", ")}`)
        else if (created.some((f) => /\.tmp$/.test(f))) problems.push(`a temporary file was left behind: ${created.join(", ")}`)
        if (c.chain) tally.chain++
        if (c.sends) {
            const block = await W.provider.getBlockNumber()
            if (block !== startBlock) {
                problems.push(`a transaction was sent: the chain is at block ${block}, was ${startBlock}`)
                startBlock = block
            }
        }
        if (problems.length > 0) {
            failures.push(
                `${c.what}\n    argv ${show(JSON.stringify(c.argv)).slice(0, 400)}${Object.keys(c.env).length ? `\n    env ${JSON.stringify(c.env).slice(0, 200)}` : ""}\n    exit ${String(run.exit)}; stdout ${JSON.stringify(run.stdout.slice(0, 120))}; stderr ${JSON.stringify(run.stderr.slice(0, 300))}\n    ${problems.join("\n    ")}`
            )
        }
    }
    // commands that never send (listings, sync, audit) are checked once for the batch
    const block = await W.provider.getBlockNumber()
    if (block !== startBlock) {
        failures.push(`a transaction was sent by a case of this batch: the chain is at block ${block}, was ${startBlock}`)
        startBlock = block
    }
    return failures
}

/** Fails the test with the first failures, and the seed to replay them. */
function expectNoFailures(failures: string[]): void {
    if (process.env.ZKCREDIT_CLI_FAILURES) writeFileSync(process.env.ZKCREDIT_CLI_FAILURES, `${failures.join("\n")}\n`, { flag: "a" })
    expect(failures.length === 0 ? [] : [`${failures.length} case(s) failed (seed ${SEED}):`, ...failures.slice(0, 25)]).toEqual([])
}

const sample = <T,>(arbitrary: fc.Arbitrary<T>, n: number, salt: number): T[] => fc.sample(arbitrary, { numRuns: n, seed: SEED + salt })

let fileCounter = 0

/** Cases for files of one kind: each content in a file of its own, given to the command `argv(file)`. */
function fileCases(kind: string, contents: (string | Buffer)[], extension: string, argv: (file: string) => string[], judge: (body: string, file: string) => Outcome, extra: Partial<RunCase> = {}): RunCase[] {
    return contents.map((content, i) => {
        const name = `files/${++fileCounter}${extension}`
        const body = typeof content === "string" ? content : content.toString("utf8")
        const jsonMode = i % 2 === 0
        return { what: `${kind} file ${show(body.slice(0, 100))}`, argv: jsonMode ? ["--json", ...argv(name)] : argv(name), env: {}, expected: judge(body, name), json: jsonMode, outputs: [], input: body, file: { name, content }, ...extra }
    })
}

/** Damaged copies of a valid JSON text: truncated, garbled, one field made hostile, BOM, CRLF, NUL, deep nesting. */
function variants(valid: string, n: number, salt: number, step = 4): string[] {
    return [
        ...truncations(valid, FULL ? 1 : step),
        ...sample(garbled(valid), n * SCALE, salt),
        ...sample(mutation(JSON.parse(valid), hostileJson()), n * SCALE, salt + 1).map((m) => (m.value === undefined ? "" : JSON.stringify(m.value))),
        `\ufeff${valid}`,
        valid.replaceAll("\n", "\r\n"),
        `${valid}\u0000`,
        deeplyNested(30_000)
    ]
}

/** Strings for environment variables (they cannot hold NUL). */
const envText = () => hostileText({ withDangerousPaths: true }).filter((t) => !t.includes("\u0000") && safePathText(t, "read", "/"))

// ------------------------------------------------------------------------------------ tests

describe("malformed input to the zkcredit CLI, on a local chain", () => {
    it("every command and subcommand: hostile values, missing and unknown options, extra arguments, wrong command words: bad input (2), or the documented 0, 1 or 3", async () => {
        const text = hostileText({ withDangerousPaths: true })
        const cases: RunCase[] = []
        commands().forEach(({ spec, chain, proves }, i) => {
            const n = proves ? PROVING_SPEC_CASES : (chain ? SIZES.chainSpec : SIZES.localSpec) * SCALE
            for (const c of sample(mutations(spec, text, W.dir), n, i)) cases.push({ ...c, chain, sends: chain && spec.base.exit !== 0 })
        })
        expect(cases.length).toBeGreaterThan(900 * SCALE)
        expectNoFailures(await runCases(cases))
    }, 600_000)

    it("every file a command reads or writes, as a folder, a device, a FIFO, a symlink loop, a missing or dangling path, binary junk, an empty file, a name too long", async () => {
        const paths = ["adir", "adir/", ".", "/", "missing.json", "dangling", "loop", "junk.bin", "empty.json", "/dev/zero", "/dev/urandom", "/dev/null", "/proc/self/mem", "/proc/self/status", "k1.json/x", `${"x".repeat(300)}.json`, "person-link.json"]
        const cases: RunCase[] = []
        for (const { spec, chain } of commands()) {
            for (const slot of spec.slots.filter((s) => s.path === "read")) {
                for (const p of paths) {
                    const positionals = spec.slots.filter((s) => s.positional).map((s) => (s === slot ? p : s.value!))
                    const options = spec.slots.filter((s) => !s.positional).flatMap((s) => (s.value === undefined ? [s.name] : [`${s.name}=${s === slot ? p : s.value}`]))
                    const argv = ["--json", ...(spec.globals ?? []), ...spec.path, ...positionals, ...options]
                    const expected = slot.positional ? positionalOutcome(p, slot.judge!) : slot.judge!(p)
                    // a device is refused, not read (reading /dev/zero took seconds and 700 MB)
                    cases.push({ what: `${spec.path.join(" ")}: ${slot.name} ${p}`, argv, env: {}, expected, json: true, outputs: [], chain, sends: chain && spec.base.exit !== 0 })
                }
            }
        }
        // commands that write a file: --out (or --tree) at a folder, a FIFO, through a file, with a name too long, empty; replaced only with --force and only if it is a regular file
        // `borrower attest` proves (seconds) before it writes: in CI it meets one target of each kind
        // (a folder, a FIFO, through a file, one it replaces), with ZKCREDIT_FULL=1 every target
        const writers: { argv: (out: string) => string[]; replaces: "with --force" | "always"; chain?: boolean; targets?: string[] }[] = [
            { argv: (o) => ["bureau", "key", "create", "--out", o], replaces: "with --force" },
            { argv: (o) => ["bureau", "sign", "--key", "k1.json", "--commitment", "4242", "--applicant", "person.json", "--out", o], replaces: "with --force" },
            { argv: (o) => ["borrower", "identity", "new", "--out", o], replaces: "with --force" },
            { argv: (o) => ["borrower", "identity", "export", "--identity", "a.json", "--out", o], replaces: "with --force" },
            { argv: (o) => ["borrower", "identity", "import", "--from", "a.json", "--out", o], replaces: "with --force" },
            { argv: (o) => ["officer", "export", "--tree", "tree.json", "--out", o], replaces: "with --force", chain: true },
            { argv: (o) => ["borrower", "attest", "--identity", "a.json", "--binding", "a.binding.json", "--out", o], replaces: "always", ...(FULL ? {} : { targets: ["adir", "fifo", "k1.json/x.json", "old-out.json"] }) },
            { argv: (o) => ["officer", "sync", "--full", "--tree", o], replaces: "always", chain: true }
        ]
        const targets = ["adir", "adir/", "fifo", "k1.json/x.json", "", `${"y".repeat(300)}.json`, "old-out.json", "new-dir/sub/out.json", "nul\u0000byte.json"]
        for (const w of writers) {
            for (const target of w.targets ?? targets) {
                for (const force of w.replaces === "always" ? [false] : [false, true]) {
                    const argv = ["--json", ...w.argv(target), ...(force ? ["--force"] : [])]
                    const overwrite = force || w.replaces === "always"
                    cases.push({ what: `${w.argv("<out>").slice(0, 3).join(" ")}: writes ${show(target)}${force ? " --force" : ""}`, argv, env: {}, expected: writePath(target, OK, { overwrite }), json: true, outputs: [target], chain: w.chain ?? false })
                }
            }
        }
        expect(cases.length).toBeGreaterThan(400)
        expectNoFailures(await runCases(cases))
    }, 300_000)

    it("members files: bad rows, a BOM, CRLF, huge numbers, repeats, members already, truncated and garbled CSV and JSON: refused with nothing sent, valid ones accepted", async () => {
        const a = String(W.a.commitment)
        const valid: [string, string][] = [
            ["201\n202\n", ".csv"],
            ["commitment,reference\n201,kyc-1\n0xca,kyc-2\n", ".csv"],
            ['["201","202"]', ".json"],
            ['{"commitments":[201,{"commitment":"0xca"}]}', ".json"]
        ]
        const crafted: [string | Buffer, string][] = [
            ["\ufeff201\r\n202\r\n", ".csv"],
            ["\ufeffcommitment;ref\r\n201;x\r\n\r\n# a comment\r\n202;y\r\n", ".csv"],
            ["201\n202\n203x\n204\n", ".csv"],
            [`201\n${"9".repeat(80)}\n`, ".csv"],
            [`201\n${P}\n`, ".csv"],
            [`201\n${P - 1n}\n`, ".csv"],
            [`201\n0x${P.toString(16)}\n`, ".csv"],
            ["201\n-5\n", ".csv"],
            ["201\n0\n", ".csv"],
            ["201\n201\n", ".csv"],
            ["201\n0xc9\n", ".csv"],
            [`201\n${a}\n`, ".csv"],
            ["103\n", ".csv"],
            ["", ".csv"],
            ["# nothing here\n\n", ".csv"],
            ["commitment\n", ".csv"],
            ["name,email\nalice,a@example.com\n", ".csv"],
            ['"201"\n"202"\n', ".csv"],
            ["201,\n,202\n", ".csv"],
            ["1e21\n", ".csv"],
            ["201 202\n", ".csv"],
            ["２０１\n", ".csv"],
            [Buffer.from("201\n202\n", "utf16le"), ".csv"],
            [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("201\n202\n", "utf16le")]), ".csv"],
            [Buffer.from([0x32, 0x30, 0x31, 0x0a, 0xff, 0xfe, 0x0a]), ".csv"],
            ["201\u0000\n", ".csv"],
            [`${Array.from({ length: 5_000 }, (_, i) => 10_000 + i).join("\n")}\n`, ".csv"],
            ["[201, 1e21]", ".json"],
            ["[201, 9007199254740993]", ".json"],
            ["[201, -1]", ".json"],
            ["[201, 2.5]", ".json"],
            ["[201, null]", ".json"],
            ["[201, true]", ".json"],
            ["[201, [202]]", ".json"],
            ['[201, {"commitment": [202]}]', ".json"],
            ['{"commitments": "201"}', ".json"],
            ['{"members": ["201"]}', ".json"],
            ["[]", ".json"],
            ["{}", ".json"],
            ["null", ".json"],
            [deeplyNested(20_000), ".json"],
            ['["201",]', ".json"],
            ['["201"]\u0000', ".json"],
            ['{"__proto__": ["201"], "commitments": ["202"]}', ".json"]
        ]
        const texts: [string | Buffer, string][] = [...valid, ...crafted]
        valid.forEach(([t, ext], i) => {
            for (const g of sample(garbled(t), 25 * SCALE, 100 + i)) texts.push([g, ext])
            for (const g of truncations(t, FULL ? 1 : 6)) texts.push([g, ext])
            if (ext === ".json") for (const m of sample(mutation(JSON.parse(t), hostileJson()), 25 * SCALE, 110 + i)) texts.push([m.value === undefined ? "" : JSON.stringify(m.value), ext])
        })
        const cases: RunCase[] = []
        texts.forEach(([content, ext], i) => {
            const body = typeof content === "string" ? content : content.toString("utf8")
            const [dry] = fileCases("members", [content], ext, (file) => ["--account", "1", "officer", "add", file, "--tree", "tree.json", "--dry-run"], (b, file) => membersOutcome(b, file), {
                chain: true,
                check: (run) => {
                    if (!run.stdout.trim().startsWith("{")) return []
                    const rows = membersFile(body, `x${ext}`)
                    const members = (JSON.parse(run.stdout) as { members?: number }).members
                    return members === rows?.length ? [] : [`accepted ${members} members, the file has ${rows?.length}`]
                }
            })
            if (i % 2 === 1) Object.assign(dry!, { argv: ["--json", ...dry!.argv], json: true })
            cases.push(dry!)
            // some refused ones also without --dry-run: still nothing is sent
            if (dry!.expected.exit !== 0 && i % 3 === 0) cases.push({ ...dry!, what: `${dry!.what} (no dry run)`, argv: dry!.argv.filter((x) => x !== "--dry-run"), sends: true })
        })
        expect(cases.length).toBeGreaterThan(FULL ? 2_000 : 250)
        expectNoFailures(await runCases(cases))
    }, 300_000)

    it("applicant, attestation, key, identity, offer, deployment and tree files: truncated, garbled, one field made hostile, wrong types: refused (2), or accepted when still valid", async () => {
        const cases: RunCase[] = []
        // applicants: bureau score (the score checked against the scorecard), bureau sign
        const person = JSON.stringify(GOOD_PERSON)
        const applicantTexts = [
            ...variants(person, 40, 200),
            ...variants(JSON.stringify(GOOD_SME), 20, 210),
            person.replace('"pastDefaults":0', '"pastDefaults":1e400'),
            person.replace('"pastDefaults":0', `"pastDefaults":${"9".repeat(5_000)}`),
            person.replace('"pastDefaults":0', '"pastDefaults":"0"'),
            person.replace('"pastDefaults":0', '"pastDefaults":[0]'),
            person.replace('"pastDefaults":0', '"pastDefaults":0.5'),
            person.replace('"pastDefaults":0', '"pastDefaults":-0'),
            person.replace('"creditUtilisation":0.2', '"creditUtilisation":null'),
            person.replace('"creditUtilisation":0.2', '"creditUtilisation":1.0000001'),
            person.replace('"kind":"person"', '"kind":"sme"'),
            person.replace("{", '{"score":850,'),
            person.replace("{", '{"__proto__":{"pastDefaults":0},'),
            `${person}${person}`,
            `[${person}]`
        ]
        for (const c of fileCases("applicant", applicantTexts, ".json", (f) => ["bureau", "score", f], applicantFile)) {
            const applicant = json(c.input!)
            cases.push({
                ...c,
                check: (run) => {
                    if (!c.json) return []
                    const got = (JSON.parse(run.stdout) as { score: number }).score
                    const want = scoreApplicant(applicant as never).score
                    return got === want ? [] : [`score ${got}, the scorecard gives ${want}`]
                }
            })
        }
        cases.push(...fileCases("applicant", applicantTexts.filter((_, i) => i % 4 === 0), ".json", (f) => ["bureau", "sign", "--key", "k1.json", "--commitment", "4242", "--applicant", f, "--out", "signed.json"], applicantFile))

        // attestations: borrower offers --attestation (reads the chain); borrow refuses edited ones before proving
        const attestation = readFileSync(`${W.dir}/b.attestation.json`, "utf8")
        cases.push(...fileCases("attestation", variants(attestation, 15, 300, 40), ".json", (f) => ["borrower", "offers", "--attestation", f], attestationFile, { chain: true }))
        const edited = (edit: (a: Record<string, any>) => void) => {
            const a = JSON.parse(attestation) as Record<string, any>
            edit(a)
            return JSON.stringify(a)
        }
        const k2 = JSON.parse(readFileSync(`${W.dir}/k2.json`, "utf8")) as { publicKey: [string, string]; keyHash: string; privateKey: string }
        cases.push(
            ...fileCases(
                "edited attestation",
                [edited((a) => (a.score = 850)), edited((a) => (a.expiresAt = Number(a.expiresAt) + 1)), edited((a) => (a.commitment = String(W.a.commitment))), edited((a) => (a.signature.S = String(BigInt(a.signature.S) + 1n))), edited((a) => (a.bureauPublicKey = k2.publicKey))],
                ".json",
                (f) => ["--account", "5", "borrower", "borrow", "--identity", "b.json", "--attestation", f, "--offer", "0", "--amount", "100"],
                () => bad(),
                { chain: true, sends: true }
            )
        )

        // bureau key files (bureau key show), and the public part the admin registers (sends nothing unless valid)
        const k1 = readFileSync(`${W.dir}/k1.json`, "utf8")
        cases.push(...fileCases("key", variants(k1, 30, 400, 8), ".json", (f) => ["bureau", "key", "show", "--key", f], keyFileContent))
        const [ax, ay] = k2.publicKey
        const publicTexts = [
            ...variants(JSON.stringify({ publicKey: k2.publicKey, keyHash: k2.keyHash }), 40, 410, 8),
            JSON.stringify({ publicKey: [String(BigInt(ax) + 1n), ay] }),
            JSON.stringify({ publicKey: ["0", "1"] }),
            JSON.stringify({ publicKey: ["0", String(P - 1n)] }),
            JSON.stringify({ publicKey: [[ax], ay] }),
            JSON.stringify({ publicKey: [ax, ay, "1"] }),
            JSON.stringify({ publicKey: [ax, ay], keyHash: Number(k2.keyHash) }),
            JSON.stringify({ publicKey: [`0x${BigInt(ax).toString(16)}`, ay] }),
            JSON.stringify({ publicKey: [String(BigInt(ax) + P), ay] }),
            JSON.stringify({ privateKey: JSON.parse(k1).privateKey }),
            JSON.stringify({ ...JSON.parse(k1), publicKey: k2.publicKey })
        ]
        cases.push(
            ...fileCases("public key", publicTexts, ".json", (f) => ["--account", "0", "admin", "bureau-key", "add", "--bureau", "1", "--key", f], (body) => {
                const hash = publicKeyFile(json(body))
                return hash === undefined ? bad() : hash === W.k1 ? failed("CONTRACT_REVERT") : skip("registers a key")
            }, { chain: true, sends: true })
        )

        // identity backups: refused, or (an edit the authenticated encryption does not cover, such as spacing) the same identity
        const backup = readFileSync(`${W.dir}/a.json`, "utf8")
        const cheap = (t: string) => {
            const iterations = (json(t) as { kdf?: { iterations?: unknown } } | undefined)?.kdf?.iterations
            return !(typeof iterations === "number" && iterations > 100_000)
        }
        for (const c of fileCases("identity", variants(backup, 40, 500, 32).filter(cheap), ".json", (f) => ["borrower", "identity", "show", "--identity", f], () => bad())) {
            cases.push({
                ...c,
                decide: (run) => (run.exit === 0 ? { expected: OK, problems: run.stdout.includes(String(W.a.commitment)) ? [] : ["a damaged backup opened as another identity"] } : { expected: bad() })
            })
        }

        // offer files: lender offer create --file (sends nothing unless valid)
        const offer = readFileSync(`${W.dir}/offer.json`, "utf8")
        const o = JSON.parse(offer) as Record<string, unknown>
        const offerTexts = [
            ...variants(offer, 30, 600, 8),
            JSON.stringify({ ...o, tiers: Array.from({ length: 9 }, (_, i) => ({ minScore: 300 + i, aprBps: 100, maxPrincipal: "10" })) }),
            JSON.stringify({ ...o, tiers: [{ minScore: 600, aprBps: 50_001, maxPrincipal: "500" }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: 600, aprBps: 50_000, maxPrincipal: "500" }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: 65_536, aprBps: 100, maxPrincipal: "500" }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: 600, aprBps: 100, maxPrincipal: String(2n ** 128n) }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: 600, aprBps: 50_000, maxPrincipal: String((2n ** 128n - 1n) / 10n ** 6n) }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: [600], aprBps: 100, maxPrincipal: "500" }] }),
            JSON.stringify({ ...o, tiers: [{ minScore: 600, aprBps: 100, maxPrincipal: "500", note: "x" }] }),
            JSON.stringify({ ...o, tiers: [] }),
            JSON.stringify({ ...o, tiers: "600:1500:500" }),
            JSON.stringify({ ...o, instalments: 361 }),
            JSON.stringify({ ...o, instalments: 360 }),
            JSON.stringify({ ...o, defaultDays: 366 }),
            JSON.stringify({ ...o, graceDays: 30 }),
            JSON.stringify({ ...o, termDays: 3651 }),
            JSON.stringify({ ...o, capacity: String(2n ** 128n) }),
            JSON.stringify({ ...o, capacity: [100] }),
            JSON.stringify({ ...o, capacity: ["100"] }),
            JSON.stringify({ ...o, capacity: {} }),
            JSON.stringify({ ...o, capacity: true }),
            JSON.stringify({ ...o, capacity: 1e21 }),
            JSON.stringify({ ...o, capacity: "6000" }),
            JSON.stringify({ ...o, lateFee: String(2n ** 128n) }),
            JSON.stringify({ ...o, lateFees: "5" }),
            JSON.stringify({ ...o, token: "TUSD" }),
            JSON.stringify({ ...o, token: W.chain.deployment.contracts.trustRegistry }),
            JSON.stringify({ ...o, token: "0x0000000000000000000000000000000000000000" })
        ]
        cases.push(...fileCases("offer", offerTexts, ".json", (f) => ["--account", "2", "lender", "offer", "create", "--file", f], offerFileOutcome, { chain: true, sends: true }))

        // deployment files: --deployment <file> borrower offers
        const deployment = readFileSync(W.deploymentFile, "utf8")
        const d = JSON.parse(deployment) as { contracts: Record<string, string> }
        const deploymentTexts = [
            ...variants(deployment, 15, 700, 24),
            JSON.stringify({ ...d, chainId: 1 }),
            JSON.stringify({ ...d, chainId: "31337" }),
            JSON.stringify({ ...d, contracts: { ...d.contracts, loanMarket: d.contracts.trustRegistry } }),
            JSON.stringify({ ...d, contracts: { ...d.contracts, loanMarket: "0x000000000000000000000000000000000000dEaD" } }),
            JSON.stringify({ ...d, contracts: { ...d.contracts, loanMarket: d.contracts.loanMarket!.toLowerCase() } }),
            JSON.stringify({ ...d, deployBlock: -1 })
        ]
        await lookUpCode(deploymentTexts)
        cases.push(...fileCases("deployment", deploymentTexts, ".json", (f) => ["--deployment", f, "borrower", "offers"], deploymentContent, { chain: true }))

        // tree files: officer sync --tree <file>; a refused one is left as it was
        const tree = readFileSync(`${W.dir}/tree.json`, "utf8")
        const t = JSON.parse(tree) as { leaves: string[]; root: string }
        const another = (leaves: string[], root?: string) => JSON.stringify({ ...t, leaves, root: root ?? String(new KycTree(leaves.map(BigInt)).root) })
        const treeTexts = [
            ...variants(tree, 12, 800, 120),
            another([...t.leaves.slice(0, 4), "104"]),
            another(t.leaves.slice(0, 3)),
            another([String(P + W.a.commitment), ...t.leaves.slice(1)], t.root),
            JSON.stringify({ ...t, chainId: 1 }),
            JSON.stringify({ ...t, syncedBlock: 10 ** 9 }),
            JSON.stringify({ ...t, syncedBlock: -1 }),
            JSON.stringify({ ...t, depth: 21 }),
            // the former binary tree's file: depth 20, no arity; and a wrong arity
            JSON.stringify({ ...t, depth: 20, arity: undefined }),
            JSON.stringify({ ...t, arity: 2 }),
            JSON.stringify({ ...t, leaves: [...t.leaves.slice(0, 4), " 0"] })
        ]
        cases.push(...fileCases("tree", treeTexts, ".json", (f) => ["officer", "sync", "--tree", f], (body) => (isTreeFile(json(body), TREE_DEPTH) ? OK : bad()), { chain: true, keepsFile: true }))

        expect(cases.length).toBeGreaterThan(800 * SCALE)
        expectNoFailures(await runCases(cases))
    }, 600_000)

    it("global options and environment: --rpc, --deployment, --account, ZKCREDIT_PRIVATE_KEY, passwords, KDF iterations, bureau URL", async () => {
        const n = SIZES.env * SCALE
        const curveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
        const privateKey = (text: string): Outcome => {
            if (text === "") return OK
            const key = text.trim()
            if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) return bad("INVALID_PRIVATE_KEY")
            const k = BigInt(key.startsWith("0x") ? key : `0x${key}`)
            return k > 0n && k < curveOrder ? OK : bad("INVALID_PRIVATE_KEY")
        }
        const envCases = (variable: string, argv: string[], judge: (t: string) => Outcome, salt: number, options: { chain?: boolean; texts?: string[] } = {}): RunCase[] =>
            [...(options.texts ?? []), ...sample(envText(), n, salt)].map((t, i) => {
                const full = i % 2 === 0 ? ["--json", ...argv] : argv
                return { what: `${variable}=${show(t)}: ${argv.join(" ")}`, argv: full, env: { [variable]: t }, expected: judge(t), json: full.includes("--json"), outputs: [], chain: options.chain ?? true }
            })
        const cases: RunCase[] = [
            ...envCases("ZKCREDIT_RPC_URL", ["borrower", "offers"], rpcUrl, 900, { texts: ["", "http://127.0.0.1:1", "ftp://127.0.0.1:8970", `${W.rpc}/`, W.rpc.toUpperCase()] }),
            ...envCases("ZKCREDIT_DEPLOYMENT", ["borrower", "offers"], (t) => (t === "" ? skip("the default deployment file") : readPath(t, deploymentContent)), 901),
            ...envCases("ZKCREDIT_PRIVATE_KEY", ["lender", "offers"], privateKey, 902, { texts: [`0x${"0".repeat(64)}`, `0x${"f".repeat(64)}`, `0x${curveOrder.toString(16)}`, "0".repeat(64), `0x${"1".repeat(63)}`, ` 0x${"1".repeat(64)} `] }),
            ...envCases("ZKCREDIT_PASSWORD", ["borrower", "identity", "show", "--identity", "a.json"], (t) => (t === PASSWORD ? OK : bad()), 903, { chain: false, texts: ["", "short", `${PASSWORD} `, PASSWORD.toUpperCase()] }),
            ...envCases("ZKCREDIT_NEW_PASSWORD", ["borrower", "identity", "export", "--identity", "a.json", "--out", "exported.json"], (t) => (t.length >= 8 ? OK : bad()), 904, { chain: false, texts: ["", "1234567", "12345678"] }),
            ...envCases("ZKCREDIT_KDF_ITERATIONS", ["borrower", "identity", "new", "--out", "kdf.json"], (t) => {
                const n = wholeNumber(t, 1_000, 10_000_000)
                return t === "" || (n !== undefined && n > 200_000) ? skip("slow: a valid, large iteration count") : n === undefined ? bad() : OK
            }, 905, { chain: false, texts: ["999", "1000", "10000001", "1e4", "0x2710"] }),
            ...envCases("ZKCREDIT_BUREAU_URL", ["borrower", "attest", "--identity", "a.json", "--binding", "a.binding.json", "--out", "attested.json"], bureauUrl, 906, { chain: false, texts: ["", "http://127.0.0.1:1", `http://127.0.0.1:${BUREAU_PORT}/`, "file:///etc/passwd"] })
        ]
        expect(cases.length).toBeGreaterThan(FULL ? 2_400 : 250)
        expectNoFailures(await runCases(cases))
    }, 300_000)

    it("command lines from hostileArgv (an argument replaced, dropped or repeated, a flag added): the same result or help when still valid, else a clear bad-usage error", async () => {
        // commands without side effects; each with the command lines that are equally valid
        const bases: { argv: string[]; alike: string[][]; chain: boolean }[] = [
            { argv: ["bureau", "score", "person.json"], alike: [], chain: false },
            { argv: ["bureau", "key", "show", "--key", "k1.json"], alike: [], chain: false },
            { argv: ["borrower", "identity", "show", "--identity", "a.json"], alike: [], chain: false },
            { argv: ["officer", "audit"], alike: [], chain: true },
            { argv: ["borrower", "offers", "--attestation", "a.attestation.json"], alike: [["borrower", "offers"]], chain: true },
            { argv: ["admin", "bureau", "list"], alike: [], chain: true },
            { argv: ["lender", "loans", "--all"], alike: [["lender", "loans"]], chain: true },
            { argv: ["--account", "2", "lender", "offers"], alike: [["lender", "offers"]], chain: true }
        ]
        const cases: RunCase[] = []
        for (const [i, base] of bases.entries()) {
            const accepted = new Set<string>()
            for (const argv of [base.argv, ...base.alike]) {
                for (const mode of [[], ["--json"]]) {
                    const run = await runInProcess([...mode, ...argv])
                    expect(run.exit, `${argv.join(" ")}: ${run.stderr}`).toBe(0)
                    accepted.add(run.stdout)
                }
            }
            for (const argv of sample(hostileArgv(base.argv, { withDangerousPaths: true }), (base.chain ? SIZES.argvChain : SIZES.argvLocal) * SCALE, 1000 + i)) {
                if (argv.some((a) => !safePathText(a, "read", W.dir))) continue
                cases.push({
                    what: `hostileArgv of ${base.argv.join(" ")}`,
                    argv,
                    env: {},
                    expected: bad(),
                    json: argv.includes("--json"),
                    outputs: [],
                    chain: base.chain,
                    decide: (run) => {
                        if (run.exit !== 0) return { expected: bad() }
                        if (/Usage: zkcredit/.test(run.stdout)) return { expected: HELP }
                        return { expected: OK, problems: accepted.has(run.stdout) ? [] : [`exit 0 with another result than the valid command's: ${JSON.stringify(run.stdout.slice(0, 200))}`] }
                    }
                })
            }
        }
        expect(cases.length).toBeGreaterThan(380 * SCALE)
        expectNoFailures(await runCases(cases))
    }, 300_000)

    it("as child processes: the exit code of the in-process run, one error line or JSON error, no stack trace, nothing left behind", async () => {
        const env = Object.fromEntries(Object.entries(suiteEnv).filter((e): e is [string, string] => e[1] !== undefined))
        // an endless input (/dev/zero, /dev/stdin) must be cut off by the size cap, not hang: the
        // 20 s timeout below catches a hang; how fast it is cut off is for benchmarks, not tests
        const children: { argv: string[]; expected: Outcome; inProcess?: false }[] = [
            { argv: ["--json", "--account", "2", "lender", "deposit", "--offer", "0", "--amount", "-5"], expected: bad("INVALID_AMOUNT") },
            { argv: ["--json", "--account", "2", "lender", "faucet", "--amount", String(2n ** 256n)], expected: bad("INVALID_AMOUNT") },
            { argv: ["--json", "--account", "5", "borrower", "borrow", "--identity", "b.json", "--offer", String(P), "--amount", "100"], expected: bad() },
            { argv: ["--json", "bureau", "score", "/dev/zero"], expected: bad("FILE_UNREADABLE") },
            { argv: ["bureau", "score", "/dev/stdin"], expected: bad() },
            { argv: ["--json", "bureau", "key", "create", "--out", "adir", "--force"], expected: bad() },
            { argv: ["--json", "bureau", "key", "create", "--out", "/proc/zkcredit-no-such-dir/key.json"], expected: bad(), inProcess: false },
            { argv: ["--json", "--account", "2", "lender", "offer", "create", "--capacity", "100", "--tiers", "600:60000:500"], expected: bad() },
            { argv: ["lender", "offer"], expected: USAGE },
            { argv: ["--json", "--rpc", "http://127.0.0.1:1", "borrower", "offers"], expected: unreachable("CHAIN_UNREACHABLE") }
        ]
        const failures: string[] = []
        for (let i = 0; i < children.length; i += 2) {
            const batch = children.slice(i, i + 2)
            const runs = await Promise.all(batch.map((c) => runChild(c.argv, { cwd: W.dir, env, timeoutMs: 20_000 })))
            for (const [j, run] of runs.entries()) {
                const c = batch[j]!
                tally.child++
                const problems = problemsOf(run, c.expected as never, c.argv.includes("--json"), c.argv.join(" "))
                if (c.inProcess !== false) {
                    const again = await runInProcess(c.argv)
                    if (again.exit !== run.exit) problems.push(`in-process exit ${String(again.exit)}, child exit ${String(run.exit)}`)
                }
                if (problems.length) failures.push(`${c.argv.join(" ")}\n    exit ${String(run.exit)}; stderr ${JSON.stringify(run.stderr.slice(0, 300))}\n    ${problems.join("\n    ")}`)
            }
        }
        const leftovers = readdirSync(W.dir).filter((f) => f.endsWith(".tmp"))
        if (leftovers.length) failures.push(`temporary files left: ${leftovers.join(", ")}`)
        expectNoFailures(failures)
    }, 300_000)

    it("afterwards: no transaction was sent (block, nonces, balances, allowances, registry, market unchanged), no unhandled rejection, thousands of cases", async () => {
        expect(await chainState()).toEqual(stateBefore)
        expect(leaks).toEqual([])
        expect(tally.inProcess).toBeGreaterThan(FULL ? 22_000 : 3_000)
    })
})
