/**
 * Invariant fuzzing of the contracts (funds, records and roles; proofs are mocked): random
 * sequences of operations by three lenders, three borrowers, an officer, the admin and a stranger
 * on two markets (one and two active loans per pseudonym) sharing two tokens, plus the KYC and
 * bureau registries, and the markets' offer positions (opened by the lender or by attackers,
 * claimed by the holder, an approved address, a former holder or a stranger, transferred to
 * another actor, to the holder itself, to a market or to 0, approvals and operators). Callers are
 * often the wrong ones on purpose.
 *
 * After every operation:
 * - a TypeScript model (lib/market-model.ts) predicted its exact outcome: the chain's state equals
 *   the model's, to the wei, and a failure is the predicted custom error with its arguments;
 * - invariants are checked on the chain's data alone (lib/invariant-world.ts):
 *   tokens are conserved to the wei; each market holds exactly the sum of its offers' `available`
 *   and surplus plus its positions' unclaimed credits, per token; each offer's `available` =
 *   deposits - withdrawals - principal lent + repayments and late fees received while the loan had
 *   no position (so no offer lends beyond its funds); a position never claims more than its loan
 *   received since the opening (claimed + claimable = received = the loan's receipts - those
 *   before the opening), only the offer's lender opens one, only its loan's repayments credit it,
 *   a claim pays exactly what was claimable to the holder of that moment (after a transfer, not
 *   the first owner) and moves no other balance, only a transfer moves it, and position
 *   operations change no offer, loan or record; a refused position operation is read back
 *   unchanged; no pseudonym has more active loans than
 *   the market allows, and records match the loans; a default is permanent (the pseudonym never
 *   borrows again, the loan never changes); only an officer changes KYC members and roots, only the
 *   admin changes roles, the root validity, bureaus and keys, or pauses a market.
 *
 * CI runs 500 sequences (each operation kind and each error the test requires below is reached
 * well within them; the EXAMPLES reach the rare ones every time); `ZKCREDIT_FULL=1` runs 10,000.
 * A failure prints the shrunk sequence and fast-check's seed.
 */
import fc from "fast-check"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { cumulativeDue, interest } from "../helpers/loan-math.ts"
import { ALL_PARTS, deployWorld, FIXTURE_OFFERS, initialState, invariantViolations, MINTED, modelView, send, viewReader, type Authority, type Part, type Reader, type View, type World } from "./lib/invariant-world.ts"
import {
    ACTORS,
    ADMIN,
    BORROWERS,
    COMMITMENT_POOL,
    KEY_COORD_POOL,
    KEY_HASH_POOL,
    LENDERS,
    OFFICER,
    POSITION_ACTIONS,
    PSEUDONYMS,
    resolve,
    ROOT_POOL,
    step,
    TERM_PRESETS,
    TIER_PRESETS,
    type Action,
    type ModelState,
    type Outcome,
    type PositionRole,
    type Resolved
} from "./lib/market-model.ts"
import { attempt } from "./lib/reverts.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
/** `ZKCREDIT_INVARIANT_RUNS` overrides the count (e.g. to replay a quick check while editing). */
const RUNS = Number(process.env.ZKCREDIT_INVARIANT_RUNS ?? (FULL ? 10_000 : 500))

const { networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const DAY = 86_400

// ------------------------------------------------------------------------------------ actions

const market = fc.integer({ min: 0, max: 1 })
/** Any actor: the fuzz tries every operation from callers without the right. */
const anyone = fc.integer({ min: 0, max: ACTORS.length - 1 })
const oneOf = <T,>(...values: T[]) => fc.constantFrom(...values)
/** Mostly a valid index, sometimes one past the end (8 and up). */
const index = fc.oneof({ weight: 5, arbitrary: fc.nat(7) }, { weight: 1, arbitrary: fc.integer({ min: 8, max: 9 }) })
const thousandths = fc.bigInt({ min: 1n, max: 1000n })
/** A loan for the position operations: often the latest, mostly a valid index, sometimes one past the end. */
const loanIndex = fc.oneof({ weight: 2, arbitrary: fc.constant(-1) }, { weight: 3, arbitrary: index })
/** Who calls a position operation: its holder, an approved address, a former holder, anyone. */
const positionRole = oneOf<PositionRole>("holder", "operator", "former", "caller")

const actionArb: fc.Arbitrary<Action> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("createOffer" as const), caller: fc.oneof(oneOf(...LENDERS), anyone), market, token: fc.integer({ min: 0, max: 1 }), capacity: oneOf(0n, 1n, 5_000_000n, 30_000_000n, 10n ** 16n), tiers: fc.integer({ min: 0, max: TIER_PRESETS.length - 1 }), terms: fc.integer({ min: 0, max: TERM_PRESETS.length - 1 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("deposit" as const), caller: fc.oneof(oneOf(...LENDERS), anyone), market, offer: index, amount: oneOf(0n, 1n, 1_000_000n, 10n ** 16n) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), caller: fc.oneof(oneOf(...LENDERS), anyone), market, offer: index, amount: fc.oneof(oneOf<"all" | "allPlusOne" | bigint>("all", "allPlusOne", 0n), fc.bigInt({ min: 1n, max: 10_000_000n })) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("setOfferPaused" as const), caller: fc.oneof(oneOf(...LENDERS), anyone), market, offer: index, paused: fc.boolean() }) },
    {
        weight: 8,
        arbitrary: fc.record({
            kind: fc.constant("borrow" as const),
            caller: fc.oneof(oneOf(...BORROWERS), anyone),
            market,
            offer: index,
            tier: fc.integer({ min: 0, max: 3 }),
            principal: fc.oneof({ weight: 6, arbitrary: thousandths }, { weight: 2, arbitrary: oneOf<"max" | "maxPlusOne" | "available" | "availablePlusOne" | bigint>("max", "maxPlusOne", "available", "availablePlusOne", 0n) }),
            pseudonym: fc.integer({ min: 0, max: PSEUDONYMS.length - 1 }),
            proof: fc.oneof({ weight: 8, arbitrary: fc.constant("fresh" as const) }, { weight: 1, arbitrary: oneOf<"replay" | "invalid">("replay", "invalid") })
        })
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("repay" as const), caller: fc.oneof(oneOf(...BORROWERS), anyone), market, loan: index, amount: fc.oneof({ weight: 4, arbitrary: thousandths }, { weight: 1, arbitrary: oneOf<"outstanding" | "outstandingPlusOne" | bigint>("outstanding", "outstandingPlusOne", 0n) }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("repayInstalment" as const), caller: fc.oneof(oneOf(...BORROWERS), anyone), market, loan: index }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("repayAll" as const), caller: fc.oneof(oneOf(...BORROWERS), anyone), market, loan: index }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("markDefault" as const), caller: anyone, market, loan: index }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: oneOf(1, 3_600, DAY, 3 * DAY, 9 * DAY, 12 * DAY, 40 * DAY, 200 * DAY) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("pauseMarket" as const), caller: fc.oneof(fc.constant(ADMIN), anyone), market, pause: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("kycAdd" as const), caller: fc.oneof(fc.constant(OFFICER), anyone), commitments: fc.array(oneOf(...COMMITMENT_POOL.slice(0, 3), ...COMMITMENT_POOL), { maxLength: 3 }), root: oneOf(...ROOT_POOL) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("kycRemove" as const), caller: fc.oneof(fc.constant(OFFICER), anyone), index: fc.nat(4), root: oneOf(...ROOT_POOL) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("kycReplace" as const), caller: fc.oneof(fc.constant(OFFICER), anyone), index: fc.nat(4), commitment: oneOf(...COMMITMENT_POOL), root: oneOf(...ROOT_POOL) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("kycPause" as const), caller: fc.oneof(oneOf(OFFICER, ADMIN), anyone), pause: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("kycSetRootValidity" as const), caller: fc.oneof(fc.constant(ADMIN), anyone), validity: oneOf(0n, 60n, 30n * 86_400n, 30n * 86_400n + 1n) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("setOfficer" as const), caller: fc.oneof(fc.constant(ADMIN), anyone), target: anyone, grant: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("addBureau" as const), caller: fc.oneof(fc.constant(ADMIN), anyone), name: oneOf("", "Beta Scores") }) },
    {
        weight: 1,
        arbitrary: fc.record({
            kind: fc.constant("addKey" as const),
            caller: fc.oneof(fc.constant(ADMIN), anyone),
            bureauId: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) }),
            ax: fc.oneof({ weight: 3, arbitrary: fc.constant(1n) }, { weight: 1, arbitrary: oneOf(...KEY_COORD_POOL) }),
            ay: oneOf(...KEY_COORD_POOL),
            keyHash: fc.oneof({ weight: 2, arbitrary: oneOf(12n, 13n) }, { weight: 1, arbitrary: oneOf(...KEY_HASH_POOL) }),
            validFrom: oneOf(-DAY, 0, 10),
            validUntil: fc.oneof({ weight: 2, arbitrary: fc.constant(100 * DAY) }, { weight: 1, arbitrary: oneOf(-1, 0, 5, Number.MAX_SAFE_INTEGER) })
        })
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeKey" as const), caller: fc.oneof(fc.constant(ADMIN), anyone), keyHash: oneOf(...KEY_HASH_POOL) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("openPosition" as const), caller: anyone, as: fc.oneof({ weight: 3, arbitrary: fc.constant("lender" as const) }, { weight: 1, arbitrary: fc.constant("caller" as const) }), market, loan: loanIndex }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("claimPosition" as const), caller: anyone, as: positionRole, market, loan: loanIndex }) },
    {
        weight: 1,
        arbitrary: fc.record({
            kind: fc.constant("transferPosition" as const),
            caller: anyone,
            as: fc.oneof({ weight: 2, arbitrary: fc.constant("holder" as const) }, { weight: 2, arbitrary: positionRole }),
            market,
            loan: loanIndex,
            from: fc.oneof({ weight: 4, arbitrary: fc.constant("holder" as const) }, { weight: 1, arbitrary: fc.constant("caller" as const) }),
            to: fc.oneof({ weight: 6, arbitrary: anyone }, { weight: 1, arbitrary: oneOf<"self" | "zero" | "market">("self", "zero", "market") }),
            safe: fc.boolean()
        })
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("approvePosition" as const), caller: anyone, as: positionRole, market, loan: loanIndex, spender: fc.oneof({ weight: 4, arbitrary: anyone }, { weight: 1, arbitrary: fc.constant("zero" as const) }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("setPositionOperator" as const), caller: anyone, as: oneOf<"holder" | "caller">("holder", "caller"), market, loan: loanIndex, operator: fc.oneof({ weight: 4, arbitrary: anyone }, { weight: 1, arbitrary: fc.constant("zero" as const) }), approved: fc.boolean() }) }
)

