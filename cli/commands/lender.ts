/**
 * `zkcredit lender`: offers (token, capacity, score tiers, terms), funds and loans. Amounts are
 * in token units with the token's decimals ("1000", "12.5"); APRs in basis points (1800 = 18%).
 */
import type { Command } from "commander"
import type { Contract } from "ethers"
import { loanInterest } from "../../client/src/loan-schedule.ts"
import { findLoans, readLoan, readOffer, readOffers, readRecord, type OfferView } from "../../client/src/views.ts"
import { action } from "../lib/command.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { readJson } from "../lib/files.ts"
import { loanJson, loansTable, offerJson, offersTable, TokenCache } from "../lib/market-views.ts"
import { checkAmountText, describeValue, formatAmount, parseAmount, parseInteger } from "../lib/parse.ts"
import { requireTokenAllowed, resolveTokenAddress, tokenInfo, type TokenInfo } from "../lib/token.ts"
import { send } from "../lib/tx.ts"
import { openOfferPosition } from "./offer-positions.ts"

const DAY = 86_400

interface OfferOptions {
    file?: string
    token?: string
    capacity?: string
    tiers?: string
    termDays?: string
    instalments?: string
    graceDays?: string
    defaultDays?: string
    lateFee?: string
}

/** Registers the lender's subcommands. */
export function registerLender(lender: Command): void {
    const offer = lender.command("offer").description("create offers")
    offer
        .command("create")
        .description("create an offer and deposit its capacity (approves the market for that amount first)")
        .option("--file <offer.json>", "the offer as JSON: { token, capacity, tiers: [{ minScore, aprBps, maxPrincipal }], termDays, instalments, graceDays, defaultDays, lateFee }")
        .option("--token <address|tusd>", "the loan token (tusd: the deployment's test stablecoin)", "tusd")
        .option("--capacity <amount>", "funds to deposit now, in token units")
        .option("--tiers <list>", 'score tiers "minScore:aprBps:maxPrincipal,...", ascending minScore, e.g. "600:1800:1000,680:1200:3000"')
        .option("--term-days <n>", "days from disbursement to the last due date", "90")
        .option("--instalments <n>", "number of instalments", "3")
        .option("--grace-days <n>", "days after a due date before an unpaid instalment is late", "3")
        .option("--default-days <n>", "days after a due date before the loan may be marked defaulted", "30")
        .option("--late-fee <amount>", "fee per late instalment, in token units", "0")
        .addHelpText("after", '\nExample: zkcredit lender offer create --capacity 10000 --tiers "600:1800:1000,680:1200:3000" --term-days 90 --instalments 3')
        .action(action<OfferOptions>(async (ctx, options) => createOffer(ctx, options)))

    lender
        .command("offers")
        .description("list this account's offers (--all: every offer of the market)")
        .option("--all", "every offer, not only this account's")
        .action(
            action<{ all?: boolean }>(async (ctx, options) => {
                const { loanMarket } = await ctx.readContracts()
                const me = options.all ? undefined : (await ctx.address()).toLowerCase()
                const offers = (await readOffers(loanMarket)).filter((o) => !me || o.lender.toLowerCase() === me)
                const tokens = new TokenCache(await ctx.provider())
                const rows = await Promise.all(offers.map(async (o) => ({ offer: o, token: await tokens.get(o.token) })))
                ctx.out.result({ offers: rows.map((r) => offerJson(r.offer, r.token)) }, rows.length ? offersTable(rows) : "no offers")
            })
        )

    lender
        .command("deposit")
        .description("add funds to an offer (approves the market first)")
        .requiredOption("--offer <id>", "the offer")
        .requiredOption("--amount <amount>", "amount in token units")
        .action(action<{ offer: string; amount: string }>(async (ctx, options) => moveFunds(ctx, "deposit", options)))

    lender
        .command("withdraw")
        .description("take funds of an offer that are not lent")
        .requiredOption("--offer <id>", "the offer")
        .option("--amount <amount>", "amount in token units")
        .option("--all", "withdraw everything available")
        .action(action<{ offer: string; amount?: string; all?: boolean }>(async (ctx, options) => moveFunds(ctx, "withdraw", options)))

    lender
        .command("withdraw-surplus")
        .description("take the offer's surplus: repayments that did not fit its available funds (uint128)")
        .requiredOption("--offer <id>", "the offer")
        .action(action<{ offer: string }>(async (ctx, options) => withdrawSurplus(ctx, options)))

    for (const [name, paused] of [
        ["pause", true],
        ["resume", false]
    ] as const) {
        lender
            .command(name)
            .description(paused ? "stop new loans from an offer (loans made go on)" : "allow new loans from a paused offer again")
            .requiredOption("--offer <id>", "the offer")
            .action(
                action<{ offer: string }>(async (ctx, options) => {
                    const { offer } = await requireOffer(ctx, options.offer)
                    const { loanMarket } = await ctx.writeContracts()
                    const receipt = await send(ctx.out, `${name} offer ${offer.id}`, () => loanMarket.getFunction("setOfferPaused")(offer.id, paused))
                    ctx.out.result({ offerId: offer.id, paused, transactionHash: receipt.hash }, `offer ${offer.id} ${paused ? "paused" : "resumed"}`)
                })
            )
    }

    lender
        .command("loans")
        .description("list loans of this account's offers (or --offer / --all) with each pseudonym's public record")
        .option("--offer <id...>", "only these offers")
        .option("--all", "loans of every offer")
        .action(action<{ offer?: string[]; all?: boolean }>(async (ctx, options) => listLoans(ctx, options)))

    lender
        .command("open-position")
        .description("turn your claim on a loan of your offer into an ERC-721 position you can sell: its later repayments go to the position's holder")
        .requiredOption("--loan <id>", "the loan")
        .action(action<{ loan: string }>(async (ctx, options) => openOfferPosition(ctx, options.loan)))

    lender
        .command("faucet")
        .description("take test stablecoin (tUSD) from its faucet (local and test networks only)")
        .requiredOption("--amount <amount>", "amount in tUSD")
        .action(
            action<{ amount: string }>(async (ctx, options) => {
                const deployment = await ctx.deployment()
                const token = await tokenInfo(resolveTokenAddress("tusd", deployment), await ctx.signer())
                const amount = parseAmount(options.amount, token.decimals, "--amount")
                const receipt = await send(ctx.out, `faucet ${formatAmount(amount, token.decimals, token.symbol)}`, () => token.contract.getFunction("faucet")(amount))
                const balance = BigInt(await token.contract.getFunction("balanceOf")(await ctx.address()))
                ctx.out.result({ amount: amount.toString(), balance: balance.toString(), token: token.address, transactionHash: receipt.hash }, `received ${formatAmount(amount, token.decimals, token.symbol)}; balance ${formatAmount(balance, token.decimals, token.symbol)}`)
            })
        )
}

