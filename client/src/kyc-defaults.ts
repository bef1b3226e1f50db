/**
 * The KYC registry's default records, decoded in one place: `MemberRemovedForDefault` (an
 * officer removed the identity the escrow committee opened, naming the defaulted loan) and
 * `MemberReadmitted` (the loan was paid in full after the default and the identity came back).
 * They change no leaf by themselves: each comes with the `MemberRemoved` / `MembersAdded` that
 * does, so the tree replays the same as with a plain removal (client/src/kyc-events.ts). Read by
 * the officer's audit, the app's compliance page and the bureau.
 */
import { Interface, type Log, type Provider } from "ethers"
import { KycRegistryAbi } from "./generated/abis.ts"
import type { KycEvent } from "./kyc-events.ts"
import { getLogsInRanges, type GetLogsOptions } from "./logs.ts"

const kycInterface = new Interface(KycRegistryAbi)

/** Where an event is on the chain. */
export interface ChainPlace {
    blockNumber: number
    logIndex: number
    transactionHash: string
}

/** A default record event of the registry. */
export interface KycDefaultEvent extends ChainPlace {
    /** `defaultRecorded`: the member was removed for the loan's default; `readmitted`: it came back once the loan was paid. */
    kind: "defaultRecorded" | "readmitted"
    commitment: bigint
    /** The market of the defaulted loan (checksummed). */
    market: string
    loanId: bigint
    /** The member's index: the one removed, or the new one on readmission. */
    index: number
    newRoot: bigint
}

/** The registry's default events, by name. */
export const KYC_DEFAULT_EVENTS = ["MemberRemovedForDefault", "MemberReadmitted"] as const

/** Their topic hashes, as one `eth_getLogs` topic filter (any of them). */
export const KYC_DEFAULT_TOPICS: string[] = KYC_DEFAULT_EVENTS.map((name) => kycInterface.getEvent(name)!.topicHash)

/**
 * Decodes a registry log; undefined for a log that is not a default event (another KYC event,
 * or one of the trust registry's bureau and committee parts).
 * @param log A log of the TrustRegistry.
 */
export function decodeKycDefaultLog(log: Pick<Log, "topics" | "data" | "blockNumber" | "index" | "transactionHash">): KycDefaultEvent | undefined {
    const parsed = kycInterface.parseLog({ topics: [...log.topics], data: log.data })
    if (!parsed || !(KYC_DEFAULT_EVENTS as readonly string[]).includes(parsed.name)) return undefined
    return {
        kind: parsed.name === "MemberRemovedForDefault" ? "defaultRecorded" : "readmitted",
        commitment: BigInt(parsed.args.commitment),
        market: String(parsed.args.market),
        loanId: BigInt(parsed.args.loanId),
        index: Number(parsed.args.index),
        newRoot: BigInt(parsed.args.newRoot),
        blockNumber: log.blockNumber,
        logIndex: log.index,
        transactionHash: log.transactionHash
    }
}

/**
 * Reads every default record event of a registry in a block range, oldest first. The request
 * depends only on the registry and the range (never on a commitment): filter the result locally.
 * @param provider A JSON-RPC provider.
 * @param registry The TrustRegistry address.
 */
export async function fetchKycDefaultEvents(
    provider: Pick<Provider, "getLogs" | "getBlockNumber">,
    registry: string,
    options: { fromBlock: number; toBlock?: number } & Omit<GetLogsOptions, "onProgress">
): Promise<KycDefaultEvent[]> {
    const { fromBlock, toBlock: to, ...reading } = options
    const toBlock = to ?? (await provider.getBlockNumber())
    if (toBlock < fromBlock) return []
    const logs = await getLogsInRanges(provider, { address: registry, topics: [KYC_DEFAULT_TOPICS] }, fromBlock, toBlock, reading)
    const events: KycDefaultEvent[] = []
    for (const log of logs) {
        const event = decodeKycDefaultLog(log)
        if (event) events.push(event)
    }
    return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
}

/** One default recorded against an identity, and its readmission if there was one. */
export interface KycDefaultRecord {
    commitment: bigint
    market: string
    loanId: bigint
    /** The index the member was removed from. */
    index: number
    recorded: ChainPlace & { newRoot: bigint }
    /** Set once the loan was paid in full and the member readmitted (at `index`). */
    readmitted?: ChainPlace & { newRoot: bigint; index: number }
}

/**
 * Pairs default events into records, oldest first: each readmission closes the open record of
 * its commitment (the registry keeps at most one open per identity).
 * @param events Default events in chain order.
 */
