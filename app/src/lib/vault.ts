/**
 * The borrower's vault in this browser (IndexedDB): the identity secret and the bureau's
 * attestation. Nothing here is ever sent anywhere, written to localStorage or logged; the
 * secret leaves only as an encrypted backup file the user downloads.
 */
import type { Attestation } from "$prover/attestation.ts"
import { Identity } from "$prover/identity.ts"

const DB_NAME = "zkcredit"
const STORE = "vault"

/** An attestation as kept: what the bureau returned. */
export interface StoredAttestation {
    attestation: Attestation
    score: number
    /** Reason codes of the breakdown (what would raise the score). */
    reasons: string[]
    receivedAt: number
}

function open(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1)
        request.onupgradeneeded = () => request.result.createObjectStore(STORE)
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error)
    })
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await open()
    try {
        return await new Promise<T>((resolve, reject) => {
            const tx = db.transaction(STORE, mode)
            const request = work(tx.objectStore(STORE))
            tx.oncomplete = () => resolve(request.result)
            tx.onerror = () => reject(tx.error)
            tx.onabort = () => reject(tx.error)
        })
    } finally {
        db.close()
    }
}

/** The identity kept in this browser, if any. */
export async function loadIdentity(): Promise<Identity | undefined> {
    const stored = (await withStore("readonly", (s) => s.get("identity"))) as { secret: string } | undefined
    return stored ? new Identity(stored.secret) : undefined
}

/** Keeps an identity in this browser (replacing any other, and its attestation). */
export async function saveIdentity(identity: Identity): Promise<void> {
    await withStore("readwrite", (s) => s.delete("attestation"))
    await withStore("readwrite", (s) => s.put({ secret: identity.secret.toString(), commitment: identity.commitment.toString() }, "identity"))
}

/** Forgets the identity and its attestation in this browser. */
export async function forgetIdentity(): Promise<void> {
    await withStore("readwrite", (s) => s.delete("attestation"))
    await withStore("readwrite", (s) => s.delete("identity"))
}

/** The attestation kept in this browser, if any. */
export async function loadAttestation(): Promise<StoredAttestation | undefined> {
    return ((await withStore("readonly", (s) => s.get("attestation"))) as StoredAttestation | undefined) ?? undefined
}

/** `stored` if it is an attestation of `identity` (one kept for an identity since replaced is not). */
export function attestationFor(identity: Identity | undefined, stored: StoredAttestation | undefined): StoredAttestation | undefined {
    return stored && identity && stored.attestation.commitment === identity.commitment.toString() ? stored : undefined
}

/** What a page that proves finds in the vault when it opens. */
export interface OpenedVault {
    identity?: Identity
    /** The attestation kept here, only if it is for `identity` ({@link attestationFor}). */
    attestation?: StoredAttestation
}

/**
 * Opens the vault for a page that proves with it (the borrower and requests pages): the identity
 * kept in this browser and its attestation. A failed read (IndexedDB unavailable, as in some
 * private windows) goes to `onError`, and what was read before it is returned.
 */
export async function openVault(onError: (error: unknown) => void): Promise<OpenedVault> {
    const opened: OpenedVault = {}
    try {
        opened.identity = await loadIdentity()
        const attestation = attestationFor(opened.identity, await loadAttestation())
        if (attestation) opened.attestation = attestation
    } catch (error) {
        onError(error)
    }
    return opened
}

/** Keeps the bureau's attestation in this browser. */
export async function saveAttestation(stored: StoredAttestation): Promise<void> {
    await withStore("readwrite", (s) => s.put(stored, "attestation"))
}

/** Whether a value read from a backup has the shape of a stored attestation. */
function isStoredAttestation(value: unknown): value is StoredAttestation {
    const v = value as StoredAttestation | undefined
    return typeof v === "object" && v !== null && typeof v.score === "number" && typeof v.attestation === "object" && v.attestation !== null && typeof v.attestation.commitment === "string" && Array.isArray(v.reasons)
}

/**
 * The encrypted backup of an identity, with its attestation when the person opts in (it is then
 * encrypted together with the secret, never in the clear).
 */
export function exportIdentityBackup(identity: Identity, password: string, attestation?: StoredAttestation): Promise<Awaited<ReturnType<Identity["exportBackup"]>>> {
    return identity.exportBackup(password, attestation ? { attestation } : {})
}

/**
 * Opens a backup: the identity, and its attestation when the backup carries one for this
 * identity (old backups have none; a foreign or malformed one is ignored, not trusted).
 */
export async function importIdentityBackup(text: string, password: string): Promise<{ identity: Identity; attestation?: StoredAttestation }> {
    const opened = await Identity.openBackup(text, password)
    const a = opened.attestation
    if (isStoredAttestation(a) && a.attestation.commitment === opened.identity.commitment.toString()) return { identity: opened.identity, attestation: a }
    return { identity: opened.identity }
}
