/**
 * The wire types of the bureau's HTTP API (bureau/README.md), shared by the service and its
 * clients (the app, the CLI). Types only: importing this module loads no code, so a browser
 * build or type check does not pull in the service's database or node:http.
 */
import type { Attestation } from "../../prover/src/attestation.ts"
import type { ScoreBreakdown } from "./scorecard.ts"

/** The error body of every non-2xx response: `{ error: { code, field, message } }`. */
export interface ErrorBody {
    error: {
        /** Stable code, e.g. `MISSING_FIELD`, `NOT_FOUND`, `RECORD_UNAVAILABLE`. */
        code: string
        /** The request field at fault (`binding.commitment`, `body`, `content-type`), or `null`. */
        field: string | null
        /** What was wrong and how to fix it. */
        message: string
    }
}

/** `GET /v1/key`: the bureau's public key and its hash, decimal strings. */
export interface KeyResponse {
    publicKey: [string, string]
    keyHash: string
}

/** `GET /v1/markets`: the scopes (decimal strings) of the markets whose history the bureau reads. */
export interface MarketsResponse {
    scopes: string[]
}

/** `POST /v1/challenges`: a one-time challenge for a history proof and when it expires (unix seconds). */
export interface ChallengeResponse {
    challenge: string
    expiresAt: number
}

/** A record the bureau holds, as the applicant sees it. */
export interface RecordView {
    id: string
    provider: string
    providerName: string
    category: string
    /** The record kind (`repayment-history`, `income`, ...: bureau/src/records.ts). */
    kind: string
    period: string
    data: Record<string, unknown>
    signedAt: number
    receivedAt: number
    /** The correction that replaced it; `null` while it counts. */
    supersededBy: string | null
    supersedes: string | null
}

/** An applicant's dispute of one of their records. */
export interface DisputeRow {
    id: string
    recordId: string
    reason: string
    openedAt: number
    /** When the provider's correction arrived; `null` while open. */
    resolvedAt: number | null
    correctionId: string | null
}

/** An attestation the bureau issued, as the applicant's report lists it (no signature). */
export interface AttestationSummary {
    score: number
    issuedAt: number
    expiresAt: number
}

/** A score with its breakdown, sources and what the on-chain factor read. */
export interface ScoreReport {
    score: number
    breakdown: ScoreBreakdown & {
        /** Applicant field → ids of the records it came from. */
        sources: Record<string, string[]>
        /** The month the records were read as of. */
        asOf: string
        onChain: { provenPseudonyms: number; loansRead: number; unrecognisedRepaidLoans: number } | null
        /**
         * Defaults recorded against the identity in the KYC registry (present when the bureau reads
         * it); `counted` unless the loan is already in the proven on-chain record.
         */
        recordedDefaults?: { market: string; loanId: number; readmitted: boolean; counted: boolean }[]
    }
}

/** What the bureau holds about an applicant. */
export interface Holdings {
    records: RecordView[]
    disputes: DisputeRow[]
    attestations: AttestationSummary[]
}

/** `POST /v1/attestations`: the attestation and how its score was reached. */
export type AttestationResponse = ScoreReport & { attestation: Attestation }

/** `POST /v1/report`: the score, and what the bureau holds about the applicant (nothing signed). */
export type ReportResponse = ScoreReport & Holdings

/** `POST /v1/disputes`: the dispute recorded. */
export interface DisputeResponse {
    dispute: DisputeRow
}
