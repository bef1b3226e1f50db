/**
 * The fast Poseidon of 4 (circomlibjs WebAssembly) gives poseidon-lite's `poseidon4` and circomlib's
 * reference Poseidon(4), and a tree built over worker threads is the tree built here, node for node.
 */
import { buildPoseidonReference } from "circomlibjs"
import fc from "fast-check"
import { poseidon4 } from "poseidon-lite/poseidon4"
import { afterAll, describe, expect, it } from "vitest"
import { buildKycTree, hashSubtree, KYC_TREE_DEPTH, KycTree, kycZeroes, poseidonLiteHash, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { startNodeRunners } from "../../prover/src/kyc-build-node.ts"
import { loadFastPoseidon } from "../../prover/src/poseidon.ts"

const pool = startNodeRunners(2)
afterAll(async () => {
    await pool.close()
})

describe("loadFastPoseidon", () => {
    it("is Poseidon of 4: equals poseidon-lite's poseidon4 and circomlib's reference on random field elements, 0 and p - 1 included", async () => {
        const fast = await loadFastPoseidon()
        const reference = await buildPoseidonReference()
        const circomlib = (inputs: bigint[]) => reference.F.toObject(reference(inputs))
        // circomlibjs's own test vector of Poseidon(4)
        expect(fast(1n, 2n, 3n, 4n)).toBe(0x299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465n)
        expect(fast(0n, 0n, 0n, 0n)).toBe(poseidon4([0n, 0n, 0n, 0n]))
        const p1 = SNARK_SCALAR_FIELD - 1n
        expect(fast(p1, 1n, p1, 0n)).toBe(poseidon4([p1, 1n, p1, 0n]))
        expect(fast(p1, p1, p1, p1)).toBe(circomlib([p1, p1, p1, p1]))
        const element = fc.bigInt({ min: 0n, max: SNARK_SCALAR_FIELD - 1n })
        fc.assert(
            fc.property(element, element, element, element, (a, b, c, d) => {
                const h = fast(a, b, c, d)
                // the order of the children matters
                return h === poseidonLiteHash(a, b, c, d) && h === poseidon4([a, b, c, d]) && (a === b || h !== fast(b, a, c, d))
            }),
            { numRuns: 200 }
        )
        fc.assert(fc.property(element, element, element, element, (a, b, c, d) => fast(a, b, c, d) === circomlib([a, b, c, d])), { numRuns: 20 })
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

    it("hashSubtree hashes a partial chunk 4 children a node, with the zero siblings", () => {
        const levels = hashSubtree([5n, 6n, 7n, 8n, 9n, 10n], 2, poseidonLiteHash)
        const z = kycZeroes()
        expect(levels[0]).toEqual([poseidonLiteHash(5n, 6n, 7n, 8n), poseidonLiteHash(9n, 10n, z[0]!, z[0]!)])
        expect(hashSubtree([9n], 1, poseidonLiteHash, 3)[0]).toEqual([poseidonLiteHash(9n, z[3]!, z[3]!, z[3]!)])
        expect(hashSubtree([9n, 8n], 1, poseidonLiteHash, 3)[0]).toEqual([poseidonLiteHash(9n, 8n, z[3]!, z[3]!)])
        const tree = new KycTree([5n, 6n, 7n, 8n, 9n, 10n])
        expect(levels[0]).toEqual(tree.level(1))
        expect(levels[1]).toEqual(tree.level(2))
    })
})
