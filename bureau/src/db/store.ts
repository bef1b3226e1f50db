/**
 * The bureau's data, on either engine (see `database.ts`): the providers' registry, their
 * signed records, disputes, single-use challenges, attestations issued, recognised lenders and
 * the request log (method, path, status and time only: never a body).
 */
import type { Database, Queryable } from "./database.ts"
import { migrate } from "./migrations.ts"
import type { ProviderCategory, RecordKind, SignedRecord } from "../records.ts"
import type { DisputeRow } from "../api-types.ts"

/** A data provider as the registry holds it. */
export interface ProviderRow {
    id: string
    name: string
    category: ProviderCategory
    /** base64url of the ed25519 public key's 32 bytes. */
    publicKey: string
    registeredAt: number
    /** `null` while the key is valid. */
    revokedAt: number | null
}

/** A stored record: the signed record, its id, and whether a correction replaced it. */
export interface StoredRecord {
    id: string
    record: SignedRecord
    receivedAt: number
    /** The id of the correction that replaced this record, or `null` while it counts. */
    supersededBy: string | null
}

/** A dispute: the wire type of the API (bureau/src/api-types.ts). */
export type { DisputeRow }

/** An attestation the bureau signed (no signature kept: it is the applicant's). */
export interface AttestationLogEntry {
    personRef: string
    commitment: string
    score: number
    scorecardVersion: string
    pseudonyms: number
    issuedAt: number
    expiresAt: number
}

/** A lender whose loans count in the on-chain history factor. */
export interface LenderRow {
    address: string
    name: string
    addedAt: number
}

/** Where a batch of records went. */
export interface RecordInsertResult {
    /** Records stored now. */
    stored: string[]
    /** Records already held (the same signed bytes): a resubmission changes nothing. */
    duplicates: string[]
}

/** The bureau's store. Every method is one statement or one transaction. */
export class BureauStore {
    readonly db: Database

    private constructor(db: Database) {
        this.db = db
    }

    /** Opens the store on a database, applying any migration it lacks. */
    static async open(db: Database): Promise<BureauStore> {
        await migrate(db)
        return new BureauStore(db)
    }

    /** Registers a provider; `false` when the id is taken. */
    async addProvider(provider: Omit<ProviderRow, "revokedAt">): Promise<boolean> {
        const { rows } = await this.db.query(
            "INSERT INTO providers (id, name, category, public_key, registered_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id",
            [provider.id, provider.name, provider.category, provider.publicKey, provider.registeredAt]
        )
        return rows.length === 1
    }

    /** Revokes a provider's key; its records stay, records it signs later are refused. `false` when unknown or already revoked. */
    async revokeProvider(id: string, at: number): Promise<boolean> {
        const { rows } = await this.db.query("UPDATE providers SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id", [id, at])
        return rows.length === 1
    }

    /** A provider, or `undefined`. */
    async provider(id: string): Promise<ProviderRow | undefined> {
        const { rows } = await this.db.query<Record<string, unknown>>("SELECT * FROM providers WHERE id = $1", [id])
        return rows[0] === undefined ? undefined : providerOf(rows[0])
    }

    /** Every provider, by id. */
    async providers(): Promise<ProviderRow[]> {
        const { rows } = await this.db.query<Record<string, unknown>>("SELECT * FROM providers ORDER BY id")
        return rows.map(providerOf)
    }

