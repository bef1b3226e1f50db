/**
 * The KYC tree rebuilt from the registry's events: the borrower's Merkle path (found without
 * telling anyone which leaf is theirs) and the officer's audit of every published root.
 */
import type { Provider } from "ethers"
import { KycTree, type KycHash } from "../../prover/src/kyc-tree.ts"
import { getLogsInRanges, type GetLogsOptions } from "./logs.ts"
import { applyKycEvent, compareKycEvents, decodeKycLog, KYC_LEAF_TOPICS, kycEventMisfit, leavesFromKycEvents, type KycEvent } from "./kyc-events.ts"

export type { KycEvent } from "./kyc-events.ts"

/** Options of {@link fetchKycEvents}: the range, and how to read it (see {@link GetLogsOptions}). */
export interface FetchKycEventsOptions extends Omit<GetLogsOptions, "onProgress" | "rangeSize"> {
    /** First block to scan (the deployment block, or the block after the last one synced). */
    fromBlock: number
    /** Last block (default: latest). */
    toBlock?: number
    /** Blocks per `eth_getLogs` call to start with; halved where the provider refuses (default 5,000). */
    chunkSize?: number
    /**
     * Called as ranges arrive with the blocks scanned so far, the events read, and `doneThrough`,
     * the block up to which every event has arrived (where to resume after an interruption).
     */
    onProgress?: (progress: { scanned: number; total: number; events: number; doneThrough: number }) => void
}

/**
 * Reads every leaf change of a KYC registry from the chain, oldest first, through
 * {@link getLogsInRanges} (ranges split where refused, retries, a few requests in flight). Anyone
 * can do this: it is how a borrower finds their Merkle path without telling anyone which leaf is
 * theirs. Every request depends only on the registry and the block range.
 * @param provider A JSON-RPC provider.
 * @param registry The TrustRegistry address (only its KYC leaf events are read).
 */
export async function fetchKycEvents(provider: Pick<Provider, "getLogs" | "getBlockNumber">, registry: string, options: FetchKycEventsOptions): Promise<KycEvent[]> {
    const toBlock = options.toBlock ?? (await provider.getBlockNumber())
    const { fromBlock, chunkSize, onProgress, toBlock: _to, ...reading } = options
    const logs = await getLogsInRanges(provider, { address: registry, topics: [KYC_LEAF_TOPICS] }, fromBlock, toBlock, {
        ...reading,
        ...(chunkSize !== undefined ? { rangeSize: chunkSize } : {}),
        ...(onProgress ? { onProgress: ({ scanned, total, logs: events, doneThrough }) => onProgress({ scanned, total, events, doneThrough }) } : {})
    })
    const events: KycEvent[] = []
    for (const log of logs) {
        const event = decodeKycLog(log)
        if (event) events.push(event)
    }
    return events.sort(compareKycEvents)
}

/** One published root that does not match the tree rebuilt from the events before it. */
export interface KycAuditFinding {
    /** Position of the event in chain order. */
    eventIndex: number
    event: KycEvent
    /** What the tree's root is after applying the event. */
    expectedRoot: bigint
    /** What is wrong with the event beyond its root (index gap, a repeated member, a removed slot...). */
    problem?: string
}

/** The tree rebuilt from events and whether every published root matched. */
export interface KycAudit {
    tree: KycTree
    /** Roots checked (one per event). */
    rootsChecked: number
    findings: KycAuditFinding[]
    /** True when every published root equals the rebuilt tree's root at that point. */
    ok: boolean
}

/**
 * Replays the registry's events into a KYC tree exactly as published, checking each published
 * root against the tree rebuilt so far. An officer who published a root that does not match the
 * members, added a member twice or removed a removed slot shows up here, with the event that did it.
 * @param events Leaf events in chain order.
 * @param options.hash The Poseidon implementation (a fast one for large registries).
 * @param options.start A tree to continue from (its events already audited), e.g. a checked snapshot.
 */
export function auditKycEvents(events: readonly KycEvent[], options: { hash?: KycHash; start?: KycTree } = {}): KycAudit {
    const tree = options.start ?? new KycTree([], options.hash ? { hash: options.hash } : {})
    const findings: KycAuditFinding[] = []
    events.forEach((event, eventIndex) => {
        let problem = kycEventMisfit(tree, event)
        if (problem === undefined) {
            if (event.kind === "added") {
                const seen = new Set<bigint>()
                const repeated = event.commitments.findIndex((c) => c === 0n || tree.indexOf(c) !== -1 || seen.size === seen.add(c).size)
                if (repeated !== -1) problem = `commitments[${repeated}] is 0 or a member already`
            } else if (tree.leafAt(event.index) === 0n) {
                problem = `the slot at index ${event.index} was empty already`
            } else if (event.kind === "replaced" && (event.newCommitment === 0n || tree.indexOf(event.newCommitment) !== -1)) {
                problem = "the new commitment is 0 or a member already"
            }
            applyKycEvent(tree, event)
        }
        if (problem !== undefined || tree.root !== event.newRoot) findings.push({ eventIndex, event, expectedRoot: tree.root, ...(problem ? { problem } : {}) })
    })
    return { tree, rootsChecked: events.length, findings, ok: findings.length === 0 }
}

/**
 * The KYC tree as the chain has it now: leaves from the events, in one level-by-level build
 * (about one hash per leaf), without checking intermediate roots. Use {@link auditKycEvents} to check.
 * @param options.hash The Poseidon implementation.
 */
export function kycTreeFromEvents(events: readonly KycEvent[], options: { hash?: KycHash } = {}): KycTree {
    return new KycTree(leavesFromKycEvents(events), options.hash ? { hash: options.hash } : {})
}
