/**
 * The bureau's store, the same suite on the embedded database (PGlite) and on a real PostgreSQL
 * server that the test starts in a temp folder (Debian's PostgreSQL 15). Without the server
 * binaries the server variant is skipped with a message naming them; under CI=true it fails.
 *
 * Ports: 9100 (+ ZKCREDIT_TEST_PORT_OFFSET).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { openDatabase, type Database } from "../../bureau/src/db/database.ts"
import { migrate, MIGRATIONS } from "../../bureau/src/db/migrations.ts"
import { BureauStore } from "../../bureau/src/db/store.ts"
import { recordId } from "../../bureau/src/records.ts"
import { testPort } from "../helpers/ports.ts"
import { goodPersonRecords, ref, REGISTRATIONS, signed, monthsBefore } from "./provider-fixtures.ts"
import { postgresAvailable, startPostgres, type PostgresServer } from "./postgres-server.ts"

const available = postgresAvailable()
if (!available.ok) {
    if (process.env.CI === "true") throw new Error(`${available.message}; CI needs them for the bureau's PostgreSQL tests`)
    console.warn(`skipping the bureau store suite on a PostgreSQL server: ${available.message}`)
}

let server: PostgresServer | undefined
const folders: string[] = []
afterAll(() => {
    server?.stop()
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

const engines: { name: string; enabled: boolean; open: () => Promise<Database> }[] = [
    {
        name: "embedded (PGlite, data folder)",
        enabled: true,
        open: async () => {
            const dir = mkdtempSync(join(tmpdir(), "zkcredit-pglite-"))
            folders.push(dir)
            return openDatabase({ dataDir: dir })
        }
    },
    {
        name: "PostgreSQL 15 server",
        enabled: available.ok,
        open: async () => {
            server ??= startPostgres(testPort(9100))
            return openDatabase({ url: server.url })
        }
    }
]

for (const engine of engines) {
    describe.skipIf(!engine.enabled)(`bureau store on ${engine.name}`, () => {
        let db: Database
        let store: BureauStore
        beforeAll(async () => {
            db = await engine.open()
            store = await BureauStore.open(db)
        }, 120_000)
        afterAll(async () => {
            await store?.close()
        })

        it("applies every migration once, recorded in schema_migrations", async () => {
            const { rows } = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")
            expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version))
            expect(await migrate(db)).toEqual([])
        })

        it("refuses a database newer than the code", async () => {
            await expect(migrate(db, MIGRATIONS.slice(0, 0))).rejects.toThrow(/newer than this bureau/)
        })

        it("a failing migration changes nothing (it runs in a transaction)", async () => {
            const broken = [...MIGRATIONS, { version: 999, name: "broken", sql: "CREATE TABLE half_done (x int); SELECT * FROM no_such_table" }]
            await expect(migrate(db, broken)).rejects.toThrow()
            const { rows } = await db.query("SELECT to_regclass('half_done') AS t")
            expect((rows[0] as { t: unknown }).t).toBeNull()
            expect((await db.query("SELECT version FROM schema_migrations WHERE version = 999")).rows).toEqual([])
        })

        it("keeps providers, refuses a taken id, revokes once", async () => {
            for (const p of REGISTRATIONS) expect(await store.addProvider({ ...p, registeredAt: 1 })).toBe(true)
            expect(await store.addProvider({ ...REGISTRATIONS[0]!, registeredAt: 2 })).toBe(false)
            expect((await store.providers()).map((p) => p.id)).toEqual(REGISTRATIONS.map((p) => p.id).sort())
            expect(await store.revokeProvider("gz-power", 5)).toBe(true)
            expect(await store.revokeProvider("gz-power", 6)).toBe(false)
            expect((await store.provider("gz-power"))?.revokedAt).toBe(5)
            expect(await store.provider("nobody")).toBeUndefined()
        })

        it("stores records by person reference, idempotently, with their payloads intact", async () => {
            const person = ref("110105199003071234")
            const records = goodPersonRecords(person).map((record) => ({ id: recordId(record), record }))
            const first = await store.insertRecords(records, 100)
            expect(first.stored).toHaveLength(records.length)
            const again = await store.insertRecords(records, 101)
            expect(again).toEqual({ stored: [], duplicates: records.map((r) => r.id) })
            const held = await store.recordsFor(person)
            expect(held).toHaveLength(records.length)
            for (const r of held) {
                const original = records.find((x) => x.id === r.id)!.record
                expect(r.record).toEqual(original)
                // the stored record still hashes to its id: nothing was reordered or rounded
                expect(recordId(r.record)).toBe(r.id)
            }
            expect(await store.recordsFor(ref("110105199003079999"))).toEqual([])
        })

        it("a correction supersedes its record and resolves the disputes on it", async () => {
            const person = ref("440101198807150011")
            const wrong = signed("pearl-bank", person, "default", monthsBefore(5), { account: "loan-2", amountYuan: 9_000 })
            await store.insertRecords([{ id: recordId(wrong), record: wrong }], 200)
            await store.openDispute({ id: "d1", recordId: recordId(wrong), personRef: person, reason: "never had this loan", openedAt: 201 })
            expect((await store.openDisputesOf("pearl-bank")).map((d) => d.id)).toContain("d1")
            const fixed = signed("pearl-bank", person, "default", monthsBefore(5), { account: "loan-2", amountYuan: 0 }, { supersedes: recordId(wrong) })
            await store.insertRecords([{ id: recordId(fixed), record: fixed }], 300)
            expect((await store.recordsFor(person, { current: true })).map((r) => r.id)).toEqual([recordId(fixed)])
            expect((await store.record(recordId(wrong)))?.supersededBy).toBe(recordId(fixed))
            expect(await store.disputesFor(person)).toEqual([{ id: "d1", recordId: recordId(wrong), reason: "never had this loan", openedAt: 201, resolvedAt: 300, correctionId: recordId(fixed) }])
        })

        it("a batch with one bad record stores none of it", async () => {
            const person = ref("440101198807150022")
            const good = signed("gd-tax", person, "income", monthsBefore(1), { netIncomeYuan: 1 })
            const orphan = signed("gd-tax", person, "income", monthsBefore(2), { netIncomeYuan: 2 })
            // a provider id not in the registry breaks the foreign key: the transaction rolls back
            await expect(store.insertRecords([{ id: recordId(good), record: good }, { id: "x".repeat(64), record: { ...orphan, provider: "unregistered" } }], 1)).rejects.toThrow()
            expect(await store.recordsFor(person)).toEqual([])
        })

        it("uses a challenge once, never after expiry", async () => {
            await store.addChallenge("123", 10, 20)
            await store.addChallenge("456", 10, 20)
            const results = await Promise.all([store.consumeChallenge("123", 15), store.consumeChallenge("123", 15)])
            expect(results.sort()).toEqual([false, true])
            expect(await store.consumeChallenge("456", 20)).toBe(false)
            expect(await store.consumeChallenge("789", 15)).toBe(false)
            await store.pruneChallenges(21)
            expect((await db.query("SELECT * FROM challenges WHERE challenge IN ('123', '456')")).rows).toEqual([])
        })

        it("logs attestations, lenders and requests", async () => {
            const entry = { personRef: ref("110105199003071234"), commitment: "42", score: 777, scorecardVersion: "v", pseudonyms: 2, issuedAt: 5, expiresAt: 9 }
            await store.logAttestation(entry)
            expect(await store.attestationsFor(entry.personRef)).toEqual([entry])
            expect(await store.addLender({ address: "0xAbCdEf0000000000000000000000000000000001", name: "L", addedAt: 1 })).toBe(true)
            expect(await store.addLender({ address: "0xabcdef0000000000000000000000000000000001", name: "L", addedAt: 2 })).toBe(false)
            expect(await store.lenderAddresses()).toEqual(new Set(["0xabcdef0000000000000000000000000000000001"]))
            const before = await store.requestCount()
            await store.logRequest({ at: 1, method: "GET", path: "/v1/health", status: 200, durationMs: 1 })
            expect(await store.requestCount()).toBe(before + 1)
        })
    })
}

describe("embedded database in a data folder", () => {
    it("keeps its data across a close and reopen (a restart of the bureau)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "zkcredit-pglite-"))
        folders.push(dir)
        const first = await BureauStore.open(await openDatabase({ dataDir: dir }))
        await first.addProvider({ ...REGISTRATIONS[0]!, registeredAt: 1 })
        await first.close()
        const second = await BureauStore.open(await openDatabase({ dataDir: dir }))
        expect((await second.providers()).map((p) => p.id)).toEqual([REGISTRATIONS[0]!.id])
        await second.close()
    }, 60_000)
})
