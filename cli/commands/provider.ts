/**
 * `zkcredit provider`: a data provider's commands (a bank, the tax office, a utility, an
 * e-commerce platform). Its ed25519 key lives in a key file (JWK, mode 0600); the bureau's
 * operator registers the public half. Records are signed here and sent to the bureau; the
 * bureau refuses any record whose signature is not a registered, unrevoked provider's.
 */
import type { Command } from "commander"
import { normaliseId, personReference } from "../../bureau/src/person-ref.ts"
import { createProviderKey, parseProviderKeyFile, providerPublicKey, signRecord, type ProviderKeyFile } from "../../bureau/src/provider-key.ts"
import { parseSignedRecord, PROVIDER_CATEGORIES, RECORD_KINDS, recordId, requireProviderId, type ProviderRecord, type RecordKind } from "../../bureau/src/records.ts"
import { isBureauInputError } from "../../bureau/src/errors.ts"
import { bureauBase, bureauPost, readAdminToken } from "../lib/bureau-client.ts"
import { action } from "../lib/command.ts"
import { badInput } from "../lib/exit-codes.ts"
import { readJson, readText, writeTextFile } from "../lib/files.ts"

/** Columns a records CSV may have: the record's own, then each kind's data fields. */
const CSV_NUMBER_FIELDS = ["monthlyPaymentYuan", "limitYuan", "balanceYuan", "netIncomeYuan", "revenueYuan", "expensesYuan", "amountYuan"]
const DATA_FIELDS: Record<RecordKind, string[]> = {
    "repayment-history": ["account", "openedPeriod", "monthlyPaymentYuan", "limitYuan", "balanceYuan", "months"],
    income: ["netIncomeYuan"],
    "sme-cash-flow": ["revenueYuan", "expensesYuan"],
    "business-registration": ["registration"],
    default: ["account", "amountYuan"]
}

/** Registers the provider's subcommands. */
export function registerProvider(provider: Command): void {
    provider
        .command("keygen")
        .description("create the provider's ed25519 signing key in a key file (mode 0600); prints the public key for the bureau")
        .requiredOption("--id <id>", "the provider's id at the bureau (lower-case letters, digits, dashes)")
        .requiredOption("--out <file>", "the key file to write")
        .option("--force", "replace an existing file (the old key is lost)")
        .action(
            action<{ id: string; out: string; force?: boolean }>(async (ctx, options) => {
                const id = checkId(options.id)
                const key = createProviderKey(id)
                await writeTextFile(options.out, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, overwrite: options.force ?? false })
                ctx.out.result({ keyFile: options.out, provider: id, publicKey: providerPublicKey(key) }, [`created ${options.out} (keep it secret)`, `public key ${providerPublicKey(key)}`])
            })
        )

    provider
        .command("person-ref")
        .description("compute the person reference of a national ID or business credit code (shared with the KYC officer)")
        .requiredOption("--national-id <id>", "the person's national ID or the business's unified social credit code")
        .option("--kind <kind>", "person or sme", "person")
        .requiredOption("--salt-file <file>", "the reference salt shared by the officers and the providers (0x + 64 hex)")
        .action(
            action<{ nationalId: string; kind: string; saltFile: string }>(async (ctx, options) => {
                const personRef = await computeRef(options.nationalId, options.kind, options.saltFile)
                ctx.out.result({ personRef }, personRef)
            })
        )

    provider
        .command("register")
        .description("register this provider's public key with the bureau (needs the bureau operator's admin token)")
        .requiredOption("--key <file>", "the provider key file")
        .requiredOption("--name <name>", "the provider's name, as applicants will see it")
        .requiredOption("--category <category>", `one of ${PROVIDER_CATEGORIES.join(", ")}`)
        .requiredOption("--admin-token-file <file>", "the bureau operator's admin token")
        .option("--bureau <url>", "the bureau service")
        .action(
            action<{ key: string; name: string; category: string; adminTokenFile: string; bureau?: string }>(async (ctx, options) => {
                const key = await loadKey(options.key)
                if (!(PROVIDER_CATEGORIES as readonly string[]).includes(options.category)) throw badInput("INVALID_CATEGORY", `--category must be one of ${PROVIDER_CATEGORIES.join(", ")}`)
                const base = bureauBase(options.bureau)
                const token = await readAdminToken(options.adminTokenFile)
                await bureauPost(base, "/v1/admin/providers", { id: key.provider, name: options.name, category: options.category, publicKey: providerPublicKey(key) }, { authorization: `Bearer ${token}` })
                ctx.out.result({ provider: key.provider, bureau: base }, `registered provider ${key.provider} with ${base}`)
            })
        )

    provider
        .command("revoke")
        .description("revoke a provider at the bureau: its key signs no more records there (admin token)")
        .requiredOption("--id <id>", "the provider's id")
        .requiredOption("--admin-token-file <file>", "the bureau operator's admin token")
        .option("--bureau <url>", "the bureau service")
        .action(
            action<{ id: string; adminTokenFile: string; bureau?: string }>(async (ctx, options) => {
                const base = bureauBase(options.bureau)
                const answer = await bureauPost<{ revokedAt: number }>(base, "/v1/admin/providers/revoke", { id: checkId(options.id) }, { authorization: `Bearer ${await readAdminToken(options.adminTokenFile)}` })
                ctx.out.result({ provider: options.id, revokedAt: answer.revokedAt }, `revoked provider ${options.id}`)
            })
        )

    provider
        .command("submit")
        .description("sign records (JSON array or CSV) with the provider's key and send them to the bureau, all or none")
        .requiredOption("--key <file>", "the provider key file")
        .requiredOption("--records <file>", "records: .json (an array of { personRef, kind, period, data, supersedes? }) or .csv (see --help)")
        .option("--bureau <url>", "the bureau service")
        .option("--signed-at <unix>", "the signing time (default now)")
        .addHelpText(
            "after",
            `\nCSV: a header row, then one record a row. Columns: personRef, kind, period (YYYY-MM), supersedes (optional)\nand the kind's fields: ${Object.entries(DATA_FIELDS)
                .map(([k, f]) => `${k}: ${f.join(", ")}`)
                .join("; ")}.\nmonths is "on-time"/"late" separated by ";", oldest first; an empty limitYuan is a non-revolving account.\nKinds: ${RECORD_KINDS.join(", ")}.`
        )
        .action(
            action<{ key: string; records: string; bureau?: string; signedAt?: string }>(async (ctx, options) => {
                const key = await loadKey(options.key)
                const base = bureauBase(options.bureau)
                const signedAt = options.signedAt === undefined ? Math.floor(Date.now() / 1000) : Number(options.signedAt)
                if (!Number.isSafeInteger(signedAt) || signedAt < 0) throw badInput("INVALID_TIME", "--signed-at must be unix seconds")
                const unsigned = options.records.toLowerCase().endsWith(".csv") ? parseCsv(await readText(options.records, "records file"), options.records) : await readJsonRecords(options.records)
                const signed = unsigned.map((r, i) => {
                    const record = signRecord({ ...r, provider: key.provider, signedAt } as ProviderRecord, key)
                    // checked here first, so a bad row is named by its line, not by the bureau
                    try {
                        parseSignedRecord(record, `records[${i}]`)
                    } catch (error) {
                        if (isBureauInputError(error)) throw badInput(error.code, `${options.records}: ${error.field}: ${error.message}`, { field: error.field })
                        throw error
                    }
                    return record
                })
                const answer = await bureauPost<{ stored: string[]; duplicates: string[] }>(base, "/v1/records", { records: signed })
                ctx.out.result({ stored: answer.stored, duplicates: answer.duplicates, ids: signed.map((r) => recordId(r)) }, `sent ${signed.length} records: ${answer.stored.length} stored, ${answer.duplicates.length} already held`)
            })
        )
}

