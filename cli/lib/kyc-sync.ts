/**
 * Brings a KYC tree up to date with the chain from the registry's events, with progress bars:
 * incrementally from a tree file's last block when it has one, else from the deployment block.
 * Used by the officer (who keeps the tree in a file) and the borrower (who rebuilds it in memory
 * and never asks anyone for a Merkle path).
 */
import type { Contract } from "ethers"
import { applyKycEvent, leavesFromKycEvents, type KycEvent } from "../../client/src/kyc-events.ts"
import { fetchKycEvents } from "../../client/src/kyc-tree.ts"
import { buildKycTreeInNode } from "../../prover/src/kyc-build-node.ts"
import type { KycTree } from "../../prover/src/kyc-tree.ts"
import type { CliContext } from "./context.ts"
import { startProgress } from "./progress.ts"
import { loadTreeFile, saveTreeFile, type TreeFileMeta } from "./tree-file.ts"

/** The tree after a sync and how it compares with the registry. */
export interface SyncedTree {
    tree: KycTree
    meta: TreeFileMeta
    /** The registry's current root and used slots at `meta.syncedBlock`. */
    chainRoot: bigint
    chainSize: number
    /** Whether the tree's root and size are the registry's. */
    matchesChain: boolean
    /** Events read in this sync. */
    eventsRead: number
    /** "file" (no new events), "incremental" or "full". */
    mode: "file" | "incremental" | "full"
}

/** Whether a tree is what the registry publishes (the registry's root is 0 while it is empty). */
export function treeMatches(tree: KycTree, chainRoot: bigint, chainSize: number): boolean {
    return tree.size === chainSize && (chainSize === 0 ? chainRoot === 0n : tree.root === chainRoot)
}

/** The registry's root and size at a block. */
export async function registryState(kyc: Contract, blockTag: number): Promise<{ root: bigint; size: number }> {
    const [root, size] = await Promise.all([kyc.getFunction("currentRoot")({ blockTag }), kyc.getFunction("nextIndex")({ blockTag })])
    return { root: BigInt(root), size: Number(size) }
}

/**
 * Syncs a tree with the chain.
 * @param options.treePath A tree file to start from and write back; none for an in-memory sync.
 * @param options.full Ignore the file and rebuild from the deployment block.
 */
export async function syncKycTree(ctx: CliContext, options: { treePath?: string; full?: boolean } = {}): Promise<SyncedTree> {
    const provider = await ctx.provider()
    const deployment = await ctx.deployment()
    const { kycRegistry } = await ctx.readContracts()
    const latest = await provider.getBlockNumber()
    const chain = await registryState(kycRegistry, latest)
    const registry = deployment.contracts.trustRegistry

    let loaded = options.treePath && !options.full ? await loadTreeFile(options.treePath) : undefined
    if (loaded && (loaded.meta.chainId !== deployment.chainId || loaded.meta.kycRegistry.toLowerCase() !== registry.toLowerCase() || loaded.meta.syncedBlock > latest)) {
        ctx.out.note(`the tree file ${options.treePath} is of another deployment: rebuilding it from the chain`)
        loaded = undefined
    }

    let result: SyncedTree | undefined
    if (loaded) {
        if (treeMatches(loaded.tree, chain.root, chain.size)) {
            const meta = { ...loaded.meta, syncedBlock: latest }
            result = { tree: loaded.tree, meta, chainRoot: chain.root, chainSize: chain.size, matchesChain: true, eventsRead: 0, mode: "file" }
        } else if (loaded.meta.syncedBlock >= latest) {
            // a file that says it is up to date but is not the registry's tree was edited or is of
            // another chain state: rebuild it, so that only the events decide whether the chain is wrong
            ctx.out.note(`the tree file ${options.treePath} does not match the registry: rebuilding it from the chain`)
        } else {
            const events = await readEvents(ctx, registry, loaded.meta.syncedBlock + 1, latest)
            if (applyEvents(loaded.tree, events) && treeMatches(loaded.tree, chain.root, chain.size)) {
                result = { tree: loaded.tree, meta: { ...loaded.meta, syncedBlock: latest }, chainRoot: chain.root, chainSize: chain.size, matchesChain: true, eventsRead: events.length, mode: "incremental" }
            } else {
                ctx.out.note("the tree file does not lead to the registry's root: rebuilding it from the deployment block")
            }
        }
    }
    if (!result) {
        const events = await readEvents(ctx, registry, deployment.deployBlock, latest)
        const leaves = leavesFromKycEvents(events)
        const bar = startProgress(ctx.out, "building the KYC tree", leaves.length, "hashes")
        const tree = await buildKycTreeInNode(leaves, (done, total) => bar.update(done, { total }))
        bar.stop()
        const meta = { chainId: deployment.chainId, kycRegistry: registry, syncedBlock: latest }
        result = { tree, meta, chainRoot: chain.root, chainSize: chain.size, matchesChain: treeMatches(tree, chain.root, chain.size), eventsRead: events.length, mode: "full" }
    }
    if (options.treePath) await saveTreeFile(options.treePath, result.meta, result.tree)
    return result
}

/** Reads KYC events with a progress bar over blocks. */
export async function readEvents(ctx: CliContext, registry: string, fromBlock: number, toBlock: number): Promise<KycEvent[]> {
    if (toBlock < fromBlock) return []
    const bar = startProgress(ctx.out, "reading KYC events", toBlock - fromBlock + 1, "blocks")
    try {
        return await fetchKycEvents(await ctx.provider(), registry, { fromBlock, toBlock, onProgress: ({ scanned, total }) => bar.update(scanned, { total }) })
    } finally {
        bar.stop()
    }
}

/** Applies events to a tree in order, as published; false when one does not fit (an index gap). */
function applyEvents(tree: KycTree, events: readonly KycEvent[]): boolean {
    return events.every((event) => applyKycEvent(tree, event))
}
