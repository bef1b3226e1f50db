/**
 * Positions of loans taken from `LoanMarket` offers: `zkcredit lender open-position` turns the
 * lender's claim on a loan into an ERC-721 token of the market's `OfferPositions` (token id = loan
 * id); `zkcredit position list|claim|transfer --loan <id>` read, claim and transfer them. From the
 * opening on, the loan's payments go to the position's current holder, not the offer.
 */
import type { Contract } from "ethers"
import { OfferPositionsAbi } from "../../client/src/generated/abis.ts"
import { readAllOfferPositions } from "../../client/src/offer-positions.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { confirm } from "../lib/confirm.ts"
import { formatAmount, parseAddress, parseInteger } from "../lib/parse.ts"
import { table } from "../lib/table.ts"
import { tokenInfo, type TokenInfo } from "../lib/token.ts"
import { send } from "../lib/tx.ts"

const LOAN_STATUS = ["none", "active", "repaid", "defaulted"] as const

/** One offer position as `position list` shows it. */
export interface OfferPositionRow {
    loanId: number
    offerId: number
    holder: string
    status: string
    received: bigint
    claimed: bigint
    claimable: bigint
    /** What the loan still owes toward `principal + interest`: what the holder may still receive, late fees aside. */
    outstanding: bigint
    token: TokenInfo
}

async function positionsContract(ctx: CliContext, write: boolean): Promise<Contract> {
    const { loanMarket } = await ctx.readContracts()
    return ctx.contract(String(await loanMarket.getFunction("positions")()), OfferPositionsAbi, write)
}

/** Reads loan `id`; an id with no loan is bad input. */
async function requireLoan(ctx: CliContext, id: number): Promise<{ loan: Record<string, bigint>; offer: { lender: string; token: string } }> {
    const { loanMarket } = await ctx.readContracts()
    const count = Number(await loanMarket.getFunction("loanCount")())
    if (id >= count) throw badInput("UNKNOWN_LOAN", `there is no loan ${id}: ${count === 0 ? "there are no loans yet" : `loans are numbered 0 to ${count - 1}`} (\`zkcredit lender loans\` lists yours)`, { loanId: id })
    const loan = (await loanMarket.getFunction("loan")(id)).toObject() as Record<string, bigint>
    const offer = await loanMarket.getFunction("offer")(loan.offerId)
    return { loan, offer: { lender: offer.lender as string, token: offer.token as string } }
}

/** Loan `id`'s position: it must be open, and with `mine`, held by the signer. */
async function requireOfferPosition(ctx: CliContext, id: number, options: { mine?: boolean } = {}): Promise<{ holder: string; claimable: bigint; token: TokenInfo }> {
    const { offer } = await requireLoan(ctx, id)
    const { loanMarket } = await ctx.readContracts()
    const p = await loanMarket.getFunction("offerPosition")(id)
    if (!p.open) throw badInput("UNKNOWN_POSITION", `loan ${id} has no position: its offer's lender opens one with \`zkcredit lender open-position --loan ${id}\``, { loanId: id })
    const holder = String(await (await positionsContract(ctx, false)).getFunction("ownerOf")(id))
    if (options.mine) {
        const me = await ctx.address()
        if (holder.toLowerCase() !== me.toLowerCase()) throw failed("NOT_POSITION_HOLDER", `the position of loan ${id} is held by ${holder}, not ${me}: pick the holder's --account`, { loanId: id })
    }
    return { holder, claimable: p.claimable as bigint, token: await tokenInfo(offer.token, await ctx.provider()) }
}

/** `zkcredit lender open-position --loan <id>`. */
export async function openOfferPosition(ctx: CliContext, text: string): Promise<void> {
    const id = parseInteger(text, "--loan")
    const { loan, offer } = await requireLoan(ctx, id)
    const me = await ctx.address()
    if (offer.lender.toLowerCase() !== me.toLowerCase()) throw failed("NOT_OFFER_LENDER", `loan ${id} was taken from offer ${loan.offerId}, whose lender is ${offer.lender}, not ${me}: pick that --account`, { loanId: id })
    const { loanMarket } = await ctx.readContracts()
    if ((await loanMarket.getFunction("offerPosition")(id)).open) throw failed("POSITION_ALREADY_OPEN", `loan ${id} already has a position (\`zkcredit position list\` shows it)`, { loanId: id })
    const status = LOAN_STATUS[Number(loan.status)] ?? "none"
    if (status === "repaid") throw failed("LOAN_NOT_ACTIVE", `loan ${id} is repaid: nothing more will come, so there is nothing to put in a position`, { loanId: id })
    const standing = await loanMarket.getFunction("loanPosition")(id)
    if (standing.repaid === standing.totalDue) throw failed("NOTHING_OWED", `loan ${id} was defaulted and has been recovered in full: nothing more will come`, { loanId: id })
    await confirm(ctx, `open the position of loan ${id}? Its later repayments go to the position's holder, not offer ${loan.offerId}.`)
    const { loanMarket: writable } = await ctx.writeContracts()
    const receipt = await send(ctx.out, `open the position of loan ${id}`, () => writable.getFunction("openPosition")(id))
    ctx.out.result({ loanId: id, positionId: id, offerId: Number(loan.offerId), holder: me, transactionHash: receipt.hash }, `position ${id} opened for loan ${id}: you hold it; \`zkcredit position claim --loan ${id}\` claims what the loan pays from now on`)
}

