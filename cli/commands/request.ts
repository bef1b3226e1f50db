/**
 * `zkcredit request` and `zkcredit position`: loan requests funded by many lenders (RequestMarket)
 * and the lenders' positions (ERC-721 tokens of that market). A borrower proves their band here
 * and lists a request; lenders fund parts at the request's rate; each part is a position whose
 * holder claims its share of every repayment. Amounts are in token units ("1000", "12.5").
 */
import type { Command } from "commander"
import type { Contract, LogDescription, TransactionReceipt } from "ethers"
import { prepareCreditProof } from "../../client/src/borrow.ts"
import { loanInterest } from "../../client/src/loan-schedule.ts"
import { computeRequestMessage, expectedRepayment, readAllPositions, readAllRequests, readRequest, REQUEST_STATUS, requestTermsTuple, type RequestStatusName, type RequestTerms, type RequestView } from "../../client/src/requests.ts"
import { readRecord } from "../../client/src/views.ts"
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { toBorrowCalldata } from "../../prover/src/calldata.ts"
import { CreditProver } from "../../prover/src/credit-prover.ts"
import { computeScope } from "../../prover/src/hash.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { defaultAttestationPath, loadAttestation, loadIdentity } from "../lib/identity-file.ts"
import { syncKycTree } from "../lib/kyc-sync.ts"
import { recordJson, recordText } from "../lib/market-views.ts"
import { checkAmountText, formatAmount, parseAddress, parseAmount, parseInteger } from "../lib/parse.ts"
import { isoTime, shorten, table } from "../lib/table.ts"
import { requireTokenAllowed, resolveTokenAddress, tokenInfo, type TokenInfo } from "../lib/token.ts"
import { send } from "../lib/tx.ts"
import { claimOfferPositions, offerPositionsJson, offerPositionsTable, readOfferPositions, transferOfferPosition } from "./offer-positions.ts"

const DAY = 86_400
const UINT128_MAX = 2n ** 128n - 1n

interface CreateOptions {
    identity: string
    attestation?: string
    amount: string
    token: string
    aprBps: string
    minScore: string
    termDays: string
    instalments: string
    graceDays: string
    defaultDays: string
    lateFee: string
    fundingDays: string
    partial?: boolean
}

