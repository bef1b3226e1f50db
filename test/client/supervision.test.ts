/**
 * The supervision overview's aggregation (no chain): random events in two markets and two tokens
 * against a model that filters the events of each market and period one by one, plus the UTC
 * period boundaries (days, ISO weeks from Monday, calendar months) and the choice of the unit.
 * The figures of a real chain are checked in the browser, test/e2e/supervision.test.ts.
 */
import { describe, expect, it } from "vitest"
import { aggregateSupervision, choosePeriodUnit, emptyFigures, nextPeriod, periodStart, type PeriodUnit, type SupervisionEvent, type SupervisionFigures } from "../../client/src/supervision.ts"

const DAY = 86_400
const MARKETS = ["0xAaAa000000000000000000000000000000000001", "0xbBbB000000000000000000000000000000000002"]
const TOKENS = ["0x00000000000000000000000000000000000000Cc", "0x00000000000000000000000000000000000000dd"]
const T0 = Date.UTC(2026, 0, 30, 13) / 1000 // a Friday, near a month's end

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
}

function randomEvents(n: number, seed: number, spanDays: number): SupervisionEvent[] {
    const r = random(seed)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!
    const amount = () => BigInt(Math.floor(r() * 1e6)) * 10n ** 6n
    return Array.from({ length: n }, (_, loanId) => {
        const base = { market: pick(MARKETS), time: T0 + Math.floor(r() * spanDays * DAY), loanId }
        switch (pick(["opened", "repayment", "repaid", "defaulted", "recovered", "openingRequested", "openingCompleted"] as const)) {
            case "opened":
                return { ...base, kind: "opened", token: pick(TOKENS), principal: amount() }
            case "repayment":
                return { ...base, kind: "repayment", token: pick(TOKENS), amount: amount(), lateInstalments: Math.floor(r() * 3) }
            case "repaid":
                return { ...base, kind: "repaid" }
            case "defaulted":
                return { ...base, kind: "defaulted", token: pick(TOKENS), outstanding: amount() }
            case "recovered":
                return { ...base, kind: "recovered", token: pick(TOKENS), recovered: amount() }
            case "openingRequested":
                return { ...base, kind: "openingRequested" }
            case "openingCompleted":
                return { ...base, kind: "openingCompleted" }
        }
    })
}

/** The model: the figures of the events that match, summed field by field with nothing shared. */
function model(events: readonly SupervisionEvent[]): SupervisionFigures {
    const sum = (kind: SupervisionEvent["kind"], value: (e: any) => bigint) => {
        const out: Record<string, bigint> = {}
        for (const e of events.filter((x) => x.kind === kind)) out[(e as { token: string }).token.toLowerCase()] = (out[(e as { token: string }).token.toLowerCase()] ?? 0n) + value(e)
        return out
    }
    const n = (kind: SupervisionEvent["kind"]) => events.filter((e) => e.kind === kind).length
    return {
        loansOpened: n("opened"),
        volume: sum("opened", (e) => e.principal),
        repayments: sum("repayment", (e) => e.amount),
        loansRepaid: n("repaid"),
        lateInstalments: events.reduce((s, e) => s + (e.kind === "repayment" ? e.lateInstalments : 0), 0),
        loansDefaulted: n("defaulted"),
        defaultedOutstanding: sum("defaulted", (e) => e.outstanding),
        loansRecovered: n("recovered"),
        recoveredAmount: sum("recovered", (e) => e.recovered),
        openingsRequested: n("openingRequested"),
        openingsCompleted: n("openingCompleted")
    }
}

/** The model's period of a time: the last boundary at or before it, found by walking from the first. */
function modelBucket(periods: number[], time: number): number {
    let i = 0
    while (i + 1 < periods.length && periods[i + 1]! <= time) i++
    return i
}

