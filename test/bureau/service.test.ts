import { request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createBureauService, scoreApplicant, type BureauLogEntry, type BureauService, type BureauServiceOptions, type RecordReader } from "../../bureau/src/index.ts"
import { createBureauKey, verifyAttestation, type Attestation } from "../../prover/src/index.ts"
import { BUREAU_PRIVATE_KEY, NOW } from "../helpers/fixtures.ts"
import { GOOD_PERSON, GOOD_RECORD, GOOD_SME } from "./examples.ts"

const VALIDITY = 7 * 86_400
const COMMITMENT = "4242424242424242424242424242424242424242"
const NULLIFIER = "777777777777777777777777777777777777"

/** A service on an ephemeral port; `logs` collects its log entries. */
async function startService(options: Partial<BureauServiceOptions> = {}): Promise<{ service: BureauService; url: string; logs: BureauLogEntry[] }> {
    const logs: BureauLogEntry[] = []
    const service = createBureauService({ privateKey: BUREAU_PRIVATE_KEY, validitySeconds: VALIDITY, now: () => NOW, logger: (entry) => logs.push(entry), ...options })
    const url = await service.listen(0)
    return { service, url, logs }
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) })
    return { status: response.status, body: await response.json(), headers: response.headers }
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers }
}

/** Sends a body in chunks without a Content-Length (chunked encoding), as node:http allows. */
function postChunked(url: string, chunks: Buffer[]): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
        const req = httpRequest(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
            let text = ""
            res.on("data", (chunk: Buffer) => (text += chunk.toString()))
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
        })
        req.on("error", reject)
        for (const chunk of chunks) req.write(chunk)
        req.end()
    })
}

