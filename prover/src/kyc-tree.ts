/**
 * The KYC tree: a 4-ary Poseidon incremental Merkle tree of identity commitments, arity
 * {@link KYC_TREE_ARITY}, depth {@link KYC_TREE_DEPTH} (4^10 = 2^20 members), zero leaf 0, with the
 * roots and proofs of `@zk-kit/incremental-merkle-tree` at arity 4 (tested property by property).
 * A node is Poseidon(4) of its four children in order; a missing child at the end of a level is
 * that level's empty node. One module for the prover, the client, the CLI and the app, in Node and
 * browsers.
 *
 * It is kept level by level (`levels[d][i]` is the node of height d at position i, levels[0] the
 * leaves, `levels[d + 1][i]` the hash of `levels[d][4i .. 4i + 3]`), so that
 * - building from n leaves costs about n / 3 hashes (one per node), not 10 per leaf;
 * - appending a batch hashes each touched node once (about k / 3 + depth hashes for k leaves);
 * - changing one leaf costs exactly depth hashes;
 * - a Merkle path is 3 x depth array reads.
 *
 * Two kinds of change: the officer's (`addMembers`, `removeMember`, `updateMember`), which refuse
 * duplicates, zero and removed slots with a {@link ZkCreditError}; and the raw replay of what the
 * chain published (`appendLeaves`, `setLeaf`), which reproduces any tree an officer ever
 * published, mistakes included, so that an audit can tell which root was wrong.
 */
import { poseidon4 } from "poseidon-lite/poseidon4"
import { describe, requireArray, requireFieldElement, requireObject } from "./checks.ts"
import { KYC_TREE_ARITY, KYC_TREE_CAPACITY, KYC_TREE_DEPTH, KYC_ZERO_LEAF, SNARK_SCALAR_FIELD } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import type { BigNumberish } from "./checks.ts"

/** A Merkle proof that `leaf` sits at `index` of the KYC tree with root `root`. */
export interface KycMerkleProof {
    root: bigint
    leaf: bigint
    index: number
    /**
     * Depth entries, each 0 to 3: the position of the path's node among its parent's four
     * children at that level, `floor(index / 4^level) % 4`.
     */
    pathIndices: number[]
    /** Depth entries, each the other 3 children of that level's parent, in order, the node's own slot skipped. */
    siblings: bigint[][]
}

/**
 * Poseidon of four field elements, as circomlib's `Poseidon(4)`: the parent of four nodes, given
 * in order (four arguments, not an array, so that the tree's hot loop allocates nothing). Any
 * implementation with identical output may be given to a tree (see `loadFastPoseidon`).
 */
export type KycHash = (c0: bigint, c1: bigint, c2: bigint, c3: bigint) => bigint

/** The reference hash: poseidon-lite, pure JavaScript, synchronous, no set-up. */
export const poseidonLiteHash: KycHash = (c0, c1, c2, c3) => poseidon4([c0, c1, c2, c3])

/** How many leaves the KYC tree holds, for messages: "4^10 (1048576)". */
export const KYC_CAPACITY_TEXT = `${KYC_TREE_ARITY}^${KYC_TREE_DEPTH} (${KYC_TREE_CAPACITY})`

/**
 * The parent at position `i` of a level: the hash of `level[4i .. 4i + 3]`, a child past the
 * level's end being that level's empty node. The one place a node is made from its children.
 * @param level The nodes below.
 * @param i The parent's position in the level above.
 * @param zero The empty node of `level`'s height.
 * @param hash The Poseidon implementation.
 */
export function parentNode(level: readonly bigint[], i: number, zero: bigint, hash: KycHash): bigint {
    const c = 4 * i
    return hash(level[c]!, level[c + 1] ?? zero, level[c + 2] ?? zero, level[c + 3] ?? zero)
}

/** Options of a {@link KycTree}. */
export interface KycTreeOptions {
    /** The Poseidon implementation (default {@link poseidonLiteHash}). */
    hash?: KycHash
    /** Called while building with the hashes done so far and the total, about every 1,024 hashes. */
    onProgress?: (done: number, total: number) => void
}

const CAPACITY = KYC_TREE_CAPACITY
const zeroesByHash = new WeakMap<KycHash, bigint[]>()

/**
 * The empty node of each height: `zeroes[0]` is the zero leaf, `zeroes[d + 1] = H(zeroes[d] x 4)`.
 * @param hash The Poseidon implementation.
 */
