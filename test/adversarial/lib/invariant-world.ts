/**
 * The chain side of the invariant fuzz: a world with two markets (one and two active loans per
 * pseudonym) sharing two tokens, the KYC and bureau registries and nine actors; one-call reads of
 * its whole state (`InvariantProbe`); the model's state in the same shape; and the invariants that
 * must hold between any two consecutive states, checked on the chain's data alone.
 *
 * The markets use `MockCreditVerifier`: this is a test of funds, records and roles, not of proofs.
 */
import type { NetworkConnection } from "hardhat/types/network"
import { as, deploy, mockProof, PLATFORM_START, type Deployed, type Signer } from "../../helpers/contracts.ts"
import { ACTORS, ADMIN, LENDERS, PSEUDONYMS, ROOT_POOL, TERM_PRESETS, TIER_PRESETS, KEY_HASH_POOL, type Addresses, type ModelState, type Resolved } from "./market-model.ts"

/** Tokens each actor holds at the start, per token. */
export const MINTED = 10n ** 15n
/** Active loans per pseudonym of each market. */
export const MAX_ACTIVE = [1n, 2n]
/** Offers made by the fixture: [market, lender actor, token, tiers preset, terms preset, capacity]. */
export const FIXTURE_OFFERS: [number, number, number, number, number, bigint][] = [
    [0, LENDERS[0]!, 0, 0, 0, 50_000_000n],
    [1, LENDERS[1]!, 1, 1, 1, 20_000_000n]
]
export const ROOT_VALIDITY = 600n
/** KYC members the officer added in the fixture, and the root published with them. */
export const SEED_MEMBERS = [7n, 8n, 9n]
export const SEED_ROOT = 1n
/** The bureau key registered in the fixture (the registry does not check the hash: it need not be real). */
export const SEED_KEY = { ax: 1n, ay: 2n, keyHash: 11n }

export interface World {
    connection: NetworkConnection
    signers: Signer[]
    tokens: Deployed[]
    markets: Deployed[]
    kyc: Deployed
    bureaus: Deployed
    probe: Deployed
    addresses: Addresses
    /** Holders in probe order: the actors, then the markets. */
    holders: string[]
    /** Block times of the fixture's KYC members and bureau key (the model's initial state needs them). */
    seeded: { membersAt: bigint; keyAt: bigint }
}

/** Deploys the world. Use with `loadFixture`, which resets the chain to it between sequences. */
export async function deployWorld(connection: NetworkConnection): Promise<World> {
    const { ethers, networkHelpers } = connection
    if ((await networkHelpers.time.latest()) < PLATFORM_START) await networkHelpers.time.increaseTo(PLATFORM_START)
    const signers = (await ethers.getSigners()).slice(0, ACTORS.length) as Signer[]
    const admin = signers[0]!
    const kyc = await deploy(ethers, "KycRegistry", [admin.address, ROOT_VALIDITY])
    const officerRole: string = await kyc.OFFICER_ROLE()
    await (await kyc.grantRole(officerRole, signers[1]!.address)).wait()
    // three members and a key from the start, so removals, replacements and revocations can succeed
    await (await as(kyc, signers[1]!).addMembers(SEED_MEMBERS, SEED_ROOT)).wait()
    const seededAt = BigInt(await networkHelpers.time.latest())
    const bureaus = await deploy(ethers, "BureauRegistry", [admin.address])
    await (await bureaus.addBureau("Acme Credit Bureau")).wait()
    const keyAddedAt = BigInt(await networkHelpers.time.latest()) + 1n
    await networkHelpers.time.setNextBlockTimestamp(keyAddedAt)
    await (await bureaus.addKey(1, SEED_KEY.ax, SEED_KEY.ay, SEED_KEY.keyHash, keyAddedAt - 86_400n, keyAddedAt + 365n * 86_400n)).wait()
    const verifier = await deploy(ethers, "MockCreditVerifier")
    const markets = [
        await deploy(ethers, "LoanMarket", [admin.address, await verifier.getAddress(), MAX_ACTIVE[0]]),
        await deploy(ethers, "LoanMarket", [admin.address, await verifier.getAddress(), MAX_ACTIVE[1]])
    ]
    const tokens = [await deploy(ethers, "MockERC20", ["Mock USD", "mUSD", 6]), await deploy(ethers, "MockERC20", ["Mock ETH", "mETH", 18])]
    for (const token of tokens) {
        for (const market of markets) await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
        for (const signer of signers) {
            await (await token.mint(signer.address, MINTED)).wait()
            for (const market of markets) await (await as(token, signer).approve(await market.getAddress(), ethers.MaxUint256)).wait()
        }
    }
    for (const [market, lender, token, tiers, terms, capacity] of FIXTURE_OFFERS) {
        await (await as(markets[market]!, signers[lender]!).createOffer(await tokens[token]!.getAddress(), capacity, TIER_PRESETS[tiers], TERM_PRESETS[terms])).wait()
    }
    const probe = await deploy(ethers, "InvariantProbe")
    const marketAddresses = await Promise.all(markets.map((m) => m.getAddress()))
    const actorAddresses = signers.map((s) => s.address.toLowerCase())
    return {
        connection,
        signers,
        tokens,
        markets,
        kyc,
        bureaus,
        probe,
        addresses: { actors: actorAddresses, markets: marketAddresses.map((a) => a.toLowerCase()), officerRole },
        seeded: { membersAt: seededAt, keyAt: keyAddedAt },
        holders: [...actorAddresses, ...marketAddresses.map((a) => a.toLowerCase())]
    }
}