/** Registers `zkcredit request ...`. */
export function registerRequest(request: Command): void {
    request
        .command("create")
        .description("prove your band (here, in zero knowledge) and list a loan request that lenders fund in parts")
        .requiredOption("--identity <file>", "the identity file")
        .option("--attestation <file>", "its attestation (default: <identity>.attestation.json)")
        .requiredOption("--amount <amount>", "the principal asked for, in token units")
        .requiredOption("--apr-bps <n>", "the highest simple annual rate you accept, basis points (1200 = 12%); lenders fund at it")
        .requiredOption("--min-score <n>", "the band to prove: your attested score is at least this (lenders see the band, never the score)")
        .option("--token <address|tusd>", "the loan token (tusd: the deployment's test stablecoin)", "tusd")
        .option("--term-days <n>", "days from disbursement to the last due date", "90")
        .option("--instalments <n>", "number of instalments", "3")
        .option("--grace-days <n>", "days after a due date before an unpaid instalment is late", "3")
        .option("--default-days <n>", "days after a due date before the loan may be marked defaulted", "30")
        .option("--late-fee <amount>", "fee per late instalment, in token units", "0")
        .option("--funding-days <n>", "days lenders have to fund it (at most 90)", "7")
        .option("--partial", "at the deadline, take what was raised instead of refunding the lenders")
        .addHelpText("after", "\nExample: zkcredit request create --identity me.json --amount 3000 --apr-bps 1200 --min-score 700 --account 4\nThe loan is disbursed to the signing account as soon as it is fully funded.")
        .action(action<CreateOptions>(async (ctx, options) => createRequest(ctx, options)))

    request
        .command("list")
        .description("list requests with their band, funding progress and the borrower pseudonym's public record")
        .option("--open", "only requests still open for funding")
        .action(action<{ open?: boolean }>(async (ctx, options) => listRequests(ctx, options)))

    request
        .command("fund")
        .description("fund part of an open request at its rate (approves the market first); mints you a position")
        .requiredOption("--request <id>", "the request")
        .requiredOption("--amount <amount>", "the part to fund, in token units (at most what is still missing)")
        .action(action<{ request: string; amount: string }>(async (ctx, options) => fundRequest(ctx, options)))

    request
        .command("cancel")
        .description("cancel your open request before its deadline; every lender then takes a refund")
        .requiredOption("--request <id>", "the request")
        .action(
            action<{ request: string }>(async (ctx, options) => {
                const { view } = await requireRequest(ctx, options.request)
                const me = await ctx.address()
                if (view.borrower.toLowerCase() !== me.toLowerCase()) throw failed("NOT_BORROWER", `request ${view.id} belongs to ${view.borrower}, not ${me}: pick the borrower's --account`)
                if (view.status !== "open") throw failed("WRONG_REQUEST_STATUS", `request ${view.id} is ${view.status}: only an open request before its deadline can be cancelled`)
                const market = await writeMarket(ctx)
                const receipt = await send(ctx.out, `cancel request ${view.id}`, () => market.getFunction("cancelRequest")(view.id))
                ctx.out.result({ requestId: view.id, status: "cancelled", transactionHash: receipt.hash }, `request ${view.id} cancelled; lenders refund with: zkcredit request refund --position <id>`)
            })
        )

    request
        .command("refund")
        .description("take back what your positions funded in a cancelled request, or an underfunded one past its deadline")
        .requiredOption("--position <id...>", "the positions to refund")
        .action(
            action<{ position: string[] }>(async (ctx, options) =>
                eachPosition(ctx, options.position, "refunds", async (id, position) => {
                    const status = await requestStatus(ctx, Number(position.requestId))
                    if (status !== "cancelled" && status !== "expired") throw failed("NOT_REFUNDABLE", `position ${id} funds request ${position.requestId}, which is ${status}: only cancelled requests and underfunded ones past their deadline refund`, { positionId: id })
                    return { verb: "refunded", method: "refund", amount: position.amount }
                })
            )
        )

    request
        .command("repay")
        .description("repay a request's loan: the next instalment (default), --amount, or --all (early repayment); approves the market first")
        .requiredOption("--request <id>", "the request (its loan has the same id)")
        .option("--amount <amount>", "pay this much toward the instalments in order, in token units")
        .option("--all", "pay the whole loan off now (interest of periods not started is waived)")
        .action(action<{ request: string; amount?: string; all?: boolean }>(async (ctx, options) => repayRequest(ctx, options)))

    request
        .command("close")
        .description("after the deadline of an underfunded request: disburse what was raised (if its borrower opted in) or let lenders refund")
        .requiredOption("--request <id>", "the request")
        .action(
            action<{ request: string }>(async (ctx, options) => {
                const { view } = await requireRequest(ctx, options.request)
                if (view.status !== "expired" || view.storedStatus !== "open") {
                    throw failed("WRONG_REQUEST_STATUS", `request ${view.id} is ${view.status}: only an open request past its deadline can be closed`)
                }
                const market = await writeMarket(ctx)
                const receipt = await send(ctx.out, `close funding of request ${view.id}`, () => market.getFunction("closeFunding")(view.id))
                const status = await requestStatus(ctx, view.id)
                ctx.out.result({ requestId: view.id, status, transactionHash: receipt.hash }, `request ${view.id} is ${status}`)
            })
        )
}

