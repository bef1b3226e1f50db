/**
 * The bureau service's HTTP pieces that hono does not give as such: the error type and JSON
 * responses in the bureau's shape, the JSON body reader (hono's `bodyLimit`, then a strict UTF-8
 * JSON parse), and the answers to what node:http refuses before any framework sees it (parser
 * errors, CONNECT). No routes here.
 */
import { STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import type { MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { ErrorBody } from "./api-types.ts"

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
export const COMMON_HEADERS: Readonly<Record<string, string>> = { "cache-control": "no-store", "x-content-type-options": "nosniff" }

/**
 * A JSON response.
 * @param status HTTP status.
 * @param body Anything `JSON.stringify` takes; bigints are written as decimal strings.
 * @param headers Extra headers.
 */
export function jsonResponse(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
    const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))
    return new Response(text, { status, headers: { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) } })
}

/** An {@link ErrorBody} response. */
export function errorResponse(status: number, code: string, field: string | null, message: string, headers: Readonly<Record<string, string>> = {}): Response {
    const body: ErrorBody = { error: { code, field, message } }
    return jsonResponse(status, body, headers)
}

/** Which browser origins may call the service: `"*"` for any, or a list of exact origins. */
export type CorsOrigins = "*" | readonly string[]

/** Where {@link jsonBody} leaves the parsed body in the context (`c.get(PARSED_BODY)`). */
export const PARSED_BODY = "jsonBody"

/** The hono environment of the bureau's app: the parsed JSON body, when the route takes one. */
export interface BureauEnv {
    Variables: { [PARSED_BODY]: unknown }
}

/**
 * Middleware reading the request body as JSON into `c.get("jsonBody")`.
 * @param maxBytes Largest body accepted; a larger one, declared or streamed, is refused with 413
 *   as soon as it passes the limit (hono's `bodyLimit`), and its connection is closed.
 * @returns Middleware that throws HttpError 415 for a content type other than
 *   `application/json` (UTF-8), 413 for a body over `maxBytes`, 400 for text that is not UTF-8 JSON
 *   or a body cut off by the client.
 */
export function jsonBody(maxBytes: number): MiddlewareHandler<BureauEnv> {
    const limit = bodyLimit({
        maxSize: maxBytes,
        // the rest of the body is not read: close the connection rather than parse it as the next request
        onError: () => {
            throw new HttpError(413, "PAYLOAD_TOO_LARGE", "body", `the body must be at most ${maxBytes} bytes`, { connection: "close" })
        }
    })
    return async (c, next) => {
        requireJsonContentType(c.req.header("content-type"))
        // reading a request body fails only when the client goes away mid-body: nobody is left
        // to answer, but it is the client's doing, not a bureau fault
        const incomplete = () => new HttpError(400, "INCOMPLETE_BODY", "body", "the connection closed before the body was complete")
        let bytes: ArrayBuffer | undefined
        try {
            await limit(c, async () => {
                bytes = await c.req.arrayBuffer()
            })
        } catch (error) {
            throw error instanceof HttpError ? error : incomplete()
        }
        if (bytes === undefined) throw incomplete()
        c.set(PARSED_BODY, parseJson(bytes))
        await next()
    }
}

function parseJson(bytes: ArrayBuffer): unknown {
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

/** Middleware refusing every method but `method` (and `OPTIONS`, answered by CORS) with 405 and `Allow`. */
export function onlyMethod(method: string, path: string): MiddlewareHandler<BureauEnv> {
    return async (c, next) => {
        // hono serves HEAD with the GET handler; the bureau does not, so look at the raw method
        if (c.req.raw.method !== method) throw new HttpError(405, "METHOD_NOT_ALLOWED", null, `${path} takes ${method}`, { allow: `${method}, OPTIONS` })
        await next()
    }
}

/** Status, code and field for an HTTP parser error (`HPE_*` codes from node:http). */
export function clientErrorResponse(code: string | undefined): [number, string, string | null] {
    if (code === "HPE_HEADER_OVERFLOW") return [431, "HEADERS_TOO_LARGE", "headers"]
    if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "REQUEST_TIMEOUT", null]
    if (code === "HPE_INVALID_METHOD") return [400, "BAD_REQUEST", "method"]
    if (code === "HPE_INVALID_URL") return [400, "BAD_REQUEST", "url"]
    return [400, "BAD_REQUEST", null]
}

/**
 * Writes a JSON error straight to a socket that has no response object (a request the HTTP
 * parser refused, or a CONNECT) and closes it. A socket already gone, or one whose earlier
 * response is still being written, is just destroyed.
 */
export function writeRawError(socket: Duplex, status: number, code: string, field: string | null, message: string, headers: Record<string, string> = {}): void {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (!socket.writable || inFlight?.headersSent) {
        socket.destroy()
        return
    }
    const body = JSON.stringify({ error: { code, field, message } } satisfies ErrorBody)
    const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
        "content-type: application/json; charset=utf-8",
        `content-length: ${Buffer.byteLength(body)}`,
        ...Object.entries({ ...COMMON_HEADERS, ...headers }).map(([name, value]) => `${name}: ${value}`),
        "connection: close"
    ]
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`)
}