/**
 * A story that a single random action rarely tells: a loan taken, left unpaid long enough, marked
 * defaulted, then the same pseudonym trying again (in the same market, and in the other one).
 */
const defaultStory: fc.Arbitrary<Action[]> = fc
    .record({ market, pseudonym: fc.integer({ min: 0, max: PSEUDONYMS.length - 1 }), borrower: oneOf(...BORROWERS), days: oneOf(3, 25, 70, 400), tier: fc.integer({ min: 0, max: 2 }) })
    .map(({ market: m, pseudonym, borrower, days, tier }): Action[] => [
        { kind: "borrow", caller: borrower, market: m, offer: 0, tier, principal: 10n, pseudonym, proof: "fresh" },
        { kind: "wait", seconds: days * DAY },
        { kind: "markDefault", caller: ACTORS.length - 1, market: m, loan: -1 },
        { kind: "repay", caller: borrower, market: m, loan: -1, amount: 1n },
        { kind: "borrow", caller: borrower, market: m, offer: 0, tier, principal: 10n, pseudonym, proof: "fresh" },
        { kind: "borrow", caller: borrower, market: 1 - m, offer: 0, tier: 0, principal: 10n, pseudonym, proof: "fresh" }
    ])

/**
 * A position's story, which random actions tell too rarely: a loan taken, an attacker trying to
 * open its position, the lender opening it, a payment, an approval (of one position or of all the
 * holder's) and a transfer by the approved address, claims by the former holder and the new one,
 * more payment, then the approved address (or whoever was drawn) claiming and the former holder
 * trying to take the position back.
 */
const positionStory: fc.Arbitrary<Action[]> = fc
    .record({ market, pseudonym: fc.integer({ min: 0, max: PSEUDONYMS.length - 1 }), borrower: oneOf(...BORROWERS), principal: thousandths, attacker: anyone, buyer: anyone, helper: anyone, days: oneOf(1, 12, 40), viaOperator: fc.boolean(), safe: fc.boolean(), payoff: fc.boolean() })
    .map(({ market: m, pseudonym, borrower, principal, attacker, buyer, helper, days, viaOperator, safe, payoff }): Action[] => [
        { kind: "borrow", caller: borrower, market: m, offer: 0, tier: 0, principal, pseudonym, proof: "fresh" },
        { kind: "openPosition", caller: attacker, as: "caller", market: m, loan: -1 },
        { kind: "openPosition", caller: attacker, as: "lender", market: m, loan: -1 },
        { kind: "wait", seconds: days * DAY },
        { kind: "repayInstalment", caller: borrower, market: m, loan: -1 },
        viaOperator
            ? { kind: "setPositionOperator", caller: helper, as: "holder", market: m, loan: -1, operator: helper, approved: true }
            : { kind: "approvePosition", caller: helper, as: "holder", market: m, loan: -1, spender: helper },
        { kind: "transferPosition", caller: attacker, as: "operator", market: m, loan: -1, from: "holder", to: buyer, safe },
        { kind: "claimPosition", caller: attacker, as: "former", market: m, loan: -1 },
        { kind: "claimPosition", caller: attacker, as: "holder", market: m, loan: -1 },
        payoff ? { kind: "repayAll", caller: borrower, market: m, loan: -1 } : { kind: "repay", caller: borrower, market: m, loan: -1, amount: 300n },
        { kind: "claimPosition", caller: attacker, as: "operator", market: m, loan: -1 },
        { kind: "transferPosition", caller: attacker, as: "former", market: m, loan: -1, from: "holder", to: attacker, safe: false }
    ])