/** Registers `zkcredit position ...`. */
export function registerPosition(position: Command): void {
    position
        .command("list")
        .description("your positions (or --all), of requests and of loans from offers: what each funded or received, claimed and may claim now")
        .option("--all", "every position, whoever holds it")
        .action(action<{ all?: boolean }>(async (ctx, options) => listPositions(ctx, options)))

    position
        .command("claim")
        .description("claim your positions' shares of the repayments, late fees and recoveries received so far")
        .option("--position <id...>", "request positions")
        .option("--loan <id...>", "positions of loans taken from offers (their token id is the loan id)")
        .action(
            action<{ position?: string[]; loan?: string[] }>(async (ctx, options) =>
                oneKind(options) === "loan" ? claimOfferPositions(ctx, options.loan!) : eachPosition(ctx, options.position!, "claims", async (id) => {
                    const claimable = BigInt(await (await readMarket(ctx)).getFunction("claimable")(id))
                    if (claimable === 0n) throw failed("NOTHING_TO_CLAIM", `position ${id} has nothing to claim now (repayments arrive as the borrower pays)`, { positionId: id })
                    return { verb: "claimed", method: "claim", amount: claimable }
                })
            )
        )

    position
        .command("transfer")
        .description("transfer (sell) a position: its new holder claims everything not claimed yet")
        .option("--position <id>", "a request position")
        .option("--loan <id>", "the position of a loan taken from an offer")
        .requiredOption("--to <address>", "the new holder")
        .action(
            action<{ position?: string; loan?: string; to: string }>(async (ctx, options) => {
                if (oneKind(options) === "loan") return transferOfferPosition(ctx, options.loan!, options.to)
                const id = parseInteger(options.position!, "--position")
                const to = parseAddress(options.to, "--to")
                await requirePosition(ctx, id, { mine: true })
                const me = await ctx.address()
                if (to.toLowerCase() === me.toLowerCase()) throw badInput("INVALID_ADDRESS", `--to is the holder itself (${me}): give the new holder's address`)
                await confirm(ctx, `transfer position ${id} to ${to}? Its unclaimed repayments go with it.`)
                const market = await writeMarket(ctx)
                const receipt = await send(ctx.out, `transfer position ${id} to ${to}`, () => market.getFunction("safeTransferFrom(address,address,uint256)")(me, to, id))
                ctx.out.result({ positionId: id, from: me, to, transactionHash: receipt.hash }, `position ${id} now belongs to ${to}`)
            })
        )
}

// ---------------------------------------------------------------------------- helpers

/** Which kind of position a command names: `--position` (requests) or `--loan` (offers), exactly one. */
function oneKind(options: { position?: unknown; loan?: unknown }): "position" | "loan" {
    if ((options.position === undefined) === (options.loan === undefined)) {
        throw badInput("INVALID_POSITION", "give exactly one of --position <id> (a request position) and --loan <id> (the position of a loan taken from an offer)")
    }
    return options.loan === undefined ? "position" : "loan"
}

/**
 * The market's own events in a receipt. Only its logs: the token's ERC-20 `Transfer` has the same
 * topic as the positions' ERC-721 `Transfer` and would not decode.
 */
function marketEvents(market: Contract, receipt: TransactionReceipt): LogDescription[] {
    const address = String(market.target).toLowerCase()
    return receipt.logs
        .filter((log) => log.address.toLowerCase() === address)
        .map((log) => market.interface.parseLog(log))
        .filter((e): e is LogDescription => e !== null)
}

/**
 * Refunds or claims each of the signer's positions in turn: `check` refuses one (a typed error)
 * or says what its call sends; the result lists each under `key`.
 */
async function eachPosition(
    ctx: CliContext,
    texts: string[],
    key: "refunds" | "claims",
    check: (id: number, position: { requestId: bigint; amount: bigint }) => Promise<{ verb: string; method: "refund" | "claim"; amount: bigint }>
): Promise<void> {
    const ids = texts.map((p) => parseInteger(p, "--position"))
    const market = await writeMarket(ctx)
    const results = []
    for (const id of ids) {
        const { position, token } = await requirePosition(ctx, id, { mine: true })
        const { verb, method, amount } = await check(id, position)
        const receipt = await send(ctx.out, `${method} position ${id}`, () => market.getFunction(method)(id))
        results.push({ positionId: id, amount: amount.toString(), transactionHash: receipt.hash, text: `position ${id}: ${verb} ${formatAmount(amount, token.decimals, token.symbol)}` })
    }
    ctx.out.result({ [key]: results.map(({ text: _text, ...r }) => r) }, results.map((r) => r.text))
}

async function readMarket(ctx: CliContext): Promise<Contract> {
    const { requestMarket } = await ctx.readContracts()
    if (!requestMarket) throw failed("NO_REQUEST_MARKET", "this deployment has no RequestMarket (deployments/<chainId>.json has no contracts.requestMarket): redeploy with `npm run deploy`")
    return requestMarket
}

async function writeMarket(ctx: CliContext): Promise<Contract> {
    await readMarket(ctx)
    return (await ctx.writeContracts()).requestMarket!
}

async function requestStatus(ctx: CliContext, id: number): Promise<RequestStatusName> {
    return REQUEST_STATUS[Number(await (await readMarket(ctx)).getFunction("statusOf")(id))] ?? "none"
}

