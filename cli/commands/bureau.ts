/**
 * `zkcredit bureau`: the credit bureau's commands. Keys live in key files (JSON, mode 0600,
 * `{ privateKey, publicKey, keyHash }`); the admin registers a key's public part on chain.
 */
import type { Command } from "commander"
import { parseApplicant } from "../../bureau/src/applicant.ts"
import { unprovableTime } from "../../bureau/src/bureau.ts"
import { toKeyFile, type BureauKeyFile } from "../../bureau/src/key-file.ts"
import { REASON_DESCRIPTIONS, scoreApplicant, type ScoreBreakdown } from "../../bureau/src/scorecard.ts"
import { DATABASE_URL_ENV, startDeployedBureau } from "../../bureau/src/server.ts"
import { MAX_VALIDITY_SECONDS } from "../../bureau/src/service.ts"
import { createBureauKey, signAttestation, type BureauKey } from "../../prover/src/attestation.ts"
import { action } from "../lib/command.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { readJson, writeTextFile } from "../lib/files.ts"
import { parseCommitment, parseInteger } from "../lib/parse.ts"
import { isoTime } from "../lib/table.ts"

const DAY = 86_400

/** Registers the bureau's subcommands. */
export function registerBureau(bureau: Command): void {
    const key = bureau.command("key").description("bureau signing keys (Baby Jubjub; attestations are Schnorr-signed with a Poseidon challenge)")
    key.command("create")
        .description("create a new random key in a key file (mode 0600); prints its public key and keyHash for the admin")
        .requiredOption("--out <file>", "the key file to write")
        .option("--force", "replace an existing file (the old key is lost)")
        .action(
            action<{ out: string; force?: boolean }>(async (ctx, options) => {
                const created = createBureauKey()
                const file = toKeyFile(created)
                await writeTextFile(options.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, overwrite: options.force ?? false })
                ctx.out.result({ keyFile: options.out, publicKey: file.publicKey, keyHash: file.keyHash }, [
                    `created ${options.out} (keep it secret)`,
                    `public key ${file.publicKey![0]}, ${file.publicKey![1]}`,
                    `keyHash ${file.keyHash}`,
                    `register it: zkcredit admin bureau-key add --bureau <id> --key ${options.out}`
                ])
            })
        )
    key.command("show")
        .description("print a key file's public key and keyHash (never the private key)")
        .requiredOption("--key <file>", "the key file")
        .action(
            action<{ key: string }>(async (ctx, options) => {
                const file = toKeyFile(await loadKeyFile(options.key))
                ctx.out.result({ publicKey: file.publicKey, keyHash: file.keyHash }, [`public key ${file.publicKey![0]}, ${file.publicKey![1]}`, `keyHash ${file.keyHash}`])
            })
        )

    bureau
        .command("score")
        .description("score an applicant from a JSON file with the scorecard (300-850), with the reasons")
        .argument("<applicant>", "applicant JSON file (a person or an SME; see bureau/README.md)")
        .action(
            action(async (ctx, _options, [file]) => {
                const applicant = parseApplicant(await readJson(file!, "applicant file"))
                const { score, breakdown } = scoreApplicant(applicant)
                ctx.out.result({ score, breakdown }, [`score ${score}`, ...breakdownLines(breakdown)])
            })
        )

    bureau
        .command("sign")
        .description("score an applicant and sign an attestation of that score for an identity commitment")
        .requiredOption("--key <file>", "the bureau's key file")
        .requiredOption("--commitment <c>", "the applicant's identity commitment")
        .requiredOption("--applicant <file>", "applicant JSON file")
        .requiredOption("--out <file>", "where to write the attestation (give it to the applicant only)")
        .option("--valid-days <n>", "days the attestation is valid", "30")
        .option("--force", "replace an existing file")
        .action(
            action<{ key: string; commitment: string; applicant: string; out: string; validDays: string; force?: boolean }>(async (ctx, options) => {
                const commitment = parseCommitment(options.commitment, "--commitment")
                const validity = parseInteger(options.validDays, "--valid-days", { min: 1, max: MAX_VALIDITY_SECONDS / DAY }) * DAY
                const signingKey = await loadKeyFile(options.key)
                const applicant = parseApplicant(await readJson(options.applicant, "applicant file"))
                const { score } = scoreApplicant(applicant)
                const issuedAt = Math.floor(Date.now() / 1000)
                const unprovable = unprovableTime({ issuedAt, expiresAt: issuedAt + validity })
                if (unprovable) throw failed("TIME_NOT_PROVABLE", unprovable.message, { field: unprovable.field })
                const attestation = signAttestation({ commitment, score, issuedAt, expiresAt: issuedAt + validity }, signingKey.privateKey)
                await writeTextFile(options.out, `${JSON.stringify(attestation, null, 2)}\n`, { mode: 0o600, overwrite: options.force ?? false })
                // the score is the applicant's business: it goes into the file, not onto the screen
                ctx.out.result(
                    { attestationFile: options.out, keyHash: signingKey.keyHash.toString(), issuedAt, expiresAt: issuedAt + validity },
                    `signed an attestation valid until ${isoTime(issuedAt + validity)}; written to ${options.out}`
                )
            })
        )

    bureau
        .command("serve")
        .description("run the bureau's HTTP service (challenges, attestations, reports, disputes, providers' records)")
        .requiredOption("--key <file>", "the bureau's key file")
        .option("--port <port>", "TCP port", "8787")
        .option("--host <host>", "interface to listen on", "127.0.0.1")
        .option("--valid-days <n>", "days an attestation is valid", "30")
        .option("--cors-origin <origin...>", "browser origins allowed to call the service (default: any)")
        .option("--data-dir <dir>", "the embedded database's folder", ".zkcredit/bureau-db")
        .option("--database-url <url>", `a PostgreSQL server instead (env ${DATABASE_URL_ENV})`)
        .option("--admin-token-file <file>", "the operator's admin token for provider and lender administration (made if missing)", ".zkcredit/bureau-admin-token")
        .option("--market <address...>", "other LoanMarkets whose repayment history the bureau also reads (the deployment's always)")
        .addHelpText(
            "after",
            "\nThe service logs method, path, status and duration only, never a request body. It reads the\ndeployment's TrustRegistry (whose KYC officers sign bindings, and whose default records it scores) and LoanMarket (proven pseudonyms' loans).\nStops cleanly on Ctrl-C or SIGTERM."
        )
        .action(action<{ key: string; port: string; host: string; validDays: string; corsOrigin?: string[]; dataDir: string; databaseUrl?: string; adminTokenFile: string; market?: string[] }>(async (ctx, options) => serve(ctx, options)))
}

