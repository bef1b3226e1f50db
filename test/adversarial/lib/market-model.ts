/**
 * A TypeScript model of two `LoanMarket`s (with their offer positions, an ERC-721 each) and the
 * KYC and bureau parts of the `TrustRegistry`, written from the rules in contracts/interfaces
 * (NatSpec), OpenZeppelin's ERC-721 and the contracts' check order. For every operation it predicts the exact
 * outcome: success with its effects (token movements to the wei, offers, loans, positions and who
 * holds, may move and is paid by each, pseudonym records, registry state), or the exact custom
 * error with its arguments. Positions are kept by their own books: what the loan received before
 * the opening is noted once, every later payment is added to what the position received, every
 * claim to what it claimed and to what its payee was paid (not the contract's packed slot).
 * The invariant fuzz runs the same operation on the chain and compares both, after every step.
 *
 * Pure: no chain access. Times are the block time of the transaction (the fuzz sets it).
 */
import { SNARK_SCALAR_FIELD } from "../../../prover/src/index.ts"
import { countDueBefore, cumulativeDue, dueTime, instalmentsPaid, interest, payoffTotal, periodsStarted } from "../../helpers/loan-math.ts"
import type { Revert } from "./reverts.ts"

export const P = SNARK_SCALAR_FIELD
const UINT64_MAX = 2n ** 64n - 1n
const MAX_ROOT_VALIDITY = 30n * 86_400n
const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}`

/** Actors by index: who they are is what the model's role checks know. */
export const ACTORS = ["admin", "officer", "lender0", "lender1", "lender2", "borrower0", "borrower1", "borrower2", "stranger"] as const
export const ADMIN = 0
export const OFFICER = 1
export const LENDERS = [2, 3, 4]
export const BORROWERS = [5, 6, 7]

/** Pseudonyms (nullifiers) borrowers use; with the mock verifier any caller may use any of them. */
export const PSEUDONYMS = [0x101n, 0x202n, 0x303n, 0x404n]

/** Tier sets an offer may have: ordinary ones, a 0 % and a 500 % rate, a 7-unit maximum (rounding). */
export const TIER_PRESETS = [
    [
        { minScore: 600, aprBps: 1800, maxPrincipal: 5_000_000n },
        { minScore: 700, aprBps: 1200, maxPrincipal: 20_000_000n }
    ],
    [
        { minScore: 500, aprBps: 0, maxPrincipal: 1_000_000n },
        { minScore: 650, aprBps: 50_000, maxPrincipal: 3_000_000n },
        { minScore: 800, aprBps: 1, maxPrincipal: 7n }
    ]
] as const

const DAY = 86_400
/** Loan terms an offer may have: monthly, daily without grace, a year, and a one-second loan. */
export const TERM_PRESETS = [
    { term: 30 * DAY, instalmentCount: 3, gracePeriod: 2 * DAY, defaultPeriod: 10 * DAY, lateFee: 1_000n },
    { term: 7 * DAY, instalmentCount: 7, gracePeriod: 0, defaultPeriod: DAY, lateFee: 0n },
    { term: 365 * DAY, instalmentCount: 12, gracePeriod: 5 * DAY, defaultPeriod: 60 * DAY, lateFee: 123_457n },
    { term: 1, instalmentCount: 1, gracePeriod: 0, defaultPeriod: 1, lateFee: 1n }
] as const

/** Roots and commitments the registry actions pick from: valid ones, 0 and values at or above p. */
export const ROOT_POOL = [1n, 2n, 3n, 4n, 5n, 0n, P, P - 1n]
export const COMMITMENT_POOL = [7n, 8n, 9n, 0n, P, P - 1n, 2n ** 256n - 1n]
export const KEY_HASH_POOL = [11n, 12n, 13n, 0n, P]
export const KEY_COORD_POOL = [1n, 2n, 0n, P]

export interface Offer {
    token: number
    lender: number
    available: bigint
    paused: boolean
    tiers: readonly { minScore: number; aprBps: number; maxPrincipal: bigint }[]
    term: bigint
    count: bigint
    gracePeriod: bigint
    defaultPeriod: bigint
    lateFee: bigint
    /** Capacity and deposits, all time. */
    deposited: bigint
    /** Withdrawals, all time. */
    withdrawn: bigint
}

export interface Loan {
    pseudonym: number
    principal: bigint
    start: bigint
    offerId: number
    tier: number
    lateInstalmentsCharged: bigint
    /** 1 active, 2 repaid, 3 defaulted (the contract's enum). */
    status: 1n | 2n | 3n
    repaid: bigint
    lateFeesPaid: bigint
    /** Its offer position, once the lender opened one (`openPosition`). */
    position?: Position
}

/** An offer position (ERC-721 id = loan id of the market's `positions()`). */
export interface Position {
    /** Its holder: an actor, or a market's holder index (a contract a plain `transferFrom` sent it to). */
    holder: number
    /** The actor approved for this position (`approve`), -1 for none; every transfer clears it. */
    approved: number
    /** What the loan had received (repayments and late fees) when the position opened: the offer's. */
    receivedBeforeOpen: bigint
    /** What the loan paid since the opening: all of it is the position's. */
    received: bigint
    /** What its holders claimed. */
    claimed: bigint
    /** What claims paid, by holder index: each claim pays the holder of that moment, to the wei. */
    paidTo: Map<number, bigint>
    /** Who held it before, oldest first (the fuzz's former holders try to claim and move it). */
    formerHolders: number[]
}

export interface PseudonymRecord {
    loansTaken: bigint
    loansRepaid: bigint
    lateInstalments: bigint
    defaults: bigint
    activeLoans: bigint
    lastProofTime: bigint
    loansRecovered: bigint
}

export interface Market {
    maxActiveLoans: bigint
    paused: boolean
    offers: Offer[]
    loans: Loan[]
    /** By pseudonym index. */
    records: PseudonymRecord[]
    /** `operators[owner][operator]`: the positions' `setApprovalForAll`, between actors. */
    operators: boolean[][]
}

export interface BureauKey {
    ax: bigint
    ay: bigint
    bureauId: bigint
    validFrom: bigint
    validUntil: bigint
    revokedAt: bigint
}

/** Everything the model knows; addresses are actor or holder indices. */
export interface ModelState {
    /** `balances[token][holder]`: holders are the actors, then the markets. */
    balances: bigint[][]
    supplies: bigint[]
    markets: Market[]
    kyc: {
        currentRoot: bigint
        nextIndex: bigint
        rootValidity: bigint
        paused: boolean
        officers: boolean[]
        admins: boolean[]
        roots: Map<bigint, { createdAt: bigint; replacedAt: bigint }>
    }
    /** `admins`: the holders of `BUREAU_ADMIN_ROLE`. */
    bureau: { count: bigint; admins: boolean[]; keys: Map<bigint, BureauKey> }
}

/** An operation, as the fuzz generates it (indices are resolved against the state when run). */
export type Action =
    | { kind: "createOffer"; caller: number; market: number; token: number; capacity: bigint; tiers: number; terms: number }
    | { kind: "deposit"; caller: number; market: number; offer: number; amount: bigint }
    | { kind: "withdraw"; caller: number; market: number; offer: number; amount: "all" | "allPlusOne" | bigint }
    | { kind: "setOfferPaused"; caller: number; market: number; offer: number; paused: boolean }
    | { kind: "borrow"; caller: number; market: number; offer: number; tier: number; principal: "max" | "maxPlusOne" | "available" | "availablePlusOne" | bigint; pseudonym: number; proof: "fresh" | "replay" | "invalid" }
    | { kind: "repay"; caller: number; market: number; loan: number; amount: "outstanding" | "outstandingPlusOne" | bigint }
    | { kind: "repayInstalment"; caller: number; market: number; loan: number }
    | { kind: "repayAll"; caller: number; market: number; loan: number }
    | { kind: "markDefault"; caller: number; market: number; loan: number }
    | { kind: "wait"; seconds: number }
    | { kind: "pauseMarket"; caller: number; market: number; pause: boolean }
    | { kind: "kycAdd"; caller: number; commitments: bigint[]; root: bigint }
    | { kind: "kycRemove"; caller: number; index: number; root: bigint }
    | { kind: "kycReplace"; caller: number; index: number; commitment: bigint; root: bigint }
    | { kind: "kycPause"; caller: number; pause: boolean }
    | { kind: "kycSetRootValidity"; caller: number; validity: bigint }
    | { kind: "setOfficer"; caller: number; target: number; grant: boolean }
    | { kind: "addBureau"; caller: number; name: string }
    | { kind: "addKey"; caller: number; bureauId: number; ax: bigint; ay: bigint; keyHash: bigint; validFrom: number; validUntil: number }
    | { kind: "revokeKey"; caller: number; keyHash: bigint }
    | { kind: "openPosition"; caller: number; as: "lender" | "caller"; market: number; loan: number }
    | { kind: "claimPosition"; caller: number; as: PositionRole; market: number; loan: number }
    | { kind: "transferPosition"; caller: number; as: PositionRole; market: number; loan: number; from: "holder" | "caller"; to: number | "self" | "zero" | "market"; safe: boolean }
    | { kind: "approvePosition"; caller: number; as: PositionRole; market: number; loan: number; spender: number | "zero" }
    | { kind: "setPositionOperator"; caller: number; as: "holder" | "caller"; market: number; loan: number; operator: number | "zero"; approved: boolean }

/**
 * Who calls a position operation, resolved against the position when it runs: its holder, an
 * actor it approved or an operator of its holder (not the holder), its latest former holder, or
 * `caller` as drawn (any actor). A role nobody has falls back to `caller`.
 */
export type PositionRole = "holder" | "operator" | "former" | "caller"

/** The position operations: none of them may change an offer, a loan's terms or payments, or a record. */
export const POSITION_ACTIONS: readonly Action["kind"][] = ["openPosition", "claimPosition", "transferPosition", "approvePosition", "setPositionOperator"]

/** `to`, `spender` or `operator` resolved: a holder index, or -1 for the zero address. */
export const ZERO_HOLDER = -1

/** An action with every choice resolved against the state: what is sent to the chain. */
export type Resolved = Action & { offerId?: bigint; loanId?: bigint; amountValue?: bigint; principalValue?: bigint; proofTime?: bigint; validFromValue?: bigint; validUntilValue?: bigint; fromValue?: number; toValue?: number }

/** What the model expects of an action: success, or this revert. */
export type Outcome = { ok: true } | { ok: false; revert: Revert }

/** Addresses of actors, holders and roles, to build expected error arguments. */
export interface Addresses {
    actors: string[]
    markets: string[]
    officerRole: string
    /** The trust registry's `BUREAU_ADMIN_ROLE`: bureaus and their keys. */
    bureauAdminRole: string
}

const fail = (name: string, ...args: unknown[]): Outcome => ({ ok: false, revert: { name, args: args.map(norm) } })
const norm = (v: unknown): unknown => (typeof v === "number" ? BigInt(v) : typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v)
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b)
export const ZERO_ADDRESS = `0x${"00".repeat(20)}`

/** The address of a holder index (actors, then markets; -1 the zero address). */
export function holderAddress(addr: Addresses, holder: number): string {
    if (holder === ZERO_HOLDER) return ZERO_ADDRESS
    return holder < ACTORS.length ? addr.actors[holder]! : addr.markets[holder - ACTORS.length]!
}

/** Whether `actor` may move and claim the position: its holder, approved for it, or an operator of its holder (ERC-721 `_isAuthorized`). */
function authorized(m: Market, p: Position, actor: number): boolean {
    return actor === p.holder || actor === p.approved || (p.holder < ACTORS.length && m.operators[p.holder]![actor]!)
}

/** The actor a position operation's role names (see {@link PositionRole}). */
function roleActor(m: Market, p: Position | undefined, role: PositionRole, caller: number): number {
    if (!p || role === "caller") return caller
    if (role === "holder") return p.holder < ACTORS.length ? p.holder : caller
    if (role === "former") return [...p.formerHolders].reverse().find((h) => h !== p.holder && h < ACTORS.length) ?? caller
    const operator = ACTORS.findIndex((_, a) => a !== p.holder && authorized(m, p, a))
    return operator === -1 ? caller : operator
}

/** The total a loan owes (principal plus the whole term's interest). */
export function loanTotal(offer: Offer, loan: Loan): bigint {
    return loan.principal + interest(loan.principal, BigInt(offer.tiers[loan.tier]!.aprBps), offer.term)
}

/**
 * Resolves an action's relative choices (which offer, which loan, how much) against the state, so
 * that the chain and the model see the same numbers.
 */
export function resolve(state: ModelState, action: Action, now: bigint, proofClock: bigint): Resolved {
    const r: Resolved = { ...action }
    if ("market" in action && "offer" in action) {
        const offers = state.markets[action.market]!.offers
        // an index past the end names an offer that does not exist
        r.offerId = action.offer >= 8 || offers.length === 0 ? BigInt(offers.length + action.offer) : BigInt(action.offer % offers.length)
    }
    if ("market" in action && "loan" in action) {
        const loans = state.markets[action.market]!.loans
        // -1: the latest loan; 8 and up: one past the end
        r.loanId = action.loan === -1 ? BigInt(Math.max(0, loans.length - 1)) : action.loan >= 8 || loans.length === 0 ? BigInt(loans.length + action.loan) : BigInt(action.loan % loans.length)
    }
    const m = "market" in action ? state.markets[action.market]! : undefined
    const offer = m && r.offerId !== undefined ? m.offers[Number(r.offerId)] : undefined
    const loan = m && r.loanId !== undefined ? m.loans[Number(r.loanId)] : undefined
    switch (action.kind) {
        case "openPosition":
            if (action.as === "lender" && loan) Object.assign(r, { caller: m!.offers[loan.offerId]!.lender })
            break
        case "claimPosition":
        case "approvePosition":
        case "setPositionOperator":
            Object.assign(r, { caller: roleActor(m!, loan?.position, action.as, action.caller) })
            break
        case "transferPosition": {
            const p = loan?.position
            const caller = roleActor(m!, p, action.as, action.caller)
            const { to } = action
            Object.assign(r, { caller })
            r.fromValue = action.from === "holder" && p ? p.holder : caller
            r.toValue = to === "zero" ? ZERO_HOLDER : to === "market" ? ACTORS.length + action.market : to === "self" ? (p?.holder ?? caller) : to
            break
        }
        case "withdraw":
            r.amountValue = action.amount === "all" ? (offer?.available ?? 0n) : action.amount === "allPlusOne" ? (offer?.available ?? 0n) + 1n : action.amount
            break
        case "deposit":
            r.amountValue = action.amount
            break
        case "borrow": {
            const tier = offer?.tiers[action.tier]
            const cap = tier?.maxPrincipal ?? 1_000n
            const available = offer?.available ?? 0n
            const named = { max: cap, maxPlusOne: cap + 1n, available, availablePlusOne: available + 1n } as const
            r.principalValue = typeof action.principal === "string" ? named[action.principal] : action.principal === 0n ? 0n : max(1n, (cap * action.principal) / 1000n)
            const last = m!.records[action.pseudonym]!.lastProofTime
            r.proofTime = action.proof === "replay" ? last : proofClock
            break
        }
        case "repay": {
            const outstanding = loan ? loanTotal(m!.offers[loan.offerId]!, loan) - loan.repaid : 0n
            r.amountValue = action.amount === "outstanding" ? outstanding : action.amount === "outstandingPlusOne" ? outstanding + 1n : action.amount === 0n ? 0n : max(1n, (outstanding * action.amount) / 1000n)
            break
        }
        case "addKey":
            r.validFromValue = now + BigInt(action.validFrom)
            r.validUntilValue = action.validUntil === Number.MAX_SAFE_INTEGER ? 2n ** 64n : now + BigInt(action.validUntil)
            break
    }
    return r
}

/**
 * Predicts a resolved action at block time `now` and, when it succeeds, applies its effects to
 * `state`. Follows the contracts' order of checks (modifiers first), so the first failing check is
 * the predicted error.
 */
export function step(state: ModelState, a: Resolved, now: bigint, addr: Addresses): Outcome {
    const caller = "caller" in a ? a.caller : -1
    const callerAddress = addr.actors[caller]!
    switch (a.kind) {
        case "wait":
            return { ok: true }
        case "createOffer": {
            const m = state.markets[a.market]!
            if (m.paused) return fail("EnforcedPause")
            if (a.capacity === 0n) return fail("ZeroAmount")
            const marketHolder = ACTORS.length + a.market
            const moved = transfer(state, a.token, caller, marketHolder, a.capacity, addr)
            if (moved) return moved
            const tiers = TIER_PRESETS[a.tiers]!
            const terms = TERM_PRESETS[a.terms]!
            m.offers.push({
                token: a.token,
                lender: caller,
                available: a.capacity,
                paused: false,
                tiers,
                term: BigInt(terms.term),
                count: BigInt(terms.instalmentCount),
                gracePeriod: BigInt(terms.gracePeriod),
                defaultPeriod: BigInt(terms.defaultPeriod),
                lateFee: terms.lateFee,
                deposited: a.capacity,
                withdrawn: 0n
            })
            return { ok: true }
        }
        case "deposit": {
            const m = state.markets[a.market]!
            if (m.paused) return fail("EnforcedPause")
            const checked = lenderOffer(m, a.offerId!, caller, addr)
            if ("ok" in checked) return checked
            if (a.amountValue === 0n) return fail("ZeroAmount")
            const moved = transfer(state, checked.token, caller, ACTORS.length + a.market, a.amountValue!, addr)
            if (moved) return moved
            checked.available += a.amountValue!
            checked.deposited += a.amountValue!
            return { ok: true }
        }
        case "withdraw": {
            const m = state.markets[a.market]!
            const checked = lenderOffer(m, a.offerId!, caller, addr)
            if ("ok" in checked) return checked
            const amount = a.amountValue!
            if (amount === 0n) return fail("ZeroAmount")
            if (amount > checked.available) return fail("InsufficientLiquidity", a.offerId, amount, checked.available)
            checked.available -= amount
            checked.withdrawn += amount
            transfer(state, checked.token, ACTORS.length + a.market, caller, amount, addr)
            return { ok: true }
        }
        case "setOfferPaused": {
            const checked = lenderOffer(state.markets[a.market]!, a.offerId!, caller, addr)
            if ("ok" in checked) return checked
            checked.paused = a.paused
            return { ok: true }
        }
        case "borrow": {
            const m = state.markets[a.market]!
            if (m.paused) return fail("EnforcedPause")
            const offerId = a.offerId!
            const o = m.offers[Number(offerId)]
            if (!o) return fail("UnknownOffer", offerId)
            if (o.paused) return fail("OfferPaused", offerId)
            const tier = o.tiers[a.tier]
            if (!tier) return fail("UnknownTier", offerId, a.tier, o.tiers.length)
            const principal = a.principalValue!
            if (principal === 0n || principal > tier.maxPrincipal) return fail("InvalidPrincipal", offerId, a.tier, principal, tier.maxPrincipal)
            if (principal > o.available) return fail("InsufficientLiquidity", offerId, principal, o.available)
            const nullifier = PSEUDONYMS[a.pseudonym]!
            const rec = m.records[a.pseudonym]!
            if (rec.defaults !== 0n) return fail("PseudonymDefaulted", nullifier)
            if (rec.activeLoans >= m.maxActiveLoans) return fail("TooManyActiveLoans", nullifier, rec.activeLoans, m.maxActiveLoans)
            if (a.proofTime! <= rec.lastProofTime) return fail("ProofReplayed", nullifier, a.proofTime, rec.lastProofTime)
            if (a.proof === "invalid") return fail("InvalidProof")
            rec.loansTaken += 1n
            rec.activeLoans += 1n
            rec.lastProofTime = a.proofTime!
            o.available -= principal
            m.loans.push({ pseudonym: a.pseudonym, principal, start: now, offerId: Number(offerId), tier: a.tier, lateInstalmentsCharged: 0n, status: 1n, repaid: 0n, lateFeesPaid: 0n })
            transfer(state, o.token, ACTORS.length + a.market, caller, principal, addr)
            return { ok: true }
        }
        case "repay":
        case "repayInstalment":
        case "repayAll": {
            if (a.kind === "repay" && a.amountValue === 0n) return fail("ZeroAmount")
            const { m, loanId, l } = loanOf(state, a)
            if (!l) return fail("UnknownLoan", loanId)
            if (l.status === 2n) return fail("LoanNotActive", loanId, l.status)
            // a defaulted loan still takes payments (recovery) until nothing is owed
            const defaulted = l.status === 3n
            const o = m.offers[l.offerId]!
            const total = loanTotal(o, l)
            const paidCount = instalmentsPaid(total, o.count, l.repaid)
            const outstanding = total - l.repaid
            if (outstanding === 0n) return fail("NothingOwed", loanId)
            let amount: bigint
            if (a.kind === "repayInstalment") amount = cumulativeDue(total, o.count, paidCount + 1n) - l.repaid
            else if (a.kind === "repay") {
                amount = a.amountValue!
                if (amount > outstanding) return fail("RepaymentExceedsDebt", loanId, amount, outstanding)
            } else if (defaulted) {
                amount = outstanding
            } else {
                const started = periodsStarted(l.start, o.term, o.count, now)
                const target = payoffTotal(l.principal, total - l.principal, o.count, started)
                amount = target > l.repaid ? target - l.repaid : 0n
            }
            const { newlyLate, lateCount } = lateness(o, l, paidCount, now)
            const lateFees = newlyLate * o.lateFee
            const paid = amount + lateFees
            const repaid = l.repaid + amount
            const closed = (a.kind === "repayAll" && !defaulted) || repaid === total
            if (paid !== 0n) {
                const moved = transfer(state, o.token, caller, ACTORS.length + a.market, paid, addr)
                if (moved) return moved
            }
            l.repaid = repaid
            l.lateFeesPaid += lateFees
            if (newlyLate !== 0n) l.lateInstalmentsCharged = lateCount
            const rec = m.records[l.pseudonym]!
            if (defaulted) {
                // the record keeps the default and its late count
                if (closed) rec.loansRecovered += 1n
            } else {
                rec.lateInstalments += newlyLate
                if (closed) {
                    rec.loansRepaid += 1n
                    rec.activeLoans -= 1n
                    l.status = 2n
                }
            }
            // once the loan has a position, everything it receives is the position's
            if (l.position) l.position.received += paid
            else o.available += paid
            return { ok: true }
        }
        case "openPosition": {
            const { m, loanId, l } = loanOf(state, a)
            if (!l) return fail("UnknownLoan", loanId)
            const o = m.offers[l.offerId]!
            if (caller !== o.lender) return fail("NotOfferLender", l.offerId, callerAddress, addr.actors[o.lender])
            if (l.position) return fail("PositionAlreadyOpen", loanId)
            if (l.status === 2n) return fail("LoanNotActive", loanId, l.status)
            // defaulted and recovered in full: nothing more will come
            if (l.repaid === loanTotal(o, l)) return fail("NothingOwed", loanId)
            l.position = { holder: caller, approved: -1, receivedBeforeOpen: l.repaid + l.lateFeesPaid, received: 0n, claimed: 0n, paidTo: new Map(), formerHolders: [] }
            return { ok: true }
        }
        case "claimPosition": {
            const { m, loanId, l } = loanOf(state, a)
            const p = l?.position
            if (!l || !p) return fail("UnknownPosition", loanId)
            if (!authorized(m, p, caller)) return fail("NotPositionHolder", loanId, callerAddress, holderAddress(addr, p.holder))
            const amount = p.received - p.claimed
            if (amount === 0n) return fail("NothingToClaim", loanId)
            p.claimed += amount
            // the holder is paid, whoever calls
            p.paidTo.set(p.holder, (p.paidTo.get(p.holder) ?? 0n) + amount)
            transfer(state, m.offers[l.offerId]!.token, ACTORS.length + a.market, p.holder, amount, addr)
            return { ok: true }
        }
        case "transferPosition": {
            // OpenZeppelin ERC-721 `transferFrom`: receiver, then authorization (which needs the
            // token to exist), then the owner named; `safeTransferFrom` asks a contract receiver
            const { m, loanId, l } = loanOf(state, a)
            const p = l?.position
            const to = a.toValue!
            if (to === ZERO_HOLDER) return fail("ERC721InvalidReceiver", ZERO_ADDRESS)
            if (!p) return fail("ERC721NonexistentToken", loanId)
            if (!authorized(m, p, caller)) return fail("ERC721InsufficientApproval", callerAddress, loanId)
            if (a.fromValue !== p.holder) return fail("ERC721IncorrectOwner", holderAddress(addr, a.fromValue!), loanId, holderAddress(addr, p.holder))
            // the markets have no `onERC721Received`
            if (a.safe && to >= ACTORS.length) return fail("ERC721InvalidReceiver", holderAddress(addr, to))
            p.approved = -1
            if (to !== p.holder) {
                p.formerHolders.push(p.holder)
                p.holder = to
            }
            return { ok: true }
        }
        case "approvePosition": {
            const { m, loanId, l } = loanOf(state, a)
            const p = l?.position
            if (!p) return fail("ERC721NonexistentToken", loanId)
            // the holder or an operator of the holder; one approved for the token only may not
            if (caller !== p.holder && !(p.holder < ACTORS.length && m.operators[p.holder]![caller])) return fail("ERC721InvalidApprover", callerAddress)
            p.approved = a.spender === "zero" ? -1 : a.spender
            return { ok: true }
        }
        case "setPositionOperator": {
            if (a.operator === "zero") return fail("ERC721InvalidOperator", ZERO_ADDRESS)
            state.markets[a.market]!.operators[caller]![a.operator] = a.approved
            return { ok: true }
        }
        case "markDefault": {
            const { m, loanId, l } = loanOf(state, a)
            if (!l) return fail("UnknownLoan", loanId)
            if (l.status !== 1n) return fail("LoanNotActive", loanId, l.status)
            const o = m.offers[l.offerId]!
            const total = loanTotal(o, l)
            const paidCount = instalmentsPaid(total, o.count, l.repaid)
            const defaultableAt = dueTime(l.start, o.term, o.count, paidCount) + o.defaultPeriod + 1n
            if (now < defaultableAt) return fail("LoanNotInDefault", loanId, defaultableAt)
            // late instalments count in the record now; their fees stay due for recovery payments
            const { newlyLate } = lateness(o, l, paidCount, now)
            l.status = 3n
            const rec = m.records[l.pseudonym]!
            rec.lateInstalments += newlyLate
            rec.defaults += 1n
            rec.activeLoans -= 1n
            return { ok: true }
        }
        case "pauseMarket": {
            const m = state.markets[a.market]!
            if (caller !== ADMIN) return fail("AccessControlUnauthorizedAccount", callerAddress, DEFAULT_ADMIN_ROLE)
            if (a.pause && m.paused) return fail("EnforcedPause")
            if (!a.pause && !m.paused) return fail("ExpectedPause")
            m.paused = a.pause
            return { ok: true }
        }
        case "kycAdd":
        case "kycRemove":
        case "kycReplace": {
            const k = state.kyc
            if (!k.officers[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, addr.officerRole)
            if (k.paused) return fail("EnforcedPause")
            if (a.kind === "kycAdd") {
                if (a.commitments.length === 0) return fail("EmptyBatch")
                const bad = a.commitments.find((c) => c === 0n || c >= P)
                if (bad !== undefined) return fail("InvalidCommitment", bad)
            } else {
                if (BigInt(a.index) >= k.nextIndex) return fail("IndexOutOfRange", a.index, k.nextIndex)
                if (a.kind === "kycReplace" && (a.commitment === 0n || a.commitment >= P)) return fail("InvalidCommitment", a.commitment)
            }
            if (a.root === 0n || a.root >= P) return fail("InvalidRoot", a.root)
            if (a.root === k.currentRoot) return fail("RootUnchanged", a.root)
            if (k.currentRoot !== 0n) k.roots.get(k.currentRoot)!.replacedAt = now
            k.roots.set(a.root, { createdAt: now, replacedAt: 0n })
            k.currentRoot = a.root
            if (a.kind === "kycAdd") k.nextIndex += BigInt(a.commitments.length)
            return { ok: true }
        }
        case "kycPause": {
            const k = state.kyc
            if (a.pause) {
                if (!k.officers[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, addr.officerRole)
                if (k.paused) return fail("EnforcedPause")
            } else {
                if (!k.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, DEFAULT_ADMIN_ROLE)
                if (!k.paused) return fail("ExpectedPause")
            }
            k.paused = a.pause
            return { ok: true }
        }
        case "kycSetRootValidity": {
            if (!state.kyc.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, DEFAULT_ADMIN_ROLE)
            if (a.validity > MAX_ROOT_VALIDITY) return fail("RootValidityTooLong", a.validity, MAX_ROOT_VALIDITY)
            state.kyc.rootValidity = a.validity
            return { ok: true }
        }
        case "setOfficer": {
            if (!state.kyc.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, DEFAULT_ADMIN_ROLE)
            state.kyc.officers[a.target] = a.grant
            return { ok: true }
        }
        case "addBureau": {
            if (!state.bureau.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, addr.bureauAdminRole)
            if (a.name.length === 0) return fail("EmptyBureauName")
            state.bureau.count += 1n
            return { ok: true }
        }
        case "addKey": {
            const b = state.bureau
            if (!b.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, addr.bureauAdminRole)
            const id = BigInt(a.bureauId)
            if (id === 0n || id > b.count) return fail("UnknownBureau", id)
            if (a.keyHash === 0n || a.keyHash >= P) return fail("InvalidKeyHash", a.keyHash)
            if (a.ax >= P || a.ay >= P || (a.ax === 0n && a.ay === 0n)) return fail("InvalidPublicKey", a.ax, a.ay)
            const from = a.validFromValue!
            const until = a.validUntilValue!
            if (from >= until || until <= now || until > UINT64_MAX) return fail("InvalidValidityWindow", from, until, now)
            if (b.keys.has(a.keyHash)) return fail("KeyAlreadyRegistered", a.keyHash)
            b.keys.set(a.keyHash, { ax: a.ax, ay: a.ay, bureauId: id, validFrom: from, validUntil: until, revokedAt: 0n })
            return { ok: true }
        }
        case "revokeKey": {
            const b = state.bureau
            if (!b.admins[caller]) return fail("AccessControlUnauthorizedAccount", callerAddress, addr.bureauAdminRole)
            const key = b.keys.get(a.keyHash)
            if (!key) return fail("UnknownKey", a.keyHash)
            if (key.revokedAt !== 0n) return fail("KeyAlreadyRevoked", a.keyHash, key.revokedAt)
            key.revokedAt = now
            return { ok: true }
        }
    }
}

/** The market and the loan an action names (`l` undefined if there is no such loan). */
function loanOf(state: ModelState, a: Resolved & { market: number }): { m: Market; loanId: bigint; l: Loan | undefined } {
    const m = state.markets[a.market]!
    const loanId = a.loanId!
    return { m, loanId, l: m.loans[Number(loanId)] }
}

function lenderOffer(m: Market, offerId: bigint, caller: number, addr: Addresses): Offer | Outcome {
    const o = m.offers[Number(offerId)]
    if (!o) return fail("UnknownOffer", offerId)
    if (o.lender !== caller) return fail("NotOfferLender", offerId, addr.actors[caller], addr.actors[o.lender])
    return o
}

function lateness(o: Offer, l: Loan, paidCount: bigint, now: bigint): { newlyLate: bigint; lateCount: bigint } {
    const lateCount = countDueBefore(l.start, o.term, o.count, now - o.gracePeriod)
    const firstUncharged = max(l.lateInstalmentsCharged, paidCount)
    return { lateCount, newlyLate: lateCount > firstUncharged ? lateCount - firstUncharged : 0n }
}

/** Moves tokens between holders, or returns the ERC-20 error the token would revert with. */
function transfer(state: ModelState, token: number, from: number, to: number, amount: bigint, addr: Addresses): Outcome | undefined {
    const balances = state.balances[token]!
    const balance = balances[from]!
    if (balance < amount) {
        const address = from < ACTORS.length ? addr.actors[from] : addr.markets[from - ACTORS.length]
        return fail("ERC20InsufficientBalance", address, balance, amount)
    }
    balances[from] = balance - amount
    balances[to] = balances[to]! + amount
    return undefined
}