/** A sequence: mostly single actions, now and then a default story or a position's story. */
const sequenceArb: fc.Arbitrary<Action[]> = fc
    .array(fc.oneof({ weight: 45, arbitrary: actionArb.map((a) => [a]) }, { weight: 3, arbitrary: defaultStory }, { weight: 1, arbitrary: positionStory }), { minLength: 1, maxLength: 16 })
    .map((chunks) => chunks.flat())

/**
 * Sequences that always run first: they reach a default and its recovery, the two-loan limit and a
 * payoff, a member replaced, and every refusal of the position operations (opening a repaid or a
 * recovered loan, transfers to 0 and to a market, an approval by one approved for the token only,
 * a former operator moving the position), a position held by a market nobody can claim for.
 */
const EXAMPLES: [Action[]][] = [
    [
        [
            { kind: "borrow", caller: 5, market: 0, offer: 0, tier: 1, principal: 500n, pseudonym: 0, proof: "fresh" },
            { kind: "borrow", caller: 6, market: 0, offer: 0, tier: 0, principal: 100n, pseudonym: 0, proof: "fresh" },
            { kind: "wait", seconds: 12 * DAY },
            { kind: "repayInstalment", caller: 5, market: 0, loan: 0 },
            { kind: "wait", seconds: 40 * DAY },
            { kind: "markDefault", caller: 8, market: 0, loan: 0 },
            { kind: "borrow", caller: 5, market: 0, offer: 0, tier: 0, principal: 1n, pseudonym: 0, proof: "fresh" },
            { kind: "repay", caller: 5, market: 0, loan: 0, amount: 1n },
            { kind: "repayAll", caller: 6, market: 0, loan: 0 },
            { kind: "repayAll", caller: 5, market: 0, loan: 0 },
            { kind: "withdraw", caller: 2, market: 0, offer: 0, amount: "all" }
        ]
    ],
    [
        [
            { kind: "borrow", caller: 5, market: 1, offer: 0, tier: 1, principal: "max", pseudonym: 1, proof: "fresh" },
            { kind: "borrow", caller: 6, market: 1, offer: 0, tier: 2, principal: "max", pseudonym: 1, proof: "fresh" },
            { kind: "borrow", caller: 7, market: 1, offer: 0, tier: 0, principal: 1n, pseudonym: 1, proof: "fresh" },
            { kind: "borrow", caller: 7, market: 1, offer: 0, tier: 0, principal: 1n, pseudonym: 2, proof: "replay" },
            { kind: "repay", caller: 8, market: 1, loan: 0, amount: "outstandingPlusOne" },
            { kind: "wait", seconds: 3 * DAY },
            { kind: "repayAll", caller: 8, market: 1, loan: 0 },
            { kind: "repayAll", caller: 5, market: 1, loan: 0 },
            { kind: "withdraw", caller: 3, market: 1, offer: 0, amount: "allPlusOne" }
        ]
    ],
    [
        [
            { kind: "kycAdd", caller: 8, commitments: [7n], root: 1n },
            { kind: "kycAdd", caller: 1, commitments: [7n, 8n], root: 2n },
            { kind: "setOfficer", caller: 2, target: 8, grant: true },
            { kind: "setOfficer", caller: 0, target: 8, grant: true },
            { kind: "kycRemove", caller: 8, index: 0, root: 2n },
            { kind: "kycPause", caller: 8, pause: true },
            { kind: "kycPause", caller: 8, pause: false },
            { kind: "kycPause", caller: 0, pause: false },
            { kind: "addKey", caller: 1, bureauId: 1, ax: 1n, ay: 2n, keyHash: 11n, validFrom: 0, validUntil: 100 * DAY },
            { kind: "addKey", caller: 0, bureauId: 1, ax: 1n, ay: 2n, keyHash: 12n, validFrom: 0, validUntil: 100 * DAY },
            { kind: "revokeKey", caller: 0, keyHash: 12n },
            { kind: "pauseMarket", caller: 5, market: 0, pause: true },
            { kind: "pauseMarket", caller: 0, market: 0, pause: true },
            { kind: "borrow", caller: 5, market: 0, offer: 0, tier: 0, principal: 1n, pseudonym: 3, proof: "fresh" },
            // the officer replaces a member: rare enough in random sequences to be missed by a CI-sized run
            { kind: "kycReplace", caller: 1, index: 1, commitment: 9n, root: 4n }
        ]
    ],
    [
        [
            { kind: "openPosition", caller: 2, as: "lender", market: 0, loan: 9 },
            { kind: "borrow", caller: 5, market: 0, offer: 0, tier: 0, principal: 100n, pseudonym: 1, proof: "fresh" },
            { kind: "borrow", caller: 6, market: 0, offer: 0, tier: 1, principal: 10n, pseudonym: 2, proof: "fresh" },
            { kind: "borrow", caller: 7, market: 0, offer: 0, tier: 0, principal: 10n, pseudonym: 3, proof: "fresh" },
            { kind: "repayAll", caller: 6, market: 0, loan: 1 },
            { kind: "openPosition", caller: 2, as: "lender", market: 0, loan: 1 },
            { kind: "openPosition", caller: 5, as: "caller", market: 0, loan: 0 },
            { kind: "openPosition", caller: 5, as: "lender", market: 0, loan: 0 },
            { kind: "openPosition", caller: 5, as: "lender", market: 0, loan: 0 },
            { kind: "claimPosition", caller: 2, as: "holder", market: 0, loan: 0 },
            { kind: "claimPosition", caller: 2, as: "holder", market: 0, loan: 2 },
            { kind: "approvePosition", caller: 8, as: "caller", market: 0, loan: 0, spender: 8 },
            { kind: "approvePosition", caller: 8, as: "caller", market: 0, loan: 2, spender: 8 },
            { kind: "transferPosition", caller: 2, as: "holder", market: 0, loan: 2, from: "holder", to: 4, safe: false },
            { kind: "setPositionOperator", caller: 2, as: "holder", market: 0, loan: 0, operator: "zero", approved: true },
            { kind: "setPositionOperator", caller: 2, as: "holder", market: 0, loan: 0, operator: 7, approved: true },
            { kind: "transferPosition", caller: 7, as: "operator", market: 0, loan: 0, from: "holder", to: "zero", safe: false },
            { kind: "transferPosition", caller: 7, as: "operator", market: 0, loan: 0, from: "caller", to: 4, safe: false },
            { kind: "transferPosition", caller: 7, as: "operator", market: 0, loan: 0, from: "holder", to: "market", safe: true },
            { kind: "transferPosition", caller: 7, as: "operator", market: 0, loan: 0, from: "holder", to: 4, safe: false },
            // lender0's operator is not lender2's, and lender0 cannot take it back
            { kind: "transferPosition", caller: 7, as: "caller", market: 0, loan: 0, from: "holder", to: 8, safe: false },
            { kind: "transferPosition", caller: 8, as: "former", market: 0, loan: 0, from: "holder", to: 2, safe: true },
            { kind: "wait", seconds: 12 * DAY },
            { kind: "repayInstalment", caller: 5, market: 0, loan: 0 },
            { kind: "claimPosition", caller: 2, as: "former", market: 0, loan: 0 },
            { kind: "claimPosition", caller: 8, as: "caller", market: 0, loan: 0 },
            { kind: "approvePosition", caller: 4, as: "holder", market: 0, loan: 0, spender: 8 },
            // approved for the token only: it may claim (for the holder), not approve another
            { kind: "approvePosition", caller: 8, as: "operator", market: 0, loan: 0, spender: 5 },
            { kind: "claimPosition", caller: 8, as: "operator", market: 0, loan: 0 },
            { kind: "repayInstalment", caller: 5, market: 0, loan: 0 },
            { kind: "claimPosition", caller: 8, as: "holder", market: 0, loan: 0 },
            // a plain transferFrom to a contract that cannot claim: allowed, and the credits stay in the market
            { kind: "transferPosition", caller: 4, as: "holder", market: 0, loan: 0, from: "holder", to: "market", safe: false },
            { kind: "repay", caller: 5, market: 0, loan: 0, amount: 500n },
            { kind: "claimPosition", caller: 4, as: "former", market: 0, loan: 0 },
            { kind: "wait", seconds: 40 * DAY },
            { kind: "markDefault", caller: 8, market: 0, loan: 0 },
            { kind: "markDefault", caller: 8, market: 0, loan: 2 },
            { kind: "repayAll", caller: 5, market: 0, loan: 0 },
            { kind: "repayAll", caller: 7, market: 0, loan: 2 },
            { kind: "openPosition", caller: 2, as: "lender", market: 0, loan: 2 },
            // rare in random sequences: more than the offer has left
            { kind: "withdraw", caller: 2, market: 0, offer: 0, amount: "all" },
            { kind: "borrow", caller: 6, market: 0, offer: 0, tier: 0, principal: 1n, pseudonym: 0, proof: "fresh" }
        ]
    ]
]

