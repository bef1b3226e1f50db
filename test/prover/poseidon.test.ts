/**
 * The fast Poseidon (circomlibjs WebAssembly) gives poseidon-lite's output, hence circomlib's,
 * and a tree built over worker threads is the tree built here, node for node.
 */
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { buildKycTree, hashSubtree, KYC_TREE_DEPTH, KycTree, kycZeroes, poseidonLiteHash, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { startNodeRunners } from "../../prover/src/kyc-build-node.ts"
import { loadFastPoseidon } from "../../prover/src/poseidon.ts"

const pool = startNodeRunners(2)
afterAll(async () => {
    await pool.close()
})

describe("loadFastPoseidon", () => {
    it("equals poseidon-lite on random field elements, 0 and p - 1 included", async () => {
        const fast = await loadFastPoseidon()
        expect(fast(0n, 0n)).toBe(poseidonLiteHash(0n, 0n))
        expect(fast(SNARK_SCALAR_FIELD - 1n, 1n)).toBe(poseidonLiteHash(SNARK_SCALAR_FIELD - 1n, 1n))
        const element = fc.bigInt({ min: 0n, max: SNARK_SCALAR_FIELD - 1n })
        fc.assert(fc.property(element, element, (a, b) => fast(a, b) === poseidonLiteHash(a, b)), { numRuns: 300 })
    })

    it("is loaded once", async () => {
        expect(await loadFastPoseidon()).toBe(await loadFastPoseidon())
    })
})

describe("buildKycTree", () => {
    it("over two worker threads gives the same levels as a build on this thread", async () => {
        const hash = await loadFastPoseidon()
        const leaves = Array.from({ length: 3_001 }, (_, i) => (i % 97 === 0 ? 0n : BigInt(i) * 1_000_003n))
        const progress: number[] = []
        const parallel = await buildKycTree(leaves, { hash, runners: pool.runners, minParallelLeaves: 0, onProgress: (done) => progress.push(done) })
        const here = new KycTree(leaves, { hash })
        expect(parallel.root).toBe(here.root)
        expect(parallel.root).toBe(new KycTree(leaves).root)
        for (let d = 0; d <= KYC_TREE_DEPTH; d++) expect(parallel.level(d)).toEqual(here.level(d))
        expect(progress.at(-1)).toBe(leaves.length)
        expect(progress.length).toBeGreaterThan(2)
        // and it stays a working tree
        parallel.addMember(42n)
        here.addMember(42n)
        expect(parallel.root).toBe(here.root)
    })

    it("small trees stay on this thread; no runner is needed", async () => {
        const hash = await loadFastPoseidon()
        expect((await buildKycTree([1n, 2n], { hash, runners: pool.runners })).root).toBe(new KycTree([1n, 2n]).root)
        expect((await buildKycTree([], { hash })).root).toBe(new KycTree().root)
    })

    it("refuses leaves outside the field, naming the leaf", async () => {
        const hash = await loadFastPoseidon()
        await expect(buildKycTree([1n, SNARK_SCALAR_FIELD], { hash, runners: pool.runners, minParallelLeaves: 0 })).rejects.toMatchObject({ code: "NOT_A_FIELD_ELEMENT", parameter: "leaves[1]" })
    })

    it("hashSubtree hashes a partial chunk with the zero siblings", () => {
        const levels = hashSubtree([5n, 6n, 7n], 2, poseidonLiteHash)
        expect(hashSubtree([9n], 1, poseidonLiteHash, 3)[0]).toEqual([poseidonLiteHash(9n, kycZeroes()[3]!)])
        const tree = new KycTree([5n, 6n, 7n])
        expect(levels[0]).toEqual(tree.level(1))
        expect(levels[1]).toEqual(tree.level(2))
    })
})
