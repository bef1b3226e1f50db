/**
 * The bureau's HTTP service: scores applicants with the scorecard and signs attestations of
 * the scores it computed. It never takes a score from a client, and it never logs a request
 * body (applicants' data is personal): the log holds method, path, status and duration only.
 *
 * Routes (JSON in, JSON out):
 * - `GET /v1/health` → `{ ok: true }`
 * - `GET /v1/key` → `{ publicKey: [Ax, Ay], keyHash }` (decimal strings)
 * - `POST /v1/score` `{ applicant, pseudonym? }` → `{ score, breakdown }`
 * - `POST /v1/attestations` `{ commitment, applicant, pseudonym? }` → `{ attestation, score, breakdown }`
 *
 * Errors are `{ error: { code, field, message } }`: 400 bad JSON or field, 404 unknown route,
 * 405 wrong method, 413 body too large, 415 not JSON, 501 pseudonym given but no record
 * reader, 502/504 the record reader failed or timed out, 500 only for the bureau's own bugs.
 * Requests that HTTP itself refuses (malformed framing, an unknown method, headers too large, a
 * missing Host, CONNECT) get the same JSON shape: 400, 408, 431 or 405.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { createBureauKey, signAttestation, type Attestation, type BureauPublicKey } from "../../prover/src/attestation.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"
import { parseOnChainRecord, type OnChainRecord } from "./applicant.ts"
import { isBureauInputError } from "./errors.ts"
import { applyCors, HttpError, readJsonBody, sendError, sendJson, sendPreflight, type CorsOrigins } from "./http.ts"
import { parseAttestationRequest, parseScoreRequest, type Pseudonym } from "./requests.ts"
import { scoreApplicant, type ScoreBreakdown } from "./scorecard.ts"

/** Largest request body accepted by default: 64 KiB, far above any applicant. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

/** Longest attestation validity a service accepts: 366 days. */
export const MAX_VALIDITY_SECONDS = 366 * 86_400

/** How long a record read may take by default before the request fails with 504. */
export const DEFAULT_RECORD_READER_TIMEOUT_MS = 10_000

/** How long `close()` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 3_000

/** A pseudonym's record as a reader may return it: numbers or bigints (as ethers gives them). */
export interface OnChainRecordLike {
    loansTaken: number | bigint
    loansRepaid: number | bigint
    lateInstalments: number | bigint
    defaults: number | bigint
}

/**
 * Reads the public record of a pseudonym, e.g. `LoanMarket.record(nullifier)`. Returns `null`
 * for a pseudonym with no record (scored as an empty record). Which market it reads is the
 * reader's business: a nullifier is a pseudonym in one market only.
 */
export type RecordReader = (nullifier: bigint) => Promise<OnChainRecordLike | null>

/** One log line. It never holds a request body, a nullifier or a commitment. */
export interface BureauLogEntry {
    level: "info" | "warn" | "error"
    /** `request`: the access log line, one per request. The others explain a 5xx. */
    event: "request" | "record-reader-failed" | "internal-error"
    method: string
    /** The URL path, without the query string, at most 64 characters. */
    path: string
    /** Set on `request` entries. */
    status?: number
    /** Set on `request` entries. */
    durationMs?: number
    /**
     * Set on failures: a record reader's error by name and code only (RPC errors carry call
     * data, the nullifier among it); a bureau bug's by name and message.
     */
    detail?: string
}

/** Where the service writes its log lines. */
export type BureauLogger = (entry: BureauLogEntry) => void

/** Options of {@link createBureauService}. */
export interface BureauServiceOptions {
    /** The bureau's private key, 0x-hex (from `createBureauKey`). */
    privateKey: string
    /** How long an attestation is valid: `expiresAt = issuedAt + validitySeconds`. 1 s to 366 days. */
    validitySeconds: number
    /** The clock, in unix seconds; the system clock if omitted. Tests pass a fixed one. */
    now?: () => number
    /**
     * Reads a pseudonym's on-chain record. Without one, requests naming a pseudonym get 501:
     * the applicant asked for their record to count, and silently ignoring it would mislead them.
     */
    recordReader?: RecordReader
    /** Time limit of one record read, ms (default {@link DEFAULT_RECORD_READER_TIMEOUT_MS}). */
    recordReaderTimeoutMs?: number
    /** Browser origins allowed to call the service: `"*"` (default, fine for local use) or a list. */
    corsOrigins?: CorsOrigins
    /** Largest request body, bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
    maxBodyBytes?: number
    /** Where log lines go; one line per request to stdout if omitted. */
    logger?: BureauLogger
}

/** `POST /v1/score`'s response. */
export interface ScoreResponse {
    score: number
    breakdown: ScoreBreakdown
}

/** `POST /v1/attestations`' response. */
export interface AttestationResponse extends ScoreResponse {
    attestation: Attestation
}

