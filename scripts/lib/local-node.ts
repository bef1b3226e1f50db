/**
 * A Hardhat node as a child process on 127.0.0.1, started so that stopping it stops everything it
 * started (killing only a wrapper leaves the port taken): in its own process group on Linux and
 * macOS, as a process tree that `taskkill /T` ends on Windows, which has no process groups.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createConnection } from "node:net"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** A running local chain. */
export interface LocalNode {
    /** JSON-RPC URL, http://127.0.0.1:<port>. */
    url: string
    port: number
    /** Stops the node and waits until its port is free. */
    stop(): Promise<void>
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isPortTaken(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = createConnection({ host: "127.0.0.1", port })
        socket.once("connect", () => {
            socket.destroy()
            resolve(true)
        })
        socket.once("error", () => resolve(false))
    })
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
        if (await check()) return
        await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Asks a JSON-RPC endpoint for its chain id; undefined when it does not answer. */
export async function rpcChainId(url: string): Promise<bigint | undefined> {
    try {
        const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] })
        })
        const body = (await response.json()) as { result?: string }
        return body.result === undefined ? undefined : BigInt(body.result)
    } catch {
        return undefined
    }
}

/**
 * Options for `spawn` that make the child the leader of a new process group on POSIX systems
 * (setsid, as `detached` does there), for {@link killProcessGroup}. On Windows `detached` would
 * open a console window instead, and the process tree is what taskkill ends: not detached.
 */
export function ownProcessGroup(platform: NodeJS.Platform = process.platform): { detached: boolean; windowsHide: boolean } {
    return { detached: platform !== "win32", windowsHide: true }
}

/**
 * Stops a child started with {@link ownProcessGroup} and everything it started. Linux and macOS:
 * SIGTERM to its process group, then SIGKILL if it is still there after `graceMs`. Windows:
 * `taskkill /PID <pid> /T /F` on its process tree, at once (a console program there gets no
 * SIGTERM to exit cleanly on).
 */
export async function killProcessGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    if (process.platform === "win32") {
        const result = spawnSync("taskkill", ["/PID", String(child.pid), "/T", "/F"], { windowsHide: true, encoding: "utf8" })
        // exit code 128: no such process (it exited meanwhile)
        if (result.status !== 0 && result.status !== 128) throw new Error(`taskkill /PID ${child.pid} /T /F failed (exit code ${result.status}): ${(result.stderr || result.stdout).trim()}`)
        await exited
        return
    }
    try {
        process.kill(-child.pid, "SIGTERM")
    } catch {
        return
    }
    const timer = setTimeout(() => {
        try {
            process.kill(-child.pid!, "SIGKILL")
        } catch {
            // already gone
        }
    }, graceMs)
    await exited
    clearTimeout(timer)
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` and waits until it answers.
 * @param options.port Default 8545.
 * @param options.log Where the node's output goes (default: discarded).
 */
export async function startLocalNode(options: { port?: number; log?: (line: string) => void; timeoutMs?: number } = {}): Promise<LocalNode> {
    const port = options.port ?? 8545
    const url = `http://127.0.0.1:${port}`
    if (await isPortTaken(port)) {
        throw new Error(`port ${port} is taken: another chain is running there (stop it, or pick another port)`)
    }
    const child = spawn(process.execPath, [`${root}node_modules/hardhat/dist/src/cli.js`, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
        cwd: root,
        ...ownProcessGroup(),
        stdio: ["ignore", "pipe", "pipe"]
    })
    const forward = (chunk: Buffer) => {
        if (options.log) for (const line of chunk.toString().split("\n")) if (line.trim()) options.log(line)
    }
    child.stdout?.on("data", forward)
    child.stderr?.on("data", forward)
    let exitCode: number | null = null
    child.once("exit", (code) => {
        exitCode = code
    })
    try {
        await waitFor(async () => {
            if (exitCode !== null) throw new Error(`hardhat node exited with code ${exitCode} before answering on ${url}`)
            return (await rpcChainId(url)) !== undefined
        }, options.timeoutMs ?? 60_000, `the chain on ${url}`)
    } catch (error) {
        await killProcessGroup(child)
        throw error
    }
    return {
        url,
        port,
        async stop() {
            await killProcessGroup(child)
            await waitFor(async () => !(await isPortTaken(port)), 10_000, `port ${port} to be free`)
        }
    }
}
