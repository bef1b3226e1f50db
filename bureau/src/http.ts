/**
 * The HTTP plumbing of the bureau service: JSON responses, error responses, CORS and a JSON
 * body reader with a size limit. No routes here.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

/** The error body of every non-2xx response: `{ error: { code, field, message } }`. */
export interface ErrorBody {
    error: {
        /** Stable code, e.g. `MISSING_FIELD`, `NOT_FOUND`, `RECORD_UNAVAILABLE`. */
        code: string
        /** The request field at fault (`applicant.kind`, `body`, `content-type`), or `null`. */
        field: string | null
        /** What was wrong and how to fix it. */
        message: string
    }
}

/** An error that becomes an HTTP error response. */
export class HttpError extends Error {
    /** The HTTP status. */
    readonly status: number
    /** The stable error code of the body. */
    readonly code: string
    /** The request field at fault, or `null`. */
    readonly field: string | null
    /** Extra response headers (`Allow`, `Connection`). */
    readonly headers: Readonly<Record<string, string>>

    /**
     * @param status HTTP status.
     * @param code Stable error code.
     * @param field The request field at fault, or `null`.
     * @param message What was wrong and how to fix it.
     * @param headers Extra response headers.
     */
    constructor(status: number, code: string, field: string | null, message: string, headers: Record<string, string> = {}) {
        super(message)
        this.name = "HttpError"
        this.status = status
        this.code = code
        this.field = field
        this.headers = headers
    }
}

/** Headers every response carries: responses may hold personal data, so nothing caches them. */
const COMMON_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" }

/**
 * Sends a JSON response.
 * @param response The response, not yet written.
 * @param status HTTP status.
 * @param body Anything `JSON.stringify` takes; bigints are written as decimal strings.
 * @param headers Extra headers.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))
    response.writeHead(status, { ...COMMON_HEADERS, ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) })
    response.end(text)
}

/** Sends an {@link ErrorBody}. */
export function sendError(response: ServerResponse, status: number, code: string, field: string | null, message: string, headers: Readonly<Record<string, string>> = {}): void {
    const body: ErrorBody = { error: { code, field, message } }
    sendJson(response, status, body, headers)
}

/** Which browser origins may call the service: `"*"` for any, or a list of exact origins. */
export type CorsOrigins = "*" | readonly string[]

/**
 * Sets the CORS headers a response needs for a request's `Origin`. With a list, origins not on
 * it get no CORS headers, so browsers refuse them.
 */
export function applyCors(request: IncomingMessage, response: ServerResponse, origins: CorsOrigins): void {
    if (origins === "*") {
        response.setHeader("access-control-allow-origin", "*")
        return
    }
    // the answer depends on Origin: caches must key on it
    response.setHeader("vary", "Origin")
    const origin = request.headers.origin
    if (typeof origin === "string" && origins.includes(origin)) response.setHeader("access-control-allow-origin", origin)
}

/** Answers a CORS preflight (`OPTIONS`) for a route that takes `methods`. */
export function sendPreflight(response: ServerResponse, methods: readonly string[]): void {
    response.writeHead(204, {
        ...COMMON_HEADERS,
        "access-control-allow-methods": [...methods, "OPTIONS"].join(", "),
        "access-control-allow-headers": "Content-Type",
        "access-control-max-age": "600"
    })
    response.end()
}

/**
 * Reads a request body as JSON.
 * @param request The request.
 * @param maxBytes Largest body accepted; larger ones are refused with 413 without being kept.
 * @throws HttpError 415 for a content type other than `application/json` (UTF-8), 413 for a
 *   body over `maxBytes`, 400 for text that is not UTF-8 JSON.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
    requireJsonContentType(request.headers["content-type"])
    const bytes = await readBody(request, maxBytes)
    let text: string
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    } catch {
        throw new HttpError(400, "INVALID_JSON", "body", "the body is not UTF-8 text: send JSON encoded as UTF-8")
    }
    try {
        return JSON.parse(text) as unknown
    } catch {
        throw new HttpError(400, "INVALID_JSON", "body", "the body is not valid JSON")
    }
}

function requireJsonContentType(header: string | undefined): void {
    const [type = "", ...parameters] = (header ?? "").split(";").map((part) => part.trim().toLowerCase())
    const charset = parameters.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"|"$/g, "")
    if (type !== "application/json" || (charset !== undefined && charset !== "utf-8" && charset !== "utf8")) {
        throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "content-type", "send the body as JSON with Content-Type: application/json (UTF-8)")
    }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
    const tooLarge = (): HttpError =>
        // the rest of the body is not read: close the connection rather than parse it as the next request
        new HttpError(413, "PAYLOAD_TOO_LARGE", "body", `the body must be at most ${maxBytes} bytes`, { connection: "close" })
    const declared = Number(request.headers["content-length"])
    if (Number.isFinite(declared) && declared > maxBytes) {
        request.resume()
        return Promise.reject(tooLarge())
    }
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = []
        let size = 0
        let refused = false
        request.on("data", (chunk: Buffer) => {
            if (refused) return
            size += chunk.length
            if (size > maxBytes) {
                // keep draining (and dropping) what comes, so the 413 can still be written
                refused = true
                chunks.length = 0
                reject(tooLarge())
                return
            }
            chunks.push(chunk)
        })
        let ended = false
        request.on("end", () => {
            ended = true
            if (!refused) resolve(Buffer.concat(chunks))
        })
        // a client that goes away mid-body (node:http reports it as an ECONNRESET "aborted" error,
        // then a close): the client's doing, not the bureau's; nobody is left to answer, but the
        // handler must end, and it must not log a bureau fault
        const incomplete = () => new HttpError(400, "INCOMPLETE_BODY", "body", "the connection closed before the body was complete")
        request.on("error", () => reject(incomplete()))
        request.on("close", () => {
            if (!ended) reject(incomplete())
        })
    })
}
