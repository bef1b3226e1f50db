/** Calls to the bureau service (its HTTP API: bureau/README.md). */
import type { ErrorBody, KeyResponse, MarketsResponse } from "$bureau/api-types.ts"
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
    const json = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined
    if (!response.ok || json === undefined) {
        const e = json?.error
        throw new BureauHttpError(e?.code ?? `HTTP_${response.status}`, e?.field ?? null, e?.message ?? `HTTP ${response.status}`)
    }
    return json as T
}

/** The API's wire types, shared with the service (types only: no bureau code in the app). */
export type { AttestationResponse, DisputeRow, RecordView, ReportResponse, ScoreReport } from "$bureau/api-types.ts"

/** The bureau's public key and its hash. */
export function bureauKey(): Promise<KeyResponse> {
    return bureauCall("/v1/key")
}

/** The scopes of the markets whose history the bureau reads. */
export function bureauMarkets(): Promise<MarketsResponse> {
    return bureauCall("/v1/markets")
}