/** The model's state right after {@link deployWorld}. */
export function initialState(seeded: World["seeded"]): ModelState {
    const holders = ACTORS.length + MAX_ACTIVE.length
    const balances = [0, 1].map(() => Array.from({ length: holders }, (_, i) => (i < ACTORS.length ? MINTED : 0n)))
    const state: ModelState = {
        balances,
        supplies: [MINTED * BigInt(ACTORS.length), MINTED * BigInt(ACTORS.length)],
        markets: MAX_ACTIVE.map((maxActiveLoans) => ({ maxActiveLoans, paused: false, offers: [], loans: [], records: PSEUDONYMS.map(() => ({ loansTaken: 0n, loansRepaid: 0n, lateInstalments: 0n, defaults: 0n, activeLoans: 0n, lastProofTime: 0n, loansRecovered: 0n })) })),
        kyc: {
            currentRoot: SEED_ROOT,
            nextIndex: BigInt(SEED_MEMBERS.length),
            rootValidity: ROOT_VALIDITY,
            paused: false,
            officers: ACTORS.map((_, i) => i === 1),
            admins: ACTORS.map((_, i) => i === 0),
            roots: new Map([[SEED_ROOT, { createdAt: seeded.membersAt, replacedAt: 0n }]])
        },
        bureau: {
            count: 1n,
            admins: ACTORS.map((_, i) => i === 0),
            keys: new Map([[SEED_KEY.keyHash, { ax: SEED_KEY.ax, ay: SEED_KEY.ay, bureauId: 1n, validFrom: seeded.keyAt - 86_400n, validUntil: seeded.keyAt + 365n * 86_400n, revokedAt: 0n }]])
        }
    }
    for (const [market, lender, token, tiers, terms, capacity] of FIXTURE_OFFERS) {
        const t = TERM_PRESETS[terms]!
        state.balances[token]![lender] = state.balances[token]![lender]! - capacity
        state.balances[token]![ACTORS.length + market] = state.balances[token]![ACTORS.length + market]! + capacity
        state.markets[market]!.offers.push({
            token,
            lender,
            available: capacity,
            paused: false,
            tiers: TIER_PRESETS[tiers]!,
            term: BigInt(t.term),
            count: BigInt(t.instalmentCount),
            gracePeriod: BigInt(t.gracePeriod),
            defaultPeriod: BigInt(t.defaultPeriod),
            lateFee: t.lateFee,
            deposited: capacity,
            withdrawn: 0n
        })
    }
    return state
}

// ------------------------------------------------------------------------------------ views

