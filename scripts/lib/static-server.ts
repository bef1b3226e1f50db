/**
 * The static file server of the built app (a single-page app), on sirv: it serves the
 * precompressed `.br` next to a file to clients that accept brotli (`Content-Encoding: br`,
 * `Vary: Accept-Encoding`, the original file's `Content-Type`), the file itself to the others,
 * with ETags and conditional requests. sirv was chosen over the hand-written server it replaces
 * because that is all of this plumbing in one small, widely used package (no dependencies
 * beyond its own three). The proving artifacts are in the build (app/build/artifacts, written
 * by scripts/lib/app-build.ts with their `.br`). Also: runtime JSON (the config) and extra files
 * mapped by URL path, served as they are.
 */
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import sirv from "sirv"

/** Types sirv's table does not know. */
const EXTRA_TYPES: Record<string, string> = { ".zkey": "application/octet-stream" }

/** Content types of the extra files (`files`), by extension; any other is octet-stream. */
const FILE_TYPES: Record<string, string> = { ".wasm": "application/wasm", ".json": "application/json; charset=utf-8", ".js": "text/javascript; charset=utf-8" }

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
    /** Folder of the built site. */
    dir: string
    port: number
    /** URL path -> file on disk, served as it is (uncompressed) before `dir`, e.g. a test's replacement bytes. */
    files?: Record<string, string>
    /** URL path -> JSON produced on each request (e.g. "/config.json"). */
    json?: Record<string, () => unknown>
}

/** A running static server. */
export interface StaticServer {
    url: string
    close(): Promise<void>
}

/** Starts the server on 127.0.0.1:`port` (0 for any free port). */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
    const site = sirv(options.dir, {
        brotli: true,
        etag: true,
        single: true,
        setHeaders(response, pathname) {
            const extra = Object.entries(EXTRA_TYPES).find(([ext]) => pathname.endsWith(ext))
            if (extra) response.setHeader("content-type", extra[1])
            // hashed bundle files never change; everything else is revalidated by ETag
            response.setHeader("cache-control", pathname.startsWith("/_app/immutable/") ? "public, max-age=31536000, immutable" : "no-cache")
        }
    })
    const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
        const path = safePath(request.url)
        if (request.method !== "GET" && request.method !== "HEAD") {
            response.writeHead(405, { allow: "GET, HEAD" }).end()
            return
        }
        const produce = path === undefined ? undefined : options.json?.[path]
        if (produce) {
            response.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(JSON.stringify(produce()))
            return
        }
        const file = path === undefined ? undefined : options.files?.[path]
        if (file) {
            void sendFile(request, response, file)
            return
        }
        site(request, response, () => {
            response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found")
        })
    })
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject)
        server.listen(options.port, "127.0.0.1", () => resolve())
    })
    const address = server.address()
    const port = typeof address === "object" && address ? address.port : options.port
    return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections()
                server.close(() => resolve())
            })
    }
}

function safePath(url: string | undefined): string | undefined {
    try {
        return decodeURIComponent(new URL(url ?? "/", "http://localhost").pathname)
    } catch {
        return undefined
    }
}

async function sendFile(request: IncomingMessage, response: ServerResponse, file: string): Promise<void> {
    try {
        const info = await stat(file)
        // a worker's importScripts refuses a script not served as JavaScript
        const type = Object.entries(FILE_TYPES).find(([ext]) => file.endsWith(ext))?.[1] ?? "application/octet-stream"
        response.writeHead(200, { "content-type": type, "content-length": info.size, "cache-control": "no-cache" })
        if (request.method === "HEAD") response.end()
        else createReadStream(file).pipe(response)
    } catch {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found")
    }
}
