/**
 * The KYC tree kept level by level, for officers' bulk work: the same tree as the prover's
 * `KycGroup` (binary Poseidon, depth KYC_TREE_DEPTH, zero leaf 0, same roots), but appending a
 * batch of k members recomputes only the nodes above them (about 2k + depth hashes) instead
 * of a full path per member (20k), and a replaced leaf costs one path. Built from leaves in one
 * pass of about one hash per leaf.
 */
import { poseidon2 } from "poseidon-lite/poseidon2"
import { KYC_TREE_DEPTH, KYC_ZERO_LEAF } from "../../prover/src/constants.ts"
import type { KycMerkleProof } from "../../prover/src/kyc-group.ts"

const ZEROES: bigint[] = [KYC_ZERO_LEAF]
for (let d = 0; d < KYC_TREE_DEPTH; d++) ZEROES.push(poseidon2([ZEROES[d]!, ZEROES[d]!]))

/** An append-and-update Merkle tree stored as its levels. */
export class LevelTree {
    /** levels[0] are the leaves; levels[d][i] is the node of height d at position i. */
    readonly #levels: bigint[][]

    private constructor(leaves: bigint[]) {
        this.#levels = Array.from({ length: KYC_TREE_DEPTH + 1 }, (_, d) => (d === 0 ? leaves : []))
    }

    /**
     * Builds the tree from leaves in index order (0 for empty or removed slots).
     * @param onProgress Called with the hashes done so far and the total.
     */
    static fromLeaves(leaves: readonly bigint[], onProgress?: (done: number, total: number) => void): LevelTree {
        if (leaves.length > 2 ** KYC_TREE_DEPTH) throw new RangeError(`a KYC tree holds at most 2^${KYC_TREE_DEPTH} leaves`)
        const tree = new LevelTree([...leaves])
        tree.#recompute(0, leaves.length, onProgress)
        return tree
    }

    /** The root, as KycGroup computes it (also for an empty tree). */
    get root(): bigint {
        return this.#levels[KYC_TREE_DEPTH]![0] ?? ZEROES[KYC_TREE_DEPTH]!
    }

    /** Slots used, removed members included. */
    get size(): number {
        return this.#levels[0]!.length
    }

    /** The leaves (do not modify). */
    get leaves(): readonly bigint[] {
        return this.#levels[0]!
    }

    /**
     * Appends leaves at the next indices.
     * @returns The new root.
     */
    append(leaves: readonly bigint[]): bigint {
        const start = this.size
        if (start + leaves.length > 2 ** KYC_TREE_DEPTH) throw new RangeError(`the KYC tree is full: ${start} of 2^${KYC_TREE_DEPTH} slots used, cannot add ${leaves.length}`)
        this.#levels[0]!.push(...leaves)
        this.#recompute(start, this.size)
        return this.root
    }

    /**
     * Sets the leaf at `index` (0 removes the member).
     * @returns The new root.
     */
    update(index: number, leaf: bigint): bigint {
        if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) throw new RangeError(`index must be in [0, ${this.size}), got ${index}`)
        this.#levels[0]![index] = leaf
        this.#recompute(index, index + 1)
        return this.root
    }

    /** A Merkle proof of the leaf at `index`, in the prover's format. */
    merkleProof(index: number): KycMerkleProof {
        if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) throw new RangeError(`index must be in [0, ${this.size}), got ${index}`)
        const siblings: bigint[] = []
        const pathIndices: number[] = []
        let i = index
        for (let d = 0; d < KYC_TREE_DEPTH; d++) {
            pathIndices.push(i & 1)
            siblings.push(this.#levels[d]![i ^ 1] ?? ZEROES[d]!)
            i >>= 1
        }
        return { root: this.root, leaf: this.#levels[0]![index]!, index, pathIndices, siblings }
    }

    /** Recomputes the nodes above leaves [start, end). */
    #recompute(start: number, end: number, onProgress?: (done: number, total: number) => void): void {
        if (end <= start) return
        let lo = start
        let hi = end
        // about one hash per leaf in the range, plus one per level
        const total = Math.max(1, end - start)
        let done = 0
        for (let d = 0; d < KYC_TREE_DEPTH; d++) {
            const below = this.#levels[d]!
            const above = this.#levels[d + 1]!
            const from = lo >> 1
            const to = (hi - 1) >> 1
            for (let i = from; i <= to; i++) {
                above[i] = poseidon2([below[2 * i]!, below[2 * i + 1] ?? ZEROES[d]!])
                done++
                if (onProgress && (done & 0x3ff) === 0) onProgress(Math.min(done, total), total)
            }
            lo = from
            hi = to + 1
        }
        onProgress?.(total, total)
    }
}
