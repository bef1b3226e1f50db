/**
 * The public supervision overview, from chain data alone: every market's events (loans
 * opened, repayments, repaid, defaulted, recovered; a request market's loans are its disbursed
 * requests) and the escrow openings' of each (requested, quorum reached), turned into figures per
 * market and per period. Nothing here names a borrower: the
 * events carry pseudonyms and addresses, and the figures keep only counts and amounts.
 *
 * Reading and aggregating are split: {@link fetchSupervisionEvents} is the one place that knows
 * the contracts' events, {@link aggregateSupervision} is pure (tested against a model).
 */
import { Contract, Interface, type Log, type Provider } from "ethers"
import { EscrowOpeningsAbi, LoanMarketAbi, RequestMarketAbi } from "./generated/abis.ts"
import { getLogsInRanges } from "./logs.ts"

/** One public fact of the overview, at block time, in one market. `token` is the loan's offer's (or request's) token; `loanId` a request id in a request market. */
export type SupervisionEvent =
    | { kind: "opened"; market: string; time: number; loanId: number; token: string; principal: bigint }
    | { kind: "repayment"; market: string; time: number; loanId: number; token: string; amount: bigint; lateInstalments: number }
    | { kind: "repaid"; market: string; time: number; loanId: number }
    | { kind: "defaulted"; market: string; time: number; loanId: number; token: string; outstanding: bigint }
    | { kind: "recovered"; market: string; time: number; loanId: number; token: string; recovered: bigint }
    | { kind: "openingRequested"; market: string; time: number; loanId: number }
    | { kind: "openingCompleted"; market: string; time: number; loanId: number }

/** Amounts per token address (lower case): markets may lend in several tokens. */
export type TokenAmounts = Record<string, bigint>

/** The figures of one market (or all) over one period (or all time). */
export interface SupervisionFigures {
    loansOpened: number
    /** Principal disbursed. */
    volume: TokenAmounts
    /** Paid by borrowers (toward principal and interest, late fees included). */
    repayments: TokenAmounts
    /** Loans repaid in full before any default. */
    loansRepaid: number
    /** Instalments charged a late fee (counted when a payment finds them late). */
    lateInstalments: number
    loansDefaulted: number
    /** What the defaulted loans owed when marked defaulted. */
    defaultedOutstanding: TokenAmounts
    /** Defaulted loans later paid in full. */
    loansRecovered: number
    /** Paid after the default by the loans recovered, late fees included. */
    recoveredAmount: TokenAmounts
    /** Escrow openings requested (only defaulted loans can be). */
    openingsRequested: number
    /** Escrow openings whose t-th share arrived (OpeningQuorumReached): anyone can now combine them. */
    openingsCompleted: number
}

/** Period lengths of the chart, in UTC. */
export type PeriodUnit = "day" | "week" | "month"

/** The overview: figures over all time and per period, for all markets and for each. */
export interface SupervisionOverview {
    unit: PeriodUnit
    /** Start (unix seconds, UTC) of each period, in order, with no gap, up to the period of `now`. */
    periods: number[]
    total: SupervisionFigures
    byPeriod: SupervisionFigures[]
    markets: { market: string; total: SupervisionFigures; byPeriod: SupervisionFigures[] }[]
}

/** Figures of nothing. */
export function emptyFigures(): SupervisionFigures {
    return {
        loansOpened: 0,
        volume: {},
        repayments: {},
        loansRepaid: 0,
        lateInstalments: 0,
        loansDefaulted: 0,
        defaultedOutstanding: {},
        loansRecovered: 0,
        recoveredAmount: {},
        openingsRequested: 0,
        openingsCompleted: 0
    }
}

const DAY = 86_400

/**
 * The start of the period that holds `time`: its UTC day, its ISO week (from Monday) or its
 * calendar month.
 */
export function periodStart(time: number, unit: PeriodUnit): number {
    if (!Number.isFinite(time)) throw new RangeError(`time must be a unix time, got ${time}`)
    const day = Math.floor(time / DAY) * DAY
    if (unit === "day") return day
    if (unit === "week") return day - ((new Date(day * 1000).getUTCDay() + 6) % 7) * DAY
    const d = new Date(day * 1000)
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start: number, unit: PeriodUnit): number {
    if (unit === "day") return start + DAY
    if (unit === "week") return start + 7 * DAY
    const d = new Date(start * 1000)
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000
}

