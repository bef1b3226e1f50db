/**
 * `zkcredit borrower`: the borrower's commands. The identity lives in an encrypted backup file
 * (the app's format; password from ZKCREDIT_PASSWORD or a hidden prompt) and its attestation in
 * a JSON file beside it. The secret, the score and the Merkle path stay on this machine: the
 * KYC tree is rebuilt from the chain's events here, and only the proof is sent.
 */
import type { Command } from "commander"
import { fetchKycDefaultEvents, kycDefaultRecords, openDefaultOf } from "../../client/src/kyc-defaults.ts"
import { prepareBorrowRequest, qualifyingTiers } from "../../client/src/borrow.ts"
import { instalmentSchedule } from "../../client/src/loan-schedule.ts"
import { findLoans, readLoan, readOffer, readOffers, readRecord, type LoanView, type OfferView } from "../../client/src/views.ts"
import type { AttestationResponse, MarketsResponse } from "../../bureau/src/api-types.ts"
import { parseBinding, type KycBinding } from "../../bureau/src/binding.ts"
import { isBureauInputError } from "../../bureau/src/errors.ts"
import { checkMarketChoice, MAX_SHARED_MARKETS } from "../../bureau/src/market-choice.ts"
import { CREDIT_PROOF_ARTIFACTS, HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { verifyAttestation, type Attestation } from "../../prover/src/attestation.ts"
import { toBorrowCalldata } from "../../prover/src/calldata.ts"
import { CreditProver, type ProofStage } from "../../prover/src/credit-prover.ts"
import { generateHistoryProof } from "../../prover/src/history-proof.ts"
import { computeScope } from "../../prover/src/hash.ts"
import { Identity } from "../../prover/src/identity.ts"
import { bureauBase, bureauGet, bureauPost, DEFAULT_BUREAU_URL } from "../lib/bureau-client.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import { ENV, type CliContext } from "../lib/context.ts"
import { isConnectionError } from "../lib/errors.ts"
import { badInput, failed, unreachable } from "../lib/exit-codes.ts"
import { checkWritable, readJson, writeTextFile } from "../lib/files.ts"
import { defaultAttestationPath, loadAttestation, loadIdentity, saveIdentity } from "../lib/identity-file.ts"
import { syncKycTree } from "../lib/kyc-sync.ts"
import { loanJson, loansTable, offerJson, offersTable, recordJson, recordText, TokenCache } from "../lib/market-views.ts"
import { PASSWORD_ENV } from "../lib/password.ts"
import { checkAmountText, formatAmount, parseAmount, parseInteger } from "../lib/parse.ts"
import { startProgress } from "../lib/progress.ts"
import { isoTime, table } from "../lib/table.ts"
import { send } from "../lib/tx.ts"
import { approveMarket, requireOffer } from "./lender.ts"

const STAGES: ProofStage[] = ["checking-inputs", "loading-artifacts", "computing-witness", "proving", "done"]

/** Registers the borrower's subcommands. */
export function registerBorrower(borrower: Command): void {
    borrower.addHelpText(
        "after",
        `
Files: an identity is an encrypted backup (--identity me.json; password from ${PASSWORD_ENV.current}
or a hidden prompt), its attestation goes beside it (me.attestation.json) unless --attestation says.`
    )
    const identity = borrower.command("identity").description("create, show, export and import identities (encrypted backups)")
    identity
        .command("new")
        .description("create a new identity in an encrypted backup file; prints its commitment (give that to the KYC officer)")
        .requiredOption("--out <file>", "the identity file to write")
        .option("--force", "replace an existing file (the identity in it is lost)")
        .action(
            action<{ out: string; force?: boolean }>(async (ctx, options) => {
                const created = new Identity()
                await saveIdentity(options.out, created, { passwordEnv: PASSWORD_ENV.current, overwrite: options.force ?? false })
                ctx.out.result({ identityFile: options.out, commitment: created.commitment.toString() }, [`created ${options.out}`, `commitment ${created.commitment}`, "give the commitment to a KYC officer; keep the file and its password to yourself"])
            })
        )
    identity
        .command("show")
        .description("print an identity's commitment (and its pseudonym in this market with --pseudonym)")
        .requiredOption("--identity <file>", "the identity file")
        .option("--pseudonym", "also print the pseudonym (nullifier) in this deployment's market")
        .action(
            action<{ identity: string; pseudonym?: boolean }>(async (ctx, options) => {
                const id = await loadIdentity(options.identity)
                const pseudonym = options.pseudonym ? await pseudonymOf(ctx, id) : undefined
                ctx.out.result(
                    { commitment: id.commitment.toString(), ...(pseudonym !== undefined ? { pseudonym: pseudonym.toString() } : {}) },
                    [`commitment ${id.commitment}`, ...(pseudonym !== undefined ? [`pseudonym  ${pseudonym}`] : [])]
                )
            })
        )
    for (const [name, description, from, to] of [
        ["export", "write the identity as a backup for another device or the app, under a new password", "--identity <file>", "--out <file>"],
        ["import", "take a backup (from the app or another device) into an identity file, under a new password", "--from <file>", "--out <file>"]
    ] as const) {
        identity
            .command(name)
            .description(description)
            .requiredOption(from, name === "export" ? "the identity file" : "the backup file")
            .requiredOption(to, name === "export" ? "the backup file to write" : "the identity file to write")
            .option("--force", "replace an existing file")
            .addHelpText("after", `\nPasswords: the current one from ${PASSWORD_ENV.current}, the new one from ${PASSWORD_ENV.new} (else hidden prompts).`)
            .action(
                action<{ identity?: string; from?: string; out: string; force?: boolean }>(async (ctx, options) => {
                    const source = (options.identity ?? options.from)!
                    const id = await loadIdentity(source)
                    await saveIdentity(options.out, id, { passwordEnv: PASSWORD_ENV.new, overwrite: options.force ?? false })
                    ctx.out.result({ file: options.out, commitment: id.commitment.toString() }, `wrote ${options.out} (commitment ${id.commitment})`)
                })
            )
    }

    borrower
        .command("attest")
        .description("prove to the bureau who you are (your KYC binding and a history proof) and get an attestation of the score it computes from its records")
        .requiredOption("--identity <file>", "the identity file")
        .requiredOption("--binding <file>", "the KYC binding your compliance officer gave you")
        .option("--bureau <url>", `the bureau service (env ${ENV.bureau}, default ${DEFAULT_BUREAU_URL})`)
        .option("--out <file>", "where to save the attestation (default: <identity>.attestation.json)")
        .option("--share-history [markets]", `share your repayment history from these markets (comma-separated LoanMarket addresses or scopes, or "all" that the bureau reads; alone: this deployment's market; at most ${MAX_SHARED_MARKETS})`)
        .addHelpText(
            "after",
            "\nThe bureau scores only records that data providers signed about you and, with --share-history, your\npseudonyms' loans in the markets you name (GET /v1/markets on the bureau lists those it reads). It\nlearns your person reference and commitment (from the binding) and your score; with --share-history,\nand only the bureau, that those pseudonyms are yours and so their public records in those markets.\nNothing else: never your secret, nor your pseudonyms in other markets. Default: no market."
        )
        .action(action<{ identity: string; binding: string; bureau?: string; out?: string; shareHistory?: boolean | string }>(async (ctx, options) => attest(ctx, options)))

    borrower
        .command("offers")
        .description("list offers; with --attestation, * marks the tiers your attested score qualifies for")
        .option("--attestation <file>", "your attestation (read here only, never sent)")
        .action(
            action<{ attestation?: string }>(async (ctx, options) => {
                const attestation = options.attestation !== undefined ? await loadAttestation(options.attestation) : undefined
                const { loanMarket } = await ctx.readContracts()
                const tokens = new TokenCache(await ctx.provider())
                const rows = await Promise.all(
                    (await readOffers(loanMarket)).map(async (offer) => ({ offer, token: await tokens.get(offer.token), ...(attestation ? { qualifying: qualifyingTiers(offer, attestation) } : {}) }))
                )
                ctx.out.result({ offers: rows.map((r) => offerJson(r.offer, r.token, r.qualifying)) }, rows.length ? offersTable(rows) : "no offers yet")
            })
        )

    borrower
        .command("borrow")
        .description("prove (here, in zero knowledge) and borrow from an offer; prints the loan and its schedule")
        .requiredOption("--identity <file>", "the identity file")
        .option("--attestation <file>", "the attestation (default: <identity>.attestation.json)")
        .requiredOption("--offer <id>", "the offer")
        .option("--tier <index>", "the tier, numbered from 0 as in `borrower offers` and the app (default: the cheapest one your score qualifies for that lends the amount)")
        .requiredOption("--amount <amount>", "principal in token units, e.g. 1000")
        .addHelpText("after", "\nThe KYC tree is rebuilt from the chain's events on this machine; the proof takes a few seconds.\nThe money goes to the signing account (--account or ZKCREDIT_PRIVATE_KEY). No approval is needed to borrow.")
        .action(action<{ identity: string; attestation?: string; offer: string; tier?: string; amount: string }>(async (ctx, options) => borrow(ctx, options)))

    borrower
        .command("repay")
        .description("repay a loan: the next instalment (default), --amount, or --all (early repayment); approves the market first")
        .requiredOption("--loan <id>", "the loan")
        .option("--amount <amount>", "pay this much toward the instalments in order (token units)")
        .option("--all", "repay the whole loan now (interest of periods not started is waived)")
        .action(action<{ loan: string; amount?: string; all?: boolean }>(async (ctx, options) => repay(ctx, options)))

    borrower
        .command("status")
        .description("your pseudonym's loans in this market, what is due next, and its public record")
        .requiredOption("--identity <file>", "the identity file")
        .action(action<{ identity: string }>(async (ctx, options) => status(ctx, options)))
}

async function pseudonymOf(ctx: CliContext, identity: Identity): Promise<bigint> {
    const deployment = await ctx.deployment()
    return identity.nullifier(computeScope(deployment.chainId, deployment.contracts.loanMarket))
}

async function attest(ctx: CliContext, options: { identity: string; binding: string; bureau?: string; out?: string; shareHistory?: boolean | string }): Promise<void> {
    // everything local is checked before the request, the attestation's path first: a path that
    // cannot be written would lose the attestation after the bureau has scored the person
    const out = options.out ?? defaultAttestationPath(options.identity)
    await checkWritable(out, { overwrite: true })
    let binding: KycBinding
    try {
        binding = parseBinding(await readJson(options.binding, "binding file"))
    } catch (error) {
        if (isBureauInputError(error)) throw badInput("INVALID_BINDING", `${options.binding}: ${error.field}: ${error.message}`, { file: options.binding })
        throw error
    }
    const id = await loadIdentity(options.identity)
    if (binding.commitment !== id.commitment.toString()) throw badInput("BINDING_MISMATCH", `${options.binding} binds another identity commitment than ${options.identity}: use the binding the officer gave for this identity`)
    const base = bureauBase(options.bureau)
    const scopes = options.shareHistory === undefined ? [] : await sharedMarkets(ctx, base, options.shareHistory)
    const { challenge } = await bureauPost<{ challenge: string }>(base, "/v1/challenges", {})
    const proof = await generateHistoryProof({ identity: id, scopes, challenge }, { wasm: HISTORY_PROOF_ARTIFACTS.wasm, zkey: HISTORY_PROOF_ARTIFACTS.zkey })
    const answer = await bureauPost<Partial<AttestationResponse>>(base, "/v1/attestations", { binding, proof })
    const attestation = answer.attestation
    if (!attestation || attestation.commitment !== id.commitment.toString() || !verifyAttestation(attestation)) {
        throw failed("BAD_ATTESTATION", `the bureau at ${base} answered with an attestation that is not for this identity or does not verify: nothing was saved`)
    }
    await writeTextFile(out, `${JSON.stringify(attestation, null, 2)}\n`, { mode: 0o600, overwrite: true })
    // the score is shown to its owner, here; it is never sent anywhere by the CLI
    ctx.out.result(
        { attestationFile: out, score: attestation.score, issuedAt: attestation.issuedAt, expiresAt: attestation.expiresAt, sharedMarkets: scopes.map(String), provenPseudonyms: answer.breakdown?.onChain?.provenPseudonyms ?? 0 },
        [`your attested score: ${attestation.score} (valid until ${isoTime(attestation.expiresAt)})`, `history shared from ${scopes.length} market(s)`, `saved in ${out}`]
    )
}

/**
 * The scopes of the markets named by `--share-history`, checked against those the bureau reads
 * and the proof's slots before anything is proven.
 */
async function sharedMarkets(ctx: CliContext, base: string, option: boolean | string): Promise<bigint[]> {
    const deployment = await ctx.deployment()
    const { scopes: offered } = await bureauGet<MarketsResponse>(base, "/v1/markets")
    const named = option === true ? [deployment.contracts.loanMarket] : String(option).split(",").map((m) => m.trim()).filter(Boolean)
    const chosen: bigint[] = []
    for (const market of named) {
        if (market.toLowerCase() === "all") chosen.push(...offered.map((s) => BigInt(s)))
        else if (/^0x[0-9a-fA-F]{40}$/.test(market)) chosen.push(computeScope(deployment.chainId, market))
        else if (/^[0-9]{1,78}$/.test(market)) chosen.push(BigInt(market))
        else throw badInput("INVALID_MARKET", `--share-history: ${JSON.stringify(market.slice(0, 60))} is neither a LoanMarket address (0x + 40 hex digits), a market's scope (decimal) nor "all"`)
    }
    const checked = checkMarketChoice(chosen, offered.map((s) => BigInt(s)))
    if ("scopes" in checked) return checked.scopes
    const p = checked.problem
    if (p.code === "UNKNOWN_MARKET") throw badInput("UNKNOWN_MARKET", `--share-history: the bureau at ${base} does not read the market with scope ${p.market}; it reads ${offered.length ? offered.join(", ") : "no market"}`, { market: p.market })
    throw badInput("TOO_MANY_MARKETS", `--share-history: ${p.count} markets named, but one history proof can name at most ${p.max}`, { count: p.count, max: p.max })
}

/** The tier to borrow in: the one asked for, or the cheapest the score qualifies for that lends `amount`. */
function chooseTier(offer: OfferView, attestation: Attestation, amount: bigint, asked?: string): number {
    if (asked !== undefined) {
        const tier = parseInteger(asked, "--tier")
        if (tier >= offer.tiers.length) throw badInput("UNKNOWN_TIER", `offer ${offer.id} has tiers 0 to ${offer.tiers.length - 1}, not ${tier}`)
        return tier
    }
    const candidates = offer.tiers.filter((t) => attestation.score >= t.minScore && t.maxPrincipal >= amount).sort((a, b) => a.aprBps - b.aprBps)
    if (candidates.length === 0) throw badInput("NO_TIER", `no tier of offer ${offer.id} both accepts your attested score and lends that amount: see \`zkcredit borrower offers --attestation <file>\``)
    return candidates[0]!.index
}

async function borrow(ctx: CliContext, options: { identity: string; attestation?: string; offer: string; tier?: string; amount: string }): Promise<void> {
    checkAmountText(options.amount, "--amount")
    const attestation = await loadAttestation(options.attestation ?? defaultAttestationPath(options.identity))
    const { offer, token } = await requireOffer(ctx, options.offer)
    const principal = parseAmount(options.amount, token.decimals, "--amount")
    const tier = chooseTier(offer, attestation, principal, options.tier)
    const id = await loadIdentity(options.identity)
    if (offer.paused) throw failed("OFFER_PAUSED", `offer ${offer.id} is paused by its lender`)

    const deployment = await ctx.deployment()
    const provider = await ctx.provider()
    const readContracts = await ctx.readContracts()
    const nullifier = id.nullifier(computeScope(deployment.chainId, deployment.contracts.loanMarket))
    const record = await readRecord(readContracts.loanMarket, nullifier)
    if (record.defaults > 0) throw failed("PSEUDONYM_DEFAULTED", "this identity defaulted in this market and cannot borrow here again")
    const maxActive = Number(await readContracts.loanMarket.getFunction("maxActiveLoans")())
    if (record.activeLoans >= maxActive) throw failed("TOO_MANY_ACTIVE_LOANS", `this identity has ${record.activeLoans} active loan(s), the most this market allows: repay first (zkcredit borrower status)`)

    // the artifacts load and compile while the KYC tree syncs (a failure is reported by the proof)
    const prover = new CreditProver({ wasm: CREDIT_PROOF_ARTIFACTS.wasm, zkey: CREDIT_PROOF_ARTIFACTS.zkey })
    void prover.warmUp().catch(() => {})
    const synced = await syncKycTree(ctx)
    if (!synced.matchesChain) throw failed("TREE_MISMATCH", "the KYC tree rebuilt from the registry's events does not match its current root: a published root is wrong (see `zkcredit officer audit`); proofs cannot be made now")
    const index = synced.tree.indexOf(id.commitment)
    if (index < 0) {
        // every default record of the registry, read by block range: no request names the commitment
        const records = kycDefaultRecords(await fetchKycDefaultEvents(provider, deployment.contracts.trustRegistry, { fromBlock: deployment.deployBlock }))
        const open = openDefaultOf(records, id.commitment)
        if (open) {
            throw failed(
                "REMOVED_FOR_DEFAULT",
                `this identity was removed from the KYC registry for the default of loan ${open.loanId} of market ${open.market} (block ${open.recorded.blockNumber}): it cannot prove KYC membership in any market until that loan is paid in full and a compliance officer readmits it`,
                { market: open.market, loanId: Number(open.loanId) }
            )
        }
        throw badInput("NOT_A_MEMBER", `this identity is not in the KYC tree: ask a compliance officer to add commitment ${id.commitment}`)
    }
    const borrowerAddress = await ctx.address()
    const latest = (await provider.getBlock("latest"))!
    const request = await prepareBorrowRequest({
        provider,
        deployment,
        contracts: readContracts,
        identity: id,
        attestation,
        group: synced.tree.generateMerkleProof(index),
        intent: { offer, tier, principal, borrower: borrowerAddress },
        // the borrow lands in a new block: on a chain that mines on demand the last block may be old
        currentTime: Math.max(latest.timestamp, Math.floor(Date.now() / 1000))
    })
    await confirm(ctx, `borrow ${formatAmount(principal, token.decimals, token.symbol)} from offer ${offer.id} tier ${tier} to ${borrowerAddress}?`)

    const bar = startProgress(ctx.out, "proving", STAGES.length - 1, "stages")
    let proof
    try {
        proof = await prover.prove(request, { onProgress: ({ stage }) => bar.update(STAGES.indexOf(stage), { stage }) })
    } finally {
        bar.stop()
    }
    const { loanMarket } = await ctx.writeContracts()
    const receipt = await send(ctx.out, `borrowing ${formatAmount(principal, token.decimals, token.symbol)} from offer ${offer.id}, tier ${tier}`, () => loanMarket.getFunction("borrow")(offer.id, tier, principal, toBorrowCalldata(proof)))
    const event = receipt.logs.map((log) => loanMarket.interface.parseLog(log)).find((e) => e?.name === "LoanOpened")
    const loanId = Number(event!.args.loanId)
    const loan = (await readLoan(readContracts.loanMarket, loanId))!
    const tierView = offer.tiers[tier]!
    const schedule = instalmentSchedule({ principal, aprBps: tierView.aprBps, startTime: loan.startTime, term: offer.term, instalmentCount: offer.instalmentCount })
    ctx.out.result(
        {
            loanId,
            offerId: offer.id,
            tier,
            aprBps: tierView.aprBps,
            principal: principal.toString(),
            interest: loan.position.interest.toString(),
            token: { address: token.address, symbol: token.symbol, decimals: token.decimals },
            schedule: schedule.map((s) => ({ index: s.index, dueTime: s.dueTime, amount: s.amount.toString() })),
            transactionHash: receipt.hash
        },
        [
            `loan ${loanId}: ${formatAmount(principal, token.decimals, token.symbol)} at ${(tierView.aprBps / 100).toFixed(2)}% (interest ${formatAmount(loan.position.interest, token.decimals, token.symbol)})`,
            table(["instalment", "due", "amount"], schedule.map((s) => [String(s.index + 1), isoTime(s.dueTime), formatAmount(s.amount, token.decimals, token.symbol)])),
            `repay with: zkcredit borrower repay --loan ${loanId}`
        ]
    )
}

async function requireLoan(ctx: CliContext, text: string): Promise<LoanView> {
    const id = parseInteger(text, "--loan")
    const loan = await readLoan((await ctx.readContracts()).loanMarket, id)
    if (!loan) throw badInput("UNKNOWN_LOAN", `there is no loan ${id} (\`zkcredit borrower status --identity <file>\` lists yours)`, { loanId: id })
    return loan
}

async function repay(ctx: CliContext, options: { loan: string; amount?: string; all?: boolean }): Promise<void> {
    if (options.amount !== undefined && options.all) throw badInput("USAGE", "give --amount or --all, not both")
    if (options.amount !== undefined) checkAmountText(options.amount, "--amount")
    const loan = await requireLoan(ctx, options.loan)
    const { loanMarket: reader } = await ctx.readContracts()
    const offer = (await readOffer(reader, loan.offerId))!
    const token = await new TokenCache(await ctx.provider()).get(offer.token)
    const amount = options.amount !== undefined ? parseAmount(options.amount, token.decimals, "--amount") : undefined
    const p = loan.position
    const outstanding = p.totalDue - loan.repaid
    // a defaulted loan still takes payments (recovery) until nothing is owed; it stays defaulted
    if (loan.status === "Repaid" || outstanding === 0n) throw failed("LOAN_NOT_ACTIVE", `loan ${loan.id} is ${loan.status.toLowerCase()}: nothing to repay`)
    if (amount !== undefined && amount > outstanding) throw badInput("INVALID_AMOUNT", `that is more than the ${formatAmount(outstanding, token.decimals, token.symbol)} still owed on loan ${loan.id}`)
    const base = options.all ? p.payoffAmount : (amount ?? p.nextInstalmentRemaining)
    const need = base + p.lateFeesDue
    await approveMarket(ctx, token, need)
    const { loanMarket } = await ctx.writeContracts()
    const what = options.all ? "repaying the whole loan" : amount !== undefined ? `repaying ${formatAmount(amount, token.decimals, token.symbol)}` : "repaying the next instalment"
    const receipt = await send(ctx.out, `${what} of loan ${loan.id}${p.lateFeesDue > 0n ? ` (+ ${formatAmount(p.lateFeesDue, token.decimals, token.symbol)} late fees)` : ""}`, () =>
        options.all ? loanMarket.getFunction("repayAll")(loan.id) : amount !== undefined ? loanMarket.getFunction("repay")(loan.id, amount) : loanMarket.getFunction("repayInstalment")(loan.id)
    )
    const payments = receipt.logs.map((log) => loanMarket.interface.parseLog(log)).filter((e) => e?.name === "LoanRepayment")
    const paid = payments.reduce((sum, e) => sum + BigInt(e!.args.amount), 0n)
    const lateFees = payments.reduce((sum, e) => sum + BigInt(e!.args.lateFees), 0n)
    const after = (await readLoan(reader, loan.id))!
    ctx.out.result(
        { loanId: loan.id, paid: paid.toString(), lateFees: lateFees.toString(), status: after.status, repaid: after.repaid.toString(), recovered: after.recovered.toString(), totalDue: after.position.totalDue.toString(), nextDueTime: after.position.nextDueTime, transactionHash: receipt.hash },
        [
            `paid ${formatAmount(paid, token.decimals, token.symbol)}${lateFees > 0n ? ` + ${formatAmount(lateFees, token.decimals, token.symbol)} late fees` : ""} on loan ${loan.id}`,
            after.status === "Defaulted"
                ? `loan ${loan.id} stays defaulted; recovered ${formatAmount(after.recovered, token.decimals, token.symbol)}, ${formatAmount(after.position.totalDue - after.repaid, token.decimals, token.symbol)} still owed`
                : after.status === "Active"
                ? `repaid ${formatAmount(after.repaid, token.decimals)} of ${formatAmount(after.position.totalDue, token.decimals, token.symbol)}; next ${formatAmount(after.position.nextInstalmentRemaining, token.decimals, token.symbol)} due ${isoTime(after.position.nextDueTime)}`
                : `loan ${loan.id} is ${after.status.toLowerCase()}`
        ]
    )
}

async function status(ctx: CliContext, options: { identity: string }): Promise<void> {
    const id = await loadIdentity(options.identity)
    const deployment = await ctx.deployment()
    const { loanMarket } = await ctx.readContracts()
    const nullifier = await pseudonymOf(ctx, id)
    const [opened, record] = await Promise.all([findLoans(loanMarket, deployment.deployBlock, { nullifier }), readRecord(loanMarket, nullifier)])
    const tokens = new TokenCache(await ctx.provider())
    const loans = await Promise.all(
        opened.map(async ({ id }) => {
            const loan = (await readLoan(loanMarket, id, nullifier))!
            const offer = (await readOffer(loanMarket, loan.offerId))!
            return { loan, token: await tokens.get(offer.token), record }
        })
    )
    const active = loans.filter((l) => l.loan.status === "Active").sort((a, b) => a.loan.position.nextDueTime - b.loan.position.nextDueTime)
    const next = active[0]
    ctx.out.result(
        {
            pseudonym: nullifier.toString(),
            record: recordJson(record),
            loans: loans.map((l) => loanJson(l.loan, l.token)),
            ...(next ? { nextDue: { loanId: next.loan.id, dueTime: next.loan.position.nextDueTime, amount: (next.loan.position.nextInstalmentRemaining + next.loan.position.lateFeesDue).toString() } } : {})
        },
        [
            `pseudonym in this market: ${nullifier}`,
            `record: ${recordText(record)}`,
            loans.length ? loansTable(loans) : "no loans",
            ...(next ? [`next payment: ${formatAmount(next.loan.position.nextInstalmentRemaining + next.loan.position.lateFeesDue, next.token.decimals, next.token.symbol)} on loan ${next.loan.id}, due ${isoTime(next.loan.position.nextDueTime)}`] : [])
        ]
    )
}
