import { beforeAll, expect, it, vi } from "vitest"
import { describeInBrowser } from "../helpers.ts"
vi.mock("../../helpers/chromium.ts", async (importOriginal) => {
    const real = await importOriginal<typeof import("../../helpers/chromium.ts")>()
    return { ...real, findChromium: () => real.findChromium({ isExecutable: () => false }) }
})
beforeAll(() => { throw new Error("the platform started although the suite is skipped") })
describeInBrowser("drives the browser", () => { it("runs", () => { expect(1).toBe(1) }) })
