/**
 * The app's choice of markets to share repayment history from (no browser): a choice is checked
 * against the bureau's markets and the history proof's slots into the scopes to prove or a
 * translated problem, and the last choice is remembered on the device, less the markets the
 * bureau no longer reads.
 */
import { describe, expect, it } from "vitest"
import { checkSharedMarkets, rememberedMarkets, rememberMarkets, SHARED_MARKETS_KEY } from "../../app/src/lib/market-choice.ts"
import { HISTORY_PROOF_SLOTS } from "../../prover/src/history-proof.ts"
import { MAX_SHARED_MARKETS } from "../../bureau/src/market-choice.ts"

const OFFERED = Array.from({ length: 10 }, (_, i) => String(1000n + BigInt(i) * 7919n))

/** A Storage of one key, as localStorage holds it. */
function storage(initial?: string): Pick<Storage, "getItem" | "setItem"> & { value: string | null } {
    const s = {
        value: initial ?? null,
        getItem: (key: string) => (key === SHARED_MARKETS_KEY ? s.value : null),
        setItem: (key: string, value: string) => {
            if (key === SHARED_MARKETS_KEY) s.value = value
        }
    }
    return s
}

describe("checkSharedMarkets", () => {
    it("returns the chosen scopes, in order, once each; none is a valid choice", () => {
        expect(checkSharedMarkets([], OFFERED)).toEqual({ scopes: [] })
        expect(checkSharedMarkets([OFFERED[3]!, OFFERED[1]!, OFFERED[3]!], OFFERED)).toEqual({ scopes: [BigInt(OFFERED[3]!), BigInt(OFFERED[1]!)] })
    })

    it("refuses a market the bureau does not read, naming it", () => {
        expect(checkSharedMarkets([OFFERED[0]!, "123456789012345678"], OFFERED)).toEqual({ problem: { key: "share.unknownMarket", params: { market: "123456789012…" } } })
        expect(checkSharedMarkets(["0xabc"], OFFERED)).toEqual({ problem: { key: "share.unknownMarket", params: { market: "0xabc" } } })
    })

    it("accepts as many markets as the proof has slots, and refuses one more", () => {
        expect(MAX_SHARED_MARKETS).toBe(HISTORY_PROOF_SLOTS)
        const all = OFFERED.slice(0, MAX_SHARED_MARKETS + 1)
        expect(checkSharedMarkets(all.slice(0, MAX_SHARED_MARKETS), OFFERED)).toEqual({ scopes: all.slice(0, MAX_SHARED_MARKETS).map(BigInt) })
        expect(checkSharedMarkets(all, OFFERED)).toEqual({ problem: { key: "share.tooManyMarkets", params: { count: MAX_SHARED_MARKETS + 1, max: MAX_SHARED_MARKETS } } })
    })
})

describe("the remembered choice", () => {
    it("is none until a choice was made, then that choice", () => {
        const s = storage()
        expect(rememberedMarkets(s, OFFERED)).toEqual([])
        rememberMarkets(s, [BigInt(OFFERED[2]!), BigInt(OFFERED[5]!)])
        expect(rememberedMarkets(s, OFFERED)).toEqual([OFFERED[2], OFFERED[5]])
        rememberMarkets(s, [])
        expect(rememberedMarkets(s, OFFERED)).toEqual([])
    })

    it("drops markets the bureau no longer reads, and anything that is not a kept choice", () => {
        expect(rememberedMarkets(storage(JSON.stringify([OFFERED[1], "42", OFFERED[4]])), OFFERED)).toEqual([OFFERED[1], OFFERED[4]])
        for (const kept of ["{", "null", '"x"', "[1,2]", '{"0":"1000"}']) expect(rememberedMarkets(storage(kept), OFFERED), kept).toEqual([])
    })
})
