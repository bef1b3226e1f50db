/**
 * Running `zkcredit` for the malformed-input suite, and judging what it printed.
 *
 * - {@link runInProcess}: `runCli(argv)` in this process (a few ms a case), with environment
 *   overrides and stdout/stderr captured (and restored whatever happens), and a time limit.
 * - {@link runChild}: `node cli/zkcredit.ts ...` as a real process, the way users run it.
 * - {@link problemsOf}: what is wrong with an answer: the wrong exit code, no clear message, a
 *   JSON error that is not `{ error: { code, message, exitCode } }`, or a leak of internals (a
 *   stack trace, `TypeError`, `undefined`, `[object Object]`).
 *
 * No test-runner dependency: problems are returned as strings, the suite asserts on them.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { runCli } from "../../../cli/program.ts"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
export const CLI_SCRIPT = `${ROOT}cli/zkcredit.ts`

/** What a run of the CLI gave. */
export interface CliRun {
    /** The exit code, or "threw" when runCli itself threw, "hung" when it did not end in time. */
    exit: number | "threw" | "hung"
    stdout: string
    stderr: string
    ms: number
    /** What runCli threw, when it did. */
    thrown?: unknown
}

/** Sets environment variables (undefined deletes one); returns a function that puts them back. */
export function withEnv(env: Record<string, string | undefined>): () => void {
    const saved = new Map<string, string | undefined>()
    for (const [key, value] of Object.entries(env)) {
        saved.set(key, process.env[key])
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
    }
    return () => {
        for (const [key, value] of saved) {
            if (value === undefined) delete process.env[key]
            else process.env[key] = value
        }
    }
}

type Write = typeof process.stdout.write

/**
 * Runs `runCli(argv)` in this process with `env` set and stdout/stderr captured.
 * @param options.timeoutMs After this the run counts as "hung" (its promise is left behind).
 */
export async function runInProcess(argv: string[], env: Record<string, string | undefined> = {}, options: { timeoutMs?: number } = {}): Promise<CliRun> {
    const restoreEnv = withEnv(env)
    const stdout: string[] = []
    const stderr: string[] = []
    const capture =
        (into: string[]): Write =>
        ((chunk: unknown, ...rest: unknown[]) => {
            into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"))
            const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined
            callback?.()
            return true
        }) as Write
    const realOut = process.stdout.write
    const realErr = process.stderr.write
    process.stdout.write = capture(stdout)
    process.stderr.write = capture(stderr)
    const started = performance.now()
    let exit: CliRun["exit"]
    let thrown: unknown
    let timer: NodeJS.Timeout | undefined
    try {
        const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), options.timeoutMs ?? 30_000)))
        exit = await Promise.race([runCli(argv), hung])
    } catch (error) {
        exit = "threw"
        thrown = error
    } finally {
        clearTimeout(timer)
        process.stdout.write = realOut
        process.stderr.write = realErr
        restoreEnv()
    }
    return { exit, stdout: stdout.join(""), stderr: stderr.join(""), ms: performance.now() - started, ...(thrown !== undefined ? { thrown } : {}) }
}

/**
 * Runs `node cli/zkcredit.ts ...argv` (this Node) in `cwd`, with the parent's environment minus
 * every ZKCREDIT_* variable, plus `env`. stdin is /dev/null.
 */
export function runChild(argv: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliRun> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ZKCREDIT_")))
    const started = performance.now()
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI_SCRIPT, ...argv], { cwd: options.cwd, env: { ...clean, ...options.env }, stdio: ["ignore", "pipe", "pipe"] })
        let stdout = ""
        let stderr = ""
        let timedOut = false
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()))
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
        const timer = setTimeout(() => {
            timedOut = true
            child.kill("SIGKILL")
        }, options.timeoutMs ?? 60_000)
        child.once("error", reject)
        child.once("close", (code) => {
            clearTimeout(timer)
            resolve({ exit: timedOut ? "hung" : (code ?? -1), stdout, stderr, ms: performance.now() - started })
        })
    })
}

/** What a case must end with: an exit code, or the help text (exit 0, nothing done). */
export type Expected = { exit: 0 | 1 | 2 | 3; code?: string } | { exit: "help" }

