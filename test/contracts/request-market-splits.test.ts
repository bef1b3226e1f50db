/**
 * Property test of the pro-rata splits of `RequestMarket` against a model, to the wei: random
 * requests funded by 2 to 5 positions of odd sizes (fully, or short of the last part and
 * disbursed at the deadline as the borrower opted in), then random repayments (partial, instalments,
 * late ones with fees), defaults, claims and transfers, then the payoff and every claim. After
 * each claim the holder received exactly what the model says (`positionShare` in
 * client/src/requests.ts, the rule of `IRequestMarket`'s notice). At the end: the positions
 * claimed exactly what the loan received (no wei created or lost, the market holds nothing), each
 * differs from its exact share by less than one unit, the deviations sum to zero, and across runs
 * both the first and the last funder round up sometimes and down sometimes.
 */
import fc from "fast-check"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { positionShare } from "../../client/src/requests.ts"
import { as, DAY, eventOf, mockProof, USD, type Signer } from "../helpers/contracts.ts"
import { deployMockRequestMarket, requestTerms, requestTermsTuple, STATUS, type MockRequestMarket } from "../helpers/requests.ts"

const connection = await network.create()
const { loadFixture, time } = connection.networkHelpers
const RUNS = Number(process.env.ZKCREDIT_SPLIT_RUNS ?? 30)

const fixture = () => deployMockRequestMarket(connection)

type Op =
    | { kind: "repay"; thousandths: bigint }
    | { kind: "instalment" }
    | { kind: "wait"; days: number }
    | { kind: "default" }
    | { kind: "claim"; position: number }
    | { kind: "transfer"; position: number; to: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("repay" as const), thousandths: fc.bigInt({ min: 1n, max: 400n }) }),
    fc.record({ kind: fc.constant("instalment" as const) }),
    fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("default" as const) }),
    fc.record({ kind: fc.constant("claim" as const), position: fc.nat(4) }),
    fc.record({ kind: fc.constant("transfer" as const), position: fc.nat(4), to: fc.nat(5) })
)

/** Splits `principal` into `count` positive parts at the given cut points. */
function parts(principal: bigint, cuts: bigint[]): bigint[] {
    const points = [...new Set(cuts.map((c) => (c % (principal - 1n)) + 1n))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const out: bigint[] = []
    let last = 0n
    for (const p of points) {
        out.push(p - last)
        last = p
    }
    out.push(principal - last)
    return out
}

const caseArb = fc.record({
    principal: fc.oneof(fc.bigInt({ min: 5n, max: 1_000n }), fc.bigInt({ min: 1_000n, max: 40_000n * USD })),
    cuts: fc.array(fc.bigInt({ min: 0n, max: 1n << 64n }), { minLength: 1, maxLength: 4 }),
    instalments: fc.integer({ min: 1, max: 12 }),
    aprBps: fc.integer({ min: 1, max: 50_000 }),
    lateFee: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 50n * USD })),
    /** Leave the last part unfunded: the borrower opted in, and what was raised is disbursed at the deadline. */
    shortfall: fc.boolean(),
    ops: fc.array(opArb, { minLength: 1, maxLength: 14 })
})

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never

const deviationSigns = { first: new Set<number>(), last: new Set<number>() }

