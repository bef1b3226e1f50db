/**
 * The KYC registry in this browser. Borrowers: {@link kycMembership} syncs the tree in a Web Worker
 * (IndexedDB, the app server's snapshot, only new events; see kyc-sync.worker.ts) and returns this
 * identity's Merkle proof, computed here: no server is asked which leaf is whose. Progress is in
 * {@link kycSyncProgress} (shown by KycSyncStatus.svelte). The compliance page's audit reads every
 * event with {@link syncKycEvents}.
 */
import { writable } from "svelte/store"
import { fetchKycEvents, type KycEvent } from "$client/kyc-tree.ts"
import type { KycMerkleProof } from "$prover/kyc-tree.ts"
import { app } from "./app.svelte.ts"
import KycSyncWorker from "./kyc-sync.worker.ts?worker"

/** What the sync is doing. */
export type KycSyncStage = "loading" | "snapshot" | "events" | "hashing" | "saving"

/** Messages to the sync worker (`kycRegistry`: the trust registry's address, where the KYC part is). */
export type KycSyncRequest =
    | { id: number; type: "sync"; rpcUrl: string; chainId: number; kycRegistry: string; deployBlock: number; snapshotUrl?: string | undefined; fresh?: boolean }
    | { id: number; type: "membership"; commitment: string }

/** A finished sync. */
export interface KycSyncDone {
    syncedBlock: number
    size: number
    root: string
    /** Where the tree came from: IndexedDB, the snapshot, or the events alone. */
    from: "stored" | "snapshot" | "events"
    eventsApplied: number
    leavesHashed: number
    totalMs: number
    /** When each stage began, ms into the sync ("stored": the IndexedDB copy read; "checking": the root compared with the chain's). */
    stagesMs: Record<string, number>
}

/** Progress of a sync, as the status component shows it. */
export interface KycSyncProgress {
    stage: KycSyncStage
    elapsedMs: number
    blocksScanned?: number
    blocksTotal?: number
    events?: number
    leavesHashed?: number
    leavesTotal?: number
    bytes?: number
    bytesTotal?: number
}

/** Messages from the sync worker. */
export type KycSyncResponse =
    | ({ id: number; type: "progress" } & KycSyncProgress)
    | ({ id: number; type: "done" } & KycSyncDone)
    | { id: number; type: "membership"; proof: KycMerkleProof | undefined }
    | { id: number; type: "error"; code: string | undefined; message: string }

/** The running sync's progress; undefined when none runs. */
export const kycSyncProgress = writable<KycSyncProgress | undefined>(undefined)

let worker: Worker | undefined
let nextId = 0
const waiting = new Map<number, { resolve: (r: KycSyncResponse) => void; reject: (e: Error) => void }>()
let syncing: Promise<KycSyncDone> | undefined

function ask(message: KycSyncRequest): Promise<KycSyncResponse> {
    if (!worker) {
        worker = new KycSyncWorker()
        worker.onmessage = (event: MessageEvent<KycSyncResponse>) => {
            const r = event.data
            if (r.type === "progress") return kycSyncProgress.set(r)
            const pending = waiting.get(r.id)
            waiting.delete(r.id)
            if (r.type === "error") pending?.reject(Object.assign(new Error(r.message), { code: r.code }))
            else pending?.resolve(r)
        }
    }
    return new Promise((resolve, reject) => {
        waiting.set(message.id, { resolve, reject })
        worker!.postMessage(message)
    })
}

/** Timings of every sync, for the browser tests and the benchmark. */
function record(done: KycSyncDone): void {
    const hook = ((globalThis as { __zkcredit?: { kycSyncs?: KycSyncDone[] } }).__zkcredit ??= {})
    ;(hook.kycSyncs ??= []).push(done)
}

/**
 * Brings this browser's KYC tree up to the latest block, in the worker. Concurrent calls share one sync.
 * @throws Error when the chain is not connected, or the tree does not lead to the registry's root.
 */
export function syncKyc(): Promise<KycSyncDone> {
    const config = app.config
    if (!config) return Promise.reject(new Error("the app is not connected to a chain"))
    syncing ??= ask({
        id: nextId++,
        type: "sync",
        rpcUrl: config.rpcUrl,
        chainId: config.deployment.chainId,
        kycRegistry: config.deployment.contracts.trustRegistry,
        deployBlock: config.deployment.deployBlock,
        snapshotUrl: new URL("/kyc-snapshot/", location.origin).href
    })
        .then((r) => {
            const done = r as Extract<KycSyncResponse, { type: "done" }>
            record(done)
            return done
        })
        .finally(() => {
            syncing = undefined
            kycSyncProgress.set(undefined)
        })
    return syncing
}

/**
 * This identity's Merkle proof in the registry's current tree, or undefined when it is not a
 * member. Syncs first; the index and the proof stay in this browser.
 * @param commitment The identity commitment.
 */
export async function kycMembership(commitment: bigint): Promise<KycMerkleProof | undefined> {
    await syncKyc()
    const r = await ask({ id: nextId++, type: "membership", commitment: commitment.toString() })
    return (r as Extract<KycSyncResponse, { type: "membership" }>).proof
}

let cache: { toBlock: number; events: KycEvent[] } | undefined

/** Every leaf change up to the latest block, oldest first (the compliance audit). */
export async function syncKycEvents(): Promise<KycEvent[]> {
    const provider = app.provider
    const config = app.config
    if (!provider || !config) return []
    const latest = await provider.getBlockNumber()
    const from = cache ? cache.toBlock + 1 : config.deployment.deployBlock
    if (cache && from > latest) return cache.events
    const fresh = await fetchKycEvents(provider, config.deployment.contracts.trustRegistry, { fromBlock: from, toBlock: latest })
    cache = { toBlock: latest, events: [...(cache?.events ?? []), ...fresh] }
    return cache.events
}
