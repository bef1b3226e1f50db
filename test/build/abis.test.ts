import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ABIS_FILE, renderAbis } from "../../scripts/export-abis.ts"

describe("generated ABIs", () => {
    it("client/src/generated/abis.ts matches the compiled contracts (run npm run build:contracts and commit it)", async () => {
        expect(readFileSync(ABIS_FILE, "utf8")).toBe(await renderAbis())
    })
})
