/**
 * The bureau's HTTP service. It scores only the records that registered data providers signed
 * for the applicant's person reference and the on-chain history of pseudonyms the applicant
 * proved theirs; it never takes applicant data or a score from the applicant. It never logs a
 * request body: the log (and the `requests` table) holds method, path, status and duration only.
 *
 * Routes (JSON in, JSON out):
 * - `GET /v1/health` → `{ ok: true }`; `GET /v1/key` → `{ publicKey: [Ax, Ay], keyHash }`
 * - `GET /v1/markets` → `{ scopes }`: the markets whose history the bureau reads
 * - `GET /v1/providers` → `{ providers }`: the registry (ids, names, categories, keys, revocation)
 * - `POST /v1/challenges` → `{ challenge, expiresAt }`: a one-time challenge for a history proof
 * - `POST /v1/attestations` `{ binding, proof }` → `{ attestation, score, breakdown }`
 * - `POST /v1/report` `{ binding, proof }` → `{ score, breakdown, records, disputes, attestations }`
 * - `POST /v1/disputes` `{ binding, proof, recordId, reason }` → `{ dispute }`
 * - `POST /v1/records` `{ records: [signed record…] }` → `{ stored, duplicates }` (providers)
 * - `POST /v1/admin/providers`, `/v1/admin/providers/revoke`, `/v1/admin/lenders` (operator's bearer token)
 *
 * Errors are `{ error: { code, field, message } }`: 400 bad JSON or field (self-reported
 * `applicant` data is `SELF_REPORTED_DATA`, a bare `pseudonym` `UNPROVEN_PSEUDONYM`), 401/403 a
 * failed check (binding, proof, challenge, provider), 404 unknown route or record, 405 wrong
 * method, 409 conflict, 413 body too large, 415 not JSON, 422 history asked of a bureau without a
 * chain (the applicant proves with no markets), 502 the chain could not be read, 503
 * `TIME_NOT_PROVABLE` a clock so far off that an attestation's times would not fit the credit
 * proof (nothing signed), 500 only for the bureau's own bugs. Requests that HTTP
 * itself refuses get the same JSON shape: 400, 408, 431 or 405.
 *
 * The routes, CORS, the body limit and the error handler run on hono; @hono/node-server serves
 * it on a node:http server, which keeps the parser's limits, the timeouts and a graceful close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import { getRequestListener, RequestError } from "@hono/node-server"
import { Hono, type Context } from "hono"
import { cors } from "hono/cors"
import { createBureauKey, type BureauPublicKey } from "../../prover/src/attestation.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"
import type { AttestationResponse, KeyResponse, MarketsResponse } from "./api-types.ts"
import { requireJsonObject } from "./applicant.ts"
import { Bureau, type ChainHistory, type OfficerCheck, type RecordedDefaultsReader } from "./bureau.ts"
import type { BureauStore } from "./db/store.ts"
import { BureauInputError, isBureauInputError } from "./errors.ts"
import { clientErrorResponse, COMMON_HEADERS, errorResponse, HttpError, jsonBody, jsonResponse, onlyMethod, PARSED_BODY, writeRawError, type BureauEnv, type CorsOrigins } from "./http.ts"

/** Largest request body accepted by default: 256 KiB (a batch of 200 provider records). */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024

/** Longest attestation validity a service accepts: 366 days. */
export const MAX_VALIDITY_SECONDS = 366 * 86_400

/** How long `close()` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 3_000

/** One log line. It never holds a request body, a nullifier or a commitment. */
export interface BureauLogEntry {
    level: "info" | "warn" | "error"
    /** `request`: the access log line, one per request. The others explain a 5xx. */
    event: "request" | "internal-error"
    method: string
    /** The URL path, without the query string, at most 64 characters. */
    path: string
    /** Set on `request` entries. */
    status?: number
    /** Set on `request` entries. */
    durationMs?: number
    /** Set on failures: a bureau bug's error by name and message. */
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
    /** The bureau's database (providers, records, disputes, challenges, attestations, requests). */
    store: BureauStore
    /** Whose KYC bindings count: the officers of one TrustRegistry. */
    officers: OfficerCheck
    /** The history proof's verification key (parsed verification_key.json). */
    historyVerificationKey: object
    /** The markets whose on-chain history the bureau reads; without it, proofs naming markets get 422. */
    chain?: ChainHistory
    /** The operator's token for the admin routes; they are off without one. */
    adminToken?: string
    /** The KYC registry's default records (`recordedDefaultsFromChain`); without it, none are scored. */
    recordedDefaults?: RecordedDefaultsReader
    /** Browser origins allowed to call the service: `"*"` (default, fine for local use) or a list. */
    corsOrigins?: CorsOrigins
    /** Largest request body, bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
    maxBodyBytes?: number
    /** Where log lines go; one line per request to stdout if omitted. */
    logger?: BureauLogger
}

