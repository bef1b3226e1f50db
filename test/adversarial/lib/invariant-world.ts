/**
 * The chain side of the invariant fuzz: a world with two markets (one and two active loans per
 * pseudonym) sharing two tokens, a trust registry (its KYC and bureau parts) and nine actors;
 * one-call reads of its whole state (`InvariantProbe`, offer positions included); the model's
 * state in the same shape; and the invariants that must hold between any two consecutive states,
 * checked on the chain's data alone.
 *
 * The markets use `MockCreditVerifier`: this is a test of funds, records and roles, not of proofs.
 */
import type { NetworkConnection } from "hardhat/types/network"
import { as, deploy, deployTrustRegistry, mockProof, PLATFORM_START, type Deployed, type Signer } from "../../helpers/contracts.ts"
import { ACTORS, ADMIN, holderAddress, LENDERS, POSITION_ACTIONS, PSEUDONYMS, ROOT_POOL, TERM_PRESETS, TIER_PRESETS, KEY_HASH_POOL, ZERO_ADDRESS, ZERO_HOLDER, type Addresses, type ModelState, type Position, type Resolved } from "./market-model.ts"

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
    /** Each market's `positions()` (OfferPositions). */
    positions: Deployed[]
    /** The trust registry (`TrustRegistry`), named for its KYC part. */
    kyc: Deployed
    /** The same contract, named for its bureau part. */
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
    // the admin holds the KYC, bureau and committee admin roles (the model's ADMIN)
    const kyc = await deployTrustRegistry(ethers, admin.address, Number(ROOT_VALIDITY))
    const officerRole: string = await kyc.OFFICER_ROLE()
    const bureauAdminRole: string = await kyc.BUREAU_ADMIN_ROLE()
    await (await kyc.grantRole(officerRole, signers[1]!.address)).wait()
    // three members and a key from the start, so removals, replacements and revocations can succeed
    await (await as(kyc, signers[1]!).addMembers(SEED_MEMBERS, SEED_ROOT)).wait()
    const seededAt = BigInt(await networkHelpers.time.latest())
    const bureaus = kyc
    await (await bureaus.addBureau("Acme Credit Bureau")).wait()
    const keyAddedAt = BigInt(await networkHelpers.time.latest()) + 1n
    await networkHelpers.time.setNextBlockTimestamp(keyAddedAt)
    await (await bureaus.addKey(1, SEED_KEY.ax, SEED_KEY.ay, SEED_KEY.keyHash, keyAddedAt - 86_400n, keyAddedAt + 365n * 86_400n)).wait()
    const verifier = await deploy(ethers, "MockCreditVerifier")
    const markets = [
        await deploy(ethers, "ExternalVerifierLoanMarket", [admin.address, await verifier.getAddress(), MAX_ACTIVE[0]]),
        await deploy(ethers, "ExternalVerifierLoanMarket", [admin.address, await verifier.getAddress(), MAX_ACTIVE[1]])
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
    const positions = await Promise.all(markets.map(async (m) => (await ethers.getContractAt("OfferPositions", await m.positions())) as unknown as Deployed))
    const probe = await deploy(ethers, "InvariantProbe")
    const marketAddresses = await Promise.all(markets.map((m) => m.getAddress()))
    const actorAddresses = signers.map((s) => s.address.toLowerCase())
    return {
        connection,
        signers,
        tokens,
        markets,
        positions,
        kyc,
        bureaus,
        probe,
        addresses: { actors: actorAddresses, markets: marketAddresses.map((a) => a.toLowerCase()), officerRole, bureauAdminRole },
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
        markets: MAX_ACTIVE.map((maxActiveLoans) => ({ maxActiveLoans, paused: false, offers: [], loans: [], records: PSEUDONYMS.map(() => ({ loansTaken: 0n, loansRepaid: 0n, lateInstalments: 0n, defaults: 0n, activeLoans: 0n, lastProofTime: 0n, loansRecovered: 0n })), operators: ACTORS.map(() => ACTORS.map(() => false)) })),
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

/** The books of a loan's offer position (`offerPosition`); all zeros if it has none. */
export interface PositionBooks {
    open: boolean
    receivedBeforeOpen: bigint
    received: bigint
    claimed: bigint
    claimable: bigint
}

/** A market's positions as ERC-721 tokens (`positions()`): those that exist, and how many each holder has. */
export interface PositionTokens {
    /** In loan order; `approved` 0x0 for none. */
    tokens: { loanId: bigint; holder: string; approved: string }[]
    /** Per holder (actors, then markets): `balanceOf`. */
    balances: bigint[]
}

/** The whole state in one comparable shape (addresses lower-case, numbers bigint). */
export interface View {
    tokens: { totalSupply: bigint; balances: bigint[] }[]
    markets: {
        paused: boolean
        offers: { token: string; lender: string; available: bigint; paused: boolean; tierCount: bigint; instalmentCount: bigint; term: bigint; gracePeriod: bigint; defaultPeriod: bigint; lateFee: bigint; surplus: bigint }[]
        loans: { nullifier: bigint; principal: bigint; startTime: bigint; offerId: bigint; tier: bigint; lateInstalmentsCharged: bigint; status: bigint; repaid: bigint; lateFeesPaid: bigint; position: PositionBooks }[]
        records: { loansTaken: bigint; loansRepaid: bigint; lateInstalments: bigint; defaults: bigint; activeLoans: bigint; lastProofTime: bigint; loansRecovered: bigint }[]
    }[]
    /** Per market. */
    positions: PositionTokens[]
    /** Per market, `[owner][operator]` between actors: its positions' `isApprovedForAll`. */
    operators: boolean[][][]
    kyc: { currentRoot: bigint; nextIndex: bigint; rootValidity: bigint; paused: boolean; officers: boolean[]; admins: boolean[]; roots: { createdAt: bigint; replacedAt: bigint }[] }
    bureau: { bureauCount: bigint; admins: boolean[]; keys: { ax: bigint; ay: bigint; bureauId: bigint; validFrom: bigint; validUntil: bigint; revokedAt: bigint }[] }
}

/**
 * What an operation may change: only that part is read after it (markets and registries never
 * call each other; a market calls its positions' contract only to mint in `openPosition`; only
 * `setApprovalForAll` changes the positions' operators).
 */
export type Part = "markets" | "positions" | "operators" | "registries"
export const ALL_PARTS: readonly Part[] = ["markets", "positions", "operators", "registries"]

/** Reads the world's state: one `eth_call` to the probe per part, parsed by hand. */
export interface Reader {
    /**
     * Reads the state at the start of a sequence, on a chain `loadFixture` reset to the fixture:
     * all of it, but the positions' ERC-721 state (tokens and the 162 operator pairs) is read from
     * the fixture the first time only, since every sequence starts from the same snapshot.
     */
    start(): Promise<View>
    /** Reads `parts` and takes the others from `previous`. */
    read(parts: readonly Part[], previous: View): Promise<View>
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
        positions: { to, data: w.probe.interface.encodeFunctionData("positionSnapshot", [query]) },
        operators: { to, data: w.probe.interface.encodeFunctionData("operatorSnapshot", [query]) },
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
    let fixture: Pick<View, "positions" | "operators"> | undefined
    async function read(parts: readonly Part[], previous?: Partial<View>): Promise<View> {
        const has = (part: Part) => parts.includes(part) || previous === undefined
        const m = has("markets") ? await withPseudonyms(parseMarkets(await words("markets"), query.tokens.length, w.holders.length, query.markets.length)) : previous!
        const p = has("positions") ? parsePositions(await words("positions"), query.markets.length, w.holders.length) : previous!.positions
        const o = has("operators") ? parseOperators(await words("operators"), query.markets.length, query.accounts.length) : previous!.operators
        const r = has("registries") ? parseRegistries(await words("registries"), w.addresses.actors.length) : previous!
        if (!m.tokens || !m.markets || !p || !o || !r.kyc || !r.bureau) throw new Error(`read ${parts.join(", ")}: the other parts must come from a previous view`)
        fixture ??= { positions: p, operators: o }
        return { tokens: m.tokens, markets: m.markets, positions: p, operators: o, kyc: r.kyc, bureau: r.bureau }
    }
    return {
        start() {
            for (const known of pseudonymsOf) known.length = 0
            return fixture ? read(["markets", "registries"], fixture) : read(ALL_PARTS)
        },
        read
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
                lateFee: next(),
                surplus: next()
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
                lateFeesPaid: next(),
                position: { open: flag(), receivedBeforeOpen: next(), received: next(), claimed: next(), claimable: next() }
            })),
            records: times(PSEUDONYMS.length, () => ({ loansTaken: next(), loansRepaid: next(), lateInstalments: next(), defaults: next(), activeLoans: next(), lastProofTime: next(), loansRecovered: next() }))
        }))
    }
    end()
    return view
}

