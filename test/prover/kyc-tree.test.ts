import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import { poseidon2 } from "poseidon-lite/poseidon2"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { KYC_TREE_DEPTH, KycTree, kycZeroes, poseidonLiteHash, SNARK_SCALAR_FIELD, verifyMerkleProof, type KycHash } from "../../prover/src/index.ts"

/** The reference: zk-kit's tree filled one insert at a time. */
function referenceRoot(leaves: bigint[]): bigint {
    const tree = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), KYC_TREE_DEPTH, 0n, 2)
    for (const leaf of leaves) tree.insert(leaf)
    return tree.root as bigint
}

/** poseidon-lite, counting its calls: to check what a change costs. */
function countingHash(): { hash: KycHash; calls: () => number; reset: () => void } {
    let n = 0
    return { hash: (l, r) => (n++, poseidonLiteHash(l, r)), calls: () => n, reset: () => (n = 0) }
}

describe("KycTree", () => {
    describe("# the same tree as @zk-kit/incremental-merkle-tree (property)", () => {
        type Op = { op: "add"; count: number } | { op: "remove"; at: number } | { op: "replace"; at: number } | { op: "setLeaf"; at: number; leaf: bigint }
        const op: fc.Arbitrary<Op> = fc.oneof(
            fc.record({ op: fc.constant("add" as const), count: fc.integer({ min: 1, max: 20 }) }),
            fc.record({ op: fc.constant("remove" as const), at: fc.nat() }),
            fc.record({ op: fc.constant("replace" as const), at: fc.nat() }),
            fc.record({ op: fc.constant("setLeaf" as const), at: fc.nat(), leaf: fc.bigInt({ min: 0n, max: SNARK_SCALAR_FIELD - 1n }) })
        )

        it("equal roots and Merkle paths after any sequence of batch adds, removals, replacements and raw sets", () => {
            fc.assert(
                fc.property(fc.array(fc.bigInt({ min: 1n, max: SNARK_SCALAR_FIELD - 1n }), { maxLength: 40 }), fc.array(op, { maxLength: 20 }), (start, ops) => {
                    const reference = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), KYC_TREE_DEPTH, 0n, 2)
                    for (const leaf of start) reference.insert(leaf)
                    const tree = new KycTree(start)
                    let next = 1n << 200n
                    for (const o of ops) {
                        if (o.op === "add") {
                            const batch = Array.from({ length: o.count }, () => next++)
                            tree.addMembers(batch)
                            for (const leaf of batch) reference.insert(leaf)
                        } else if (tree.size > 0) {
                            const at = o.at % tree.size
                            if (o.op === "setLeaf") {
                                tree.setLeaf(at, o.leaf)
                                reference.update(at, o.leaf)
                            } else if (tree.leafAt(at) !== 0n) {
                                if (o.op === "remove") {
                                    tree.removeMember(at)
                                    reference.delete(at)
                                } else {
                                    const leaf = next++
                                    tree.updateMember(at, leaf)
                                    reference.update(at, leaf)
                                }
                            }
                        }
                        expect(tree.root).toBe(reference.root)
                    }
                    expect(tree.size).toBe(reference.leaves.length)
                    expect(new KycTree(tree.leaves).root).toBe(reference.root)
                    for (const i of [0, tree.size >> 1, tree.size - 1]) {
                        if (i < 0 || i >= tree.size || tree.leafAt(i) === 0n) continue
                        const proof = tree.generateMerkleProof(i)
                        expect(proof.siblings).toEqual(reference.createProof(i).siblings.map((s) => s[0]))
                        expect(proof.pathIndices).toEqual(reference.createProof(i).pathIndices)
                    }
                }),
                { numRuns: 30 }
            )
        })
    })

    describe("# costs", () => {
        it("a change costs depth hashes, a batch append each touched node once, a Merkle path none", () => {
            const counter = countingHash()
            kycZeroes(counter.hash)
            counter.reset()
            const tree = new KycTree(Array.from({ length: 1000 }, (_, i) => BigInt(i + 1)), { hash: counter.hash })
            // 500 + 250 + ... + 1 nodes, then one per level above
            expect(counter.calls()).toBe(500 + 250 + 125 + 63 + 32 + 16 + 8 + 4 + 2 + 1 + 10)
            counter.reset()
            tree.setLeaf(17, 5n)
            expect(counter.calls()).toBe(KYC_TREE_DEPTH)
            counter.reset()
            tree.appendLeaves(Array.from({ length: 24 }, (_, i) => BigInt(5000 + i))) // leaves 1000..1023
            expect(counter.calls()).toBe(12 + 6 + 3 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 10)
            counter.reset()
            expect(verifyMerkleProof(tree.generateMerkleProof(999))).toBe(true)
            expect(counter.calls()).toBe(0)
        })
    })

    describe("# raw replay of chain events", () => {
        it("appendLeaves and setLeaf reproduce an officer's mistakes exactly (repeats, zero leaves, a removed slot set again)", () => {
            const tree = new KycTree()
            tree.appendLeaves([7n, 7n, 0n])
            tree.setLeaf(2, 0n)
            tree.setLeaf(1, 0n)
            expect(tree.root).toBe(referenceRoot([7n, 0n, 0n]))
            expect(tree.indexOf(7n)).toBe(0)
            tree.setLeaf(0, 0n)
            expect(tree.indexOf(7n)).toBe(-1)
            expect(() => tree.setLeaf(3, 1n)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT", parameter: "index" }))
            expect(() => tree.appendLeaves([SNARK_SCALAR_FIELD])).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "leaves[0]" }))
        })

        it("indexOf follows repeats moving: the first remaining occurrence", () => {
            const tree = new KycTree([5n, 6n, 5n])
            expect(tree.indexOf(5n)).toBe(0)
            tree.setLeaf(0, 9n)
            expect(tree.indexOf(5n)).toBe(2)
            expect(tree.indexOf(9n)).toBe(0)
        })
    })

    describe("# fromLevels", () => {
        it("takes a built tree's levels without hashing, and refuses levels of the wrong sizes", () => {
            const built = new KycTree([1n, 2n, 3n])
            const levels = Array.from({ length: KYC_TREE_DEPTH + 1 }, (_, d) => [...built.level(d)])
            const counter = countingHash()
            kycZeroes(counter.hash)
            counter.reset()
            const copy = KycTree.fromLevels(levels, { hash: counter.hash })
            expect(counter.calls()).toBe(0)
            expect(copy.root).toBe(built.root)
            copy.addMember(4n)
            expect(copy.root).toBe(referenceRoot([1n, 2n, 3n, 4n]))
            expect(() => KycTree.fromLevels(levels.slice(1))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels" }))
            expect(() => KycTree.fromLevels([[1n], ...levels.slice(1)])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels[1]" }))
        })
    })

    describe("# constructor", () => {
        it("has depth 20 and the empty root of zero leaves", () => {
            const group = new KycTree()
            expect(group.depth).toBe(KYC_TREE_DEPTH)
            expect(group.size).toBe(0)
            expect(group.root).toBe(referenceRoot([]))
        })

        it("builds from leaves level by level with the same root as inserting one by one", () => {
            const leaves = Array.from({ length: 37 }, (_, i) => BigInt(i + 1) * 1_000_003n)
            leaves[5] = 0n // a removed member
            expect(new KycTree(leaves).root).toBe(referenceRoot(leaves))
        })

        it("rebuilds any published tree, duplicates included (indexOf gives the first), and refuses values outside the field", () => {
            const withDuplicate = new KycTree([1n, 2n, 1n])
            expect(withDuplicate.root).toBe(referenceRoot([1n, 2n, 1n]))
            expect(withDuplicate.indexOf(1n)).toBe(0)
            expect(() => new KycTree([SNARK_SCALAR_FIELD])).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "leaves[0]" }))
            expect(() => new KycTree("nope" as unknown as bigint[])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }))
        })
    })

    describe("# addMembers", () => {
        it("adds at the next indices and updates the root", () => {
            const group = new KycTree([10n])
            expect(group.addMembers([20n, 30n])).toEqual([1, 2])
            expect(group.addMember(40n)).toBe(3)
            expect(group.root).toBe(referenceRoot([10n, 20n, 30n, 40n]))
            expect(group.indexOf(30n)).toBe(2)
            expect(group.memberCount).toBe(4)
        })

        it("batch appends give the same tree, proofs and later updates as one-by-one inserts", () => {
            const group = new KycTree()
            const reference = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), KYC_TREE_DEPTH, 0n, 2)
            let next = 1n
            for (const batch of [1, 2, 3, 7, 16, 1, 33]) {
                const leaves = Array.from({ length: batch }, () => next++ * 7_919n)
                group.addMembers(leaves)
                for (const leaf of leaves) reference.insert(leaf)
                expect(group.root).toBe(reference.root)
            }
            group.removeMember(5)
            reference.delete(5)
            group.updateMember(40, 123_456n)
            reference.update(40, 123_456n)
            expect(group.root).toBe(reference.root)
            for (const i of [0, 5 + 1, 40, group.size - 1]) {
                const proof = group.generateMerkleProof(i)
                expect(proof.siblings).toEqual(reference.createProof(i).siblings.map((s) => s[0]))
                expect(verifyMerkleProof(proof)).toBe(true)
            }
        })

        it("checks the whole batch before adding any", () => {
            const group = new KycTree([10n])
            const root = group.root
            expect(() => group.addMembers([20n, 10n])).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT", parameter: "commitments[1]" }))
            expect(() => group.addMembers([20n, 20n])).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT" }))
            expect(() => group.addMembers([20n, 0n])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "commitments[1]" }))
            expect(() => group.addMembers([20n, -1n])).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT" }))
            expect(group.root).toBe(root)
            expect(group.size).toBe(1)
        })
    })

    describe("# removeMember / updateMember", () => {
        it("removal zeroes the leaf and keeps every other index", () => {
            const group = new KycTree([10n, 20n, 30n])
            group.removeMember(1)
            expect(group.leaves).toEqual([10n, 0n, 30n])
            expect(group.indexOf(20n)).toBe(-1)
            expect(group.indexOf(30n)).toBe(2)
            expect(group.root).toBe(referenceRoot([10n, 0n, 30n]))
            expect(group.memberCount).toBe(2)
        })

        it("update replaces a member in place", () => {
            const group = new KycTree([10n, 20n])
            group.updateMember(0, 99n)
            expect(group.indexOf(99n)).toBe(0)
            expect(group.indexOf(10n)).toBe(-1)
            expect(group.root).toBe(referenceRoot([99n, 20n]))
        })

        it("refuses unknown, removed or out-of-range indices and existing commitments", () => {
            const group = new KycTree([10n, 20n])
            group.removeMember(0)
            expect(() => group.removeMember(0)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT", parameter: "index" }))
            expect(() => group.removeMember(2)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT" }))
            expect(() => group.removeMember(-1)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT" }))
            expect(() => group.updateMember(1, 20n)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT", parameter: "commitment" }))
            expect(() => group.updateMember(0.5, 30n)).toThrowError(expect.objectContaining({ code: "GROUP_CONFLICT" }))
        })
    })

    describe("# generateMerkleProof", () => {
        it("gives a proof that verifies for every member", () => {
            const group = new KycTree([1n, 2n, 3n, 4n, 5n])
            for (let i = 0; i < group.size; i++) {
                const proof = group.generateMerkleProof(i)
                expect(proof.leaf).toBe(BigInt(i + 1))
                expect(proof.siblings).toHaveLength(KYC_TREE_DEPTH)
                expect(verifyMerkleProof(proof)).toBe(true)
            }
        })

        it("refuses a removed member with NOT_A_MEMBER", () => {
            const group = new KycTree([1n, 2n])
            group.removeMember(1)
            expect(() => group.generateMerkleProof(1)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
            expect(() => group.generateMerkleProof(5)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
        })

        it("verifyMerkleProof rejects a changed sibling, leaf, root or path bit", () => {
            const proof = new KycTree([1n, 2n, 3n]).generateMerkleProof(1)
            expect(verifyMerkleProof({ ...proof, leaf: 9n })).toBe(false)
            expect(verifyMerkleProof({ ...proof, root: proof.root + 1n })).toBe(false)
            expect(verifyMerkleProof({ ...proof, siblings: proof.siblings.map((s, i) => (i === 0 ? s + 1n : s)) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, pathIndices: proof.pathIndices.map((b, i) => (i === 0 ? 1 - b : b)) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, pathIndices: proof.pathIndices.map((b, i) => (i === 0 ? 2 : b)) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, siblings: proof.siblings.slice(1) })).toBe(false)
        })
    })

    describe("# export / import", () => {
        it("round-trips leaves, removed slots included", () => {
            const group = new KycTree([1n, 2n, 3n])
            group.removeMember(1)
            const copy = KycTree.import(group.export())
            expect(copy.root).toBe(group.root)
            expect(copy.leaves).toEqual(group.leaves)
        })

        it("refuses bad JSON, another depth or bad leaves", () => {
            expect(() => KycTree.import("{")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json" }))
            expect(() => KycTree.import(JSON.stringify({ depth: 16, leaves: [] }))).toThrowError(expect.objectContaining({ parameter: "json.depth" }))
            expect(() => KycTree.import(JSON.stringify({ depth: KYC_TREE_DEPTH, leaves: ["x"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "leaves[0]" }))
        })
    })
})