/** A bureau service: a hono app on a node:http server, not yet listening. */
export interface BureauService {
    /** The underlying server; `listen` and `close` below wrap it. */
    readonly server: Server
    /** The hono app (routes, CORS, body limit, errors), for mounting in another server or calling with `app.fetch`. */
    readonly app: Hono<BureauEnv>
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

interface Route {
    method: "GET" | "POST"
    run(body: Record<string, unknown>, c: Context<BureauEnv>): Promise<unknown>
}

/** Fields that are the applicant's own claims: refused, since the bureau scores only providers' records. */
const SELF_REPORTED = ["applicant", "score", "issuedAt", "expiresAt", "commitment"]

/**
 * Creates the bureau service.
 * @param options Key, validity, and optional clock, record reader, CORS origins, body limit, logger.
 * @throws ZkCreditError `INVALID_ARGUMENT` naming the bad option.
 */
export function createBureauService(options: BureauServiceOptions): BureauService {
    const config = checkOptions(options)
    const key = createBureauKey(options.privateKey)
    const keyResponse: KeyResponse = { publicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()], keyHash: key.keyHash.toString() }

    const bureau = new Bureau({
        store: options.store,
        privateKey: options.privateKey,
        validitySeconds: config.validitySeconds,
        now: currentTime,
        officers: options.officers,
        historyVerificationKey: options.historyVerificationKey,
        ...(options.chain ? { chain: options.chain } : {}),
        ...(options.adminToken ? { adminToken: options.adminToken } : {}),
        ...(options.recordedDefaults ? { recordedDefaults: options.recordedDefaults } : {})
    })
    const applicantRoute = (allowed: string[], run: (body: Record<string, unknown>) => Promise<unknown>): Route => ({
        method: "POST",
        run: async (body) => {
            refuseSelfReported(body)
            for (const key of Object.keys(body)) {
                if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", key, `${key} is not a field of this request; the fields are ${allowed.join(", ")}`)
            }
            return run(body)
        }
    })
    const admin = (run: (body: Record<string, unknown>) => Promise<unknown>): Route => ({
        method: "POST",
        run: async (body, c) => {
            bureau.requireAdmin(c.req.header("authorization"))
            return run(body)
        }
    })
    const routes = new Map<string, Route>([
        ["/v1/health", { method: "GET", run: async () => ({ ok: true }) }],
        ["/v1/key", { method: "GET", run: async () => keyResponse }],
        ["/v1/markets", { method: "GET", run: async (): Promise<MarketsResponse> => ({ scopes: bureau.markets() }) }],
        ["/v1/providers", { method: "GET", run: async () => ({ providers: await options.store.providers() }) }],
        ["/v1/challenges", { method: "POST", run: () => bureau.newChallenge() }],
        ["/v1/attestations", applicantRoute(["binding", "proof"], async (body): Promise<AttestationResponse> => bureau.attest(await bureau.authenticate(body)))],
        [
            "/v1/report",
            applicantRoute(["binding", "proof"], async (body) => {
                const applicant = await bureau.authenticate(body)
                return { ...(await bureau.score(applicant)), ...(await bureau.holdings(applicant)) }
            })
        ],
        ["/v1/disputes", applicantRoute(["binding", "proof", "recordId", "reason"], async (body) => ({ dispute: await bureau.dispute(await bureau.authenticate(body), body) }))],
        ["/v1/records", { method: "POST", run: (body) => bureau.submitRecords(body) }],
        ["/v1/admin/providers", admin(async (body) => ({ provider: await bureau.addProvider(body) }))],
        ["/v1/admin/providers/revoke", admin((body) => bureau.revokeProvider(body))],
        ["/v1/admin/lenders", admin(async (body) => ({ lender: await bureau.addLender(body) }))]
    ])
    const routeList = [...routes].map(([path, route]) => `${route.method} ${path}`).join(", ")