/** `GET /v1/key`'s response: the bureau's public key and its hash, decimal strings. */
export interface KeyResponse {
    publicKey: [string, string]
    keyHash: string
}

/** A bureau service: a node:http server, not yet listening. */
export interface BureauService {
    /** The underlying server; `listen` and `close` below wrap it. */
    readonly server: Server
    /** The request handler, for mounting in another server. It never throws. */
    readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>
    /** The bureau's public key, `[Ax, Ay]`. */
    readonly publicKey: BureauPublicKey
    /** `Poseidon(Ax, Ay)`: the key's name on chain and in the circuit. */
    readonly keyHash: bigint
    /**
     * Starts listening.
     * @param port TCP port; 0 (default) for any free one.
     * @param host Interface; 127.0.0.1 by default, since requests carry personal data.
     * @returns The service's base URL, e.g. `http://127.0.0.1:8787`.
     */
    listen(port?: number, host?: string): Promise<string>
    /** Stops accepting connections, lets requests in flight finish (3 s at most), then resolves. */
    close(): Promise<void>
}

/** Writes a log line about the request being served (method and path filled in). */
type RequestLog = (entry: Omit<BureauLogEntry, "method" | "path">) => void

interface Route {
    method: "GET" | "POST"
    run(body: unknown, log: RequestLog): Promise<unknown>
}

/**
 * Creates the bureau service.
 * @param options Key, validity, and optional clock, record reader, CORS origins, body limit, logger.
 * @throws ZkCreditError `INVALID_ARGUMENT` naming the bad option.
 */
export function createBureauService(options: BureauServiceOptions): BureauService {
    const config = checkOptions(options)
    const key = createBureauKey(options.privateKey)
    const keyResponse: KeyResponse = { publicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()], keyHash: key.keyHash.toString() }

    const routes = new Map<string, Route>([
        ["/v1/health", { method: "GET", run: async () => ({ ok: true }) }],
        ["/v1/key", { method: "GET", run: async () => keyResponse }],
        [
            "/v1/score",
            {
                method: "POST",
                run: async (body, log): Promise<ScoreResponse> => {
                    const request = parseScoreRequest(body)
                    return scoreApplicant(request.applicant, await readRecord(request.pseudonym, log))
                }
            }
        ],
        [
            "/v1/attestations",
            {
                method: "POST",
                run: async (body, log): Promise<AttestationResponse> => {
                    const request = parseAttestationRequest(body)
                    const record = await readRecord(request.pseudonym, log)
                    // the signed score is the one computed here, from this request's data: nothing else
                    const { score, breakdown } = scoreApplicant(request.applicant, record)
                    const issuedAt = currentTime()
                    const attestation = signAttestation({ commitment: request.commitment, score, issuedAt, expiresAt: issuedAt + config.validitySeconds }, key.privateKey)
                    return { attestation, score, breakdown }
                }
            }
        ]
    ])
    const routeList = [...routes].map(([path, route]) => `${route.method} ${path}`).join(", ")

    function currentTime(): number {
        const now = config.now()
        if (!Number.isSafeInteger(now) || now < 0) throw new Error("the now() option must return unix seconds as a non-negative integer")
        return now
    }

    async function readRecord(pseudonym: Pseudonym | null, log: RequestLog): Promise<OnChainRecord | null> {
        if (pseudonym === null) return null
        const reader = config.recordReader
        if (!reader) {
            throw new HttpError(501, "RECORD_READER_NOT_CONFIGURED", "pseudonym", "this bureau does not read on-chain records: send the request without pseudonym")
        }
        let raw: unknown
        try {
            raw = await withTimeout(Promise.resolve().then(() => reader(pseudonym.nullifier)), config.recordReaderTimeoutMs)
        } catch (error) {
            const timedOut = error instanceof RecordTimeout
            log({ level: "warn", event: "record-reader-failed", detail: describeError(error) })
            if (timedOut) throw new HttpError(504, "RECORD_TIMEOUT", "pseudonym", "reading the pseudonym's on-chain record timed out; nothing was signed: try again, or apply without pseudonym")
            throw new HttpError(502, "RECORD_UNAVAILABLE", "pseudonym", "the bureau could not read the pseudonym's on-chain record; nothing was signed: try again later, or apply without pseudonym")
        }
        if (raw === null || raw === undefined) return { loansTaken: 0, loansRepaid: 0, lateInstalments: 0, defaults: 0 }
        try {
            return parseOnChainRecord(raw, "record")
        } catch (error) {
            log({ level: "warn", event: "record-reader-failed", detail: `malformed record: ${isBureauInputError(error) ? error.field : describeError(error)}` })
            throw new HttpError(502, "RECORD_UNAVAILABLE", "pseudonym", "the pseudonym's on-chain record could not be read (malformed); nothing was signed")
        }
    }

    async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const started = performance.now()
        const method = request.method ?? "GET"
        const path = pathOf(request.url)
        const log: RequestLog = (entry) => {
            try {
                config.logger({ ...entry, method, path: loggablePath(path) })
            } catch {
                // a broken logger must not take the service down
            }
        }
        response.once("close", () => {
            log({ level: "info", event: "request", status: response.statusCode, durationMs: Math.round(performance.now() - started) })
        })
        try {
            applyCors(request, response, config.corsOrigins)
            // HTTP/1.1 requires Host; node:http would answer 400 without a body, so check it here
            if (request.httpVersion === "1.1" && request.headers.host === undefined) {
                throw new HttpError(400, "MISSING_HOST", "host", "an HTTP/1.1 request needs a Host header")
            }
            const route = routes.get(path)
            if (!route) throw new HttpError(404, "NOT_FOUND", null, `no such route; the routes are ${routeList}`)
            if (method === "OPTIONS") return sendPreflight(response, [route.method])
            if (method !== route.method) {
                throw new HttpError(405, "METHOD_NOT_ALLOWED", null, `${path} takes ${route.method}`, { allow: `${route.method}, OPTIONS` })
            }
            const body = route.method === "POST" ? await readJsonBody(request, config.maxBodyBytes) : undefined
            const result = await route.run(body, log)
            endConnectionIfClosing(response)
            sendJson(response, 200, result)
        } catch (error) {
            endConnectionIfClosing(response)
            respondWithError(response, error, log)
        }
    }

    let closing: Promise<void> | undefined

    /** While closing, answers end their connection, so close() need not wait for keep-alive timeouts. */
    function endConnectionIfClosing(response: ServerResponse): void {
        if (closing && !response.headersSent) response.setHeader("connection", "close")
    }

    function close(): Promise<void> {
        if (!server.listening) return closing ?? Promise.resolve()
        closing ??= new Promise((resolve) => {
            const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
            force.unref()
            server.close(() => {
                clearTimeout(force)
                closing = undefined
                resolve()
            })
            server.closeIdleConnections()
        })
        return closing
    }

    const server = createServer({ requireHostHeader: false }, (request, response) => void handle(request, response))
    // slow clients must not hold connections (and personal data in buffers) for long
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000
    // what the HTTP parser refuses never reaches `handle`: answer it in the same JSON shape
    server.on("clientError", (error: Error & { code?: string }, socket: Duplex) => {
        const [status, code, field] = clientErrorResponse(error.code)
        writeRawError(socket, status, code, field, status === 431 ? "the request headers are too large" : status === 408 ? "the request took too long to arrive" : "the request is not valid HTTP/1.1")
    })
    // no tunnels here; without a listener node:http would drop the connection without an answer
    server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
        writeRawError(socket, 405, "METHOD_NOT_ALLOWED", null, `CONNECT is not supported; the routes are ${routeList}`, { allow: "GET, POST, OPTIONS" })
    })

    return {
        server,
        handle,
        publicKey: key.publicKey,
        keyHash: key.keyHash,
        listen: (port = 0, host = "127.0.0.1") => listen(server, port, host),
        close
    }
}