async function runCase(c: Case): Promise<void> {
    const f: MockRequestMarket = await loadFixture(fixture)
    const market = await f.market.getAddress()
    const accounts: Signer[] = [...f.lenders, f.signers.borrower]
    const now = (await time.latest()) + 1
    await time.setNextBlockTimestamp(now)
    const terms = requestTerms(await f.token.getAddress(), now, { principal: c.principal, instalmentCount: c.instalments, term: 30 * DAY * c.instalments, aprBps: c.aprBps, lateFee: c.lateFee, disbursePartial: c.shortfall })
    await (await as(f.market, f.signers.borrower).createRequest(requestTermsTuple(terms), mockProof(1n, now))).wait()
    const all = parts(c.principal, c.cuts)
    const amounts = c.shortfall && all.length > 1 ? all.slice(0, -1) : all
    const raised = amounts.reduce((a, b) => a + b, 0n)
    const positions: { id: bigint; amount: bigint; offset: bigint; claimed: bigint; holder: Signer }[] = []
    let offset = 0n
    for (const [i, amount] of amounts.entries()) {
        const lender = f.lenders[i % f.lenders.length]!
        const id: bigint = await f.market.positionCount()
        await (await as(f.market, lender).fundRequest(0n, amount)).wait()
        positions.push({ id, amount, offset, claimed: 0n, holder: lender })
        offset += amount
    }
    if (raised < c.principal) {
        await time.increaseTo(terms.deadline)
        await (await as(f.market, f.signers.stranger).closeFunding(0n)).wait()
    }
    expect((await f.market.request(0n)).status).toBe(STATUS.Active)
    expect((await f.market.request(0n)).raised).toBe(raised)
    let received = 0n

    const pay = async (call: Promise<{ wait(): Promise<unknown> }>) => {
        const receipt = (await (await call).wait()) as Parameters<typeof eventOf>[1]
        const event = eventOf(f.market, receipt, "LoanRepayment")
        received += (event.args.amount as bigint) + (event.args.lateFees as bigint)
    }
    const settled = async () => {
        const r = await f.market.request(0n)
        const standing = await f.market.loanStanding(0n)
        return r.status === STATUS.Repaid || (r.status === STATUS.Defaulted && standing.repaid === standing.totalDue)
    }
    const claim = async (p: (typeof positions)[number]) => {
        const splitSeed: bigint = (await f.market.request(0n)).splitSeed
        const expected = positionShare(p, { received, raised, settled: await settled(), splitSeed })
        expect(await f.market.claimable(p.id)).toBe(expected)
        if (expected === 0n) return
        const before: bigint = await f.token.balanceOf(p.holder.address)
        await (await as(f.market, p.holder).claim(p.id)).wait()
        expect((await f.token.balanceOf(p.holder.address)) - before).toBe(expected)
        p.claimed += expected
    }

    for (const op of c.ops) {
        const r = await f.market.request(0n)
        const open = r.status === STATUS.Active || r.status === STATUS.Defaulted
        const standing = open ? await f.market.loanStanding(0n) : undefined
        const outstanding = standing ? (standing.totalDue as bigint) - (standing.repaid as bigint) : 0n
        if (op.kind === "repay" && outstanding > 0n) {
            const amount = (outstanding * op.thousandths) / 1000n || 1n
            await pay(as(f.market, f.signers.borrower).repay(0n, amount))
        } else if (op.kind === "instalment" && outstanding > 0n) {
            await pay(as(f.market, f.signers.borrower).repayInstalment(0n))
        } else if (op.kind === "wait") {
            await time.increase(op.days * DAY)
        } else if (op.kind === "default" && r.status === STATUS.Active && BigInt(await time.latest()) + 1n >= (standing!.defaultableAt as bigint)) {
            await (await as(f.market, f.signers.stranger).markDefault(0n)).wait()
        } else if (op.kind === "claim") {
            await claim(positions[op.position % positions.length]!)
        } else if (op.kind === "transfer") {
            const p = positions[op.position % positions.length]!
            const to = accounts[op.to % accounts.length]!
            await (await as(f.market, p.holder).transferFrom(p.holder.address, to.address, p.id)).wait()
            p.holder = to
        }
    }
    // pay everything off (recovery if defaulted), then every holder claims
    const r = await f.market.request(0n)
    if (r.status === STATUS.Active || ((await f.market.loanStanding(0n)).repaid as bigint) < ((await f.market.loanStanding(0n)).totalDue as bigint)) {
        await pay(as(f.market, f.signers.borrower).repayAll(0n))
    }
    expect(await settled()).toBe(true)
    for (const p of positions) await claim(p)
    const total = positions.reduce((sum, p) => sum + p.claimed, 0n)
    expect(total).toBe(received)
    expect(await f.token.balanceOf(market)).toBe(0n)
    // each within one unit of its exact share, and the deviations cancel out
    let deviationSum = 0n
    for (const p of positions) {
        const deviation = p.claimed * raised - received * p.amount
        expect(deviation < raised && deviation > -raised).toBe(true)
        deviationSum += deviation
    }
    expect(deviationSum).toBe(0n)
    const sign = (p: (typeof positions)[number]) => Math.sign(Number(p.claimed * raised - received * p.amount))
    deviationSigns.first.add(sign(positions[0]!))
    deviationSigns.last.add(sign(positions[positions.length - 1]!))
}

describe("RequestMarket: pro-rata splits against a model", () => {
    it("every claim matches the model to the wei, the claims add up to what the loan received and rounding goes both ways (30 random loans)", async () => {
        await fc.assert(fc.asyncProperty(caseArb, runCase), { numRuns: RUNS, seed: 14, endOnFailure: true })
        // rounding goes both ways for the first positions and for the last ones
        expect([...deviationSigns.first].sort()).toEqual(expect.arrayContaining([-1, 1]))
        expect([...deviationSigns.last].sort()).toEqual(expect.arrayContaining([-1, 1]))
    })
})