/** The offer positions (the signer's, or all), as every client reads them (`readAllOfferPositions`). */
export async function readOfferPositions(ctx: CliContext, all: boolean): Promise<OfferPositionRow[]> {
    const { loanMarket } = await ctx.readContracts()
    const from = (await ctx.deployment()).deployBlock
    const me = all ? undefined : (await ctx.address()).toLowerCase()
    const rows: OfferPositionRow[] = []
    for (const p of await readAllOfferPositions(loanMarket, from)) {
        if (me && p.holder.toLowerCase() !== me) continue
        const { loan, offer } = await requireLoan(ctx, p.loanId)
        const standing = await loanMarket.getFunction("loanPosition")(p.loanId)
        rows.push({
            loanId: p.loanId,
            offerId: Number(loan.offerId),
            holder: p.holder,
            status: LOAN_STATUS[Number(loan.status)] ?? "none",
            received: p.received,
            claimed: p.claimed,
            claimable: p.claimable,
            outstanding: (standing.totalDue as bigint) - (standing.repaid as bigint),
            token: await tokenInfo(offer.token, await ctx.provider())
        })
    }
    return rows
}

/** JSON of offer positions (amounts as decimal strings). */
export function offerPositionsJson(rows: OfferPositionRow[]): Record<string, unknown>[] {
    return rows.map(({ token, ...r }) => ({ ...r, received: r.received.toString(), claimed: r.claimed.toString(), claimable: r.claimable.toString(), outstanding: r.outstanding.toString(), token: token.address }))
}

/** The text table of offer positions. */
export function offerPositionsTable(rows: OfferPositionRow[]): string {
    return table(
        ["loan position", "offer", "status", "received", "claimable", "still owed", "holder"],
        rows.map((r) => [String(r.loanId), String(r.offerId), r.status, formatAmount(r.received, r.token.decimals, r.token.symbol), formatAmount(r.claimable, r.token.decimals), formatAmount(r.outstanding, r.token.decimals), `${r.holder.slice(0, 6)}…${r.holder.slice(-4)}`])
    )
}

/** `zkcredit position claim --loan <id...>`: claims each in turn. */
export async function claimOfferPositions(ctx: CliContext, texts: string[]): Promise<void> {
    const ids = texts.map((t) => parseInteger(t, "--loan"))
    const results = []
    for (const id of ids) {
        const { claimable, token } = await requireOfferPosition(ctx, id, { mine: true })
        if (claimable === 0n) throw failed("NOTHING_TO_CLAIM", `the position of loan ${id} has nothing to claim now (repayments arrive as the borrower pays)`, { loanId: id })
        const { loanMarket } = await ctx.writeContracts()
        const receipt = await send(ctx.out, `claim the position of loan ${id}`, () => loanMarket.getFunction("claimPosition")(id))
        results.push({ loanId: id, amount: claimable.toString(), transactionHash: receipt.hash, text: `loan ${id}'s position: claimed ${formatAmount(claimable, token.decimals, token.symbol)}` })
    }
    ctx.out.result({ claims: results.map(({ text: _text, ...r }) => r) }, results.map((r) => r.text))
}

/** `zkcredit position transfer --loan <id> --to <address>`. */
export async function transferOfferPosition(ctx: CliContext, text: string, toText: string): Promise<void> {
    const id = parseInteger(text, "--loan")
    const to = parseAddress(toText, "--to")
    await requireOfferPosition(ctx, id, { mine: true })
    const me = await ctx.address()
    if (to.toLowerCase() === me.toLowerCase()) throw badInput("INVALID_ADDRESS", `--to is the holder itself (${me}): give the new holder's address`)
    await confirm(ctx, `transfer the position of loan ${id} to ${to}? Its unclaimed repayments and all later ones go with it.`)
    const positions = await positionsContract(ctx, true)
    const receipt = await send(ctx.out, `transfer the position of loan ${id} to ${to}`, () => positions.getFunction("safeTransferFrom(address,address,uint256)")(me, to, id))
    ctx.out.result({ loanId: id, positionId: id, from: me, to, transactionHash: receipt.hash }, `the position of loan ${id} now belongs to ${to}`)
}
