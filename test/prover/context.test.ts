/**
 * The credit proof's `context` signal: message, threshold and time packed as the circuit and the
 * verifier contract pack them, and unpacked again; every part out of its width refused by name.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MESSAGE_BITS, packContext, SCORE_BITS, SNARK_SCALAR_FIELD, TIME_BITS, unpackContext } from "../../prover/src/index.ts"

const width = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })

describe("# packContext / unpackContext", () => {
    it("packs message * 2^56 + threshold * 2^40 + currentTime, and unpacks it to the same parts", () => {
        expect(packContext({ message: 1n, threshold: 2n, currentTime: 3n })).toBe((1n << 56n) + (2n << 40n) + 3n)
        fc.assert(
            fc.property(width(MESSAGE_BITS), width(SCORE_BITS), width(TIME_BITS), (message, threshold, currentTime) => {
                const context = packContext({ message, threshold, currentTime })
                expect(context < 1n << BigInt(MESSAGE_BITS + SCORE_BITS + TIME_BITS)).toBe(true)
                expect(unpackContext(context)).toEqual({ message, threshold, currentTime })
            })
        )
    })

    it("stays below the field: its 160 + 16 + 40 = 216 bits have one split", () => {
        expect([MESSAGE_BITS, SCORE_BITS, TIME_BITS]).toEqual([160, 16, 40])
        expect(1n << BigInt(MESSAGE_BITS + SCORE_BITS + TIME_BITS) < SNARK_SCALAR_FIELD).toBe(true)
    })

    it("refuses a part at or above its width, or negative, naming it", () => {
        for (const [name, bits] of [
            ["message", MESSAGE_BITS],
            ["threshold", SCORE_BITS],
            ["currentTime", TIME_BITS]
        ] as const) {
            for (const value of [1n << BigInt(bits), -1n]) {
                const parts = { message: 0n, threshold: 0n, currentTime: 0n, [name]: value }
                expect(() => packContext(parts)).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: name }))
            }
        }
    })

    it("refuses to unpack a value wider than its three parts", () => {
        expect(() => unpackContext(1n << BigInt(MESSAGE_BITS + SCORE_BITS + TIME_BITS))).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "context" }))
        expect(() => unpackContext(-1n)).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "context" }))
    })
})