function respondWithError(response: ServerResponse, error: unknown, log: RequestLog): void {
    if (response.headersSent) {
        response.destroy()
        return
    }
    if (error instanceof HttpError) return sendError(response, error.status, error.code, error.field, error.message, error.headers)
    if (isBureauInputError(error)) return sendError(response, 400, error.code, error.field, error.message)
    // anything else is the bureau's own fault: say so, and that nothing was signed
    // a bug's message is built by the bureau's own code, not from request data: log it to fix the bug
    const message = error instanceof Error ? `: ${error.message.slice(0, 200)}` : ""
    log({ level: "error", event: "internal-error", detail: `${describeError(error)}${message}` })
    sendError(response, 500, "INTERNAL", null, "the bureau failed to handle the request; nothing was signed")
}

/** Status, code and field for an HTTP parser error (`HPE_*` codes from node:http). */
function clientErrorResponse(code: string | undefined): [number, string, string | null] {
    if (code === "HPE_HEADER_OVERFLOW") return [431, "HEADERS_TOO_LARGE", "headers"]
    if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "REQUEST_TIMEOUT", null]
    if (code === "HPE_INVALID_METHOD") return [400, "BAD_REQUEST", "method"]
    if (code === "HPE_INVALID_URL") return [400, "BAD_REQUEST", "url"]
    return [400, "BAD_REQUEST", null]
}

/**
 * Writes a JSON error straight to a socket that has no response object (a request HTTP refused)
 * and closes it. A socket already gone, or one whose earlier response is still being written, is
 * just destroyed.
 */
