/**
 * The bureau's rules, apart from HTTP: taking providers' records, authenticating applicants
 * (KYC binding + history proof on a one-time challenge), and scoring only what it holds for the
 * authenticated person reference plus the on-chain history of the pseudonyms proven theirs.
 */
import { randomBytes, timingSafeEqual } from "node:crypto"
import { signAttestation } from "../../prover/src/attestation.ts"
import { SNARK_SCALAR_FIELD, TIME_BITS } from "../../prover/src/constants.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { HISTORY_PROOF_SLOTS, verifyHistoryProof, type HistoryProof } from "../../prover/src/history-proof.ts"
import { requireJsonObject } from "./applicant.ts"
import { parseBinding, recoverBindingSigner, type KycBinding } from "./binding.ts"
import type { AttestationResponse, DisputeRow, Holdings, RecordView, ScoreReport } from "./api-types.ts"
import type { BureauStore, ProviderRow } from "./db/store.ts"
import { BureauInputError } from "./errors.ts"
import { applicantFromRecords } from "./features.ts"
import { summariseHistory, type OnChainLoan } from "./history.ts"
import { HttpError } from "./http.ts"
import { ed25519PublicKey, parseSignedRecord, periodOf, PROVIDER_CATEGORIES, recordId, requireProviderId, verifyRecordSignature, type SignedRecord } from "./records.ts"
import { scoreApplicant, SCORECARD_VERSION } from "./scorecard.ts"

/** How long a challenge is good for: 5 minutes, ample for one proof in a browser. */
export const CHALLENGE_SECONDS = 300

/**
 * How far an attestation's `issuedAt` is set before the moment it is signed: a chain whose
 * latest block is a little behind the bureau's clock (blocks come every few seconds; clocks
 * drift) must not find a fresh attestation "not yet valid". The expiry is not moved.
 */
export const ISSUED_AT_SKEW_SECONDS = 60

/**
 * The last unix time an attestation may carry: the credit proof range-checks `issuedAt`,
 * `expiresAt` and the proof's `currentTime` to TIME_BITS bits (circuits/circuits.json), so a later
 * time could never be proved. 2^40 - 1 s falls in the year 36812: only a clock far off gets there.
 */
export const LAST_PROVABLE_TIME = 2 ** TIME_BITS - 1

/**
 * Why an attestation with these times must not be signed (a time the credit proof cannot carry,
 * past {@link LAST_PROVABLE_TIME}: the borrower could never use it), or undefined when they fit.
 * The service answers it as 503 `TIME_NOT_PROVABLE`, `zkcredit bureau sign` exits 1 with that code.
 */
export function unprovableTime(times: { issuedAt: number; expiresAt: number }): { field: "issuedAt" | "expiresAt"; message: string } | undefined {
    for (const field of ["issuedAt", "expiresAt"] as const) {
        if (times[field] > LAST_PROVABLE_TIME) {
            return { field, message: `the attestation's ${field} would be ${times[field]}, past 2^${TIME_BITS} - 1 (${LAST_PROVABLE_TIME}), the last time a credit proof can carry: check the bureau's clock; nothing was signed` }
        }
    }
    return undefined
}

/** Records one submission may carry at most. */
export const MAX_RECORDS_PER_SUBMISSION = 200

/** Reads the loans of one pseudonym in one market (by the market's scope). */
export type LoanReader = (scope: bigint, nullifier: bigint) => Promise<OnChainLoan[]>

/** Where the bureau reads on-chain history: the markets it knows (by scope) and a reader. */
export interface ChainHistory {
    /** Scopes of the LoanMarkets the bureau reads. */
    scopes: readonly bigint[]
    readLoans: LoanReader
}

/** A default recorded against an identity in the KYC registry (`MemberRemovedForDefault`). */
export interface RecordedDefault {
    /** The market of the defaulted loan. */
    market: string
    loanId: number
    /** Whether the identity was readmitted after the loan was paid in full. */
    readmitted: boolean
}

/** Reads the defaults recorded against an identity commitment. */
export type RecordedDefaultsReader = (commitment: bigint) => Promise<RecordedDefault[]>