function parsePositions(words: bigint[], marketCount: number, holderCount: number): View["positions"] {
    const { next, address, times, end } = cursor(words)
    const positions = times(marketCount, () => ({ tokens: times(next(), () => ({ loanId: next(), holder: address(), approved: address() })), balances: times(holderCount, next) }))
    end()
    return positions
}

function parseOperators(words: bigint[], marketCount: number, accountCount: number): View["operators"] {
    const { flag, times, end } = cursor(words)
    const operators = times(marketCount, () => times(accountCount, () => times(accountCount, flag)))
    end()
    return operators
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
                lateFee: o.lateFee,
                // what does not fit `available` (uint128): deposits here are far below it
                surplus: 0n
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
                lateFeesPaid: l.lateFeesPaid,
                position: positionBooks(l.position)
            })),
            records: m.records.map((r) => ({ ...r }))
        })),
        positions: s.markets.map((m) => ({
            tokens: m.loans.flatMap((l, li) => (l.position ? [{ loanId: BigInt(li), holder: holderAddress(addr, l.position.holder), approved: holderAddress(addr, l.position.approved) }] : [])),
            balances: Array.from({ length: ACTORS.length + addr.markets.length }, (_, h) => BigInt(m.loans.filter((l) => l.position?.holder === h).length))
        })),
        operators: s.markets.map((m) => m.operators.map((row) => [...row])),
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