/** Reads an offer; unknown ids are bad input (exit 2). */
export async function requireOffer(ctx: CliContext, text: string): Promise<{ offer: OfferView; token: TokenInfo }> {
    const id = parseInteger(text, "--offer")
    const { loanMarket } = await ctx.readContracts()
    const offer = await readOffer(loanMarket, id)
    if (!offer) {
        const count = Number(await loanMarket.getFunction("offerCount")())
        throw badInput("UNKNOWN_OFFER", `there is no offer ${id}: ${count === 0 ? "there are no offers yet" : `offers are numbered 0 to ${count - 1}`} (\`zkcredit borrower offers\` lists them)`, { offerId: id })
    }
    return { offer, token: await tokenInfo(offer.token, await ctx.provider()) }
}

/** Approves the market for `amount` of a token if its allowance is lower. */
export async function approveMarket(ctx: CliContext, token: TokenInfo, amount: bigint): Promise<void> {
    const deployment = await ctx.deployment()
    const owner = await ctx.address()
    const writable = token.contract.connect(await ctx.signer()) as Contract
    const balance = BigInt(await token.contract.getFunction("balanceOf")(owner))
    if (balance < amount) {
        throw failed("INSUFFICIENT_BALANCE", `${owner} has ${formatAmount(balance, token.decimals, token.symbol)}, needs ${formatAmount(amount, token.decimals, token.symbol)}${token.symbol === "tUSD" ? " (`zkcredit lender faucet --amount N` gives test tUSD)" : ""}`)
    }
    const allowance = BigInt(await token.contract.getFunction("allowance")(owner, deployment.contracts.loanMarket))
    if (allowance < amount) await send(ctx.out, `approving the market for ${formatAmount(amount, token.decimals, token.symbol)}`, () => writable.getFunction("approve")(deployment.contracts.loanMarket, amount))
}

