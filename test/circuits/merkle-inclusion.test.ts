/**
 * MerkleInclusion(depth) (circuits/src/lib/merkle-inclusion.circom): its root equals
 * @zk-kit/incremental-merkle-tree with poseidon-lite (directly at depth 4, through the prover's
 * KycTree at the KYC depth), and every way of tampering with a path changes the root or breaks
 * the bit constraint on the path indices.
 */
import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import type { WitnessTester } from "circomkit"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { beforeAll, describe, expect, it } from "vitest"
import { Identity, KYC_TREE_DEPTH, KycTree, SNARK_SCALAR_FIELD as P, type KycMerkleProof } from "../../prover/src/index.ts"
import { at, FILES, failureTrace, read, validWitness, witnessTester } from "./utils.ts"

const NOT_A_BIT = at("MerkleInclusion", FILES.merkle, "pathIndices[i] * (1 - pathIndices[i]) === 0")

interface PathInput {
    leaf: bigint
    pathIndices: bigint[]
    siblings: bigint[]
}

function pathInput(proof: { leaf: bigint; pathIndices: number[]; siblings: bigint[] }): PathInput {
    return { leaf: proof.leaf, pathIndices: proof.pathIndices.map(BigInt), siblings: [...proof.siblings] }
}

async function rootOf(tester: WitnessTester, input: PathInput): Promise<bigint> {
    return read(tester, await validWitness(tester, { ...input }), "root")
}

describe("MerkleInclusion(4) against @zk-kit/incremental-merkle-tree", () => {
    const DEPTH = 4
    const leaves = Array.from({ length: 11 }, (_, i) => poseidon2([BigInt(i), 4242n]))
    const tree = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), DEPTH, 0n, 2, [...leaves])
    const proofOf = (index: number): PathInput => {
        const proof = tree.createProof(index)
        return pathInput({ leaf: proof.leaf as bigint, pathIndices: proof.pathIndices, siblings: proof.siblings.map((s) => s[0] as bigint) })
    }
    let tester: WitnessTester

    beforeAll(async () => {
        tester = await witnessTester("merkle_inclusion_4", { file: "lib/merkle-inclusion", template: "MerkleInclusion", params: [DEPTH] })
    })

    it("gives the tree's root for every leaf (all left/right patterns of a partly filled tree)", async () => {
        for (let index = 0; index < leaves.length; index++) {
            expect(await rootOf(tester, proofOf(index))).toBe(tree.root)
        }
    })

    it("gives the root of a tree with one leaf, and of a full tree", async () => {
        const single = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), DEPTH, 0n, 2, [7n])
        const proof = single.createProof(0)
        expect(await rootOf(tester, pathInput({ leaf: 7n, pathIndices: proof.pathIndices, siblings: proof.siblings.map((s) => s[0] as bigint) }))).toBe(single.root)

        const full = new IncrementalMerkleTree((nodes: bigint[]) => poseidon2(nodes), DEPTH, 0n, 2, Array.from({ length: 16 }, (_, i) => BigInt(i + 1)))
        const last = full.createProof(15)
        expect(last.pathIndices).toEqual([1, 1, 1, 1])
        expect(await rootOf(tester, pathInput({ leaf: 16n, pathIndices: last.pathIndices, siblings: last.siblings.map((s) => s[0] as bigint) }))).toBe(full.root)
    })

    it("another leaf gives another root", async () => {
        const input = proofOf(5)
        expect(await rootOf(tester, { ...input, leaf: input.leaf + 1n })).not.toBe(tree.root)
        // a leaf of the tree at the wrong position
        expect(await rootOf(tester, { ...input, leaf: leaves[4] as bigint })).not.toBe(tree.root)
        // the empty leaf (a removed member)
        expect(await rootOf(tester, { ...input, leaf: 0n })).not.toBe(tree.root)
    })

    it("left/right order matters: flipping any one path index gives another root", async () => {
        const input = proofOf(5) // indices [1, 0, 1, 0]
        for (let level = 0; level < DEPTH; level++) {
            const pathIndices = input.pathIndices.map((bit, i) => (i === level ? 1n - bit : bit))
            expect(await rootOf(tester, { ...input, pathIndices })).not.toBe(tree.root)
        }
    })

    it("siblings swapped between levels, or one sibling changed, give another root", async () => {
        const input = proofOf(6)
        for (let level = 0; level + 1 < DEPTH; level++) {
            const siblings = [...input.siblings]
            ;[siblings[level], siblings[level + 1]] = [siblings[level + 1] as bigint, siblings[level] as bigint]
            expect(siblings).not.toEqual(input.siblings)
            expect(await rootOf(tester, { ...input, siblings })).not.toBe(tree.root)
        }
        const siblings = input.siblings.map((s, i) => (i === 2 ? s + 1n : s))
        expect(await rootOf(tester, { ...input, siblings })).not.toBe(tree.root)
    })

    for (const [name, value] of [
        ["2", 2n],
        ["p - 1 (-1)", P - 1n],
        ["(p + 1) / 2 (one half)", (P + 1n) / 2n]
    ] as const) {
        for (const level of [0, DEPTH - 1]) {
            it(`rejects path index ${name} at level ${level}`, async () => {
                const input = proofOf(5)
                const pathIndices = input.pathIndices.map((bit, i) => (i === level ? value : bit))
                expect(await failureTrace(tester, { ...input, pathIndices })).toEqual([NOT_A_BIT])
            })
        }
    }

    it("a witness with its root output edited breaks a constraint", async () => {
        const witness = await validWitness(tester, { ...proofOf(3) })
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.root": tree.root + 1n }))
    })
})