// ------------------------------------------------------------------------------------ running

/** What the runs reached, over all runs: successes per kind, failures per error. */
const reached = new Map<string, number>()
const count = (key: string) => reached.set(key, (reached.get(key) ?? 0) + 1)
let sequences = 0
let operations = 0

/** What a sequence did: each action's outcome (a wait's is success), and the chain and the model at the end. */
interface Run {
    world: World
    outcomes: Outcome[]
    end: View
    state: ModelState
}

async function runSequence(actions: Action[]): Promise<Run> {
    const w: World = await loadFixture(deployWorld)
    const { tokenAddresses, reader } = await worldContext(w)

    const state: ModelState = initialState(w.seeded)
    let now = BigInt(await time.latest())
    let proofClock = 1n
    let before: View = await reader.start()
    expect(before, "the world starts as the model says").toEqual(modelView(state, tokenAddresses, w.addresses))
    sequences++
    const outcomes: Outcome[] = []
    /** Whether a position operation succeeded: only then may the positions' ERC-721 state have changed. */
    let positionsTouched = false

    for (const [i, action] of actions.entries()) {
        let label = `step ${i} ${JSON.stringify(action, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`
        let succeeded = true
        let done: Authority | undefined
        if (action.kind === "wait") {
            now += BigInt(action.seconds)
            await time.increaseTo(now)
            outcomes.push({ ok: true })
        } else {
            now += 1n
            await time.setNextBlockTimestamp(now)
            const resolved = resolve(state, action, now, proofClock)
            // position operations choose their caller by role: the label names who it was
            if ("as" in resolved) label += ` by ${ACTORS[resolved.caller]}`
            if (action.kind === "borrow" && action.proof !== "replay") proofClock++
            const tags = tagsOf(state, resolved)
            const predicted = step(state, resolved, now, w.addresses)
            const revert = await attempt(() => send(w, tokenAddresses, resolved))
            const result = revert ? `✗ ${revert.name}` : "✓"
            if (revert) {
                // not mined: the next transaction may take this second
                now -= 1n
                succeeded = false
            }
            count(`${action.kind} ${result}`)
            for (const tag of tags) count(`${action.kind} ${tag} ${result}`)
            const outcome: Outcome = revert ? { ok: false, revert } : { ok: true }
            outcomes.push(outcome)
            expect(outcome, `${label}: outcome`).toEqual(predicted)
            if (succeeded && POSITION_ACTIONS.includes(action.kind)) positionsTouched = true
            done = { kind: action.kind, caller: "caller" in resolved ? resolved.caller : -1, succeeded, market: "market" in resolved ? resolved.market : undefined, loanId: resolved.loanId }
        }
        operations++
        // a reverted transaction mines nothing and waiting moves only time: the state cannot have
        // changed (the model agrees, and the full read at the end of the sequence checks it); a
        // refused position operation is read back at once, to show it changed nothing
        if (!done || (!succeeded && !POSITION_ACTIONS.includes(action.kind))) continue
        const after = await reader.read(partsOf(action), before)
        if (!succeeded) {
            expect(after, `${label}: refused, and nothing changed`).toEqual(before)
            continue
        }
        const violations = invariantViolations(before, after, done, ledgerOf(state), tokenAddresses, w.holders)
        expect(violations, `${label}: invariants`).toEqual([])
        expect(after, `${label}: state`).toEqual(modelView(state, tokenAddresses, w.addresses))
        before = after
    }
    // the parts not read after each step did not change either (the positions' ERC-721 state only
    // changes through a position operation: no other action calls the positions' contract but to read)
    const end = await reader.read(positionsTouched ? ALL_PARTS : ["markets", "registries"], before)
    expect(end, "the whole state at the end").toEqual(modelView(state, tokenAddresses, w.addresses))
    return { world: w, outcomes, end, state }
}