/** Loads a bureau key file (the private key must be there). */
async function loadKeyFile(path: string): Promise<BureauKey> {
    const data = (await readJson(path, "bureau key file")) as BureauKeyFile
    if (typeof data !== "object" || data === null || Array.isArray(data) || typeof data.privateKey !== "string") {
        throw badInput("INVALID_KEY_FILE", `${path} is not a bureau key file: expected { "privateKey": "0x..." } (create one with \`zkcredit bureau key create\`)`, { file: path })
    }
    let key: BureauKey
    try {
        key = createBureauKey(data.privateKey)
    } catch {
        throw badInput("INVALID_KEY_FILE", `${path}: privateKey must be 0x followed by 64 hex digits`, { file: path })
    }
    if (data.keyHash !== undefined && data.keyHash !== key.keyHash.toString()) throw badInput("INVALID_KEY_FILE", `${path}: keyHash does not match privateKey`, { file: path })
    // as the bureau service checks it (bureau/src/key-file.ts): a mixed-up file would show one key and sign with another
    if (data.publicKey !== undefined && JSON.stringify(data.publicKey) !== JSON.stringify(key.publicKey.map(String))) throw badInput("INVALID_KEY_FILE", `${path}: publicKey does not match privateKey`, { file: path })
    return key
}

function breakdownLines(breakdown: ScoreBreakdown): string[] {
    const lines = [`  ${"base".padEnd(28)} ${String(breakdown.basePoints).padStart(4)}`]
    for (const f of breakdown.factors) lines.push(`  ${f.factor.padEnd(28)} ${String(f.points).padStart(4)} / ${f.maxPoints}`)
    if (breakdown.reasons.length) lines.push("what would raise the score most:", ...breakdown.reasons.map((r) => `  ${r}: ${REASON_DESCRIPTIONS[r]}`))
    return lines
}

async function serve(ctx: CliContext, options: { key: string; port: string; host: string; validDays: string; corsOrigin?: string[]; dataDir: string; databaseUrl?: string; adminTokenFile: string; market?: string[] }): Promise<void> {
    const port = parseInteger(options.port, "--port", { min: 0, max: 65_535 })
    const validitySeconds = parseInteger(options.validDays, "--valid-days", { min: 1, max: MAX_VALIDITY_SECONDS / DAY }) * DAY
    const key = await loadKeyFile(options.key)
    const databaseUrl = options.databaseUrl ?? process.env[DATABASE_URL_ENV]
    const extraMarkets = (options.market ?? []).map((address) => {
        if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw badInput("INVALID_ADDRESS", `--market must be a LoanMarket address (0x + 40 hex digits), got ${JSON.stringify(address.slice(0, 60))}`)
        return address
    })
    const { service, store } = await startDeployedBureau({
        extraMarkets,
        provider: await ctx.provider(),
        deployment: await ctx.deployment(),
        ...(databaseUrl ? { databaseUrl } : {}),
        dataDir: options.dataDir,
        adminTokenFile: options.adminTokenFile,
        privateKey: key.privateKey,
        validitySeconds,
        corsOrigins: options.corsOrigin ?? "*",
        // the access log: method, path, status, duration; stderr in --json mode so stdout keeps one document
        logger: (entry) => {
            const line = [new Date().toISOString(), entry.method, entry.path, entry.status ?? "", entry.durationMs !== undefined ? `${entry.durationMs}ms` : "", entry.event === "request" ? "" : `${entry.event} ${entry.detail ?? ""}`].join(" ").trim()
            if (ctx.out.json || entry.level !== "info") process.stderr.write(`${line}\n`)
            else process.stdout.write(`${line}\n`)
        }
    })
    const url = await service.listen(port, options.host)
    const database = databaseUrl ? "PostgreSQL server" : options.dataDir
    if (ctx.out.json) process.stdout.write(`${JSON.stringify({ url, keyHash: key.keyHash.toString(), database, adminTokenFile: options.adminTokenFile })}\n`)
    else process.stdout.write(`zkcredit bureau listening on ${url} (key hash ${key.keyHash}; database ${database}; admin token in ${options.adminTokenFile})\n`)
    await new Promise<void>((resolve) => {
        const stop = () => {
            process.stderr.write("stopping the bureau...\n")
            void service.close().then(() => store.close()).then(resolve)
        }
        process.once("SIGINT", stop)
        process.once("SIGTERM", stop)
    })
}
