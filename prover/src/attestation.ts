import { mulPointEscalar } from "@zk-kit/baby-jubjub"
import { derivePublicKey } from "#eddsa-poseidon"
import { describe, requireArray, requireFieldElement, requireObject, requireUint, type BigNumberish } from "./checks.ts"
import { ATTESTATION_DOMAIN, SCORE_BITS, TIME_BITS } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import { publicKeyHash, SIGNATURE_SCHEME, signSchnorr, verifySchnorr } from "./signature.ts"

/** A Baby Jubjub public key, [Ax, Ay]. */
export type BureauPublicKey = readonly [bigint, bigint]

/** A bureau signing key: the private key (32 bytes, hex) and its public key. */
export interface BureauKey {
    /** 32 bytes as 0x-hex. Keep it in the bureau's key store, nowhere else. */
    privateKey: string
    publicKey: BureauPublicKey
    /** `Poseidon(Ax, Ay)`: how the chain and the circuit name this key. */
    keyHash: bigint
}

/** What a bureau attests: this identity has this score, valid in [issuedAt, expiresAt). */
export interface AttestationClaims {
    commitment: BigNumberish
    score: BigNumberish
    /** Unix seconds. */
    issuedAt: BigNumberish
    /** Unix seconds, exclusive. */
    expiresAt: BigNumberish
}

/**
 * A signed attestation, JSON-safe (decimal strings). It stays on the borrower's device: it
 * carries the score, which the proof hides.
 */
export interface Attestation {
    commitment: string
    score: number
    issuedAt: number
    expiresAt: number
    bureauPublicKey: [string, string]
    /** The bureau's signature ({@link SIGNATURE_SCHEME}, see `signature.ts`). */
    signature: { scheme: typeof SIGNATURE_SCHEME; R8: [string, string]; S: string }
}

/**
 * Creates a bureau signing key.
 * @param privateKey 32 bytes (Uint8Array or 0x-hex); random if omitted.
 */
export function createBureauKey(privateKey?: Uint8Array | string): BureauKey {
    let bytes: Uint8Array
    if (privateKey === undefined) bytes = crypto.getRandomValues(new Uint8Array(32))
    else if (privateKey instanceof Uint8Array) bytes = privateKey
    else if (typeof privateKey === "string" && /^0x[0-9a-fA-F]{64}$/.test(privateKey)) bytes = hexToBytes(privateKey)
    else throw new ZkCreditError("INVALID_ARGUMENT", "privateKey must be 32 bytes, as a Uint8Array or a 0x-prefixed 64-digit hex string", "privateKey")
    if (bytes.length !== 32) throw new ZkCreditError("INVALID_ARGUMENT", `privateKey must be 32 bytes, got ${bytes.length}`, "privateKey")
    const [ax, ay] = derivePublicKey(bytes)
    const publicKey = [BigInt(ax), BigInt(ay)] as const
    return { privateKey: bytesToHex(bytes), publicKey, keyHash: bureauKeyHash(publicKey) }
}

/** The hash by which the chain and the circuit name a bureau key: `Poseidon(Ax, Ay)`. */
export function bureauKeyHash(publicKey: readonly [BigNumberish, BigNumberish]): bigint {
    requireArray(publicKey, "publicKey", 2)
    return publicKeyHash([requireFieldElement(publicKey[0], "publicKey[0]"), requireFieldElement(publicKey[1], "publicKey[1]")])
}

/**
 * The message a bureau signs, three field elements: `[domain, commitment, claims]` with
 * `claims = score·2^(2·TIME_BITS) + issuedAt·2^TIME_BITS + expiresAt` (one-to-one, since every
 * claim is checked to the range the circuit accepts). The circuit's AttestationMessage.
 */
export function attestationMessage(claims: AttestationClaims): [bigint, bigint, bigint] {
    const c = parseClaims(claims)
    const t = BigInt(TIME_BITS)
    return [ATTESTATION_DOMAIN, c.commitment, (c.score << (2n * t)) | (c.issuedAt << t) | c.expiresAt]
}

/**
 * Signs an attestation with a bureau key.
 * @param claims The identity commitment, score and validity window.
 * @param privateKey The bureau's private key (0x-hex, from {@link createBureauKey}).
 */