/**
 * Finer counts of what the runs reached (before the action runs): who called a position
 * operation by role, a claim of a position that changed hands, a payment to a loan with a position.
 */
function tagsOf(state: ModelState, a: Resolved): string[] {
    const tags = "as" in a ? [`as ${a.as}`] : []
    const position = "market" in a && a.loanId !== undefined ? state.markets[a.market]!.loans[Number(a.loanId)]?.position : undefined
    if (a.kind === "claimPosition" && position && position.formerHolders.length > 0) tags.push("after a transfer")
    if ((a.kind === "repay" || a.kind === "repayInstalment" || a.kind === "repayAll") && position) tags.push("to a position")
    return tags
}

const REGISTRY_ACTIONS: readonly Action["kind"][] = ["kycAdd", "kycRemove", "kycReplace", "kycPause", "kycSetRootValidity", "setOfficer", "addBureau", "addKey", "revokeKey"]

/** The part of the state an action may change; the rest is carried over (and checked at the end). */
function partsOf(action: Action): Part[] {
    switch (action.kind) {
        case "openPosition":
            return ["markets", "positions"]
        case "transferPosition":
        case "approvePosition":
            return ["positions"]
        case "setPositionOperator":
            return ["operators"]
        default:
            return REGISTRY_ACTIONS.includes(action.kind) ? ["registries"] : ["markets"]
    }
}