interface ParsedOffer {
    token: TokenInfo
    capacity: bigint
    tiers: { minScore: number; aprBps: number; maxPrincipal: bigint }[]
    terms: { term: number; instalmentCount: number; gracePeriod: number; defaultPeriod: number; lateFee: bigint }
}

/** The keys of an offer file and of its tiers; any other key is a typo that would be dropped silently. */
const OFFER_FILE_KEYS = ["token", "capacity", "tiers", "termDays", "instalments", "graceDays", "defaultDays", "lateFee"]
const TIER_KEYS = ["minScore", "aprBps", "maxPrincipal"]
const UINT128_MAX = 2n ** 128n - 1n

/** The market's limits on offers (LoanMarket's MAX_* constants): checked here so that nothing is approved for an offer the market refuses. */
async function marketLimits(ctx: CliContext): Promise<{ maxTiers: number; maxAprBps: number; maxInstalments: number; maxTerm: number; maxPeriod: number }> {
    const { loanMarket } = await ctx.readContracts()
    const [maxTiers, maxAprBps, maxInstalments, maxTerm, maxPeriod] = await Promise.all(["MAX_TIERS", "MAX_APR_BPS", "MAX_INSTALMENTS", "MAX_TERM", "MAX_PERIOD"].map(async (name) => Number(await loanMarket.getFunction(name)())))
    return { maxTiers: maxTiers!, maxAprBps: maxAprBps!, maxInstalments: maxInstalments!, maxTerm: maxTerm!, maxPeriod: maxPeriod! }
}

