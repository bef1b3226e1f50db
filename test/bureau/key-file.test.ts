import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadOrCreateBureauKeyFile, toKeyFile } from "../../bureau/src/index.ts"
import { createBureauKey } from "../../prover/src/index.ts"
import { BUREAU_PRIVATE_KEY } from "../helpers/fixtures.ts"

describe("bureau key file", () => {
    let dir: string
    beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "zkcredit-bureau-"))
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    it("creates a new key (owner-only, parent folders made) when the file is missing, and loads the same key next time", async () => {
        const path = join(dir, "nested", "bureau-key.json")
        const first = await loadOrCreateBureauKeyFile(path)
        expect(first.created).toBe(true)
        expect((await stat(path)).mode & 0o777).toBe(0o600)
        expect(JSON.parse(await readFile(path, "utf8"))).toEqual(toKeyFile(first.key))
        const second = await loadOrCreateBureauKeyFile(path)
        expect(second.created).toBe(false)
        expect(second.key).toEqual(first.key)
    })

    it("loads a file holding only { privateKey }", async () => {
        const path = join(dir, "minimal.json")
        await writeFile(path, JSON.stringify({ privateKey: BUREAU_PRIVATE_KEY }))
        expect((await loadOrCreateBureauKeyFile(path)).key.keyHash).toBe(createBureauKey(BUREAU_PRIVATE_KEY).keyHash)
    })

    it.each([
        ["not JSON", "privateKey=0x01"],
        ["no privateKey", "{}"],
        ["a short privateKey", JSON.stringify({ privateKey: "0x1234" })],
        ["a keyHash of another key", JSON.stringify({ ...toKeyFile(createBureauKey(BUREAU_PRIVATE_KEY)), keyHash: "1" })],
        ["a publicKey of another key", JSON.stringify({ privateKey: BUREAU_PRIVATE_KEY, publicKey: ["1", "2"] })]
    ])("refuses a file with %s, naming keyFile, and never overwrites it", async (_what, text) => {
        const path = join(dir, "bad.json")
        await writeFile(path, text)
        await expect(loadOrCreateBureauKeyFile(path)).rejects.toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "keyFile" }))
        expect(await readFile(path, "utf8")).toBe(text)
    })
})