/** Which officers' bindings the bureau accepts: those of one TrustRegistry on one chain. */
export interface OfficerCheck {
    chainId: number
    /** The TrustRegistry's address, whose KYC part grants the officer role. */
    kycRegistry: string
    /** Whether an address holds the officer role (e.g. `TrustRegistry.hasRole(OFFICER_ROLE, address)`). */
    isOfficer(address: string): Promise<boolean>
}

/** What the bureau needs. */
export interface BureauOptions {
    store: BureauStore
    privateKey: string
    validitySeconds: number
    now: () => number
    officers: OfficerCheck
    /** The history proof's verification key (parsed JSON). */
    historyVerificationKey: object
    /** Without it, a proof naming a pseudonym is answered 422 `HISTORY_NOT_CONFIGURED`. */
    chain?: ChainHistory
    /** The operator's token for provider and lender administration; admin routes are off without it. */
    adminToken?: string
    /** The KYC registry's default records; without it, none are scored. */
    recordedDefaults?: RecordedDefaultsReader
}

/** The API types the bureau returns (bureau/src/api-types.ts). */
export type { RecordView, ScoreReport }

/** An applicant the bureau authenticated: their binding and their proven pseudonyms. */
export interface Applicant {
    binding: KycBinding
    pseudonyms: { scope: bigint; nullifier: bigint }[]
}

/**
 * The bureau.
 */
export class Bureau {
    readonly #o: BureauOptions
    readonly #providerKeys = new Map<string, { row: ProviderRow; key: ReturnType<typeof ed25519PublicKey> }>()

    constructor(options: BureauOptions) {
        this.#o = options
    }

    /** A fresh challenge (a random field element), single-use, valid for {@link CHALLENGE_SECONDS}. */
    async newChallenge(): Promise<{ challenge: string; expiresAt: number }> {
        const now = this.#o.now()
        // 31 random bytes: always below the field's order, no modular bias
        const challenge = BigInt(`0x${randomBytes(31).toString("hex")}`) % SNARK_SCALAR_FIELD
        await this.#o.store.pruneChallenges(now)
        await this.#o.store.addChallenge(challenge.toString(), now, now + CHALLENGE_SECONDS)
        return { challenge: challenge.toString(), expiresAt: now + CHALLENGE_SECONDS }
    }