/** The whole state in one comparable shape (addresses lower-case, numbers bigint). */
export interface View {
    tokens: { totalSupply: bigint; balances: bigint[] }[]
    markets: {
        paused: boolean
        offers: { token: string; lender: string; available: bigint; paused: boolean; tierCount: bigint; instalmentCount: bigint; term: bigint; gracePeriod: bigint; defaultPeriod: bigint; lateFee: bigint }[]
        loans: { nullifier: bigint; principal: bigint; startTime: bigint; offerId: bigint; tier: bigint; lateInstalmentsCharged: bigint; status: bigint; repaid: bigint; lateFeesPaid: bigint }[]
        records: { loansTaken: bigint; loansRepaid: bigint; lateInstalments: bigint; defaults: bigint; activeLoans: bigint; lastProofTime: bigint; loansRecovered: bigint }[]
    }[]
    kyc: { currentRoot: bigint; nextIndex: bigint; rootValidity: bigint; paused: boolean; officers: boolean[]; admins: boolean[]; roots: { createdAt: bigint; replacedAt: bigint }[] }
    bureau: { bureauCount: bigint; admins: boolean[]; keys: { ax: bigint; ay: bigint; bureauId: bigint; validFrom: bigint; validUntil: bigint; revokedAt: bigint }[] }
}

/** What an operation may change: only that part is read after it (markets and registries never call each other). */
export type Part = "markets" | "registries"

/** Reads the world's state: one `eth_call` to the probe per part, parsed by hand. */
export interface Reader {
    /** Reads `parts` and takes the others from `previous`. */
    read(parts: readonly Part[], previous?: View): Promise<View>
}

/** A reader of the world's state, its probe calls encoded once. */
export async function viewReader(w: World): Promise<Reader> {
    const query = {
        tokens: await Promise.all(w.tokens.map((t) => t.getAddress())),
        holders: w.holders,
        markets: await Promise.all(w.markets.map((m) => m.getAddress())),
        nullifiers: PSEUDONYMS,
        kyc: await w.kyc.getAddress(),
        accounts: w.addresses.actors,
        roots: ROOT_POOL,
        bureaus: await w.bureaus.getAddress(),
        keyHashes: KEY_HASH_POOL
    }
    const to = await w.probe.getAddress()
    const calls = {
        markets: { to, data: w.probe.interface.encodeFunctionData("marketSnapshot", [query]) },
        registries: { to, data: w.probe.interface.encodeFunctionData("registrySnapshot", [query]) }
    }
    const provider = w.connection.ethers.provider
    const words = async (part: Part): Promise<bigint[]> => {
        const hex: string = await provider.send("eth_call", [calls[part], "latest"])
        // ABI: offset, length, then the words
        const out: bigint[] = []
        for (let i = 2 + 128; i < hex.length; i += 64) out.push(BigInt(`0x${hex.slice(i, i + 64)}`))
        return out
    }
    // a loan's pseudonym is not in the market's storage: it is in the loan's `LoanOpened` event
    const pseudonymsOf: bigint[][] = w.markets.map(() => [])
    const withPseudonyms = async (view: Pick<View, "tokens" | "markets">): Promise<Pick<View, "tokens" | "markets">> => {
        await Promise.all(
            view.markets.map(async (market, mi) => {
                const known = pseudonymsOf[mi]!
                if (market.loans.length > known.length) {
                    const contract = w.markets[mi]!
                    for (const log of await contract.queryFilter(contract.filters.LoanOpened!(), 0)) {
                        const args = (log as unknown as { args: { loanId: bigint; nullifier: bigint } }).args
                        known[Number(args.loanId)] = args.nullifier
                    }
                }
                market.loans.forEach((loan, li) => {
                    const nullifier = known[li]
                    if (nullifier === undefined) throw new Error(`market ${mi}: loan ${li} has no LoanOpened event`)
                    loan.nullifier = nullifier
                })
            })
        )
        return view
    }
    return {
        async read(parts, previous) {
            // a read without a previous view starts a sequence, on a chain `loadFixture` reset
            if (!previous) for (const known of pseudonymsOf) known.length = 0
            const m = parts.includes("markets") || !previous ? await withPseudonyms(parseMarkets(await words("markets"), query.tokens.length, w.holders.length, query.markets.length)) : previous
            const r = parts.includes("registries") || !previous ? parseRegistries(await words("registries"), w.addresses.actors.length) : previous
            return { tokens: m.tokens, markets: m.markets, kyc: r.kyc, bureau: r.bureau }
        }
    }
}