export function signAttestation(claims: AttestationClaims, privateKey: string): Attestation {
    const key = createBureauKey(privateKey)
    const c = parseClaims(claims)
    // the JSON form keeps times as numbers: they must survive the round trip exactly
    if (c.expiresAt > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ZkCreditError("OUT_OF_RANGE", `expiresAt must be at most ${Number.MAX_SAFE_INTEGER} (unix seconds), got ${c.expiresAt}`, "expiresAt")
    }
    const signature = signSchnorr(hexToBytes(key.privateKey), key.publicKey, attestationMessage(c))
    return {
        commitment: c.commitment.toString(),
        score: Number(c.score),
        issuedAt: Number(c.issuedAt),
        expiresAt: Number(c.expiresAt),
        bureauPublicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()],
        signature: { scheme: SIGNATURE_SCHEME, R8: [signature.R8[0].toString(), signature.R8[1].toString()], S: signature.S.toString() }
    }
}

/**
 * Whether an attestation's signature verifies under the bureau key it names. Malformed
 * attestations throw a {@link ZkCreditError} naming the field.
 */
export function verifyAttestation(attestation: Attestation): boolean {
    const a = parseAttestation(attestation)
    // verifySchnorr refuses a key of small order (8·A = identity), as the circuit does
    return verifySchnorr(attestationMessage(a), a.signature, a.bureauPublicKey)
}

/**
 * Whether a public key has small order: 8·A is the identity (0, 1). Signature checks with such a key
 * accept forged signatures, so no such key is ever a bureau key.
 */
export function isLowOrderKey(publicKey: readonly [bigint, bigint]): boolean {
    try {
        const [x, y] = mulPointEscalar(publicKey as [bigint, bigint], 8n)
        return x === 0n && y === 1n
    } catch {
        return true
    }
}

/** An attestation with every field parsed and checked. */
export interface ParsedAttestation {
    commitment: bigint
    score: bigint
    issuedAt: bigint
    expiresAt: bigint
    bureauPublicKey: [bigint, bigint]
    signature: { R8: [bigint, bigint]; S: bigint }
}

/**
 * Parses an attestation (for example one read from a file or IndexedDB) and checks its fields.
 * @throws ZkCreditError naming the first bad field.
 */
export function parseAttestation(attestation: unknown): ParsedAttestation {
    const a = requireObject(attestation, "attestation")
    const claims = parseClaims(a as unknown as AttestationClaims, "attestation.")
    const key = requireArray(a.bureauPublicKey, "attestation.bureauPublicKey", 2)
    const sig = requireObject(a.signature, "attestation.signature")
    if (sig.scheme !== SIGNATURE_SCHEME) {
        throw new ZkCreditError(
            "INVALID_SIGNATURE",
            sig.scheme === undefined
                ? `attestation.signature has no scheme: it was signed before bureaus signed with ${SIGNATURE_SCHEME}; ask the bureau for a new attestation`
                : `attestation.signature.scheme must be "${SIGNATURE_SCHEME}", got ${typeof sig.scheme === "string" ? JSON.stringify(sig.scheme.slice(0, 40)) : describe(sig.scheme)}; ask the bureau for a new attestation`,
            "attestation.signature.scheme"
        )
    }
    const r8 = requireArray(sig.R8, "attestation.signature.R8", 2)
    return {
        ...claims,
        bureauPublicKey: [requireFieldElement(key[0], "attestation.bureauPublicKey[0]"), requireFieldElement(key[1], "attestation.bureauPublicKey[1]")],
        signature: {
            R8: [requireFieldElement(r8[0], "attestation.signature.R8[0]"), requireFieldElement(r8[1], "attestation.signature.R8[1]")],
            S: requireFieldElement(sig.S, "attestation.signature.S")
        }
    }
}

function parseClaims(claims: AttestationClaims, prefix = ""): { commitment: bigint; score: bigint; issuedAt: bigint; expiresAt: bigint } {
    const c = requireObject(claims, prefix ? prefix.slice(0, -1) : "claims")
    const parsed = {
        commitment: requireFieldElement(c.commitment, `${prefix}commitment`),
        score: requireUint(c.score, `${prefix}score`, SCORE_BITS),
        issuedAt: requireUint(c.issuedAt, `${prefix}issuedAt`, TIME_BITS),
        expiresAt: requireUint(c.expiresAt, `${prefix}expiresAt`, TIME_BITS)
    }
    if (parsed.expiresAt <= parsed.issuedAt) {
        throw new ZkCreditError("OUT_OF_RANGE", `${prefix}expiresAt (${parsed.expiresAt}) must be after ${prefix}issuedAt (${parsed.issuedAt})`, `${prefix}expiresAt`)
    }
    return parsed
}

function hexToBytes(hex: string): Uint8Array {
    const clean = hex.slice(2)
    const bytes = new Uint8Array(clean.length / 2)
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
    return bytes
}

function bytesToHex(bytes: Uint8Array): string {
    return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}
