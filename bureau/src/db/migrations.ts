/**
 * The bureau's schema, as numbered migrations. Each runs once, in order, inside a transaction,
 * and is recorded in `schema_migrations`; a database is never changed by editing a migration
 * that already ran: add the next one.
 */
import type { Database } from "./database.ts"

/** One schema step. */
export interface Migration {
    /** 1, 2, 3… in order, never reused. */
    readonly version: number
    readonly name: string
    readonly sql: string
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
    {
        version: 1,
        name: "providers, records, disputes, challenges, attestations, lenders, requests",
        sql: `
CREATE TABLE providers (
    id text PRIMARY KEY,
    name text NOT NULL,
    category text NOT NULL,
    public_key text NOT NULL,
    registered_at bigint NOT NULL,
    revoked_at bigint
);
CREATE TABLE records (
    id text PRIMARY KEY,
    provider_id text NOT NULL REFERENCES providers (id),
    person_ref text NOT NULL,
    kind text NOT NULL,
    period text NOT NULL,
    payload jsonb NOT NULL,
    signed_at bigint NOT NULL,
    signature text NOT NULL,
    supersedes text REFERENCES records (id),
    superseded_by text REFERENCES records (id),
    received_at bigint NOT NULL
);
CREATE INDEX records_by_person ON records (person_ref);
CREATE TABLE disputes (
    id text PRIMARY KEY,
    record_id text NOT NULL REFERENCES records (id),
    person_ref text NOT NULL,
    reason text NOT NULL,
    opened_at bigint NOT NULL,
    resolved_at bigint,
    correction_id text REFERENCES records (id)
);
CREATE INDEX disputes_by_person ON disputes (person_ref);
CREATE TABLE challenges (
    challenge text PRIMARY KEY,
    issued_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
);
CREATE TABLE attestations (
    id bigserial PRIMARY KEY,
    person_ref text NOT NULL,
    commitment text NOT NULL,
    score integer NOT NULL,
    scorecard_version text NOT NULL,
    pseudonyms integer NOT NULL,
    issued_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX attestations_by_person ON attestations (person_ref);
CREATE TABLE lenders (
    address text PRIMARY KEY,
    name text NOT NULL,
    added_at bigint NOT NULL
);
CREATE TABLE requests (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    status integer NOT NULL,
    duration_ms integer NOT NULL
);`
    }
]

/**
 * Brings a database up to the newest schema.
 * @returns The versions applied now (empty when it was up to date).
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
    await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
    const { rows } = await db.query<{ version: number }>("SELECT version FROM schema_migrations")
    const done = new Set(rows.map((row) => Number(row.version)))
    const newest = Math.max(0, ...done)
    const known = Math.max(0, ...migrations.map((m) => m.version))
    if (newest > known) throw new Error(`the database has schema version ${newest}, newer than this bureau's ${known}: upgrade the bureau`)
    const applied: number[] = []
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue
        await db.transaction(async (tx) => {
            // a multi-statement text runs as one simple query on both engines when it has no parameters
            for (const statement of migration.sql.split(";").map((s) => s.trim()).filter(Boolean)) await tx.query(statement)
            await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name])
        })
        applied.push(migration.version)
    }
    return applied
}