/** Reads a request; unknown ids are bad input (exit 2). */
async function requireRequest(ctx: CliContext, text: string): Promise<{ view: RequestView; token: TokenInfo }> {
    const id = parseInteger(text, "--request")
    const market = await readMarket(ctx)
    const view = await readRequest(market, id)
    if (!view) {
        const count = Number(await market.getFunction("requestCount")())
        throw badInput("UNKNOWN_REQUEST", `there is no request ${id}: ${count === 0 ? "there are no requests yet" : `requests are numbered 0 to ${count - 1}`} (\`zkcredit request list\` lists them)`, { requestId: id })
    }
    return { view, token: await tokenInfo(view.token, await ctx.provider()) }
}

/** Reads a position; unknown (or refunded) ids are bad input; with `mine`, the signer must hold it. */
async function requirePosition(ctx: CliContext, id: number, options: { mine?: boolean } = {}): Promise<{ position: { requestId: bigint; amount: bigint; claimed: bigint }; token: TokenInfo }> {
    const market = await readMarket(ctx)
    const position = await market.getFunction("position")(id)
    if (position.amount === 0n) throw badInput("UNKNOWN_POSITION", `there is no position ${id} (or it was refunded): \`zkcredit position list\` lists yours`, { positionId: id })
    if (options.mine) {
        const holder: string = await market.getFunction("ownerOf")(id)
        const me = await ctx.address()
        if (holder.toLowerCase() !== me.toLowerCase()) throw failed("NOT_POSITION_HOLDER", `position ${id} is held by ${holder}, not ${me}: pick the holder's --account`, { positionId: id })
    }
    const request = await market.getFunction("request")(position.requestId)
    return { position: { requestId: position.requestId, amount: position.amount, claimed: position.claimed }, token: await tokenInfo(request.token, await ctx.provider()) }
}

