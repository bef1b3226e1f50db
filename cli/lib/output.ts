/**
 * What a command prints. Human mode: the result on stdout, notes and progress on stderr.
 * `--json` mode: exactly one JSON document on stdout (the result) and nothing else there; notes
 * are dropped, errors go to stderr as `{ "error": { code, message, ... } }`.
 */
import type { CliError } from "./exit-codes.ts"

/** JSON text with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent)
}

/** The printer of one command run. */
export class Output {
    readonly json: boolean
    #resultWritten = false

    constructor(json: boolean) {
        this.json = json
    }

    /**
     * Writes the command's result: `data` as JSON in `--json` mode, else the human text.
     * @param data JSON-safe result (bigints become strings).
     * @param human Lines for people; `data` as JSON when omitted.
     */
    result(data: unknown, human?: string | string[]): void {
        if (this.#resultWritten) throw new Error("a command writes one result")
        this.#resultWritten = true
        if (this.json) process.stdout.write(`${toJson(data)}\n`)
        else process.stdout.write(`${human === undefined ? toJson(data) : Array.isArray(human) ? human.join("\n") : human}\n`)
    }

    /** A note for people (what is being done): stderr, human mode only. */
    note(text: string): void {
        if (!this.json) process.stderr.write(`${text}\n`)
    }

    /** A warning: stderr, human mode only (in `--json` mode put warnings into the result). */
    warn(text: string): void {
        if (!this.json) process.stderr.write(`warning: ${text}\n`)
    }

    /** Reports an error the process exits with. */
    error(error: CliError): void {
        if (this.json) {
            process.stderr.write(`${toJson({ error: { code: error.code, message: error.message, exitCode: error.exitCode, ...(error.details ?? {}) } })}\n`)
        } else {
            process.stderr.write(`error: ${error.message}\n`)
        }
    }
}
