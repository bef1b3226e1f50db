import type { Provider } from "ethers"
import { bureauKeyHash, parseAttestation, type Attestation } from "../../prover/src/attestation.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"
import { computeMessage, computeScope } from "../../prover/src/hash.ts"
import type { Identity } from "../../prover/src/identity.ts"
import type { CreditProofRequest } from "../../prover/src/inputs.ts"
import type { KycTree, KycMerkleProof } from "../../prover/src/kyc-tree.ts"
import { activeCommitteeKey } from "./active-keys.ts"
import type { ZkCreditContracts } from "./contracts.ts"
import type { Deployment } from "./deployments.ts"
import type { OfferView } from "./views.ts"

/** What a borrower wants. */
export interface BorrowIntent {
    offer: OfferView
    tier: number
    principal: bigint
    /** The address that sends `borrow` and receives the money. */
    borrower: string
}

/**
 * What a borrow's credit proof is for, checked against the offer: the tier's threshold, the
 * market's scope and the borrow message (what `borrow` recomputes from the call).
 * @throws ZkCreditError `INVALID_ARGUMENT` for a tier the offer does not have, `OUT_OF_RANGE` for
 *   a principal the tier or the offer cannot lend.
 */
export function borrowProofParams(deployment: Deployment, intent: BorrowIntent): { threshold: number; scope: bigint; message: bigint } {
    const tier = intent.offer.tiers[intent.tier]
    if (!tier) throw new ZkCreditError("INVALID_ARGUMENT", `offer ${intent.offer.id} has no tier ${intent.tier}`, "tier")
    if (intent.principal <= 0n || intent.principal > tier.maxPrincipal) {
        throw new ZkCreditError("OUT_OF_RANGE", `principal must be between 1 and ${tier.maxPrincipal} in tier ${intent.tier}`, "principal")
    }
    if (intent.principal > intent.offer.available) {
        throw new ZkCreditError("OUT_OF_RANGE", `the offer has only ${intent.offer.available} available`, "principal")
    }
    const chainId = deployment.chainId
    const market = deployment.contracts.loanMarket
    return {
        threshold: tier.minScore,
        scope: computeScope(chainId, market),
        message: computeMessage({ chainId, market, borrower: intent.borrower, offerId: intent.offer.id, tier: intent.tier, principal: intent.principal })
    }
}

/**
 * Everything a proof for this borrow needs from the chain, checked: the tier's threshold, the
 * market's scope, the borrow message ({@link borrowProofParams}), the chain's current time, that
 * the bureau key is active, and the escrow committee key active at that time
 * ({@link activeCommitteeKey}). Proving itself happens elsewhere (a worker in the browser).
 *
 * `group` may be the whole KYC group or just the borrower's Merkle proof in it (e.g. from a tree
 * rebuilt level by level). `currentTime` defaults to the latest block's time; a client on a
 * chain that mines only on demand (a local node) passes the later of that and its own clock,
 * since the borrow lands in a new block and the attestation may be younger than the last block.
 *
 * @throws ZkCreditError `INVALID_ARGUMENT` for a bad tier or amount, `WRONG_BUREAU_KEY` when
 *   the attestation's key is not active on chain, `INVALID_POINT` when no committee key is.
 */
export async function prepareBorrowRequest(params: {
    provider: Provider
    deployment: Deployment
    contracts: ZkCreditContracts
    identity: Identity
    attestation: Attestation
    group: KycTree | KycMerkleProof
    intent: BorrowIntent
    currentTime?: number
}): Promise<CreditProofRequest> {
    const { intent, ...rest } = params
    return prepareCreditProof({ ...rest, ...borrowProofParams(params.deployment, intent) })
}

/**
 * A credit proof request for any market call (a borrow, a loan request): the caller derives the
 * threshold, scope and message; this reads the KYC root, the chain's time and the escrow committee
 * key active then ({@link activeCommitteeKey}), and checks that the attestation's bureau key is active.
 * @throws ZkCreditError `WRONG_BUREAU_KEY` when the attestation's key is not active on chain,
 *   `INVALID_POINT` when no committee key is.
 */
export async function prepareCreditProof(params: {
    provider: Provider
    deployment: Deployment
    contracts: ZkCreditContracts
    identity: Identity
    attestation: Attestation
    group: KycTree | KycMerkleProof
    threshold: number
    scope: bigint
    message: bigint
    currentTime?: number
}): Promise<CreditProofRequest> {
    const { provider, contracts, identity, attestation, group } = params
    const block = await provider.getBlock("latest")
    if (!block) throw new ZkCreditError("ARTIFACT_UNAVAILABLE", "the chain did not return its latest block", "provider")
    const keyHash = bureauKeyHash(parseAttestation(attestation).bureauPublicKey)
    const active = (await contracts.bureauRegistry.getFunction("isKeyActive")(keyHash, block.timestamp)) as boolean
    if (!active) throw new ZkCreditError("WRONG_BUREAU_KEY", "the bureau key that signed this attestation is not active on chain (revoked, expired or unknown): ask the bureau for a new attestation", "attestation")
    const currentTime = params.currentTime ?? block.timestamp
    const committeeKey = await activeCommitteeKey({ provider, deployment: params.deployment, contracts, time: currentTime })
    return {
        identity,
        attestation,
        membership: group,
        kycRoot: (await contracts.kycRegistry.getFunction("currentRoot")()) as bigint,
        threshold: params.threshold,
        // the chain's clock by default: the contract compares with block time
        currentTime,
        scope: params.scope,
        message: params.message,
        committeeKey
    }
}

/** The tiers of an offer an attestation's score qualifies for (the score never leaves the device). */
export function qualifyingTiers(offer: OfferView, attestation: Attestation): number[] {
    return offer.tiers.filter((t) => attestation.score >= t.minScore).map((t) => t.index)
}
