/** Calls to the bureau service (its HTTP API: bureau/README.md). */
import type { Applicant } from "$bureau/applicant.ts"
import type { ScoreBreakdown } from "$bureau/scorecard.ts"
import type { Attestation } from "$prover/attestation.ts"
import { app } from "./app.svelte.ts"
import { AppError, BureauHttpError } from "./errors.ts"

async function call<T>(path: string, body?: unknown): Promise<T> {
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

export interface ScoreResponse {
    score: number
    breakdown: ScoreBreakdown
}

/** Scores an applicant (nothing signed). */
export function scoreApplicant(applicant: Applicant): Promise<ScoreResponse> {
    return call<ScoreResponse>("/v1/score", { applicant })
}

/** Asks the bureau to score an applicant and sign an attestation for an identity commitment. */
export function requestAttestation(commitment: bigint, applicant: Applicant): Promise<ScoreResponse & { attestation: Attestation }> {
    return call("/v1/attestations", { commitment: commitment.toString(), applicant })
}

/** The bureau's public key and its hash. */
export function bureauKey(): Promise<{ publicKey: [string, string]; keyHash: string }> {
    return call("/v1/key")
}
