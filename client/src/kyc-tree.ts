import { Interface, type Provider } from "ethers"
import { KycGroup } from "../../prover/src/kyc-group.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { KycRegistryAbi } from "./generated/abis.ts"

const kycInterface = new Interface(KycRegistryAbi)

/** A leaf change published by the KYC registry, in chain order. */
export type KycEvent =
    | { kind: "added"; startIndex: number; commitments: bigint[]; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }
    | { kind: "removed"; index: number; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }
    | { kind: "replaced"; index: number; newCommitment: bigint; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }

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
    const topics = ["MembersAdded", "MemberRemoved", "MemberReplaced"].map((name) => kycInterface.getEvent(name)!.topicHash)
    const events: KycEvent[] = []
    for (let from = options.fromBlock; from <= toBlock; from += chunk) {
        const to = Math.min(from + chunk - 1, toBlock)
        const logs = await provider.getLogs({ address: registry, fromBlock: from, toBlock: to, topics: [topics] })
        for (const log of logs) {
            const parsed = kycInterface.parseLog(log)
            if (!parsed) continue
            const at = { blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash }
            if (parsed.name === "MembersAdded") {
                events.push({ kind: "added", startIndex: Number(parsed.args.startIndex), commitments: [...parsed.args.commitments].map(BigInt), newRoot: BigInt(parsed.args.newRoot), ...at })
            } else if (parsed.name === "MemberRemoved") {
                events.push({ kind: "removed", index: Number(parsed.args.index), newRoot: BigInt(parsed.args.newRoot), ...at })
            } else {
                events.push({ kind: "replaced", index: Number(parsed.args.index), newCommitment: BigInt(parsed.args.newCommitment), newRoot: BigInt(parsed.args.newRoot), ...at })
            }
        }
        options.onProgress?.({ scanned: to - options.fromBlock + 1, total: toBlock - options.fromBlock + 1, events: events.length })
    }
    return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
}

/** One published root that does not match the tree rebuilt from the events before it. */
export interface KycAuditFinding {
    /** Position of the event in chain order. */
    eventIndex: number
    event: KycEvent
    /** What the tree's root is after applying the event. */
    expectedRoot: bigint
    /** Why the event does not fit, when it could not even be applied (index gap, duplicate...). */
    problem?: string
}

/** The tree rebuilt from events and whether every published root matched. */
export interface KycAudit {
    group: KycGroup
    /** Roots checked (one per event). */
    rootsChecked: number
    findings: KycAuditFinding[]
    /** True when every published root equals the rebuilt tree's root at that point. */
    ok: boolean
}

/**
 * Replays the registry's events into a KYC group, checking each published root against the
 * tree rebuilt so far. An officer who published a root that does not match the members shows
 * up here, with the event that did it.
 */
export function auditKycEvents(events: readonly KycEvent[]): KycAudit {
    const group = new KycGroup()
    const findings: KycAuditFinding[] = []
    events.forEach((event, eventIndex) => {
        let problem: string | undefined
        try {
            if (event.kind === "added") {
                if (event.startIndex !== group.size) problem = `members added at index ${event.startIndex}, but the tree has ${group.size} leaves`
                else group.addMembers(event.commitments)
            } else if (event.kind === "removed") {
                group.removeMember(event.index)
            } else {
                group.updateMember(event.index, event.newCommitment)
            }
        } catch (error) {
            if (!isZkCreditError(error)) throw error
            problem = error.message
        }
        if (problem !== undefined || group.root !== event.newRoot) findings.push({ eventIndex, event, expectedRoot: group.root, ...(problem ? { problem } : {}) })
    })
    return { group, rootsChecked: events.length, findings, ok: findings.length === 0 }
}

/**
 * The KYC group as the chain has it now: leaves from the events (in one level-by-level build,
 * about one hash per leaf), without checking intermediate roots. Use {@link auditKycEvents} to check.
 */
export function kycGroupFromEvents(events: readonly KycEvent[]): KycGroup {
    const leaves: bigint[] = []
    for (const event of events) {
        if (event.kind === "added") event.commitments.forEach((c, i) => (leaves[event.startIndex + i] = c))
        else if (event.kind === "removed") leaves[event.index] = 0n
        else leaves[event.index] = event.newCommitment
    }
    for (let i = 0; i < leaves.length; i++) leaves[i] ??= 0n
    return new KycGroup(leaves)
}
