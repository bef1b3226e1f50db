/**
 * The KYC registry's default records as the audit, the app and the bureau read them
 * (client/src/kyc-defaults.ts): pairing records with readmissions, labelling leaf events, and
 * checking records against the leaves. Pure: the events are written out here; the contract's
 * events are decoded in test/contracts/kyc-defaults.test.ts and on a node in test/cli/default-records.test.ts.
 */
import { describe, expect, it } from "vitest"
import { auditKycDefaults, defaultsByLeafEvent, kycDefaultRecords, leafEventKey, type KycDefaultEvent } from "../../client/src/kyc-defaults.ts"
import type { KycEvent } from "../../client/src/kyc-events.ts"

const MARKET = "0x00000000000000000000000000000000000000A1"
const at = (blockNumber: number, tx: string) => ({ blockNumber, logIndex: 1, transactionHash: tx })

const added = (startIndex: number, commitments: bigint[], block: number, tx: string): KycEvent => ({ kind: "added", startIndex, commitments, newRoot: 1n, ...at(block, tx) })
const removed = (index: number, block: number, tx: string): KycEvent => ({ kind: "removed", index, newRoot: 1n, ...at(block, tx) })
const recorded = (commitment: bigint, index: number, loanId: bigint, block: number, tx: string): KycDefaultEvent => ({ kind: "defaultRecorded", commitment, market: MARKET, loanId, index, newRoot: 1n, ...at(block, tx) })
const readmitted = (commitment: bigint, index: number, loanId: bigint, block: number, tx: string): KycDefaultEvent => ({ kind: "readmitted", commitment, market: MARKET, loanId, index, newRoot: 1n, ...at(block, tx) })

describe("KYC default records", () => {
    const leafEvents = [added(0, [11n, 22n, 33n], 1, "0xa"), removed(2, 2, "0xb"), added(3, [33n], 3, "0xc"), removed(0, 4, "0xd")]
    const defaultEvents = [recorded(33n, 2, 0n, 2, "0xb"), readmitted(33n, 3, 0n, 3, "0xc"), recorded(11n, 0, 5n, 4, "0xd")]

    it("pairs each readmission with its open default; a later default of the same identity is a new record", () => {
        const records = kycDefaultRecords(defaultEvents)
        expect(records).toHaveLength(2)
        expect(records[0]).toMatchObject({ commitment: 33n, loanId: 0n, index: 2, recorded: { blockNumber: 2 }, readmitted: { index: 3, blockNumber: 3 } })
        expect(records[1]).toMatchObject({ commitment: 11n, loanId: 5n, index: 0 })
        expect(records[1]!.readmitted).toBeUndefined()
        // a readmission without an open record changes nothing
        expect(kycDefaultRecords([readmitted(9n, 0, 1n, 1, "0x1")])).toEqual([])
    })

    it("labels the removal as a default and the addition as a readmission, keyed by block, transaction and index", () => {
        const labels = defaultsByLeafEvent(kycDefaultRecords(defaultEvents))
        expect(labels.get(leafEventKey(leafEvents[1]!, 2))).toMatchObject({ kind: "default", record: { loanId: 0n } })
        expect(labels.get(leafEventKey(leafEvents[2]!, 3))).toMatchObject({ kind: "readmission", record: { loanId: 0n } })
        expect(labels.get(leafEventKey({ blockNumber: 4, transactionHash: "0xD" }, 0))).toMatchObject({ kind: "default", record: { loanId: 5n } })
        expect(labels.get(leafEventKey(leafEvents[0]!, 0))).toBeUndefined()
    })

    it("an honest history has no findings", () => {
        expect(auditKycDefaults(leafEvents, kycDefaultRecords(defaultEvents))).toEqual([])
    })

    it("finds a record naming another commitment than the member removed", () => {
        const findings = auditKycDefaults(leafEvents, kycDefaultRecords([recorded(99n, 2, 0n, 2, "0xb")]))
        expect(findings.map((f) => f.problem)).toEqual(["the removal for the default of loan 0 names commitment 99, but the slot at index 2 held 33"])
    })

    it("finds an identity out for an open default that is a member again without a readmission, and a record without its removal", () => {
        const back = [...leafEvents.slice(0, 2), added(3, [33n], 3, "0xc")]
        expect(auditKycDefaults(back, kycDefaultRecords([recorded(33n, 2, 0n, 2, "0xb")])).map((f) => f.problem)).toEqual([
            `commitment 33, out for the open default of loan 0 of market ${MARKET}, is a member again at index 3 without a readmission`
        ])
        expect(auditKycDefaults(leafEvents.slice(0, 1), kycDefaultRecords([recorded(11n, 0, 1n, 9, "0xf")])).map((f) => f.problem)).toEqual([
            "the default of loan 1 has no removal of index 0 in the same transaction",
            `commitment 11, out for the open default of loan 1 of market ${MARKET}, is a member again at index 0 without a readmission`
        ])
    })
})