    function currentTime(): number {
        const now = config.now()
        if (!Number.isSafeInteger(now) || now < 0) throw new Error("the now() option must return unix seconds as a non-negative integer")
        return now
    }

    const app = new Hono<BureauEnv>()
    app.use(async (c, next) => {
        await next()
        for (const [name, value] of Object.entries(COMMON_HEADERS)) c.res.headers.set(name, value)
        // while closing, answers end their connection, so close() need not wait for keep-alive timeouts
        if (closing) c.res.headers.set("connection", "close")
    })
    for (const [path, route] of routes) {
        app.all(
            path,
            cors({
                origin: config.corsOrigins === "*" ? "*" : [...config.corsOrigins],
                // one entry: hono joins a list with "," and the bureau has always written ", "
                allowMethods: [`${route.method}, OPTIONS`],
                allowHeaders: ["Content-Type"],
                maxAge: 600
            }),
            onlyMethod(route.method, path),
            ...(route.method === "POST" ? [jsonBody(config.maxBodyBytes)] : []),
            async (c) => {
                const body = route.method === "POST" ? requireJsonObject(c.get(PARSED_BODY), "body") : {}
                return jsonResponse(200, await route.run(body, c))
            }
        )
    }
    app.notFound(() => errorResponse(404, "NOT_FOUND", null, `no such route; the routes are ${routeList}`))
    app.onError((error, c) => {
        if (error instanceof HttpError) return errorResponse(error.status, error.code, error.field, error.message, error.headers)
        if (isBureauInputError(error)) return errorResponse(400, error.code, error.field, error.message)
        // anything else is the bureau's own fault: say so, and that nothing was signed
        // a bug's message is built by the bureau's own code, not from request data: log it to fix the bug
        const detail = `${describeError(error)}: ${error.message.slice(0, 200)}`
        log(config.logger, { level: "error", event: "internal-error", method: c.req.raw.method, path: c.req.path, detail })
        return errorResponse(500, "INTERNAL", null, "the bureau failed to handle the request; nothing was signed")
    })

    // what @hono/node-server cannot turn into a Request (no Host, a URL that is not a path) never reaches the app
    const listener = getRequestListener(app.fetch, { errorHandler: refusedRequest })
    let closing: Promise<void> | undefined

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

    const server = createServer(
        // slow clients must not hold connections (and personal data in buffers) for long; a
        // missing Host is answered in JSON by refusedRequest rather than by node:http without a body
        { requireHostHeader: false, headersTimeout: 10_000, requestTimeout: 30_000 },
        (request, response) => {
            logWhenDone(request, response)
            void listener(request, response)
        }
    )
    // what the HTTP parser refuses never reaches the app: answer it in the same JSON shape
    server.on("clientError", (error: Error & { code?: string }, socket: Duplex) => {
        const [status, code, field] = clientErrorResponse(error.code)
        writeRawError(socket, status, code, field, status === 431 ? "the request headers are too large" : status === 408 ? "the request took too long to arrive" : "the request is not valid HTTP/1.1")
    })
    // no tunnels here; without a listener node:http would drop the connection without an answer
    server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
        writeRawError(socket, 405, "METHOD_NOT_ALLOWED", null, `CONNECT is not supported; the routes are ${routeList}`, { allow: "GET, POST, OPTIONS" })
    })

    /** The request log, one line and one row per request once its answer is done: no body, no query string. */
    function logWhenDone(request: IncomingMessage, response: ServerResponse): void {
        const started = performance.now()
        const method = (request.method ?? "GET").slice(0, 16)
        const path = loggablePath(pathOf(request.url))
        response.once("close", () => {
            const durationMs = Math.round(performance.now() - started)
            log(config.logger, { level: "info", event: "request", method, path, status: response.statusCode, durationMs })
            // a failure to write the row must not fail the request
            options.store.logRequest({ at: Math.floor(Date.now() / 1000), method, path, status: response.statusCode, durationMs }).catch(() => {})
        })
    }

    return {
        server,
        app,
        publicKey: key.publicKey,
        keyHash: key.keyHash,
        listen: (port = 0, host = "127.0.0.1") => listen(server, port, host),
        close
    }
}