export function kycZeroes(hash: KycHash = poseidonLiteHash): readonly bigint[] {
    let zeroes = zeroesByHash.get(hash)
    if (!zeroes) {
        zeroes = [KYC_ZERO_LEAF]
        for (let d = 0; d < KYC_TREE_DEPTH; d++) zeroes.push(hash(zeroes[d]!, zeroes[d]!, zeroes[d]!, zeroes[d]!))
        zeroesByHash.set(hash, zeroes)
    }
    return zeroes
}

/** The KYC set kept as its tree levels. See the module comment. */
export class KycTree {
    readonly #levels: bigint[][]
    readonly #hash: KycHash
    readonly #zeroes: readonly bigint[]
    /** commitment -> first index; built on first use, so that a rebuild for a root alone does not pay for it */
    #indexByLeaf: Map<bigint, number> | undefined

    /**
     * Builds a tree from leaves in index order (0 for removed slots), level by level.
     * Duplicates are accepted here, so that any tree published on chain can be rebuilt exactly
     * (`indexOf` gives the first); `addMembers` and `updateMember` refuse them.
     * @param leaves Initial leaves.
     * @param options The hash and a progress callback.
     * @throws ZkCreditError `INVALID_ARGUMENT` when `leaves` is not an array, `NOT_A_FIELD_ELEMENT`
     *   for a leaf outside the field, `GROUP_CONFLICT` for more than 4^depth leaves.
     */
    constructor(leaves: readonly BigNumberish[] = [], options: KycTreeOptions = {}) {
        requireArray(leaves, "leaves")
        const opts = requireObject(options, "options") as KycTreeOptions
        if (opts.hash !== undefined && typeof opts.hash !== "function") throw new ZkCreditError("INVALID_ARGUMENT", "options.hash must be a function (c0, c1, c2, c3) => bigint", "options.hash")
        if (leaves.length > CAPACITY) throw new ZkCreditError("GROUP_CONFLICT", `a KYC tree holds at most ${KYC_CAPACITY_TEXT} leaves, got ${leaves.length}`, "leaves")
        this.#hash = opts.hash ?? poseidonLiteHash
        this.#zeroes = kycZeroes(this.#hash)
        // Array.from visits the holes of a sparse array too (map would leave holes in the tree)
        const parsed = Array.from(leaves, (leaf, i) => (typeof leaf === "bigint" && leaf >= 0n && leaf < SNARK_SCALAR_FIELD ? leaf : requireFieldElement(leaf, `leaves[${i}]`)))
        this.#levels = Array.from({ length: KYC_TREE_DEPTH + 1 }, (_, d) => (d === 0 ? parsed : []))
        this.#recompute(0, parsed.length, opts.onProgress)
    }

    /**
     * A tree from its levels as computed before (a snapshot's), without hashing. Only the sizes
     * are checked: check the root, or the path you use, against the chain (see `verifyMerkleProof`).
     * @param levels `levels[0]` the leaves, `levels[d]` of length ceil(levels[d-1].length / 4), depth + 1 levels.
     * @param options The hash later changes will use.
     */
    static fromLevels(levels: readonly (readonly bigint[])[], options: Pick<KycTreeOptions, "hash"> = {}): KycTree {
        requireArray(levels, "levels", KYC_TREE_DEPTH + 1)
        const tree = new KycTree([], options)
        let expected = requireArray(levels[0], "levels[0]").length
        if (expected > CAPACITY) throw new ZkCreditError("GROUP_CONFLICT", `a KYC tree holds at most ${KYC_CAPACITY_TEXT} leaves, got ${expected}`, "levels[0]")
        for (let d = 0; d <= KYC_TREE_DEPTH; d++) {
            const level = requireArray(levels[d], `levels[${d}]`)
            if (level.length !== expected) throw new ZkCreditError("INVALID_ARGUMENT", `levels[${d}] must hold ${expected} nodes, got ${level.length}`, `levels[${d}]`)
            tree.#levels[d] = level.slice() as bigint[]
            expected = Math.ceil(expected / KYC_TREE_ARITY)
        }
        return tree
    }

    /** The current root (the empty tree's root while there is no leaf). */
    get root(): bigint {
        return this.#levels[KYC_TREE_DEPTH]![0] ?? this.#zeroes[KYC_TREE_DEPTH]!
    }

    /** The tree depth, {@link KYC_TREE_DEPTH}. */
    get depth(): number {
        return KYC_TREE_DEPTH
    }

