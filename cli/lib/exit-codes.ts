/**
 * Exit codes of `zkcredit`, the same for every command:
 *
 * - 0 success
 * - 1 the operation failed: a contract reverted, an audit found a mismatching root, the chain's
 *   state does not allow it (e.g. the KYC tree on chain does not match its events)
 * - 2 bad usage or bad input: unknown option, malformed file, bad number or commitment, a typed
 *   input error of the prover or the bureau. Nothing was sent.
 * - 3 the chain or a service is unreachable, or no deployment is known for the chain
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const

/** One of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The exit codes as the root `--help` shows them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the operation failed (a contract reverted, an audit found a bad root, ...)
  2  bad usage or bad input (unknown option, malformed file, bad number); nothing was sent
  3  the chain or a service is unreachable, or no deployment is known for the chain`

/**
 * An error the CLI reports and exits with. `code` is a stable machine-readable name shown in
 * `--json` mode; `details` holds extra JSON-safe facts (never secrets).
 */
export class CliError extends Error {
    readonly exitCode: ExitCode
    readonly code: string
    readonly details: Record<string, unknown> | undefined

    /**
     * @param exitCode What the process exits with.
     * @param code Stable name, e.g. `FILE_NOT_FOUND`.
     * @param message What went wrong and how to fix it.
     * @param details Extra facts for `--json` output.
     */
    constructor(exitCode: ExitCode, code: string, message: string, details?: Record<string, unknown>) {
        super(message)
        this.name = "CliError"
        this.exitCode = exitCode
        this.code = code
        this.details = details
    }
}

/** A bad-input error (exit 2). */
export function badInput(code: string, message: string, details?: Record<string, unknown>): CliError {
    return new CliError(EXIT.USAGE, code, message, details)
}

/** An operation-failed error (exit 1). */
export function failed(code: string, message: string, details?: Record<string, unknown>): CliError {
    return new CliError(EXIT.FAILED, code, message, details)
}

/** An unreachable-chain-or-service error (exit 3). */
export function unreachable(code: string, message: string, details?: Record<string, unknown>): CliError {
    return new CliError(EXIT.UNREACHABLE, code, message, details)
}