const NO_POSITION: PositionBooks = { open: false, receivedBeforeOpen: 0n, received: 0n, claimed: 0n, claimable: 0n }

function positionBooks(p: Position | undefined): PositionBooks {
    if (!p) return { ...NO_POSITION }
    return { open: true, receivedBeforeOpen: p.receivedBeforeOpen, received: p.received, claimed: p.claimed, claimable: p.received - p.claimed }
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
        case "openPosition":
            return as(w.markets[a.market]!, signer).openPosition(a.loanId)
        case "claimPosition":
            return as(w.markets[a.market]!, signer).claimPosition(a.loanId)
        case "transferPosition": {
            const positions = as(w.positions[a.market]!, signer)
            const args = [holderAddress(w.addresses, a.fromValue!), holderAddress(w.addresses, a.toValue!), a.loanId]
            return a.safe ? positions["safeTransferFrom(address,address,uint256)"]!(...args) : positions.transferFrom(...args)
        }
        case "approvePosition":
            return as(w.positions[a.market]!, signer).approve(holderAddress(w.addresses, a.spender === "zero" ? ZERO_HOLDER : a.spender), a.loanId)
        case "setPositionOperator":
            return as(w.positions[a.market]!, signer).setApprovalForAll(holderAddress(w.addresses, a.operator === "zero" ? ZERO_HOLDER : a.operator), a.approved)
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
    /** The market and loan the action named (resolved), if it named them. */
    market?: number
    loanId?: bigint
}

const REPAYMENTS: readonly Resolved["kind"][] = ["repay", "repayInstalment", "repayAll"]

/** A loan without its position: what position operations must leave alone. */
function loanTerms(l: View["markets"][number]["loans"][number]): Omit<typeof l, "position"> {
    const { position: _position, ...terms } = l
    return terms
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a, jsonBig) === JSON.stringify(b, jsonBig)

/**
 * The invariants, on the chain's data alone (no model): returns every violation, so a failure
 * lists them all. `prev` is the state before the action, `next` after it; `holders` the holders'
 * addresses in the views' order (actors, then markets).
 */
