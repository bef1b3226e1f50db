/**
 * The escrow committee from the chain, for the committee page and the borrower's statement: the
 * committee keys with their t-of-n authorities (the trust registry's committee part), opening requests, the
 * partial decryptions published for each (EscrowOpenings), each checked here, in the browser,
 * against the authority's public share in the registry, and the opening itself (combining t
 * verified shares), which stays on this device.
 *
 * Both markets keep an escrow per loan, each with an EscrowOpenings of its own (deployment keys
 * `escrowOpenings`, the loan offers' market, and `requestEscrowOpenings`, the request market):
 * the page lists and publishes for both. Their loan ids are separate (loan 0 and request 0 are
 * two loans), so an opening is named by its market and id ({@link OpeningView.ref}).
 *
 * All escrow chain reading of the app is in this module and in $client/supervision.ts.
 */
import { Contract, Interface } from "ethers"
import { escrowMarketOf, partialOfEvent, readEscrowLoanStatus, type EscrowLoanStatus, type EscrowMarket, type EscrowMarketKind } from "$client/escrow-markets.ts"
import { escrowOpeningsOf } from "$client/deployments.ts"
import { EscrowCommitteeRegistryAbi, EscrowOpeningsAbi } from "$client/generated/abis.ts"
import { combinePartialDecryptions, parseAuthorityShare, partialDecrypt, verifyPartialDecryption, type CommitteeKeyFile, type PartialDecryption } from "$prover/escrow/index.ts"
import { app } from "./app.svelte.ts"
import { AppError } from "./errors.ts"
import { t, type MessageKey } from "./i18n/index.svelte.ts"
import { wallet } from "./wallet.svelte.ts"

export type { EscrowLoanStatus, EscrowMarketKind }

/** One authority of a committee key, as registered. */
export interface CommitteeAuthority {
    index: number
    account: string
    publicShare: [bigint, bigint]
}

/** A committee key, as registered. */
export interface CommitteeKeyView {
    keyY: bigint
    x: bigint
    threshold: number
    size: number
    validFrom: number
    validUntil: number
    /** 0 if not revoked. */
    revokedAt: number
    authorities: CommitteeAuthority[]
}

/** Whether a published share's Chaum-Pedersen proof holds against the authority's registered public share. */
export type ShareCheck = "verified" | "forged"

/** A partial decryption published on chain. */
export interface PublishedShare {
    index: number
    authority: string
    partial: PartialDecryption
    check: ShareCheck
    block: number
}

/** An opening request with what was published for it. */
export interface OpeningView {
    /** The market kind and id, `loan-0` or `request-0`: unique across both markets (ids are not). */
    ref: string
    kind: EscrowMarketKind
    /** The loan's id in its market (a request id in the request market). */
    loanId: number
    /** The market whose loan it is. */
    market: string
    requester: string
    requestedAt: number
    committeeKeyY: bigint
    escrow: { ephemeralKeyY: bigint; ciphertext: bigint }
    /** The loan's status in its market now, in that market's own enum. */
    status: EscrowLoanStatus
    shares: PublishedShare[]
    /** `OpeningQuorumReached` was emitted (t shares counted, not verified). */
    quorumEvent: boolean
    /** The committee key the escrow was made under; undefined if the registry does not know it. */
    key: CommitteeKeyView | undefined
    /** Shares whose proof holds: the escrow opens when there are t. */
    verified: number
}

/**
 * Handles on the escrow contracts of the deployment: the trust registry through its committee
 * part's ABI (every deployment has it: a proof names an active committee key) and every
 * EscrowOpenings the deployment lists (the loan market's, the request market's; none on a
 * deployment without them). Undefined when the app is not connected to a chain.
 */
export function escrowContracts(): { registry: Contract; openings: Contract[] } | undefined {
    const deployment = app.config?.deployment
    if (!deployment || !app.provider) return undefined
    return {
        registry: new Contract(deployment.contracts.trustRegistry, EscrowCommitteeRegistryAbi, app.provider),
        openings: escrowOpeningsOf(deployment).map((a) => new Contract(a, EscrowOpeningsAbi, app.provider))
    }
}

