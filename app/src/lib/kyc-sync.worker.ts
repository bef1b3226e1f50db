/**
 * The borrower's KYC sync, in a Web Worker so the page never blocks. It keeps the tree's packed
 * levels in IndexedDB with the last synced block: a first visit starts from the app server's
 * snapshot (checked against the registry's on-chain roots) or from the deployment block, later
 * visits read only the events after the stored block and apply them to the stored levels (only the
 * nodes above new leaves are hashed), and a visit with nothing new hashes nothing.
 * Every request is the same for every borrower (the whole snapshot, event ranges by block); the
 * leaf index is computed here and only a Merkle proof goes back to the page, in this browser.
 */
import { Contract, JsonRpcProvider } from "ethers"
import { leavesFromKycEvents } from "$client/kyc-events.ts"
import { applyKycEventsToLevels, checkKycSnapshot, fetchKycSnapshot, hasKycTreeShape, packedIndexOf, packedMerkleProof, packedRoot, packLevels, type PackedLevels } from "$client/kyc-snapshot.ts"
import { fetchKycEvents } from "$client/kyc-tree.ts"
import { KycRegistryAbi } from "$client/generated/abis.ts"
import { buildKycTree, workerRunner, type SubtreeResponse } from "$prover/kyc-build.ts"
import { poseidonLiteHash, verifyMerkleProof } from "$prover/kyc-tree.ts"
import { loadFastPoseidon } from "$prover/poseidon.ts"
import BuildWorker from "$prover/kyc-build.worker.ts?worker"
import type { KycSyncRequest, KycSyncResponse, KycSyncStage } from "./kyc.ts"

/** Up to this many new leaves, poseidon-lite (about 250 us a hash) beats loading the WebAssembly one. */
const FEW_LEAVES = 512

const post = (message: KycSyncResponse) => (self as unknown as Worker).postMessage(message)

interface Stored {
    key: string
    syncedBlock: number
    root: string
    levels: PackedLevels
}

const DB = "zkcredit-kyc"
const STORE = "trees"

function openDb(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
        const request = indexedDB.open(DB, 1)
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" })
        request.onsuccess = () => resolve(request.result)
        request.onerror = () => reject(request.error)
    })
}

async function load(key: string): Promise<Stored | undefined> {
    const db = await openDb()
    return new Promise((resolve, reject) => {
        const request = db.transaction(STORE).objectStore(STORE).get(key)
        request.onsuccess = () => resolve(request.result as Stored | undefined)
        request.onerror = () => reject(request.error)
    })
}

async function save(value: Stored): Promise<void> {
    const db = await openDb()
    await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(STORE, "readwrite")
        tx.objectStore(STORE).put(value)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
    })
}

/** A return visit's save, written after the page has its answer (see sync). */
let saving: Promise<void> | undefined
/** How long a return visit's save waits: the page's membership question comes first. */
const DEFERRED_SAVE_MS = 250

/** The synced state, for membership questions after a sync. */
let current: { key: string; syncedBlock: number; levels: PackedLevels } | undefined

