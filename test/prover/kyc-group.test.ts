import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { describe, expect, it } from "vitest"
import { KYC_TREE_DEPTH, KycGroup, SNARK_SCALAR_FIELD, verifyMerkleProof } from "../../prover/src/index.ts"

/** The reference: zk-kit's tree filled one insert at a time. */
function referenceRoot(leaves: bigint[]): bigint {
    const tree = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), KYC_TREE_DEPTH, 0n, 2)
    for (const leaf of leaves) tree.insert(leaf)
    return tree.root as bigint
}

describe("KycGroup", () => {
    describe("# constructor", () => {
        it("has depth 20 and the empty root of zero leaves", () => {
            const group = new KycGroup()
            expect(group.depth).toBe(KYC_TREE_DEPTH)
            expect(group.size).toBe(0)
            expect(group.root).toBe(referenceRoot([]))
        })

        it("builds from leaves level by level with the same root as inserting one by one", () => {
            const leaves = Array.from({ length: 37 }, (_, i) => BigInt(i + 1) * 1_000_003n)
            leaves[5] = 0n // a removed member
            expect(new KycGroup(leaves).root).toBe(referenceRoot(leaves))
        })

        it("rebuilds any published tree, duplicates included (indexOf gives the first), and refuses values outside the field", () => {
            const withDuplicate = new KycGroup([1n, 2n, 1n])
            expect(withDuplicate.root).toBe(referenceRoot([1n, 2n, 1n]))
            expect(withDuplicate.indexOf(1n)).toBe(0)
            expect(() => new KycGroup([SNARK_SCALAR_FIELD])).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "leaves[0]" }))
            expect(() => new KycGroup("nope" as unknown as bigint[])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }))
        })
    })

    describe("# addMembers", () => {
        it("adds at the next indices and updates the root", () => {
            const group = new KycGroup([10n])
            expect(group.addMembers([20n, 30n])).toEqual([1, 2])
            expect(group.addMember(40n)).toBe(3)
            expect(group.root).toBe(referenceRoot([10n, 20n, 30n, 40n]))
            expect(group.indexOf(30n)).toBe(2)
            expect(group.memberCount).toBe(4)
        })

        it("batch appends give the same tree, proofs and later updates as one-by-one inserts", () => {
            const group = new KycGroup()
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
            const group = new KycGroup([10n])
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
            const group = new KycGroup([10n, 20n, 30n])
            group.removeMember(1)
            expect(group.leaves).toEqual([10n, 0n, 30n])
            expect(group.indexOf(20n)).toBe(-1)
            expect(group.indexOf(30n)).toBe(2)
            expect(group.root).toBe(referenceRoot([10n, 0n, 30n]))
            expect(group.memberCount).toBe(2)
        })

        it("update replaces a member in place", () => {
            const group = new KycGroup([10n, 20n])
            group.updateMember(0, 99n)
            expect(group.indexOf(99n)).toBe(0)
            expect(group.indexOf(10n)).toBe(-1)
            expect(group.root).toBe(referenceRoot([99n, 20n]))
        })

        it("refuses unknown, removed or out-of-range indices and existing commitments", () => {
            const group = new KycGroup([10n, 20n])
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
            const group = new KycGroup([1n, 2n, 3n, 4n, 5n])
            for (let i = 0; i < group.size; i++) {
                const proof = group.generateMerkleProof(i)
                expect(proof.leaf).toBe(BigInt(i + 1))
                expect(proof.siblings).toHaveLength(KYC_TREE_DEPTH)
                expect(verifyMerkleProof(proof)).toBe(true)
            }
        })

        it("refuses a removed member with NOT_A_MEMBER", () => {
            const group = new KycGroup([1n, 2n])
            group.removeMember(1)
            expect(() => group.generateMerkleProof(1)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
            expect(() => group.generateMerkleProof(5)).toThrowError(expect.objectContaining({ code: "NOT_A_MEMBER" }))
        })

        it("verifyMerkleProof rejects a changed sibling, leaf, root or path bit", () => {
            const proof = new KycGroup([1n, 2n, 3n]).generateMerkleProof(1)
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
            const group = new KycGroup([1n, 2n, 3n])
            group.removeMember(1)
            const copy = KycGroup.import(group.export())
            expect(copy.root).toBe(group.root)
            expect(copy.leaves).toEqual(group.leaves)
        })

        it("refuses bad JSON, another depth or bad leaves", () => {
            expect(() => KycGroup.import("{")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "json" }))
            expect(() => KycGroup.import(JSON.stringify({ depth: 16, leaves: [] }))).toThrowError(expect.objectContaining({ parameter: "json.depth" }))
            expect(() => KycGroup.import(JSON.stringify({ depth: KYC_TREE_DEPTH, leaves: ["x"] }))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "leaves[0]" }))
        })
    })
})
