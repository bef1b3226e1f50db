/**
 * Turns anything a command throws into a {@link CliError} with the right exit code: typed input
 * errors of the prover and the bureau are bad input (2), contract reverts are failures (1) with
 * the decoded custom error and a hint, and connection failures are "unreachable" (3).
 */
import { isError } from "ethers"
import { isBureauInputError } from "../../bureau/src/errors.ts"
import { decodeRevert, explainContractError } from "../../client/src/errors.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { CliError, EXIT } from "./exit-codes.ts"

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET"])

/** Whether an error (or one of its causes) is a failed network connection. */
export function isConnectionError(error: unknown): boolean {
    const seen = new Set<unknown>()
    let current: unknown = error
    while (typeof current === "object" && current !== null && !seen.has(current)) {
        seen.add(current)
        const e = current as { code?: unknown; cause?: unknown; error?: unknown }
        if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true
        if (isError(current, "NETWORK_ERROR") || isError(current, "TIMEOUT")) return true
        current = e.cause ?? e.error
    }
    return false
}

/** The {@link CliError} for anything thrown by a command. */
export function toCliError(error: unknown): CliError {
    if (error instanceof CliError) return error
    if (isZkCreditError(error)) {
        return new CliError(EXIT.USAGE, error.code, error.message, error.parameter ? { parameter: error.parameter } : undefined)
    }
    if (isBureauInputError(error)) return new CliError(EXIT.USAGE, error.code, `${error.field}: ${error.message}`, { field: error.field })
    const revert = decodeRevert(error)
    if (revert) {
        const args = Object.fromEntries(Object.entries(revert.args).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]))
        return new CliError(EXIT.FAILED, "CONTRACT_REVERT", `the contract refused: ${explainContractError(revert)}`, { revert: { name: revert.name, args } })
    }
    if (isConnectionError(error)) {
        return new CliError(EXIT.UNREACHABLE, "UNREACHABLE", `could not reach the chain or service: ${shortMessage(error)}`)
    }
    if (isError(error, "INSUFFICIENT_FUNDS")) return new CliError(EXIT.FAILED, "INSUFFICIENT_FUNDS", "the account has not enough ETH to pay for gas")
    if (isError(error, "CALL_EXCEPTION")) return new CliError(EXIT.FAILED, "CONTRACT_REVERT", `the transaction reverted: ${shortMessage(error)}`)
    if (isError(error, "NONCE_EXPIRED") || isError(error, "REPLACEMENT_UNDERPRICED")) {
        return new CliError(EXIT.FAILED, "NONCE_CONFLICT", `another transaction of this account got in the way: ${shortMessage(error)}; run the command again`)
    }
    return new CliError(EXIT.FAILED, "FAILED", shortMessage(error))
}

/** An error's short message: ethers' `shortMessage` when it has one (its long one repeats call data). */
export function shortMessage(error: unknown): string {
    if (typeof error !== "object" || error === null) return String(error)
    const e = error as { shortMessage?: unknown; message?: unknown }
    if (typeof e.shortMessage === "string") return e.shortMessage
    return typeof e.message === "string" ? e.message : String(error)
}