async function createRequest(ctx: CliContext, options: CreateOptions): Promise<void> {
    checkAmountText(options.amount, "--amount")
    const deployment = await ctx.deployment()
    const market = await readMarket(ctx)
    const attestation = await loadAttestation(options.attestation ?? defaultAttestationPath(options.identity))
    const token = await tokenInfo(resolveTokenAddress(options.token, deployment), await ctx.provider())
    const principal = parseAmount(options.amount, token.decimals, "--amount")
    if (principal === 0n) throw badInput("INVALID_AMOUNT", "--amount must be more than 0")
    const minScore = parseInteger(options.minScore, "--min-score", { max: 65_535 })
    if (attestation.score < minScore) throw badInput("SCORE_BELOW_BAND", `your attested score is below --min-score ${minScore}: ask for a lower band`)
    const [maxApr, maxInstalments, maxTerm, maxPeriod, maxFunding] = await Promise.all(["MAX_APR_BPS", "MAX_INSTALMENTS", "MAX_TERM", "MAX_PERIOD", "MAX_FUNDING_PERIOD"].map(async (n) => Number(await market.getFunction(n)())))
    const aprBps = parseInteger(options.aprBps, "--apr-bps", { min: 1, max: maxApr! })
    const instalmentCount = parseInteger(options.instalments, "--instalments", { min: 1, max: maxInstalments! })
    const term = parseInteger(options.termDays, "--term-days", { min: 1, max: maxTerm! / DAY }) * DAY
    const gracePeriod = parseInteger(options.graceDays, "--grace-days", { min: 0, max: maxPeriod! / DAY }) * DAY
    const defaultPeriod = parseInteger(options.defaultDays, "--default-days", { min: 1, max: maxPeriod! / DAY }) * DAY
    if (defaultPeriod <= gracePeriod) throw badInput("INVALID_TERMS", "--default-days must be more than --grace-days")
    const fundingDays = parseInteger(options.fundingDays, "--funding-days", { min: 1, max: maxFunding! / DAY })
    const lateFee = options.lateFee.trim() === "0" ? 0n : parseAmount(options.lateFee, token.decimals, "--late-fee")
    if (principal + loanInterest(principal, aprBps, term) + lateFee * BigInt(instalmentCount) > UINT128_MAX) throw badInput("INVALID_TERMS", "the loan could owe more than the market can count (2^128 - 1): lower --amount, --apr-bps or --late-fee")
    await requireTokenAllowed(market, token, "back a request")

    const id = await loadIdentity(options.identity)
    const marketAddress = await market.getAddress()
    const nullifier = id.nullifier(computeScope(deployment.chainId, marketAddress))
    const record = await readRecord(market, nullifier)
    if (record.defaults > 0) throw failed("PSEUDONYM_DEFAULTED", "this identity defaulted in the request market and cannot list here again")
    const maxActive = Number(await market.getFunction("maxActiveLoans")())
    if (record.activeLoans >= maxActive) throw failed("TOO_MANY_ACTIVE_LOANS", `this identity has ${record.activeLoans} active loan(s) or open request(s) here, the most allowed: repay or cancel first`)

    const prover = new CreditProver({ wasm: CREDIT_PROOF_ARTIFACTS.wasm, zkey: CREDIT_PROOF_ARTIFACTS.zkey })
    void prover.warmUp().catch(() => {})
    const synced = await syncKycTree(ctx)
    if (!synced.matchesChain) throw failed("TREE_MISMATCH", "the KYC tree rebuilt from the registry's events does not match its current root: proofs cannot be made now (see `zkcredit officer audit`)")
    const index = synced.tree.indexOf(id.commitment)
    if (index < 0) throw badInput("NOT_A_MEMBER", `this identity is not in the KYC tree: ask a compliance officer to add commitment ${id.commitment}`)
    const provider = await ctx.provider()
    const latest = (await provider.getBlock("latest"))!
    const now = Math.max(latest.timestamp, Math.floor(Date.now() / 1000))
    const borrower = await ctx.address()
    const terms: RequestTerms = { token: token.address, principal, term, instalmentCount, aprBps, minScore, gracePeriod, defaultPeriod, lateFee, deadline: now + fundingDays * DAY, disbursePartial: options.partial ?? false }
    const proofRequest = await prepareCreditProof({
        provider,
        deployment,
        contracts: await ctx.readContracts(),
        identity: id,
        attestation,
        group: synced.tree.generateMerkleProof(index),
        threshold: minScore,
        scope: computeScope(deployment.chainId, marketAddress),
        message: computeRequestMessage({ chainId: deployment.chainId, market: marketAddress, borrower, terms }),
        currentTime: now
    })
    await confirm(ctx, `list a request for ${formatAmount(principal, token.decimals, token.symbol)} at ${(aprBps / 100).toFixed(2)}%, band ${minScore}, funded by ${isoTime(terms.deadline)}?`)
    ctx.out.note("proving...")
    const proof = await prover.prove(proofRequest)
    const writable = await writeMarket(ctx)
    const receipt = await send(ctx.out, `listing a request for ${formatAmount(principal, token.decimals, token.symbol)}`, () => writable.getFunction("createRequest")(requestTermsTuple(terms), toBorrowCalldata(proof)))
    const event = marketEvents(writable, receipt).find((e) => e.name === "RequestCreated")
    const requestId = Number(event!.args.requestId)
    ctx.out.result(
        { requestId, principal: principal.toString(), aprBps, minScore, deadline: terms.deadline, disbursePartial: terms.disbursePartial, token: token.address, transactionHash: receipt.hash },
        [`request ${requestId}: ${formatAmount(principal, token.decimals, token.symbol)} at ${(aprBps / 100).toFixed(2)}%, band ${minScore}, open until ${isoTime(terms.deadline)}`, `lenders fund it with: zkcredit request fund --request ${requestId} --amount <amount>`]
    )
}

