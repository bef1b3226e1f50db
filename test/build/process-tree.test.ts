/**
 * Stopping a local chain stops everything it started (scripts/lib/local-node.ts), checked with a
 * small process tree of this platform's own kind: a parent that starts a child holding a TCP port,
 * as `hardhat node` behind a wrapper would. On Linux and macOS the parent leads its own process
 * group; on Windows taskkill ends the tree.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { isPortTaken, killProcessGroup, ownProcessGroup, waitFor } from "../../scripts/lib/local-node.ts"

// the child listens on a free port and prints it; the parent stays until it is stopped
const CHILD = `require("node:net").createServer().listen(0, "127.0.0.1", function () { console.log(this.address().port) })`
const PARENT = `require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(CHILD)}], { stdio: ["ignore", "inherit", "inherit"] }); setInterval(() => {}, 1000)`

const started: ChildProcess[] = []
afterEach(async () => {
    for (const parent of started.splice(0)) await killProcessGroup(parent, 500)
})

/** Starts the tree; resolves with the parent and the port its child holds. */
async function startTree(): Promise<{ parent: ChildProcess; port: number }> {
    const parent = spawn(process.execPath, ["-e", PARENT], { ...ownProcessGroup(), stdio: ["ignore", "pipe", "inherit"] })
    started.push(parent)
    const port = await new Promise<number>((resolve, reject) => {
        parent.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())))
        parent.once("exit", (code) => reject(new Error(`the parent exited with code ${code} before its child listened`)))
    })
    expect(await isPortTaken(port)).toBe(true)
    return { parent, port }
}

describe("stopping a process tree (local chain)", () => {
    it("spawns in a new process group on Linux and macOS, not detached on Windows (a console window there)", () => {
        expect(ownProcessGroup("linux")).toEqual({ detached: true, windowsHide: true })
        expect(ownProcessGroup("darwin")).toEqual({ detached: true, windowsHide: true })
        expect(ownProcessGroup("win32")).toEqual({ detached: false, windowsHide: true })
    })

    it("killProcessGroup stops the parent and the child that holds the port", async () => {
        const { parent, port } = await startTree()
        await killProcessGroup(parent)
        expect(parent.exitCode !== null || parent.signalCode !== null).toBe(true)
        await waitFor(async () => !(await isPortTaken(port)), 5_000, `port ${port} to be free`)
        expect(await isPortTaken(port)).toBe(false)
    })

    // POSIX: an orphan stays in its group, so the group can still be stopped after the check
    it.runIf(process.platform !== "win32")("killing only the parent leaves the child's port taken (why the whole group is stopped)", async () => {
        const { parent, port } = await startTree()
        const exited = new Promise((resolve) => parent.once("exit", resolve))
        parent.kill("SIGKILL")
        await exited
        await new Promise((r) => setTimeout(r, 300))
        expect(await isPortTaken(port)).toBe(true)
        process.kill(-parent.pid!, "SIGTERM")
        await waitFor(async () => !(await isPortTaken(port)), 5_000, `port ${port} to be free`)
    })

    it("does nothing for a process that has already exited", async () => {
        const done = spawn(process.execPath, ["-e", "0"], { ...ownProcessGroup(), stdio: "ignore" })
        await new Promise((resolve) => done.once("exit", resolve))
        await expect(killProcessGroup(done)).resolves.toBeUndefined()
    })
})