/** Signs of internals leaking into what a user reads. */
const LEAKS: [RegExp, string][] = [
    [/^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>)$/m, "a stack trace"],
    [/\b(TypeError|ReferenceError|RangeError|SyntaxError|EvalError|AssertionError|InternalError)\b/, "a JavaScript error name"],
    [/Cannot read propert|Cannot convert|is not a function|is not iterable|is not defined|Maximum call stack/, "an internal error message"],
    [/\[object \w+\]/, "[object ...]"],
    [/\(outputHelp\)|\bcommander\.[a-z]/i, "commander's internal error code"],
    // "got undefined" is a typed error describing a missing value (the prover's messages); any other "undefined" is a bug
    [/(?<!got )\bundefined\b/, "undefined"],
    [/\bNaN\b/, "NaN"],
    [/file:\/\/\/|node:internal|node_modules\//, "an internal path"]
]

/** Leak patterns that the input itself may contain (then its echo is not a leak). */
const ECHOABLE = new Set(["undefined", "NaN", "[object ...]", "a JavaScript error name", "an internal path"])

/**
 * Everything wrong with a run, as readable lines (empty when it is right).
 * @param expected What it should have ended with.
 * @param json Whether --json was given (errors must then be one JSON document on stderr).
 * @param input Text of the arguments and files of the case (what the CLI may echo).
 */
export function problemsOf(run: CliRun, expected: Expected, json: boolean, input: string): string[] {
    const problems: string[] = []
    if (run.exit === "threw") return [`runCli threw instead of returning an exit code: ${describe(run.thrown)}`]
    if (run.exit === "hung") return [`did not end in time (${Math.round(run.ms)} ms); output so far: ${(run.stdout + run.stderr).slice(0, 300)}`]
    const wanted = expected.exit === "help" ? 0 : expected.exit
    if (run.exit !== wanted) problems.push(`exit ${run.exit}, expected ${wanted}${expected.exit === "help" ? " (help)" : ""}`)
    const text = `${run.stdout}\n${run.stderr}`
    for (const [pattern, what] of LEAKS) {
        const match = pattern.exec(text)
        if (!match) continue
        if (ECHOABLE.has(what) && input.includes(match[0])) continue
        problems.push(`prints ${what}: ${JSON.stringify(text.slice(Math.max(0, match.index - 80), match.index + 120))}`)
    }
    if (expected.exit === "help") {
        if (!/Usage: zkcredit/.test(run.stdout)) problems.push("help was asked for but no usage was printed on stdout")
    } else if (run.exit === 0) {
        if (json) {
            try {
                JSON.parse(run.stdout)
            } catch {
                problems.push(`exit 0 in --json mode but stdout is not one JSON document: ${JSON.stringify(run.stdout.slice(0, 200))}`)
            }
        }
    } else if (typeof run.exit === "number") {
        if (json) {
            if (run.stdout !== "") problems.push(`a failure in --json mode wrote to stdout: ${JSON.stringify(run.stdout.slice(0, 200))}`)
            let error: { code?: unknown; message?: unknown; exitCode?: unknown } | undefined
            try {
                error = (JSON.parse(run.stderr) as { error?: typeof error }).error
            } catch {
                problems.push(`stderr is not one JSON error document: ${JSON.stringify(run.stderr.slice(0, 300))}`)
            }
            if (error) {
                if (typeof error.code !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(error.code)) problems.push(`error.code is not a code: ${JSON.stringify(error.code)}`)
                if (typeof error.message !== "string" || error.message.trim().length < 5) problems.push(`error.message is not a message: ${JSON.stringify(error.message)}`)
                if (error.exitCode !== run.exit) problems.push(`error.exitCode ${JSON.stringify(error.exitCode)} is not the exit code ${run.exit}`)
                const wantedCode = "code" in expected ? expected.code : undefined
                if (wantedCode && error.code !== wantedCode) problems.push(`error.code ${String(error.code)}, expected ${wantedCode}`)
            }
        } else {
            const line = run.stderr.split("\n").find((l) => l.startsWith("error: "))
            if (!line || line.slice(7).trim().length < 5) problems.push(`no "error: <message>" line on stderr: ${JSON.stringify(run.stderr.slice(0, 300))}`)
        }
    }
    return problems
}

function describe(error: unknown): string {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