export function kycDefaultRecords(events: readonly KycDefaultEvent[]): KycDefaultRecord[] {
    const records: KycDefaultRecord[] = []
    const open = new Map<bigint, KycDefaultRecord>()
    for (const e of events) {
        const place = { blockNumber: e.blockNumber, logIndex: e.logIndex, transactionHash: e.transactionHash, newRoot: e.newRoot }
        if (e.kind === "defaultRecorded") {
            const record: KycDefaultRecord = { commitment: e.commitment, market: e.market, loanId: e.loanId, index: e.index, recorded: place }
            records.push(record)
            open.set(e.commitment, record)
        } else {
            const record = open.get(e.commitment)
            if (record) {
                record.readmitted = { ...place, index: e.index }
                open.delete(e.commitment)
            }
        }
    }
    return records
}

/**
 * The key of a leaf event (`MemberRemoved`, or `MembersAdded` at `index`) in the map of
 * {@link defaultsByLeafEvent}.
 */
export function leafEventKey(place: { blockNumber: number; transactionHash: string }, index: number): string {
    return `${place.blockNumber}:${place.transactionHash.toLowerCase()}:${index}`
}

/** What a leaf event was, when it was part of a default record. */
export interface DefaultLabel {
    /** `default`: the removal of a default record; `readmission`: the addition of its readmission. */
    kind: "default" | "readmission"
    record: KycDefaultRecord
}

/**
 * The default records by the leaf event that carried them out (see {@link leafEventKey}): how a
 * view that lists leaf events shows a removal as a default naming the loan, and an addition as
 * a readmission.
 */
export function defaultsByLeafEvent(records: readonly KycDefaultRecord[]): Map<string, DefaultLabel> {
    const labels = new Map<string, DefaultLabel>()
    for (const record of records) {
        labels.set(leafEventKey(record.recorded, record.index), { kind: "default", record })
        if (record.readmitted) labels.set(leafEventKey(record.readmitted, record.readmitted.index), { kind: "readmission", record })
    }
    return labels
}

/** A default record that does not agree with the leaf events. */
export interface KycDefaultFinding {
    record: KycDefaultRecord
    problem: string
}

/**
 * Checks default records against the leaf events (the registry stores no leaves, so the
 * commitment a default names is the officer's word until replayed): each removal for a default
 * must take out the commitment it names, and an identity with an open default must not be a
 * member again by a plain add or replace.
 * @param leafEvents Every leaf event, in chain order (client/src/kyc-events.ts).
 * @param records {@link kycDefaultRecords} of every default event.
 */
export function auditKycDefaults(leafEvents: readonly KycEvent[], records: readonly KycDefaultRecord[]): KycDefaultFinding[] {
    const findings: KycDefaultFinding[] = []
    const byRemoval = new Map(records.map((r) => [leafEventKey(r.recorded, r.index), r]))
    const seen = new Set<KycDefaultRecord>()
    const leaves: bigint[] = []
    for (const event of leafEvents) {
        if (event.kind === "added") {
            event.commitments.forEach((c, i) => (leaves[event.startIndex + i] = c))
            continue
        }
        if (event.kind === "removed") {
            const record = byRemoval.get(leafEventKey(event, event.index))
            if (record) {
                seen.add(record)
                const held = leaves[event.index] ?? 0n
                if (held !== record.commitment) findings.push({ record, problem: `the removal for the default of loan ${record.loanId} names commitment ${record.commitment}, but the slot at index ${record.index} held ${held}` })
            }
        }
        leaves[event.index] = event.kind === "removed" ? 0n : event.newCommitment
    }
    for (const record of records) {
        if (!seen.has(record)) findings.push({ record, problem: `the default of loan ${record.loanId} has no removal of index ${record.index} in the same transaction` })
        if (record.readmitted) continue
        const at = leaves.indexOf(record.commitment)
        if (at !== -1) findings.push({ record, problem: `commitment ${record.commitment}, out for the open default of loan ${record.loanId} of market ${record.market}, is a member again at index ${at} without a readmission` })
    }
    return findings
}

/**
 * The open default of a commitment (removed for a default and not readmitted), if any: why an
 * identity that is not in the tree any more cannot prove membership. Look it up in records read
 * with {@link fetchKycDefaultEvents}, so that no request names the commitment.
 */
export function openDefaultOf(records: readonly KycDefaultRecord[], commitment: bigint): KycDefaultRecord | undefined {
    return records.findLast((r) => r.commitment === commitment && !r.readmitted)
}
