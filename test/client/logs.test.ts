/**
 * Reading logs at scale (client/src/logs.ts): against a fake provider that refuses ranges and
 * result sizes the way public RPCs do (named RefusingProvider, it stands for a public RPC; this
 * machine has none), and against a real local node, directly and behind the same refusals.
 * Ports 8980-8989.
 */
import { Contract, Interface, type Filter, type Log, type Provider } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchKycEvents } from "../../client/src/kyc-tree.ts"
import { decodeKycDefaultLog } from "../../client/src/kyc-defaults.ts"
import { decodeKycLog } from "../../client/src/kyc-events.ts"
import { TrustRegistryAbi } from "../../client/src/generated/abis.ts"
import { classifyLogsFailure, getLogsInRanges } from "../../client/src/logs.ts"
import { multiplyGenerator } from "../../prover/src/escrow/index.ts"
import { KycTree } from "../../prover/src/kyc-tree.ts"
import { startTestChain, type TestChain } from "../cli/helpers.ts"
import { testPort } from "../helpers/ports.ts"

/** Limits of the fake public RPC and what it saw. */
interface Limits {
    maxRange: number
    maxResults: number
    /** The first n calls fail with a rate limit. */
    rateLimited?: number
}

/**
 * A fake public RPC (a stand-in, not a chain): it refuses a range wider than `maxRange` blocks
 * (Alchemy's and QuickNode's wording) or one with more than `maxResults` logs (Infura's), rate
 * limits the first calls, and records every request and the requests in flight. Logs come from
 * `source`: a fixed list, or a real provider.
 */
class RefusingProvider {
    readonly requests: { fromBlock: number; toBlock: number }[] = []
    inFlight = 0
    maxInFlight = 0
    #calls = 0
    readonly limits: Limits
    readonly source: (filter: Filter & { fromBlock: number; toBlock: number }) => Promise<Log[]>
    constructor(limits: Limits, source: (filter: Filter & { fromBlock: number; toBlock: number }) => Promise<Log[]>) {
        this.limits = limits
        this.source = source
    }