/** Reads words in order, failing loudly if the layout and the data disagree. */
function cursor(words: bigint[]) {
    let i = 0
    const next = (): bigint => {
        const word = words[i++]
        if (word === undefined) throw new Error("the probe returned fewer words than its layout")
        return word
    }
    return {
        next,
        address: (): string => `0x${next().toString(16).padStart(40, "0")}`,
        flag: (): boolean => next() === 1n,
        times: <T,>(count: number | bigint, read: () => T): T[] => Array.from({ length: Number(count) }, read),
        end(): void {
            if (i !== words.length) throw new Error(`the probe returned ${words.length} words, the layout read ${i}`)
        }
    }
}

function parseMarkets(words: bigint[], tokenCount: number, holderCount: number, marketCount: number): Pick<View, "tokens" | "markets"> {
    const { next, address, flag, times, end } = cursor(words)
    const view = {
        tokens: times(tokenCount, () => ({ totalSupply: next(), balances: times(holderCount, next) })),
        markets: times(marketCount, () => ({
            paused: flag(),
            offers: times(next(), () => ({
                token: address(),
                lender: address(),
                available: next(),
                paused: flag(),
                tierCount: next(),
                instalmentCount: next(),
                term: next(),
                gracePeriod: next(),
                defaultPeriod: next(),
                lateFee: next()
            })),
            loans: times(next(), () => ({
                // filled from the loan's `LoanOpened` event (see `viewReader`)
                nullifier: -1n,
                principal: next(),
                startTime: next(),
                offerId: next(),
                tier: next(),
                lateInstalmentsCharged: next(),
                status: next(),
                repaid: next(),
                lateFeesPaid: next()
            })),
            records: times(PSEUDONYMS.length, () => ({ loansTaken: next(), loansRepaid: next(), lateInstalments: next(), defaults: next(), activeLoans: next(), lastProofTime: next(), loansRecovered: next() }))
        }))
    }
    end()
    return view
}

function parseRegistries(words: bigint[], accountCount: number): Pick<View, "kyc" | "bureau"> {
    const { next, flag, times, end } = cursor(words)
    const view = {
        kyc: {
            currentRoot: next(),
            nextIndex: next(),
            rootValidity: next(),
            paused: flag(),
            officers: times(accountCount, flag),
            admins: times(accountCount, flag),
            roots: times(ROOT_POOL.length, () => ({ createdAt: next(), replacedAt: next() }))
        },
        bureau: {
            bureauCount: next(),
            admins: times(accountCount, flag),
            keys: times(KEY_HASH_POOL.length, () => ({ ax: next(), ay: next(), bureauId: next(), validFrom: next(), validUntil: next(), revokedAt: next() }))
        }
    }
    end()
    return view
}

/** The model's state in the chain's shape. */
export function modelView(s: ModelState, tokenAddresses: string[], addr: Addresses): View {
    return {
        tokens: s.balances.map((balances, t) => ({ totalSupply: s.supplies[t]!, balances: [...balances] })),
        markets: s.markets.map((m) => ({
            paused: m.paused,
            offers: m.offers.map((o) => ({
                token: tokenAddresses[o.token]!.toLowerCase(),
                lender: addr.actors[o.lender]!,
                available: o.available,
                paused: o.paused,
                tierCount: BigInt(o.tiers.length),
                instalmentCount: o.count,
                term: o.term,
                gracePeriod: o.gracePeriod,
                defaultPeriod: o.defaultPeriod,
                lateFee: o.lateFee
            })),
            loans: m.loans.map((l) => ({
                nullifier: PSEUDONYMS[l.pseudonym]!,
                principal: l.principal,
                startTime: l.start,
                offerId: BigInt(l.offerId),
                tier: BigInt(l.tier),
                lateInstalmentsCharged: l.lateInstalmentsCharged,
                status: l.status,
                repaid: l.repaid,
                lateFeesPaid: l.lateFeesPaid
            })),
            records: m.records.map((r) => ({ ...r }))
        })),
        kyc: {
            currentRoot: s.kyc.currentRoot,
            nextIndex: s.kyc.nextIndex,
            rootValidity: s.kyc.rootValidity,
            paused: s.kyc.paused,
            officers: [...s.kyc.officers],
            admins: [...s.kyc.admins],
            roots: ROOT_POOL.map((root) => s.kyc.roots.get(root) ?? { createdAt: 0n, replacedAt: 0n })
        },
        bureau: {
            bureauCount: s.bureau.count,
            admins: [...s.bureau.admins],
            keys: KEY_HASH_POOL.map((h) => s.bureau.keys.get(h) ?? { ax: 0n, ay: 0n, bureauId: 0n, validFrom: 0n, validUntil: 0n, revokedAt: 0n })
        }
    }
}