    /** Children per node, {@link KYC_TREE_ARITY}. */
    get arity(): number {
        return KYC_TREE_ARITY
    }

    /** Number of slots used, removed members included (the next member's index). */
    get size(): number {
        return this.#levels[0]!.length
    }

    /** All leaves in index order, a copy; a removed member is 0. */
    get leaves(): bigint[] {
        return this.#levels[0]!.slice()
    }

    /** Number of current members (slots that are not 0). */
    get memberCount(): number {
        let count = 0
        for (const leaf of this.#levels[0]!) if (leaf !== KYC_ZERO_LEAF) count++
        return count
    }

    /**
     * The nodes of one level, read-only (for snapshots): `level(0)` are the leaves.
     * @param height 0 to depth.
     */
    level(height: number): readonly bigint[] {
        if (!Number.isSafeInteger(height) || height < 0 || height > KYC_TREE_DEPTH) {
            throw new ZkCreditError("INVALID_ARGUMENT", `height must be an integer in [0, ${KYC_TREE_DEPTH}], got ${describe(height)}`, "height")
        }
        return this.#levels[height]!
    }

    /**
     * The leaf at `index` (0 for a removed member).
     * @throws ZkCreditError `GROUP_CONFLICT` for an index outside [0, size).
     */
    leafAt(index: number): bigint {
        this.#requireIndex(index)
        return this.#levels[0]![index]!
    }

    /**
     * The index of a member, or -1 when it is not one (the first index if it appears twice).
     * @param commitment An identity commitment.
     */
    indexOf(commitment: BigNumberish): number {
        const c = requireFieldElement(commitment, "commitment")
        if (c === KYC_ZERO_LEAF) return -1
        return this.#index().get(c) ?? -1
    }

    /**
     * Adds a member at the next index.
     * @returns Its index.
     */
    addMember(commitment: BigNumberish): number {
        return this.addMembers([commitment])[0] as number
    }

    /**
     * Adds members in order, refusing 0, repeats and members already in. Checks all of them
     * before adding any.
     * @returns Their indices.
     */
    addMembers(commitments: readonly BigNumberish[]): number[] {
        requireArray(commitments, "commitments")
        const parsed = Array.from(commitments, (c, i) => this.#requireNewMember(c, `commitments[${i}]`))
        const seen = new Set<bigint>()
        for (const [i, leaf] of parsed.entries()) {
            if (seen.has(leaf)) throw new ZkCreditError("GROUP_CONFLICT", `commitments[${i}] appears twice: a commitment can be a member once`, "commitments")
            seen.add(leaf)
        }
        this.#requireRoom(parsed.length, "commitments")
        const first = this.size
        this.#append(parsed)
        return parsed.map((_, i) => first + i)
    }

    /** Removes the member at `index` (its leaf becomes 0). */
    removeMember(index: number): void {
        this.#requireMemberIndex(index)
        this.#set(index, KYC_ZERO_LEAF)
    }

    /** Replaces the member at `index` with a new commitment (a re-issued identity). */
    updateMember(index: number, commitment: BigNumberish): void {
        this.#requireMemberIndex(index)
        this.#set(index, this.#requireNewMember(commitment, "commitment"))
    }

    /**
     * Appends leaves as the chain published them, repeats and zeroes included (replay of a
     * `MembersAdded` event). Only field membership and room are checked.
     * @returns The new root.
     */
    appendLeaves(leaves: readonly BigNumberish[]): bigint {
        requireArray(leaves, "leaves")
        const parsed = Array.from(leaves, (leaf, i) => requireFieldElement(leaf, `leaves[${i}]`))
        this.#requireRoom(parsed.length, "leaves")
        this.#append(parsed)
        return this.root
    }

    /**
     * Sets the leaf at `index` as the chain published it (replay of `MemberRemoved`, with 0, or
     * `MemberReplaced`), whatever the slot held.
     * @returns The new root.
     */
    setLeaf(index: number, leaf: BigNumberish): bigint {
        this.#requireIndex(index)
        this.#set(index, requireFieldElement(leaf, "leaf"))
        return this.root
    }

    /**
     * A Merkle proof for the member at `index`: 3 x depth reads, no hashing. The same as
     * `@zk-kit/incremental-merkle-tree`'s `createProof` at arity 4.
     * @throws ZkCreditError `NOT_A_MEMBER` when the slot is outside the tree or removed.
     */
    generateMerkleProof(index: number): KycMerkleProof {
        this.#requireMemberIndex(index, "NOT_A_MEMBER")
        const { pathIndices, siblings } = merklePath((d, i) => this.#levels[d]![i] ?? this.#zeroes[d]!, index)
        return { root: this.root, leaf: this.#levels[0]![index]!, index, pathIndices, siblings }
    }

    /** The tree as JSON text: `{ depth, arity, leaves }`, leaves as decimal strings. */
    export(): string {
        return JSON.stringify({ depth: KYC_TREE_DEPTH, arity: KYC_TREE_ARITY, leaves: this.#levels[0]!.map(String) })
    }

    /**
     * Rebuilds a tree exported with {@link KycTree.export}: a file of another shape (a binary
     * tree's, without `arity`) is refused, its root would not be this tree's.
     * @param json The exported JSON text.
     * @param options The hash and a progress callback.
     */
    static import(json: string, options: KycTreeOptions = {}): KycTree {
        let value: unknown
        try {
            value = JSON.parse(json)
        } catch {
            throw new ZkCreditError("INVALID_ARGUMENT", "json is not valid JSON: pass the text that KycTree.export() produced", "json")
        }
        const obj = requireObject(value, "json")
        if (obj.depth !== KYC_TREE_DEPTH) {
            throw new ZkCreditError("INVALID_ARGUMENT", `json.depth must be ${KYC_TREE_DEPTH}, got ${typeof obj.depth === "number" ? obj.depth : describe(obj.depth)}`, "json.depth")
        }
        if (obj.arity !== KYC_TREE_ARITY) {
            throw new ZkCreditError(
                "INVALID_ARGUMENT",
                `json.arity must be ${KYC_TREE_ARITY}, got ${typeof obj.arity === "number" ? obj.arity : describe(obj.arity)}: the KYC tree is ${KYC_TREE_ARITY}-ary (an export of the former binary tree has no arity); export it again from its leaves`,
                "json.arity"
            )
        }
        return new KycTree(requireArray(obj.leaves, "json.leaves") as BigNumberish[], options)
    }

    #index(): Map<bigint, number> {
        if (!this.#indexByLeaf) {
            const index = new Map<bigint, number>()
            this.#levels[0]!.forEach((leaf, i) => leaf !== KYC_ZERO_LEAF && !index.has(leaf) && index.set(leaf, i))
            this.#indexByLeaf = index
        }
        return this.#indexByLeaf
    }

    #append(leaves: readonly bigint[]): void {
        const start = this.size
        const level0 = this.#levels[0]!
        for (const leaf of leaves) level0.push(leaf)
        if (this.#indexByLeaf) leaves.forEach((leaf, i) => leaf !== KYC_ZERO_LEAF && !this.#indexByLeaf!.has(leaf) && this.#indexByLeaf!.set(leaf, start + i))
        this.#recompute(start, this.size)
    }

    #set(index: number, leaf: bigint): void {
        const level0 = this.#levels[0]!
        const old = level0[index]!
        level0[index] = leaf
        if (this.#indexByLeaf && old !== leaf) {
            // the index map holds first occurrences: rebuild it lazily when a repeated value moves
            if (this.#indexByLeaf.get(old) === index || (leaf !== KYC_ZERO_LEAF && this.#indexByLeaf.has(leaf))) this.#indexByLeaf = undefined
            else if (leaf !== KYC_ZERO_LEAF) this.#indexByLeaf.set(leaf, index)
        }
        this.#recompute(index, index + 1)
    }

    /** Recomputes every node above leaves [start, end): each once, level by level. */
    #recompute(start: number, end: number, onProgress?: (done: number, total: number) => void): void {
        if (end <= start) return
        const hash = this.#hash
        let lo = start
        let hi = end
        let total = 0
        for (let d = 0, l = lo, h = hi; d < KYC_TREE_DEPTH; d++, l >>= 2, h = ((h - 1) >> 2) + 1) total += ((h - 1) >> 2) - (l >> 2) + 1
        let done = 0
        for (let d = 0; d < KYC_TREE_DEPTH; d++) {
            const below = this.#levels[d]!
            const above = this.#levels[d + 1]!
            const zero = this.#zeroes[d]!
            const from = lo >> 2
            const to = (hi - 1) >> 2
            for (let i = from; i <= to; i++) {
                above[i] = parentNode(below, i, zero, hash)
                if (onProgress && (++done & 0x3ff) === 0) onProgress(done, total)
            }
            lo = from
            hi = to + 1
        }
        onProgress?.(total, total)
    }

    #requireNewMember(commitment: BigNumberish, name: string): bigint {
        const c = requireFieldElement(commitment, name)
        if (c === KYC_ZERO_LEAF) throw new ZkCreditError("INVALID_ARGUMENT", `${name} must not be 0, the empty leaf`, name)
        const existing = this.#index().get(c)
        if (existing !== undefined) throw new ZkCreditError("GROUP_CONFLICT", `${name} is already a member, at index ${existing}`, name)
        return c
    }

    #requireRoom(count: number, name: string): void {
        if (this.size + count > CAPACITY) {
            throw new ZkCreditError("GROUP_CONFLICT", `the KYC tree is full: ${this.size} of ${KYC_CAPACITY_TEXT} slots used, cannot add ${count}`, name)
        }
    }

    #requireIndex(index: number, code: "GROUP_CONFLICT" | "NOT_A_MEMBER" = "GROUP_CONFLICT"): void {
        if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
            throw new ZkCreditError(code, `index must be an integer in [0, ${this.size}), got ${typeof index === "number" ? index : describe(index)}`, "index")
        }
    }