/** The unit that shows `[from, to]` in a readable number of bars: days up to a month, weeks up to half a year, then months. */
export function choosePeriodUnit(from: number, to: number): PeriodUnit {
    const span = to - from
    if (span <= 31 * DAY) return "day"
    if (span <= 26 * 7 * DAY) return "week"
    return "month"
}

function add(amounts: TokenAmounts, token: string, amount: bigint): void {
    const key = token.toLowerCase()
    amounts[key] = (amounts[key] ?? 0n) + amount
}

/** Adds one event to figures. */
function count(f: SupervisionFigures, e: SupervisionEvent): void {
    switch (e.kind) {
        case "opened":
            f.loansOpened++
            add(f.volume, e.token, e.principal)
            return
        case "repayment":
            add(f.repayments, e.token, e.amount)
            f.lateInstalments += e.lateInstalments
            return
        case "repaid":
            f.loansRepaid++
            return
        case "defaulted":
            f.loansDefaulted++
            add(f.defaultedOutstanding, e.token, e.outstanding)
            return
        case "recovered":
            f.loansRecovered++
            add(f.recoveredAmount, e.token, e.recovered)
            return
        case "openingRequested":
            f.openingsRequested++
            return
        case "openingCompleted":
            f.openingsCompleted++
    }
}

/**
 * Figures per market and per period from the events, in one pass.
 * @param events The overview's events, in any order.
 * @param options.now The chain's time: the last period is the one that holds it.
 * @param options.markets Markets to list even without events (the deployment's), in this order; others follow as met.
 * @param options.unit The period length; chosen from the span of the events when omitted.
 */
export function aggregateSupervision(events: readonly SupervisionEvent[], options: { now: number; markets?: readonly string[]; unit?: PeriodUnit }): SupervisionOverview {
    const { now } = options
    if (!Number.isFinite(now) || now < 0) throw new RangeError(`now must be a unix time, got ${now}`)
    const first = events.reduce((min, e) => Math.min(min, e.time), now)
    const unit = options.unit ?? choosePeriodUnit(first, now)
    const periods: number[] = []
    for (let p = periodStart(first, unit); p <= now; p = nextPeriod(p, unit)) periods.push(p)
    const indexOf = new Map(periods.map((p, i) => [p, i]))
    const markets = new Map<string, { market: string; total: SupervisionFigures; byPeriod: SupervisionFigures[] }>()
    const marketOf = (address: string) => {
        const key = address.toLowerCase()
        let m = markets.get(key)
        if (!m) markets.set(key, (m = { market: address, total: emptyFigures(), byPeriod: periods.map(() => emptyFigures()) }))
        return m
    }
    for (const address of options.markets ?? []) marketOf(address)
    const total = emptyFigures()
    const byPeriod = periods.map(() => emptyFigures())
    for (const e of events) {
        // an event after `now` (a block mined while reading) lands in the last period
        const i = indexOf.get(periodStart(Math.min(e.time, now), unit))!
        const m = marketOf(e.market)
        for (const f of [total, byPeriod[i]!, m.total, m.byPeriod[i]!]) count(f, e)
    }
    return { unit, periods, total, byPeriod, markets: [...markets.values()] }
}

/** Where the overview reads from. */
export interface SupervisionSources {
    /** LoanMarket addresses. */
    markets: readonly string[]
    /** RequestMarket addresses. */
    requestMarkets?: readonly string[]
    /** EscrowOpenings addresses (none where the escrow is not deployed). */
    openings: readonly string[]
    /** First block to scan (the deployment's). */
    fromBlock: number
}

const marketInterface = new Interface(LoanMarketAbi)
const requestMarketInterface = new Interface(RequestMarketAbi)
const openingsInterface = new Interface(EscrowOpeningsAbi)
const MARKET_EVENTS = ["OfferCreated", "LoanOpened", "LoanRepayment", "LoanRepaid", "LoanDefaulted", "LoanRecovered"] as const
/** A request's loan opens when it is disbursed; its token is in the request's terms. */
const REQUEST_MARKET_EVENTS = ["RequestCreated", "RequestDisbursed", "LoanRepayment", "LoanRepaid", "LoanDefaulted", "LoanRecovered"] as const
const OPENING_EVENTS = ["OpeningRequested", "OpeningQuorumReached"] as const
const topicsOf = (iface: Interface, names: readonly string[]) => [names.map((n) => iface.getEvent(n)!.topicHash)]