// ------------------------------------------------------------------------------------ sending

/** Sends a resolved action from its caller. */
export function send(w: World, tokenAddresses: string[], a: Resolved): Promise<{ wait(): Promise<unknown> }> {
    const signer = "caller" in a ? w.signers[a.caller]! : w.signers[0]!
    switch (a.kind) {
        case "createOffer":
            return as(w.markets[a.market]!, signer).createOffer(tokenAddresses[a.token], a.capacity, TIER_PRESETS[a.tiers], TERM_PRESETS[a.terms])
        case "deposit":
            return as(w.markets[a.market]!, signer).deposit(a.offerId, a.amountValue)
        case "withdraw":
            return as(w.markets[a.market]!, signer).withdraw(a.offerId, a.amountValue)
        case "setOfferPaused":
            return as(w.markets[a.market]!, signer).setOfferPaused(a.offerId, a.paused)
        case "borrow":
            return as(w.markets[a.market]!, signer).borrow(a.offerId, a.tier, a.principalValue, mockProof(PSEUDONYMS[a.pseudonym]!, a.proofTime!, a.proof !== "invalid"))
        case "repay":
            return as(w.markets[a.market]!, signer).repay(a.loanId, a.amountValue)
        case "repayInstalment":
            return as(w.markets[a.market]!, signer).repayInstalment(a.loanId)
        case "repayAll":
            return as(w.markets[a.market]!, signer).repayAll(a.loanId)
        case "markDefault":
            return as(w.markets[a.market]!, signer).markDefault(a.loanId)
        case "pauseMarket":
            return a.pause ? as(w.markets[a.market]!, signer).pause() : as(w.markets[a.market]!, signer).unpause()
        case "kycAdd":
            return as(w.kyc, signer).addMembers(a.commitments, a.root)
        case "kycRemove":
            return as(w.kyc, signer).removeMember(a.index, a.root)
        case "kycReplace":
            return as(w.kyc, signer).replaceMember(a.index, a.commitment, a.root)
        case "kycPause":
            return a.pause ? as(w.kyc, signer).pause() : as(w.kyc, signer).unpause()
        case "kycSetRootValidity":
            return as(w.kyc, signer).setRootValidity(a.validity)
        case "setOfficer":
            return a.grant ? as(w.kyc, signer).grantRole(w.addresses.officerRole, w.signers[a.target]!.address) : as(w.kyc, signer).revokeRole(w.addresses.officerRole, w.signers[a.target]!.address)
        case "addBureau":
            return as(w.bureaus, signer).addBureau(a.name)
        case "addKey":
            return as(w.bureaus, signer).addKey(a.bureauId, a.ax, a.ay, a.keyHash, a.validFromValue, a.validUntilValue)
        case "revokeKey":
            return as(w.bureaus, signer).revokeKey(a.keyHash)
        case "wait":
            throw new Error("wait is not a transaction")
    }
}

// ------------------------------------------------------------------------------------ invariants

/** Roles in force before an action, to judge who may have changed what. */
export interface Authority {
    kind: Resolved["kind"]
    caller: number
    succeeded: boolean
}

/**
 * The invariants, on the chain's data alone (no model): returns every violation, so a failure
 * lists them all. `prev` is the state before the action, `next` after it.
 */
