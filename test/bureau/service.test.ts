/**
 * The bureau's HTTP service as HTTP: routes, error shapes, limits, CORS, the request log and its
 * lifecycle, on an in-memory embedded database. Scoring through the service with real proofs and
 * a chain is test/bureau/attestation-e2e.test.ts.
 */
import { request as httpRequest } from "node:http"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BureauStore, createBureauService, openDatabase, type BureauLogEntry, type BureauService, type BureauServiceOptions } from "../../bureau/src/index.ts"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { createBureauKey, Identity } from "../../prover/src/index.ts"
import { BUREAU_PRIVATE_KEY, NOW } from "../helpers/fixtures.ts"
import { GOOD_PERSON } from "./examples.ts"
import { TEST_BINDING_DOMAIN, TEST_OFFICER } from "./harness.ts"
import { goodPersonRecords, ref, REGISTRATIONS } from "./provider-fixtures.ts"

const VALIDITY = 7 * 86_400
const COMMITMENT = "4242424242424242424242424242424242424242"
const NULLIFIER = "777777777777777777777777777777777777"
const ADMIN_TOKEN = "service-test-admin-token"
const vkey = JSON.parse(readFileSync(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object
const stores: BureauStore[] = []

/** A service on an ephemeral port on the file's in-memory database (opening PGlite costs seconds); `logs` collects its log entries. */
async function startService(options: Partial<BureauServiceOptions> = {}): Promise<{ service: BureauService; url: string; logs: BureauLogEntry[]; store: BureauStore }> {
    const logs: BureauLogEntry[] = []
    if (stores.length === 0) stores.push(await BureauStore.open(await openDatabase()))
    const store = stores[0]!
    const service = createBureauService({
        privateKey: BUREAU_PRIVATE_KEY,
        validitySeconds: VALIDITY,
        now: () => NOW,
        logger: (entry) => logs.push(entry),
        store,
        officers: { ...TEST_BINDING_DOMAIN, isOfficer: async (address) => address === TEST_OFFICER.address },
        historyVerificationKey: vkey,
        adminToken: ADMIN_TOKEN,
        ...options
    })
    const url = await service.listen(0)
    return { service, url, logs, store }
}

afterAll(async () => {
    for (const store of stores) await store.close()
})

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
        const req = httpRequest(`${url}/v1/records`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
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

    describe("# routes that take no applicant data", () => {
        it("GET /v1/providers lists the registry; GET /v1/markets is empty without a chain", async () => {
            expect(await get(`${url}/v1/markets`)).toMatchObject({ status: 200, body: { scopes: [] } })
            expect((await get(`${url}/v1/providers`)).body).toEqual({ providers: [] })
        })

        it("POST /v1/challenges gives a fresh field element each time, valid for 5 minutes", async () => {
            const a = await post(`${url}/v1/challenges`, {})
            const b = await post(`${url}/v1/challenges`, {})
            expect(a.status).toBe(200)
            expect(a.body.expiresAt).toBe(NOW + 300)
            expect(a.body.challenge).not.toBe(b.body.challenge)
            expect(BigInt(a.body.challenge)).toBeGreaterThan(0n)
        })

        it("POST /v1/attestations with self-reported applicant data is refused: 400 SELF_REPORTED_DATA", async () => {
            const { status, body } = await post(`${url}/v1/attestations`, { commitment: COMMITMENT, applicant: GOOD_PERSON })
            expect(status).toBe(400)
            expect(body.error).toMatchObject({ code: "SELF_REPORTED_DATA", field: "applicant" })
            expect((await post(`${url}/v1/attestations`, { pseudonym: { nullifier: NULLIFIER } })).body.error.code).toBe("UNPROVEN_PSEUDONYM")
            expect((await post(`${url}/v1/attestations`, {})).body.error).toMatchObject({ code: "MISSING_FIELD", field: "binding" })
        })

        it("a proof naming a market, to a bureau that reads no chain: 422 HISTORY_NOT_CONFIGURED, nothing stored", async () => {
            const { signBinding } = await import("../../bureau/src/binding.ts")
            const binding = await signBinding(TEST_OFFICER, { personRef: ref("110105199003075678"), commitment: new Identity(6n).commitment.toString(), subjectKind: "person", issuedAt: 1 }, TEST_BINDING_DOMAIN)
            const scopes = ["0", "0", "12345", "0", "0", "0", "0", "0"]
            const proof = { commitment: binding.commitment, pseudonyms: Array(8).fill("0"), scopes, challenge: "1", points: Array(8).fill("1") }
            const { status, body } = await post(`${url}/v1/attestations`, { binding, proof })
            expect(status).toBe(422)
            expect(body.error).toMatchObject({ code: "HISTORY_NOT_CONFIGURED", field: "proof.scopes.2" })
            expect(await started.store.attestationsFor(binding.personRef)).toEqual([])
        })

        it("the admin routes need the operator's token", async () => {
            const provider = REGISTRATIONS[0]!
            expect((await post(`${url}/v1/admin/providers`, provider)).status).toBe(401)
            expect((await post(`${url}/v1/admin/providers`, provider, { authorization: "Bearer wrong-token-wrong-token" })).status).toBe(401)
            expect((await post(`${url}/v1/admin/providers`, provider, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200)
            expect((await post(`${url}/v1/admin/providers`, provider, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(409)
            const { service, url: closed } = await startService({ adminToken: undefined as never })
            try {
                expect((await post(`${closed}/v1/admin/lenders`, { address: TEST_OFFICER.address, name: "x" }, { authorization: `Bearer ${ADMIN_TOKEN}` })).body.error.code).toBe("ADMIN_DISABLED")
            } finally {
                await service.close()
            }
        })

        it("POST /v1/records stores a registered provider's records and answers duplicates", async () => {
            const records = goodPersonRecords(ref("110105199003071234")).filter((r) => r.provider === REGISTRATIONS[0]!.id)
            const first = await post(`${url}/v1/records`, { records })
            expect(first.status).toBe(200)
            expect(first.body.stored).toHaveLength(records.length)
            expect((await post(`${url}/v1/records`, { records })).body).toEqual({ stored: [], duplicates: first.body.stored })
        })
    })

    describe("# 4xx", () => {
        const record = goodPersonRecords(ref("110105199003070000"))[3]!
        it.each([
            ["not JSON", "{records:", "body", "INVALID_JSON"],
            ["empty", "", "body", "INVALID_JSON"],
            ["a JSON array", "[]", "body", "WRONG_TYPE"],
            ["JSON null", "null", "body", "WRONG_TYPE"],
            ["no records", "{}", "records", "WRONG_TYPE"],
            ["an empty batch", JSON.stringify({ records: [] }), "records", "OUT_OF_RANGE"],
            ["a record of an unknown kind", JSON.stringify({ records: [{ ...record, kind: "robot" }] }), "records.0.kind", "INVALID_VALUE"],
            ["NaN-like text", '{"records": [NaN]}', "body", "INVALID_JSON"],
            ["a negative amount", JSON.stringify({ records: [{ ...record, data: { netIncomeYuan: -1 } }] }), "records.0.data.netIncomeYuan", "OUT_OF_RANGE"],
            ["a huge number", JSON.stringify({ records: [{ ...record, data: { netIncomeYuan: 1e200 } }] }), "records.0.data.netIncomeYuan", "OUT_OF_RANGE"],
            ["a fraction where an integer goes", JSON.stringify({ records: [{ ...record, data: { netIncomeYuan: 2.5 } }] }), "records.0.data.netIncomeYuan", "NOT_AN_INTEGER"],
            ["an unsigned record", JSON.stringify({ records: [{ ...record, signature: undefined }] }), "records.0.signature", "MISSING_SIGNATURE"],
            ["a bad period", JSON.stringify({ records: [{ ...record, period: "2026-13" }] }), "records.0.period", "INVALID_VALUE"],
            ["an unknown top-level field of an applicant request", JSON.stringify({ binding: {}, proof: {}, extra: 1 }), "extra", "UNKNOWN_FIELD"]
        ])("POST with a body that is %s: 400 naming %s", async (what, text, field, code) => {
            const { status, body } = await post(`${url}${what.includes("applicant request") ? "/v1/attestations" : "/v1/records"}`, text)
            expect(status).toBe(400)
            expect(body.error).toMatchObject({ code, field })
            expect(typeof body.error.message).toBe("string")
        })

        it("rejects a body that is not UTF-8 with 400", async () => {
            const response = await fetch(`${url}/v1/records`, { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) })
            expect(response.status).toBe(400)
            expect((await response.json()).error).toMatchObject({ code: "INVALID_JSON", field: "body" })
        })

        it("answers 404 for an unknown route, listing the routes", async () => {
            for (const path of ["/", "/v1/score", "/v2/attestations", "/v1/records/extra"]) {
                const { status, body } = await get(`${url}${path}`)
                expect(status, path).toBe(404)
                expect(body.error).toMatchObject({ code: "NOT_FOUND", field: null, message: expect.stringContaining("POST /v1/attestations") })
            }
        })

        it("answers 405 with Allow for a wrong method", async () => {
            const cases: [string, string, string][] = [
                ["GET", "/v1/records", "POST, OPTIONS"],
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
                const response = await fetch(`${url}/v1/challenges`, { method: "POST", headers: type ? { "content-type": type } : {}, body: "{}" })
                expect(response.status, type).toBe(415)
                expect((await response.json()).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", field: "content-type" })
            }
            expect((await post(`${url}/v1/challenges`, {}, { "content-type": "Application/JSON; charset=UTF-8" })).status).toBe(200)
        })

        it("answers 413 for a body over 256 KiB, declared or streamed", async () => {
            const big = JSON.stringify({ records: [], padding: "x".repeat(260 * 1024) })
            const declared = await post(`${url}/v1/records`, big)
            expect(declared.status).toBe(413)
            expect(declared.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", field: "body" })
            const streamed = await postChunked(url, Array.from({ length: 40 }, () => Buffer.alloc(8 * 1024, 0x20)))
            expect(streamed.status).toBe(413)
            expect(streamed.body.error.code).toBe("PAYLOAD_TOO_LARGE")
            // and the service carries on
            expect((await get(`${url}/v1/health`)).status).toBe(200)
        })

        it("accepts a body of just under 256 KiB", async () => {
            const text = "{}"
            const padded = text + " ".repeat(256 * 1024 - Buffer.byteLength(text))
            expect((await post(`${url}/v1/challenges`, padded)).status).toBe(200)
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

    describe("# logging", () => {
        it("logs method, path and status of every request, never the body, commitment or query; the requests table likewise", async () => {
            const { service, url: logged, logs, store } = await startService()
            const before = await store.requestCount()
            try {
                const marker = 87_654_321
                const applicant = { ...GOOD_PERSON, monthlyIncomeYuan: marker }
                await post(`${logged}/v1/attestations`, { commitment: COMMITMENT, applicant })
                await post(`${logged}/v1/challenges?name=ZhangSan`, {})
                await post(`${logged}/v1/records`, { records: [{ personRef: "ZhangSan", marker }] })
                await post(`${logged}/v1/records`, `{"records": ${marker}`)
                await get(`${logged}/v1/key`)
                await new Promise((resolve) => setTimeout(resolve, 50))
                const requests = logs.filter((entry) => entry.event === "request")
                expect(requests.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
                    { method: "POST", path: "/v1/attestations", status: 400 },
                    { method: "POST", path: "/v1/challenges", status: 200 },
                    { method: "POST", path: "/v1/records", status: 400 },
                    { method: "POST", path: "/v1/records", status: 400 },
                    { method: "GET", path: "/v1/key", status: 200 }
                ])
                const text = JSON.stringify(logs) + JSON.stringify((await store.db.query("SELECT * FROM requests")).rows)
                for (const secret of [String(marker), COMMITMENT, "ZhangSan"]) expect(text).not.toContain(secret)
                expect(await store.requestCount()).toBe(before + 5)
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
                const { status, body } = await post(`${broken}/v1/challenges`, {})
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
            const { service, url: closing } = await startService({ officers: { ...TEST_BINDING_DOMAIN, isOfficer: async () => (await gate, false) } })
            const { signBinding } = await import("../../bureau/src/binding.ts")
            const binding = await signBinding(TEST_OFFICER, { personRef: ref("110105199003071234"), commitment: new Identity(5n).commitment.toString(), subjectKind: "person", issuedAt: 1 }, TEST_BINDING_DOMAIN)
            const proof = { commitment: binding.commitment, pseudonyms: Array(8).fill("0"), scopes: Array(8).fill("0"), challenge: "1", points: Array(8).fill("1") }
            const inFlight = post(`${closing}/v1/attestations`, { binding, proof })
            await new Promise((resolve) => setTimeout(resolve, 50))
            const closed = service.close()
            release()
            expect((await inFlight).body.error.code).toBe("UNKNOWN_OFFICER")
            await closed
            await expect(fetch(`${closing}/v1/health`)).rejects.toThrow()
            await service.close() // twice is fine
        })

        it("checks its options, naming the bad one", () => {
            const store = stores[0]!
            const base = { privateKey: BUREAU_PRIVATE_KEY, validitySeconds: VALIDITY, store, officers: { ...TEST_BINDING_DOMAIN, isOfficer: async () => true }, historyVerificationKey: vkey }
            const cases: [Partial<BureauServiceOptions> & Record<string, unknown>, string][] = [
                [{ privateKey: "0x1234" }, "privateKey"],
                [{ validitySeconds: 0 }, "validitySeconds"],
                [{ validitySeconds: 1.5 }, "validitySeconds"],
                [{ validitySeconds: 400 * 86_400 }, "validitySeconds"],
                [{ now: 5 as never }, "now"],
                [{ store: undefined as never }, "store"],
                [{ officers: { chainId: 1 } as never }, "officers"],
                [{ historyVerificationKey: "vkey.json" as never }, "historyVerificationKey"],
                [{ chain: { scopes: "all" } as never }, "chain"],
                [{ adminToken: "short" }, "adminToken"],
                [{ recordedDefaults: [] as never }, "recordedDefaults"],
                [{ logger: "console" as never }, "logger"],
                [{ corsOrigins: ["localhost:5173"] }, "corsOrigins"],
                [{ maxBodyBytes: 10 }, "maxBodyBytes"]
            ]
            for (const [override, parameter] of cases) {
                expect(() => createBureauService({ ...base, ...override }), parameter).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter }))
            }
        })

        it("listen() refuses a bad port", async () => {
            const { service } = await startService()
            await service.close()
            await expect(service.listen(70_000)).rejects.toThrowError(expect.objectContaining({ parameter: "port" }))
        })
    })
})