/** An EscrowOpenings of the deployment with the market it serves. */
export interface EscrowSource extends EscrowMarket {
    openings: Contract
}

/** Every EscrowOpenings of the deployment with its market, loan market first; the kind of each is read from the chain (`escrowMarketOf`). */
export async function escrowSources(openings: readonly Contract[] = escrowContracts()?.openings ?? []): Promise<EscrowSource[]> {
    const sources = await Promise.all(openings.map(async (o) => ({ ...(await escrowMarketOf(o)), openings: o })))
    return sources.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "loan" ? -1 : 1))
}

/** The message key of a loan's status in its market's enum. */
export function statusKey(s: EscrowLoanStatus): MessageKey {
    return s.kind === "loan" ? (`committee.loanStatus.${s.status}` as const) : (`committee.requestStatus.${s.status}` as const)
}

/** The messages that name a loan, in the words of its market. */
const ITEM_MESSAGES = {
    loan: {
        badId: "committee.error.badLoan",
        notRequested: "committee.error.notRequested",
        notDefaulted: "committee.error.notDefaulted",
        wrongCommittee: "committee.error.wrongCommittee",
        alreadyPublished: "committee.error.alreadyPublished",
        published: "committee.published"
    },
    request: {
        badId: "committee.error.badRequest",
        notRequested: "committee.error.requestNotRequested",
        notDefaulted: "committee.error.requestNotDefaulted",
        wrongCommittee: "committee.error.requestWrongCommittee",
        alreadyPublished: "committee.error.requestAlreadyPublished",
        published: "committee.requestPublished"
    }
} as const satisfies Record<EscrowMarketKind, Record<string, MessageKey>>

/** The message `which` for a loan of market `kind`. */
export function itemMessage(kind: EscrowMarketKind, which: keyof (typeof ITEM_MESSAGES)["loan"]): MessageKey {
    return ITEM_MESSAGES[kind][which]
}

type Args = Record<string, bigint | string>
const argsOf = (event: unknown) => (event as { args: Args }).args

/**
 * Every committee key of the registry with its authorities, from its events (the registry never
 * deletes them). Each scan asks for one committee event's topic, so the KYC and bureau events
 * at the same address are not read.
 */
export async function readCommitteeKeys(registry: Contract): Promise<CommitteeKeyView[]> {
    const from = app.config!.deployment.deployBlock
    const [added, authorities, revoked] = await Promise.all([
        registry.queryFilter(registry.filters.CommitteeKeyAdded!(), from),
        registry.queryFilter(registry.filters.CommitteeAuthorityAdded!(), from),
        registry.queryFilter(registry.filters.CommitteeKeyRevoked!(), from)
    ])
    const keys = new Map<bigint, CommitteeKeyView>()
    for (const event of added) {
        const a = argsOf(event)
        keys.set(a.keyY as bigint, {
            keyY: a.keyY as bigint,
            x: a.x as bigint,
            threshold: Number(a.threshold),
            size: Number(a.size),
            validFrom: Number(a.validFrom),
            validUntil: Number(a.validUntil),
            revokedAt: 0,
            authorities: []
        })
    }
    for (const event of authorities) {
        const a = argsOf(event)
        keys.get(a.keyY as bigint)?.authorities.push({ index: Number(a.index), account: String(a.account), publicShare: [a.shareX as bigint, a.shareY as bigint] })
    }
    await Promise.all(
        revoked.map(async (event) => {
            const key = keys.get(argsOf(event).keyY as bigint)
            if (key) key.revokedAt = (await event.getBlock()).timestamp
        })
    )
    for (const key of keys.values()) key.authorities.sort((a, b) => a.index - b.index)
    return [...keys.values()]
}

/** Whether a key is active at `time` (in its window, not revoked by then), as the registry's `isCommitteeKeyActive`. */
export function isKeyActiveAt(key: CommitteeKeyView, time: number): boolean {
    return key.validFrom <= time && time < key.validUntil && (key.revokedAt === 0 || time < key.revokedAt)
}

/**
 * The registered key in the committee key file format the prover's verify and combine read.
 * Only the public parts are used there; `committee` (a roster id in a real file) is a label in
 * that format, filled here with the key's y so that the file names the key it came from.
 */