export function invariantViolations(prev: View, next: View, done: Authority, ledger: { deposited: bigint; withdrawn: bigint }[][], tokenAddresses: string[]): string[] {
    const v: string[] = []
    const marketHolder = (m: number) => ACTORS.length + m

    // 1. tokens are conserved to the wei: every token is held by a known holder, and none appeared
    next.tokens.forEach((t, i) => {
        const held = t.balances.reduce((a, b) => a + b, 0n)
        if (held !== t.totalSupply) v.push(`token ${i}: holders have ${held}, total supply is ${t.totalSupply}`)
        if (t.totalSupply !== prev.tokens[i]!.totalSupply) v.push(`token ${i}: total supply changed from ${prev.tokens[i]!.totalSupply} to ${t.totalSupply}`)
    })

    next.markets.forEach((m, mi) => {
        // 2. the market holds exactly what its offers have available, per token (lent principal is
        // with the borrowers; repayments and fees are added to `available` as they arrive)
        next.tokens.forEach((t, ti) => {
            const tokenOffers = m.offers.filter((o) => o.token === tokenAddresses[ti]!.toLowerCase())
            const available = tokenOffers.reduce((a, o) => a + o.available, 0n)
            const balance = t.balances[marketHolder(mi)]!
            if (balance !== available) v.push(`market ${mi}, token ${ti}: holds ${balance}, offers have ${available} available`)
        })
        // 3. no offer lends beyond what was put in and paid back: available = deposits - withdrawals
        // - principal lent + repayments and late fees received (so principal lent <= the rest)
        m.offers.forEach((o, oi) => {
            const loans = m.loans.filter((l) => l.offerId === BigInt(oi))
            const lent = loans.reduce((a, l) => a + l.principal, 0n)
            const returned = loans.reduce((a, l) => a + l.repaid + l.lateFeesPaid, 0n)
            const book = ledger[mi]?.[oi]
            if (book && o.available !== book.deposited - book.withdrawn - lent + returned) {
                v.push(`market ${mi} offer ${oi}: available ${o.available} != deposited ${book.deposited} - withdrawn ${book.withdrawn} - lent ${lent} + returned ${returned}`)
            }
            if (book && lent > book.deposited - book.withdrawn + returned) v.push(`market ${mi} offer ${oi}: lent ${lent} beyond its funds`)
        })
        // 4. pseudonym records agree with the loans; no pseudonym has more active loans than allowed
        PSEUDONYMS.forEach((nullifier, pi) => {
            const loans = m.loans.filter((l) => l.nullifier === nullifier)
            const r = m.records[pi]!
            const active = BigInt(loans.filter((l) => l.status === 1n).length)
            if (active > MAX_ACTIVE[mi]!) v.push(`market ${mi}: pseudonym ${pi} has ${active} active loans, the limit is ${MAX_ACTIVE[mi]}`)
            if (r.activeLoans !== active) v.push(`market ${mi}: pseudonym ${pi} record says ${r.activeLoans} active, loans say ${active}`)
            if (r.loansTaken !== BigInt(loans.length)) v.push(`market ${mi}: pseudonym ${pi} loansTaken ${r.loansTaken} != ${loans.length}`)
            if (r.loansRepaid !== BigInt(loans.filter((l) => l.status === 2n).length)) v.push(`market ${mi}: pseudonym ${pi} loansRepaid disagrees`)
            if (r.defaults !== BigInt(loans.filter((l) => l.status === 3n).length)) v.push(`market ${mi}: pseudonym ${pi} defaults disagrees`)
            // 5. a default is permanent: the pseudonym never gets another loan
            const before = prev.markets[mi]!.records[pi]!
            if (before.defaults > 0n && r.loansTaken !== before.loansTaken) v.push(`market ${mi}: defaulted pseudonym ${pi} got a new loan`)
            if (r.defaults < before.defaults || r.loansTaken < before.loansTaken || r.lastProofTime < before.lastProofTime) v.push(`market ${mi}: pseudonym ${pi} record went backwards`)
        })
        if (m.loans.some((l) => !PSEUDONYMS.includes(l.nullifier))) v.push(`market ${mi}: a loan of an unknown pseudonym`)
        // loans keep their terms; a repaid loan never changes again; a defaulted one stays defaulted
        // and only takes payments (recovery)
        prev.markets[mi]!.loans.forEach((was, li) => {
            const now = m.loans[li]
            if (!now) return void v.push(`market ${mi}: loan ${li} vanished`)
            if (now.nullifier !== was.nullifier || now.principal !== was.principal || now.startTime !== was.startTime || now.offerId !== was.offerId || now.tier !== was.tier) {
                v.push(`market ${mi}: loan ${li} changed its terms`)
            }
            if (was.status === 2n && JSON.stringify(now, jsonBig) !== JSON.stringify(was, jsonBig)) v.push(`market ${mi}: repaid loan ${li} changed`)
            if (was.status === 3n && now.status !== 3n) v.push(`market ${mi}: defaulted loan ${li} left the Defaulted status`)
            if (now.repaid < was.repaid || now.lateFeesPaid < was.lateFeesPaid) v.push(`market ${mi}: loan ${li} payments went backwards`)
        })
        prev.markets[mi]!.offers.forEach((was, oi) => {
            const now = m.offers[oi]
            if (!now || now.token !== was.token || now.lender !== was.lender || now.term !== was.term || now.lateFee !== was.lateFee) v.push(`market ${mi}: offer ${oi} changed hands or terms`)
        })
        // only the admin pauses a market
        if (m.paused !== prev.markets[mi]!.paused && !(done.succeeded && done.kind === "pauseMarket" && done.caller === ADMIN)) {
            v.push(`market ${mi}: pause flag changed by ${ACTORS[done.caller]} (${done.kind})`)
        }
    })

    // 6. only the right role changes a registry
    const kycMembersChanged =
        next.kyc.currentRoot !== prev.kyc.currentRoot || next.kyc.nextIndex !== prev.kyc.nextIndex || JSON.stringify(next.kyc.roots, jsonBig) !== JSON.stringify(prev.kyc.roots, jsonBig)
    if (kycMembersChanged && !(done.succeeded && ["kycAdd", "kycRemove", "kycReplace"].includes(done.kind) && prev.kyc.officers[done.caller])) {
        v.push(`KYC members or roots changed by ${ACTORS[done.caller]} (${done.kind}), who is not an officer`)
    }
    if (next.kyc.paused !== prev.kyc.paused) {
        const allowed = next.kyc.paused ? prev.kyc.officers[done.caller] : prev.kyc.admins[done.caller]
        if (!(done.succeeded && done.kind === "kycPause" && allowed)) v.push(`KYC pause flag changed by ${ACTORS[done.caller]} (${done.kind})`)
    }
    const rolesChanged = JSON.stringify(next.kyc.officers) !== JSON.stringify(prev.kyc.officers) || JSON.stringify(next.kyc.admins) !== JSON.stringify(prev.kyc.admins)
    if (rolesChanged && !(done.succeeded && done.kind === "setOfficer" && prev.kyc.admins[done.caller])) v.push(`KYC roles changed by ${ACTORS[done.caller]} (${done.kind})`)
    if (next.kyc.rootValidity !== prev.kyc.rootValidity && !(done.succeeded && done.kind === "kycSetRootValidity" && prev.kyc.admins[done.caller])) v.push(`root validity changed by ${ACTORS[done.caller]}`)
    const bureauChanged = next.bureau.bureauCount !== prev.bureau.bureauCount || JSON.stringify(next.bureau.keys, jsonBig) !== JSON.stringify(prev.bureau.keys, jsonBig)
    if (bureauChanged && !(done.succeeded && ["addBureau", "addKey", "revokeKey"].includes(done.kind) && prev.bureau.admins[done.caller])) {
        v.push(`bureau registry changed by ${ACTORS[done.caller]} (${done.kind}), who is not its admin`)
    }
    // a revoked key stays revoked, a registered key stays registered
    prev.bureau.keys.forEach((was, i) => {
        const now = next.bureau.keys[i]!
        if (was.validUntil !== 0n && (now.validUntil !== was.validUntil || now.ax !== was.ax || now.validFrom !== was.validFrom)) v.push(`bureau key ${i} was rewritten`)
        if (was.revokedAt !== 0n && now.revokedAt !== was.revokedAt) v.push(`bureau key ${i} was un-revoked`)
    })
    return v
}

function jsonBig(_key: string, value: unknown): unknown {
    return typeof value === "bigint" ? value.toString() : value
}