function writeRawError(socket: Duplex, status: number, code: string, field: string | null, message: string, headers: Record<string, string> = {}): void {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (!socket.writable || inFlight?.headersSent) {
        socket.destroy()
        return
    }
    const body = JSON.stringify({ error: { code, field, message } })
    const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
        "content-type: application/json; charset=utf-8",
        `content-length: ${Buffer.byteLength(body)}`,
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        "connection: close"
    ]
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`)
}

function checkOptions(options: BureauServiceOptions): Required<Omit<BureauServiceOptions, "recordReader" | "privateKey">> & { recordReader?: RecordReader } {
    if (typeof options !== "object" || options === null) throw invalid("options", "options must be an object")
    const { validitySeconds, now, recordReader, logger } = options
    if (!Number.isSafeInteger(validitySeconds) || validitySeconds < 1 || validitySeconds > MAX_VALIDITY_SECONDS) {
        throw invalid("validitySeconds", `validitySeconds must be an integer from 1 to ${MAX_VALIDITY_SECONDS} (366 days), got ${String(validitySeconds)}`)
    }
    if (now !== undefined && typeof now !== "function") throw invalid("now", "now must be a function returning unix seconds")
    if (recordReader !== undefined && typeof recordReader !== "function") throw invalid("recordReader", "recordReader must be an async function (nullifier) => record")
    if (logger !== undefined && typeof logger !== "function") throw invalid("logger", "logger must be a function (entry) => void")
    const timeout = options.recordReaderTimeoutMs ?? DEFAULT_RECORD_READER_TIMEOUT_MS
    if (!Number.isSafeInteger(timeout) || timeout < 1 || timeout > 600_000) throw invalid("recordReaderTimeoutMs", "recordReaderTimeoutMs must be an integer from 1 to 600000")
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1024 * 1024) throw invalid("maxBodyBytes", "maxBodyBytes must be an integer from 1024 to 1048576")
    const corsOrigins = options.corsOrigins ?? "*"
    if (corsOrigins !== "*" && !(Array.isArray(corsOrigins) && corsOrigins.every((origin) => typeof origin === "string" && /^https?:\/\/[^/\s]+$/.test(origin)))) {
        throw invalid("corsOrigins", `corsOrigins must be "*" or a list of origins such as "http://localhost:5173" (scheme, host and port, no path)`)
    }
    return {
        validitySeconds,
        now: now ?? (() => Math.floor(Date.now() / 1000)),
        ...(recordReader ? { recordReader } : {}),
        recordReaderTimeoutMs: timeout,
        corsOrigins,
        maxBodyBytes,
        logger: logger ?? defaultLogger
    }
}

function invalid(parameter: string, message: string): ZkCreditError {
    return new ZkCreditError("INVALID_ARGUMENT", message, parameter)
}

/** One line per entry: `2026-11-28T19:50:00.000Z POST /v1/attestations 200 12ms`. */
function defaultLogger(entry: BureauLogEntry): void {
    const parts = [new Date().toISOString(), entry.method, entry.path]
    if (entry.status !== undefined) parts.push(String(entry.status), `${entry.durationMs ?? 0}ms`)
    if (entry.event !== "request") parts.push(entry.event, entry.detail ?? "")
    const line = parts.join(" ")
    if (entry.level === "info") console.log(line)
    else console.error(line)
}

function pathOf(url: string | undefined): string {
    try {
        return new URL(url ?? "/", "http://bureau.invalid").pathname
    } catch {
        return "/"
    }
}

/** The path for a log line: printable characters only (no forged log lines), 64 at most. */
function loggablePath(path: string): string {
    const printable = path.replace(/[^\x21-\x7e]/g, "?")
    return printable.length > 64 ? `${printable.slice(0, 61)}...` : printable
}

/** An error's name and code: error messages may hold call data (a nullifier), so they stay out of logs. */
function describeError(error: unknown): string {
    if (typeof error !== "object" || error === null) return typeof error
    const { name, code } = error as { name?: unknown; code?: unknown }
    return [typeof name === "string" ? name : "Error", typeof code === "string" || typeof code === "number" ? String(code) : ""].filter(Boolean).join(" ")
}

class RecordTimeout extends Error {
    constructor() {
        super("record read timed out")
        this.name = "RecordTimeout"
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RecordTimeout()), ms)
    })
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function listen(server: Server, port: number, host: string): Promise<string> {
    if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) return Promise.reject(invalid("port", `port must be an integer from 0 to 65535, got ${String(port)}`))
    if (typeof host !== "string" || host.length === 0) return Promise.reject(invalid("host", "host must be a host name or IP address"))
    return new Promise((resolve, reject) => {
        server.once("error", reject)
        server.listen(port, host, () => {
            server.off("error", reject)
            const address = server.address()
            const actualPort = typeof address === "object" && address !== null ? address.port : port
            resolve(`http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`)
        })
    })
}
