/**
 * Malformed command lines for the CLI, built from a description of each command (its path, its
 * arguments and options with valid values, and for each a judge: what the CLI must answer when
 * that value is replaced by another text). One thing changes per case, so the expected answer
 * is known:
 *
 * - an argument or option value replaced by hostile text (the judge decides),
 * - a required option or argument dropped (bad usage), an optional one dropped (as the command
 *   says), an option left without its value (bad usage),
 * - an option repeated with a hostile value (commander keeps the last: the judge decides),
 * - an unknown option or flag, a flag given a value, an extra argument (bad usage),
 * - a word of the command path replaced (bad usage, or help for -h / --help / help).
 *
 * Values that start with "-" are given as `--option=value`, the only way commander takes them
 * as a value; other values come as one or two arguments at random. `--json` is on in about
 * half the cases.
 */
import { isAbsolute, relative, resolve } from "node:path"
import { existsSync } from "node:fs"
import fc from "fast-check"
import type { Expected } from "./cli-harness.ts"

/** What a case must end with; "skip": it is valid and would change the chain, so it is not run. */
export type Outcome = Expected | { exit: "skip"; why: string }

export const OK: Outcome = { exit: 0 }
export const HELP: Outcome = { exit: "help" }
export const USAGE: Outcome = { exit: 2, code: "USAGE" }
export const bad = (code?: string): Outcome => (code ? { exit: 2, code } : { exit: 2 })
export const failed = (code?: string): Outcome => (code ? { exit: 1, code } : { exit: 1 })
export const unreachable = (code?: string): Outcome => (code ? { exit: 3, code } : { exit: 3 })
export const skip = (why: string): Outcome => ({ exit: "skip", why })

/** An argument or option of a command. */
export interface Slot {
    /** "--amount" for an option, "<file>" for an argument. */
    name: string
    /** The valid value; undefined for a flag without a value. */
    value?: string
    positional?: boolean
    /** A required option or argument (commander refuses the command without it). */
    required?: boolean
    /** The answer when the value is replaced by `text` (everything else valid). */
    judge?: (text: string) => Outcome
    /** A path the command reads, or writes (and never replaces: "write"; replaces: "overwrite"). */
    path?: "read" | "write" | "overwrite"
    /** A variadic option (`--offer <id...>`). */
    variadic?: boolean
}

/** A command and how it answers. */
export interface CommandSpec {
    /** The command path, e.g. ["lender", "deposit"]. */
    path: string[]
    /** Options of the program put before the path, e.g. ["--account", "2"]. */
    globals?: string[]
    slots: Slot[]
    /** The answer to the valid command line. */
    base: Outcome
    /** The answer when an optional slot is left out (default: `base`). */
    without?: (slot: Slot) => Outcome
    /** Environment of the case (on top of the suite's). */
    env?: Record<string, string | undefined>
    /** Files the command writes on success: they must not appear when it fails. */
    outputs?: string[]
}

/** A command line to run and what it must give. */
export interface Case {
    what: string
    argv: string[]
    env: Record<string, string | undefined>
    expected: Outcome
    json: boolean
    outputs: string[]
}

/** commander's test for a negative number, which a leaf command takes as an argument, not an option. */
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)([eE][+-]?\d+)?$/

/**
 * The answer for an argument replaced by `text`: words that look like options are options to
 * commander (bad usage, or another refusal when "--" shifts the arguments), "-h" asks for help.
 */
export function positionalOutcome(text: string, judge: (text: string) => Outcome): Outcome {
    if (text === "-h" || text === "--help") return HELP
    if (text.length > 1 && text.startsWith("-") && !NEGATIVE_NUMBER.test(text)) return bad()
    return judge(text)
}

/**
 * Whether `text` may be used for a path slot: nothing is written outside `dir`, nothing outside
 * `dir` is replaced, and nothing blocks the test (/dev/stdin).
 */
export function safePathText(text: string, mode: Slot["path"], dir: string): boolean {
    if (/^\/dev\/(stdin|tty|fd\/0)$|^\/proc\/self\/fd\/0$/.test(text)) return false
    if (mode === "read" || mode === undefined || text.includes("\u0000")) return true
    const target = resolve(dir, text)
    const inside = !relative(dir, target).startsWith("..") && !isAbsolute(relative(dir, target))
    if (mode === "overwrite") return inside
    return inside || existsSync(target)
}

function render(option: string, value: string, twoWords: boolean): string[] {
    return !twoWords || value.startsWith("-") ? [`${option}=${value}`] : [option, value]
}

/** The command line of a spec with its slots as given ([slot, value] pairs; value undefined = flag). */
function build(spec: CommandSpec, slots: [Slot, string | undefined][], forms: boolean[]): string[] {
    const positionals = slots.filter(([s]) => s.positional).map(([, v]) => v!)
    const options = slots.filter(([s]) => !s.positional).flatMap(([s, v], i) => (v === undefined ? [s.name] : render(s.name, v, forms[i % forms.length]!)))
    return [...(spec.globals ?? []), ...spec.path, ...positionals, ...options]
}

const UNKNOWN_OPTIONS = ["--frobnicate", "--frobnicate=1", "-x", "-Z", "--json-output", "--dry", "--amount-", "--Offer", "--no-json", "--yes=no", "--help=1"]

/**
 * Malformed variants of a command line.
 * @param text Hostile texts (e.g. hostileText({ withDangerousPaths: true })).
 * @param dir The scratch folder relative paths resolve in (see {@link safePathText}).
 */
