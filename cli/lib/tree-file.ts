/**
 * The officer's local copy of the KYC tree: a JSON file with the leaves, the root, and the last
 * block whose events it holds, so a sync reads only newer events. It is a cache of what the
 * chain publishes (no secrets): deleting it only makes the next command rebuild it.
 *
 * `{ "format": "zkcredit-kyc-tree", "version": 1, "chainId", "kycRegistry", "depth", "arity",
 *    "syncedBlock", "root", "leaves": ["<decimal>", ...] }`
 *
 * `depth` and `arity` state the tree's shape (4-ary, depth 10): a file of the former binary tree
 * (depth 20, no arity) is refused, and the next sync rebuilds it from the chain.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { KYC_TREE_ARITY, KYC_TREE_CAPACITY, KYC_TREE_DEPTH, SNARK_SCALAR_FIELD } from "../../prover/src/constants.ts"
import { buildKycTreeInNode } from "../../prover/src/kyc-build-node.ts"
import { KYC_CAPACITY_TEXT, type KycTree } from "../../prover/src/kyc-tree.ts"
import { badInput } from "./exit-codes.ts"
import { readJson, writeTextFile } from "./files.ts"

/** The `format` field of a tree file. */
export const TREE_FILE_FORMAT = "zkcredit-kyc-tree"

/** Facts about a tree file besides its leaves. */
export interface TreeFileMeta {
    chainId: number
    /** The registry whose KYC events the leaves replay (the deployment's TrustRegistry). */
    kycRegistry: string
    /** Events up to and including this block are in the leaves. */
    syncedBlock: number
}

/** Where the tree of a chain is kept unless --tree says otherwise. */
export function defaultTreePath(chainId: number): string {
    return resolve(`.zkcredit/${chainId}/kyc-tree.json`)
}

/**
 * Loads a tree file; undefined when it does not exist.
 * @throws bad input (exit 2) for a file that is not a tree file or whose root does not match its leaves.
 */
export async function loadTreeFile(path: string, onProgress?: (done: number, total: number) => void): Promise<{ meta: TreeFileMeta; tree: KycTree } | undefined> {
    if (!existsSync(path)) return undefined
    const data = (await readJson(path, "KYC tree file")) as Record<string, unknown>
    const bad = (why: string) => badInput("INVALID_TREE_FILE", `${path} is not a zkcredit KYC tree file: ${why}; delete it and run \`zkcredit officer sync\``, { file: path })
    if (typeof data !== "object" || data === null || data.format !== TREE_FILE_FORMAT || data.version !== 1) throw bad(`format must be ${TREE_FILE_FORMAT} version 1`)
    if (data.depth !== KYC_TREE_DEPTH || data.arity !== KYC_TREE_ARITY) throw bad(`the tree must be ${KYC_TREE_ARITY}-ary of depth ${KYC_TREE_DEPTH} ("arity": ${KYC_TREE_ARITY}, "depth": ${KYC_TREE_DEPTH}), this one is of the former binary tree or another shape`)
    if (!Number.isSafeInteger(data.chainId) || !Number.isSafeInteger(data.syncedBlock) || typeof data.kycRegistry !== "string") throw bad("chainId, syncedBlock or kycRegistry is missing")
    if (!Array.isArray(data.leaves) || !data.leaves.every((l) => typeof l === "string" && /^[0-9]+$/.test(l) && BigInt(l) < SNARK_SCALAR_FIELD)) throw bad("leaves must be decimal strings of field elements")
    if (data.leaves.length > KYC_TREE_CAPACITY) throw bad(`a KYC tree holds at most ${KYC_CAPACITY_TEXT} leaves`)
    const tree = await buildKycTreeInNode((data.leaves as string[]).map(BigInt), onProgress)
    if (String(tree.root) !== data.root) throw bad("its root does not match its leaves")
    return { meta: { chainId: data.chainId as number, kycRegistry: data.kycRegistry, syncedBlock: data.syncedBlock as number }, tree }
}

/** Writes a tree file (replacing it). */
export async function saveTreeFile(path: string, meta: TreeFileMeta, tree: KycTree): Promise<void> {
    const header = JSON.stringify({ format: TREE_FILE_FORMAT, version: 1, chainId: meta.chainId, kycRegistry: meta.kycRegistry, depth: KYC_TREE_DEPTH, arity: KYC_TREE_ARITY, syncedBlock: meta.syncedBlock, root: tree.root.toString() })
    // leaves one per line: readable diffs, and no giant single-line string to build twice
    const leaves = tree.level(0).map((l) => `"${l}"`).join(",\n")
    await writeTextFile(path, `${header.slice(0, -1)},"leaves":[\n${leaves}\n]}\n`, { overwrite: true })
}
