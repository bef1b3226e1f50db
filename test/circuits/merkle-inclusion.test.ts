/**
 * MerkleInclusion(depth, arity) (circuits/src/lib/merkle-inclusion.circom), a 4-ary Poseidon
 * path: its root equals @zk-kit/incremental-merkle-tree with poseidon-lite (directly at depth 3,
 * through the prover's KycTree at the KYC depth), every way of tampering with a path changes the
 * root, a path index outside 0..3 breaks its bit split, and each product of the selection is
 * constrained (an edited witness breaks it).
 */
import { IncrementalMerkleTree } from "@zk-kit/incremental-merkle-tree"
import type { WitnessTester } from "circomkit"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { poseidon4 } from "poseidon-lite/poseidon4"
import { beforeAll, describe, expect, it } from "vitest"
import { Identity, KYC_TREE_ARITY, KYC_TREE_DEPTH, KycTree, SNARK_SCALAR_FIELD as P, type KycMerkleProof } from "../../prover/src/index.ts"
import { at, FILES, failureTrace, read, validWitness, witnessTester } from "./utils.ts"

/** A path index outside 0..3: Num2Bits(2) finds no split of it into two bits. */
const NOT_A_POSITION = [at("MerkleInclusion", FILES.merkle, "bits[i] <== Num2Bits(2)(pathIndices[i])"), at("Num2Bits", FILES.bitify, "lc1 === in")]

interface PathInput {
    leaf: bigint
    pathIndices: bigint[]
    siblings: bigint[][]
}

function pathInput(proof: { leaf: bigint; pathIndices: number[]; siblings: bigint[][] }): PathInput {
    return { leaf: proof.leaf, pathIndices: proof.pathIndices.map(BigInt), siblings: proof.siblings.map((level) => [...level]) }
}

async function rootOf(tester: WitnessTester, input: PathInput): Promise<bigint> {
    return read(tester, await validWitness(tester, { ...input }), "root")
}

const zkKitTree = (depth: number, leaves: bigint[]) => new IncrementalMerkleTree((nodes: bigint[]) => poseidon4(nodes), depth, 0n, 4, [...leaves])

