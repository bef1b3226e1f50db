/**
 * The proving artifacts (wasm 3 MB, zkey 6 MB; about 4.7 MB as served with brotli), loaded in
 * the prover worker and trusted only when they hash to the sha256 pinned in the bundle (from
 * circuits/artifacts.manifest.json, at build time). The pin, not the server, decides what is
 * current, so no request is made to ask:
 * - bytes already verified in this worker are kept in memory between proofs;
 * - else the Cache API copy is used if it hashes to the pin; a copy that does not (poisoned, or
 *   of an older build) is dropped and fetched again once;
 * - bytes from the network are cached only after they matched; bytes that do not match are
 *   refused with `ARTIFACT_TAMPERED` and never cached.
 * The download reports its progress in decompressed bytes against the pinned sizes.
 */
import { ZkCreditError } from "$prover/errors.ts"
import { matchesPin, requirePinned } from "$prover/integrity.ts"
import { pinsOf } from "$prover/pins.ts"

/** Set by app/vite.config.ts at build time: per pinned circuit, its verification key and artifact sizes. */
declare const __ZKCREDIT_CIRCUITS__: Record<string, { vkey: string; sizes: { wasm: number; zkey: number } }>

export const ARTIFACT_CACHE = "zkcredit-artifacts-v1"

/** Where an artifact came from this time: this worker's memory, the Cache API or the network. */
export type ArtifactOrigin = "memory" | "cache" | "network"

/** Download progress of the artifacts of one proof, in decompressed bytes. */
export interface DownloadProgress {
    bytesLoaded: number
    bytesTotal: number
}

/** What the network carried for the files downloaded this time (resource timing; zeros when none was). */
export interface TransferSizes {
    /** Bytes on the wire: headers and the (compressed) body. */
    transferSize: number
    /** The body as sent (compressed). */
    encodedBodySize: number
    /** The body after decompression. */
    decodedBodySize: number
}

/** A circuit's verified proving files. */
export interface ProvingFiles {
    wasm: Uint8Array
    zkey: Uint8Array
    /** The verification key, from the bundle. */
    vkey: Uint8Array
    /** The farthest any of the files came from. */
    origin: ArtifactOrigin
    transfer: TransferSizes
    /** Time spent hashing the files against their pins (the prover does not hash them again). */
    hashMs: number
}

const ORIGIN_RANK: Record<ArtifactOrigin, number> = { memory: 0, cache: 1, network: 2 }

/** Verified bytes, by their pinned sha256: the pin is what makes them current. */
const verified = new Map<string, Uint8Array>()

/**
 * Loads and verifies a circuit's wasm and zkey.
 * @param circuit The circuit name, as in circuits.json.
 * @param urls Where the wasm and zkey are served.
 * @param onProgress Called as bytes arrive (and once for files already at hand).
 * @throws ZkCreditError `ARTIFACT_TAMPERED` for bytes that are not the pinned build, `ARTIFACT_UNAVAILABLE` for an HTTP error.
 */
