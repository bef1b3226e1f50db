/**
 * Malformed input thrown at the bureau's HTTP API over a real socket (a test bureau on an
 * in-memory embedded database): valid bodies (providers' signed records; an applicant's binding
 * and real history proof) with one field made hostile, garbled and truncated JSON, odd methods,
 * paths and content types, and raw bytes that are not HTTP at all. Every answer is 2xx only for a
 * valid request, otherwise a 4xx JSON error `{ error: { code, field, message } }`; never a 5xx,
 * never a stored record or a signed attestation from altered input (a signed one always verifies
 * and is for the bound commitment). The service logs no internal error, leaks no unhandled
 * rejection, keeps its key, and still answers afterwards.
 *
 * CI runs a few thousand requests; `ZKCREDIT_FULL=1` ten times as many.
 */
import { request as httpRequest, Agent } from "node:http"
import { createConnection } from "node:net"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { canonicalJson, ISSUED_AT_SKEW_SECONDS, recordId, type BureauLogEntry, type KycBinding, type SignedRecord } from "../../bureau/src/index.ts"
import { createBureauKey, Identity, parseAttestation, verifyAttestation } from "../../prover/src/index.ts"
import type { HistoryProof } from "../../prover/src/history-proof.ts"
import { startTestBureau, type TestBureau } from "../bureau/harness.ts"
import { provenRequest } from "../bureau/applicant-client.ts"
import { goodPersonRecords, ref } from "../bureau/provider-fixtures.ts"
import { BUREAU_PRIVATE_KEY, NOW } from "../helpers/fixtures.ts"
import { deeplyNested, garbled, hostileJson, hostileText, mutation, pathName, truncations, type Mutation } from "./lib/hostile.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
const SCALE = FULL ? 10 : 1
const VALIDITY = 7 * 86_400
const bureau = createBureauKey(BUREAU_PRIVATE_KEY)
const applicant = new Identity(0x5151n)

const leaks: unknown[] = []
const onRejection = (reason: unknown) => leaks.push(reason)
const logs: BureauLogEntry[] = []
let test: TestBureau
let port: number
let binding: KycBinding
let proof: HistoryProof
const RECORDS: SignedRecord[] = goodPersonRecords(ref("440101199512120000")).slice(0, 3)
const agent = new Agent({ keepAlive: true, maxSockets: 8 })
let requests = 0
const statuses = new Map<number, number>()

beforeAll(async () => {
    process.on("unhandledRejection", onRejection)
    test = await startTestBureau({ privateKey: BUREAU_PRIVATE_KEY, validitySeconds: VALIDITY, now: () => NOW, logger: (entry) => logs.push(entry) })
    port = Number(new URL(test.url).port)
    binding = await test.enrol(applicant)
    // one real proof; its challenge is used up by the first request that passes, later ones get 403
    proof = await provenRequest(test.url, applicant)
}, 300_000)