    #requireMemberIndex(index: number, code: "GROUP_CONFLICT" | "NOT_A_MEMBER" = "GROUP_CONFLICT"): void {
        this.#requireIndex(index, code)
        if (this.#levels[0]![index] === KYC_ZERO_LEAF) throw new ZkCreditError(code, `the member at index ${index} was removed`, "index")
    }
}

/**
 * The path of the leaf at `index`, read from a tree's nodes: at each level the node's position
 * among its four children and the other three, in order (a node past a level's end is that
 * level's empty node: `node` must give it). Shared by the tree and the packed levels of a snapshot.
 * @param node The node of height d at position i.
 */
export function merklePath(node: (d: number, i: number) => bigint, index: number): { pathIndices: number[]; siblings: bigint[][] } {
    const pathIndices: number[] = []
    const siblings: bigint[][] = []
    let i = index
    for (let d = 0; d < KYC_TREE_DEPTH; d++) {
        const position = i % KYC_TREE_ARITY
        const first = i - position
        const others: bigint[] = []
        for (let k = 0; k < KYC_TREE_ARITY; k++) if (k !== position) others.push(node(d, first + k))
        pathIndices.push(position)
        siblings.push(others)
        i = (i - position) / KYC_TREE_ARITY
    }
    return { pathIndices, siblings }
}

