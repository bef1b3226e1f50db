import { AbiCoder, keccak256 } from "ethers"
import { describe, expect, it } from "vitest"
import { computeMessage, computeScope, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { BORROW } from "../helpers/fixtures.ts"

const abi = AbiCoder.defaultAbiCoder()

describe("scope and message", () => {
    describe("# computeScope", () => {
        it("is keccak256(abi.encode(chainId, market)) >> 8, below the field", () => {
            const expected = BigInt(keccak256(abi.encode(["uint256", "address"], [31337, BORROW.market]))) >> 8n
            expect(computeScope(31337, BORROW.market)).toBe(expected)
            expect(expected).toBeLessThan(SNARK_SCALAR_FIELD)
        })

        it("differs per chain and per market, and ignores address case", () => {
            expect(computeScope(1, BORROW.market)).not.toBe(computeScope(31337, BORROW.market))
            expect(computeScope(1, BORROW.borrower)).not.toBe(computeScope(1, BORROW.market))
            expect(computeScope(1, BORROW.market.toLowerCase())).toBe(computeScope(1, BORROW.market))
        })

        it("refuses bad chain ids and addresses", () => {
            expect(() => computeScope(-1, BORROW.market)).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "chainId" }))
            expect(() => computeScope(1, "0x1234")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "market" }))
        })
    })

    describe("# computeMessage", () => {
        it("is keccak256(abi.encode(chainId, market, borrower, offerId, tier, principal)) >> 96: its top 160 bits", () => {
            const encoded = abi.encode(["uint256", "address", "address", "uint256", "uint256", "uint256"], [BORROW.chainId, BORROW.market, BORROW.borrower, BORROW.offerId, BORROW.tier, BORROW.principal])
            expect(computeMessage(BORROW)).toBe(BigInt(keccak256(encoded)) >> 96n)
            expect(computeMessage(BORROW) < 1n << 160n).toBe(true)
        })

        it("changes with every field", () => {
            const base = computeMessage(BORROW)
            const variants = [
                { ...BORROW, chainId: 1n },
                { ...BORROW, market: BORROW.borrower },
                { ...BORROW, borrower: BORROW.market },
                { ...BORROW, offerId: 1n },
                { ...BORROW, tier: 0n },
                { ...BORROW, principal: BORROW.principal + 1n }
            ]
            for (const variant of variants) expect(computeMessage(variant)).not.toBe(base)
        })

        it("names the bad field", () => {
            expect(() => computeMessage({ ...BORROW, borrower: "me" })).toThrowError(expect.objectContaining({ parameter: "borrower" }))
            expect(() => computeMessage({ ...BORROW, principal: 2n ** 256n })).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "principal" }))
            expect(() => computeMessage(null as never)).toThrowError(expect.objectContaining({ parameter: "message" }))
        })
    })
})