async function sync(request: Extract<KycSyncRequest, { type: "sync" }>): Promise<void> {
    const { id } = request
    const started = performance.now()
    // when each stage started (ms into the sync), for the benchmark's breakdown
    const stagesMs: Record<string, number> = {}
    const progress = (stage: KycSyncStage, extra: Partial<Extract<KycSyncResponse, { type: "progress" }>> = {}) => {
        const elapsedMs = performance.now() - started
        stagesMs[stage] ??= Math.round(elapsedMs)
        post({ id, type: "progress", stage, elapsedMs, ...extra })
    }
    // the last visit's save first: this sync may update those levels in place
    await saving
    const provider = new JsonRpcProvider(request.rpcUrl, request.chainId, { staticNetwork: true })
    try {
        const registry = new Contract(request.kycRegistry, KycRegistryAbi, provider)
        const key = `${request.chainId}:${request.kycRegistry.toLowerCase()}`
        progress("loading")
        // the latest block and the stored tree, read at the same time
        const [latest, stored] = await Promise.all([provider.getBlockNumber(), request.fresh ? undefined : current?.key === key ? current : load(key)])
        stagesMs.stored = Math.round(performance.now() - started)
        let state: { syncedBlock: number; levels: PackedLevels } | undefined
        let from: "stored" | "snapshot" | "events" = "stored"
        // a copy of another shape (the former binary tree's 21 levels) is not used: rebuilt and replaced
        if (stored && stored.syncedBlock <= latest && hasKycTreeShape(stored.levels)) state = stored
        if (!state && request.snapshotUrl) {
            const snapshot = await fetchKycSnapshot(request.snapshotUrl, fetch, (bytes, total) => progress("snapshot", { bytes, bytesTotal: total }))
            if (snapshot) {
                await checkKycSnapshot(snapshot.manifest, snapshot.levels, { chainId: request.chainId, kycRegistry: request.kycRegistry, latestBlock: latest, registry })
                state = { syncedBlock: snapshot.manifest.block, levels: snapshot.levels }
                from = "snapshot"
            }
        }
        if (!state) from = "events"
        const fromBlock = state ? state.syncedBlock + 1 : request.deployBlock
        const events = await fetchKycEvents(provider, request.kycRegistry, {
            fromBlock,
            toBlock: latest,
            onProgress: (p) => progress("events", { blocksScanned: p.scanned, blocksTotal: p.total, events: p.events })
        })
        let levels = state?.levels
        let hashed = 0
        if (!levels || events.length > 0) {
            if (!levels) {
                const leaves = leavesFromKycEvents(events)
                const tree = await buildInWorkers(leaves, await loadFastPoseidon(), (done, total) => progress("hashing", { leavesHashed: (hashed = done), leavesTotal: total }))
                levels = packLevels(tree)
            } else {
                // on the packed levels as stored: only the nodes above the new leaves are hashed
                const leavesTotal = events.reduce((n, e) => n + (e.kind === "added" ? e.commitments.length : 1), 0)
                progress("hashing", { leavesHashed: 0, leavesTotal })
                // setting up the WebAssembly Poseidon blocks this worker for about a second (more on a
                // busy machine): a few new members are hashed sooner with poseidon-lite (same output)
                const hash = leavesTotal <= FEW_LEAVES ? poseidonLiteHash : await loadFastPoseidon()
                const applied = applyKycEventsToLevels(levels, events, hash)
                if (typeof applied === "string") throw new Error(`the registry's events do not fit the stored tree: ${applied}`)
                levels = applied
                progress("hashing", { leavesHashed: (hashed = leavesTotal), leavesTotal })
            }
        }
        stagesMs.checking = Math.round(performance.now() - started)
        // reads the top node (the empty root's hashes for no leaves: the same from any Poseidon)
        const root = packedRoot(levels)
        const chainRoot = BigInt(await registry.getFunction("currentRoot")({ blockTag: latest }))
        const size = levels[0]!.length / 32
        if (size > 0 && root !== chainRoot) {
            // a stored tree or snapshot that does not lead to the registry's root: start again from the events
            current = undefined
            if (from !== "events") return await sync({ ...request, snapshotUrl: undefined, fresh: true })
            throw new Error(`the KYC tree rebuilt from the events has root ${root}, the registry ${chainRoot}: a published root is wrong (see the compliance audit)`)
        }
        const record = { key, syncedBlock: latest, root: root.toString(), levels }
        if (from !== "stored" || request.fresh) {
            progress("saving")
            await save(record)
        } else if (events.length > 0) {
            // a return visit's few new events: the page gets its answer first and the copy (every
            // level, tens of MB at a province's size) is written just after; a page closed before
            // that only means the next visit applies the same events again
            saving = new Promise((resolve) => setTimeout(resolve, DEFERRED_SAVE_MS)).then(() => save(record)).catch(() => {})
        }
        current = { key, syncedBlock: latest, levels }
        post({ id, type: "done", syncedBlock: latest, size, root: root.toString(), from, eventsApplied: events.length, leavesHashed: hashed, totalMs: performance.now() - started, stagesMs })
    } finally {
        provider.destroy()
    }
}

/** A full build over nested Web Workers, one per core (it pays from about 2^14 leaves). */
async function buildInWorkers(leaves: bigint[], hash: Awaited<ReturnType<typeof loadFastPoseidon>>, onProgress: (done: number, total: number) => void) {
    const count = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4))
    const workers = leaves.length >= 2 ** 14 ? Array.from({ length: count }, () => new BuildWorker()) : []
    try {
        const runners = workers.map((w) => workerRunner({ postMessage: (m) => w.postMessage(m), onResponse: (h) => w.addEventListener("message", (e: MessageEvent<SubtreeResponse>) => h(e.data)) }))
        return await buildKycTree(leaves, { hash, runners, onProgress })
    } finally {
        for (const w of workers) w.terminate()
    }
}

function membership(request: Extract<KycSyncRequest, { type: "membership" }>): void {
    if (!current) throw new Error("the KYC tree is not synced yet: call syncKyc first")
    const index = packedIndexOf(current.levels, BigInt(request.commitment))
    if (index === -1) return post({ id: request.id, type: "membership", proof: undefined })
    const proof = packedMerkleProof(current.levels, index)
    // the path is checked against the root that was checked against the chain
    if (!verifyMerkleProof(proof)) throw new Error("the stored KYC tree is inconsistent at this member's path: clear the site data and sync again")
    post({ id: request.id, type: "membership", proof })
}

self.onmessage = async (event: MessageEvent<KycSyncRequest>) => {
    const request = event.data
    try {
        if (request.type === "sync") await sync(request)
        else membership(request)
    } catch (error) {
        const e = error as { code?: string; message?: string }
        post({ id: request.id, type: "error", code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(error) })
    }
}