    /**
     * Stores checked records in one transaction. A record that supersedes another marks it
     * replaced and resolves the disputes open on it.
     * @param records Records already checked (fields, signature, provider, superseded record).
     */
    async insertRecords(records: readonly { id: string; record: SignedRecord }[], receivedAt: number): Promise<RecordInsertResult> {
        return this.db.transaction(async (tx) => {
            const result: RecordInsertResult = { stored: [], duplicates: [] }
            for (const { id, record } of records) {
                const { rows } = await tx.query(
                    `INSERT INTO records (id, provider_id, person_ref, kind, period, payload, signed_at, signature, supersedes, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id`,
                    [id, record.provider, record.personRef, record.kind, record.period, JSON.stringify(record.data), record.signedAt, record.signature, record.supersedes ?? null, receivedAt]
                )
                if (rows.length === 0) {
                    result.duplicates.push(id)
                    continue
                }
                result.stored.push(id)
                if (record.supersedes !== undefined) {
                    await tx.query("UPDATE records SET superseded_by = $1 WHERE id = $2", [id, record.supersedes])
                    await tx.query("UPDATE disputes SET resolved_at = $1, correction_id = $2 WHERE record_id = $3 AND resolved_at IS NULL", [receivedAt, id, record.supersedes])
                }
            }
            return result
        })
    }

    /** One record by id, or `undefined`. */
    async record(id: string): Promise<StoredRecord | undefined> {
        const { rows } = await this.db.query<Record<string, unknown>>("SELECT * FROM records WHERE id = $1", [id])
        return rows[0] === undefined ? undefined : recordOf(rows[0])
    }

    /**
     * The records held for a person reference, oldest period first.
     * @param options.current Only records no correction replaced (what the scorecard reads).
     */
    async recordsFor(personRef: string, options: { current?: boolean } = {}): Promise<StoredRecord[]> {
        const { rows } = await this.db.query<Record<string, unknown>>(
            `SELECT * FROM records WHERE person_ref = $1 ${options.current ? "AND superseded_by IS NULL" : ""} ORDER BY period, provider_id, id`,
            [personRef]
        )
        return rows.map(recordOf)
    }

    /** Opens a dispute on a record. */
    async openDispute(dispute: { id: string; recordId: string; personRef: string; reason: string; openedAt: number }): Promise<void> {
        await this.db.query("INSERT INTO disputes (id, record_id, person_ref, reason, opened_at) VALUES ($1, $2, $3, $4, $5)", [
            dispute.id,
            dispute.recordId,
            dispute.personRef,
            dispute.reason,
            dispute.openedAt
        ])
    }

    /** The disputes of a person reference, oldest first. */
    async disputesFor(personRef: string): Promise<DisputeRow[]> {
        const { rows } = await this.db.query<Record<string, unknown>>("SELECT * FROM disputes WHERE person_ref = $1 ORDER BY opened_at, id", [personRef])
        return rows.map((r) => ({
            id: String(r.id),
            recordId: String(r.record_id),
            reason: String(r.reason),
            openedAt: Number(r.opened_at),
            resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
            correctionId: r.correction_id === null ? null : String(r.correction_id)
        }))
    }

    /** The open disputes on the records of one provider (what the provider must answer). */
    async openDisputesOf(providerId: string): Promise<(DisputeRow & { personRef: string })[]> {
        const { rows } = await this.db.query<Record<string, unknown>>(
            "SELECT d.* FROM disputes d JOIN records r ON r.id = d.record_id WHERE r.provider_id = $1 AND d.resolved_at IS NULL ORDER BY d.opened_at, d.id",
            [providerId]
        )
        return rows.map((r) => ({ id: String(r.id), recordId: String(r.record_id), personRef: String(r.person_ref), reason: String(r.reason), openedAt: Number(r.opened_at), resolvedAt: null, correctionId: null }))
    }

    /** Keeps a fresh challenge. */
    async addChallenge(challenge: string, issuedAt: number, expiresAt: number): Promise<void> {
        await this.db.query("INSERT INTO challenges (challenge, issued_at, expires_at) VALUES ($1, $2, $3)", [challenge, issuedAt, expiresAt])
    }

    /**
     * Uses up a challenge: `true` once for a known, unexpired one, `false` ever after. Atomic, so
     * two requests with the same proof cannot both pass.
     */
    async consumeChallenge(challenge: string, now: number, tx: Queryable = this.db): Promise<boolean> {
        const { rows } = await tx.query("UPDATE challenges SET used_at = $2 WHERE challenge = $1 AND used_at IS NULL AND expires_at > $2 RETURNING challenge", [challenge, now])
        return rows.length === 1
    }