describe("supervision overview: aggregation", () => {
    for (const [spanDays, unit] of [[20, "day"], [120, "week"], [400, "month"]] as const) {
        it(`matches the model per market and per period over ${spanDays} days (${unit}s)`, () => {
            const events = randomEvents(300, spanDays, spanDays)
            const now = T0 + spanDays * DAY
            const overview = aggregateSupervision(events, { now, markets: [MARKETS[1]!] })
            expect(overview.unit).toBe(unit)
            // the listed market first, then the others as met
            expect(overview.markets.map((m) => m.market)).toEqual([MARKETS[1], MARKETS[0]])
            expect(overview.total).toEqual(model(events))
            expect(overview.periods[0]).toBeLessThanOrEqual(Math.min(...events.map((e) => e.time)))
            expect(overview.periods.at(-1)).toBe(periodStart(now, unit))
            for (const [i, start] of overview.periods.entries()) {
                const inPeriod = events.filter((e) => modelBucket(overview.periods, e.time) === i)
                expect(overview.byPeriod[i], `period ${new Date(start * 1000).toISOString()}`).toEqual(model(inPeriod))
                for (const m of overview.markets) expect(m.byPeriod[i]).toEqual(model(inPeriod.filter((e) => e.market === m.market)))
            }
            for (const m of overview.markets) expect(m.total).toEqual(model(events.filter((e) => e.market === m.market)))
        })
    }

    it("lists the deployment's markets with zero figures when nothing happened, one period long", () => {
        const overview = aggregateSupervision([], { now: T0, markets: MARKETS })
        expect(overview.periods).toEqual([periodStart(T0, "day")])
        expect(overview.markets.map((m) => m.total)).toEqual([emptyFigures(), emptyFigures()])
    })

    it("counts an event mined after `now` (while reading) in the last period, not nowhere", () => {
        const overview = aggregateSupervision([{ kind: "repaid", market: MARKETS[0]!, time: T0 + 10 * DAY, loanId: 0 }], { now: T0, unit: "day" })
        expect(overview.byPeriod.at(-1)!.loansRepaid).toBe(1)
        expect(overview.total.loansRepaid).toBe(1)
    })

    it("refuses a `now` that is not a time", () => {
        expect(() => aggregateSupervision([], { now: Number.NaN })).toThrow(/now must be a unix time/)
    })
})

describe("supervision overview: periods in UTC", () => {
    it("days, ISO weeks from Monday and calendar months", () => {
        expect(new Date(periodStart(T0, "day") * 1000).toISOString()).toBe("2026-01-30T00:00:00.000Z")
        expect(new Date(periodStart(T0, "week") * 1000).toISOString()).toBe("2026-01-26T00:00:00.000Z") // Monday
        expect(new Date(periodStart(T0, "month") * 1000).toISOString()).toBe("2026-01-01T00:00:00.000Z")
        // a Sunday belongs to the week that began six days before
        expect(new Date(periodStart(Date.UTC(2026, 1, 1, 23) / 1000, "week") * 1000).toISOString()).toBe("2026-01-26T00:00:00.000Z")
        const next = (unit: PeriodUnit, from: number) => new Date(nextPeriod(periodStart(from, unit), unit) * 1000).toISOString()
        expect(next("month", Date.UTC(2026, 0, 31) / 1000)).toBe("2026-02-01T00:00:00.000Z")
        expect(next("month", Date.UTC(2026, 11, 5) / 1000)).toBe("2027-01-01T00:00:00.000Z")
        expect(next("week", T0)).toBe("2026-02-02T00:00:00.000Z")
    })

    it("chooses days up to a month, weeks up to half a year, months beyond", () => {
        expect(choosePeriodUnit(T0, T0 + 31 * DAY)).toBe("day")
        expect(choosePeriodUnit(T0, T0 + 32 * DAY)).toBe("week")
        expect(choosePeriodUnit(T0, T0 + 182 * DAY)).toBe("week")
        expect(choosePeriodUnit(T0, T0 + 183 * DAY)).toBe("month")
    })
})