/** Block times of logs, each block asked once. */
async function blockTimes(provider: Provider, logs: readonly Log[]): Promise<Map<number, number>> {
    const blocks = [...new Set(logs.map((l) => l.blockNumber))]
    const times = new Map<number, number>()
    // a few at a time: a public node rate-limits bursts
    for (let i = 0; i < blocks.length; i += 20) {
        const slice = blocks.slice(i, i + 20)
        const found = await Promise.all(slice.map((b) => provider.getBlock(b)))
        found.forEach((block, k) => times.set(slice[k]!, block?.timestamp ?? 0))
    }
    return times
}

/**
 * Reads the overview's events from the chain: each loan market's loan events (with its offers,
 * for the token of each loan), each request market's (with its requests, for the token), and
 * each openings contract's requests and quorums (the market of an opening is the one the
 * contract serves, `market()`).
 * @returns The events and the chain's time at the block read up to.
 */
export async function fetchSupervisionEvents(provider: Provider, sources: SupervisionSources): Promise<{ events: SupervisionEvent[]; now: number }> {
    const latest = await provider.getBlock("latest")
    if (!latest) throw new Error("the chain did not return its latest block")
    const toBlock = latest.number
    const events: SupervisionEvent[] = []
    const read = [...sources.markets.map((market) => ({ market, requests: false })), ...(sources.requestMarkets ?? []).map((market) => ({ market, requests: true }))]
    for (const { market, requests } of read) {
        const iface = requests ? requestMarketInterface : marketInterface
        const logs = await getLogsInRanges(provider, { address: market, topics: topicsOf(iface, requests ? REQUEST_MARKET_EVENTS : MARKET_EVENTS) }, sources.fromBlock, toBlock)
        const times = await blockTimes(provider, logs)
        const offerToken = new Map<bigint, string>()
        const loanToken = new Map<bigint, string>()
        for (const log of logs) {
            const parsed = iface.parseLog(log)
            if (!parsed) continue
            const a = parsed.args
            const time = times.get(log.blockNumber) ?? 0
            const id = (requests ? a.requestId : a.loanId) as bigint | undefined
            const loanId = Number(id ?? 0n)
            const token = loanToken.get(id ?? -1n) ?? ""
            switch (parsed.name) {
                case "OfferCreated":
                    offerToken.set(a.offerId as bigint, String(a.token))
                    break
                case "RequestCreated":
                    loanToken.set(id!, String(a.terms.token))
                    break
                case "LoanOpened": {
                    const t = offerToken.get(a.offerId as bigint) ?? ""
                    loanToken.set(a.loanId as bigint, t)
                    events.push({ kind: "opened", market, time, loanId, token: t, principal: a.principal as bigint })
                    break
                }
                case "RequestDisbursed":
                    events.push({ kind: "opened", market, time, loanId, token, principal: a.principal as bigint })
                    break
                case "LoanRepayment":
                    events.push({ kind: "repayment", market, time, loanId, token, amount: (a.amount as bigint) + (a.lateFees as bigint), lateInstalments: Number(a.lateInstalments) })
                    break
                case "LoanRepaid":
                    events.push({ kind: "repaid", market, time, loanId })
                    break
                case "LoanDefaulted":
                    events.push({ kind: "defaulted", market, time, loanId, token, outstanding: a.outstanding as bigint })
                    break
                case "LoanRecovered":
                    events.push({ kind: "recovered", market, time, loanId, token, recovered: a.recovered as bigint })
            }
        }
    }
    for (const openings of sources.openings) {
        const market = String(await new Contract(openings, EscrowOpeningsAbi, provider).getFunction("market")())
        const logs = await getLogsInRanges(provider, { address: openings, topics: topicsOf(openingsInterface, OPENING_EVENTS) }, sources.fromBlock, toBlock)
        const times = await blockTimes(provider, logs)
        for (const log of logs) {
            const parsed = openingsInterface.parseLog(log)
            if (!parsed) continue
            const base = { market, time: times.get(log.blockNumber) ?? 0, loanId: Number(parsed.args.loanId) }
            events.push({ kind: parsed.name === "OpeningRequested" ? "openingRequested" : "openingCompleted", ...base })
        }
    }
    return { events, now: latest.timestamp }
}