async function parseOffer(ctx: CliContext, options: OfferOptions): Promise<ParsedOffer> {
    let source: Record<string, unknown> = { ...options }
    const fromFile = options.file !== undefined
    if (options.file !== undefined) {
        const data = await readJson(options.file, "offer file")
        if (typeof data !== "object" || data === null || Array.isArray(data)) throw badInput("INVALID_OFFER_FILE", `${options.file} must hold a JSON object`)
        const unknown = Object.keys(data).filter((k) => !OFFER_FILE_KEYS.includes(k))
        if (unknown.length > 0) throw badInput("INVALID_OFFER_FILE", `${options.file}: ${describeValue(unknown[0])} is not a field of an offer; the fields are ${OFFER_FILE_KEYS.join(", ")}`, { file: options.file })
        source = { token: "tusd", termDays: 90, instalments: 3, graceDays: 3, defaultDays: 30, lateFee: 0, ...(data as Record<string, unknown>) }
    }
    const where = fromFile ? `${options.file}: ` : ""
    /** A value as text: in a file, a string or a number (an array or object would turn into text that happens to parse). */
    const scalar = (v: unknown, name: string): string => {
        if (v === undefined || v === null || v === "") throw badInput("MISSING_OPTION", `${where}${name} is required`)
        if (typeof v === "string") return v
        if (fromFile && typeof v === "number" && Number.isFinite(v)) return String(v)
        throw badInput("INVALID_OFFER_FILE", `${where}${name} must be a string or a number, got ${describeValue(v)}`, { file: options.file })
    }
    const text = (name: string, flag: string): string => scalar(source[name], fromFile ? name : flag)
    const deployment = await ctx.deployment()
    const token = await tokenInfo(resolveTokenAddress(text("token", "--token"), deployment), await ctx.provider())
    const capacity = parseAmount(text("capacity", "--capacity"), token.decimals, `${where}--capacity`)
    let tiers: { minScore: number; aprBps: number; maxPrincipal: bigint }[]
    if (Array.isArray(source.tiers)) {
        tiers = (source.tiers as unknown[]).map((t, i) => {
            const name = `tiers[${i}]`
            if (typeof t !== "object" || t === null || Array.isArray(t)) throw badInput("INVALID_TIERS", `${where}${name} must be an object { minScore, aprBps, maxPrincipal }, got ${describeValue(t)}`)
            const extra = Object.keys(t).find((k) => !TIER_KEYS.includes(k))
            if (extra !== undefined) throw badInput("INVALID_TIERS", `${where}${name}.${extra} is not a field of a tier; the fields are ${TIER_KEYS.join(", ")}`)
            const tier = t as Record<string, unknown>
            return {
                minScore: parseInteger(scalar(tier.minScore, `${name}.minScore`), `${where}${name}.minScore`, { max: 65_535 }),
                aprBps: parseInteger(scalar(tier.aprBps, `${name}.aprBps`), `${where}${name}.aprBps`, { max: 65_535 }),
                maxPrincipal: parseAmount(scalar(tier.maxPrincipal, `${name}.maxPrincipal`), token.decimals, `${where}${name}.maxPrincipal`)
            }
        })
    } else {
        tiers = text("tiers", "--tiers")
            .split(",")
            .map((part, i) => {
                const fields = part.trim().split(":")
                if (fields.length !== 3) throw badInput("INVALID_TIERS", `${where}--tiers tier ${i} (0 is the first) ${describeValue(part)} must be minScore:aprBps:maxPrincipal, e.g. 600:1800:1000`)
                return {
                    minScore: parseInteger(fields[0]!, `--tiers tier ${i} minScore`, { max: 65_535 }),
                    aprBps: parseInteger(fields[1]!, `--tiers tier ${i} aprBps`, { max: 65_535 }),
                    maxPrincipal: parseAmount(fields[2]!, token.decimals, `--tiers tier ${i} maxPrincipal`)
                }
            })
    }
    tiers.forEach((t, i) => {
        if (i > 0 && t.minScore <= tiers[i - 1]!.minScore) throw badInput("INVALID_TIERS", `${where}tier ${i} must ask a higher minScore than tier ${i - 1} (${t.minScore} <= ${tiers[i - 1]!.minScore})`)
    })
    const days = (name: string, flag: string, min: number) => parseInteger(text(name, flag), `${where}${flag}`, { min, max: 3650 })
    const lateFeeText = text("lateFee", "--late-fee")
    const terms = {
        term: days("termDays", "--term-days", 1) * DAY,
        instalmentCount: parseInteger(text("instalments", "--instalments"), `${where}--instalments`, { min: 1, max: 65_535 }),
        gracePeriod: days("graceDays", "--grace-days", 0) * DAY,
        defaultPeriod: days("defaultDays", "--default-days", 1) * DAY,
        lateFee: lateFeeText.trim() === "0" ? 0n : parseAmount(lateFeeText, token.decimals, `${where}--late-fee`)
    }
    if (terms.defaultPeriod <= terms.gracePeriod) throw badInput("INVALID_TERMS", `${where}--default-days must be more than --grace-days`)

    // the market's own rules (ILoanMarket): refused here, before an approval is sent for an offer it would refuse
    const limits = await marketLimits(ctx)
    if (tiers.length === 0 || tiers.length > limits.maxTiers) throw badInput("INVALID_TIERS", `${where}an offer has 1 to ${limits.maxTiers} tiers, got ${tiers.length}`)
    tiers.forEach((t, i) => {
        if (t.aprBps > limits.maxAprBps) throw badInput("INVALID_TIERS", `${where}tier ${i} aprBps ${t.aprBps} is above the market's maximum ${limits.maxAprBps}`)
        if (t.maxPrincipal > UINT128_MAX) throw badInput("INVALID_TIERS", `${where}tier ${i} maxPrincipal is above what the market can lend (2^128 - 1 of the smallest unit)`)
    })
    if (capacity > UINT128_MAX) throw badInput("INVALID_AMOUNT", `${where}--capacity is above what an offer can hold (2^128 - 1 of the smallest unit)`)
    if (terms.lateFee > UINT128_MAX) throw badInput("INVALID_AMOUNT", `${where}--late-fee is above what the market can charge (2^128 - 1 of the smallest unit)`)
    if (terms.instalmentCount > limits.maxInstalments) throw badInput("INVALID_TERMS", `${where}--instalments must be at most ${limits.maxInstalments}, got ${terms.instalmentCount}`)
    if (terms.term > limits.maxTerm || terms.term < terms.instalmentCount) throw badInput("INVALID_TERMS", `${where}--term-days must be at most ${limits.maxTerm / DAY} days (and a second per instalment)`)
    if (terms.defaultPeriod > limits.maxPeriod) throw badInput("INVALID_TERMS", `${where}--default-days must be at most ${limits.maxPeriod / DAY}`)
    tiers.forEach((t, i) => {
        const worst = t.maxPrincipal + loanInterest(t.maxPrincipal, t.aprBps, terms.term) + terms.lateFee * BigInt(terms.instalmentCount)
        if (worst > UINT128_MAX) throw badInput("INVALID_TERMS", `${where}a loan of tier ${i} could owe more than the market can count (2^128 - 1): lower maxPrincipal, aprBps or the late fee`)
    })
    return { token, capacity, tiers, terms }
}