    /**
     * Authenticates an applicant from `{ binding, proof }`, using up the proof's challenge.
     * @throws BureauInputError / HttpError saying which check failed; nothing is changed then except
     *   the challenge, once the proof verified.
     */
    async authenticate(body: Record<string, unknown>): Promise<Applicant> {
        if (body.binding === undefined) throw new BureauInputError("MISSING_FIELD", "binding", "binding is required: the KYC binding file your compliance officer gave you")
        if (body.proof === undefined) throw new BureauInputError("MISSING_FIELD", "proof", "proof is required: a history proof on a fresh challenge (POST /v1/challenges)")
        const binding = parseBinding(body.binding)
        const proof = parseProof(body.proof)
        const officers = this.#o.officers
        if (binding.chainId !== officers.chainId || binding.kycRegistry.toLowerCase() !== officers.kycRegistry.toLowerCase()) {
            throw new HttpError(403, "UNKNOWN_OFFICER", "binding.kycRegistry", `this bureau accepts bindings of the TrustRegistry ${officers.kycRegistry} on chain ${officers.chainId}`)
        }
        const signer = recoverBindingSigner(binding)
        if (signer === null || signer.toLowerCase() !== binding.officer.toLowerCase()) {
            throw new HttpError(403, "BAD_SIGNATURE", "binding.signature", "the binding's signature is not the named officer's over these fields: send the binding file unchanged")
        }
        if (!(await officers.isOfficer(signer))) throw new HttpError(403, "UNKNOWN_OFFICER", "binding.officer", "the binding was not signed by a compliance officer of the TrustRegistry")
        if (proof.commitment !== binding.commitment) {
            throw new HttpError(403, "BAD_PROOF", "proof.commitment", "the proof is for another identity commitment than the binding: prove with the identity the officer bound")
        }
        const pseudonyms: Applicant["pseudonyms"] = []
        for (const [i, scopeText] of proof.scopes.entries()) {
            const scope = BigInt(scopeText)
            if (scope === 0n) continue
            if (!this.#o.chain) throw new HttpError(422, "HISTORY_NOT_CONFIGURED", `proof.scopes.${i}`, "this bureau reads no on-chain history: prove with no markets")
            if (!this.#o.chain.scopes.includes(scope)) throw new BureauInputError("UNKNOWN_MARKET", `proof.scopes.${i}`, `proof.scopes.${i} is not the scope of a market this bureau reads; GET /v1/markets lists them`)
            pseudonyms.push({ scope, nullifier: BigInt(proof.pseudonyms[i]!) })
        }
        let valid: boolean
        try {
            valid = await verifyHistoryProof(proof, this.#o.historyVerificationKey)
        } catch (error) {
            // the shape was checked above: what the verifier cannot read (points off the curve) is no proof
            if (isZkCreditError(error)) valid = false
            else throw error
        }
        if (!valid) throw new HttpError(403, "BAD_PROOF", "proof", "the history proof does not verify for its public values: make a new one for a fresh challenge")
        if (!(await this.#o.store.consumeChallenge(proof.challenge, this.#o.now()))) {
            throw new HttpError(403, "BAD_CHALLENGE", "proof.challenge", "the challenge is unknown, used or expired: get a fresh one (POST /v1/challenges) and prove again")
        }
        return { binding, pseudonyms }
    }

    /** Scores an authenticated applicant from the records held for their person reference and their proven history. */
    async score(applicant: Applicant): Promise<ScoreReport> {
        const asOf = periodOf(this.#o.now())
        const stored = await this.#o.store.recordsFor(applicant.binding.personRef, { current: true })
        const derived = applicantFromRecords(applicant.binding.subjectKind, stored, asOf)
        let onChain: ScoreReport["breakdown"]["onChain"] = null
        let record = null
        let loans: OnChainLoan[] = []
        if (applicant.pseudonyms.length > 0) {
            const chain = this.#o.chain as ChainHistory
            try {
                loans = (await Promise.all(applicant.pseudonyms.map((p) => chain.readLoans(p.scope, p.nullifier)))).flat()
            } catch {
                throw new HttpError(502, "RECORD_UNAVAILABLE", "proof.pseudonyms", "the bureau could not read the pseudonyms' on-chain records; nothing was signed: try again later")
            }
            const summary = summariseHistory(loans, await this.#o.store.lenderAddresses())
            record = summary.record
            onChain = { provenPseudonyms: applicant.pseudonyms.length, loansRead: loans.length, unrecognisedRepaidLoans: summary.unrecognisedRepaid }
        }
        const recorded = await this.#recordedDefaults(applicant, loans)
        const { score, breakdown } = scoreApplicant(derived.applicant, record, recorded?.filter((d) => d.counted).length ?? 0)
        return { score, breakdown: { ...breakdown, sources: derived.sources, asOf, onChain, ...(recorded ? { recordedDefaults: recorded } : {}) } }
    }

    /**
     * The defaults recorded against the bound commitment, each marked `counted` unless its loan is
     * among the proven pseudonyms' loans (already in the on-chain record); undefined when the bureau
     * does not read the KYC registry.
     */
    async #recordedDefaults(applicant: Applicant, loans: readonly OnChainLoan[]): Promise<ScoreReport["breakdown"]["recordedDefaults"]> {
        const reader = this.#o.recordedDefaults
        if (!reader) return undefined
        let defaults: RecordedDefault[]
        try {
            defaults = await reader(BigInt(applicant.binding.commitment))
        } catch {
            throw new HttpError(502, "RECORD_UNAVAILABLE", "binding.commitment", "the bureau could not read the KYC registry's default records; nothing was signed: try again later")
        }
        return defaults.map((d) => ({ ...d, counted: !loans.some((l) => l.market !== undefined && l.market.toLowerCase() === d.market.toLowerCase() && l.loanId === d.loanId) }))
    }

    /**
     * Signs an attestation of the applicant's score for the bound commitment, and logs it.
     * @throws HttpError 503 `TIME_NOT_PROVABLE` when the bureau's clock puts a time past what the
     *   credit proof can carry ({@link unprovableTime}), before anything is scored or signed.
     */
    async attest(applicant: Applicant): Promise<AttestationResponse> {
        const now = this.#o.now()
        const issuedAt = Math.max(0, now - ISSUED_AT_SKEW_SECONDS)
        const expiresAt = now + this.#o.validitySeconds
        const unprovable = unprovableTime({ issuedAt, expiresAt })
        if (unprovable) throw new HttpError(503, "TIME_NOT_PROVABLE", unprovable.field, unprovable.message)
        const report = await this.score(applicant)
        const attestation = signAttestation({ commitment: BigInt(applicant.binding.commitment), score: report.score, issuedAt, expiresAt }, this.#o.privateKey)
        await this.#o.store.logAttestation({
            personRef: applicant.binding.personRef,
            commitment: applicant.binding.commitment,
            score: report.score,
            scorecardVersion: SCORECARD_VERSION,
            pseudonyms: applicant.pseudonyms.length,
            issuedAt,
            expiresAt
        })
        return { ...report, attestation }
    }

    /** The records, disputes and past attestations held for an applicant. */
    async holdings(applicant: Applicant): Promise<Holdings> {
        const personRef = applicant.binding.personRef
        const [records, disputes, attestations, providers] = await Promise.all([
            this.#o.store.recordsFor(personRef),
            this.#o.store.disputesFor(personRef),
            this.#o.store.attestationsFor(personRef),
            this.#o.store.providers()
        ])
        const byId = new Map(providers.map((p) => [p.id, p]))
        return {
            records: records.map((r) => ({
                id: r.id,
                provider: r.record.provider,
                providerName: byId.get(r.record.provider)?.name ?? r.record.provider,
                category: byId.get(r.record.provider)?.category ?? "",
                kind: r.record.kind,
                period: r.record.period,
                // each kind's data is a plain JSON object (records.ts); the wire type does not name the kinds
                data: r.record.data as unknown as Record<string, unknown>,
                signedAt: r.record.signedAt,
                receivedAt: r.receivedAt,
                supersededBy: r.supersededBy,
                supersedes: r.record.supersedes ?? null
            })),
            disputes,
            attestations: attestations.map((a) => ({ score: a.score, issuedAt: a.issuedAt, expiresAt: a.expiresAt }))
        }
    }

    /**
     * Opens a dispute on one of the applicant's records; the provider answers with a correction
     * that supersedes it.
     */
    async dispute(applicant: Applicant, body: Record<string, unknown>): Promise<DisputeRow> {
        const recordIdValue = body.recordId
        if (typeof recordIdValue !== "string" || !/^[0-9a-f]{64}$/.test(recordIdValue)) throw new BureauInputError("INVALID_VALUE", "recordId", "recordId must be the id of one of your records (64 hex digits), as the report lists it")
        const reason = body.reason
        if (typeof reason !== "string" || reason.trim().length < 3 || reason.length > 500) throw new BureauInputError("INVALID_VALUE", "reason", "reason must say in 3 to 500 characters what is wrong with the record")
        const record = await this.#o.store.record(recordIdValue)
        // someone else's record is "not found" too: the answer must not tell whether it exists
        if (!record || record.record.personRef !== applicant.binding.personRef) throw new HttpError(404, "NOT_FOUND", "recordId", "you have no record with this id")
        if (record.supersededBy !== null) throw new HttpError(409, "CONFLICT", "recordId", "this record was already corrected: dispute the correction instead")
        const dispute = { id: randomBytes(16).toString("hex"), recordId: recordIdValue, personRef: applicant.binding.personRef, reason: reason.trim(), openedAt: this.#o.now() }
        await this.#o.store.openDispute(dispute)
        return { id: dispute.id, recordId: dispute.recordId, reason: dispute.reason, openedAt: dispute.openedAt, resolvedAt: null, correctionId: null }
    }

    /**
     * Takes a batch of providers' signed records: all or none. Each must be well formed, signed
     * by a registered, unrevoked provider, and a correction must supersede a record of the same
     * provider and person that is still current.
     * @throws BureauInputError / HttpError naming the record and what is wrong.
     */
    async submitRecords(body: Record<string, unknown>): Promise<{ stored: string[]; duplicates: string[] }> {
        requireOnly(body, ["records"])
        const list = body.records
        if (!Array.isArray(list)) throw new BureauInputError("WRONG_TYPE", "records", "records must be an array of signed records")
        if (list.length === 0 || list.length > MAX_RECORDS_PER_SUBMISSION) throw new BureauInputError("OUT_OF_RANGE", "records", `records must hold 1 to ${MAX_RECORDS_PER_SUBMISSION} records`)
        const checked: { id: string; record: SignedRecord }[] = []
        for (const [i, raw] of list.entries()) {
            const path = `records.${i}`
            const record = parseSignedRecord(raw, path)
            const provider = await this.#providerKey(record.provider)
            if (!provider) throw new HttpError(403, "UNKNOWN_PROVIDER", `${path}.provider`, `${path} is signed as provider "${record.provider}", which is not registered with this bureau`)
            if (provider.row.revokedAt !== null) throw new HttpError(403, "PROVIDER_REVOKED", `${path}.provider`, `${path}'s provider "${record.provider}" was revoked: its records are no longer accepted`)
            if (!verifyRecordSignature(record, provider.key)) throw new HttpError(403, "BAD_SIGNATURE", `${path}.signature`, `${path}'s signature is not provider "${record.provider}"'s over these fields`)
            const id = recordId(record)
            if (record.supersedes !== undefined) {
                const old = await this.#o.store.record(record.supersedes)
                if (!old || old.record.provider !== record.provider || old.record.personRef !== record.personRef) {
                    throw new HttpError(404, "NOT_FOUND", `${path}.supersedes`, `${path}.supersedes names no record of this provider about this person`)
                }
                if (old.supersededBy !== null) throw new HttpError(409, "CONFLICT", `${path}.supersedes`, `${path}.supersedes names a record already corrected: correct the latest one`)
            }
            checked.push({ id, record })
        }
        return this.#o.store.insertRecords(checked, this.#o.now())
    }

    /** Registers a provider (admin). */
    async addProvider(body: Record<string, unknown>): Promise<ProviderRow> {
        requireOnly(body, ["id", "name", "category", "publicKey"])
        const id = requireProviderId(body.id, "id")
        if (typeof body.name !== "string" || body.name.trim().length === 0 || body.name.length > 200) throw new BureauInputError("INVALID_VALUE", "name", "name must be the provider's name, 1 to 200 characters")
        if (typeof body.category !== "string" || !(PROVIDER_CATEGORIES as readonly string[]).includes(body.category)) {
            throw new BureauInputError("INVALID_VALUE", "category", `category must be one of ${PROVIDER_CATEGORIES.join(", ")}`)
        }
        if (typeof body.publicKey !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(body.publicKey)) throw new BureauInputError("INVALID_VALUE", "publicKey", "publicKey must be the ed25519 public key as base64url (43 characters), from `zkcredit provider keygen`")
        try {
            ed25519PublicKey(body.publicKey)
        } catch {
            throw new BureauInputError("INVALID_VALUE", "publicKey", "publicKey is not an ed25519 public key")
        }
        const row = { id, name: body.name.trim(), category: body.category as ProviderRow["category"], publicKey: body.publicKey, registeredAt: this.#o.now() }
        if (!(await this.#o.store.addProvider(row))) throw new HttpError(409, "CONFLICT", "id", `a provider "${id}" is already registered`)
        return { ...row, revokedAt: null }
    }

    /** Revokes a provider (admin): records it signs from now on are refused. */
    async revokeProvider(body: Record<string, unknown>): Promise<{ id: string; revokedAt: number }> {
        requireOnly(body, ["id"])
        const id = requireProviderId(body.id, "id")
        const at = this.#o.now()
        if (!(await this.#o.store.revokeProvider(id, at))) throw new HttpError(404, "NOT_FOUND", "id", `no unrevoked provider "${id}"`)
        this.#providerKeys.delete(id)
        return { id, revokedAt: at }
    }

    /** Recognises a lender (admin): their repaid loans count in the on-chain factor. */
    async addLender(body: Record<string, unknown>): Promise<{ address: string; name: string }> {
        requireOnly(body, ["address", "name"])
        if (typeof body.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(body.address)) throw new BureauInputError("INVALID_VALUE", "address", "address must be the lender's account, 0x + 40 hex digits")
        if (typeof body.name !== "string" || body.name.trim().length === 0 || body.name.length > 200) throw new BureauInputError("INVALID_VALUE", "name", "name must be the lender's name, 1 to 200 characters")
        await this.#o.store.addLender({ address: body.address, name: body.name.trim(), addedAt: this.#o.now() })
        return { address: body.address.toLowerCase(), name: body.name.trim() }
    }

    /** Checks the operator's bearer token. */
    requireAdmin(authorization: string | undefined): void {
        const token = this.#o.adminToken
        if (token === undefined) throw new HttpError(403, "ADMIN_DISABLED", "authorization", "this bureau was started without an admin token: administration is off")
        const given = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? ""
        const a = Buffer.from(given)
        const b = Buffer.from(token)
        if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(401, "UNAUTHORIZED", "authorization", "send the bureau's admin token as Authorization: Bearer <token>")
    }

    /** The scopes of the markets the bureau reads, decimal. */
    markets(): string[] {
        return (this.#o.chain?.scopes ?? []).map(String)
    }

    async #providerKey(id: string): Promise<{ row: ProviderRow; key: ReturnType<typeof ed25519PublicKey> } | undefined> {
        const cached = this.#providerKeys.get(id)
        if (cached) return cached
        const row = await this.#o.store.provider(id)
        if (!row) return undefined
        const entry = { row, key: ed25519PublicKey(row.publicKey) }
        // only unrevoked keys are cached; revocation through this bureau drops the entry
        if (row.revokedAt === null) this.#providerKeys.set(id, entry)
        return entry
    }
}

/** Refuses fields a request does not have (most often a typo). */
function requireOnly(body: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(body)) {
        if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", key, `${key} is not a field of this request; the fields are ${allowed.join(", ")}`)
    }
}

/** Parses a history proof's JSON shape (its validity is checked by the verifier). */
function parseProof(value: unknown): HistoryProof {
    const o = requireJsonObject(value, "proof")
    const allowed = ["commitment", "pseudonyms", "scopes", "challenge", "points"]
    for (const key of Object.keys(o)) {
        if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", `proof.${key}`, `proof.${key} is not a field of a history proof; the fields are ${allowed.join(", ")}`)
    }
    const decimal = (v: unknown, field: string): string => {
        if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v) || BigInt(v) >= SNARK_SCALAR_FIELD) throw new BureauInputError("INVALID_VALUE", field, `${field} must be a field element as a decimal string`)
        return BigInt(v).toString()
    }
    const list = (name: string, length: number): string[] => {
        const v = o[name]
        if (!Array.isArray(v) || v.length !== length) throw new BureauInputError("WRONG_TYPE", `proof.${name}`, `proof.${name} must be an array of ${length} decimal strings`)
        return v.map((x, i) => decimal(x, `proof.${name}.${i}`))
    }
    for (const key of allowed) if (o[key] === undefined) throw new BureauInputError("MISSING_FIELD", `proof.${key}`, `proof.${key} is required`)
    const points = o.points
    if (!Array.isArray(points) || points.length !== 8 || !points.every((p) => typeof p === "string" && /^[0-9]{1,78}$/.test(p) && BigInt(p) < 2n ** 256n)) {
        throw new BureauInputError("WRONG_TYPE", "proof.points", "proof.points must be the proof's 8 words as decimal strings")
    }
    return {
        commitment: decimal(o.commitment, "proof.commitment"),
        pseudonyms: list("pseudonyms", HISTORY_PROOF_SLOTS),
        scopes: list("scopes", HISTORY_PROOF_SLOTS),
        challenge: decimal(o.challenge, "proof.challenge"),
        points: points as HistoryProof["points"]
    }
}