async function listRequests(ctx: CliContext, options: { open?: boolean }): Promise<void> {
    const market = await readMarket(ctx)
    const rows: { view: RequestView; token: TokenInfo; record: Awaited<ReturnType<typeof readRecord>> }[] = []
    const tokens = new Map<string, Promise<TokenInfo>>()
    for (const view of await readAllRequests(market)) {
        if (options.open && view.status !== "open") continue
        if (!tokens.has(view.token)) tokens.set(view.token, tokenInfo(view.token, await ctx.provider()))
        rows.push({ view, token: await tokens.get(view.token)!, record: await readRecord(market, view.nullifier) })
    }
    ctx.out.result(
        {
            requests: rows.map(({ view: v, token, record }) => ({
                requestId: v.id,
                status: v.status,
                band: v.minScore,
                aprBps: v.aprBps,
                principal: v.principal.toString(),
                raised: v.raised.toString(),
                deadline: v.deadline,
                disbursePartial: v.disbursePartial,
                termDays: v.term / DAY,
                instalments: v.instalmentCount,
                borrower: v.borrower,
                pseudonym: v.nullifier.toString(),
                token: { address: token.address, symbol: token.symbol, decimals: token.decimals },
                record: recordJson(record)
            }))
        },
        rows.length
            ? table(
                  ["id", "status", "band", "APR", "funded", "deadline", "term", "pseudonym", "record"],
                  rows.map(({ view: v, token, record }) => [
                      String(v.id),
                      v.status,
                      `>= ${v.minScore}`,
                      `${(v.aprBps / 100).toFixed(2)}%`,
                      `${formatAmount(v.raised, token.decimals)} / ${formatAmount(v.principal, token.decimals, token.symbol)}`,
                      isoTime(v.deadline),
                      `${v.term / DAY}d x${v.instalmentCount}`,
                      shorten(v.nullifier),
                      recordText(record)
                  ])
              )
            : "no requests"
    )
}

async function fundRequest(ctx: CliContext, options: { request: string; amount: string }): Promise<void> {
    checkAmountText(options.amount, "--amount")
    const { view, token } = await requireRequest(ctx, options.request)
    if (view.status !== "open") throw failed("WRONG_REQUEST_STATUS", `request ${view.id} is ${view.status}: only open requests before their deadline are funded`)
    const amount = parseAmount(options.amount, token.decimals, "--amount")
    const missing = view.principal - view.raised
    if (amount === 0n) throw badInput("INVALID_AMOUNT", "--amount must be more than 0")
    if (amount > missing) throw badInput("INVALID_AMOUNT", `request ${view.id} misses only ${formatAmount(missing, token.decimals, token.symbol)}`)
    const market = await readMarket(ctx)
    await requireTokenAllowed(market, token, "fund a request")
    const owner = await ctx.address()
    const spender = await market.getAddress()
    const balance = BigInt(await token.contract.getFunction("balanceOf")(owner))
    if (balance < amount) throw failed("INSUFFICIENT_BALANCE", `${owner} has ${formatAmount(balance, token.decimals, token.symbol)}, needs ${formatAmount(amount, token.decimals, token.symbol)}`)
    if (BigInt(await token.contract.getFunction("allowance")(owner, spender)) < amount) {
        const writableToken = token.contract.connect(await ctx.signer()) as Contract
        await send(ctx.out, `approving the request market for ${formatAmount(amount, token.decimals, token.symbol)}`, () => writableToken.getFunction("approve")(spender, amount))
    }
    const writable = await writeMarket(ctx)
    const receipt = await send(ctx.out, `funding ${formatAmount(amount, token.decimals, token.symbol)} of request ${view.id}`, () => writable.getFunction("fundRequest")(view.id, amount))
    const events = marketEvents(writable, receipt)
    const positionId = Number(events.find((e) => e.name === "RequestFunded")!.args.positionId)
    const disbursed = events.some((e) => e.name === "RequestDisbursed")
    ctx.out.result(
        { requestId: view.id, positionId, amount: amount.toString(), disbursed, transactionHash: receipt.hash },
        [`position ${positionId}: ${formatAmount(amount, token.decimals, token.symbol)} of request ${view.id}`, disbursed ? "the request is fully funded: the loan was disbursed" : `funded ${formatAmount(view.raised + amount, token.decimals)} of ${formatAmount(view.principal, token.decimals, token.symbol)}`]
    )
}

