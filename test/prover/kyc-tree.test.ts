import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import { poseidon4 } from "poseidon-lite/poseidon4"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { KYC_TREE_ARITY, KYC_TREE_DEPTH, KycTree, kycZeroes, poseidonLiteHash, SNARK_SCALAR_FIELD, verifyMerkleProof, type KycHash } from "../../prover/src/index.ts"

/** zk-kit's tree of the KYC tree's shape: 4-ary, depth 10, zero leaf 0, poseidon-lite's poseidon4. */
function referenceTree(): IncrementalMerkleTree {
    return new IncrementalMerkleTree((nodes: bigint[]) => poseidon4(nodes), KYC_TREE_DEPTH, 0n, 4)
}

/** The reference: zk-kit's tree filled one insert at a time. */
function referenceRoot(leaves: bigint[]): bigint {
    const tree = referenceTree()
    for (const leaf of leaves) tree.insert(leaf)
    return tree.root as bigint
}

/** Our proof of the leaf at `i` is zk-kit's `createProof(i)` (which has no `index`). */
function expectReferenceProof(tree: KycTree, reference: IncrementalMerkleTree, i: number): void {
    const { index, ...proof } = tree.generateMerkleProof(i)
    expect(index).toBe(i)
    expect(proof).toEqual(reference.createProof(i))
}

