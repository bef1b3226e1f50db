/**
 * The one place the prover hashes artifacts: WebCrypto (`crypto.subtle.digest`) in browsers and
 * workers, node:crypto in Node. Bytes that do not hash to their pin are refused with
 * `ARTIFACT_TAMPERED`; the hash is over the decompressed bytes, whatever encoding carried them.
 */
import { ZkCreditError } from "./errors.ts"

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string"

/** The sha256 of `bytes` as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
    if (!(bytes instanceof Uint8Array)) throw new ZkCreditError("INVALID_ARGUMENT", "bytes must be a Uint8Array", "bytes")
    if (isNode) {
        const cryptoModule = "node:crypto" // a variable, so browser bundlers leave it alone
        const { createHash } = (await import(/* @vite-ignore */ cryptoModule)) as typeof import("node:crypto")
        return createHash("sha256").update(bytes).digest("hex")
    }
    const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
}

/**
 * Refuses bytes that are not the pinned build.
 * @param bytes The decompressed bytes as received.
 * @param expected The pinned sha256.
 * @param file What the bytes are, for the message (e.g. "credit-proof.wasm").
 * @param parameter The argument they came from (e.g. "artifacts.wasm").
 * @throws ZkCreditError `ARTIFACT_TAMPERED` naming the file, the expected and the actual hash.
 */
export async function requirePinned(bytes: Uint8Array, expected: string, file: string, parameter: string): Promise<void> {
    if (verified.get(bytes) === expected) return
    const actual = await sha256Hex(bytes)
    if (actual !== expected) throw tampered(file, expected, actual, parameter)
    verified.set(bytes, expected)
}

/**
 * Whether `bytes` hash to `pin`. A match is remembered for this very array (not for equal
 * bytes), so bytes a loader verified are not hashed again when the prover checks them: 9.5 MB
 * hashed once per worker, not once per check.
 */
export async function matchesPin(bytes: Uint8Array, pin: string): Promise<boolean> {
    if (verified.get(bytes) === pin) return true
    if ((await sha256Hex(bytes)) !== pin) return false
    verified.set(bytes, pin)
    return true
}

/** Arrays already hashed to their pin, by identity: they are never written after loading. */
const verified = new WeakMap<Uint8Array, string>()

/** The error for bytes whose hash is not the pin (also used where the hash was computed elsewhere). */
export function tampered(file: string, expected: string, actual: string, parameter: string): ZkCreditError {
    return new ZkCreditError(
        "ARTIFACT_TAMPERED",
        `${file} is not the pinned build: expected sha256 ${expected}, got ${actual}. It was altered or comes from another build; nothing was proved or sent. Download it again from a server you trust, or rebuild the circuits and the app or CLI from the same commit (\`npm run build:circuits\`)`,
        parameter
    )
}
