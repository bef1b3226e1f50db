/**
 * What the CLI should make of a value or a file, worked out from the documented formats (the
 * commands' --help, the file formats in cli/lib/*.ts module notes, bureau/README.md, the
 * NatSpec of ILoanMarket), without calling the CLI's own parsers: the malformed-cli suite
 * compares the CLI's exit code with these.
 *
 * Each function returns the parsed value, or undefined when the input is malformed.
 */
import { inCurve } from "@zk-kit/baby-jubjub"
import { getAddress } from "ethers"
import { APPLICANT_FIELDS } from "../../../bureau/src/applicant.ts"
import { bureauKeyHash, createBureauKey, isLowOrderKey, KycTree, parseAttestation, SNARK_SCALAR_FIELD } from "../../../prover/src/index.ts"

export const P = SNARK_SCALAR_FIELD
export const UINT128_MAX = 2n ** 128n - 1n
export const UINT256_LIMIT = 2n ** 256n
export const DAY = 86_400

/** A whole number in [min, max] as `--offer 3` takes it: decimal digits (an optional "-" for 0), spaces around allowed. */
export function wholeNumber(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const t = text.trim()
    if (!/^-?[0-9]+$/.test(t)) return undefined
    const n = Number(t)
    if (!Number.isSafeInteger(n) || n < min || n > max) return undefined
    return n === 0 ? 0 : n
}

/**
 * A token amount as `--amount 12.5` takes it, in the smallest unit: digits with an optional
 * fraction of at most `decimals` digits (underscores as digit separators), more than 0, an
 * ERC-20 amount (below 2^256).
 */
export function tokenAmount(text: string, decimals: number): bigint | undefined {
    const t = text.trim().replace(/_/g, "")
    const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(t)
    if (!m) return undefined
    const fraction = m[2] ?? ""
    if (fraction.length > decimals) return undefined
    const value = BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0")
    if (value <= 0n || value >= UINT256_LIMIT) return undefined
    return value
}

/** A non-zero field element (commitment, key hash) given as decimal or 0x-hex text, or a safe integer in JSON. */
export function fieldElement(value: unknown): bigint | undefined {
    let text: string
    if (typeof value === "number") {
        if (!Number.isSafeInteger(value)) return undefined
        text = String(value)
    } else if (typeof value === "string") text = value.trim()
    else return undefined
    if (!/^[0-9]+$/.test(text) && !/^0x[0-9a-fA-F]+$/.test(text)) return undefined
    const n = BigInt(text)
    return n === 0n || n >= P ? undefined : n
}

/** An address as ethers reads one (checksummed when mixed case). */
export function address(text: string): string | undefined {
    try {
        return getAddress(text.trim())
    } catch {
        return undefined
    }
}

/** JSON text as a file holds it (a UTF-8 byte order mark ignored, RFC 8259 8.1); undefined when it is not JSON. */
export function parseJsonFile(text: string): { value: unknown } | undefined {
    try {
        return { value: JSON.parse(text.replace(/^\ufeff/, "")) }
    } catch {
        return undefined
    }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * The commitments of an officer's members file (cli/lib/members-file.ts): CSV, one commitment
 * per line, or a header row naming a "commitment" column (cells split at , ; or tab, quotes
 * around a cell dropped), empty lines and # comments skipped; or JSON, an array of commitments,
 * of { commitment } objects, or { commitments: [...] }. Every value a non-zero field element,
 * none twice, at least one.
 */
export function membersFile(text: string, name: string): bigint[] | undefined {
    const trimmed = text.replace(/^\ufeff/, "").trim()
    let values: unknown[] = []
    if (/\.json$/i.test(name) || trimmed.startsWith("[") || trimmed.startsWith("{")) {
        let data: unknown
        try {
            data = JSON.parse(trimmed)
        } catch {
            return undefined
        }
        const list = Array.isArray(data) ? data : isPlainObject(data) && Array.isArray(data.commitments) ? data.commitments : undefined
        if (!list) return undefined
        values = Array.from(list, (item) => (isPlainObject(item) ? item.commitment : item))
    } else {
        let column = 0
        let first = true
        for (const line of trimmed.split(/\r?\n/)) {
            const content = line.trim()
            if (content === "" || content.startsWith("#")) continue
            const cells = content.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, "$1"))
            if (first) {
                first = false
                const named = cells.findIndex((c) => c.toLowerCase() === "commitment")
                if (named >= 0) {
                    column = named
                    continue
                }
                if (!cells.some((c) => /^(0x)?[0-9a-fA-F]+$/.test(c))) return undefined
            }
            values.push(cells[column] ?? "")
        }
    }
    const rows: bigint[] = []
    for (const value of values) {
        const c = fieldElement(value)
        if (c === undefined || rows.includes(c)) return undefined
        rows.push(c)
    }
    return rows.length > 0 ? rows : undefined
}