export async function loadProvingFiles(circuit: string, urls: { wasm: string; zkey: string }, onProgress: (progress: DownloadProgress) => void = () => {}): Promise<ProvingFiles> {
    const pins = pinsOf(circuit)
    const bundled = __ZKCREDIT_CIRCUITS__[circuit]
    if (!bundled) throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `this app build carries no verification key for ${circuit}: rebuild the app`, "circuit")
    const loaded = { wasm: 0, zkey: 0 }
    const hashing = { ms: 0 }
    const bytesTotal = bundled.sizes.wasm + bundled.sizes.zkey
    const report = () => onProgress({ bytesLoaded: loaded.wasm + loaded.zkey, bytesTotal })
    const load = (kind: "wasm" | "zkey") =>
        loadPinned(urls[kind], pins[kind], bundled.sizes[kind], `${circuit}.${kind}`, `artifacts.${kind}`, hashing, (n) => {
            loaded[kind] = n
            report()
        })
    const cache = typeof caches === "undefined" ? undefined : await caches.open(ARTIFACT_CACHE).catch(() => undefined)
    const [wasm, zkey] = await Promise.all([load("wasm"), load("zkey")].map((p) => p(cache)))
    const transfer: TransferSizes = { transferSize: 0, encodedBodySize: 0, decodedBodySize: 0 }
    for (const [kind, file] of [["wasm", wasm!], ["zkey", zkey!]] as const) {
        const entry = file.origin === "network" ? (performance.getEntriesByName(urls[kind], "resource").at(-1) as PerformanceResourceTiming | undefined) : undefined
        transfer.transferSize += entry?.transferSize ?? 0
        transfer.encodedBodySize += entry?.encodedBodySize ?? 0
        transfer.decodedBodySize += entry?.decodedBodySize ?? 0
    }
    return {
        wasm: wasm!.bytes,
        zkey: zkey!.bytes,
        vkey: new TextEncoder().encode(bundled.vkey),
        origin: ORIGIN_RANK[wasm!.origin] >= ORIGIN_RANK[zkey!.origin] ? wasm!.origin : zkey!.origin,
        transfer,
        hashMs: hashing.ms
    }
}

function loadPinned(url: string, pin: string, size: number, file: string, parameter: string, hashing: { ms: number }, onBytes: (loaded: number) => void) {
    // the clock starts before the call: WebCrypto may hash before it returns the promise
    const timed = async <T>(run: () => Promise<T>): Promise<T> => {
        const at = performance.now()
        try {
            return await run()
        } finally {
            hashing.ms += performance.now() - at
        }
    }
    return async (cache: Cache | undefined): Promise<{ bytes: Uint8Array; origin: ArtifactOrigin }> => {
        const inMemory = verified.get(pin)
        if (inMemory) {
            onBytes(inMemory.length)
            return { bytes: inMemory, origin: "memory" }
        }
        const cached = await cache?.match(url).catch(() => undefined)
        if (cached) {
            const bytes = new Uint8Array(await cached.arrayBuffer())
            if (await timed(() => matchesPin(bytes, pin))) {
                verified.set(pin, bytes)
                onBytes(bytes.length)
                return { bytes, origin: "cache" }
            }
            // poisoned or of another build: dropped, and fetched again once
            await cache!.delete(url).catch(() => false)
        }
        const bytes = await download(url, size, file, parameter, onBytes)
        await timed(() => requirePinned(bytes, pin, file, parameter))
        verified.set(pin, bytes)
        await cache?.put(url, new Response(bytes.slice(), { headers: { "content-type": "application/octet-stream" } })).catch(() => {})
        return { bytes, origin: "network" }
    }
}

/**
 * Fetches a file, reporting the decompressed bytes received so far (about every 50 ms). A body
 * longer than the pinned file is cut off and refused: a server cannot make the worker buffer
 * without end.
 */
async function download(url: string, size: number, file: string, parameter: string, onBytes: (loaded: number) => void): Promise<Uint8Array> {
    const response = await fetch(url, { cache: "no-store" })
    if (!response.ok || !response.body) throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `${file} could not be downloaded from ${url} (HTTP ${response.status}): check the connection and try again`, parameter)
    const chunks: Uint8Array[] = []
    let received = 0
    let reportedAt = 0
    const reader = response.body.getReader()
    for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        received += value.length
        if (received > size) {
            await reader.cancel().catch(() => {})
            throw new ZkCreditError("ARTIFACT_TAMPERED", `${file} from ${url} is longer than the pinned build (${size} bytes), so it is not that build: refused without reading it to the end. Reload the page; if it happens again, the server is serving other files`, parameter)
        }
        if (performance.now() - reportedAt > 50) {
            reportedAt = performance.now()
            onBytes(received)
        }
    }
    onBytes(received)
    const bytes = new Uint8Array(received)
    let offset = 0
    for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.length
    }
    return bytes
}
