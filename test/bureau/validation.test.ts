/**
 * Every bad input is refused with a BureauInputError that names its field and says what a
 * valid value is.
 */
import { describe, expect, it } from "vitest"
import {
    APPLICANT_FIELDS,
    BureauInputError,
    isBureauInputError,
    parseApplicant,
    parseAttestationRequest,
    parseOnChainRecord,
    parseScoreRequest,
    type BureauInputErrorCode
} from "../../bureau/src/index.ts"
import { SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { GOOD_PERSON, GOOD_SME } from "./examples.ts"

function caught(fn: () => unknown): BureauInputError {
    try {
        fn()
    } catch (error) {
        if (isBureauInputError(error)) return error
        throw error
    }
    throw new Error("expected a BureauInputError, nothing was thrown")
}

const withField = (base: object, name: string, value: unknown): Record<string, unknown> => ({ ...base, [name]: value })
const withoutField = (base: object, name: string): Record<string, unknown> => Object.fromEntries(Object.entries(base).filter(([key]) => key !== name))

type Case = [description: string, input: unknown, field: string, code: BureauInputErrorCode]

/** For every field of both kinds: each way the field can be wrong. */
function fieldCases(): Case[] {
    const cases: Case[] = []
    for (const [kind, base] of [
        ["person", GOOD_PERSON],
        ["sme", GOOD_SME]
    ] as const) {
        for (const spec of APPLICANT_FIELDS[kind]) {
            const field = `applicant.${spec.name}`
            const bad = (what: string, value: unknown, code: BureauInputErrorCode): void => {
                cases.push([`${kind}.${spec.name} ${what}`, withField(base, spec.name, value), field, code])
            }
            cases.push([`${kind}.${spec.name} missing`, withoutField(base, spec.name), field, "MISSING_FIELD"])
            bad("undefined", undefined, "MISSING_FIELD")
            bad("as a string", spec.type === "integer" ? "12" : "0.5", "WRONG_TYPE")
            bad("as a boolean", true, "WRONG_TYPE")
            bad("as an array", [1], "WRONG_TYPE")
            bad("as an object", { value: 1 }, "WRONG_TYPE")
            bad("as a bigint", 1n, "WRONG_TYPE")
            bad("negative", -1, "OUT_OF_RANGE")
            bad("above its cap", spec.max + 1, "OUT_OF_RANGE")
            bad("huge", 1e300, "OUT_OF_RANGE")
            if (spec.type === "integer") {
                bad("null", null, "WRONG_TYPE")
                bad("NaN", Number.NaN, "NOT_AN_INTEGER")
                bad("Infinity", Number.POSITIVE_INFINITY, "NOT_AN_INTEGER")
                bad("-Infinity", Number.NEGATIVE_INFINITY, "NOT_AN_INTEGER")
                bad("a fraction", 1.5, "NOT_AN_INTEGER")
                bad("a tiny fraction", 0.000001, "NOT_AN_INTEGER")
            } else {
                bad("NaN", Number.NaN, "OUT_OF_RANGE")
                bad("Infinity", Number.POSITIVE_INFINITY, "OUT_OF_RANGE")
                bad("just above 1", 1.0000001, "OUT_OF_RANGE")
            }
        }
    }
    return cases
}

const shapeCases: Case[] = [
    ["null", null, "applicant", "WRONG_TYPE"],
    ["an array", [GOOD_PERSON], "applicant", "WRONG_TYPE"],
    ["a number", 700, "applicant", "WRONG_TYPE"],
    ["JSON text that is not JSON", "{kind: person}", "applicant", "INVALID_JSON"],
    ["JSON text of an array", "[]", "applicant", "WRONG_TYPE"],
    ["no kind", withoutField(GOOD_PERSON, "kind"), "applicant.kind", "MISSING_FIELD"],
    ["an unknown kind", withField(GOOD_PERSON, "kind", "company"), "applicant.kind", "INVALID_VALUE"],
    ["kind in capitals", withField(GOOD_PERSON, "kind", "PERSON"), "applicant.kind", "INVALID_VALUE"],
    ["a numeric kind", withField(GOOD_PERSON, "kind", 1), "applicant.kind", "INVALID_VALUE"],
    ["a typo'd field", withField(withoutField(GOOD_PERSON, "monthlyIncomeYuan"), "monthlyIncome", 15_000), "applicant.monthlyIncome", "UNKNOWN_FIELD"],
    ["an SME field on a person", withField(GOOD_PERSON, "monthsInBusiness", 12), "applicant.monthsInBusiness", "UNKNOWN_FIELD"],
    ["a person field on an SME", withField(GOOD_SME, "monthlyIncomeYuan", 12), "applicant.monthlyIncomeYuan", "UNKNOWN_FIELD"],
    ["a score inside the applicant", withField(GOOD_PERSON, "score", 850), "applicant.score", "UNKNOWN_FIELD"],
    ["an on-chain record inside the applicant", withField(GOOD_PERSON, "onChainRecord", {}), "applicant.onChainRecord", "UNKNOWN_FIELD"],
    ["__proto__ from JSON", JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(GOOD_PERSON).slice(1)}`), "applicant.__proto__", "UNKNOWN_FIELD"]
]

describe("validation", () => {
    describe("# parseApplicant", () => {
        it.each([...shapeCases, ...fieldCases()])("refuses %s, naming the field", (_description, input, field, code) => {
            const error = caught(() => parseApplicant(input))
            expect(error).toBeInstanceOf(BureauInputError)
            expect({ field: error.field, code: error.code }).toEqual({ field, code })
            // the message names the field and, for a bad value, what a valid one is
            expect(error.message).toContain(field)
            if (code !== "UNKNOWN_FIELD" && code !== "INVALID_JSON" && field !== "applicant") expect(error.message).toMatch(/from 0 to|"person" or "sme"/)
        })

        it("never repeats a string's content in a message (applicants' data is personal)", () => {
            expect(caught(() => parseApplicant(withField(GOOD_PERSON, "kind", "Zhang San 110101199003071234"))).message).not.toContain("Zhang")
            expect(caught(() => parseApplicant(withField(GOOD_PERSON, "monthlyIncomeYuan", "Zhang San"))).message).not.toContain("Zhang")
        })

        it("accepts the caps, zero and null utilisation, and keeps only known fields", () => {
            const maxed = Object.fromEntries(APPLICANT_FIELDS.person.map((f) => [f.name, f.max]))
            expect(parseApplicant({ kind: "person", ...maxed })).toEqual({ kind: "person", ...maxed })
            const zero = Object.fromEntries(APPLICANT_FIELDS.sme.map((f) => [f.name, 0]))
            expect(parseApplicant({ kind: "sme", ...zero, creditUtilisation: null })).toEqual({ kind: "sme", ...zero, creditUtilisation: null })
            expect(parseApplicant(JSON.stringify(GOOD_SME))).toEqual(GOOD_SME)
            expect(parseApplicant({ ...GOOD_PERSON, creditUtilisation: -0, pastDefaults: -0 })).toEqual({ ...GOOD_PERSON, creditUtilisation: 0, pastDefaults: 0 })
        })

        it("prefixes fields with the given path", () => {
            expect(caught(() => parseApplicant({ kind: "x" }, "data.applicant")).field).toBe("data.applicant.kind")
        })
    })

    describe("# parseOnChainRecord", () => {
        const record = { loansTaken: 3, loansRepaid: 2, lateInstalments: 1, defaults: 0 }

        it("accepts numbers and bigints (as ethers returns them) and ignores other properties", () => {
            expect(parseOnChainRecord({ loansTaken: 3n, loansRepaid: 2n, lateInstalments: 1n, defaults: 0n, activeLoans: 1n, lastProofTime: 1_800_000_000n })).toEqual(record)
        })

        it.each<Case>([
            ["null", null, "record", "WRONG_TYPE"],
            ["a missing count", withoutField(record, "defaults"), "record.defaults", "MISSING_FIELD"],
            ["a negative count", withField(record, "loansRepaid", -1), "record.loansRepaid", "OUT_OF_RANGE"],
            ["a negative bigint", withField(record, "loansRepaid", -1n), "record.loansRepaid", "OUT_OF_RANGE"],
            ["a count above uint32", withField(record, "lateInstalments", 2 ** 32), "record.lateInstalments", "OUT_OF_RANGE"],
            ["a bigint above uint32", withField(record, "lateInstalments", 2n ** 32n), "record.lateInstalments", "OUT_OF_RANGE"],
            ["a fraction", withField(record, "loansTaken", 0.5), "record.loansTaken", "NOT_AN_INTEGER"],
            ["a string", withField(record, "loansTaken", "1"), "record.loansTaken", "WRONG_TYPE"]
        ])("refuses %s", (_description, input, field, code) => {
            const error = caught(() => parseOnChainRecord(input))
            expect({ field: error.field, code: error.code }).toEqual({ field, code })
        })
    })

    describe("# request bodies", () => {
        const applicant = GOOD_PERSON
        const commitment = "12345678901234567890"

        it("parses a score request and an attestation request", () => {
            expect(parseScoreRequest({ applicant })).toEqual({ applicant, pseudonym: null })
            expect(parseScoreRequest({ applicant, pseudonym: { nullifier: "42" } })).toEqual({ applicant, pseudonym: { nullifier: 42n } })
            expect(parseAttestationRequest({ commitment, applicant, pseudonym: null })).toEqual({ commitment: 12345678901234567890n, applicant, pseudonym: null })
            expect(parseAttestationRequest({ commitment: "0x10", applicant }).commitment).toBe(16n)
        })

        it.each<Case>([
            ["a body that is an array", [], "body", "WRONG_TYPE"],
            ["a body that is a string", "applicant", "body", "WRONG_TYPE"],
            ["a client-supplied score", { commitment, applicant, score: 850 }, "score", "FIELD_NOT_ACCEPTED"],
            ["a client-supplied score of 0", { commitment, applicant, score: 0 }, "score", "FIELD_NOT_ACCEPTED"],
            ["a client-supplied issuedAt", { commitment, applicant, issuedAt: 1 }, "issuedAt", "FIELD_NOT_ACCEPTED"],
            ["a client-supplied expiresAt", { commitment, applicant, expiresAt: 2 ** 40 }, "expiresAt", "FIELD_NOT_ACCEPTED"],
            ["an unknown field", { commitment, applicant, lender: "x" }, "lender", "UNKNOWN_FIELD"],
            ["no applicant", { commitment }, "applicant", "MISSING_FIELD"],
            ["no commitment", { applicant }, "commitment", "MISSING_FIELD"],
            ["a commitment that is not a number", { commitment: "abc", applicant }, "commitment", "INVALID_VALUE"],
            ["a commitment in scientific notation", { commitment: "1e5", applicant }, "commitment", "INVALID_VALUE"],
            ["a negative commitment", { commitment: "-1", applicant }, "commitment", "OUT_OF_RANGE"],
            ["a commitment outside the field", { commitment: SNARK_SCALAR_FIELD.toString(), applicant }, "commitment", "OUT_OF_RANGE"],
            ["a commitment of 0 (the empty leaf)", { commitment: "0", applicant }, "commitment", "INVALID_VALUE"],
            ["a commitment as an unsafe number", { commitment: 2 ** 60, applicant }, "commitment", "INVALID_VALUE"],
            ["a fractional commitment", { commitment: 1.5, applicant }, "commitment", "INVALID_VALUE"],
            ["a commitment that is null", { commitment: null, applicant }, "commitment", "WRONG_TYPE"],
            ["a commitment that is an object", { commitment: {}, applicant }, "commitment", "WRONG_TYPE"],
            ["a bad applicant", { commitment, applicant: { ...applicant, latePayments24m: -2 } }, "applicant.latePayments24m", "OUT_OF_RANGE"],
            ["a pseudonym that is a string", { commitment, applicant, pseudonym: "42" }, "pseudonym", "WRONG_TYPE"],
            ["a pseudonym without nullifier", { commitment, applicant, pseudonym: {} }, "pseudonym.nullifier", "MISSING_FIELD"],
            ["a pseudonym with a bad nullifier", { commitment, applicant, pseudonym: { nullifier: "x" } }, "pseudonym.nullifier", "INVALID_VALUE"],
            ["a pseudonym with a record", { commitment, applicant, pseudonym: { nullifier: "1", record: { loansRepaid: 9 } } }, "pseudonym.record", "UNKNOWN_FIELD"]
        ])("an attestation request refuses %s", (_description, input, field, code) => {
            const error = caught(() => parseAttestationRequest(input))
            expect({ field: error.field, code: error.code }).toEqual({ field, code })
            expect(error.message).toContain(field === "body" ? "body" : field.split(".")[0])
        })

        it("a score request refuses a score and a commitment too", () => {
            expect(caught(() => parseScoreRequest({ applicant, score: 700 }))).toMatchObject({ field: "score", code: "FIELD_NOT_ACCEPTED" })
            expect(caught(() => parseScoreRequest({ applicant, commitment }))).toMatchObject({ field: "commitment", code: "UNKNOWN_FIELD" })
        })
    })
})
