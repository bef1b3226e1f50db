/**
 * The bureau's key file: JSON `{ privateKey, publicKey, keyHash }`, readable by its owner only.
 * Only `privateKey` is needed; the public key and its hash are there for the admin who
 * registers the key on chain, and are checked against the private key on load.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { createBureauKey, type BureauKey } from "../../prover/src/attestation.ts"
import { ZkCreditError } from "../../prover/src/errors.ts"

/** The JSON in a key file. */
export interface BureauKeyFile {
    /** 32 bytes, 0x-hex. */
    privateKey: string
    /** `[Ax, Ay]`, decimal strings. */
    publicKey?: [string, string]
    /** `Poseidon(Ax, Ay)`, decimal string: what the TrustRegistry registers (`addKey`). */
    keyHash?: string
}

/**
 * Loads the bureau key from `path`, or creates a new random key there if the file does not
 * exist (mode 0600, parent folders created).
 * @param path The key file.
 * @returns The key, and whether it was created now.
 * @throws ZkCreditError `INVALID_ARGUMENT` (parameter `keyFile`) for a file that is not a valid key file.
 */
export async function loadOrCreateBureauKeyFile(path: string): Promise<{ key: BureauKey; created: boolean }> {
    if (typeof path !== "string" || path.length === 0) throw new ZkCreditError("INVALID_ARGUMENT", "path must be the key file's path", "path")
    let text: string
    try {
        text = await readFile(path, "utf8")
    } catch (error) {
        if ((error as { code?: unknown }).code !== "ENOENT") throw error
        const key = createBureauKey()
        await mkdir(dirname(path), { recursive: true })
        // "wx": never overwrite a key another process wrote in the meantime
        await writeFile(path, `${JSON.stringify(toKeyFile(key), null, 2)}\n`, { mode: 0o600, flag: "wx" })
        return { key, created: true }
    }
    return { key: parseKeyFile(text, path), created: false }
}

/** The key-file JSON of a key. */
export function toKeyFile(key: BureauKey): BureauKeyFile {
    return { privateKey: key.privateKey, publicKey: [key.publicKey[0].toString(), key.publicKey[1].toString()], keyHash: key.keyHash.toString() }
}

function parseKeyFile(text: string, path: string): BureauKey {
    const bad = (why: string): ZkCreditError => new ZkCreditError("INVALID_ARGUMENT", `${path} is not a bureau key file: ${why}`, "keyFile")
    let data: unknown
    try {
        data = JSON.parse(text)
    } catch {
        throw bad("not JSON")
    }
    if (typeof data !== "object" || data === null || typeof (data as BureauKeyFile).privateKey !== "string") throw bad('expected JSON { "privateKey": "0x..." }')
    const file = data as BureauKeyFile
    let key: BureauKey
    try {
        key = createBureauKey(file.privateKey)
    } catch {
        throw bad("privateKey must be 0x followed by 64 hex digits")
    }
    // a hand-edited or mixed-up file: the key hash an admin registered would not match what signs
    if (file.keyHash !== undefined && file.keyHash !== key.keyHash.toString()) throw bad("keyHash does not match privateKey")
    const publicKey = toKeyFile(key).publicKey
    if (file.publicKey !== undefined && JSON.stringify(file.publicKey) !== JSON.stringify(publicKey)) throw bad("publicKey does not match privateKey")
    return key
}
