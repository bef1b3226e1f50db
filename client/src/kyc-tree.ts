/**
 * The KYC tree rebuilt from the registry's events: the borrower's Merkle path (found without
 * telling anyone which leaf is theirs) and the officer's audit of every published root.
 */
import type { Provider } from "ethers"
import { KycTree, type KycHash } from "../../prover/src/kyc-tree.ts"
import { applyKycEvent, compareKycEvents, decodeKycLog, KYC_LEAF_TOPICS, kycEventMisfit, leavesFromKycEvents, type KycEvent } from "./kyc-events.ts"

export type { KycEvent } from "./kyc-events.ts"

/** Options of {@link fetchKycEvents}. */
export interface FetchKycEventsOptions {
    /** First block to scan (the deployment block). */
    fromBlock: number
    /** Last block (default: latest). */
    toBlock?: number
    /** Blocks per `eth_getLogs` call; public RPCs cap the range (default 5,000). */
    chunkSize?: number
    /** Called after each chunk with the blocks scanned so far. */
    onProgress?: (progress: { scanned: number; total: number; events: number }) => void
}

/**
 * Reads every leaf change of a KYC registry from the chain, oldest first. Anyone can do this:
 * it is how a borrower finds their Merkle path without telling anyone which leaf is theirs.
 * @param provider A JSON-RPC provider.
 * @param registry The KycRegistry address.
 */
export async function fetchKycEvents(provider: Provider, registry: string, options: FetchKycEventsOptions): Promise<KycEvent[]> {
    const toBlock = options.toBlock ?? (await provider.getBlockNumber())
    const chunk = options.chunkSize ?? 5_000
    const events: KycEvent[] = []
    for (let from = options.fromBlock; from <= toBlock; from += chunk) {
        const to = Math.min(from + chunk - 1, toBlock)
        const logs = await provider.getLogs({ address: registry, fromBlock: from, toBlock: to, topics: [KYC_LEAF_TOPICS] })
        for (const log of logs) {
            const event = decodeKycLog(log)
            if (event) events.push(event)
        }
        options.onProgress?.({ scanned: to - options.fromBlock + 1, total: toBlock - options.fromBlock + 1, events: events.length })
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
