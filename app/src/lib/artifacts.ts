/**
 * The proving artifacts (wasm 3 MB, zkey 6 MB) in the Cache API: downloaded once, then read from
 * the cache, also after a reload. Each use asks the server with a cheap HEAD whether the file
 * changed (its ETag and length); a new circuit build replaces the cached copy. Offline, the
 * cached copy is used as it is. Runs in the prover worker (the Cache API exists there too).
 */
export const ARTIFACT_CACHE = "zkcredit-artifacts-v1"

/** Where an artifact came from this time. */
export type ArtifactOrigin = "cache" | "network"

function fingerprint(headers: Headers): string {
    return `${headers.get("etag") ?? ""}|${headers.get("content-length") ?? ""}`
}

/** The bytes of an artifact, from the cache when it is current, else from the network (then cached). */
export async function loadCachedArtifact(url: string): Promise<{ bytes: Uint8Array; origin: ArtifactOrigin }> {
    const cache = typeof caches === "undefined" ? undefined : await caches.open(ARTIFACT_CACHE).catch(() => undefined)
    const cached = await cache?.match(url)
    if (cached) {
        const head = await fetch(url, { method: "HEAD", cache: "no-store" }).catch(() => undefined)
        const current = !head || !head.ok || fingerprint(head.headers) === cached.headers.get("x-zkcredit-fingerprint")
        if (current) return { bytes: new Uint8Array(await cached.arrayBuffer()), origin: "cache" }
    }
    const response = await fetch(url, { cache: "no-store" })
    if (!response.ok) throw Object.assign(new Error(`${url}: HTTP ${response.status}`), { name: "ZkCreditError", code: "ARTIFACT_UNAVAILABLE" })
    const bytes = new Uint8Array(await response.arrayBuffer())
    if (cache) {
        const headers = new Headers({ "content-type": "application/octet-stream", "x-zkcredit-fingerprint": fingerprint(response.headers) })
        await cache.put(url, new Response(bytes.slice(), { headers })).catch(() => {})
    }
    return { bytes, origin: "network" }
}
