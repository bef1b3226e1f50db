/**
 * Load: borrowers proving and borrowing all at once against a real local chain process, with
 * several lenders (lib/load.ts). CI runs 10 borrowers and 3 lenders; `ZKCREDIT_FULL=1` runs 100
 * borrowers and 4 lenders, as `npm run bench` does (bench/load.ts writes bench/results/load.json).
 * Nothing may be lost: every borrower gets exactly one loan under their own pseudonym, tokens are
 * conserved, the market holds what its offers have available, available + lent = capacity.
 */
import { describe, expect, it } from "vitest"
import { runLoad } from "./lib/load.ts"
import { testPort } from "../helpers/ports.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
const BORROWERS = FULL ? 100 : 10
const LENDERS = FULL ? 4 : 3

describe("load", () => {
    it("borrowers prove and borrow concurrently from several lenders on a local chain process: every loan lands, nothing is lost (10 in CI, 100 with ZKCREDIT_FULL=1)", { timeout: FULL ? 1_800_000 : 300_000 }, async () => {
        const result = await runLoad({ borrowers: BORROWERS, lenders: LENDERS, firstPort: testPort(9200), log: (line) => console.log(`load: ${line}`) })
        console.log(`load: ${JSON.stringify(result)}`)
        expect(result.failures).toEqual([])
        expect(result.failed).toBe(0)
        expect(result.loans).toBe(BORROWERS)
        expect(result.checks).toEqual({
            oneLoanPerBorrower: true,
            pseudonymsDistinctAndTheirs: true,
            tokensConserved: true,
            marketHoldsAvailable: true,
            offersAvailablePlusLentIsCapacity: true
        })
    })
})
