/**
 * The app's amount and percent parsing (no browser): what each mistake is called, that an
 * amount above what the action accepts is refused, that "20" and "20%" mean the same, and how
 * wide a field must be for its placeholder (the browser tests check the result on the pages).
 */
import { describe, expect, it } from "vitest"
import { amountInputText, checkAmount, parsePercent, placeholderWidth } from "../../app/src/lib/format.ts"

describe("checkAmount", () => {
    it("returns the value in the token's smallest unit for what a person types", () => {
        expect(checkAmount("200", 6)).toEqual({ value: 200_000_000n })
        expect(checkAmount(" 1,234.5 ", 6)).toEqual({ value: 1_234_500_000n })
        expect(checkAmount("0.000001", 6)).toEqual({ value: 1n })
        expect(checkAmount(".5", 6)).toEqual({ value: 500_000n })
        expect(checkAmount("5.", 6)).toEqual({ value: 5_000_000n })
    })

    it("names each mistake, and says nothing of an empty field", () => {
        expect(checkAmount("", 6)).toBeUndefined()
        expect(checkAmount("   ", 6)).toBeUndefined()
        for (const text of ["abc", "1e3", "0x10", "1.2.3", "--5", "5-", "½"]) expect(checkAmount(text, 6), text).toEqual({ problem: { key: "amount.notNumber" } })
        for (const text of ["0", "0.000", "-5", "-0.5"]) expect(checkAmount(text, 6), text).toEqual({ problem: { key: "amount.notPositive" } })
        expect(checkAmount("1.1234567", 6)).toEqual({ problem: { key: "amount.tooManyDecimals", params: { decimals: 6 } } })
        expect(checkAmount("1.5", 0)).toEqual({ problem: { key: "amount.tooManyDecimals", params: { decimals: 0 } } })
    })

    it("refuses more than the action accepts, and accepts exactly that much", () => {
        expect(checkAmount("1000.000001", 6, 1_000_000_000n)).toEqual({ problem: { key: "amount.tooHigh", params: { max: { amount: 1_000_000_000n } } } })
        expect(checkAmount("1000", 6, 1_000_000_000n)).toEqual({ value: 1_000_000_000n })
    })

    it("round-trips with the text an input is given", () => {
        for (const value of [1n, 1_000_000n, 1_234_567_891n]) expect(checkAmount(amountInputText(value, 6), 6)).toEqual({ value })
    })
})

describe("parsePercent", () => {
    it('takes "20", "20%", "20 %" and the full-width ％ alike, within bounds', () => {
        for (const text of ["20", "20%", "20 %", " 20％ "]) expect(parsePercent(text, 0, 100), text).toBe(20)
        expect(parsePercent("12.5%", 0, 100)).toBe(12.5)
        for (const text of ["", "%", "abc%", "101%", "-1", "20%%"]) expect(parsePercent(text, 0, 100), text).toBeUndefined()
    })
})

describe("placeholderWidth", () => {
    it("counts a Chinese or full-width character as two, keeps a minimum, and adds the field's padding", () => {
        expect(placeholderWidth("at most 8,000.000000")).toBe("calc(21ch + 1.3rem)")
        // 最多 = 4, the space and 12 digits and marks = 13, one to spare
        expect(placeholderWidth("最多 8,000.000000")).toBe("calc(18ch + 1.3rem)")
        expect(placeholderWidth("例如（５００）")).toBe("calc(15ch + 1.3rem)")
        expect(placeholderWidth("e.g. 5")).toBe("calc(8ch + 1.3rem)")
        expect(placeholderWidth("e.g. 5", 3)).toBe("calc(7ch + 1.3rem)")
    })
})
