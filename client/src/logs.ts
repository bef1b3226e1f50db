/**
 * `eth_getLogs` over any block range from any JSON-RPC provider, the one code path of the app,
 * the CLI and the audit. Public providers refuse ranges above some number of blocks and results
 * above some number of logs (each with its own message): a refused range is cut in two and both
 * halves are asked again, down to one block. Other failures (rate limits, time-outs, a dropped
 * connection) are retried with exponential backoff. A few ranges are in flight at once, and the
 * caller learns the block up to which everything has arrived, to resume from there.
 */
import type { Filter, Log, Provider } from "ethers"

/** Options of {@link getLogsInRanges}. */
export interface GetLogsOptions {
    /** Blocks per request to start with (default 5,000); halved where refused. */
    rangeSize?: number
    /** Requests in flight at once (default 3). */
    concurrency?: number
    /** Retries of one range after a failure that is not a refusal (default 5). */
    retries?: number
    /** First backoff in milliseconds, doubled at each retry (default 250). */
    backoffMs?: number
    /**
     * Called as ranges arrive: blocks scanned, the total, logs so far, and `doneThrough`, the block
     * up to which every range has arrived (`fromBlock - 1` before any): where to resume from.
     */
    onProgress?: (progress: { scanned: number; total: number; logs: number; doneThrough: number }) => void
    /** Stops the reading (the promise rejects with the signal's reason). */
    signal?: AbortSignal
}

/** A refusal, a failure to retry, or a failure to give up on. */
type Verdict = "split" | "retry"

const REFUSAL = /block range|range (is )?too (large|wide|big)|range limit|exceed|too many (results|logs|blocks)|more than \d+|response size|limited to|query returned|log response|max(imum)? (block )?range|range should/i
const TRANSIENT = /rate limit|too many requests|timeout|timed out|temporar|unavailable|ECONNRESET|ECONNREFUSED|socket hang up|network|overloaded|busy|gateway/i

/** Every message and code in an error, however deeply a provider nested them. */
function describeFailure(error: unknown): { text: string; codes: (string | number)[] } {
    const texts: string[] = []
    const codes: (string | number)[] = []
    const seen = new Set<unknown>()
    const visit = (value: unknown, depth: number): void => {
        if (depth > 6 || typeof value !== "object" || value === null || seen.has(value)) return
        seen.add(value)
        const v = value as Record<string, unknown>
        if (typeof v.message === "string") texts.push(v.message)
        if (typeof v.shortMessage === "string") texts.push(v.shortMessage)
        if (typeof v.code === "string" || typeof v.code === "number") codes.push(v.code)
        for (const key of ["error", "info", "cause", "data", "payload", "body"]) visit(v[key], depth + 1)
        if (typeof v.body === "string") texts.push(v.body)
    }
    visit(error, 0)
    return { text: texts.join(" | "), codes }
}

/**
 * Whether a failed `eth_getLogs` is a refusal of the range or result size (split it) or something
 * to retry. Exported for tests.
 */
export function classifyLogsFailure(error: unknown): Verdict {
    const { text, codes } = describeFailure(error)
    if (codes.includes(429) || TRANSIENT.test(text)) return "retry"
    // -32005: "limit exceeded" in EIP-1474; many providers send -32602/-32600 with a range message
    if (codes.includes(-32005) || REFUSAL.test(text)) return "split"
    return "retry"
}

const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const timer = setTimeout(resolve, ms)
        signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true })
    })

/**
 * Reads the logs of a filter over [fromBlock, toBlock], in chain order (block, then log index).
 * @param provider Any ethers provider.
 * @param filter Address and topics (its block fields are ignored).
 * @param fromBlock First block.
 * @param toBlock Last block.
 * @throws The provider's last error when a range keeps failing after `retries` retries, or when a
 *   single block is still refused.
 */
export async function getLogsInRanges(provider: Pick<Provider, "getLogs">, filter: Omit<Filter, "fromBlock" | "toBlock">, fromBlock: number, toBlock: number, options: GetLogsOptions = {}): Promise<Log[]> {
    for (const [name, value] of [["fromBlock", fromBlock], ["toBlock", toBlock]] as const) {
        if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a block number, got ${value}`)
    }
    const rangeSize = options.rangeSize ?? 5_000
    const concurrency = options.concurrency ?? 3
    const retries = options.retries ?? 5
    const backoffMs = options.backoffMs ?? 250
    if (!Number.isSafeInteger(rangeSize) || rangeSize < 1) throw new RangeError(`rangeSize must be a positive integer, got ${rangeSize}`)
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
    if (toBlock < fromBlock) return []

    // ranges still to ask, in block order; a refused range is replaced by its two halves in place
    const queue: { from: number; to: number }[] = []
    for (let from = fromBlock; from <= toBlock; from += rangeSize) queue.push({ from, to: Math.min(from + rangeSize - 1, toBlock) })
    const done = new Map<number, { to: number; logs: Log[] }>()
    const total = toBlock - fromBlock + 1
    let scanned = 0
    let count = 0
    let doneThrough = fromBlock - 1
    // the size that the provider accepted last: new ranges are not asked bigger than that
    let accepted = rangeSize

    const take = (): { from: number; to: number } | undefined => {
        const range = queue.shift()
        if (range && range.to - range.from + 1 > accepted) {
            const to = range.from + accepted - 1
            queue.unshift({ from: to + 1, to: range.to })
            return { from: range.from, to }
        }
        return range
    }

    const worker = async (): Promise<void> => {
        for (let range = take(); range; range = take()) {
            let attempt = 0
            for (;;) {
                options.signal?.throwIfAborted()
                try {
                    const logs = await provider.getLogs({ ...filter, fromBlock: range.from, toBlock: range.to })
                    done.set(range.from, { to: range.to, logs })
                    scanned += range.to - range.from + 1
                    count += logs.length
                    while (done.has(doneThrough + 1)) doneThrough = done.get(doneThrough + 1)!.to
                    options.onProgress?.({ scanned, total, logs: count, doneThrough })
                    break
                } catch (error) {
                    if (options.signal?.aborted) throw options.signal.reason
                    const width = range.to - range.from + 1
                    if (classifyLogsFailure(error) === "split" && width > 1) {
                        const mid = range.from + Math.floor(width / 2) - 1
                        accepted = Math.max(1, Math.min(accepted, mid - range.from + 1))
                        queue.unshift({ from: range.from, to: mid }, { from: mid + 1, to: range.to })
                        break
                    }
                    if (attempt++ >= retries) throw error
                    await sleep(backoffMs * 2 ** (attempt - 1), options.signal)
                }
            }
        }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))

    const logs: Log[] = []
    for (const from of [...done.keys()].sort((a, b) => a - b)) logs.push(...done.get(from)!.logs)
    return logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
}