async function createOffer(ctx: CliContext, options: OfferOptions): Promise<void> {
    const offer = await parseOffer(ctx, options)
    const { token } = offer
    await requireTokenAllowed((await ctx.readContracts()).loanMarket, token, "back an offer")
    await approveMarket(ctx, token, offer.capacity)
    const { loanMarket } = await ctx.writeContracts()
    const receipt = await send(ctx.out, `creating an offer of ${formatAmount(offer.capacity, token.decimals, token.symbol)}`, () => loanMarket.getFunction("createOffer")(token.address, offer.capacity, offer.tiers, offer.terms))
    const event = receipt.logs.map((log) => loanMarket.interface.parseLog(log)).find((e) => e?.name === "OfferCreated")
    const offerId = Number(event!.args.offerId)
    const view = (await readOffer((await ctx.readContracts()).loanMarket, offerId))!
    ctx.out.result({ offerId, transactionHash: receipt.hash, offer: offerJson(view, token) }, [`created offer ${offerId}`, offersTable([{ offer: view, token }])])
}

async function moveFunds(ctx: CliContext, kind: "deposit" | "withdraw", options: { offer: string; amount?: string; all?: boolean }): Promise<void> {
    if ((options.amount === undefined) === !options.all) throw badInput("USAGE", "give either --amount <amount> or --all")
    if (options.amount !== undefined) checkAmountText(options.amount, "--amount")
    const { offer, token } = await requireOffer(ctx, options.offer)
    const amount = options.all ? offer.available : parseAmount(options.amount!, token.decimals, "--amount")
    const me = await ctx.address()
    if (offer.lender.toLowerCase() !== me.toLowerCase()) throw failed("NOT_OFFER_LENDER", `offer ${offer.id} belongs to ${offer.lender}, not ${me}: pick the lender's --account`)
    if (kind === "withdraw" && amount > offer.available) {
        throw badInput("INVALID_AMOUNT", `offer ${offer.id} has ${formatAmount(offer.available, token.decimals, token.symbol)} available (lent funds come back as loans are repaid)`)
    }
    if (amount === 0n) throw badInput("INVALID_AMOUNT", `offer ${offer.id} has nothing available to withdraw`)
    if (kind === "deposit") {
        await requireTokenAllowed((await ctx.readContracts()).loanMarket, token, "be deposited (existing offers in it still repay and withdraw)")
        await approveMarket(ctx, token, amount)
    }
    const { loanMarket } = await ctx.writeContracts()
    const receipt = await send(ctx.out, `${kind} ${formatAmount(amount, token.decimals, token.symbol)} ${kind === "deposit" ? "into" : "from"} offer ${offer.id}`, () => loanMarket.getFunction(kind)(offer.id, amount))
    const available = (await readOffer((await ctx.readContracts()).loanMarket, offer.id))!.available
    ctx.out.result(
        { offerId: offer.id, [kind === "deposit" ? "deposited" : "withdrawn"]: amount.toString(), available: available.toString(), transactionHash: receipt.hash },
        `${kind === "deposit" ? "deposited" : "withdrew"} ${formatAmount(amount, token.decimals, token.symbol)}; offer ${offer.id} has ${formatAmount(available, token.decimals, token.symbol)} available`
    )
}