    async getLogs(filter: Filter): Promise<Log[]> {
        const fromBlock = Number(filter.fromBlock)
        const toBlock = Number(filter.toBlock)
        this.#calls++
        this.inFlight++
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        try {
            await new Promise((r) => setTimeout(r, 2))
            if (this.#calls <= (this.limits.rateLimited ?? 0)) throw Object.assign(new Error("server response 429 Too Many Requests"), { code: 429 })
            if (toBlock - fromBlock + 1 > this.limits.maxRange) throw Object.assign(new Error("could not coalesce error"), { error: { code: -32602, message: `eth_getLogs is limited to a ${this.limits.maxRange} range` } })
            const logs = await this.source({ ...filter, fromBlock, toBlock })
            if (logs.length > this.limits.maxResults) throw Object.assign(new Error("could not coalesce error"), { error: { code: -32005, message: `query returned more than ${this.limits.maxResults} results` } })
            this.requests.push({ fromBlock, toBlock })
            return logs
        } finally {
            this.inFlight--
        }
    }
}

/** Fake logs: `perBlock(b)` logs in block b. */
function fakeLogs(blocks: number, perBlock: (b: number) => number): Log[] {
    const logs: Log[] = []
    for (let b = 0; b < blocks; b++) for (let i = 0; i < perBlock(b); i++) logs.push({ blockNumber: b, index: i, transactionHash: `0x${b}-${i}` } as unknown as Log)
    return logs
}
const fromList = (logs: Log[]) => async (f: { fromBlock: number; toBlock: number }) => logs.filter((l) => l.blockNumber >= f.fromBlock && l.blockNumber <= f.toBlock)

describe("getLogsInRanges against a fake public RPC that refuses (RefusingProvider)", () => {
    const logs = fakeLogs(3_000, (b) => (b % 500 === 7 ? 40 : b % 3 === 0 ? 1 : 0))

    it("splits refused ranges and result sizes until each is accepted, and returns every log once, in order", async () => {
        const rpc = new RefusingProvider({ maxRange: 300, maxResults: 50 }, fromList(logs))
        const got = await getLogsInRanges(rpc, { address: "0x0000000000000000000000000000000000000001" }, 0, 2_999, { rangeSize: 2_000, concurrency: 3, backoffMs: 1 })
        expect(got.map((l) => `${l.blockNumber}:${l.index}`)).toEqual(logs.map((l) => `${l.blockNumber}:${l.index}`))
        for (const r of rpc.requests) expect(r.toBlock - r.fromBlock + 1).toBeLessThanOrEqual(300)
        // accepted ranges tile the whole span exactly once
        const covered = rpc.requests.map((r) => [r.fromBlock, r.toBlock] as const).sort((a, b) => a[0] - b[0])
        expect(covered[0]![0]).toBe(0)
        for (let i = 1; i < covered.length; i++) expect(covered[i]![0]).toBe(covered[i - 1]![1] + 1)
        expect(covered.at(-1)![1]).toBe(2_999)
    })

    it("keeps a few requests in flight, never more than asked", async () => {
        const rpc = new RefusingProvider({ maxRange: 100, maxResults: 1_000 }, fromList(logs))
        await getLogsInRanges(rpc, {}, 0, 2_999, { rangeSize: 100, concurrency: 3 })
        expect(rpc.maxInFlight).toBe(3)
    })

    it("retries a rate limit with backoff, then carries on", async () => {
        const rpc = new RefusingProvider({ maxRange: 1_000, maxResults: 1_000, rateLimited: 4 }, fromList(logs))
        const started = performance.now()
        const got = await getLogsInRanges(rpc, {}, 0, 2_999, { rangeSize: 1_000, concurrency: 1, backoffMs: 5 })
        expect(got).toHaveLength(logs.length)
        // 5 + 10 + 20 + 40 ms of backoff at least
        expect(performance.now() - started).toBeGreaterThanOrEqual(70)
    })

    it("gives up with the provider's error after the retries, and on a single block it must refuse", async () => {
        const down = new RefusingProvider({ maxRange: 1_000, maxResults: 1_000, rateLimited: 1_000 }, fromList(logs))
        await expect(getLogsInRanges(down, {}, 0, 10, { retries: 2, backoffMs: 1 })).rejects.toMatchObject({ code: 429 })
        const tooBusy = new RefusingProvider({ maxRange: 1_000, maxResults: 10 }, fromList(logs))
        await expect(getLogsInRanges(tooBusy, {}, 0, 10, { retries: 1, backoffMs: 1 })).rejects.toMatchObject({ error: { code: -32005 } })
    })

    it("reports the block up to which everything arrived, and a resumed read gives the rest", async () => {
        const rpc = new RefusingProvider({ maxRange: 200, maxResults: 50 }, fromList(logs))
        const marks: number[] = []
        const first = await getLogsInRanges(rpc, {}, 0, 1_499, { rangeSize: 200, onProgress: (p) => marks.push(p.doneThrough) })
        expect(marks).toEqual([...marks].sort((a, b) => a - b))
        expect(marks.at(-1)).toBe(1_499)
        const rest = await getLogsInRanges(rpc, {}, marks.at(-1)! + 1, 2_999, { rangeSize: 200 })
        expect([...first, ...rest]).toHaveLength(logs.length)
    })

    it("stops when aborted", async () => {
        const rpc = new RefusingProvider({ maxRange: 10, maxResults: 1_000 }, fromList(logs))
        const controller = new AbortController()
        const reading = getLogsInRanges(rpc, {}, 0, 2_999, { rangeSize: 10, concurrency: 1, signal: controller.signal, onProgress: (p) => p.scanned >= 50 && controller.abort(new Error("stop")) })
        await expect(reading).rejects.toThrow("stop")
        expect(rpc.requests.length).toBeLessThan(10)
    })

    it("tells refusals from failures worth retrying, in the wordings providers use", () => {
        for (const message of ["query returned more than 10000 results", "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range", "block range too large", "exceed maximum block range: 5000", "eth_getLogs is limited to a 10,000 range"]) {
            expect(classifyLogsFailure({ error: { code: -32600, message } })).toBe("split")
        }
        expect(classifyLogsFailure({ code: -32005, message: "limit exceeded" })).toBe("split")
        for (const message of ["rate limit exceeded", "request timeout", "socket hang up", "503 Service Unavailable"]) expect(classifyLogsFailure(new Error(message))).toBe("retry")
    })
})

describe("fetchKycEvents against a real local node", () => {
    let chain: TestChain
    let registry: string
    const batches = [[11n, 22n], [33n], [44n, 55n, 66n], [77n]]

    beforeAll(async () => {
        chain = await startTestChain(testPort(8980))
        registry = chain.deployment.contracts.trustRegistry
        const admin = await chain.provider.getSigner(0)
        const kyc = new Contract(registry, TrustRegistryAbi, admin)
        await (await kyc.getFunction("grantRole")(await kyc.getFunction("OFFICER_ROLE")(), admin.address)).wait()
        const tree = new KycTree()
        const now = (await chain.provider.getBlock("latest"))!.timestamp
        const [x, y] = multiplyGenerator(5n)
        // the bureau and committee parts log at the same address, between the KYC batches
        const otherParts = [
            () => kyc.getFunction("addBureau")("Pearl River Credit"),
            () => kyc.getFunction("addKey")(1, 1n, 2n, 3n, now, now + 86_400),
            () => kyc.getFunction("addCommitteeKey")(x, y, 1, [{ account: admin.address, shareX: x, shareY: y }], now, now + 86_400)
        ]
        for (const [i, batch] of batches.entries()) {
            tree.addMembers(batch)
            await (await kyc.getFunction("addMembers")(batch, tree.root)).wait()
            if (otherParts[i]) await (await otherParts[i]!()).wait()
        }
        tree.removeMember(1)
        await (await kyc.getFunction("removeMember")(1, tree.root)).wait()
    })

    afterAll(async () => {
        await chain?.stop()
    })

    it("one-block ranges, several in flight, give the events of one big range", async () => {
        const whole = await fetchKycEvents(chain.provider, registry, { fromBlock: chain.deployment.deployBlock })
        expect(whole.map((e) => e.kind)).toEqual(["added", "added", "added", "added", "removed"])
        const small = await fetchKycEvents(chain.provider, registry, { fromBlock: chain.deployment.deployBlock, chunkSize: 1, concurrency: 4 })
        expect(small).toEqual(whole)
    })

    it("reads only the KYC part's leaf events: the bureau and committee parts' events at the same address are left out", async () => {
        const logs = await chain.provider.getLogs({ address: registry, fromBlock: chain.deployment.deployBlock, toBlock: "latest" })
        const topics = new Set(logs.map((log) => log.topics[0]))
        for (const name of ["BureauAdded", "BureauKeyAdded", "CommitteeKeyAdded", "CommitteeAuthorityAdded", "RoleGranted"]) expect(topics.has(new Interface(TrustRegistryAbi).getEvent(name)!.topicHash), name).toBe(true)
        const decoded = logs.map((log) => decodeKycLog(log)).filter((e) => e !== undefined)
        expect(decoded).toEqual(await fetchKycEvents(chain.provider, registry, { fromBlock: chain.deployment.deployBlock }))
        expect(logs.map((log) => decodeKycDefaultLog(log)).filter((e) => e !== undefined)).toEqual([])
    })

    it("behind a refusing gateway (RefusingProvider in front of the real node) the events are the same", async () => {
        const real = chain.provider as Provider
        const rpc = new RefusingProvider({ maxRange: 2, maxResults: 1 }, (filter) => real.getLogs(filter))
        const gated = { getLogs: (f: Filter) => rpc.getLogs(f), getBlockNumber: () => real.getBlockNumber() }
        const events = await fetchKycEvents(gated, registry, { fromBlock: chain.deployment.deployBlock, chunkSize: 1_000, backoffMs: 1 })
        expect(events).toEqual(await fetchKycEvents(real, registry, { fromBlock: chain.deployment.deployBlock }))
        expect(rpc.requests.every((r) => r.toBlock - r.fromBlock + 1 <= 2)).toBe(true)
    })

    it("resumes from the last synced block: the events after it, none twice", async () => {
        const all = await fetchKycEvents(chain.provider, registry, { fromBlock: chain.deployment.deployBlock })
        const middle = all[2]!.blockNumber
        const before = await fetchKycEvents(chain.provider, registry, { fromBlock: chain.deployment.deployBlock, toBlock: middle })
        const after = await fetchKycEvents(chain.provider, registry, { fromBlock: middle + 1 })
        expect([...before, ...after]).toEqual(all)
    })
})