describe("MerkleInclusion(3, 4) against @zk-kit/incremental-merkle-tree", () => {
    const DEPTH = 3
    // 23 of 64 slots: every position 0..3 at the lowest level, partly filled groups above
    const leaves = Array.from({ length: 23 }, (_, i) => poseidon2([BigInt(i), 4242n]))
    const tree = zkKitTree(DEPTH, leaves)
    const proofOf = (index: number): PathInput => {
        const proof = tree.createProof(index)
        return pathInput({ leaf: proof.leaf as bigint, pathIndices: proof.pathIndices, siblings: proof.siblings as bigint[][] })
    }
    let tester: WitnessTester

    beforeAll(async () => {
        tester = await witnessTester("merkle_inclusion_3", { file: "lib/merkle-inclusion", template: "MerkleInclusion", params: [DEPTH, 4] })
    })

    it("gives the tree's root for every leaf (every position, in full and partly filled groups)", async () => {
        for (let index = 0; index < leaves.length; index++) {
            expect(await rootOf(tester, proofOf(index))).toBe(tree.root)
        }
    })

    it("gives the root of a tree with one leaf, and of a full tree", async () => {
        const single = zkKitTree(DEPTH, [7n])
        const proof = single.createProof(0)
        expect(await rootOf(tester, pathInput({ leaf: 7n, pathIndices: proof.pathIndices, siblings: proof.siblings as bigint[][] }))).toBe(single.root)

        const full = zkKitTree(DEPTH, Array.from({ length: 64 }, (_, i) => BigInt(i + 1)))
        const last = full.createProof(63)
        expect(last.pathIndices).toEqual([3, 3, 3])
        expect(await rootOf(tester, pathInput({ leaf: 64n, pathIndices: last.pathIndices, siblings: last.siblings as bigint[][] }))).toBe(full.root)
    })

    it("another leaf gives another root", async () => {
        const input = proofOf(9)
        expect(await rootOf(tester, { ...input, leaf: input.leaf + 1n })).not.toBe(tree.root)
        // a leaf of the tree at the wrong position
        expect(await rootOf(tester, { ...input, leaf: leaves[8] as bigint })).not.toBe(tree.root)
        // the empty leaf (a removed member)
        expect(await rootOf(tester, { ...input, leaf: 0n })).not.toBe(tree.root)
    })

    it("the position matters: each other position at each level gives another root", async () => {
        const input = proofOf(22) // positions [2, 1, 1]
        expect(input.pathIndices).toEqual([2n, 1n, 1n])
        for (let level = 0; level < DEPTH; level++) {
            for (let position = 0n; position < 4n; position++) {
                if (position === input.pathIndices[level]) continue
                const pathIndices = input.pathIndices.map((p, i) => (i === level ? position : p))
                expect(await rootOf(tester, { ...input, pathIndices })).not.toBe(tree.root)
            }
        }
    })

    it("siblings reordered within a level, swapped between levels, or one changed, give another root", async () => {
        const input = proofOf(5) // positions [1, 1, 0]: siblings from both sides
        for (let level = 0; level < DEPTH; level++) {
            for (const [a, b] of [[0, 1], [1, 2], [0, 2]] as const) {
                const siblings = input.siblings.map((s) => [...s])
                ;[siblings[level]![a], siblings[level]![b]] = [siblings[level]![b]!, siblings[level]![a]!]
                if (siblings[level]![a] === siblings[level]![b]) continue // two empty siblings: same input
                expect(await rootOf(tester, { ...input, siblings })).not.toBe(tree.root)
            }
        }
        for (let level = 0; level + 1 < DEPTH; level++) {
            const siblings = input.siblings.map((s) => [...s])
            ;[siblings[level], siblings[level + 1]] = [siblings[level + 1]!, siblings[level]!]
            expect(await rootOf(tester, { ...input, siblings })).not.toBe(tree.root)
        }
        for (let j = 0; j < 3; j++) {
            const siblings = input.siblings.map((s, i) => (i === 1 ? s.map((v, k) => (k === j ? v + 1n : v)) : [...s]))
            expect(await rootOf(tester, { ...input, siblings })).not.toBe(tree.root)
        }
    })

    for (const [name, value] of [
        ["4", 4n],
        ["7", 7n],
        ["p - 1 (-1)", P - 1n],
        ["(p + 1) / 2 (one half)", (P + 1n) / 2n]
    ] as const) {
        for (const level of [0, DEPTH - 1]) {
            it(`rejects path index ${name} at level ${level}`, async () => {
                const input = proofOf(5)
                const pathIndices = input.pathIndices.map((p, i) => (i === level ? value : p))
                expect(await failureTrace(tester, { ...input, pathIndices })).toEqual(NOT_A_POSITION)
            })
        }
    }

    it("a witness with its root output edited breaks a constraint", async () => {
        const witness = await validWitness(tester, { ...proofOf(3) })
        await tester.expectConstraintFail(await tester.editWitness(witness, { "main.root": tree.root + 1n }))
    })

    // each product placing the node among its siblings is a constraint: a prover who edits one
    // (to put the node elsewhere, or blend two children) breaks it
    for (const signal of ["isThree", "child0", "at1", "after0", "at2", "after2", "child3"]) {
        it(`a witness with ${signal} edited at a level breaks a constraint`, async () => {
            for (const index of [0, 5, 22]) {
                const witness = await validWitness(tester, { ...proofOf(index) })
                const name = `main.${signal}[1]`
                const value = await read(tester, witness, `${signal}[1]`)
                await tester.expectConstraintFail(await tester.editWitness(witness, { [name]: value + 1n }))
            }
        })
    }
})

describe(`MerkleInclusion(${KYC_TREE_DEPTH}, ${KYC_TREE_ARITY}) against the prover's KycTree`, () => {
    const members = Array.from({ length: 37 }, (_, i) => new Identity(BigInt(1000 + i)).commitment)
    const group = new KycTree(members)
    let tester: WitnessTester

    beforeAll(async () => {
        tester = await witnessTester("merkle_inclusion_kyc_depth", { file: "lib/merkle-inclusion", template: "MerkleInclusion", params: [KYC_TREE_DEPTH, KYC_TREE_ARITY] })
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
        changed.removeMember(21) // a sibling of leaf 20
        const after = changed.generateMerkleProof(20)
        expect(await rootOf(tester, pathInput(before))).toBe(group.root)
        expect(await rootOf(tester, pathInput(after))).toBe(changed.root)
        expect(changed.root).not.toBe(group.root)
    })

    it("rejects a path index outside 0..3 at the top level", async () => {
        const input = pathInput(group.generateMerkleProof(36))
        const pathIndices = input.pathIndices.map((p, i) => (i === KYC_TREE_DEPTH - 1 ? 4n : p))
        expect(await failureTrace(tester, { ...input, pathIndices })).toEqual(NOT_A_POSITION)
    })

    it("another position or swapped siblings at the top level give another root", async () => {
        const input = pathInput(group.generateMerkleProof(36))
        const top = KYC_TREE_DEPTH - 1
        const pathIndices = input.pathIndices.map((p, i) => (i === top ? (p + 1n) % 4n : p))
        expect(await rootOf(tester, { ...input, pathIndices })).not.toBe(group.root)
        const siblings = input.siblings.map((s) => [...s])
        ;[siblings[top - 1], siblings[top]] = [siblings[top]!, siblings[top - 1]!]
        expect(await rootOf(tester, { ...input, siblings })).not.toBe(group.root)
    })
})