function checkId(id: string): string {
    try {
        return requireProviderId(id, "--id")
    } catch (error) {
        throw badInput("INVALID_ID", (error as Error).message)
    }
}

async function loadKey(path: string): Promise<ProviderKeyFile> {
    try {
        return parseProviderKeyFile(await readJson(path, "provider key file"))
    } catch (error) {
        if ((error as { exitCode?: unknown }).exitCode !== undefined) throw error
        throw badInput("INVALID_KEY_FILE", `${path}: ${(error as Error).message} (create one with \`zkcredit provider keygen\`)`, { file: path })
    }
}

/** Reads the salt file and computes a person reference, with CLI errors. */
export async function computeRef(nationalId: string, kind: string, saltFile: string): Promise<string> {
    if (kind !== "person" && kind !== "sme") throw badInput("INVALID_KIND", '--kind must be "person" or "sme"')
    const salt = (await readText(saltFile, "salt file")).trim()
    try {
        return personReference(normaliseId(nationalId), kind, salt)
    } catch (error) {
        throw badInput("INVALID_ARGUMENT", (error as Error).message)
    }
}

async function readJsonRecords(path: string): Promise<Omit<ProviderRecord, "provider" | "signedAt">[]> {
    const value = await readJson(path, "records file")
    if (!Array.isArray(value) || value.length === 0) throw badInput("INVALID_RECORDS", `${path} must hold a non-empty JSON array of records`)
    return value as Omit<ProviderRecord, "provider" | "signedAt">[]
}

function parseCsv(text: string, path: string): Omit<ProviderRecord, "provider" | "signedAt">[] {
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "")
    if (lines.length < 2) throw badInput("INVALID_RECORDS", `${path} must have a header row and at least one record`)
    const header = lines[0]!.split(",").map((c) => c.trim())
    for (const name of ["personRef", "kind", "period"]) if (!header.includes(name)) throw badInput("INVALID_RECORDS", `${path}: the header lacks the ${name} column`)
    return lines.slice(1).map((line, i) => {
        const cells = line.split(",").map((c) => c.trim())
        if (cells.length !== header.length) throw badInput("INVALID_RECORDS", `${path} line ${i + 2}: ${cells.length} cells, the header has ${header.length}`)
        const row = Object.fromEntries(header.map((name, j) => [name, cells[j]!]))
        const kind = row.kind as RecordKind
        if (!DATA_FIELDS[kind]) throw badInput("INVALID_RECORDS", `${path} line ${i + 2}: kind must be one of ${RECORD_KINDS.join(", ")}`)
        const data: Record<string, unknown> = {}
        for (const field of DATA_FIELDS[kind]) {
            const cell = row[field] ?? ""
            if (field === "months") data.months = cell.split(";").map((m) => m.trim())
            else if (field === "limitYuan" && cell === "") data.limitYuan = null
            else if (CSV_NUMBER_FIELDS.includes(field)) data[field] = /^[0-9]+$/.test(cell) ? Number(cell) : cell
            else data[field] = cell
        }
        return { personRef: row.personRef!, kind, period: row.period!, data, ...(row.supersedes ? { supersedes: row.supersedes } : {}) } as unknown as Omit<ProviderRecord, "provider" | "signedAt">
    })
}
