/**
 * `zkcredit committee`: the escrow committee's commands. The key generation runs in rounds of
 * files (authority keys, a roster, one dealing per authority, one complaints file per authority,
 * then everyone finalizes the same committee key file); the admin registers the key; openings
 * are requested for defaulted loans, partially decrypted by each authority (the CLI checks the
 * chain first), and combined from the events by anyone. The scheme: docs/escrow.md.
 *
 * Contract addresses: the committee keys are in the TrustRegistry (`--registry`, else
 * ZKCREDIT_ESCROW_REGISTRY, else the deployment's); openings are requested at an EscrowOpenings
 * (`--openings`, else ZKCREDIT_ESCROW_OPENINGS: a deployment has one per market).
 */
import type { Command } from "commander"
import { getAddress, type Contract } from "ethers"
import { escrowMarketOf, partialOfEvent, readEscrowLoanStatus } from "../../client/src/escrow-markets.ts"
import { EscrowCommitteeRegistryAbi, EscrowOpeningsAbi } from "../../client/src/generated/abis.ts"
import {
    combinePartialDecryptions,
    createAuthorityKey,
    createDealing,
    createRoster,
    finalizeCommittee,
    GENERATOR,
    parseAuthorityKey,
    parseAuthorityShare,
    parseCommitteeKey,
    parseEscrow,
    partialDecrypt,
    verifyDealings,
    verifyPartialDecryption,
    type AuthorityKeyFile,
    type CommitteeRoster,
    type PartialDecryption
} from "../../prover/src/escrow/index.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { readJson, writeTextFile } from "../lib/files.ts"
import { parseAddress, parseFieldElement, parseInteger } from "../lib/parse.ts"
import { isoTime } from "../lib/table.ts"
import { send } from "../lib/tx.ts"
import { KEY_ANCHORS_HELP, NO_KEY_ANCHORS_OPTION, reportRegisteredKey } from "./anchors.ts"

const DAY = 86_400

/** Environment variables with the escrow contracts' addresses. */
export const ESCROW_ENV = { registry: "ZKCREDIT_ESCROW_REGISTRY", openings: "ZKCREDIT_ESCROW_OPENINGS" } as const

type Files = { force?: boolean }

