/** Calls to the bureau service (its HTTP API: bureau/README.md). */
import type { ScoreBreakdown } from "$bureau/scorecard.ts"
import type { Attestation } from "$prover/attestation.ts"
import { app } from "./app.svelte.ts"
import { AppError, BureauHttpError } from "./errors.ts"

/** A GET (no body) or a JSON POST to the bureau; its JSON errors become {@link BureauHttpError}. */
export async function bureauCall<T>(path: string, body?: unknown): Promise<T> {
    const base = app.config?.bureauUrl
    if (!base) throw new AppError("error.noConfig")
    let response: Response
    try {
        response = await fetch(`${base}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    } catch {
        throw new AppError("error.bureauUnreachable", { url: base })
    }
    const json = (await response.json().catch(() => undefined)) as { error?: { code?: string; field?: string | null; message?: string } } | undefined
    if (!response.ok || json === undefined) {
        const e = json?.error
        throw new BureauHttpError(e?.code ?? `HTTP_${response.status}`, e?.field ?? null, e?.message ?? `HTTP ${response.status}`)
    }
    return json as T
}

/** A score and how it was reached (bureau/src/bureau.ts `ScoreReport`). */
export interface ScoreReport {
    score: number
    breakdown: ScoreBreakdown & { sources: Record<string, string[]>; asOf: string; onChain: { provenPseudonyms: number; loansRead: number; unrecognisedRepaidLoans: number } | null }
}

/** A record the bureau holds (bureau/src/bureau.ts `RecordView`). */
export interface RecordView {
    id: string
    provider: string
    providerName: string
    category: string
    kind: string
    period: string
    data: Record<string, unknown>
    signedAt: number
    receivedAt: number
    supersededBy: string | null
    supersedes: string | null
}

/** A dispute (bureau/src/db/store.ts `DisputeRow`). */
export interface DisputeRow {
    id: string
    recordId: string
    reason: string
    openedAt: number
    resolvedAt: number | null
    correctionId: string | null
}

/** `POST /v1/attestations`: the attestation and how its score was reached. */
export type AttestationResponse = ScoreReport & { attestation: Attestation }

/** `POST /v1/report`: the score, and what the bureau holds about the applicant. */
export type ReportResponse = ScoreReport & { records: RecordView[]; disputes: DisputeRow[]; attestations: { score: number; issuedAt: number; expiresAt: number }[] }

/** The bureau's public key and its hash. */
export function bureauKey(): Promise<{ publicKey: [string, string]; keyHash: string }> {
    return bureauCall("/v1/key")
}

/** The scopes of the markets whose history the bureau reads. */
export function bureauMarkets(): Promise<{ scopes: string[] }> {
    return bureauCall("/v1/markets")
}
