/**
 * The two message catalogs of the app (no browser): the same keys, no empty message, the same
 * placeholders in both languages; a message for every prover error code and every custom error
 * of every contract; every key the app's source names exists.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Interface, type ErrorFragment } from "ethers"
import { describe, expect, it } from "vitest"
import { en } from "../../app/src/lib/i18n/en.ts"
import { zhCN } from "../../app/src/lib/i18n/zh-CN.ts"
import { ALL_ABIS, CONTRACT_ABIS } from "../../client/src/contracts.ts"
import { REASON_DESCRIPTIONS } from "../../bureau/src/scorecard.ts"
import { APPLICANT_FIELDS } from "../../bureau/src/applicant.ts"
import { ROOT } from "./helpers.ts"

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]).sort()

describe("message catalogs", () => {
    it("have identical keys", () => {
        expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort())
    })

    it("have no empty message, and the same placeholders in both languages", () => {
        for (const [key, message] of Object.entries(en)) {
            const zh = zhCN[key as keyof typeof en]
            expect(message.trim(), key).not.toBe("")
            expect(zh.trim(), key).not.toBe("")
            expect(placeholders(zh), key).toEqual(placeholders(message))
        }
    })

    it("write counts as ICU plural forms that the app reads, each with an `other` form", () => {
        const plural = /\{(\w+), plural,((?:\s*[a-z=0-9]+ \{[^{}]*\})+)\s*\}/g
        let count = 0
        for (const catalog of [en, zhCN]) {
            for (const [key, message] of Object.entries(catalog)) {
                if (!message.includes(", plural,")) continue
                const forms = [...message.matchAll(plural)]
                expect(forms.length, `${key}: ${message}`).toBe(message.split(", plural,").length - 1)
                for (const [, , options] of forms) expect(options, key).toMatch(/(^|\s)other \{/)
                count++
            }
        }
        // English says "1 day" and "2 days": every duration and count message has its forms
        expect(count).toBeGreaterThanOrEqual(10)
        expect(en["unit.hours"]).toMatch(/one \{# hour\}/)
    })

    it("translate: the Chinese messages are Chinese", () => {
        // a message copied from English would have no CJK character; these are the exceptions
        const sameInBoth = new Set(["common.listSeparator"])
        for (const [key, message] of Object.entries(zhCN)) {
            if (sameInBoth.has(key)) continue
            expect(/[\u3400-\u9fff]/.test(message) || /^[\s\d{}().,–（）-]*$/.test(message.replace(/\{\w+\}/g, "")), `${key}: ${message}`).toBe(true)
        }
    })

    it("name a tier by one label and its number from 0, as the CLI, README and contract errors do", () => {
        // "Tier 2" in English, "档位 2" in Chinese: the same label as the table header and `--tier 2`,
        // never an ordinal ("第 2 档", "the 3rd tier") that would read as a count from 1
        expect(en["offers.tier"]).toBe("Tier")
        expect(zhCN["offers.tier"]).toBe("档位")
        let withTier = 0
        for (const [key, message] of Object.entries(en)) {
            if (!message.includes("{tier}")) continue
            withTier++
            expect(message, key).toMatch(/\b[Tt]ier \{tier\}/)
            expect(zhCN[key as keyof typeof en], key).toContain("档位 {tier}")
        }
        expect(withTier).toBeGreaterThanOrEqual(5)
        for (const [key, message] of Object.entries(zhCN)) expect(message, key).not.toMatch(/第\s*\{?\w*\}?\s*档/)
        expect(readFileSync(`${ROOT}README.md`, "utf8")).toMatch(/Tiers are numbered from 0\s+everywhere/)
        expect(readFileSync(`${ROOT}cli/commands/borrower.ts`, "utf8")).toContain("numbered from 0 as in `borrower offers` and the app")
        // nowhere does the app or the CLI show a tier as its index plus one
        for (const file of [`${ROOT}app/src/routes/borrower/+page.svelte`, `${ROOT}app/src/routes/lender/+page.svelte`, `${ROOT}cli/commands/lender.ts`, `${ROOT}cli/commands/borrower.ts`, `${ROOT}cli/lib/market-views.ts`]) {
            const source = readFileSync(file, "utf8")
            expect(source, file).not.toMatch(/tier(\.index)?\s*\+\s*1\b|tiers? (item )?\$\{i \+ 1\}/)
        }
    })

    it("have a message for every prover error code", () => {
        const source = readFileSync(`${ROOT}prover/src/errors.ts`, "utf8")
        const codes = [...source.matchAll(/\|\s*"([A-Z_]+)"/g)].map((m) => m[1])
        expect(codes.length).toBeGreaterThan(10)
        for (const code of codes) expect(Object.hasOwn(en, `error.zk.${code}`), code).toBe(true)
    })

    it("have a message for every custom error of every contract", () => {
        const names = new Set(ALL_ABIS.flatMap((abi) => new Interface(abi).fragments.filter((f) => f.type === "error").map((f) => (f as ErrorFragment).name)))
        expect(names.size).toBeGreaterThan(40)
        for (const name of names) expect(Object.hasOwn(en, `error.revert.${name}`), name).toBe(true)
    })

    it("fill each contract error's message from that contract's argument names", () => {
        // the app shows `error.revert.<contract>.<name>` where it exists, else `error.revert.<name>`
        // (app/src/lib/errors.ts): an error two contracts declare with other argument names, such as
        // UnknownPosition(loanId) of the loan market and UnknownPosition(positionId) of the request
        // market, needs the contract's own message
        let checked = 0
        for (const [contract, abi] of Object.entries(CONTRACT_ABIS)) {
            for (const f of new Interface(abi).fragments.filter((f): f is ErrorFragment => f.type === "error")) {
                const own = `error.revert.${contract}.${f.name}`
                const key = (Object.hasOwn(en, own) ? own : `error.revert.${f.name}`) as keyof typeof en
                const args = new Set(f.inputs.map((i) => i.name))
                for (const name of placeholders(en[key])) expect(args.has(name!), `${contract}.${f.format()}: ${key} names {${name}}`).toBe(true)
                checked++
            }
        }
        expect(checked).toBeGreaterThan(60)
        for (const [key, args] of [["error.revert.UnknownPosition", ["loanId"]], ["error.revert.NotPositionHolder", ["holder", "loanId"]], ["error.revert.PositionAlreadyOpen", ["loanId"]], ["error.revert.NothingToClaim", ["loanId"]], ["error.revert.RequestMarket.UnknownPosition", ["positionId"]]] as const) {
            expect(placeholders(en[key]), key).toEqual(args)
        }
    })

    it("have a message for every bureau reason code and applicant field", () => {
        for (const reason of Object.keys(REASON_DESCRIPTIONS)) expect(Object.hasOwn(en, `bureau.reason.${reason}`), reason).toBe(true)
        for (const field of [...APPLICANT_FIELDS.person, ...APPLICANT_FIELDS.sme]) expect(Object.hasOwn(en, `applicant.field.${field.name}`), field.name).toBe(true)
    })

    it("contain every key the app's source names", () => {
        const dir = `${ROOT}app/src`
        const files = readdirSync(dir, { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile() && /\.(svelte|ts)$/.test(e.name) && !e.parentPath.includes("i18n"))
            .map((e) => join(e.parentPath, e.name))
        const prefixes = new Set(Object.keys(en).map((k) => k.split(".")[0]))
        const missing: string[] = []
        for (const file of files) {
            const source = readFileSync(file, "utf8")
            for (const [, key] of source.matchAll(/["`]([a-z][a-zA-Z]*(?:\.[a-zA-Z0-9-]+)+)["`]/g)) {
                if (!key || !prefixes.has(key.split(".")[0]!) || /\.(ts|svelte|js|json|css|wasm|zkey)$/.test(key)) continue
                if (!Object.hasOwn(en, key)) missing.push(`${file.replace(ROOT, "")}: ${key}`)
            }
            // keys built from a prefix, e.g. t(`schedule.state.${state}`): the prefix must have keys
            for (const [, prefix] of source.matchAll(/`([a-z][a-zA-Z]*(?:\.[a-zA-Z0-9-]+)*\.)\$\{/g)) {
                if (prefix && prefixes.has(prefix.split(".")[0]!) && !Object.keys(en).some((k) => k.startsWith(prefix))) missing.push(`${file.replace(ROOT, "")}: ${prefix}*`)
            }
        }
        expect(missing).toEqual([])
    })
})
