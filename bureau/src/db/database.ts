/**
 * One thin adapter over the two PostgreSQL engines the bureau runs on:
 * - embedded (default): PGlite, PostgreSQL compiled to WASM, in a data folder on disk, so
 *   `npm start` needs no server and its data survives a restart;
 * - a PostgreSQL server, by configuration (`postgres://…` URL), through `pg`'s pool.
 *
 * Both speak the same SQL and take `query(text, params)` with `$1` placeholders, so one set of
 * migrations and one store serve both. Chosen over SQLite + a query builder: SQLite would need
 * every query written twice (or a dialect layer), while PGlite runs the very SQL the server runs.
 */
import { mkdir } from "node:fs/promises"
import { PGlite } from "@electric-sql/pglite"
import pg from "pg"

/** Anything that runs SQL: the database, or one transaction of it. */
export interface Queryable {
    /**
     * Runs one statement.
     * @param text SQL with `$1`, `$2`… placeholders.
     * @param params Values of the placeholders (never interpolated into the text).
     */
    query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>
}

/** A bureau database connection (a PGlite instance or a pool of server connections). */
export interface Database extends Queryable {
    /** `embedded` (PGlite in a folder or in memory) or `server` (a PostgreSQL server). */
    readonly engine: "embedded" | "server"
    /**
     * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
     * @param work Gets a handle whose queries run inside the transaction.
     */
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
    /** Closes the connection (PGlite flushes its folder). */
    close(): Promise<void>
}

/** Where the bureau keeps its data. */
export interface DatabaseLocation {
    /** A PostgreSQL server, `postgres://user:password@host:port/database`. Wins over `dataDir`. */
    url?: string
    /** The embedded database's folder; in memory when neither is given (tests). */
    dataDir?: string
}

/**
 * Opens the bureau's database.
 * @param location A server URL, an embedded data folder, or neither (in memory).
 */
export async function openDatabase(location: DatabaseLocation = {}): Promise<Database> {
    if (location.url !== undefined) return openServer(location.url)
    if (location.dataDir !== undefined) await mkdir(location.dataDir, { recursive: true })
    const db = location.dataDir === undefined ? new PGlite() : new PGlite(location.dataDir)
    await db.waitReady
    return {
        engine: "embedded",
        query: async <Row>(text: string, params: readonly unknown[] = []) => ({ rows: (await db.query<Row>(text, [...params])).rows }),
        transaction: (work) => db.transaction((tx) => work({ query: async <Row>(text: string, params: readonly unknown[] = []) => ({ rows: (await tx.query<Row>(text, [...params])).rows }) })),
        close: () => db.close()
    }
}

async function openServer(url: string): Promise<Database> {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error("the database URL must start with postgres:// or postgresql://")
    const pool = new pg.Pool({ connectionString: url, max: 10 })
    // an idle client's error (the server restarted) must not crash the bureau; the next query reconnects
    pool.on("error", () => {})
    // fail at start, not at the first request, when the server is unreachable
    const client = await pool.connect()
    client.release()
    return {
        engine: "server",
        query: async <Row>(text: string, params: readonly unknown[] = []) => ({ rows: (await pool.query(text, [...params])).rows as Row[] }),
        async transaction(work) {
            const client = await pool.connect()
            try {
                await client.query("BEGIN")
                const result = await work({ query: async <Row>(text: string, params: readonly unknown[] = []) => ({ rows: (await client.query(text, [...params])).rows as Row[] }) })
                await client.query("COMMIT")
                return result
            } catch (error) {
                await client.query("ROLLBACK").catch(() => {})
                throw error
            } finally {
                client.release()
            }
        },
        close: () => pool.end()
    }
}