/** Whether a parsed JSON value is an applicant as bureau/README.md defines one (kind and exactly its fields). */
export function isApplicant(value: unknown): boolean {
    if (!isPlainObject(value)) return false
    const kind = value.kind
    if (kind !== "person" && kind !== "sme") return false
    const fields = APPLICANT_FIELDS[kind]
    const keys = Object.keys(value)
    if (keys.length !== fields.length + 1 || keys.some((k) => k !== "kind" && !fields.some((f) => f.name === k))) return false
    return fields.every((f) => {
        const v = value[f.name]
        if (f.type === "integer") return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= f.max
        return v === null || (typeof v === "number" && v >= 0 && v <= 1)
    })
}

/** Whether a parsed JSON value is an attestation (the prover's documented format). */
export function isAttestation(value: unknown): boolean {
    try {
        parseAttestation(value)
        return true
    } catch {
        return false
    }
}

/**
 * A bureau key file { privateKey, publicKey?, keyHash? } (bureau/src/key-file.ts): the private key
 * as 0x and 64 hex digits; the public key and its hash, when there, those of the private key.
 * @returns The key hash, or undefined.
 */
export function keyFile(value: unknown): bigint | undefined {
    if (!isPlainObject(value) || typeof value.privateKey !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value.privateKey)) return undefined
    const key = createBureauKey(value.privateKey)
    if (value.keyHash !== undefined && value.keyHash !== key.keyHash.toString()) return undefined
    if (value.publicKey !== undefined && JSON.stringify(value.publicKey) !== JSON.stringify(key.publicKey.map(String))) return undefined
    return key.keyHash
}

/**
 * The key `admin bureau-key add --key` registers: a key file, or its public part
 * { publicKey: [Ax, Ay], keyHash? } with Ax, Ay field elements (decimal or 0x text, or safe
 * integers) that make a point of Baby Jubjub not of small order.
 * @returns The key hash, or undefined.
 */
export function publicKeyFile(value: unknown): bigint | undefined {
    if (!isPlainObject(value)) return undefined
    if (value.privateKey !== undefined) return keyFile(value)
    const pk = value.publicKey
    if (!Array.isArray(pk) || pk.length !== 2) return undefined
    const coordinate = (v: unknown): bigint | undefined => {
        if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined
        if (typeof v !== "string") return undefined
        const t = v.trim()
        if (!/^[0-9]+$/.test(t) && !/^0x[0-9a-fA-F]+$/.test(t)) return undefined
        const n = BigInt(t)
        return n < P ? n : undefined
    }
    const ax = coordinate(pk[0])
    const ay = coordinate(pk[1])
    if (ax === undefined || ay === undefined) return undefined
    if (!inCurve([ax, ay]) || isLowOrderKey([ax, ay])) return undefined
    const keyHash = bureauKeyHash([ax, ay])
    if (value.keyHash !== undefined && value.keyHash !== keyHash.toString()) return undefined
    return keyHash
}

/**
 * Whether a parsed JSON value is an officer's tree file (cli/lib/tree-file.ts): format, version 1,
 * the given depth and arity 4, chainId, syncedBlock, kycRegistry, leaves as decimal strings of field elements, and
 * the root those leaves give (computed here with the prover's KycTree).
 */
export function isTreeFile(value: unknown, depth: number): boolean {
    if (!isPlainObject(value)) return false
    if (value.format !== "zkcredit-kyc-tree" || value.version !== 1 || value.depth !== depth || value.arity !== 4) return false
    if (!Number.isSafeInteger(value.chainId) || !Number.isSafeInteger(value.syncedBlock) || typeof value.kycRegistry !== "string") return false
    const leaves = value.leaves
    if (!Array.isArray(leaves) || !leaves.every((l) => typeof l === "string" && /^[0-9]+$/.test(l))) return false
    try {
        return new KycTree((leaves as string[]).map(BigInt)).root.toString() === value.root
    } catch {
        return false
    }
}

/** LoanMarket's limits on offers (its MAX_* constants). */
export interface MarketLimits {
    maxTiers: number
    maxAprBps: number
    maxInstalments: number
    maxTerm: number
    maxPeriod: number
}

/** An offer as `lender offer create` takes it, from options (strings) or an offer file (JSON). */
export interface OfferSource {
    token?: unknown
    capacity?: unknown
    tiers?: unknown
    termDays?: unknown
    instalments?: unknown
    graceDays?: unknown
    defaultDays?: unknown
    lateFee?: unknown
}

const OFFER_KEYS = ["token", "capacity", "tiers", "termDays", "instalments", "graceDays", "defaultDays", "lateFee"]
const TIER_KEYS = ["minScore", "aprBps", "maxPrincipal"]

