import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"

// TypeScript runs with its types stripped: nothing else would notice a type error
describe("types", () => {
    it("npm run typecheck passes (tsc for Node code and tests, svelte-check for the app)", () => {
        const result = spawnSync("npm", ["run", "--silent", "typecheck"], { cwd: process.cwd(), encoding: "utf8" })
        expect(`${result.stdout}\n${result.stderr}`.trim().slice(-3000)).not.toMatch(/error TS|Error:|[1-9]\d* errors?/)
        expect(result.status).toBe(0)
    }, 300_000)
})
