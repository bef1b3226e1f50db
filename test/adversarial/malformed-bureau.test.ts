/**
 * Malformed input thrown at the bureau's HTTP API over a real socket (`createBureauService(...)
 * .listen(0)`): valid bodies with one field made hostile, garbled and truncated JSON, odd methods,
 * paths and content types, and raw bytes that are not HTTP at all. Every answer is 2xx only for a
 * valid request, otherwise a 4xx JSON error `{ error: { code, field, message } }`; never a 5xx,
 * never a signed attestation from bad input (a signed one always verifies, is for the commitment
 * asked, and carries the score the bureau computed). The service logs no internal error, leaks no
 * unhandled rejection, keeps its key, and still answers afterwards.
 *
 * CI runs a few thousand requests; `ZKCREDIT_FULL=1` ten times as many.
 */
import { request as httpRequest, Agent } from "node:http"
import { createConnection } from "node:net"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { APPLICANT_FIELDS, createBureauService, scoreApplicant, type Applicant, type BureauLogEntry, type BureauService, type OnChainRecord } from "../../bureau/src/index.ts"
import { createBureauKey, parseAttestation, verifyAttestation } from "../../prover/src/index.ts"
import { GOOD_PERSON, GOOD_SME } from "../bureau/examples.ts"
import { BUREAU_PRIVATE_KEY, NOW } from "../helpers/fixtures.ts"
import { deeplyNested, garbled, hostileJson, hostileText, mutation, P, pathName, truncations, type Mutation } from "./lib/hostile.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
const SCALE = FULL ? 10 : 1
const VALIDITY = 7 * 86_400
const COMMITMENT = "4242424242424242424242424242424242424242"
const NULLIFIER = "777777777777777777777777777777777777"
const RECORD: OnChainRecord = { loansTaken: 3, loansRepaid: 2, lateInstalments: 1, defaults: 0 }
const bureau = createBureauKey(BUREAU_PRIVATE_KEY)

const leaks: unknown[] = []
const onRejection = (reason: unknown) => leaks.push(reason)
const logs: BureauLogEntry[] = []
let service: BureauService
let url: string
let port: number
const agent = new Agent({ keepAlive: true, maxSockets: 8 })
let requests = 0
const statuses = new Map<number, number>()

beforeAll(async () => {
    process.on("unhandledRejection", onRejection)
    service = createBureauService({
        privateKey: BUREAU_PRIVATE_KEY,
        validitySeconds: VALIDITY,
        now: () => NOW,
        recordReader: async (nullifier) => (nullifier === 1n ? null : RECORD),
        logger: (entry) => logs.push(entry)
    })
    url = await service.listen(0)
    port = Number(new URL(url).port)
})

