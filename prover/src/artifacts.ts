import { ZkCreditError } from "./errors.ts"
import { PINNED_FILES } from "./pins.ts"

/** Where a proving artifact comes from: a file path (Node), a URL (http, https, or relative in a browser) or its bytes. */
export type ArtifactSource = string | URL | Uint8Array

/** The files a proof needs; each must hash to its pin (see `pins.ts`). */
export interface CreditProofArtifacts {
    /** The witness generator, `credit-proof.wasm`. */
    wasm: ArtifactSource
    /** The proving key, `credit-proof.zkey`. */
    zkey: ArtifactSource
    /**
     * The verification key (`verification_key.json`) the fresh proof is checked against, as
     * bytes or where to load them from (bytes, so they can be hashed against the pin). Optional
     * in Node, where it defaults to the pinned file of this repository's build (see
     * {@link defaultVerificationKey}); required in a browser.
     */
    vkey?: ArtifactSource
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string"

/**
 * Node only: the verification key file of a circuit in this repository's build, as pinned by
 * the committed manifest (`circuits/build/<name>/verification_key.json`).
 * @throws ZkCreditError `INVALID_ARGUMENT` in a browser, which must be given the key.
 */
export function defaultVerificationKey(circuit: string): URL {
    const file = PINNED_FILES[circuit]?.vkey
    if (!isNode || !file) throw new ZkCreditError("INVALID_ARGUMENT", "artifacts.vkey is required here: pass the verification key's bytes or URL", "artifacts.vkey")
    // through a variable: bundlers rewrite `new URL(..., import.meta.url)` into asset imports
    const here = import.meta.url
    return new URL(`../../${file}`, here)
}

/**
 * Loads an artifact as bytes.
 * @param source A path (Node), a URL, or bytes (returned as they are).
 * @param name The parameter name, for errors.
 */
export async function loadArtifact(source: ArtifactSource, name: string): Promise<Uint8Array> {
    if (source instanceof Uint8Array) return source
    const text = source instanceof URL ? source.href : source
    if (typeof text !== "string" || text.length === 0) {
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be a file path, a URL or a Uint8Array`, name)
    }
    const isUrl = /^(https?|blob|data):/i.test(text) || !isNode
    try {
        if (isUrl) {
            const response = await fetch(text)
            if (!response.ok) throw new Error(`HTTP ${response.status}`)
            return new Uint8Array(await response.arrayBuffer())
        }
        const fsModule = "node:fs/promises" // a variable, so browser bundlers leave it alone
        const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import("node:fs/promises")
        return new Uint8Array(await fs.readFile(text.startsWith("file:") ? new URL(text) : text))
    } catch (error) {
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `${name} could not be loaded from ${text} (${(error as Error).message}); run \`npm run build:circuits\` or check the path`, name)
    }
}

/**
 * Loads a JSON artifact (the verification key).
 * @param source A path (Node), a URL, bytes or the parsed object.
 */
export async function loadJsonArtifact<T>(source: ArtifactSource | T, name: string): Promise<T> {
    if (typeof source === "object" && source !== null && !(source instanceof Uint8Array) && !(source instanceof URL)) return source as T
    const bytes = await loadArtifact(source as ArtifactSource, name)
    try {
        return JSON.parse(new TextDecoder().decode(bytes)) as T
    } catch {
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `${name} is not valid JSON`, name)
    }
}