/**
 * Whether a Merkle proof is consistent: its path hashes from `leaf` up to `root`. A proof of the
 * wrong depth, with a path index other than 0 to 3 or a level without exactly 3 siblings is not
 * (false).
 * @param proof A proof from {@link KycTree.generateMerkleProof} or rebuilt from a snapshot.
 * @param hash The Poseidon implementation (default {@link poseidonLiteHash}).
 * @throws ZkCreditError when `proof` is not an object with array `siblings` (of arrays) and
 *   `pathIndices`, or a root, leaf or sibling is not a field element.
 */
export function verifyMerkleProof(proof: KycMerkleProof, hash: KycHash = poseidonLiteHash): boolean {
    const p = requireObject(proof, "proof")
    const siblings = requireArray(p.siblings, "proof.siblings")
    const pathIndices = requireArray(p.pathIndices, "proof.pathIndices")
    if (siblings.length !== KYC_TREE_DEPTH || pathIndices.length !== KYC_TREE_DEPTH) return false
    const root = requireFieldElement(p.root, "proof.root")
    let node = requireFieldElement(p.leaf, "proof.leaf")
    for (let level = 0; level < KYC_TREE_DEPTH; level++) {
        const others = requireArray(siblings[level], `proof.siblings[${level}]`)
        if (others.length !== KYC_TREE_ARITY - 1) return false
        const [s0, s1, s2] = others.map((s, j) => requireFieldElement(s, `proof.siblings[${level}][${j}]`)) as [bigint, bigint, bigint]
        const position = pathIndices[level]
        if (position === 0) node = hash(node, s0, s1, s2)
        else if (position === 1) node = hash(s0, node, s1, s2)
        else if (position === 2) node = hash(s0, s1, node, s2)
        else if (position === 3) node = hash(s0, s1, s2, node)
        else return false
    }
    return node === root
}