/**
 * Whether an offer is one the market accepts (ILoanMarket NatSpec: 1 to MAX_TIERS tiers with
 * ascending minScore, APR at most MAX_APR_BPS, maxPrincipal above 0; 1 to MAX_INSTALMENTS
 * instalments; term at most MAX_TERM; grace < default period <= MAX_PERIOD; amounts in uint128
 * and a loan's worst-case total in uint128) and the CLI can read (help of `lender offer create`:
 * whole days, amounts in token units; an offer file holds strings or numbers, and no key the
 * offer does not have).
 * @returns The capacity in the smallest unit, or undefined when the offer is malformed.
 */
export function offerCapacity(source: OfferSource, options: { decimals: number; isToken: (text: string) => boolean; limits: MarketLimits; fromFile: boolean }): bigint | undefined {
    const { decimals, limits, fromFile } = options
    const scalar = (v: unknown): string | undefined => {
        if (v === undefined || v === null || v === "") return undefined
        if (typeof v === "string") return v
        if (fromFile && typeof v === "number" && Number.isFinite(v)) return String(v)
        return undefined
    }
    if (fromFile && Object.keys(source).some((k) => !OFFER_KEYS.includes(k))) return undefined
    const token = scalar(source.token)
    if (token === undefined || !options.isToken(token)) return undefined
    const capacityText = scalar(source.capacity)
    const capacity = capacityText === undefined ? undefined : tokenAmount(capacityText, decimals)
    if (capacity === undefined || capacity > UINT128_MAX) return undefined
    const tier = (minScore: unknown, aprBps: unknown, maxPrincipal: unknown) => {
        const [s, a, m] = [scalar(minScore), scalar(aprBps), scalar(maxPrincipal)]
        if (s === undefined || a === undefined || m === undefined) return undefined
        const t = { minScore: wholeNumber(s, 0, 65_535), aprBps: wholeNumber(a, 0, limits.maxAprBps), maxPrincipal: tokenAmount(m, decimals) }
        if (t.minScore === undefined || t.aprBps === undefined || t.maxPrincipal === undefined || t.maxPrincipal > UINT128_MAX) return undefined
        return t as { minScore: number; aprBps: number; maxPrincipal: bigint }
    }
    let tiers: ({ minScore: number; aprBps: number; maxPrincipal: bigint } | undefined)[]
    if (Array.isArray(source.tiers)) {
        if (!fromFile) return undefined
        tiers = source.tiers.map((t) => (isPlainObject(t) && Object.keys(t).every((k) => TIER_KEYS.includes(k)) ? tier(t.minScore, t.aprBps, t.maxPrincipal) : undefined))
    } else {
        const text = scalar(source.tiers)
        if (text === undefined) return undefined
        tiers = text.split(",").map((part) => {
            const fields = part.trim().split(":")
            return fields.length === 3 ? tier(fields[0], fields[1], fields[2]) : undefined
        })
    }
    if (tiers.length === 0 || tiers.length > limits.maxTiers || tiers.some((t) => t === undefined)) return undefined
    const ok = tiers as { minScore: number; aprBps: number; maxPrincipal: bigint }[]
    if (ok.some((t, i) => i > 0 && t.minScore <= ok[i - 1]!.minScore)) return undefined
    const days = (v: unknown, min: number) => {
        const text = scalar(v)
        return text === undefined ? undefined : wholeNumber(text, min, 3650)
    }
    const termDays = days(source.termDays, 1)
    const graceDays = days(source.graceDays, 0)
    const defaultDays = days(source.defaultDays, 1)
    const instalmentsText = scalar(source.instalments)
    const instalments = instalmentsText === undefined ? undefined : wholeNumber(instalmentsText, 1, limits.maxInstalments)
    if (termDays === undefined || graceDays === undefined || defaultDays === undefined || instalments === undefined) return undefined
    if (termDays * DAY > limits.maxTerm || termDays * DAY < instalments) return undefined
    if (defaultDays <= graceDays || defaultDays * DAY > limits.maxPeriod) return undefined
    const lateFeeText = scalar(source.lateFee)
    if (lateFeeText === undefined) return undefined
    const lateFee = lateFeeText.trim() === "0" ? 0n : tokenAmount(lateFeeText, decimals)
    if (lateFee === undefined || lateFee > UINT128_MAX) return undefined
    const term = BigInt(termDays * DAY)
    for (const t of ok) {
        const interest = (t.maxPrincipal * BigInt(t.aprBps) * term + 10_000n * 365n * 86_400n - 1n) / (10_000n * 365n * 86_400n)
        if (t.maxPrincipal + interest + lateFee * BigInt(instalments) > UINT128_MAX) return undefined
    }
    return capacity
}