/** Registers the committee's subcommands. */
export function registerCommittee(committee: Command): void {
    committee.addHelpText(
        "after",
        `
Key generation (each authority runs its own steps; files go to everyone):
  1. committee authority new --name regulator --out regulator.json     (private, mode 0600)
  2. committee roster --threshold 2 --out roster.json --members regulator.json bureau.json compliance.json
  3. committee deal --roster roster.json --authority regulator.json --out dealing-1.json
  4. committee verify --roster roster.json --authority regulator.json --out complaints-1.json --dealings dealing-*.json
  5. committee finalize --roster roster.json --dealings dealing-*.json --complaints complaints-*.json
       --authority regulator.json --share-out regulator-share.json --out committee-key.json
Then: committee register (COMMITTEE_ADMIN_ROLE on the TrustRegistry), committee request (for a
defaulted loan), committee decrypt (each authority), committee combine (anyone).
Addresses: the TrustRegistry with --registry or ${ESCROW_ENV.registry} (default: the deployment's);
the EscrowOpenings with --openings or ${ESCROW_ENV.openings}.`
    )

    const authority = committee.command("authority").description("an authority's transport key, which the others encrypt its shares to")
    authority
        .command("new")
        .description("create an authority key file (private, mode 0600); its name and transport key go into the roster")
        .requiredOption("--name <name>", "the authority's name, e.g. regulator")
        .requiredOption("--out <file>", "the key file to write")
        .option("--force", "replace an existing file")
        .action(
            action<{ name: string; out: string } & Files>(async (ctx, options) => {
                const file = createAuthorityKey(options.name)
                await writeTextFile(options.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, overwrite: options.force ?? false })
                ctx.out.result({ authorityFile: options.out, name: file.name, transportKey: file.transportKey }, [`created ${options.out} for "${file.name}" (keep it secret)`, `transport key ${file.transportKey.join(", ")}`])
            })
        )
    authority
        .command("show")
        .description("print an authority key file's name and transport key (never the secret)")
        .requiredOption("--authority <file>", "the authority key file")
        .action(
            action<{ authority: string }>(async (ctx, options) => {
                const file = await loadAuthority(options.authority)
                ctx.out.result({ name: file.name, transportKey: file.transportKey }, [`${file.name}: transport key ${file.transportKey.join(", ")}`])
            })
        )

    committee
        .command("roster")
        .description("make the roster: the authorities (in the order given) and the threshold t")
        .requiredOption("--threshold <t>", "authorities needed to open an escrow")
        .requiredOption("--out <file>", "the roster file to write")
        .requiredOption("--members <files...>", "the authorities' files, in index order (only their name and transport key are read)")
        .option("--force", "replace an existing file")
        .action(
            action<{ threshold: string; out: string; members: string[] } & Files>(async (ctx, options) => {
                const list = options.members
                const threshold = parseInteger(options.threshold, "--threshold", { min: 1, max: list.length })
                const members = []
                for (const path of list) {
                    const file = (await readJson(path, "authority file")) as { name?: unknown; transportKey?: unknown }
                    members.push({ name: file?.name as string, transportKey: file?.transportKey as [string, string] })
                }
                const roster = createRoster(threshold, members)
                await writeTextFile(options.out, `${JSON.stringify(roster, null, 2)}\n`, { overwrite: options.force ?? false })
                ctx.out.result({ rosterFile: options.out, threshold, members: roster.members.map((m) => ({ index: m.index, name: m.name })) }, [
                    `wrote ${options.out}: ${threshold} of ${roster.members.length}`,
                    ...roster.members.map((m) => `  ${m.index} ${m.name}`)
                ])
            })
        )

    committee
        .command("deal")
        .description("round 1: deal a random polynomial; publish the dealing file to every authority")
        .requiredOption("--roster <file>", "the roster")
        .requiredOption("--authority <file>", "your authority key file")
        .requiredOption("--out <file>", "the dealing file to write")
        .option("--force", "replace an existing file")
        .action(
            action<{ roster: string; authority: string; out: string } & Files>(async (ctx, options) => {
                const roster = await loadRoster(options.roster)
                const me = await loadAuthority(options.authority)
                const dealing = createDealing(roster, me)
                await writeTextFile(options.out, `${JSON.stringify(dealing, null, 2)}\n`, { overwrite: options.force ?? false })
                ctx.out.result({ dealingFile: options.out, dealer: dealing.dealer }, `wrote ${options.out}: dealing of authority ${dealing.dealer}; send it to every authority`)
            })
        )

    committee
        .command("verify")
        .description("round 2: check your share of every dealing; complaints name the dealers whose share fails")
        .requiredOption("--roster <file>", "the roster")
        .requiredOption("--authority <file>", "your authority key file")
        .requiredOption("--out <file>", "the complaints file to write (publish it, even empty)")
        .requiredOption("--dealings <files...>", "every dealing file")
        .option("--force", "replace an existing file")
        .action(
            action<{ roster: string; authority: string; out: string; dealings: string[] } & Files>(async (ctx, options) => {
                const roster = await loadRoster(options.roster)
                const me = await loadAuthority(options.authority)
                const dealings = await readAll(options.dealings, "dealing file")
                const { complaints, verified } = verifyDealings(roster, me, dealings)
                await writeTextFile(options.out, `${JSON.stringify(complaints, null, 2)}\n`, { overwrite: options.force ?? false })
                const accused = complaints.complaints.map((c) => c.dealer)
                ctx.out.result({ complaintsFile: options.out, verified, complaintsAgainst: accused }, [
                    `shares verified from dealers ${verified.join(", ") || "none"}`,
                    accused.length ? `complaints against dealers ${accused.join(", ")}: publish ${options.out}` : `no complaints; publish ${options.out}`
                ])
            })
        )

    committee
        .command("finalize")
        .description("round 3: replay the rounds into the committee key file (the same for everyone) and, for an authority, its share")
        .requiredOption("--roster <file>", "the roster")
        .requiredOption("--out <file>", "the committee key file to write (public)")
        .requiredOption("--dealings <files...>", "every dealing file")
        .option("--complaints <files...>", "every complaints file published")
        .option("--authority <file>", "your authority key file, to derive your share")
        .option("--share-out <file>", "where to write your share (private, mode 0600); needs --authority")
        .option("--force", "replace existing files")
        .action(
            action<{ roster: string; out: string; dealings: string[]; complaints?: string[]; authority?: string; shareOut?: string } & Files>(async (ctx, options) => {
                if ((options.authority === undefined) !== (options.shareOut === undefined)) throw badInput("USAGE", "--authority and --share-out go together: give both to derive your share, or neither")
                const roster = await loadRoster(options.roster)
                const dealings = await readAll(options.dealings, "dealing file")
                const complaints = await readAll(options.complaints ?? [], "complaints file")
                const me = options.authority === undefined ? undefined : await loadAuthority(options.authority)
                const { committeeKey, share } = finalizeCommittee(roster, dealings, complaints, me)
                await writeTextFile(options.out, `${JSON.stringify(committeeKey, null, 2)}\n`, { overwrite: options.force ?? false })
                if (share && options.shareOut) await writeTextFile(options.shareOut, `${JSON.stringify(share, null, 2)}\n`, { mode: 0o600, overwrite: options.force ?? false })
                ctx.out.result(
                    { committeeKeyFile: options.out, shareFile: options.shareOut ?? null, publicKey: committeeKey.publicKey, qualified: committeeKey.qualified, disqualified: committeeKey.disqualified, falseComplaints: committeeKey.falseComplaints },
                    [
                        `committee key ${committeeKey.publicKey.join(", ")} (${committeeKey.threshold} of ${committeeKey.members.length}); wrote ${options.out}`,
                        ...committeeKey.disqualified.map((d) => `  disqualified: authority ${d.dealer} ${d.reason}`),
                        ...committeeKey.falseComplaints.map((c) => `  false complaint: authority ${c.complainer} against ${c.dealer}`),
                        ...(options.shareOut ? [`your share: ${options.shareOut} (keep it offline)`] : [])
                    ]
                )
            })
        )

    committee
        .command("register")
        .description("(COMMITTEE_ADMIN_ROLE) register the committee key with its authorities' accounts and public shares")
        .requiredOption("--committee-key <file>", "the committee key file")
        .requiredOption("--accounts <addresses>", "the authorities' accounts, comma-separated, in roster order")
        .option("--valid-from <unix>", "first second the key is active (default: now)")
        .option("--valid-days <n>", "days it is active", "365")
        .option("--registry <address>", `the TrustRegistry to register in (default ${ESCROW_ENV.registry}, else the deployment's)`)
        .option(...NO_KEY_ANCHORS_OPTION)
        .addHelpText("after", `\n${KEY_ANCHORS_HELP}\nThe anchors are the deployment's: with another --registry none are prepared.`)
        .action(
            action<{ committeeKey: string; accounts: string; validFrom?: string; validDays: string; registry?: string; anchors: boolean }>(async (ctx, options) => {
                // the subgroup checks the contract cannot afford happen here, in parseCommitteeKey
                const key = parseCommitteeKey(await readJson(options.committeeKey, "committee key file"))
                const accounts = options.accounts.split(",").map((a, i) => parseAddress(a, `--accounts[${i}]`))
                if (accounts.length !== key.publicShares.size) throw badInput("INVALID_ACCOUNTS", `--accounts lists ${accounts.length} accounts; the committee has ${key.publicShares.size} authorities, one account each, in roster order`)
                const days = parseInteger(options.validDays, "--valid-days", { min: 1, max: 3650 })
                const registry = await escrowContract(ctx, "registry", options.registry, true)
                const now = (await (await ctx.provider()).getBlock("latest"))!.timestamp
                const validFrom = options.validFrom === undefined ? now : parseInteger(options.validFrom, "--valid-from", { min: 0, max: 2 ** 40 })
                const validUntil = validFrom + days * DAY
                if (validUntil <= now) throw badInput("INVALID_WINDOW", `the key would be over at ${isoTime(validUntil)}, before now: pick a later --valid-from or more --valid-days`)
                const existing = await registry.getFunction("committeeKeyOf")(key.publicKey[1])
                if (existing.validUntil !== 0n) throw failed("KEY_REGISTERED", `the committee key ${key.publicKey[1]} is registered already`)
                const authorities = accounts.map((account, i) => ({ account, shareX: key.publicShares.get(i + 1)![0], shareY: key.publicShares.get(i + 1)![1] }))
                const receipt = await send(ctx.out, "registering the committee key", () => registry.getFunction("addCommitteeKey")(key.publicKey[0], key.publicKey[1], key.threshold, authorities, validFrom, validUntil))
                const data = { committeeKeyY: key.publicKey[1].toString(), threshold: key.threshold, authorities: accounts, validFrom, validUntil, transactionHash: receipt.hash }
                const lines = [`registered committee key y=${key.publicKey[1]} (${key.threshold} of ${accounts.length}), active ${isoTime(validFrom)} to ${isoTime(validUntil)}`]
                // the deployment's markets check proofs against the deployment's registry only
                const deployed = await ctx.deployment().then((d) => getAddress(d.contracts.trustRegistry), () => undefined)
                if (getAddress(await registry.getAddress()) !== deployed) {
                    ctx.out.result({ ...data, anchors: null }, [...lines, "proof anchors: not prepared (the registry is not the deployment's)"])
                    return
                }
                await reportRegisteredKey(ctx, `the committee key ${key.publicKey[1]}`, validFrom, options.anchors, data, lines)
            })
        )

    committee
        .command("revoke")
        .description("(COMMITTEE_ADMIN_ROLE) revoke a committee key: proofs naming it are refused from this block on")
        .argument("<committeeKeyY>", "the key's y (decimal or 0x-hex)")
        .option("--registry <address>", `the TrustRegistry (default ${ESCROW_ENV.registry}, else the deployment's)`)
        .addHelpText("after", "\nEscrows sealed to the key before stay openable: its authorities and shares stay registered.\nAn unknown key is refused (exit 2), one revoked before too (exit 1); nothing is sent.")
        .action(
            action<{ registry?: string }>(async (ctx, options, [keyYText]) => {
                const keyY = parseFieldElement(keyYText!, "<committeeKeyY>")
                const registry = await escrowContract(ctx, "registry", options.registry, true)
                const existing = await registry.getFunction("committeeKeyOf")(keyY)
                if (existing.validUntil === 0n) throw badInput("UNKNOWN_KEY", `no committee key with y=${keyY} is registered in ${await registry.getAddress()}: give the y of the committee key file's publicKey`)
                if (existing.revokedAt !== 0n) throw failed("KEY_REVOKED", `the committee key ${keyY} was revoked already, at ${isoTime(Number(existing.revokedAt))}`)
                await confirm(ctx, `revoke the committee key ${keyY}? Borrowers' proofs naming it stop working.`)
                const receipt = await send(ctx.out, `revoking the committee key ${keyY}`, () => registry.getFunction("revokeCommitteeKey")(keyY))
                ctx.out.result({ committeeKeyY: keyY.toString(), blockNumber: receipt.blockNumber, transactionHash: receipt.hash }, `revoked committee key y=${keyY} in block ${receipt.blockNumber}`)
            })
        )

    committee
        .command("request")
        .description("ask the committee to open a defaulted loan's escrow (needs REQUESTER_ROLE); refused for any loan not defaulted")
        .requiredOption("--loan <id>", "the loan id")
        .option("--committee-key-y <y>", "the committee key the escrow was made under (default: the market's record of the loan)")
        .option("--ephemeral-key-y <y>", "the escrow's R.y (default: the market's record of the loan)")
        .option("--ciphertext <c>", "the escrow's ciphertext (default: the market's record of the loan)")
        .option("--openings <address>", `EscrowOpenings (default ${ESCROW_ENV.openings})`)
        .action(
            action<{ loan: string; committeeKeyY?: string; ephemeralKeyY?: string; ciphertext?: string; openings?: string }>(async (ctx, options) => {
                const loanId = parseInteger(options.loan, "--loan", { min: 0 })
                // the given escrow values are checked up front, before the chain
                const givenKeyY = options.committeeKeyY === undefined ? undefined : parseFieldElement(options.committeeKeyY, "--committee-key-y")
                const givenR = options.ephemeralKeyY === undefined ? undefined : parseEscrow({ ephemeralKeyY: options.ephemeralKeyY, ciphertext: "0" }).escrow.ephemeralKeyY
                const givenC = options.ciphertext === undefined ? undefined : parseEscrow({ ephemeralKeyY: escrowProbeY, ciphertext: options.ciphertext }).escrow.ciphertext
                const openings = await escrowContract(ctx, "openings", options.openings, true)
                await requireDefaulted(ctx, openings, loanId)
                const existing = await openings.getFunction("openingOf")(loanId)
                if (existing.requestedAt !== 0n) throw failed("ALREADY_REQUESTED", `an opening of loan ${loanId} was requested already, at ${isoTime(Number(existing.requestedAt))}`)
                // the escrow the market recorded from the loan's verified proof; given values must be it (the contract checks too)
                const recorded = await recordedEscrow(ctx, openings, loanId)
                const committeeKeyY = givenKeyY ?? recorded.committeeKeyY
                const escrow = { ephemeralKeyY: givenR ?? recorded.ephemeralKeyY, ciphertext: givenC ?? recorded.ciphertext }
                if (committeeKeyY !== recorded.committeeKeyY || escrow.ephemeralKeyY !== recorded.ephemeralKeyY || escrow.ciphertext !== recorded.ciphertext) {
                    throw badInput("NOT_THE_LOANS_ESCROW", `the escrow given is not the one the market recorded for loan ${loanId} (committee key ${recorded.committeeKeyY}, R.y ${recorded.ephemeralKeyY}, c ${recorded.ciphertext}): leave the escrow options out to use the record`)
                }
                const receipt = await send(ctx.out, `requesting the opening of loan ${loanId}`, () => openings.getFunction("requestOpening")(loanId, recorded.nullifier, committeeKeyY, escrow.ephemeralKeyY, escrow.ciphertext))
                ctx.out.result({ loanId, transactionHash: receipt.hash }, `requested the opening of loan ${loanId}'s escrow; the authorities can now decrypt their shares`)
            })
        )

    committee
        .command("decrypt")
        .description("(authority) publish your partial decryption of a requested, defaulted loan's escrow, with its Chaum-Pedersen proof")
        .requiredOption("--loan <id>", "the loan id")
        .requiredOption("--share <file>", "your share file")
        .option("--out <file>", "also write the partial decryption to a file")
        .option("--no-publish", "do not send it on chain (write it with --out only)")
        .option("--openings <address>", `EscrowOpenings (default ${ESCROW_ENV.openings})`)
        .option("--force", "replace an existing --out file")
        .action(
            action<{ loan: string; share: string; out?: string; publish: boolean; openings?: string } & Files>(async (ctx, options) => {
                const loanId = parseInteger(options.loan, "--loan", { min: 0 })
                const shareFile = await readJson(options.share, "share file")
                const share = parseAuthorityShare(shareFile)
                if (!options.publish && options.out === undefined) throw badInput("USAGE", "--no-publish needs --out: the partial decryption has to go somewhere")
                const openings = await escrowContract(ctx, "openings", options.openings, options.publish)
                const opening = await openings.getFunction("openingOf")(loanId)
                if (opening.requestedAt === 0n) throw failed("OPENING_NOT_REQUESTED", `no opening of loan ${loanId} was requested: an authority decrypts only what was requested on chain`)
                await requireDefaulted(ctx, openings, loanId)
                if (opening.committeeKeyY !== share.publicKey[1]) throw badInput("WRONG_COMMITTEE", `loan ${loanId}'s escrow was made under committee key ${opening.committeeKeyY}; your share is of key ${share.publicKey[1]}`)
                if (options.publish) {
                    const registry = await escrowContract(ctx, "registry", String(await openings.getFunction("committees")()), false)
                    const index = Number(await registry.getFunction("authorityIndex")(opening.committeeKeyY, await ctx.address()))
                    if (index !== share.index) throw failed("NOT_THE_AUTHORITY", `the account ${await ctx.address()} is ${index === 0 ? "no authority" : `authority ${index}`} of this committee; your share is authority ${share.index}'s: sign with its account`)
                    if (await openings.getFunction("hasPublished")(loanId, index)) throw failed("ALREADY_PUBLISHED", `authority ${index} published its share of loan ${loanId} already`)
                }
                const partial = partialDecrypt({ ephemeralKeyY: opening.ephemeralKeyY, ciphertext: opening.ciphertext }, shareFile, loanId)
                if (options.out !== undefined) await writeTextFile(options.out, `${JSON.stringify(partial, null, 2)}\n`, { overwrite: options.force ?? false })
                let transactionHash: string | null = null
                if (options.publish) {
                    const receipt = await send(ctx.out, `publishing authority ${partial.index}'s share of loan ${loanId}`, () =>
                        openings.getFunction("publishPartialDecryption")(loanId, partial.partial[0], partial.partial[1], partial.proof.challenge, partial.proof.response)
                    )
                    transactionHash = receipt.hash
                }
                ctx.out.result({ loanId, index: partial.index, partial: partial.partial, proof: partial.proof, transactionHash }, `authority ${partial.index}'s partial decryption of loan ${loanId}${transactionHash ? " published" : ""}${options.out ? `; written to ${options.out}` : ""}`)
            })
        )

    committee
        .command("combine")
        .description("(anyone) read a loan's published shares, check each proof, and open the escrow with any t")
        .requiredOption("--loan <id>", "the loan id")
        .requiredOption("--committee-key <file>", "the committee key file (its public shares are checked against the registry)")
        .option("--openings <address>", `EscrowOpenings (default ${ESCROW_ENV.openings})`)
        .action(
            action<{ loan: string; committeeKey: string; openings?: string }>(async (ctx, options) => {
                const loanId = parseInteger(options.loan, "--loan", { min: 0 })
                const keyFile = await readJson(options.committeeKey, "committee key file")
                const key = parseCommitteeKey(keyFile)
                const openings = await escrowContract(ctx, "openings", options.openings, false)
                const opening = await openings.getFunction("openingOf")(loanId)
                if (opening.requestedAt === 0n) throw failed("OPENING_NOT_REQUESTED", `no opening of loan ${loanId} was requested`)
                if (opening.committeeKeyY !== key.publicKey[1]) throw badInput("WRONG_COMMITTEE", `loan ${loanId}'s escrow was made under committee key ${opening.committeeKeyY}, not this file's ${key.publicKey[1]}`)
                const registry = await escrowContract(ctx, "registry", String(await openings.getFunction("committees")()), false)
                for (const [index, point] of key.publicShares) {
                    const registered = await registry.getFunction("authorityOf")(opening.committeeKeyY, index)
                    if (registered.shareX !== point[0] || registered.shareY !== point[1]) throw badInput("WRONG_COMMITTEE", `${options.committeeKey}: authority ${index}'s public share differs from the registry's`)
                }
                const escrow = { ephemeralKeyY: opening.ephemeralKeyY, ciphertext: opening.ciphertext }
                const partials = await publishedPartials(openings, loanId)
                const valid = partials.filter((p) => verifyPartialDecryption(escrow, p, keyFile, loanId))
                const rejected = partials.filter((p) => !valid.includes(p)).map((p) => p.index)
                if (valid.length < key.threshold) {
                    throw failed("NOT_ENOUGH_SHARES", `loan ${loanId} has ${valid.length} valid share(s) on chain${rejected.length ? ` (rejected: authorities ${rejected.join(", ")})` : ""}; the committee needs ${key.threshold}`)
                }
                const { commitment, authorities } = combinePartialDecryptions(escrow, valid, keyFile, loanId)
                ctx.out.result({ loanId, commitment: commitment.toString(), authorities, rejected }, [
                    `loan ${loanId}'s escrow opens to identity commitment ${commitment}`,
                    `  combined the shares of authorities ${authorities.join(", ")}${rejected.length ? `; rejected forged shares of authorities ${rejected.join(", ")}` : ""}`,
                    "  give it to the compliance officers, who know the person from their KYC files"
                ])
            })
        )
}