export function keyFileFromRegistry(key: CommitteeKeyView): CommitteeKeyFile {
    return {
        format: "zkcredit-committee-key",
        version: 1,
        committee: `0x${key.keyY.toString(16).padStart(64, "0")}`,
        threshold: key.threshold,
        members: key.authorities.map((a) => ({ index: a.index, name: a.account })),
        qualified: [],
        disqualified: [],
        falseComplaints: [],
        publicKey: [key.x.toString(), key.keyY.toString()],
        publicShares: key.authorities.map((a) => ({ index: a.index, publicShare: [a.publicShare[0].toString(), a.publicShare[1].toString()] }))
    }
}

/**
 * Every opening request of both markets with its shares, each share checked against the
 * registry's public share of its authority (a forged or wrong one is marked `forged`), and the
 * loan's status now; newest first. `markets` are the kinds the deployment has openings for.
 */
export async function readOpenings(): Promise<{ keys: CommitteeKeyView[]; openings: OpeningView[]; markets: EscrowMarketKind[] }> {
    const contracts = escrowContracts()
    if (!contracts) return { keys: [], openings: [], markets: [] }
    // without an EscrowOpenings the keys are still listed: there is just nothing to open
    const [keys, sources] = await Promise.all([readCommitteeKeys(contracts.registry), escrowSources(contracts.openings)])
    const views = (await Promise.all(sources.map((source) => readSourceOpenings(source, keys)))).flat()
    return { keys, openings: views.sort((x, y) => y.requestedAt - x.requestedAt), markets: sources.map((s) => s.kind) }
}

/** The opening requests of one EscrowOpenings, as {@link readOpenings}. */
async function readSourceOpenings(source: EscrowSource, keys: CommitteeKeyView[]): Promise<OpeningView[]> {
    const { openings, kind } = source
    const from = app.config!.deployment.deployBlock
    const [requested, published, quorums] = await Promise.all([
        openings.queryFilter(openings.filters.OpeningRequested!(), from),
        openings.queryFilter(openings.filters.PartialDecryptionPublished!(), from),
        openings.queryFilter(openings.filters.OpeningQuorumReached!(), from)
    ])
    const quorumLoans = new Set(quorums.map((q) => Number(argsOf(q).loanId)))
    return Promise.all(
        requested.map(async (event): Promise<OpeningView> => {
            const a = argsOf(event)
            const loanId = Number(a.loanId)
            const escrow = { ephemeralKeyY: a.ephemeralKeyY as bigint, ciphertext: a.ciphertext as bigint }
            const key = keys.find((k) => k.keyY === a.committeeKeyY)
            const keyFile = key ? keyFileFromRegistry(key) : undefined
            const [block, { status }] = await Promise.all([event.getBlock(), readEscrowLoanStatus(source, loanId)])
            const shares = published
                .filter((p) => Number(argsOf(p).loanId) === loanId)
                .map((p) => {
                    const s = argsOf(p)
                    const partial = partialOfEvent(s as Parameters<typeof partialOfEvent>[0])
                    const ok = keyFile !== undefined && verifyPartialDecryption(escrow, partial, keyFile, loanId)
                    return { index: partial.index, authority: String(s.authority), partial, check: (ok ? "verified" : "forged") as ShareCheck, block: p.blockNumber }
                })
            return {
                ref: `${kind}-${loanId}`,
                kind,
                loanId,
                market: source.address,
                requester: String(a.requester),
                requestedAt: block.timestamp,
                committeeKeyY: a.committeeKeyY as bigint,
                escrow,
                status,
                shares,
                quorumEvent: quorumLoans.has(loanId),
                key,
                verified: shares.filter((s) => s.check === "verified").length
            }
        })
    )
}

/**
 * Opens an escrow on this device from its verified shares (any t). The commitment is returned to
 * the caller only: nothing is sent anywhere.
 * @throws AppError `committee.error.notEnoughShares` with fewer than t verified shares.
 */
