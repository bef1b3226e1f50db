/**
 * Proof anchors (`prepareAnchor`): the part of a credit proof's Groth16 input point that four
 * public signals make (the KYC root, the bureau key, the escrow committee key and the
 * market's scope), computed once on chain so that every later borrow under those four costs about
 * 27,000 gas less. Anyone may prepare one, for values a proof could use at block time; a borrow
 * under an unprepared anchor still verifies, at the higher cost. What to anchor: a root with
 * every active bureau key, every active committee key and every market of the deployment; again
 * after every root change, and for every new key. The loan market keeps its own (it checks its
 * borrows' proofs itself), the credit verifier the request market's ({@link anchorKeeper}).
 */
import { AbiCoder, keccak256, type Contract, type ContractTransactionResponse, type Provider, type TransactionReceipt } from "ethers"
import { requireArray, requireFieldElement, requireObject } from "../../prover/src/checks.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"
import { activeBureauKeys, activeCommitteeKeys, requireUnixTime } from "./active-keys.ts"
import type { ZkCreditContracts } from "./contracts.ts"
import type { Deployment } from "./deployments.ts"
import { decodeRevert } from "./errors.ts"

/** The deployment's markets whose proofs carry their scope. */
export type AnchorMarket = "loanMarket" | "requestMarket"

const MARKETS: readonly AnchorMarket[] = ["loanMarket", "requestMarket"]

/** The four public signals of one anchor, and the market whose scope it is. */
export interface Anchor {
    kycRoot: bigint
    bureauKeyHash: bigint
    committeeKeyY: bigint
    market: AnchorMarket
    /** `market.scope()`. */
    scope: bigint
}

/** An anchor with the id the credit verifier keeps it under (`anchorIdOf`). */
export interface AnchorState extends Anchor {
    anchorId: string
}

/** An anchor prepared by {@link prepareAnchors}, with its transaction. */
export interface PreparedAnchor extends AnchorState {
    transactionHash: string
    blockNumber: number
}

/** What should be anchored at one time: the parts, and every combination of them. */
export interface AnchorPlan {
    /** The time the keys are active at (unix seconds). */
    time: number
    kycRoot: bigint
    /** The bureau keys active at `time`, as `Poseidon(Ax, Ay)`. */
    bureauKeyHashes: bigint[]
    /** y of the escrow committee keys active at `time`. */
    committeeKeyYs: bigint[]
    markets: { market: AnchorMarket; address: string; scope: bigint }[]
    /** Every combination: by bureau key, then committee key, then market. */
    anchors: Anchor[]
}

/** What {@link prepareAnchors} did. */
export interface PreparedAnchors {
    /** Prepared now, one transaction each, in the order given. */
    prepared: PreparedAnchor[]
    /** Prepared before (by anyone), so not sent. */
    alreadyPrepared: AnchorState[]
}

/**
 * The contract that checks `market`'s proofs, so keeps its anchors: the loan market itself (it
 * checks its borrows' proofs in place), the credit verifier for the request market.
 */
export function anchorKeeper(contracts: ZkCreditContracts, market: AnchorMarket): Contract {
    return market === "loanMarket" ? contracts.loanMarket : contracts.creditVerifier
}

/** `CreditVerifier.anchorIdOf`: `keccak256(abi.encode(kycRoot, bureauKeyHash, committeeKeyY, scope))`. */
export function anchorIdOf(anchor: Pick<Anchor, "kycRoot" | "bureauKeyHash" | "committeeKeyY" | "scope">): string {
    return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "uint256", "uint256"], [anchor.kycRoot, anchor.bureauKeyHash, anchor.committeeKeyY, anchor.scope]))
}

/**
 * Refuses a root no proof could use at `time`, with the trust registry's rule (`requireTrusted`'s root check):
 * published, not revoked, not invalidated by an immediate removal, not past its expiry.
 */
async function requireUsableRoot(contracts: ZkCreditContracts, root: bigint, time: number, given: boolean): Promise<void> {
    const registry = await contracts.kycRegistry.getAddress()
    const [record, invalidated] = (await contracts.kycRegistry.getFunction("rootStatus")(root)) as [{ createdAt: bigint; replacedAt: bigint; expiresAt: bigint; revoked: boolean }, boolean]
    const refuse = (why: string) => new ZkCreditError("INVALID_ARGUMENT", why, "kycRoot")
    if (record.createdAt === 0n) {
        throw refuse(given ? `root ${root} was never published by the KYC registry ${registry}: anchor a root it published` : `the KYC registry ${registry} has published no root yet: nothing can be anchored until an officer adds members`)
    }
    if (record.revoked) throw refuse(`root ${root} is revoked: no proof can use it, so it is not anchored`)
    if (invalidated) throw refuse(`root ${root} was invalidated by an immediate removal: no proof can use it, so it is not anchored`)
    if (record.replacedAt !== 0n && BigInt(time) >= record.expiresAt) throw refuse(`root ${root} was replaced and expired at ${record.expiresAt}: no proof can use it, so it is not anchored`)
}

/**
 * Lists what should be anchored at `time`: the KYC registry's current root (or `kycRoot`) with
 * every bureau key and every escrow committee key active then ({@link activeBureauKeys},
 * {@link activeCommitteeKeys}), for the scope of each market of the deployment (the loan market,
 * and the request market where there is one). Reads only; see {@link prepareAnchors}.
 * @param params.time Unix seconds; default the latest block's time. `prepareAnchor` checks the
 *   keys and the root at the block time of its own transaction.
 * @param params.kycRoot A root to anchor instead of the current one.
 * @returns The parts and their combinations (none when no bureau key or no committee key is active).
 * @throws ZkCreditError `NOT_A_FIELD_ELEMENT` for a `kycRoot` outside the SNARK field,
 *   `INVALID_ARGUMENT` (parameter `kycRoot`) for a root no proof could use at `time` (never
 *   published, revoked, invalidated or expired; or no root published yet), `INVALID_ARGUMENT`
 *   for a bad `time`.
 */
