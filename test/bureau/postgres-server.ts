/**
 * A throwaway PostgreSQL server for the tests: a new cluster in a temp folder (Debian's
 * PostgreSQL 15 binaries), listening on a loopback port only, trust auth for one user, no fsync.
 * As root it runs as the `postgres` user (or `nobody`), since PostgreSQL refuses to run as root.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Where Debian puts the server binaries: ZKCREDIT_POSTGRES_BIN, else the newest /usr/lib/postgresql/<version>/bin (15 here). */
export const POSTGRES_BIN = process.env.ZKCREDIT_POSTGRES_BIN ?? newestDebianBin() ?? "/usr/lib/postgresql/15/bin"

function newestDebianBin(): string | undefined {
    const base = "/usr/lib/postgresql"
    if (!existsSync(base)) return undefined
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))
    return versions[0] === undefined ? undefined : join(base, versions[0], "bin")
}

/** The binaries the server variant needs. */
export const POSTGRES_TOOLS = ["initdb", "pg_ctl", "postgres"] as const

/** Whether the binaries are here; when not, the message names what is missing. */
export function postgresAvailable(): { ok: true } | { ok: false; message: string } {
    const missing = POSTGRES_TOOLS.filter((tool) => !existsSync(join(POSTGRES_BIN, tool)))
    if (missing.length === 0) return { ok: true }
    return { ok: false, message: `PostgreSQL server binaries not found: ${missing.map((t) => join(POSTGRES_BIN, t)).join(", ")} (apt-get install -y postgresql, or set ZKCREDIT_POSTGRES_BIN)` }
}

/** A running test server. */
export interface PostgresServer {
    /** `postgres://bureau@127.0.0.1:PORT/postgres`. */
    url: string
    /** Stops the server and deletes its folder. */
    stop(): void
}

/**
 * Starts a fresh cluster.
 * @param port A loopback port from the suite's range.
 */
export function startPostgres(port: number): PostgresServer {
    const dir = mkdtempSync(join(tmpdir(), "zkcredit-pg-"))
    const data = join(dir, "data")
    const asRoot = process.getuid?.() === 0
    const user = asRoot ? (spawnSync("id", ["-u", "postgres"]).status === 0 ? "postgres" : "nobody") : undefined
    if (user !== undefined) {
        const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim())
        const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim())
        chownSync(dir, uid, gid)
    }
    const run = (tool: string, args: string[]) => {
        const [command, argv] = user === undefined ? [join(POSTGRES_BIN, tool), args] : ["runuser", ["-u", user, "--", join(POSTGRES_BIN, tool), ...args]]
        const result = spawnSync(command, argv, { encoding: "utf8", cwd: dir })
        if (result.status !== 0) throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`)
    }
    run("initdb", ["-D", data, "-U", "bureau", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"])
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
    run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"])
    return {
        url: `postgres://bureau@127.0.0.1:${port}/postgres`,
        stop() {
            try {
                run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
            } finally {
                rmSync(dir, { recursive: true, force: true })
            }
        }
    }
}
