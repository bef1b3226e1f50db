/**
 * The KYC registry's leaf events, decoded in one place: which events change leaves, how a log
 * becomes a {@link KycEvent}, and how an event is replayed onto a tree. A new leaf event of the
 * registry is added here (its name in {@link KYC_LEAF_EVENTS}, a case in {@link decodeKycLog} and
 * in {@link applyKycEvent}) and every reader (app, CLI, audit, snapshots) follows.
 */
import { Interface, type Log } from "ethers"
import type { KycTree } from "../../prover/src/kyc-tree.ts"
import { KycRegistryAbi } from "./generated/abis.ts"

const kycInterface = new Interface(KycRegistryAbi)

/** A leaf change published by the KYC registry, in chain order. */
export type KycEvent =
    | { kind: "added"; startIndex: number; commitments: bigint[]; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }
    | { kind: "removed"; index: number; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }
    | { kind: "replaced"; index: number; newCommitment: bigint; newRoot: bigint; blockNumber: number; logIndex: number; transactionHash: string }

/** The registry events that change leaves. */
export const KYC_LEAF_EVENTS = ["MembersAdded", "MemberRemoved", "MemberReplaced"] as const

/** Their topic hashes, as one `eth_getLogs` topic filter (any of them). */
export const KYC_LEAF_TOPICS: string[] = KYC_LEAF_EVENTS.map((name) => kycInterface.getEvent(name)!.topicHash)

/**
 * Decodes a registry log; undefined for a log that is not a leaf event (the trust registry's
 * address also logs the bureau and committee parts' events).
 * @param log A log of the TrustRegistry (from `eth_getLogs` or a receipt).
 */
export function decodeKycLog(log: Pick<Log, "topics" | "data" | "blockNumber" | "index" | "transactionHash">): KycEvent | undefined {
    const parsed = kycInterface.parseLog({ topics: [...log.topics], data: log.data })
    if (!parsed) return undefined
    const at = { blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash }
    switch (parsed.name) {
        case "MembersAdded":
            return { kind: "added", startIndex: Number(parsed.args.startIndex), commitments: [...parsed.args.commitments].map(BigInt), newRoot: BigInt(parsed.args.newRoot), ...at }
        case "MemberRemoved":
            return { kind: "removed", index: Number(parsed.args.index), newRoot: BigInt(parsed.args.newRoot), ...at }
        case "MemberReplaced":
            return { kind: "replaced", index: Number(parsed.args.index), newCommitment: BigInt(parsed.args.newCommitment), newRoot: BigInt(parsed.args.newRoot), ...at }
        default:
            return undefined
    }
}

/** Chain order: block, then log index. */
export function compareKycEvents(a: KycEvent, b: KycEvent): number {
    return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex
}

/**
 * Why an event cannot be replayed onto a tree as it stands (an index gap or an index outside
 * the tree), or undefined when it can.
 */
export function kycEventMisfit(tree: KycTree, event: KycEvent): string | undefined {
    if (event.kind === "added") return event.startIndex === tree.size ? undefined : `members added at index ${event.startIndex}, but the tree has ${tree.size} leaves`
    return event.index < tree.size ? undefined : `index ${event.index} is not in the tree (${tree.size} leaves)`
}

/**
 * Replays an event onto a tree exactly as the chain published it (repeats and removals of
 * removed slots included): the raw path, so that the tree is the chain's, mistakes and all.
 * @returns False, changing nothing, when the event does not fit the tree (see {@link kycEventMisfit}).
 */
export function applyKycEvent(tree: KycTree, event: KycEvent): boolean {
    if (kycEventMisfit(tree, event) !== undefined) return false
    if (event.kind === "added") tree.appendLeaves(event.commitments)
    else tree.setLeaf(event.index, event.kind === "removed" ? 0n : event.newCommitment)
    return true
}

/**
 * The leaves the events leave behind, in index order (0 for removed or never-written slots):
 * to build a tree in one level-by-level pass instead of replaying event by event.
 */
export function leavesFromKycEvents(events: readonly KycEvent[], start: readonly bigint[] = []): bigint[] {
    const leaves = start.slice()
    for (const event of events) {
        if (event.kind === "added") event.commitments.forEach((c, i) => (leaves[event.startIndex + i] = c))
        else leaves[event.index] = event.kind === "removed" ? 0n : event.newCommitment
    }
    for (let i = 0; i < leaves.length; i++) leaves[i] ??= 0n
    return leaves
}