async function loadAuthority(path: string): Promise<AuthorityKeyFile> {
    const file = (await readJson(path, "authority key file")) as AuthorityKeyFile
    parseAuthorityKey(file)
    return file
}

async function loadRoster(path: string): Promise<CommitteeRoster> {
    return (await readJson(path, "roster file")) as CommitteeRoster
}

async function readAll(paths: readonly string[], what: string): Promise<unknown[]> {
    const files: unknown[] = []
    for (const path of paths) files.push(await readJson(path, what))
    return files
}

/**
 * A handle on the trust registry (through its committee part's ABI) or the openings contract, at
 * the address of the option, else of the environment, else (the registry only) of the deployment.
 */
async function escrowContract(ctx: CliContext, which: "registry" | "openings", option: string | undefined, write: boolean): Promise<Contract> {
    const flag = which === "registry" ? "--registry" : "--openings"
    const given = option ?? process.env[ESCROW_ENV[which]]
    const text = given === undefined || given === "" ? (which === "registry" ? (await ctx.deployment()).contracts.trustRegistry : undefined) : given
    if (text === undefined) throw badInput("MISSING_ADDRESS", `give the EscrowOpenings address with ${flag} or ${ESCROW_ENV[which]}`)
    const address = parseAddress(text, flag)
    const provider = await ctx.provider()
    if ((await provider.getCode(address)) === "0x") throw badInput("NO_CONTRACT", `${flag} ${address}: no contract at this address on chain ${await ctx.chainId()}`)
    return ctx.contract(address, which === "registry" ? EscrowCommitteeRegistryAbi : EscrowOpeningsAbi, write)
}