export function mutations(spec: CommandSpec, text: fc.Arbitrary<string>, dir: string): fc.Arbitrary<Case> {
    const valued = spec.slots.filter((s) => s.value !== undefined && s.judge)
    const optional = spec.slots.filter((s) => !s.required)
    const valueOptions = spec.slots.filter((s) => !s.positional && s.value !== undefined)
    const base = spec.slots.map((s): [Slot, string | undefined] => [s, s.value])
    const env = spec.env ?? {}
    const outputs = spec.outputs ?? []
    const label = spec.path.join(" ")
    type Draft = { what: string; argv: string[]; expected: Outcome }
    const kinds: fc.Arbitrary<Draft>[] = []
    const forms = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })

    if (valued.length > 0) {
        const pick = fc
            .tuple(fc.constantFrom(...valued), text, forms)
            .filter(([slot, t]) => safePathText(t, slot.path, dir))
            .map(([slot, t, f]): Draft => {
                const slots = base.map(([s, v]): [Slot, string | undefined] => [s, s === slot ? t : v])
                const expected = slot.positional ? positionalOutcome(t, slot.judge!) : slot.judge!(t)
                return { what: `${slot.name} set to ${show(t)}`, argv: build(spec, slots, f), expected }
            })
        kinds.push(pick, pick, pick, pick, pick, pick)
    }
    if (valueOptions.some((s) => s.judge && !s.variadic)) {
        kinds.push(
            fc
                .tuple(fc.constantFrom(...valueOptions.filter((s) => s.judge && !s.variadic)), text, forms)
                .filter(([slot, t]) => safePathText(t, slot.path, dir))
                .map(([slot, t, f]): Draft => ({ what: `${slot.name} repeated, last ${show(t)}`, argv: [...build(spec, base, f), `${slot.name}=${t}`], expected: slot.judge!(t) }))
        )
    }
    if (spec.slots.length > 0) kinds.push(
        fc.tuple(fc.constantFrom(...spec.slots), forms).map(([slot, f]): Draft => {
            const slots = base.filter(([s]) => s !== slot)
            const expected = slot.required ? USAGE : (spec.without?.(slot) ?? spec.base)
            return { what: `without ${slot.name}`, argv: build(spec, slots, f), expected }
        })
    )
    if (valueOptions.length > 0) {
        kinds.push(
            fc.tuple(fc.constantFrom(...valueOptions), forms).map(([slot, f]): Draft => ({
                what: `${slot.name} without its value`,
                argv: [...build(spec, base.filter(([s]) => s !== slot), f), slot.name],
                expected: USAGE
            }))
        )
    }
    kinds.push(
        fc.tuple(fc.constantFrom(...UNKNOWN_OPTIONS), fc.nat(), forms).map(([option, at, f]): Draft => {
            const argv = build(spec, base, f)
            const start = (spec.globals?.length ?? 0) + spec.path.length
            const i = start + (at % (argv.length - start + 1))
            // between an option and its value it would take the value's place: put it before the option
            const j = i > start && i < argv.length && /^--?[a-zA-Z]/.test(argv[i - 1]!) && !argv[i - 1]!.includes("=") && !spec.slots.some((s) => s.name === argv[i - 1] && s.value === undefined) ? i - 1 : i
            return { what: `unknown option ${option}`, argv: [...argv.slice(0, j), option, ...argv.slice(j)], expected: USAGE }
        }),
        fc
            .tuple(
                text.filter((t) => !t.startsWith("-") && t !== "help"),
                forms
            )
            .map(([extra, f]): Draft => {
                const argv = build(spec, base, f)
                const at = (spec.globals?.length ?? 0) + spec.path.length + spec.slots.filter((s) => s.positional).length
                return { what: `extra argument ${show(extra)}`, argv: [...argv.slice(0, at), extra, ...argv.slice(at)], expected: USAGE }
            })
    )
    const flags = spec.slots.filter((s) => !s.positional && s.value === undefined)
    if (flags.length > 0) {
        kinds.push(
            fc.tuple(fc.constantFrom(...flags), fc.constantFrom("yes", "1", "", "false"), forms).map(([slot, v, f]): Draft => ({
                what: `flag ${slot.name} given a value ${show(v)}`,
                argv: build(spec, base.map(([s, x]): [Slot, string | undefined] => [s, s === slot ? undefined : x]), f).map((a) => (a === slot.name ? `${slot.name}=${v}` : a)),
                expected: USAGE
            }))
        )
    }
    kinds.push(
        fc.tuple(fc.nat({ max: spec.path.length - 1 }), text, forms).map(([i, t, f]): Draft => {
            const argv = build(spec, base, f)
            const at = (spec.globals?.length ?? 0) + i
            argv[at] = t
            const expected = t === spec.path[i] ? spec.base : t === "-h" || t === "--help" || t === "help" ? HELP : USAGE
            return { what: `command word ${show(spec.path[i]!)} replaced by ${show(t)}`, argv, expected }
        })
    )
    return fc.tuple(fc.oneof(...kinds), fc.boolean()).map(([draft, json]) => {
        const argv = json ? ["--json", ...draft.argv] : draft.argv
        return { what: `${label}: ${draft.what}`, argv, env, expected: draft.expected, json: argv.includes("--json"), outputs }
    })
}

/** A short, printable form of a hostile text. */
export function show(text: string): string {
    const s = JSON.stringify(text)
    return s.length > 60 ? `${s.slice(0, 57)}..."(${text.length} chars)` : s
}
