import { poseidon1 } from "poseidon-lite/poseidon1"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { optionalObject, requireFieldElement, type BigNumberish } from "./checks.ts"
import { SNARK_SCALAR_FIELD } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"

/**
 * A borrower's identity: a random secret in the SNARK field, its KYC commitment
 * `Poseidon(secret)` and one pseudonym (nullifier) per market, `Poseidon(secret, scope)`.
 *
 * The secret is held in a private field: it does not show in `JSON.stringify`, `console.log`
 * or error messages. Read it through {@link Identity.secret} only to prove or to back it up.
 */
export class Identity {
    readonly #secret: bigint
    /** The KYC leaf of this identity: `Poseidon(secret)`. Public once an officer adds it. */
    readonly commitment: bigint

    /**
     * @param secret An existing secret (a field element, non-zero); a new random one if omitted.
     */
    constructor(secret?: BigNumberish) {
        if (secret === undefined) {
            this.#secret = randomFieldElement()
        } else {
            this.#secret = requireFieldElement(secret, "secret", { secret: true })
            if (this.#secret === 0n) throw new ZkCreditError("OUT_OF_RANGE", "secret must not be 0: create a new identity without arguments", "secret")
        }
        this.commitment = poseidon1([this.#secret])
    }

    /** The identity secret. Never send it anywhere: whoever holds it can borrow as you. */
    get secret(): bigint {
        return this.#secret
    }

    /**
     * The pseudonym of this identity in a scope (one market): `Poseidon(secret, scope)`.
     * @param scope The market's scope, see `computeScope`.
     */
    nullifier(scope: BigNumberish): bigint {
        return poseidon2([this.#secret, requireFieldElement(scope, "scope")])
    }

    /** Only the commitment: serialising an identity must not leak its secret. */
    toJSON(): { commitment: string } {
        return { commitment: this.commitment.toString() }
    }

    /**
     * Exports the identity as a backup encrypted with a password (PBKDF2-SHA256 + AES-256-GCM).
     * @param password At least 8 characters.
     * @param options.iterations PBKDF2 iterations (default 600,000, OWASP's advice for SHA-256).
     * @param options.attestation Opt-in: the bureau's attestation (any JSON value), encrypted
     *   with the secret so a restored identity can prove at once. Older readers ignore it.
     */
    async exportBackup(password: string, options: { iterations?: number; attestation?: unknown } = {}): Promise<IdentityBackup> {
        requirePassword(password)
        const opts = optionalObject(options, "options")
        const iterations = (opts.iterations ?? DEFAULT_KDF_ITERATIONS) as number
        if (!Number.isSafeInteger(iterations) || iterations < MIN_KDF_ITERATIONS || iterations > MAX_KDF_ITERATIONS) {
            throw new ZkCreditError("OUT_OF_RANGE", `iterations must be an integer in [${MIN_KDF_ITERATIONS}, ${MAX_KDF_ITERATIONS}]`, "iterations")
        }
        const salt = crypto.getRandomValues(new Uint8Array(16))
        const iv = crypto.getRandomValues(new Uint8Array(12))
        const header = { format: BACKUP_FORMAT as typeof BACKUP_FORMAT, version: 1 as const, kdf: { name: "PBKDF2-SHA256" as const, iterations, salt: toBase64(salt) }, cipher: { name: "AES-256-GCM" as const, iv: toBase64(iv) } }
        const key = await deriveKey(password, salt, iterations)
        const content: BackupContent = { secret: this.#secret.toString(), commitment: this.commitment.toString(), ...(opts.attestation !== undefined ? { attestation: opts.attestation } : {}) }
        const plaintext = new TextEncoder().encode(JSON.stringify(content))
        const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: headerBytes(header) }, key, plaintext)
        return { ...header, ciphertext: toBase64(new Uint8Array(ciphertext)) }
    }

    /**
     * Restores an identity from a backup made by {@link Identity.exportBackup}.
     * @param backup The backup object, or its JSON text.
     * @param password The password it was made with.
     * @throws ZkCreditError `BACKUP_INVALID` for a malformed or tampered file,
     *   `BACKUP_WRONG_PASSWORD` when it does not decrypt.
     */
    static async importBackup(backup: IdentityBackup | string, password: string): Promise<Identity> {
        return (await Identity.openBackup(backup, password)).identity
    }

    /**
     * Restores an identity and what the backup carries with it (the attestation, when the backup
     * was made with one). Backups without it, older ones included, open the same way.
     * @throws What {@link Identity.importBackup} throws.
     */
    static async openBackup(backup: IdentityBackup | string, password: string): Promise<{ identity: Identity; attestation?: unknown }> {
        requirePassword(password)
        const parsed = parseBackup(backup)
        const salt = fromBase64(parsed.kdf.salt, "kdf.salt")
        const iv = fromBase64(parsed.cipher.iv, "cipher.iv")
        const ciphertext = fromBase64(parsed.ciphertext, "ciphertext")
        const key = await deriveKey(password, salt, parsed.kdf.iterations)
        const header = { format: parsed.format, version: parsed.version, kdf: parsed.kdf, cipher: parsed.cipher }
        let plaintext: ArrayBuffer
        try {
            plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: headerBytes(header) }, key, ciphertext)
        } catch {
            // AES-GCM cannot tell a wrong password from a modified file
            throw new ZkCreditError("BACKUP_WRONG_PASSWORD", "the backup did not decrypt: the password is wrong or the file was modified", "password")
        }
        let content: unknown
        try {
            content = JSON.parse(new TextDecoder().decode(plaintext))
        } catch {
            content = undefined
        }
        // authentic (it decrypted) but not what exportBackup writes: a file made by something else
        if (typeof content !== "object" || content === null || typeof (content as { secret?: unknown }).secret !== "string") {
            throw new ZkCreditError("BACKUP_INVALID", "the backup decrypted to something that is not an identity", "backup")
        }
        const { secret, commitment, attestation } = content as { secret: string; commitment?: unknown; attestation?: unknown }
        let identity: Identity
        try {
            identity = new Identity(secret)
        } catch {
            throw new ZkCreditError("BACKUP_INVALID", "the backup holds a secret that is not a valid identity secret", "backup")
        }
        if (identity.commitment.toString() !== commitment) {
            throw new ZkCreditError("BACKUP_INVALID", "the backup's secret does not match its commitment", "backup")
        }
        return attestation === undefined ? { identity } : { identity, attestation }
    }
}

/** An identity backup: JSON-safe, encrypted with a password. */
export interface IdentityBackup {
    format: typeof BACKUP_FORMAT
    version: 1
    kdf: { name: "PBKDF2-SHA256"; iterations: number; salt: string }
    cipher: { name: "AES-256-GCM"; iv: string }
    ciphertext: string
}

/** What a backup encrypts: the secret, its commitment (a check) and, opt-in, the attestation. */
interface BackupContent {
    secret: string
    commitment: string
    attestation?: unknown
}

/** The `format` field of every identity backup. */
export const BACKUP_FORMAT = "zkcredit-identity-backup" as const
const DEFAULT_KDF_ITERATIONS = 600_000
const MIN_KDF_ITERATIONS = 1_000
const MAX_KDF_ITERATIONS = 10_000_000

function randomFieldElement(): bigint {
    // 64 random bytes reduced mod p: the bias is below 2^-250
    const bytes = crypto.getRandomValues(new Uint8Array(64))
    let n = 0n
    for (const b of bytes) n = (n << 8n) | BigInt(b)
    const secret = n % SNARK_SCALAR_FIELD
    return secret === 0n ? randomFieldElement() : secret
}

function requirePassword(password: unknown): asserts password is string {
    if (typeof password !== "string" || password.length < 8) {
        throw new ZkCreditError("INVALID_ARGUMENT", "password must be a string of at least 8 characters", "password")
    }
}

async function deriveKey(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveKey"])
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
}

// The header is authenticated (AES-GCM additional data): changing the KDF parameters breaks decryption.
function headerBytes(header: Omit<IdentityBackup, "ciphertext">): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(JSON.stringify([header.format, header.version, header.kdf.name, header.kdf.iterations, header.kdf.salt, header.cipher.name, header.cipher.iv]))
}

function parseBackup(backup: unknown): IdentityBackup {
    let value = backup
    if (typeof value === "string") {
        try {
            value = JSON.parse(value)
        } catch {
            throw new ZkCreditError("BACKUP_INVALID", "the backup is not valid JSON: pick the .json file that the export produced", "backup")
        }
    }
    // a file holding null, a number or a list is a malformed backup, whatever parsed it
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new ZkCreditError("BACKUP_INVALID", `the backup must be the ${BACKUP_FORMAT} object (or its JSON text) that the export produced`, "backup")
    }
    const b = value as Record<string, unknown>
    const kdf = b.kdf as Record<string, unknown> | undefined
    const cipher = b.cipher as Record<string, unknown> | undefined
    const ok =
        b.format === BACKUP_FORMAT &&
        b.version === 1 &&
        typeof b.ciphertext === "string" &&
        typeof kdf === "object" && kdf !== null &&
        kdf.name === "PBKDF2-SHA256" &&
        Number.isSafeInteger(kdf.iterations) && (kdf.iterations as number) >= MIN_KDF_ITERATIONS && (kdf.iterations as number) <= MAX_KDF_ITERATIONS &&
        typeof kdf.salt === "string" &&
        typeof cipher === "object" && cipher !== null &&
        cipher.name === "AES-256-GCM" &&
        typeof cipher.iv === "string"
    if (!ok) throw new ZkCreditError("BACKUP_INVALID", `the backup is not a ${BACKUP_FORMAT} version 1 file, or a field is missing`, "backup")
    return b as unknown as IdentityBackup
}

function toBase64(bytes: Uint8Array): string {
    let binary = ""
    for (const b of bytes) binary += String.fromCharCode(b)
    return btoa(binary)
}

function fromBase64(text: string, field: string): Uint8Array<ArrayBuffer> {
    try {
        const binary = atob(text)
        const bytes = new Uint8Array(binary.length)
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
        return bytes
    } catch {
        throw new ZkCreditError("BACKUP_INVALID", `the backup's ${field} is not base64`, "backup")
    }
}
