/**
 * The one path from a market call to its credit proof, shared by the borrower page (borrowing
 * from an offer) and the requests page (listing a request): sync the KYC tree from public events
 * in a worker (the leaf index stays in this browser), read what the proof needs from the chain
 * (`prepareCreditProof`), and prove in the prover worker, each stage reported.
 * `proveShowingFlow` adds what both pages show around it.
 */
import { prepareCreditProof } from "$client/borrow.ts"
import type { Attestation } from "$prover/attestation.ts"
import type { CreditProof } from "$prover/credit-proof.ts"
import { ZkCreditError } from "$prover/errors.ts"
import type { Identity } from "$prover/identity.ts"
import type { DownloadProgress } from "./components/ProofProgress.svelte"
import { app } from "./app.svelte.ts"
import { kycMembership } from "./kyc.ts"
import { chainNow } from "./loans.ts"
import { proveInWorker, type FlowStage } from "./prove.ts"

/** What {@link proveForCall} proves, and for which call. */
export interface ProveCallParams {
    identity: Identity
    attestation: Attestation
    threshold: number
    scope: bigint
    message: bigint
    onStage: (stage: FlowStage, download?: DownloadProgress) => void
}

/**
 * Proves, in this browser, that the identity's attested score meets `threshold`, for `scope` and
 * `message` (what the market recomputes from the call).
 * @param onStage Called with "syncing" first, then each proof stage (and the proving files' download).
 * @throws ZkCreditError `NOT_A_MEMBER` when the identity is not in the KYC registry, and what
 *   `prepareCreditProof` and the prover throw.
 */
export async function proveForCall(params: ProveCallParams): Promise<CreditProof> {
    const { identity, attestation, onStage } = params
    onStage("syncing")
    const group = await kycMembership(identity.commitment)
    if (!group) throw new ZkCreditError("NOT_A_MEMBER", "this identity is not in the KYC registry", "membership")
    const request = await prepareCreditProof({
        provider: app.provider!,
        deployment: app.config!.deployment,
        contracts: app.contracts!,
        identity,
        attestation,
        group,
        threshold: params.threshold,
        scope: params.scope,
        message: params.message,
        // a local node mines only on demand: its latest block can be older than an attestation just
        // received, and the call lands in a new block at this clock's time
        ...(app.config!.devAccounts?.length ? { currentTime: Math.max(await chainNow(), Math.floor(Date.now() / 1000)) } : {})
    })
    return proveInWorker(
        identity.secret,
        {
            attestation,
            membership: group,
            threshold: BigInt(request.threshold),
            currentTime: BigInt(request.currentTime),
            scope: BigInt(request.scope),
            message: BigInt(request.message),
            committeeKey: [BigInt(request.committeeKey[0]), BigInt(request.committeeKey[1])],
            ...(request.kycRoot !== undefined ? { kycRoot: BigInt(request.kycRoot) } : {})
        },
        app.config!.artifacts,
        (stage, detail) => onStage(stage, detail && (detail.bytesLoaded !== undefined || detail.bytesTotal !== undefined) ? detail : undefined)
    )
}

/**
 * A proof's progress as a page shows it (`ProofProgress`): pass a `$state` object, which
 * {@link proveShowingFlow} updates.
 */
export interface ProofFlow {
    /** The stage reached; undefined before any flow (nothing is shown). */
    stage?: FlowStage
    /** Whether the flow stopped at `stage`. */
    failed: boolean
    /** The proving files' download, when it was reported. */
    download?: DownloadProgress
}

/**
 * {@link proveForCall} as the borrower and requests pages run it: `proof.pending` while proving,
 * each stage (and the latest download progress) written to `flow`, then `sending`. A failure marks
 * the flow failed and becomes the page's error message, through app.fail.
 * @returns The proof, or undefined when proving failed (already shown).
 */
export async function proveShowingFlow(flow: ProofFlow, params: Omit<ProveCallParams, "onStage">): Promise<CreditProof | undefined> {
    app.pending = "proof.pending"
    let proof
    try {
        proof = await proveForCall({
            ...params,
            onStage: (stage, detail) => {
                flow.stage = stage
                flow.download = detail ?? flow.download
            }
        })
    } catch (error) {
        flow.failed = true
        app.pending = undefined
        app.fail(error)
        return undefined
    }
    app.pending = undefined
    flow.stage = "sending"
    return proof
}