describe("bureau service", () => {
    let started: Awaited<ReturnType<typeof startService>>
    let url: string
    const bureau = createBureauKey(BUREAU_PRIVATE_KEY)

    beforeAll(async () => {
        started = await startService()
        url = started.url
    })
    afterAll(() => started.service.close())

    describe("# GET routes", () => {
        it("GET /v1/health answers { ok: true }", async () => {
            expect(await get(`${url}/v1/health`)).toMatchObject({ status: 200, body: { ok: true } })
        })

        it("GET /v1/key answers the public key and its hash as decimal strings", async () => {
            const { status, body } = await get(`${url}/v1/key`)
            expect(status).toBe(200)
            expect(body).toEqual({ publicKey: bureau.publicKey.map(String), keyHash: bureau.keyHash.toString() })
            expect(started.service.keyHash).toBe(bureau.keyHash)
        })

        it("responses are JSON, not cached, and carry CORS headers for any origin by default", async () => {
            const { headers } = await get(`${url}/v1/health`, { headers: { origin: "http://localhost:5173" } })
            expect(headers.get("content-type")).toBe("application/json; charset=utf-8")
            expect(headers.get("cache-control")).toBe("no-store")
            expect(headers.get("access-control-allow-origin")).toBe("*")
        })
    })

    describe("# POST /v1/score", () => {
        it("scores a person and an SME exactly as the scorecard does, signing nothing", async () => {
            for (const applicant of [GOOD_PERSON, GOOD_SME]) {
                const { status, body } = await post(`${url}/v1/score`, { applicant })
                expect(status).toBe(200)
                expect(body).toEqual(scoreApplicant(applicant))
                expect(body.attestation).toBeUndefined()
            }
        })
    })

    describe("# POST /v1/attestations", () => {
        it("scores the applicant itself and signs that score for the commitment, valid for validitySeconds", async () => {
            const { status, body } = await post(`${url}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON })
            expect(status).toBe(200)
            const attestation = body.attestation as Attestation
            const expected = scoreApplicant(GOOD_PERSON)
            expect(body.score).toBe(expected.score)
            expect(body.breakdown).toEqual(expected.breakdown)
            expect(attestation).toMatchObject({ commitment: COMMITMENT, score: expected.score, issuedAt: NOW, expiresAt: NOW + VALIDITY })
            expect(attestation.expiresAt - attestation.issuedAt).toBe(VALIDITY)
            expect(verifyAttestation(attestation)).toBe(true)
            const key = await get(`${url}/v1/key`)
            expect(attestation.bureauPublicKey).toEqual(key.body.publicKey)
        })

        it("normalises a hex commitment to decimal in what it signs", async () => {
            const { body } = await post(`${url}/v1/attestations`, { commitment: "0xff", applicant: GOOD_SME })
            expect(body.attestation.commitment).toBe("255")
            expect(verifyAttestation(body.attestation)).toBe(true)
        })

        it("refuses a client-supplied score with 400, signing nothing", async () => {
            for (const score of [850, 300, "850"]) {
                const { status, body } = await post(`${url}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON, score })
                expect(status).toBe(400)
                expect(body).toEqual({ error: { code: "FIELD_NOT_ACCEPTED", field: "score", message: expect.stringContaining("score") } })
                expect(body.attestation).toBeUndefined()
            }
        })

        it("refuses a malformed commitment with 400 naming it", async () => {
            for (const commitment of ["abc", "-5", "0", null, 1.5, "21888242871839275222246405745257275088548364400416034343698204186575808495617"]) {
                const { status, body } = await post(`${url}/v1/attestations`, { commitment, applicant: GOOD_PERSON })
                expect(status, String(commitment)).toBe(400)
                expect(body.error.field).toBe("commitment")
            }
        })

        it("refuses bad applicant data with 400 naming the field, and signs nothing", async () => {
            const { status, body } = await post(`${url}/v1/attestations`, { commitment: COMMITMENT, applicant: { ...GOOD_PERSON, monthlyIncomeYuan: "15000" } })
            expect(status).toBe(400)
            expect(body).toEqual({ error: { code: "WRONG_TYPE", field: "applicant.monthlyIncomeYuan", message: expect.stringContaining("whole number from 0 to") } })
        })
    })

    describe("# 4xx", () => {
        it.each([
            ["not JSON", "{applicant:", "body", "INVALID_JSON"],
            ["empty", "", "body", "INVALID_JSON"],
            ["a JSON array", "[]", "body", "WRONG_TYPE"],
            ["JSON null", "null", "body", "WRONG_TYPE"],
            ["no applicant", "{}", "applicant", "MISSING_FIELD"],
            ["an unknown kind", JSON.stringify({ applicant: { ...GOOD_PERSON, kind: "robot" } }), "applicant.kind", "INVALID_VALUE"],
            ["NaN-like text", '{"applicant": {"kind": "person", "onTimePayments24m": NaN}}', "body", "INVALID_JSON"],
            ["a negative count", JSON.stringify({ applicant: { ...GOOD_PERSON, pastDefaults: -1 } }), "applicant.pastDefaults", "OUT_OF_RANGE"],
            ["a huge number", JSON.stringify({ applicant: { ...GOOD_PERSON, monthlyIncomeYuan: 1e200 } }), "applicant.monthlyIncomeYuan", "OUT_OF_RANGE"],
            ["a fraction where an integer goes", JSON.stringify({ applicant: { ...GOOD_PERSON, creditHistoryMonths: 2.5 } }), "applicant.creditHistoryMonths", "NOT_AN_INTEGER"],
            ["an unknown top-level field", JSON.stringify({ applicant: GOOD_PERSON, extra: 1 }), "extra", "UNKNOWN_FIELD"]
        ])("POST /v1/score with a body that is %s: 400 naming %s", async (_what, text, field, code) => {
            const { status, body } = await post(`${url}/v1/score`, text)
            expect(status).toBe(400)
            expect(body.error).toMatchObject({ code, field })
            expect(typeof body.error.message).toBe("string")
        })

        it("rejects a body that is not UTF-8 with 400", async () => {
            const response = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) })
            expect(response.status).toBe(400)
            expect((await response.json()).error).toMatchObject({ code: "INVALID_JSON", field: "body" })
        })

        it("answers 404 for an unknown route, listing the routes", async () => {
            for (const path of ["/", "/v1/scores", "/v2/score", "/v1/score/extra"]) {
                const { status, body } = await get(`${url}${path}`)
                expect(status, path).toBe(404)
                expect(body.error).toMatchObject({ code: "NOT_FOUND", field: null, message: expect.stringContaining("POST /v1/attestations") })
            }
        })

        it("answers 405 with Allow for a wrong method", async () => {
            const cases: [string, string, string][] = [
                ["GET", "/v1/score", "POST, OPTIONS"],
                ["PUT", "/v1/attestations", "POST, OPTIONS"],
                ["POST", "/v1/health", "GET, OPTIONS"],
                ["DELETE", "/v1/key", "GET, OPTIONS"]
            ]
            for (const [method, path, allow] of cases) {
                const response = await fetch(`${url}${path}`, { method, ...(method === "POST" || method === "PUT" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}) })
                expect(response.status, `${method} ${path}`).toBe(405)
                expect(response.headers.get("allow")).toBe(allow)
                expect((await response.json()).error.code).toBe("METHOD_NOT_ALLOWED")
            }
        })

        it("answers 415 for a body that is not sent as JSON", async () => {
            for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", ""]) {
                const response = await fetch(`${url}/v1/score`, { method: "POST", headers: type ? { "content-type": type } : {}, body: JSON.stringify({ applicant: GOOD_PERSON }) })
                expect(response.status, type).toBe(415)
                expect((await response.json()).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", field: "content-type" })
            }
            expect((await post(`${url}/v1/score`, { applicant: GOOD_PERSON }, { "content-type": "Application/JSON; charset=UTF-8" })).status).toBe(200)
        })

        it("answers 413 for a body over 64 KiB, declared or streamed", async () => {
            const big = JSON.stringify({ applicant: GOOD_PERSON, padding: "x".repeat(70 * 1024) })
            const declared = await post(`${url}/v1/score`, big)
            expect(declared.status).toBe(413)
            expect(declared.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", field: "body" })
            const streamed = await postChunked(url, Array.from({ length: 10 }, () => Buffer.alloc(8 * 1024, 0x20)))
            expect(streamed.status).toBe(413)
            expect(streamed.body.error.code).toBe("PAYLOAD_TOO_LARGE")
            // and the service carries on
            expect((await get(`${url}/v1/health`)).status).toBe(200)
        })

        it("accepts a body of just under 64 KiB", async () => {
            const text = JSON.stringify({ applicant: GOOD_PERSON })
            const padded = text + " ".repeat(64 * 1024 - Buffer.byteLength(text))
            expect((await post(`${url}/v1/score`, padded)).status).toBe(200)
        })
    })

    describe("# CORS", () => {
        it("answers a preflight with the route's methods", async () => {
            const response = await fetch(`${url}/v1/attestations`, { method: "OPTIONS", headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" } })
            expect(response.status).toBe(204)
            expect(response.headers.get("access-control-allow-origin")).toBe("*")
            expect(response.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS")
            expect(response.headers.get("access-control-allow-headers")).toBe("Content-Type")
        })

        it("with a list of origins, allows those and no others", async () => {
            const { service, url: restricted } = await startService({ corsOrigins: ["http://localhost:5173"] })
            try {
                const allowed = await fetch(`${restricted}/v1/health`, { headers: { origin: "http://localhost:5173" } })
                expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173")
                expect(allowed.headers.get("vary")).toBe("Origin")
                const other = await fetch(`${restricted}/v1/health`, { headers: { origin: "http://evil.example" } })
                expect(other.headers.get("access-control-allow-origin")).toBeNull()
            } finally {
                await service.close()
            }
        })
    })

    describe("# on-chain record", () => {
        it("reads the pseudonym's record through the reader and scores it", async () => {
            const asked: bigint[] = []
            const reader: RecordReader = async (nullifier) => {
                asked.push(nullifier)
                return { loansTaken: 3n, loansRepaid: 2n, lateInstalments: 1n, defaults: 0n }
            }
            const { service, url: withReader } = await startService({ recordReader: reader })
            try {
                const { status, body } = await post(`${withReader}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
                expect(status).toBe(200)
                expect(asked).toEqual([BigInt(NULLIFIER)])
                expect(body.score).toBe(scoreApplicant(GOOD_PERSON, GOOD_RECORD).score)
                expect(body.attestation.score).toBe(800)
                expect(body.breakdown.onChainRecord).toEqual(GOOD_RECORD)
                // without the pseudonym the reader is not asked
                expect((await post(`${withReader}/v1/score`, { applicant: GOOD_PERSON })).body.score).toBe(785)
                expect(asked).toHaveLength(1)
            } finally {
                await service.close()
            }
        })

        it("a pseudonym the reader has no record for scores as an empty record", async () => {
            const { service, url: withReader } = await startService({ recordReader: async () => null })
            try {
                const { body } = await post(`${withReader}/v1/score`, { applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
                expect(body.score).toBe(785)
                expect(body.breakdown.onChainRecord).toEqual({ loansTaken: 0, loansRepaid: 0, lateInstalments: 0, defaults: 0 })
            } finally {
                await service.close()
            }
        })

        it("a pseudonym without a reader configured: 501, rather than silently ignoring it", async () => {
            const { status, body } = await post(`${url}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
            expect(status).toBe(501)
            expect(body.error).toMatchObject({ code: "RECORD_READER_NOT_CONFIGURED", field: "pseudonym" })
        })

        it("a reader that throws, throws synchronously or returns garbage: 502, nothing signed, the service lives on", async () => {
            const readers: RecordReader[] = [
                async () => {
                    throw Object.assign(new Error(`call reverted, data for nullifier ${NULLIFIER}`), { code: "CALL_EXCEPTION" })
                },
                () => {
                    throw new TypeError("not even async")
                },
                async () => ({ loansTaken: "lots" }) as never
            ]
            for (const recordReader of readers) {
                const { service, url: failing, logs } = await startService({ recordReader })
                try {
                    const { status, body } = await post(`${failing}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
                    expect(status).toBe(502)
                    expect(body.error).toMatchObject({ code: "RECORD_UNAVAILABLE", field: "pseudonym", message: expect.stringContaining("nothing was signed") })
                    expect(body.attestation).toBeUndefined()
                    expect((await get(`${failing}/v1/health`)).status).toBe(200)
                    expect(logs.some((entry) => entry.event === "record-reader-failed" && entry.level === "warn")).toBe(true)
                    // the reader's error message carries the nullifier: it must not reach the log
                    expect(JSON.stringify(logs)).not.toContain(NULLIFIER)
                } finally {
                    await service.close()
                }
            }
        })

        it("a reader that hangs: 504 after the timeout", async () => {
            const { service, url: slow } = await startService({ recordReader: () => new Promise(() => {}), recordReaderTimeoutMs: 50 })
            try {
                const { status, body } = await post(`${slow}/v1/score`, { applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
                expect(status).toBe(504)
                expect(body.error).toMatchObject({ code: "RECORD_TIMEOUT", field: "pseudonym" })
            } finally {
                await service.close()
            }
        })
    })

    describe("# logging", () => {
        it("logs method, path and status of every request, never the body, commitment or query", async () => {
            const { service, url: logged, logs } = await startService({ recordReader: async () => GOOD_RECORD })
            try {
                const marker = 87_654_321
                const applicant = { ...GOOD_PERSON, monthlyIncomeYuan: marker }
                await post(`${logged}/v1/attestations`, { commitment: COMMITMENT, applicant, pseudonym: { nullifier: NULLIFIER } })
                await post(`${logged}/v1/score?name=ZhangSan`, { applicant })
                await post(`${logged}/v1/score`, { applicant: { ...applicant, kind: "ZhangSan" } })
                await post(`${logged}/v1/score`, `{"applicant": ${marker}`)
                await get(`${logged}/v1/key`)
                await new Promise((resolve) => setTimeout(resolve, 20))
                const requests = logs.filter((entry) => entry.event === "request")
                expect(requests.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
                    { method: "POST", path: "/v1/attestations", status: 200 },
                    { method: "POST", path: "/v1/score", status: 200 },
                    { method: "POST", path: "/v1/score", status: 400 },
                    { method: "POST", path: "/v1/score", status: 400 },
                    { method: "GET", path: "/v1/key", status: 200 }
                ])
                const text = JSON.stringify(logs)
                for (const secret of [String(marker), COMMITMENT, NULLIFIER, "ZhangSan"]) expect(text).not.toContain(secret)
            } finally {
                await service.close()
            }
        })

        it("a logger that throws does not take the service down", async () => {
            const { service, url: noisy } = await startService({
                logger: () => {
                    throw new Error("disk full")
                }
            })
            try {
                expect((await get(`${noisy}/v1/health`)).status).toBe(200)
                expect((await get(`${noisy}/v1/health`)).status).toBe(200)
            } finally {
                await service.close()
            }
        })
    })

    describe("# lifecycle and options", () => {
        it("a broken clock is the bureau's fault: 500, nothing signed, no crash", async () => {
            const { service, url: broken, logs } = await startService({ now: () => Number.NaN })
            try {
                const { status, body } = await post(`${broken}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON })
                expect(status).toBe(500)
                expect(body.error).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("nothing was signed") })
                expect(logs.some((entry) => entry.event === "internal-error")).toBe(true)
            } finally {
                await service.close()
            }
        })

        it("close() lets a request in flight finish, then stops listening", async () => {
            let release: () => void = () => {}
            const gate = new Promise<void>((resolve) => (release = resolve))
            const { service, url: closing } = await startService({ recordReader: async () => (await gate, GOOD_RECORD) })
            const inFlight = post(`${closing}/v1/score`, { applicant: GOOD_PERSON, pseudonym: { nullifier: NULLIFIER } })
            await new Promise((resolve) => setTimeout(resolve, 50))
            const closed = service.close()
            release()
            expect((await inFlight).status).toBe(200)
            await closed
            await expect(fetch(`${closing}/v1/health`)).rejects.toThrow()
            await service.close() // twice is fine
        })

        it("checks its options, naming the bad one", () => {
            const base = { privateKey: BUREAU_PRIVATE_KEY, validitySeconds: VALIDITY }
            const cases: [Partial<BureauServiceOptions> & Record<string, unknown>, string][] = [
                [{ privateKey: "0x1234" }, "privateKey"],
                [{ validitySeconds: 0 }, "validitySeconds"],
                [{ validitySeconds: 1.5 }, "validitySeconds"],
                [{ validitySeconds: 400 * 86_400 }, "validitySeconds"],
                [{ now: 5 as never }, "now"],
                [{ recordReader: {} as never }, "recordReader"],
                [{ logger: "console" as never }, "logger"],
                [{ corsOrigins: ["localhost:5173"] }, "corsOrigins"],
                [{ maxBodyBytes: 10 }, "maxBodyBytes"],
                [{ recordReaderTimeoutMs: 0 }, "recordReaderTimeoutMs"]
            ]
            for (const [override, parameter] of cases) {
                expect(() => createBureauService({ ...base, ...override }), parameter).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter }))
            }
        })

        it("listen() refuses a bad port", async () => {
            const service = createBureauService({ privateKey: BUREAU_PRIVATE_KEY, validitySeconds: VALIDITY })
            await expect(service.listen(70_000)).rejects.toThrowError(expect.objectContaining({ parameter: "port" }))
        })
    })
})