async function repayRequest(ctx: CliContext, options: { request: string; amount?: string; all?: boolean }): Promise<void> {
    if (options.amount !== undefined && options.all) throw badInput("USAGE", "give --amount or --all, not both")
    if (options.amount !== undefined) checkAmountText(options.amount, "--amount")
    const { view, token } = await requireRequest(ctx, options.request)
    if (view.status !== "active" && view.status !== "defaulted") throw failed("LOAN_NOT_ACTIVE", `request ${view.id} is ${view.status}: only a disbursed loan that still owes can be repaid`)
    const market = await readMarket(ctx)
    const standing = await market.getFunction("loanStanding")(view.id)
    const outstanding = (standing.totalDue as bigint) - (standing.repaid as bigint)
    if (outstanding === 0n) throw failed("NOTHING_OWED", `the loan of request ${view.id} is paid in full`)
    const amount = options.amount !== undefined ? parseAmount(options.amount, token.decimals, "--amount") : 0n
    if (options.amount !== undefined && (amount === 0n || amount > outstanding)) throw badInput("INVALID_AMOUNT", `--amount must be between the smallest unit and what is owed, ${formatAmount(outstanding, token.decimals, token.symbol)}`)
    const base = options.all ? (standing.payoffAmount as bigint) : options.amount !== undefined ? amount : (standing.nextInstalmentRemaining as bigint)
    const need = base + (standing.lateFeesDue as bigint)
    const owner = await ctx.address()
    const spender = await market.getAddress()
    const balance = BigInt(await token.contract.getFunction("balanceOf")(owner))
    if (balance < need) throw failed("INSUFFICIENT_BALANCE", `${owner} has ${formatAmount(balance, token.decimals, token.symbol)}, the payment needs ${formatAmount(need, token.decimals, token.symbol)}`)
    if (BigInt(await token.contract.getFunction("allowance")(owner, spender)) < need) {
        const writableToken = token.contract.connect(await ctx.signer()) as Contract
        await send(ctx.out, `approving the request market for ${formatAmount(need, token.decimals, token.symbol)}`, () => writableToken.getFunction("approve")(spender, need))
    }
    const writable = await writeMarket(ctx)
    const receipt = await send(ctx.out, `repaying the loan of request ${view.id}`, () =>
        options.all ? writable.getFunction("repayAll")(view.id) : options.amount !== undefined ? writable.getFunction("repay")(view.id, amount) : writable.getFunction("repayInstalment")(view.id)
    )
    const event = marketEvents(writable, receipt).find((e) => e.name === "LoanRepayment")!
    const status = await requestStatus(ctx, view.id)
    ctx.out.result(
        { requestId: view.id, amount: event.args.amount.toString(), lateFees: event.args.lateFees.toString(), status, transactionHash: receipt.hash },
        `paid ${formatAmount(event.args.amount as bigint, token.decimals, token.symbol)}${(event.args.lateFees as bigint) > 0n ? ` and ${formatAmount(event.args.lateFees as bigint, token.decimals, token.symbol)} in late fees` : ""}; the loan is ${status}`
    )
}

async function listPositions(ctx: CliContext, options: { all?: boolean }): Promise<void> {
    const offerRows = await readOfferPositions(ctx, options.all === true)
    const { requestMarket: market } = await ctx.readContracts()
    const me = options.all ? undefined : (await ctx.address()).toLowerCase()
    const rows = []
    const requests = new Map<number, Promise<RequestView | undefined>>()
    const tokens = new Map<string, Promise<TokenInfo>>()
    for (const p of market ? await readAllPositions(market) : []) {
        if (me && p.holder.toLowerCase() !== me) continue
        if (!requests.has(p.requestId)) requests.set(p.requestId, readRequest(market!, p.requestId))
        const request = (await requests.get(p.requestId))!
        if (!tokens.has(request.token)) tokens.set(request.token, tokenInfo(request.token, await ctx.provider()))
        // expected: its share of what the loan will owe in all, late fees not included
        const expected = expectedRepayment(p, request)
        rows.push({ id: p.id, holder: p.holder, requestId: p.requestId, status: request.status, amount: p.amount, claimed: p.claimed, claimable: p.claimable, expected, token: await tokens.get(request.token)! })
    }
    const requestText = rows.length
        ? table(
              ["position", "request", "status", "funded", "received", "claimable", "expected in all", "holder"],
              rows.map((r) => [String(r.id), String(r.requestId), r.status, formatAmount(r.amount, r.token.decimals, r.token.symbol), formatAmount(r.claimed, r.token.decimals), formatAmount(r.claimable, r.token.decimals), formatAmount(r.expected, r.token.decimals), shorten(r.holder)])
          )
        : "no request positions"
    ctx.out.result(
        {
            positions: rows.map(({ token, ...r }) => ({ ...r, amount: r.amount.toString(), claimed: r.claimed.toString(), claimable: r.claimable.toString(), expected: r.expected.toString(), token: token.address })),
            offerPositions: offerPositionsJson(offerRows)
        },
        [requestText, offerRows.length ? offerPositionsTable(offerRows) : "no positions of loans from offers"]
    )
}