/** poseidon-lite, counting its calls: to check what a change costs. */
function countingHash(): { hash: KycHash; calls: () => number; reset: () => void } {
    let n = 0
    return { hash: (c0, c1, c2, c3) => (n++, poseidonLiteHash(c0, c1, c2, c3)), calls: () => n, reset: () => (n = 0) }
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
                    const reference = referenceTree()
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
                    // every member's proof is zk-kit's (reads only); a few are hashed up to the root
                    for (let i = 0; i < tree.size; i++) if (tree.leafAt(i) !== 0n) expectReferenceProof(tree, reference, i)
                    for (const i of [0, tree.size >> 1, tree.size - 1]) {
                        if (i < 0 || i >= tree.size || tree.leafAt(i) === 0n) continue
                        expect(verifyMerkleProof(tree.generateMerkleProof(i))).toBe(true)
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
            // 250 + 63 + 16 + 4 + 1 nodes (a quarter of the level below, rounded up), then the root's
            // 5 ancestors up to height 10: a third of the binary tree's 1,011
            expect(counter.calls()).toBe(250 + 63 + 16 + 4 + 1 + 5)
            counter.reset()
            tree.setLeaf(17, 5n)
            expect(counter.calls()).toBe(KYC_TREE_DEPTH)
            counter.reset()
            tree.appendLeaves(Array.from({ length: 24 }, (_, i) => BigInt(5000 + i))) // leaves 1000..1023
            // parents 250..255, then 62..63, then 15, then one per level above
            expect(counter.calls()).toBe(6 + 2 + 1 + 7)
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
            // 5 leaves: 2 nodes at height 1, where a single leaf would have 1
            const built = new KycTree([1n, 2n, 3n, 4n, 5n])
            const levels = Array.from({ length: KYC_TREE_DEPTH + 1 }, (_, d) => [...built.level(d)])
            const counter = countingHash()
            kycZeroes(counter.hash)
            counter.reset()
            const copy = KycTree.fromLevels(levels, { hash: counter.hash })
            expect(counter.calls()).toBe(0)
            expect(copy.root).toBe(built.root)
            copy.addMember(6n)
            expect(copy.root).toBe(referenceRoot([1n, 2n, 3n, 4n, 5n, 6n]))
            expect(() => KycTree.fromLevels(levels.slice(1))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels" }))
            expect(() => KycTree.fromLevels([[1n], ...levels.slice(1)])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels[1]" }))
        })
    })

    describe("# constructor", () => {
        it("has depth 10, arity 4 and the empty root of zero leaves", () => {
            const group = new KycTree()
            expect(group.depth).toBe(KYC_TREE_DEPTH)
            expect(group.depth).toBe(10)
            expect(group.arity).toBe(KYC_TREE_ARITY)
            expect(group.arity).toBe(4)
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
            const reference = referenceTree()
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
                expectReferenceProof(group, reference, i)
                expect(verifyMerkleProof(group.generateMerkleProof(i))).toBe(true)
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
                expect(proof.siblings.every((others) => others.length === 3)).toBe(true)
                // position among the 4 children at each level: floor(i / 4^level) % 4
                expect(proof.pathIndices).toEqual(Array.from({ length: KYC_TREE_DEPTH }, (_, level) => Math.floor(i / 4 ** level) % 4))
                expect(verifyMerkleProof(proof)).toBe(true)
            }
        })

        it("refuses a removed member with NOT_A_MEMBER", () => {
            const group = new KycTree([1n, 2n])
            group.removeMember(1)
            expect(() => group.generateMerkleProof(1)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
            expect(() => group.generateMerkleProof(5)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
        })

        it("verifyMerkleProof rejects a changed sibling, leaf, root or path index, and paths of the wrong shape", () => {
            const tree = new KycTree(Array.from({ length: 23 }, (_, i) => BigInt(i + 1)))
            const proof = tree.generateMerkleProof(6) // positions 2, 1, 0, ...
            expect(proof.pathIndices.slice(0, 3)).toEqual([2, 1, 0])
            expect(verifyMerkleProof(proof)).toBe(true)
            const atLevel = <T>(list: T[], level: number, value: T) => list.map((v, i) => (i === level ? value : v))
            expect(verifyMerkleProof({ ...proof, leaf: 9n })).toBe(false)
            expect(verifyMerkleProof({ ...proof, root: proof.root + 1n })).toBe(false)
            for (let level = 0; level < 2; level++) {
                for (let j = 0; j < 3; j++) expect(verifyMerkleProof({ ...proof, siblings: atLevel(proof.siblings, level, atLevel(proof.siblings[level]!, j, proof.siblings[level]![j]! + 1n)) })).toBe(false)
                // the node moved to any other of the 4 slots
                for (let p = 0; p < 4; p++) if (p !== proof.pathIndices[level]) expect(verifyMerkleProof({ ...proof, pathIndices: atLevel(proof.pathIndices, level, p) })).toBe(false)
                // siblings swapped
                const [a, b, c] = proof.siblings[level]!
                expect(verifyMerkleProof({ ...proof, siblings: atLevel(proof.siblings, level, [b!, a!, c!]) })).toBe(false)
            }
            // no such position among 4 children, or a level without exactly 3 siblings
            for (const bad of [4, -1, 1.5, 5, Number.NaN, "2" as unknown as number]) expect(verifyMerkleProof({ ...proof, pathIndices: atLevel(proof.pathIndices, 0, bad) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, siblings: atLevel(proof.siblings, 0, proof.siblings[0]!.slice(1)) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, siblings: atLevel(proof.siblings, 3, [...proof.siblings[3]!, 0n]) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, siblings: proof.siblings.slice(1) })).toBe(false)
            expect(verifyMerkleProof({ ...proof, pathIndices: proof.pathIndices.slice(1) })).toBe(false)
            // the former binary shape: one sibling per level, 20 levels
            expect(verifyMerkleProof({ ...proof, siblings: Array.from({ length: 20 }, () => [0n]), pathIndices: Array.from({ length: 20 }, () => 0) })).toBe(false)
        })

        it("verifyMerkleProof throws a typed error naming a sibling that is not a field element or a level that is not an array", () => {
            const proof = new KycTree([1n, 2n, 3n]).generateMerkleProof(1)
            const at = (level: number, value: unknown) => ({ ...proof, siblings: proof.siblings.map((s, i) => (i === level ? value : s)) as bigint[][] })
            expect(() => verifyMerkleProof(at(2, 7n))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "proof.siblings[2]" }))
            expect(() => verifyMerkleProof(at(0, [1n, SNARK_SCALAR_FIELD, 2n]))).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "proof.siblings[0][1]" }))
            expect(() => verifyMerkleProof(at(4, [1n, 2n, -3n]))).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "proof.siblings[4][2]" }))
            expect(() => verifyMerkleProof({ ...proof, siblings: "x" as never })).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "proof.siblings" }))
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

        it("writes its shape: depth 10, arity 4", () => {
            expect(JSON.parse(new KycTree([1n]).export())).toEqual({ depth: 10, arity: 4, leaves: ["1"] })
        })

        it("refuses bad JSON, another depth, another arity (a binary tree's export has none) or bad leaves", () => {
            expect(() => KycTree.import("{")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json" }))
            expect(() => KycTree.import(JSON.stringify({ depth: 16, arity: 4, leaves: [] }))).toThrowError(expect.objectContaining({ parameter: "json.depth" }))
            // the former binary tree's export: depth 20, no arity
            expect(() => KycTree.import(JSON.stringify({ depth: 20, leaves: ["1"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json.depth" }))
            expect(() => KycTree.import(JSON.stringify({ depth: KYC_TREE_DEPTH, leaves: ["1"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json.arity", message: expect.stringContaining("4-ary") }))
            expect(() => KycTree.import(JSON.stringify({ depth: KYC_TREE_DEPTH, arity: 2, leaves: ["1"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json.arity" }))
            expect(() => KycTree.import(JSON.stringify({ depth: KYC_TREE_DEPTH, arity: "4", leaves: ["1"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json.arity" }))
            expect(() => KycTree.import(JSON.stringify({ depth: KYC_TREE_DEPTH, arity: KYC_TREE_ARITY, leaves: ["x"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "leaves[0]" }))
        })
    })
})
