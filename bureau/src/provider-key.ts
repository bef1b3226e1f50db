/**
 * A data provider's signing key (ed25519, node:crypto) and the signing of its records. The key
 * file is a JWK with the private part; only its public half (`x`, base64url) goes to the bureau.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto"
import { recordSigningBytes, type ProviderRecord, type RecordKind, type SignedRecord } from "./records.ts"

/** A provider key file: which provider, and its ed25519 key as a JWK (private). */
export interface ProviderKeyFile {
    format: "zkcredit-provider-key"
    version: 1
    provider: string
    jwk: { kty: "OKP"; crv: "Ed25519"; x: string; d: string }
}

/** Makes a new provider key. */
export function createProviderKey(provider: string): ProviderKeyFile {
    const { privateKey } = generateKeyPairSync("ed25519")
    const jwk = privateKey.export({ format: "jwk" }) as ProviderKeyFile["jwk"]
    return { format: "zkcredit-provider-key", version: 1, provider, jwk: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d } }
}

/** The public key the bureau registers: base64url of the 32 bytes. */
export function providerPublicKey(key: ProviderKeyFile): string {
    return key.jwk.x
}

/**
 * Reads a key file's JSON.
 * @throws TypeError saying what is wrong.
 */
export function parseProviderKeyFile(value: unknown): ProviderKeyFile {
    const k = value as Partial<ProviderKeyFile> | null
    if (typeof k !== "object" || k === null || k.format !== "zkcredit-provider-key" || k.version !== 1) throw new TypeError("not a zkcredit provider key file (format zkcredit-provider-key, version 1)")
    if (typeof k.provider !== "string" || typeof k.jwk?.x !== "string" || typeof k.jwk?.d !== "string") throw new TypeError("the provider key file lacks provider, jwk.x or jwk.d")
    privateKeyOf(k as ProviderKeyFile)
    return k as ProviderKeyFile
}

/**
 * Signs a record with the provider's key.
 * @param record The record; its `provider` must be the key's.
 */
export function signRecord<K extends RecordKind>(record: ProviderRecord<K>, key: ProviderKeyFile | KeyObject): SignedRecord<K> {
    const privateKey = "format" in key && key.format === "zkcredit-provider-key" ? privateKeyOf(key) : (key as KeyObject)
    const signature = sign(null, recordSigningBytes(record), privateKey).toString("base64url")
    return { ...record, signature }
}

function privateKeyOf(key: ProviderKeyFile): KeyObject {
    return createPrivateKey({ key: { ...key.jwk }, format: "jwk" })
}