/** The JSON answer to a request @hono/node-server could not build: a 400 naming the part at fault. */
function refusedRequest(error: unknown): Response {
    const message = error instanceof Error ? error.message : ""
    if (error instanceof RequestError && /missing host/i.test(message)) return errorResponse(400, "MISSING_HOST", "host", "an HTTP request needs a Host header", COMMON_HEADERS)
    if (error instanceof RequestError && /host/i.test(message)) return errorResponse(400, "BAD_REQUEST", "host", "the Host header is not a valid host name", COMMON_HEADERS)
    return errorResponse(400, "BAD_REQUEST", "url", "the request target must be a path such as /v1/health", COMMON_HEADERS)
}

/** Writes a log line; a broken logger must not take the service down. */
function log(logger: BureauLogger, entry: BureauLogEntry): void {
    try {
        logger({ ...entry, path: loggablePath(entry.path) })
    } catch {
        // nothing to do: the answer does not depend on the log
    }
}

function refuseSelfReported(body: Record<string, unknown>): void {
    for (const key of SELF_REPORTED) {
        if (key in body) {
            throw new BureauInputError("SELF_REPORTED_DATA", key, `${key} is not accepted: the bureau scores only the records data providers signed for you and the history you prove; send { binding, proof }`)
        }
    }
    if ("pseudonym" in body) {
        throw new BureauInputError("UNPROVEN_PSEUDONYM", "pseudonym", "a pseudonym counts only when proven yours: put its market's scope in a history proof instead of naming it")
    }
}

function checkOptions(options: BureauServiceOptions): Required<Pick<BureauServiceOptions, "validitySeconds" | "now" | "corsOrigins" | "maxBodyBytes" | "logger">> {
    if (typeof options !== "object" || options === null) throw invalid("options", "options must be an object")
    const { validitySeconds, now, logger } = options
    if (!Number.isSafeInteger(validitySeconds) || validitySeconds < 1 || validitySeconds > MAX_VALIDITY_SECONDS) {
        throw invalid("validitySeconds", `validitySeconds must be an integer from 1 to ${MAX_VALIDITY_SECONDS} (366 days), got ${String(validitySeconds)}`)
    }
    if (now !== undefined && typeof now !== "function") throw invalid("now", "now must be a function returning unix seconds")
    if (logger !== undefined && typeof logger !== "function") throw invalid("logger", "logger must be a function (entry) => void")
    if (typeof options.store !== "object" || options.store === null) throw invalid("store", "store must be a BureauStore (BureauStore.open(await openDatabase(...)))")
    const officers = options.officers
    if (typeof officers !== "object" || officers === null || typeof officers.isOfficer !== "function" || !Number.isSafeInteger(officers.chainId) || !/^0x[0-9a-fA-F]{40}$/.test(String(officers.kycRegistry))) {
        throw invalid("officers", "officers must be { chainId, kycRegistry, isOfficer(address) }")
    }
    if (typeof options.historyVerificationKey !== "object" || options.historyVerificationKey === null) throw invalid("historyVerificationKey", "historyVerificationKey must be the history proof's verification key object")
    if (options.chain !== undefined && (!Array.isArray(options.chain.scopes) || typeof options.chain.readLoans !== "function")) throw invalid("chain", "chain must be { scopes, readLoans(scope, nullifier) }")
    if (options.recordedDefaults !== undefined && typeof options.recordedDefaults !== "function") throw invalid("recordedDefaults", "recordedDefaults must be a function (commitment) => Promise<RecordedDefault[]> (recordedDefaultsFromChain)")
    if (options.adminToken !== undefined && (typeof options.adminToken !== "string" || options.adminToken.length < 16)) throw invalid("adminToken", "adminToken must be a string of at least 16 characters")
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1024 || maxBodyBytes > 1024 * 1024) throw invalid("maxBodyBytes", "maxBodyBytes must be an integer from 1024 to 1048576")
    const corsOrigins = options.corsOrigins ?? "*"
    if (corsOrigins !== "*" && !(Array.isArray(corsOrigins) && corsOrigins.every((origin) => typeof origin === "string" && /^https?:\/\/[^/\s]+$/.test(origin)))) {
        throw invalid("corsOrigins", `corsOrigins must be "*" or a list of origins such as "http://localhost:5173" (scheme, host and port, no path)`)
    }
    return { validitySeconds, now: now ?? (() => Math.floor(Date.now() / 1000)), corsOrigins, maxBodyBytes, logger: logger ?? defaultLogger }
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