export function openOnDevice(opening: OpeningView): { commitment: bigint; authorities: number[] } {
    const key = opening.key
    const verified = opening.shares.filter((s) => s.check === "verified")
    if (!key || verified.length < key.threshold) throw new AppError("committee.error.notEnoughShares", { verified: verified.length, threshold: key?.threshold ?? 0 })
    return combinePartialDecryptions(opening.escrow, verified.map((s) => s.partial), keyFileFromRegistry(key), opening.loanId)
}

/** A share file read from disk: kept in memory while the page is open, never stored or sent. */
export type ShareFile = Record<string, unknown>

/** The EscrowOpenings of market `kind`. @throws AppError `committee.error.marketNotDeployed` where the deployment has none. */
async function sourceOf(kind: EscrowMarketKind): Promise<EscrowSource> {
    const source = (await escrowSources()).find((s) => s.kind === kind)
    if (!source) throw new AppError("committee.error.marketNotDeployed", { market: t(`committee.marketKind.${kind}`) })
    return source
}

/**
 * Checks, on chain, everything that must hold before an authority publishes its partial
 * decryption of loan `loanId` of market `kind` (a request id in the request market), and says
 * what does not (each as a translated message naming the loan as its market does): an opening
 * was requested in that market's EscrowOpenings, the loan is defaulted there, the share is of
 * the escrow's committee key, the connected account is that share's authority, and it has not
 * published yet.
 * @returns The partial decryption, made on this device.
 */
export async function preparePartialDecryption(kind: EscrowMarketKind, loanId: number, shareFile: ShareFile): Promise<PartialDecryption> {
    const contracts = escrowContracts()
    if (!contracts) throw new AppError("error.noConfig")
    if (contracts.openings.length === 0) throw new AppError("committee.error.noOpeningsContract")
    let share: ReturnType<typeof parseAuthorityShare>
    try {
        share = parseAuthorityShare(shareFile)
    } catch {
        throw new AppError("committee.error.badShareFile")
    }
    const source = await sourceOf(kind)
    const { openings } = source
    const message = (which: Parameters<typeof itemMessage>[1]) => itemMessage(kind, which)
    const opening = await openings.getFunction("openingOf")(loanId)
    if (opening.requestedAt === 0n) throw new AppError(message("notRequested"), { loan: loanId })
    const { defaulted, status } = await readEscrowLoanStatus(source, loanId)
    if (!defaulted) throw new AppError(message("notDefaulted"), { loan: loanId, status: t(statusKey(status)) })
    if (opening.committeeKeyY !== share.publicKey[1]) throw new AppError(message("wrongCommittee"), { loan: loanId })
    if (!wallet.ready || !wallet.address) throw new AppError("error.noWallet")
    const index = Number(await contracts.registry.getFunction("authorityIndex")(opening.committeeKeyY, wallet.address))
    if (index !== share.index) throw new AppError("committee.error.notTheAuthority", { account: wallet.address, index: share.index })
    if (await openings.getFunction("hasPublished")(loanId, index)) throw new AppError(message("alreadyPublished"), { index, loan: loanId })
    return partialDecrypt({ ephemeralKeyY: opening.ephemeralKeyY, ciphertext: opening.ciphertext }, shareFile, loanId)
}

const openingsInterface = new Interface(EscrowOpeningsAbi)

/** Sends a partial decryption of loan `loanId` of market `kind` from the connected account; an EscrowOpenings revert becomes its translated message. */
export async function publishPartialDecryption(kind: EscrowMarketKind, loanId: number, partial: PartialDecryption): Promise<{ wait: () => Promise<{ status: number | null } | null> }> {
    if (!wallet.signer) throw new AppError("error.noWallet")
    const openings = (await sourceOf(kind)).openings.connect(wallet.signer) as Contract
    try {
        return await openings.getFunction("publishPartialDecryption")(loanId, partial.partial[0], partial.partial[1], partial.proof.challenge, partial.proof.response)
    } catch (error) {
        const data = (error as { data?: unknown }).data
        const parsed = typeof data === "string" ? (() => { try { return openingsInterface.parseError(data) } catch { return null } })() : null
        if (parsed) throw new AppError("committee.error.reverted", { name: parsed.name })
        throw error
    }
}