async function withdrawSurplus(ctx: CliContext, options: { offer: string }): Promise<void> {
    const { offer, token } = await requireOffer(ctx, options.offer)
    const me = await ctx.address()
    if (offer.lender.toLowerCase() !== me.toLowerCase()) throw failed("NOT_OFFER_LENDER", `offer ${offer.id} belongs to ${offer.lender}, not ${me}: pick the lender's --account`)
    const surplus = BigInt(await (await ctx.readContracts()).loanMarket.getFunction("surplus")(offer.id))
    if (surplus === 0n) throw badInput("INVALID_AMOUNT", `offer ${offer.id} has no surplus to withdraw`)
    const { loanMarket } = await ctx.writeContracts()
    const receipt = await send(ctx.out, `withdraw the surplus of offer ${offer.id}`, () => loanMarket.getFunction("withdrawSurplus")(offer.id))
    ctx.out.result({ offerId: offer.id, withdrawn: surplus.toString(), transactionHash: receipt.hash }, `withdrew the surplus of offer ${offer.id}: ${formatAmount(surplus, token.decimals, token.symbol)}`)
}

async function listLoans(ctx: CliContext, options: { offer?: string[]; all?: boolean }): Promise<void> {
    const deployment = await ctx.deployment()
    const { loanMarket } = await ctx.readContracts()
    let offerIds: number[] | undefined
    if (options.offer) {
        offerIds = options.offer.map((o) => parseInteger(o, "--offer"))
        // an offer that does not exist is a typo, as everywhere else, not an offer without loans
        const count = Number(await loanMarket.getFunction("offerCount")())
        const unknown = offerIds.find((id) => id >= count)
        if (unknown !== undefined) throw badInput("UNKNOWN_OFFER", `there is no offer ${unknown}: ${count === 0 ? "there are no offers yet" : `offers are numbered 0 to ${count - 1}`} (\`zkcredit lender offers --all\` lists them)`, { offerId: unknown })
    } else if (!options.all) {
        const me = (await ctx.address()).toLowerCase()
        offerIds = (await readOffers(loanMarket)).filter((o) => o.lender.toLowerCase() === me).map((o) => o.id)
    }
    const opened = offerIds && offerIds.length === 0 ? [] : await findLoans(loanMarket, deployment.deployBlock, offerIds ? { offerIds } : {})
    const tokens = new TokenCache(await ctx.provider())
    const offers = new Map<number, Promise<OfferView | undefined>>()
    const rows = await Promise.all(
        opened.map(async ({ id, nullifier }) => {
            const loan = (await readLoan(loanMarket, id, nullifier))!
            if (!offers.has(loan.offerId)) offers.set(loan.offerId, readOffer(loanMarket, loan.offerId))
            const offer = (await offers.get(loan.offerId))!
            return { loan, token: await tokens.get(offer.token), record: await readRecord(loanMarket, loan.nullifier) }
        })
    )
    ctx.out.result({ loans: rows.map((r) => loanJson(r.loan, r.token, r.record)) }, rows.length ? loansTable(rows) : "no loans")
}