    /** Drops challenges that expired before `now` (used or not). */
    async pruneChallenges(now: number): Promise<void> {
        await this.db.query("DELETE FROM challenges WHERE expires_at <= $1", [now])
    }

    /** Logs an attestation the bureau signed. */
    async logAttestation(entry: AttestationLogEntry): Promise<void> {
        await this.db.query(
            "INSERT INTO attestations (person_ref, commitment, score, scorecard_version, pseudonyms, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [entry.personRef, entry.commitment, entry.score, entry.scorecardVersion, entry.pseudonyms, entry.issuedAt, entry.expiresAt]
        )
    }

    /** The attestations issued for a person reference, newest first. */
    async attestationsFor(personRef: string): Promise<AttestationLogEntry[]> {
        const { rows } = await this.db.query<Record<string, unknown>>("SELECT * FROM attestations WHERE person_ref = $1 ORDER BY id DESC", [personRef])
        return rows.map((r) => ({
            personRef: String(r.person_ref),
            commitment: String(r.commitment),
            score: Number(r.score),
            scorecardVersion: String(r.scorecard_version),
            pseudonyms: Number(r.pseudonyms),
            issuedAt: Number(r.issued_at),
            expiresAt: Number(r.expires_at)
        }))
    }

    /** Recognises a lender (lower-case address); `false` when already recognised. */
    async addLender(lender: LenderRow): Promise<boolean> {
        const { rows } = await this.db.query("INSERT INTO lenders (address, name, added_at) VALUES ($1, $2, $3) ON CONFLICT (address) DO NOTHING RETURNING address", [
            lender.address.toLowerCase(),
            lender.name,
            lender.addedAt
        ])
        return rows.length === 1
    }

    /** The recognised lenders' addresses, lower-case. */
    async lenderAddresses(): Promise<Set<string>> {
        const { rows } = await this.db.query<{ address: string }>("SELECT address FROM lenders")
        return new Set(rows.map((r) => r.address))
    }

    /** Logs one answered request (no body, no query string). */
    async logRequest(entry: { at: number; method: string; path: string; status: number; durationMs: number }): Promise<void> {
        await this.db.query("INSERT INTO requests (at, method, path, status, duration_ms) VALUES ($1, $2, $3, $4, $5)", [entry.at, entry.method, entry.path, entry.status, entry.durationMs])
    }

    /** How many requests the log holds. */
    async requestCount(): Promise<number> {
        const { rows } = await this.db.query<{ n: unknown }>("SELECT count(*) AS n FROM requests")
        return Number(rows[0]?.n ?? 0)
    }

    /** Closes the database. */
    close(): Promise<void> {
        return this.db.close()
    }
}

function providerOf(r: Record<string, unknown>): ProviderRow {
    return {
        id: String(r.id),
        name: String(r.name),
        category: r.category as ProviderCategory,
        publicKey: String(r.public_key),
        registeredAt: Number(r.registered_at),
        revokedAt: r.revoked_at === null ? null : Number(r.revoked_at)
    }
}

function recordOf(r: Record<string, unknown>): StoredRecord {
    const payload = typeof r.payload === "string" ? (JSON.parse(r.payload) as unknown) : r.payload
    const record = {
        provider: String(r.provider_id),
        personRef: String(r.person_ref),
        kind: r.kind as RecordKind,
        period: String(r.period),
        data: payload,
        signedAt: Number(r.signed_at),
        ...(r.supersedes === null ? {} : { supersedes: String(r.supersedes) }),
        signature: String(r.signature)
    } as SignedRecord
    return { id: String(r.id), record, receivedAt: Number(r.received_at), supersededBy: r.superseded_by === null ? null : String(r.superseded_by) }
}
