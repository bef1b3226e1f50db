import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { describe, requireArray, requireFieldElement, requireObject } from "./checks.ts"
import { KYC_TREE_DEPTH, KYC_ZERO_LEAF } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import type { BigNumberish } from "./checks.ts"

/** A Merkle proof that `leaf` sits at `index` of the KYC tree with root `root`. */
export interface KycMerkleProof {
    root: bigint
    leaf: bigint
    index: number
    /** Bit i is 1 when the node at level i is a right child. */
    pathIndices: number[]
    siblings: bigint[]
}

const hashPair = (nodes: bigint[]): bigint => poseidon2(nodes)

/**
 * The KYC set: a binary Poseidon incremental Merkle tree of identity commitments, depth
 * {@link KYC_TREE_DEPTH}, zero leaf 0. Compliance officers keep it; the chain keeps its roots
 * and every leaf change, so anyone can rebuild it. A removed member's leaf becomes 0: indices
 * never shift, so every other member's proof stays valid apart from the new root.
 */
export class KycGroup {
    #tree: IncrementalMerkleTree
    /** commitment -> index, so membership checks stay O(1) for millions of members */
    #indexByLeaf = new Map<bigint, number>()

    /**
     * @param leaves Initial leaves in index order (0 for removed slots). Built level by level:
     *   about one hash per leaf instead of twenty. Duplicates are accepted here, so that any tree
     *   published on chain can be rebuilt exactly (`indexOf` gives the first); adding or
     *   replacing members refuses them.
     */
    constructor(leaves: readonly BigNumberish[] = []) {
        requireArray(leaves, "leaves")
        if (leaves.length > 2 ** KYC_TREE_DEPTH) {
            throw new ZkCreditError("GROUP_CONFLICT", `a KYC group holds at most 2^${KYC_TREE_DEPTH} leaves, got ${leaves.length}`, "leaves")
        }
        // Array.from visits the holes of a sparse array too (map would skip them and leave holes in the tree)
        const parsed = Array.from(leaves, (leaf, i) => requireFieldElement(leaf, `leaves[${i}]`))
        // the tree keeps the array it is given: hand it a copy
        this.#tree = new IncrementalMerkleTree(hashPair, KYC_TREE_DEPTH, KYC_ZERO_LEAF, 2, [...parsed])
        parsed.forEach((leaf, i) => {
            if (leaf !== KYC_ZERO_LEAF && !this.#indexByLeaf.has(leaf)) this.#indexByLeaf.set(leaf, i)
        })
    }

    /** The current root. */
    get root(): bigint {
        return this.#tree.root as bigint
    }

    /** The tree depth, {@link KYC_TREE_DEPTH}. */
    get depth(): number {
        return this.#tree.depth
    }

    /** Number of slots used, removed members included (the next member's index). */
    get size(): number {
        return this.#tree.leaves.length
    }

    /** All leaves in index order; a removed member is 0. */
    get leaves(): bigint[] {
        return [...(this.#tree.leaves as bigint[])]
    }

    /** Number of current members (slots that are not 0). */
    get memberCount(): number {
        return (this.#tree.leaves as bigint[]).reduce((count: number, leaf: bigint) => (leaf === KYC_ZERO_LEAF ? count : count + 1), 0)
    }

    /**
     * The index of a member, or -1 when it is not one.
     * @param commitment An identity commitment.
     */
    indexOf(commitment: BigNumberish): number {
        const c = requireFieldElement(commitment, "commitment")
        return this.#indexByLeaf.get(c) ?? -1
    }

    /**
     * Adds a member at the next index.
     * @returns Its index.
     */
    addMember(commitment: BigNumberish): number {
        return this.addMembers([commitment])[0] as number
    }

    /**
     * Adds members in order. Checks all of them before adding any.
     * @returns Their indices.
     */
    addMembers(commitments: readonly BigNumberish[]): number[] {
        requireArray(commitments, "commitments")
        const parsed = Array.from(commitments, (c, i) => this.#requireNewMember(c, `commitments[${i}]`))
        requireNoDuplicates(parsed, "commitments")
        if (this.size + parsed.length > 2 ** KYC_TREE_DEPTH) {
            throw new ZkCreditError("GROUP_CONFLICT", `the KYC tree is full: ${this.size} of 2^${KYC_TREE_DEPTH} slots used, cannot add ${parsed.length}`, "commitments")
        }
        const first = this.size
        this.#appendLeaves(parsed)
        parsed.forEach((c, i) => this.#indexByLeaf.set(c, first + i))
        return parsed.map((_, i) => first + i)
    }

    /** Removes the member at `index` (its leaf becomes 0). */
    removeMember(index: number): void {
        this.#requireMemberIndex(index)
        this.#indexByLeaf.delete(this.#tree.leaves[index] as bigint)
        this.#tree.delete(index)
    }

    /** Replaces the member at `index` with a new commitment (a re-issued identity). */
    updateMember(index: number, commitment: BigNumberish): void {
        this.#requireMemberIndex(index)
        const c = this.#requireNewMember(commitment, "commitment")
        this.#indexByLeaf.delete(this.#tree.leaves[index] as bigint)
        this.#tree.update(index, c)
        this.#indexByLeaf.set(c, index)
    }

    /**
     * A Merkle proof for the member at `index`.
     * @throws ZkCreditError `NOT_A_MEMBER` when the slot is empty or removed.
     */
    generateMerkleProof(index: number): KycMerkleProof {
        this.#requireMemberIndex(index, "NOT_A_MEMBER")
        const proof = this.#tree.createProof(index)
        return {
            root: proof.root as bigint,
            leaf: proof.leaf as bigint,
            index,
            pathIndices: proof.pathIndices,
            // siblings come as [[s]] per level in a binary tree
            siblings: proof.siblings.map((level) => level[0] as bigint)
        }
    }

    /** The group as JSON text: `{ depth, leaves }`, leaves as decimal strings. */
    export(): string {
        return JSON.stringify({ depth: this.depth, leaves: this.leaves.map(String) })
    }

    /**
     * Rebuilds a group exported with {@link KycGroup.export}.
     * @param json The exported JSON text.
     */
    static import(json: string): KycGroup {
        let value: unknown
        try {
            value = JSON.parse(json)
        } catch {
            throw new ZkCreditError("INVALID_ARGUMENT", "json is not valid JSON: pass the text that KycGroup.export() produced", "json")
        }
        const obj = requireObject(value, "json")
        if (obj.depth !== KYC_TREE_DEPTH) {
            throw new ZkCreditError("INVALID_ARGUMENT", `json.depth must be ${KYC_TREE_DEPTH}, got ${typeof obj.depth === "number" ? obj.depth : describe(obj.depth)}`, "json.depth")
        }
        return new KycGroup(requireArray(obj.leaves, "json.leaves") as BigNumberish[])
    }

    /**
     * Appends leaves and updates each parent they touch once, level by level: about two hashes
     * per leaf for a large batch instead of twenty per leaf for one-by-one inserts. Writes the
     * same nodes `insert` would, in the zk-kit tree's own node arrays, so proofs, deletes and
     * updates keep working (tested against one-by-one inserts).
     */
    #appendLeaves(leaves: readonly bigint[]): void {
        const nodes = (this.#tree as unknown as { _nodes: bigint[][] })._nodes
        const zeroes = this.#tree.zeroes as bigint[]
        const level0 = nodes[0] as bigint[]
        let from = level0.length
        level0.push(...leaves)
        let to = level0.length - 1
        for (let level = 0; level < KYC_TREE_DEPTH; level++) {
            const children = nodes[level] as bigint[]
            const parents = nodes[level + 1] as bigint[]
            const zero = zeroes[level] as bigint
            for (let parent = from >> 1; parent <= to >> 1; parent++) {
                parents[parent] = poseidon2([children[2 * parent] ?? zero, children[2 * parent + 1] ?? zero])
            }
            from >>= 1
            to >>= 1
        }
    }

    #requireNewMember(commitment: BigNumberish, name: string): bigint {
        const c = requireFieldElement(commitment, name)
        if (c === KYC_ZERO_LEAF) throw new ZkCreditError("INVALID_ARGUMENT", `${name} must not be 0, the empty leaf`, name)
        const existing = this.#indexByLeaf.get(c)
        if (existing !== undefined) throw new ZkCreditError("GROUP_CONFLICT", `${name} is already a member, at index ${existing}`, name)
        return c
    }

    #requireMemberIndex(index: number, code: "GROUP_CONFLICT" | "NOT_A_MEMBER" = "GROUP_CONFLICT"): void {
        if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
            throw new ZkCreditError(code, `index must be an integer in [0, ${this.size}), got ${typeof index === "number" ? index : describe(index)}`, "index")
        }
        if (this.#tree.leaves[index] === KYC_ZERO_LEAF) {
            throw new ZkCreditError(code, `the member at index ${index} was removed`, "index")
        }
    }
}

/**
 * Whether a Merkle proof is consistent: its path hashes from `leaf` up to `root`. A proof of the
 * wrong depth or with a path index other than 0 or 1 is not (false).
 * @param proof A proof from {@link KycGroup.generateMerkleProof} or rebuilt from the chain.
 * @throws ZkCreditError when `proof` is not an object with array `siblings` and `pathIndices`, or a
 *   root, leaf or sibling is not a field element.
 */
export function verifyMerkleProof(proof: KycMerkleProof): boolean {
    const p = requireObject(proof, "proof")
    const siblings = requireArray(p.siblings, "proof.siblings")
    const pathIndices = requireArray(p.pathIndices, "proof.pathIndices")
    if (siblings.length !== KYC_TREE_DEPTH || pathIndices.length !== KYC_TREE_DEPTH) return false
    const root = requireFieldElement(p.root, "proof.root")
    let node = requireFieldElement(p.leaf, "proof.leaf")
    for (let level = 0; level < KYC_TREE_DEPTH; level++) {
        const sibling = requireFieldElement(siblings[level], `proof.siblings[${level}]`)
        const bit = pathIndices[level]
        if (bit !== 0 && bit !== 1) return false
        node = bit === 0 ? poseidon2([node, sibling]) : poseidon2([sibling, node])
    }
    return node === root
}

function requireNoDuplicates(leaves: bigint[], name: string): void {
    const seen = new Set<bigint>()
    for (const [i, leaf] of leaves.entries()) {
        if (leaf === KYC_ZERO_LEAF) continue
        if (seen.has(leaf)) throw new ZkCreditError("GROUP_CONFLICT", `${name}[${i}] appears twice: a commitment can be a member once`, name)
        seen.add(leaf)
    }
}