export async function listAnchors(params: { provider: Provider; deployment: Deployment; contracts: ZkCreditContracts; time?: number; kycRoot?: bigint }): Promise<AnchorPlan> {
    const { provider, deployment, contracts } = params
    const given = params.kycRoot !== undefined ? requireFieldElement(params.kycRoot, "kycRoot") : undefined
    let time = params.time !== undefined ? requireUnixTime(params.time) : undefined
    if (time === undefined) {
        const block = await provider.getBlock("latest")
        if (!block) throw new ZkCreditError("ARTIFACT_UNAVAILABLE", "the chain did not return its latest block", "provider")
        time = block.timestamp
    }
    const kycRoot = given ?? ((await contracts.kycRegistry.getFunction("currentRoot")()) as bigint)
    await requireUsableRoot(contracts, kycRoot, time, given !== undefined)
    const keys = { provider, deployment, contracts, time }
    const [bureauKeyHashes, committee] = await Promise.all([activeBureauKeys(keys), activeCommitteeKeys(keys)])
    const committeeKeyYs = committee.keys.map((k) => k.y)
    const markets = await Promise.all(
        MARKETS.flatMap((market) => {
            const contract = contracts[market]
            return contract ? [(async () => ({ market, address: await contract.getAddress(), scope: (await contract.getFunction("scope")()) as bigint }))()] : []
        })
    )
    const anchors = bureauKeyHashes.flatMap((bureauKeyHash) => committeeKeyYs.flatMap((committeeKeyY) => markets.map(({ market, scope }) => ({ kycRoot, bureauKeyHash, committeeKeyY, market, scope }))))
    return { time, kycRoot, bureauKeyHashes, committeeKeyYs, markets, anchors }
}

/** Checks each anchor's fields up front, naming the one at fault. */
function checkAnchors(anchors: unknown): Anchor[] {
    return requireArray(anchors, "anchors").map((item, i) => {
        const a = requireObject(item, `anchors[${i}]`)
        if (!MARKETS.includes(a.market as AnchorMarket)) throw new ZkCreditError("INVALID_ARGUMENT", `anchors[${i}].market must be one of ${MARKETS.join(", ")}, got ${JSON.stringify(a.market)}`, `anchors[${i}].market`)
        return {
            kycRoot: requireFieldElement(a.kycRoot, `anchors[${i}].kycRoot`),
            bureauKeyHash: requireFieldElement(a.bureauKeyHash, `anchors[${i}].bureauKeyHash`),
            committeeKeyY: requireFieldElement(a.committeeKeyY, `anchors[${i}].committeeKeyY`),
            market: a.market as AnchorMarket,
            scope: requireFieldElement(a.scope, `anchors[${i}].scope`)
        }
    })
}

/**
 * Prepares every anchor of `anchors` not prepared yet (e.g. {@link listAnchors}' `anchors`):
 * reads `anchorPrepared` for each, then sends `prepareAnchor` for the rest, one transaction each,
 * waiting for each before the next. One that someone else prepared in the meantime (the call
 * reverts `AnchorAlreadyPrepared`) counts as prepared already.
 * @param params.contracts Connected to the signer that pays.
 * @param params.onPrepared Called after each transaction, with its place among those sent.
 * @throws ZkCreditError `INVALID_ARGUMENT` / `NOT_A_FIELD_ELEMENT` for a malformed anchor or
 *   contracts that cannot send; the provider's error for a transaction that fails (those before
 *   it stay prepared).
 */
export async function prepareAnchors(params: { contracts: ZkCreditContracts; anchors: readonly Anchor[]; onPrepared?: (anchor: PreparedAnchor, sent: number, toSend: number) => void }): Promise<PreparedAnchors> {
    const anchors = checkAnchors(params.anchors)
    if (typeof params.contracts.creditVerifier.runner?.sendTransaction !== "function") throw new ZkCreditError("INVALID_ARGUMENT", "contracts must be connected to a signer (connectContracts(deployment, signer)) to send prepareAnchor", "contracts")
    const states = anchors.map((anchor) => ({ ...anchor, anchorId: anchorIdOf(anchor) }))
    const done = await Promise.all(states.map((a) => anchorKeeper(params.contracts, a.market).getFunction("anchorPrepared")(a.kycRoot, a.bureauKeyHash, a.committeeKeyY, a.scope) as Promise<boolean>))
    const alreadyPrepared = states.filter((_, i) => done[i])
    const toSend = states.filter((_, i) => !done[i])
    const prepared: PreparedAnchor[] = []
    for (const anchor of toSend) {
        let receipt: TransactionReceipt | null
        try {
            const tx = (await anchorKeeper(params.contracts, anchor.market).getFunction("prepareAnchor")(anchor.kycRoot, anchor.bureauKeyHash, anchor.committeeKeyY, anchor.scope)) as ContractTransactionResponse
            receipt = await tx.wait()
        } catch (error) {
            if (decodeRevert(error)?.name !== "AnchorAlreadyPrepared") throw error
            alreadyPrepared.push(anchor)
            continue
        }
        if (!receipt || receipt.status !== 1) throw new Error(`prepareAnchor ${anchor.anchorId}: transaction ${receipt?.hash ?? "(no receipt)"} failed`)
        const outcome = { ...anchor, transactionHash: receipt.hash, blockNumber: receipt.blockNumber }
        prepared.push(outcome)
        params.onPrepared?.(outcome, prepared.length, toSend.length)
    }
    return { prepared, alreadyPrepared }
}