describe(`MerkleInclusion(${KYC_TREE_DEPTH}) against the prover's KycTree`, () => {
    const members = Array.from({ length: 37 }, (_, i) => new Identity(BigInt(1000 + i)).commitment)
    const group = new KycTree(members)
    let tester: WitnessTester

    beforeAll(async () => {
        tester = await witnessTester("merkle_inclusion_kyc_depth", { file: "lib/merkle-inclusion", template: "MerkleInclusion", params: [KYC_TREE_DEPTH] })
    })

    it("gives the group's root for the first, a middle and the last member", async () => {
        for (const index of [0, 18, 36]) {
            const proof: KycMerkleProof = group.generateMerkleProof(index)
            expect(proof.siblings).toHaveLength(KYC_TREE_DEPTH)
            expect(await rootOf(tester, pathInput(proof))).toBe(group.root)
        }
    })

    it("follows the group through a removal: the old path gives the old root, the new one the new root", async () => {
        const changed = new KycTree(members)
        const before = changed.generateMerkleProof(20)
        changed.removeMember(21) // the sibling of leaf 20
        const after = changed.generateMerkleProof(20)
        expect(await rootOf(tester, pathInput(before))).toBe(group.root)
        expect(await rootOf(tester, pathInput(after))).toBe(changed.root)
        expect(changed.root).not.toBe(group.root)
    })

    it("rejects a non-boolean path index at the top level", async () => {
        const input = pathInput(group.generateMerkleProof(36))
        const pathIndices = input.pathIndices.map((bit, i) => (i === KYC_TREE_DEPTH - 1 ? 2n : bit))
        expect(await failureTrace(tester, { ...input, pathIndices })).toEqual([NOT_A_BIT])
    })

    it("a flipped index or a swapped sibling at the top level gives another root", async () => {
        const input = pathInput(group.generateMerkleProof(36))
        const top = KYC_TREE_DEPTH - 1
        const pathIndices = input.pathIndices.map((bit, i) => (i === top ? 1n - bit : bit))
        expect(await rootOf(tester, { ...input, pathIndices })).not.toBe(group.root)
        const siblings = [...input.siblings]
        ;[siblings[top - 1], siblings[top]] = [siblings[top] as bigint, siblings[top - 1] as bigint]
        expect(await rootOf(tester, { ...input, siblings })).not.toBe(group.root)
    })
})
