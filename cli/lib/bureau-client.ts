/**
 * Requests to the bureau service from the CLI, with its errors mapped to the CLI's exit codes:
 * 4xx (but 404) bad input, 502/503/504 unreachable, anything else a failure.
 */
import type { ErrorBody } from "../../bureau/src/api-types.ts"
import { ENV } from "./context.ts"
import { isConnectionError } from "./errors.ts"
import { badInput, failed, unreachable } from "./exit-codes.ts"
import { readText } from "./files.ts"

/** The bureau the CLI talks to when none is given. */
export const DEFAULT_BUREAU_URL = "http://127.0.0.1:8787"

/** The bureau's base URL: the option, else ZKCREDIT_BUREAU_URL, else the local one; checked. */
export function bureauBase(option: string | undefined): string {
    const base = (option ?? process.env[ENV.bureau] ?? DEFAULT_BUREAU_URL).replace(/\/+$/, "")
    if (!/^https?:\/\//.test(base)) throw badInput("INVALID_URL", `--bureau must be an http(s) URL, got ${JSON.stringify(base)}`)
    return base
}

/** Reads an admin token file (as `npm start` and `zkcredit bureau serve` write it). */
export async function readAdminToken(path: string): Promise<string> {
    const token = (await readText(path, "admin token file")).trim()
    if (token.length < 16) throw badInput("INVALID_TOKEN", `${path} holds no admin token (at least 16 characters)`, { file: path })
    return token
}

/**
 * POSTs JSON to the bureau.
 * @returns The parsed answer of a 2xx response.
 */
export function bureauPost<T>(base: string, route: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return bureauRequest<T>(base, route, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
}

/**
 * GETs a bureau route (`/v1/markets`, `/v1/key`).
 * @returns The parsed answer of a 2xx response.
 */
export function bureauGet<T>(base: string, route: string): Promise<T> {
    return bureauRequest<T>(base, route, {})
}

async function bureauRequest<T>(base: string, route: string, init: RequestInit): Promise<T> {
    let response: Response
    try {
        response = await fetch(`${base}${route}`, { ...init, signal: AbortSignal.timeout(60_000) })
    } catch (error) {
        if (isConnectionError(error) || (error as Error).name === "TimeoutError" || (error as Error).message === "fetch failed") {
            throw unreachable("BUREAU_UNREACHABLE", `the bureau service does not answer at ${base}: start it (zkcredit bureau serve) or pass --bureau <url>`, { bureau: base })
        }
        throw error
    }
    const answer = (await response.json().catch(() => ({}))) as T & Partial<ErrorBody>
    if (!response.ok) {
        const message = `the bureau refused (${response.status}${answer.error?.code ? ` ${answer.error.code}` : ""}): ${answer.error?.field ? `${answer.error.field}: ` : ""}${answer.error?.message ?? response.statusText}`
        if (response.status >= 400 && response.status < 500 && response.status !== 404) throw badInput(answer.error?.code ?? "BUREAU_REFUSED", message, { status: response.status, field: answer.error?.field ?? null })
        if (response.status === 502 || response.status === 504 || response.status === 503) throw unreachable(answer.error?.code ?? "BUREAU_UNAVAILABLE", message, { status: response.status })
        throw failed(answer.error?.code ?? "BUREAU_ERROR", message, { status: response.status })
    }
    return answer
}