export function invariantViolations(prev: View, next: View, done: Authority, ledger: { deposited: bigint; withdrawn: bigint }[][], tokenAddresses: string[], holders: string[]): string[] {
    const v: string[] = []
    const marketHolder = (m: number) => ACTORS.length + m

    // 1. tokens are conserved to the wei: every token is held by a known holder, and none appeared
    next.tokens.forEach((t, i) => {
        const held = t.balances.reduce((a, b) => a + b, 0n)
        if (held !== t.totalSupply) v.push(`token ${i}: holders have ${held}, total supply is ${t.totalSupply}`)
        if (t.totalSupply !== prev.tokens[i]!.totalSupply) v.push(`token ${i}: total supply changed from ${prev.tokens[i]!.totalSupply} to ${t.totalSupply}`)
    })

    next.markets.forEach((m, mi) => {
        // 2. the market holds exactly what it owes, per token: its offers' `available` and surplus,
        // and what the loans' positions were credited and did not claim yet (lent principal is with
        // the borrowers; repayments and fees are added to the offer, or to the loan's position once
        // it is open, as they arrive)
        next.tokens.forEach((t, ti) => {
            const token = tokenAddresses[ti]!.toLowerCase()
            const tokenOffers = m.offers.filter((o) => o.token === token)
            const available = tokenOffers.reduce((a, o) => a + o.available + o.surplus, 0n)
            const unclaimed = m.loans.filter((l) => m.offers[Number(l.offerId)]?.token === token).reduce((a, l) => a + l.position.claimable, 0n)
            const balance = t.balances[marketHolder(mi)]!
            if (balance !== available + unclaimed) v.push(`market ${mi}, token ${ti}: holds ${balance}, offers have ${available} available and surplus, positions ${unclaimed} unclaimed`)
        })
        // 3. no offer lends beyond what was put in and paid back: available = deposits - withdrawals
        // - principal lent + repayments and late fees received while the loan had no position (so
        // principal lent <= the rest)
        m.offers.forEach((o, oi) => {
            const loans = m.loans.filter((l) => l.offerId === BigInt(oi))
            const lent = loans.reduce((a, l) => a + l.principal, 0n)
            const returned = loans.reduce((a, l) => a + (l.position.open ? l.position.receivedBeforeOpen : l.repaid + l.lateFeesPaid), 0n)
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
            // (its position may still be claimed and transferred)
            if (was.status === 2n && !same(loanTerms(now), loanTerms(was))) v.push(`market ${mi}: repaid loan ${li} changed`)
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
        positionViolations(v, prev, next, mi, done, holders)
        // only an owner sets its operators
        next.operators[mi]!.forEach((row, owner) => {
            if (!same(row, prev.operators[mi]![owner]) && !(done.succeeded && done.kind === "setPositionOperator" && done.caller === owner)) v.push(`market ${mi}: ${ACTORS[owner]}'s operators changed by ${ACTORS[done.caller]} (${done.kind})`)
        })
    })

    // 8. a claim pays the position's holder (of that moment: after a transfer, not the first owner)
    // exactly what was claimable, from the market; no other balance moves
    if (done.succeeded && done.kind === "claimPosition") {
        const mi = done.market!
        const li = Number(done.loanId)
        const was = prev.markets[mi]!.loans[li]!
        const ti = tokenAddresses.findIndex((t) => t.toLowerCase() === prev.markets[mi]!.offers[Number(was.offerId)]!.token)
        const { holder } = tokenOf(prev, mi, li)
        next.tokens.forEach((t, tj) =>
            t.balances.forEach((balance, hi) => {
                const moved = balance - prev.tokens[tj]!.balances[hi]!
                const expected = tj !== ti ? 0n : holders[hi] === holder ? was.position.claimable : hi === marketHolder(mi) ? -was.position.claimable : 0n
                if (moved !== expected) v.push(`claim of market ${mi} position ${li}: ${holders[hi]} moved ${moved} of token ${tj}, not ${expected} (the holder is ${holder})`)
            })
        )
    }

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

/**
 * 7. Offer positions of one market, before (`was`) and after (`m`) an action: a position never
 * claims more than its loan received since it opened (claimed + claimable = received = what the
 * loan received - what it had received at the opening; claimed <= all the loan received); books
 * only grow and the opening's figure never changes; only the offer's lender opens one, and to
 * itself; only a repayment of its loan credits it (and then not the offer), only a claim of it
 * claims, only a transfer moves it and clears its approval; ERC-721 balances match the holders;
 * and position operations change no offer, loan or record.
 */
function positionViolations(v: string[], prev: View, next: View, mi: number, done: Authority, holders: string[]): void {
    const on = (kinds: readonly Resolved["kind"][], li: number) => done.succeeded && kinds.includes(done.kind) && done.market === mi && done.loanId === BigInt(li)
    const [was, m] = [prev.markets[mi]!, next.markets[mi]!]
    m.loans.forEach((l, li) => {
        const p = l.position
        const before = was.loans[li]?.position ?? NO_POSITION
        const [token, tokenBefore] = [tokenOf(next, mi, li), tokenOf(prev, mi, li)]
        const name = `market ${mi} position ${li}`
        const loanReceived = l.repaid + l.lateFeesPaid
        if (p.open) {
            if (p.claimed + p.claimable !== p.received) v.push(`${name}: claimed ${p.claimed} + claimable ${p.claimable} != received ${p.received}`)
            if (p.receivedBeforeOpen + p.received !== loanReceived) v.push(`${name}: received ${p.receivedBeforeOpen} before opening + ${p.received} since != ${loanReceived}, what the loan received`)
            if (p.claimed > loanReceived) v.push(`${name}: claimed ${p.claimed}, more than the loan ever received (${loanReceived})`)
            if (token.holder === ZERO_ADDRESS) v.push(`${name}: open without a token`)
        } else {
            if (!same(p, NO_POSITION)) v.push(`${name}: not open, yet has books`)
            if (token.holder !== ZERO_ADDRESS) v.push(`${name}: a token without an open position`)
        }
        if (before.open && (!p.open || p.receivedBeforeOpen !== before.receivedBeforeOpen || p.received < before.received || p.claimed < before.claimed)) v.push(`${name}: closed, rewritten or went backwards`)
        if (!before.open && p.open) {
            const lender = m.offers[Number(l.offerId)]!.lender
            if (!(on(["openPosition"], li) && holders[done.caller] === lender)) v.push(`${name}: opened by ${ACTORS[done.caller]} (${done.kind}), not by its offer's lender`)
            if (token.holder !== lender || p.received !== 0n || p.receivedBeforeOpen !== loanReceived) v.push(`${name}: opened to ${token.holder}, received ${p.received}, before ${p.receivedBeforeOpen}: not to the lender, with nothing yet`)
        }
        if (p.received !== before.received && !on(REPAYMENTS, li)) v.push(`${name}: credited by ${done.kind}, not a repayment of its loan`)
        if (p.claimed !== before.claimed) {
            if (!on(["claimPosition"], li)) v.push(`${name}: claimed by ${done.kind}`)
            if (p.claimed - before.claimed !== before.claimable || p.claimable !== 0n) v.push(`${name}: a claim paid ${p.claimed - before.claimed}, not all that was claimable (${before.claimable})`)
        }
        if (token.holder !== tokenBefore.holder && !on(["transferPosition", "openPosition"], li)) v.push(`${name}: changed hands by ${done.kind}`)
        if (token.approved !== tokenBefore.approved && !on(["approvePosition", "transferPosition"], li)) v.push(`${name}: approval changed by ${done.kind}`)
        if (on(["transferPosition"], li) && token.approved !== ZERO_ADDRESS) v.push(`${name}: a transfer left its approval`)
        // a repayment credits the position, not the offer
        if (on(REPAYMENTS, li) && before.open && m.offers[Number(l.offerId)]!.available !== was.offers[Number(l.offerId)]!.available) v.push(`${name}: a repayment credited the offer though the position is open`)
    })
    const { tokens, balances } = next.positions[mi]!
    if (tokens.some((t) => !m.loans[Number(t.loanId)]?.position.open)) v.push(`market ${mi}: a token of a loan without an open position`)
    holders.forEach((h, hi) => {
        const held = BigInt(tokens.filter((t) => t.holder === h).length)
        if (balances[hi] !== held) v.push(`market ${mi}: ${h} has ${balances[hi]} positions, holds ${held}`)
    })
    if (balances.reduce((a, b) => a + b, 0n) !== BigInt(tokens.length)) v.push(`market ${mi}: positions held by others than the known holders`)
    if (POSITION_ACTIONS.includes(done.kind)) {
        if (!same(m.offers, was.offers) || !same(m.records, was.records) || !same(m.loans.map(loanTerms), was.loans.map(loanTerms))) v.push(`market ${mi}: ${done.kind} changed an offer, a loan or a record`)
    }
}

/** Loan `li`'s token in market `mi`: its holder and approved address, both 0x0 if there is none. */
function tokenOf(view: View, mi: number, li: number): { holder: string; approved: string } {
    return view.positions[mi]!.tokens.find((t) => t.loanId === BigInt(li)) ?? { holder: ZERO_ADDRESS, approved: ZERO_ADDRESS }
}

function jsonBig(_key: string, value: unknown): unknown {
    return typeof value === "bigint" ? value.toString() : value
}