/** Addresses and the state reader of a world, made once: `loadFixture` returns the same world every time. */
const contexts = new WeakMap<World, { tokenAddresses: string[]; reader: Reader }>()
async function worldContext(w: World): Promise<{ tokenAddresses: string[]; reader: Reader }> {
    let context = contexts.get(w)
    if (!context) {
        context = { tokenAddresses: await Promise.all(w.tokens.map((t) => t.getAddress())), reader: await viewReader(w) }
        contexts.set(w, context)
    }
    return context
}

/** Deposits and withdrawals per offer, as the model counted them (the chain keeps no such totals). */
function ledgerOf(state: ModelState): { deposited: bigint; withdrawn: bigint }[][] {
    return state.markets.map((m) => m.offers.map((o) => ({ deposited: o.deposited, withdrawn: o.withdrawn })))
}

describe("contract invariants under random operation sequences (fast-check; MockCreditVerifier: funds, records and roles, not proofs)", () => {
    it("hold after every operation of random sequences by lenders, borrowers, officers, the admin and strangers (500 in CI, 10,000 with ZKCREDIT_FULL=1)", { timeout: FULL ? 3_600_000 : 600_000 }, async () => {
        const started = performance.now()
        await fc.assert(
            fc.asyncProperty(sequenceArb, async (actions) => void (await runSequence(actions))),
            { numRuns: RUNS, examples: EXAMPLES }
        )
        const seconds = (performance.now() - started) / 1000
        const rows = [...reached].sort(([a], [b]) => a.localeCompare(b))
        console.log(`invariant fuzz: ${sequences} sequences, ${operations} operations in ${seconds.toFixed(1)} s\n${rows.map(([k, n]) => `  ${k}: ${n}`).join("\n")}`)
        expect(sequences).toBeGreaterThanOrEqual(RUNS)
        // the runs reached what matters, by the rules and against them
        for (const key of [
            "borrow ✓",
            "repay ✓",
            "repayInstalment ✓",
            "repayAll ✓",
            "markDefault ✓",
            "withdraw ✓",
            "deposit ✓",
            "createOffer ✓",
            "borrow ✗ PseudonymDefaulted",
            "borrow ✗ TooManyActiveLoans",
            "borrow ✗ ProofReplayed",
            "borrow ✗ InsufficientLiquidity",
            "borrow ✗ EnforcedPause",
            "withdraw ✗ NotOfferLender",
            "repay ✗ RepaymentExceedsDebt",
            "markDefault ✗ LoanNotInDefault",
            "markDefault ✗ LoanNotActive",
            "repayAll ✗ LoanNotActive",
            "repayAll ✗ NothingOwed",
            "kycAdd ✓",
            "kycRemove ✓",
            "kycReplace ✓",
            "revokeKey ✓",
            "kycPause ✗ AccessControlUnauthorizedAccount",
            "kycSetRootValidity ✗ AccessControlUnauthorizedAccount",
            "addBureau ✗ AccessControlUnauthorizedAccount",
            "kycAdd ✗ AccessControlUnauthorizedAccount",
            "kycRemove ✗ AccessControlUnauthorizedAccount",
            "kycReplace ✗ AccessControlUnauthorizedAccount",
            "setOfficer ✗ AccessControlUnauthorizedAccount",
            "addKey ✓",
            "addKey ✗ AccessControlUnauthorizedAccount",
            "revokeKey ✗ AccessControlUnauthorizedAccount",
            "pauseMarket ✗ AccessControlUnauthorizedAccount",
            "openPosition as lender ✓",
            "openPosition as caller ✗ NotOfferLender",
            "openPosition ✗ PositionAlreadyOpen",
            "openPosition ✗ LoanNotActive",
            "openPosition ✗ NothingOwed",
            "openPosition ✗ UnknownLoan",
            "repayInstalment to a position ✓",
            "repay to a position ✓",
            "repayAll to a position ✓",
            "claimPosition as holder ✓",
            "claimPosition as operator ✓",
            "claimPosition after a transfer ✓",
            "claimPosition as former ✗ NotPositionHolder",
            "claimPosition as caller ✗ NotPositionHolder",
            "claimPosition ✗ NothingToClaim",
            "claimPosition ✗ UnknownPosition",
            "transferPosition as holder ✓",
            "transferPosition as operator ✓",
            "transferPosition as former ✗ ERC721InsufficientApproval",
            "transferPosition ✗ ERC721IncorrectOwner",
            "transferPosition ✗ ERC721InvalidReceiver",
            "transferPosition ✗ ERC721NonexistentToken",
            "approvePosition ✓",
            "approvePosition ✗ ERC721InvalidApprover",
            "approvePosition ✗ ERC721NonexistentToken",
            "setPositionOperator ✓",
            "setPositionOperator ✗ ERC721InvalidOperator"
        ]) {
            expect(reached.get(key) ?? 0, key).toBeGreaterThan(0)
        }
    })

    it("a fixed sequence: the lender opens a position and sells it; the buyer is paid the next instalment, the lender can no longer claim", async () => {
        const [lender, buyer] = [LENDERS[0]!, LENDERS[1]!]
        const borrower = BORROWERS[0]!
        const run = await runSequence([
            { kind: "borrow", caller: borrower, market: 0, offer: 0, tier: 0, principal: 1000n, pseudonym: 0, proof: "fresh" },
            { kind: "openPosition", caller: lender, as: "caller", market: 0, loan: 0 },
            { kind: "transferPosition", caller: lender, as: "caller", market: 0, loan: 0, from: "caller", to: buyer, safe: true },
            { kind: "repayInstalment", caller: borrower, market: 0, loan: 0 },
            { kind: "claimPosition", caller: lender, as: "caller", market: 0, loan: 0 },
            { kind: "claimPosition", caller: buyer, as: "caller", market: 0, loan: 0 },
            { kind: "claimPosition", caller: buyer, as: "caller", market: 0, loan: 0 },
            { kind: "transferPosition", caller: lender, as: "caller", market: 0, loan: 0, from: "caller", to: lender, safe: false }
        ])
        const { actors } = run.world.addresses
        // market 0's offer 0 (the fixture's): tier 0 lends at most 5,000,000 at 18 %, three monthly instalments
        const capacity = FIXTURE_OFFERS[0]![5]
        const principal = TIER_PRESETS[0][0].maxPrincipal
        const firstInstalment = cumulativeDue(principal + interest(principal, 1800n, BigInt(TERM_PRESETS[0].term)), 3n, 1n)
        expect(run.outcomes).toEqual([
            { ok: true },
            { ok: true },
            { ok: true },
            { ok: true },
            { ok: false, revert: { name: "NotPositionHolder", args: [0n, actors[lender], actors[buyer]] } },
            { ok: true },
            { ok: false, revert: { name: "NothingToClaim", args: [0n] } },
            { ok: false, revert: { name: "ERC721InsufficientApproval", args: [actors[lender], 0n] } }
        ])
        const tokenBalances = run.end.tokens[0]!.balances
        expect(tokenBalances[buyer], "the buyer was paid the instalment").toBe(MINTED + firstInstalment)
        expect(tokenBalances[lender], "the lender was paid nothing after selling").toBe(MINTED - capacity)
        expect(tokenBalances[borrower]).toBe(MINTED + principal - firstInstalment)
        expect(run.end.markets[0]!.offers[0]!.available, "the offer was not credited").toBe(capacity - principal)
        expect(run.end.markets[0]!.loans[0]!.position).toEqual({ open: true, receivedBeforeOpen: 0n, received: firstInstalment, claimed: firstInstalment, claimable: 0n })
        expect(run.end.positions[0]!.tokens).toEqual([{ loanId: 0n, holder: actors[buyer], approved: `0x${"00".repeat(20)}` }])
        expect(run.state.markets[0]!.loans[0]!.position!.paidTo).toEqual(new Map([[buyer, firstInstalment]]))
    })
})
