/**
 * Every failure the user can meet, turned into a translated message: the prover's
 * ZkCreditError codes, the contracts' custom errors (decoded from the revert data), wallet
 * refusals, missing gas money, a wrong network, the bureau's error codes. Anything else gets a
 * generic message with the raw reason, so nothing fails silently.
 */
import { isError } from "ethers"
import type { Deployment } from "$client/deployments.ts"
import { decodeRevert } from "$client/errors.ts"
import type { ZkCreditErrorCode } from "$prover/errors.ts"
import { isMessageKey, type MessageKey } from "./i18n/index.svelte.ts"

/** A value inside a message, formatted when shown (so it follows the language). */
export type MessageParam = string | number | bigint | { amount: bigint } | { time: number }

/** A message to show: a key and its parameters. */
export interface Described {
    key: MessageKey
    params?: Record<string, MessageParam>
}

/** An error of the app itself, already a message. */
export class AppError extends Error {
    readonly key: MessageKey
    readonly params: Record<string, MessageParam> | undefined
    constructor(key: MessageKey, params?: Record<string, MessageParam>) {
        super(key)
        this.name = "AppError"
        this.key = key
        this.params = params
    }
}

/** An error answer of the bureau service: `{ error: { code, field, message } }`. */
export class BureauHttpError extends Error {
    readonly code: string
    readonly field: string | null
    constructor(code: string, field: string | null, message: string) {
        super(message)
        this.name = "BureauHttpError"
        this.code = code
        this.field = field
    }
}

/** The message of each prover error code (a missing code is a compile error). */
export const ZK_ERROR_KEYS: Record<ZkCreditErrorCode, MessageKey> = {
    INVALID_ARGUMENT: "error.zk.INVALID_ARGUMENT",
    NOT_A_FIELD_ELEMENT: "error.zk.NOT_A_FIELD_ELEMENT",
    OUT_OF_RANGE: "error.zk.OUT_OF_RANGE",
    NOT_A_MEMBER: "error.zk.NOT_A_MEMBER",
    SCORE_BELOW_THRESHOLD: "error.zk.SCORE_BELOW_THRESHOLD",
    ATTESTATION_EXPIRED: "error.zk.ATTESTATION_EXPIRED",
    ATTESTATION_NOT_YET_VALID: "error.zk.ATTESTATION_NOT_YET_VALID",
    INVALID_SIGNATURE: "error.zk.INVALID_SIGNATURE",
    WRONG_BUREAU_KEY: "error.zk.WRONG_BUREAU_KEY",
    ATTESTATION_IDENTITY_MISMATCH: "error.zk.ATTESTATION_IDENTITY_MISMATCH",
    GROUP_CONFLICT: "error.zk.GROUP_CONFLICT",
    BACKUP_INVALID: "error.zk.BACKUP_INVALID",
    BACKUP_WRONG_PASSWORD: "error.zk.BACKUP_WRONG_PASSWORD",
    ARTIFACT_UNAVAILABLE: "error.zk.ARTIFACT_UNAVAILABLE",
    INVALID_POINT: "error.zk.INVALID_POINT",
    INVALID_COMMITTEE_FILE: "error.zk.INVALID_COMMITTEE_FILE",
    DKG_FAILED: "error.zk.DKG_FAILED",
    INVALID_DECRYPTION_SHARE: "error.zk.INVALID_DECRYPTION_SHARE",
    NOT_ENOUGH_SHARES: "error.zk.NOT_ENOUGH_SHARES",
    ARTIFACT_TAMPERED: "error.zk.ARTIFACT_TAMPERED",
    PROOF_SELF_CHECK_FAILED: "error.zk.PROOF_SELF_CHECK_FAILED"
}

/** Argument names of contract errors that are token amounts or unix times. */
const AMOUNT_ARGS = new Set(["amount", "available", "requested", "principal", "maxPrincipal", "outstanding", "balance", "needed", "allowance", "expected", "received", "max", "maxAmount", "remaining"])
const TIME_ARGS = new Set(["defaultableAt", "validUntil", "replacedAt", "blockTime", "currentTime", "lastProofTime", "availableAt", "validFrom", "revokedAt", "deadline", "maxDeadline"])

function revertParams(args: Record<string, bigint | string | boolean>): Record<string, MessageParam> {
    const params: Record<string, MessageParam> = {}
    for (const [name, value] of Object.entries(args)) {
        if (typeof value === "bigint" && AMOUNT_ARGS.has(name)) params[name] = { amount: value }
        else if (typeof value === "bigint" && TIME_ARGS.has(name)) params[name] = { time: Number(value) }
        else params[name] = typeof value === "boolean" ? String(value) : value
    }
    return params
}

function rawReason(error: unknown): string {
    if (typeof error === "object" && error !== null) {
        const e = error as { shortMessage?: unknown; reason?: unknown; message?: unknown }
        for (const candidate of [e.shortMessage, e.reason, e.message]) if (typeof candidate === "string" && candidate) return candidate.slice(0, 300)
    }
    return String(error).slice(0, 300)
}

/**
 * Turns anything thrown into a message. A contract error has the message `error.revert.<name>`;
 * where contracts declare it with other arguments, the one called (by its address in
 * `deployment`) may have its own, `error.revert.<contract>.<name>`.
 */
export function describeError(error: unknown, deployment?: Deployment): Described {
    if (error instanceof AppError) return { key: error.key, ...(error.params ? { params: error.params } : {}) }
    if (error instanceof BureauHttpError) {
        const key = `error.bureau.${error.code}`
        return isMessageKey(key) ? { key, params: { field: error.field ?? "" } } : { key: "error.bureau.other", params: { reason: error.message } }
    }
    const candidate = error as { name?: unknown; code?: unknown } | null
    // a ZkCreditError, also when it crossed the worker boundary as a plain object
    if (candidate && candidate.name === "ZkCreditError" && typeof candidate.code === "string" && candidate.code in ZK_ERROR_KEYS) {
        return { key: ZK_ERROR_KEYS[candidate.code as ZkCreditErrorCode] }
    }
    if (isError(error, "ACTION_REJECTED") || (candidate && candidate.code === 4001)) return { key: "error.rejected" }
    const decoded = decodeRevert(error, deployment)
    if (decoded) {
        const own = `error.revert.${decoded.contract}.${decoded.name}`
        const key = isMessageKey(own) ? own : `error.revert.${decoded.name}`
        return isMessageKey(key) ? { key, params: revertParams(decoded.args) } : { key: "error.revert.unknown", params: { name: decoded.name } }
    }
    const reason = rawReason(error)
    if (isError(error, "INSUFFICIENT_FUNDS") || /insufficient funds|doesn't have enough funds/i.test(reason)) return { key: "error.insufficientFunds" }
    if (isError(error, "CALL_EXCEPTION")) return { key: "error.revert.noData", params: { reason } }
    if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT") || (error instanceof TypeError && /fetch|network/i.test(error.message))) return { key: "error.network", params: { reason } }
    return { key: "error.generic", params: { reason } }
}
