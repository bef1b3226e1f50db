/**
 * The KYC hand-off between a borrower and a compliance officer, as a small versioned JSON file
 * (also shown as a QR code and as the full commitment with a copy button). Version 1 carries the
 * identity commitment only; later versions can add fields (a proof of knowledge of the secret,
 * the officer's signed binding handed back) without breaking readers of version 1, which ignore
 * fields they do not know.
 */
import type { KycEvent } from "$client/kyc-tree.ts"
import { SNARK_SCALAR_FIELD } from "$prover/constants.ts"
import type { MessageKey } from "./i18n/index.svelte.ts"

/** The `format` field of every KYC application file. */
export const KYC_APPLICATION_FORMAT = "zkcredit-kyc-application"
/** Versions this app reads; it writes the last one. */
export const KYC_APPLICATION_VERSIONS = [1] as const

/** A borrower's request to be added to the KYC registry. */
export interface KycApplication {
    format: typeof KYC_APPLICATION_FORMAT
    version: 1
    /** The identity commitment (the KYC leaf), 0x-hex of 32 bytes. */
    commitment: string
    /** Where it is meant to be added: the chain id and the address of the registry that keeps the KYC set (the trust registry). */
    chainId: number
    kycRegistry: string
    createdAt: string
}

/** Why a commitment, an application file or a line of a list is refused. */
export type KycInputProblem = Extract<MessageKey, `compliance.invalid.${string}`>

/** The application file for a commitment. */
export function kycApplication(commitment: bigint, where: { chainId: number; kycRegistry: string }): KycApplication {
    return { format: KYC_APPLICATION_FORMAT, version: 1, commitment: commitmentHex(commitment), chainId: where.chainId, kycRegistry: where.kycRegistry, createdAt: new Date().toISOString() }
}

/** A commitment as the app shows and exchanges it: 0x-hex of 32 bytes. */
export function commitmentHex(commitment: bigint): string {
    return `0x${commitment.toString(16).padStart(64, "0")}`
}

/**
 * Parses a commitment typed or pasted by a person: decimal or 0x-hex, a field element other than 0.
 * A shortened form such as `0x0ac676…780432` is named as such.
 */
export function parseCommitment(text: string): bigint | KycInputProblem {
    const clean = text.trim()
    if (/[…]|\.\.\./.test(clean)) return "compliance.invalid.shortened"
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(clean)) return "compliance.invalid.format"
    const value = BigInt(clean)
    if (value === 0n) return "compliance.invalid.zero"
    if (value >= SNARK_SCALAR_FIELD) return "compliance.invalid.field"
    return value
}

/**
 * Whether a text looks like a KYC application file (a JSON object with our `format`), so that a
 * malformed application is reported as one instead of as a list of odd commitments.
 */
export function looksLikeApplication(text: string): boolean {
    return /^\s*\{/.test(text)
}

/**
 * Reads a KYC application file.
 * @param where The chain and registry this page works on: an application for another is refused.
 * @returns The commitment, or why the file is refused.
 */
export function parseKycApplication(text: string, where: { chainId: number; kycRegistry: string }): bigint | KycInputProblem {
    let json: unknown
    try {
        json = JSON.parse(text)
    } catch {
        return "compliance.invalid.notJson"
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) return "compliance.invalid.notApplication"
    const file = json as Record<string, unknown>
    if (file.format !== KYC_APPLICATION_FORMAT) return "compliance.invalid.notApplication"
    if (!(KYC_APPLICATION_VERSIONS as readonly unknown[]).includes(file.version)) return "compliance.invalid.version"
    if (typeof file.commitment !== "string") return "compliance.invalid.noCommitment"
    if (file.chainId !== undefined && file.chainId !== where.chainId) return "compliance.invalid.otherChain"
    if (typeof file.kycRegistry === "string" && file.kycRegistry.toLowerCase() !== where.kycRegistry.toLowerCase()) return "compliance.invalid.otherChain"
    return parseCommitment(file.commitment)
}

/**
 * Where a commitment stands in the registry, from its public events alone (the latest value of
 * each leaf), without rebuilding the Merkle tree: cheap enough to check every few seconds.
 * @returns The leaf index, or undefined when the commitment is not a current member.
 */
export function leafIndexOf(events: readonly KycEvent[], commitment: bigint): number | undefined {
    const leaves = new Map<number, bigint>()
    for (const event of events) {
        if (event.kind === "added") event.commitments.forEach((c, i) => leaves.set(event.startIndex + i, c))
        else if (event.kind === "removed") leaves.set(event.index, 0n)
        else leaves.set(event.index, event.newCommitment)
    }
    for (const [index, leaf] of leaves) if (leaf === commitment) return index
    return undefined
}