afterAll(async () => {
    agent.destroy()
    await test.close()
    process.off("unhandledRejection", onRejection)
    console.log(`malformed bureau input: ${requests.toLocaleString("en-US")} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
})

interface Answer {
    status: number
    headers: Record<string, string | string[] | undefined>
    text: string
}

/**
 * One request through node:http (it sends any method, path and header fetch would refuse). A
 * keep-alive socket the server closed just as it was reused resets: that request is sent again
 * on a new socket once, as node:http's documentation advises (`request.reusedSocket`).
 */
function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer, retried = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
            const chunks: Buffer[] = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }))
            res.on("error", reject)
        })
        req.on("error", (error: Error & { code?: string }) => {
            if (!retried && req.reusedSocket && error.code === "ECONNRESET") resolve(send(method, path, headers, body, true))
            else reject(error)
        })
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
 * Checks a 200 answer to a request body: stored records are exactly the request's (by id), and a
 * signed attestation verifies, is the bureau's, and is for the bound commitment.
 */
function expectHonestAnswer(route: string, body: Record<string, unknown>, answer: Answer): void {
    const response = JSON.parse(answer.text) as { stored?: string[]; duplicates?: string[]; score?: number; attestation?: unknown }
    if (route === "/v1/records") {
        const ids = (body.records as SignedRecord[]).map((r) => recordId(r))
        expect([...(response.stored ?? []), ...(response.duplicates ?? [])].sort()).toEqual([...ids].sort())
        return
    }
    expect(route).toBe("/v1/attestations")
    expect(verifyAttestation(response.attestation as never), "a signed attestation verifies").toBe(true)
    const signed = parseAttestation(response.attestation)
    expect(signed.bureauPublicKey).toEqual([...bureau.publicKey])
    expect(signed.commitment).toBe(applicant.commitment)
    expect(signed.score).toBe(BigInt(response.score!))
    expect(signed.issuedAt).toBe(BigInt(NOW - ISSUED_AT_SKEW_SECONDS))
    expect(signed.expiresAt).toBe(BigInt(NOW + VALIDITY))
}

// ------------------------------------------------------------------------------------ oracle

/** Request bodies that are valid as they are. */
const validBodies = (): [string, Record<string, unknown>][] => [
    ["/v1/records", { records: RECORDS }],
    ["/v1/attestations", { binding, proof }]
]

/**
 * Whether a mutation surely makes the request invalid: every field of these bodies is signed
 * (records by the provider, the binding by the officer) or proven (the history proof), so any
 * change to their canonical JSON must be refused with a 4xx; a change that leaves it equal
 * (setting a value to itself) is the same request.
 */
function surelyInvalid(valid: Record<string, unknown>, m: Mutation): boolean {
    // dropping whole records from a batch leaves a batch of valid signed records
    if (m.change.op === "delete" && m.path.length === 2 && m.path[0] === "records") return false
    return m.value === undefined || canonicalJson(m.value) !== canonicalJson(valid)
}

describe("malformed input to the bureau HTTP API, over a real socket", () => {
    it("valid bodies with one field made hostile: 4xx naming a field for every invalid one, an honest 200 otherwise", async () => {
        let invalid = 0
        for (const [route, valid] of validBodies()) {
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
                { numRuns: 600 * SCALE }
            )
        }
        expect(invalid).toBeGreaterThan(1_000 * SCALE)
    })

    it("truncated and garbled JSON bodies, deep nesting, huge numbers, duplicate and __proto__ keys: 4xx, or an honest 200", async () => {
        const texts: [string, string][] = []
        for (const [route, valid] of validBodies()) {
            const text = JSON.stringify(valid)
            for (const t of truncations(text, FULL ? 1 : 4)) texts.push([route, t])
            for (const t of fc.sample(garbled(text), 150 * SCALE)) texts.push([route, t])
        }
        const records = JSON.stringify(RECORDS)
        const applicantRequest = JSON.stringify({ binding, proof })
        for (const route of ["/v1/records", "/v1/attestations", "/v1/report", "/v1/disputes"]) {
            texts.push(
                [route, deeplyNested(30_000)],
                [route, deeplyNested(10_000, '{"a":', "}").replace(/\}+$/, (s) => `1${s}`)],
                [route, `{"records":${records.replace('"signedAt":1790000000', '"signedAt":1e400')}}`],
                [route, `{"records":${records.replace('"signedAt":1790000000', `"signedAt":${"9".repeat(5_000)}`)}}`],
                [route, `{"records":${records},"records":${records}}`],
                [route, `{"__proto__":{"score":850},"records":${records}}`],
                [route, applicantRequest.replace("{", '{"__proto__":{"score":850},')],
                [route, applicantRequest.replace("{", '{"score":850,')],
                [route, applicantRequest.replace("{", '{"applicant":{"kind":"person"},')],
                [route, `\ufeff{"records":${records}}`],
                [route, `${applicantRequest}\u0000`],
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
        const paths = ["/v1/health", "/v1/key", "/v1/markets", "/v1/providers", "/v1/challenges", "/v1/records", "/v1/attestations", "/v1/report", "/v1/disputes", "/v1/admin/providers", "/v1/admin/lenders", "/", "/v1", "/v1/", "/v1/records/", "//v1/records", "/v1//records", "/V1/RECORDS", "/v1/records?x=1&y", "/v1/%2e%2e/v1/records", "/v1/records%00", "/v1/attestations/../records", `/${"a".repeat(4_000)}`, "*", "/v1/records#fragment"]
        const types = ["application/json", "APPLICATION/JSON; CHARSET=UTF-8", "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json;charset=", "", "application/json, text/plain", "application/jsonx", "*/*"]
        const body = JSON.stringify({ records: RECORDS })
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
                        expect(["/v1/health", "/v1/key", "/v1/markets", "/v1/providers", "/v1/challenges", "/v1/records", "/v1/attestations", "/v1/report", "/v1/disputes", "/v1/admin/providers", "/v1/admin/lenders"], what).toContain(route)
                        // the admin routes answer a preflight only: without the operator's token nothing passes
                        if (route.startsWith("/v1/admin/")) expect(method, what).toBe("OPTIONS")
                        if (answer.status === 200 && method === "POST" && route === "/v1/records") expectHonestAnswer(route, JSON.parse(payload as string), answer)
                        else if (answer.status === 200 && method === "POST") expect(route, what).toBe("/v1/challenges")
                        else expect(["GET", "OPTIONS"], what).toContain(method)
                    } else if (method !== "HEAD") expectClientError(answer, what)
                }
            ),
            { numRuns: 400 * SCALE }
        )
    })

    it("bytes that are not HTTP, or bad HTTP: a 4xx JSON error or a closed connection, never a 5xx and never a 2xx", async () => {
        const validBody = JSON.stringify({ records: RECORDS })
        const valid = `POST /v1/records HTTP/1.1\r\nHost: bureau\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(validBody)}\r\n\r\n${validBody}`
        const fixed: (string | Buffer)[] = [
            "",
            "\r\n\r\n",
            "GET\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\n\r\n",
            "GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\nHost: x\r\n",
            "GET /v1/health HTTP/1.1\nHost: x\n\n",
            "CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            "POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
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
                expectHonestAnswer("/v1/records", JSON.parse(requestBody), { status, headers: {}, text: responseBody })
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
        const body = { binding, proof: await provenRequest(test.url, applicant) }
        const answer = await send("POST", "/v1/attestations", { "content-type": "application/json" }, JSON.stringify(body))
        expect(answer.status).toBe(200)
        expectHonestAnswer("/v1/attestations", body, answer)
        // nothing altered was stored: the person holds exactly the enrolment's and the valid batch's records
        const held = (await test.store.recordsFor(RECORDS[0]!.personRef)).map((r) => r.id).sort()
        expect(held).toEqual(RECORDS.map((r) => recordId(r)).sort())
        expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([])
        expect(logs.filter((entry) => entry.level === "error" || entry.event === "internal-error")).toEqual([])
        expect(leaks).toEqual([])
        expect(requests).toBeGreaterThan(2_000 * SCALE)
    })
})
