/**
 * A small static file server for the built app (a single-page app): files from `dir`, extra
 * files mapped by URL path (artifacts, runtime config), and index.html for every other path.
 */
import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { extname, join, normalize, sep } from "node:path"

const TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".zkey": "application/octet-stream"
}

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
    /** Folder of the built site. */
    dir: string
    port: number
    /** URL path -> file on disk, served before `dir` (e.g. "/artifacts/credit-proof.zkey"). */
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
    const root = normalize(options.dir)
    const server: Server = createServer(async (request, response) => {
        try {
            const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname)
            if (request.method !== "GET" && request.method !== "HEAD") {
                response.writeHead(405, { allow: "GET, HEAD" }).end()
                return
            }
            const produce = options.json?.[path]
            if (produce) {
                response.writeHead(200, { "content-type": TYPES[".json"]!, "cache-control": "no-store" }).end(JSON.stringify(produce()))
                return
            }
            let file = options.files?.[path]
            if (!file) {
                const candidate = normalize(join(root, path === "/" ? "index.html" : path))
                // never serve outside the site folder
                file = candidate.startsWith(root + sep) && (await isFile(candidate)) ? candidate : join(root, "index.html")
            }
            const info = await stat(file)
            const immutable = path.startsWith("/_app/immutable/")
            response.writeHead(200, {
                "content-type": TYPES[extname(file)] ?? "application/octet-stream",
                "content-length": info.size,
                "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
                etag: `"${info.size.toString(16)}-${info.mtimeMs.toString(16)}"`
            })
            if (request.method === "HEAD") response.end()
            else createReadStream(file).pipe(response)
        } catch {
            if (!response.headersSent) response.writeHead(404, { "content-type": TYPES[".txt"]! })
            response.end("not found")
        }
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

async function isFile(path: string): Promise<boolean> {
    try {
        return (await stat(path)).isFile()
    } catch {
        return false
    }
}