afterAll(async () => {
    agent.destroy()
    await service.close()
    process.off("unhandledRejection", onRejection)
    console.log(`malformed bureau input: ${requests.toLocaleString("en-US")} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
})

interface Answer {
    status: number
    headers: Record<string, string | string[] | undefined>
    text: string
}

/** One request through node:http (it sends any method, path and header fetch would refuse). */
function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
            const chunks: Buffer[] = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }))
            res.on("error", reject)
        })
        req.on("error", reject)
        if (body !== undefined) req.end(body)
        else req.end()
    })
}

/** Raw bytes to the port; the answer as text ("" when the service just closed the connection). */
function sendRaw(bytes: string | Buffer): Promise<string> {
    return new Promise((resolve) => {
        const socket = createConnection({ host: "127.0.0.1", port })
        const chunks: Buffer[] = []
        socket.on("data", (c: Buffer) => chunks.push(c))
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")))
        socket.on("error", () => resolve(Buffer.concat(chunks).toString("latin1")))
        socket.end(bytes)
    })
}

/** Checks an error answer: 4xx, JSON, with a code, a field (or null) and a message. Returns the error. */
function expectClientError(answer: Answer, what: string): { code: string; field: string | null; message: string } {
    expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
    expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBeLessThan(500)
    if (answer.status === 405) expect(answer.headers.allow, what).toBeTruthy()
    const body = JSON.parse(answer.text) as { error?: { code?: unknown; field?: unknown; message?: unknown } }
    expect(typeof body.error?.code, what).toBe("string")
    expect((body.error!.code as string).length, what).toBeGreaterThan(0)
    expect(body.error?.field === null || typeof body.error?.field === "string", what).toBe(true)
    expect(typeof body.error?.message, what).toBe("string")
    return body.error as { code: string; field: string | null; message: string }
}

function count(status: number): void {
    requests++
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
}

/**
 * Checks a 200 answer to a request body: what was scored and signed is exactly what the bureau
 * computes for this request's applicant (and record), for this request's commitment.
 */
function expectHonestAnswer(route: string, body: Record<string, unknown>, answer: Answer): void {
    const response = JSON.parse(answer.text) as { score: number; attestation?: unknown }
    const applicant = body.applicant as Applicant
    const record = body.pseudonym ? (BigInt((body.pseudonym as { nullifier: string | number }).nullifier) === 1n ? undefined : RECORD) : undefined
    expect(response.score).toBe(scoreApplicant(applicant, record ?? null).score)
    if (route !== "/v1/attestations") {
        expect(response.attestation).toBeUndefined()
        return
    }
    expect(verifyAttestation(response.attestation as never), "a signed attestation verifies").toBe(true)
    const signed = parseAttestation(response.attestation)
    expect(signed.bureauPublicKey).toEqual([...bureau.publicKey])
    expect(signed.commitment).toBe(BigInt(body.commitment as string | number))
    expect(signed.score).toBe(BigInt(response.score))
    expect(signed.issuedAt).toBe(BigInt(NOW))
    expect(signed.expiresAt).toBe(BigInt(NOW + VALIDITY))
}

// ------------------------------------------------------------------------------------ oracle

/** Request bodies that are valid as they are. */
const VALID_BODIES: [string, Record<string, unknown>][] = [
    ["/v1/score", { applicant: GOOD_PERSON }],
    ["/v1/score", { applicant: GOOD_SME, pseudonym: { nullifier: NULLIFIER } }],
    ["/v1/attestations", { commitment: COMMITMENT, applicant: GOOD_PERSON }],
    ["/v1/attestations", { commitment: `0x${BigInt(COMMITMENT).toString(16)}`, applicant: GOOD_SME, pseudonym: { nullifier: "1" } }]
]

const isCount = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max
const isFieldElementJson = (v: unknown, nonZero: boolean) => {
    let n: bigint
    if (typeof v === "number") {
        if (!Number.isSafeInteger(v)) return false
        n = BigInt(v)
    } else if (typeof v === "string" && (/^\s*-?[0-9]+\s*$/.test(v) || /^\s*0x[0-9a-fA-F]+\s*$/.test(v))) n = BigInt(v.trim())
    else return false
    return n >= 0n && n < P && (!nonZero || n !== 0n)
}

/**
 * Whether a mutation surely makes the request invalid, judged from the request format alone (the
 * fields, their types and ranges, as bureau/README.md documents them): such a request must get a
 * 4xx, and no attestation.
 */
function surelyInvalid(valid: Record<string, unknown>, m: Mutation): boolean {
    const [top, sub, ...rest] = m.path
    if (m.change.op === "wrap" || m.change.op === "delete") {
        // deleting the optional pseudonym is fine; anything else required, or wrapping in an array, is not
        return !(m.change.op === "delete" && top === "pseudonym" && sub === undefined)
    }
    if (m.change.op === "addKey") return true // unknown, forbidden or duplicate keys are all refused
    const value = m.change.value
    if (top === undefined) return true // the body itself replaced: never one of the valid bodies' shape
    if (top === "commitment") return !isFieldElementJson(value, true)
    if (top === "pseudonym") {
        if (sub === undefined) return value !== null && !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && isFieldElementJson((value as { nullifier?: unknown }).nullifier, false))
        return !isFieldElementJson(value, false)
    }
    if (top === "applicant") {
        const applicant = valid.applicant as Applicant
        if (sub === undefined) return true
        if (rest.length > 0) return true
        if (sub === "kind") return value !== applicant.kind
        const spec = APPLICANT_FIELDS[applicant.kind].find((f) => f.name === sub)
        if (!spec) return true
        if (spec.type === "integer") return !isCount(value, spec.max)
        return !(value === null || (typeof value === "number" && value >= 0 && value <= 1))
    }
    return true
}

describe("malformed input to the bureau HTTP API, over a real socket", () => {
    it("valid bodies with one field made hostile: 4xx naming a field for every invalid one, an honest 200 otherwise", async () => {
        let invalid = 0
        for (const [route, valid] of VALID_BODIES) {
            await fc.assert(
                fc.asyncProperty(mutation(valid, hostileJson()), async (m) => {
                    const text = m.value === undefined ? "" : JSON.stringify(m.value)
                    const answer = await send("POST", route, { "content-type": "application/json" }, text)
                    count(answer.status)
                    const what = `${route} with ${pathName(m.path)} ${m.change.op}${m.change.op === "set" ? ` ${text.slice(0, 80)}` : ""}`
                    if (surelyInvalid(valid, m)) {
                        invalid++
                        const error = expectClientError(answer, what)
                        // the field at fault is named (an empty key is named "", as it is)
                        if (answer.status === 400) expect(typeof error.field, `${what}: the field at fault`).toBe("string")
                    } else if (answer.status === 200) expectHonestAnswer(route, m.value as Record<string, unknown>, answer)
                    else expectClientError(answer, what)
                }),
                { numRuns: 400 * SCALE }
            )
        }
        expect(invalid).toBeGreaterThan(1_000 * SCALE)
    })

    it("truncated and garbled JSON bodies, deep nesting, huge numbers, duplicate and __proto__ keys: 4xx, or an honest 200", async () => {
        const texts: [string, string][] = []
        for (const [route, valid] of VALID_BODIES) {
            const text = JSON.stringify(valid)
            for (const t of truncations(text, FULL ? 1 : 4)) texts.push([route, t])
            for (const t of fc.sample(garbled(text), 150 * SCALE)) texts.push([route, t])
        }
        const person = JSON.stringify(GOOD_PERSON)
        for (const route of ["/v1/score", "/v1/attestations"]) {
            texts.push(
                [route, deeplyNested(30_000)],
                [route, deeplyNested(10_000, '{"a":', "}").replace(/\}+$/, (s) => `1${s}`)],
                [route, `{"applicant":${person.replace('"pastDefaults":0', '"pastDefaults":1e400')}}`],
                [route, `{"applicant":${person.replace('"pastDefaults":0', `"pastDefaults":${"9".repeat(5_000)}`)}}`],
                [route, `{"applicant":${person},"applicant":${person}}`],
                [route, `{"__proto__":{"score":850},"applicant":${person}}`],
                [route, `{"applicant":${person.replace("{", '{"__proto__":{"pastDefaults":0},')}}`],
                [route, `{"applicant":${person},"commitment":"${COMMITMENT}","score":850}`],
                [route, `\ufeff{"applicant":${person}}`],
                [route, `{"applicant":${person}}\u0000`],
                [route, " ".repeat(60_000)]
            )
        }
        for (const [route, text] of texts) {
            const answer = await send("POST", route, { "content-type": "application/json" }, text)
            count(answer.status)
            const what = `${route} ${JSON.stringify(text.slice(0, 100))}`
            let parsed: unknown
            try {
                // a UTF-8 byte order mark may be ignored by a JSON parser (RFC 8259, 8.1); the bureau does
                parsed = JSON.parse(text.replace(/^\ufeff/, ""))
            } catch {
                parsed = undefined
            }
            if (answer.status === 200) {
                expect(parsed, `${what}: only valid JSON gets a 200`).toBeDefined()
                expectHonestAnswer(route, parsed as Record<string, unknown>, answer)
            } else expectClientError(answer, what)
        }
        expect(texts.length).toBeGreaterThan(500 * SCALE)
    })

    it("odd methods, paths, content types and bodies: 4xx JSON errors, 2xx only for the real routes", async () => {
        const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "FOO"]
        const paths = ["/v1/health", "/v1/key", "/v1/score", "/v1/attestations", "/", "/v1", "/v1/", "/v1/score/", "//v1/score", "/v1//score", "/V1/SCORE", "/v1/score?x=1&y", "/v1/%2e%2e/v1/score", "/v1/score%00", "/v1/attestations/../score", `/${"a".repeat(4_000)}`, "*", "/v1/score#fragment"]
        const types = ["application/json", "APPLICATION/JSON; CHARSET=UTF-8", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json;charset=", "", "application/json, text/plain", "application/jsonx", "*/*"]
        const body = JSON.stringify({ commitment: COMMITMENT, applicant: GOOD_PERSON })
        await fc.assert(
            fc.asyncProperty(
                fc.constantFrom(...methods),
                fc.constantFrom(...paths),
                fc.constantFrom(...types),
                fc.oneof(fc.constant(body), fc.constant(undefined), hostileText().map((t) => t)),
                async (method, path, type, payload) => {
                    const headers: Record<string, string> = type ? { "content-type": type } : {}
                    const answer = await send(method, path, headers, method === "GET" || method === "HEAD" ? undefined : payload)
                    count(answer.status)
                    const what = `${method} ${path.slice(0, 60)} (${type}) ${JSON.stringify(String(payload).slice(0, 60))}`
                    expect(answer.status, what).toBeLessThan(500)
                    if (answer.status >= 200 && answer.status < 300) {
                        // only the real routes with their method (or a preflight) succeed
                        const route = new URL(path, "http://x").pathname
                        expect(["/v1/health", "/v1/key", "/v1/score", "/v1/attestations"], what).toContain(route)
                        if (answer.status === 200 && method === "POST") expectHonestAnswer(route, JSON.parse(payload as string), answer)
                        else expect(["GET", "OPTIONS"], what).toContain(method)
                    } else if (method !== "HEAD") expectClientError(answer, what)
                }
            ),
            { numRuns: 400 * SCALE }
        )
    })

    it("bytes that are not HTTP, or bad HTTP: a 4xx JSON error or a closed connection, never a 5xx and never a 2xx", async () => {
        const valid = `POST /v1/attestations HTTP/1.1\r\nHost: bureau\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify({ commitment: COMMITMENT, applicant: GOOD_PERSON }))}\r\n\r\n${JSON.stringify({ commitment: COMMITMENT, applicant: GOOD_PERSON })}`
        const fixed: (string | Buffer)[] = [
            "",
            "\r\n\r\n",
            "GET\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\n\r\n",
            "GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\nHost: x\r\n",
            "GET /v1/health HTTP/1.1\nHost: x\n\n",
            "CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            `GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
            `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
            `GET /v1/health HTTP/1.1\r\n${Array.from({ length: 3_000 }, (_, i) => `X-${i}: 1`).join("\r\n")}\r\n\r\n`,
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n",
            "GET /v1/he alth HTTP/1.1\r\nHost: x\r\n\r\n",
            "G\u0000ET / HTTP/1.1\r\n\r\n",
            Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
            Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            valid.replace("Content-Length: ", "Content-Length: 1"),
            valid.slice(0, valid.length - 10)
        ]
        const generated = fc.sample(garbled(valid), 300 * SCALE)
        for (const bytes of [...fixed, ...generated]) {
            const answer = await sendRaw(bytes)
            requests++
            const what = JSON.stringify(bytes.toString().slice(0, 120))
            if (answer === "") continue // nothing that could be answered: the connection was closed
            const status = Number(answer.slice(9, 12))
            statuses.set(status, (statuses.get(status) ?? 0) + 1)
            expect(answer.startsWith("HTTP/1.1 "), what).toBe(true)
            expect(status, `${what} → ${answer.slice(0, 200)}`).toBeLessThan(500)
            if (status === 200) {
                // a garbled request that is still a valid request (the first of the bytes, by its
                // Content-Length): then it must be answered honestly
                const text = String(bytes)
                const headEnd = text.indexOf("\r\n\r\n")
                const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, headEnd))?.[1])
                const requestBody = Buffer.from(text.slice(headEnd + 4)).subarray(0, length).toString("utf8").replace(/^\ufeff/, "")
                const responseHead = answer.indexOf("\r\n\r\n")
                const responseLength = Number(/content-length:\s*(\d+)/i.exec(answer.slice(0, responseHead))?.[1])
                const responseBody = Buffer.from(answer.slice(responseHead + 4), "latin1").subarray(0, responseLength).toString("utf8")
                expectHonestAnswer("/v1/attestations", JSON.parse(requestBody), { status, headers: {}, text: responseBody })
            } else {
                expect(status, what).toBeGreaterThanOrEqual(400)
                const body = answer.slice(answer.indexOf("\r\n\r\n") + 4)
                expect(typeof (JSON.parse(Buffer.from(body, "latin1").toString("utf8")) as { error: { code: unknown } }).error.code, what).toBe("string")
            }
        }
    })

    it("afterwards: still healthy, same key, still signs valid requests; no 5xx, no internal error, no unhandled rejection", async () => {
        const health = await send("GET", "/v1/health", {})
        expect(health.status).toBe(200)
        const key = JSON.parse((await send("GET", "/v1/key", {})).text)
        expect(key).toEqual({ publicKey: bureau.publicKey.map(String), keyHash: bureau.keyHash.toString() })
        const body = { commitment: COMMITMENT, applicant: GOOD_PERSON }
        const answer = await send("POST", "/v1/attestations", { "content-type": "application/json" }, JSON.stringify(body))
        expect(answer.status).toBe(200)
        expectHonestAnswer("/v1/attestations", body, answer)
        expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([])
        expect(logs.filter((entry) => entry.level === "error" || entry.event === "internal-error")).toEqual([])
        expect(leaks).toEqual([])
        expect(requests).toBeGreaterThan(2_000 * SCALE)
    })
})