/** The y of B8, a valid ephemeral key y: lets `parseEscrow` check a ciphertext on its own. */
const escrowProbeY = GENERATOR[1].toString()

/** The pseudonym and the escrow the market recorded for a loan (its `LoanOpened` or `RequestCreated` event). */
async function recordedEscrow(ctx: CliContext, openings: Contract, loanId: number): Promise<{ nullifier: bigint; committeeKeyY: bigint; ephemeralKeyY: bigint; ciphertext: bigint }> {
    const { market, kind } = await escrowMarketOf(openings, await ctx.provider())
    const requests = kind === "request"
    const filter = requests ? market.filters.RequestCreated!(loanId) : market.filters.LoanOpened!(loanId)
    const [event] = await market.queryFilter(filter, 0, "latest")
    if (!event) throw failed("NO_ESCROW_RECORDED", `the market has no ${requests ? "RequestCreated" : "LoanOpened"} event for ${requests ? "request" : "loan"} ${loanId}: is the RPC serving logs from the market's deployment block?`)
    const args = (event as unknown as { args: { nullifier: bigint; committeeKeyY: bigint; ephemeralKeyY: bigint; ciphertext: bigint } }).args
    return { nullifier: args.nullifier, committeeKeyY: args.committeeKeyY, ephemeralKeyY: args.ephemeralKeyY, ciphertext: args.ciphertext }
}

/** Refuses unless the loan is marked defaulted in the market the openings contract serves. */
async function requireDefaulted(ctx: CliContext, openings: Contract, loanId: number): Promise<void> {
    const { defaulted, status } = await readEscrowLoanStatus(await escrowMarketOf(openings, await ctx.provider()), loanId)
    const name = status.status.toLowerCase()
    if (!defaulted) throw failed("LOAN_NOT_DEFAULTED", `${status.kind} ${loanId} is ${name === "none" ? "unknown" : name}, not defaulted: only a defaulted loan's escrow can be opened`)
}

/** The partial decryptions of a loan, from the openings contract's events. */
async function publishedPartials(openings: Contract, loanId: number): Promise<PartialDecryption[]> {
    const events = await openings.queryFilter(openings.filters.PartialDecryptionPublished!(loanId), 0, "latest")
    return events.map((event) => partialOfEvent((event as unknown as { args: Parameters<typeof partialOfEvent>[0] }).args))
}
