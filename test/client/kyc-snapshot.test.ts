/**
 * KYC snapshots: packed levels give the tree's proofs; a snapshot written from a real local node
 * (by the library and by `zkcredit officer snapshot`) checks out against the registry's root
 * history, and one whose root is not on chain, of another registry, or whose levels do not lead to
 * its root is refused; the requests a borrower makes do not depend on their leaf index. Events
 * replayed onto packed levels (a returning borrower) give the tree's levels, hashing only the
 * nodes above the new leaves.
 * Ports 8985-8989.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Contract } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { applyKycEventsToLevels, checkKycSnapshot, fetchKycSnapshot, hasKycTreeShape, levelSizes, packedIndexOf, packedMerkleProof, packedRoot, packLevels, parseKycSnapshotManifest, unpackLevels, writeKycSnapshot, snapshotLevels, type SnapshotFetch } from "../../client/src/kyc-snapshot.ts"
import { fetchKycEvents } from "../../client/src/kyc-tree.ts"
import { readSnapshotDir, treeAtBlock, writeSnapshotDir } from "../../cli/lib/kyc-snapshot-files.ts"
import { applyKycEvent, type KycEvent } from "../../client/src/kyc-events.ts"
import { KYC_TREE_DEPTH } from "../../prover/src/constants.ts"
import { KycTree, kycZeroes, poseidonLiteHash, verifyMerkleProof } from "../../prover/src/kyc-tree.ts"
import { runJson, startTestChain, type TestChain } from "../cli/helpers.ts"
import { testPort } from "../helpers/ports.ts"

describe("packed levels", () => {
    it("give the tree's root, indices and Merkle proofs, and unpack to the same tree", () => {
        const tree = new KycTree([5n, 6n, 0n, 8n, 9n])
        const packed = packLevels(tree)
        expect(packedRoot(packed)).toBe(tree.root)
        expect(packedIndexOf(packed, 8n)).toBe(3)
        expect(packedIndexOf(packed, 7n)).toBe(-1)
        expect(packedMerkleProof(packed, 4)).toEqual(tree.generateMerkleProof(4))
        expect(unpackLevels(packed).root).toBe(tree.root)
        expect(packedRoot(packLevels(new KycTree()))).toBe(new KycTree().root)
        // every slot of a tree with partial nodes at several heights: the same path (3 siblings a level), the end padded with empty nodes
        const larger = new KycTree(Array.from({ length: 71 }, (_, i) => BigInt(i + 1)))
        const largerPacked = packLevels(larger)
        for (let i = 0; i < larger.size; i++) expect(packedMerkleProof(largerPacked, i)).toEqual(larger.generateMerkleProof(i))
        expect(unpackLevels(largerPacked).level(1)).toEqual(larger.level(1))
    })

    it("are the 4-ary tree's: a level a quarter of the one below, rounded up", () => {
        expect(levelSizes(71)).toEqual([71, 18, 5, 2, 1, 1, 1, 1, 1, 1, 1])
        expect(levelSizes(0)).toEqual(Array.from({ length: KYC_TREE_DEPTH + 1 }, () => 0))
        // 2^20 leaves: 4/3 of a node a leaf, a third of the binary tree's nodes less the leaves
        expect(levelSizes(2 ** 20).reduce((n, s) => n + s, 0)).toBe(1_398_101)
        expect(() => unpackLevels(packLevels(new KycTree([1n, 2n])).map((l, d) => (d === 1 ? new Uint8Array(64) : l)))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels" }))
        // a browser's stored copy of the former binary tree: 21 levels, each half the one below
        const binary = [5, 3, 2, 1, ...Array.from({ length: 17 }, () => 1)].map((n) => new Uint8Array(n * 32))
        expect(hasKycTreeShape(binary)).toBe(false)
        expect(hasKycTreeShape(binary.slice(0, KYC_TREE_DEPTH + 1))).toBe(false)
        expect(hasKycTreeShape(packLevels(new KycTree([1n, 2n, 3n, 4n, 5n])))).toBe(true)
        expect(hasKycTreeShape(packLevels(new KycTree()))).toBe(true)
        expect(() => unpackLevels(binary)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "levels" }))
    })

    it("a snapshot's chunks of a fixed size put back together are the levels", () => {
        const tree = new KycTree(Array.from({ length: 300 }, (_, i) => BigInt(i + 1)))
        const { manifest, chunks } = writeKycSnapshot(tree, { chainId: 1, kycRegistry: `0x${"11".repeat(20)}`, block: 9 }, 1_000)
        expect(chunks.slice(0, -1).every((c) => c.length === 1_000)).toBe(true)
        expect(manifest.chunks).toHaveLength(chunks.length)
        expect(unpackLevels(snapshotLevels(manifest, chunks)).root).toBe(tree.root)
        expect(() => snapshotLevels(manifest, chunks.slice(1))).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "chunks" }))
        expect(manifest.version).toBe(2)
        expect(parseKycSnapshotManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest)
    })

    it("a version 1 manifest (the former binary tree's levels) is refused, saying why", () => {
        const { manifest } = writeKycSnapshot(new KycTree([1n, 2n, 3n]), { chainId: 1, kycRegistry: `0x${"11".repeat(20)}`, block: 9 })
        const binary = { ...manifest, version: 1, depth: 20 }
        expect(() => parseKycSnapshotManifest(binary)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "manifest.format", message: expect.stringMatching(/version 2.*version 1 was the former binary tree's/) }))
        expect(() => parseKycSnapshotManifest({ ...manifest, depth: 20 })).toThrowError(expect.objectContaining({ parameter: "manifest.depth" }))
        expect(() => parseKycSnapshotManifest({ ...manifest, size: 4 ** 10 + 1 })).toThrowError(expect.objectContaining({ parameter: "manifest.size" }))
    })
})

/** Events as the registry publishes them (block and transaction do not matter to the tree). */
const at = { blockNumber: 1, logIndex: 0, transactionHash: `0x${"00".repeat(32)}` }
const added = (startIndex: number, commitments: bigint[]): KycEvent => ({ kind: "added", startIndex, commitments, newRoot: 0n, ...at })
const removed = (index: number): KycEvent => ({ kind: "removed", index, newRoot: 0n, ...at })
const replaced = (index: number, newCommitment: bigint): KycEvent => ({ kind: "replaced", index, newCommitment, newRoot: 0n, ...at })

describe("events replayed onto packed levels", () => {
    it("give the levels the tree module gives, over random additions, removals and replacements", () => {
        let seed = 7
        const next = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n)
        for (let round = 0; round < 8; round++) {
            const reference = new KycTree(Array.from({ length: next(70) }, (_, i) => BigInt(i + 1)))
            let packed = packLevels(reference)
            const events: KycEvent[] = []
            for (let k = 0; k < 1 + next(6); k++) {
                const kind = reference.size === 0 ? 0 : next(3)
                const event = kind === 0 ? added(reference.size, Array.from({ length: 1 + next(40) }, () => BigInt(1 + next(1_000_000)))) : kind === 1 ? removed(next(reference.size)) : replaced(next(reference.size), BigInt(1 + next(1_000_000)))
                expect(applyKycEvent(reference, event)).toBe(true)
                events.push(event)
            }
            const applied = applyKycEventsToLevels(packed, events)
            if (typeof applied === "string") throw new Error(applied)
            packed = applied
            expect(packed).toEqual(packLevels(reference))
            expect(packedRoot(packed)).toBe(reference.root)
        }
    })

    it("hash only the nodes above the new leaves: depth hashes for one replaced member", () => {
        const tree = new KycTree(Array.from({ length: 1_000 }, (_, i) => BigInt(i + 1)))
        let hashes = 0
        const counting = (a: bigint, b: bigint, c: bigint, d: bigint) => (hashes++, poseidonLiteHash(a, b, c, d))
        // the empty subtrees' hashes are made once per hash function
        kycZeroes(counting)
        hashes = 0
        expect(applyKycEventsToLevels(packLevels(tree), [replaced(517, 99n)], counting)).not.toBeTypeOf("string")
        expect(hashes).toBe(KYC_TREE_DEPTH)
        hashes = 0
        // 8 new leaves at 1,000-1,007: 2 parents at height 1 (250, 251), then 1 a level above
        expect(applyKycEventsToLevels(packLevels(tree), [added(1_000, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n])], counting)).not.toBeTypeOf("string")
        expect(hashes).toBe(2 + (KYC_TREE_DEPTH - 1))
        hashes = 0
        // leaves 4 and 7 (one parent) and 900: 2 hashes at each of heights 1 to 4, then 1 a level
        expect(applyKycEventsToLevels(packLevels(tree), [replaced(4, 1n), replaced(7, 2n), replaced(900, 3n)], counting)).not.toBeTypeOf("string")
        expect(hashes).toBe(2 + 2 + 2 + 2 + (KYC_TREE_DEPTH - 4))
    })

    it("say which event does not fit, and change nothing", () => {
        const tree = new KycTree([5n, 6n, 7n])
        const packed = packLevels(tree)
        const before = packed.map((l) => l.slice())
        expect(applyKycEventsToLevels(packed, [replaced(1, 9n), added(4, [8n])])).toMatch(/event 1 adds members at index 4, but the tree has 3 leaves/)
        expect(applyKycEventsToLevels(packed, [removed(3)])).toMatch(/event 0 changes index 3, outside the tree/)
        expect(applyKycEventsToLevels(packed, [added(3, [-1n])])).toMatch(/outside the field/)
        expect(packed).toEqual(before)
    })
})

describe("snapshots against a real local node", () => {
    let chain: TestChain
    let dir: string
    let registry: Contract
    const source = () => ({ provider: chain.provider, chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, deployBlock: chain.deployment.deployBlock })
    const facts = async () => ({ chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, latestBlock: await chain.provider.getBlockNumber(), registry })

    beforeAll(async () => {
        chain = await startTestChain(testPort(8985))
        dir = await mkdtemp(join(tmpdir(), "zkcredit-snapshot-"))
        const admin = await chain.provider.getSigner(0)
        registry = new Contract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, admin)
        await (await registry.getFunction("grantRole")(await registry.getFunction("OFFICER_ROLE")(), admin.address)).wait()
        const tree = new KycTree()
        for (const batch of [[101n, 102n, 103n], [104n, 105n]]) {
            tree.addMembers(batch)
            await (await registry.getFunction("addMembers")(batch, tree.root)).wait()
        }
    })

    afterAll(async () => {
        await chain?.stop()
        await rm(dir, { recursive: true, force: true })
    })

    it("a snapshot of the chain's tree checks out, and the events after its block bring it up to date", async () => {
        const { tree, block } = await treeAtBlock(source())
        await writeSnapshotDir(`${dir}/a`, tree, { chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, block })
        const { manifest, levels } = await readSnapshotDir(`${dir}/a`)
        await expect(checkKycSnapshot(manifest, levels, await facts())).resolves.toBeUndefined()

        const later = unpackLevels(levels)
        later.addMember(106n)
        await (await registry.getFunction("addMembers")([106n], later.root)).wait()
        const resumed = unpackLevels(levels)
        for (const event of await fetchKycEvents(chain.provider, chain.deployment.contracts.trustRegistry, { fromBlock: manifest.block + 1 })) {
            expect(event.kind).toBe("added")
            if (event.kind === "added") resumed.appendLeaves(event.commitments)
        }
        expect(resumed.root).toBe(BigInt(await registry.getFunction("currentRoot")()))
    })

    it("refuses a snapshot whose root is not on chain (a member slipped in), with its levels consistent", async () => {
        const { tree, block } = await treeAtBlock(source())
        tree.addMember(999n)
        const forged = writeKycSnapshot(tree, { chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, block })
        const levels = snapshotLevels(forged.manifest, forged.chunks)
        await expect(checkKycSnapshot(forged.manifest, levels, await facts())).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "snapshot", message: expect.stringContaining("never published") })
    })

    it("refuses one of another registry or chain, from the future, or whose levels do not lead to its root", async () => {
        const { tree, block } = await treeAtBlock(source())
        const meta = { chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, block }
        const good = writeKycSnapshot(tree, meta)
        const levels = snapshotLevels(good.manifest, good.chunks)
        const f = await facts()
        await expect(checkKycSnapshot({ ...good.manifest, kycRegistry: `0x${"22".repeat(20)}` }, levels, f)).rejects.toMatchObject({ parameter: "snapshot" })
        await expect(checkKycSnapshot({ ...good.manifest, chainId: 1 }, levels, f)).rejects.toMatchObject({ parameter: "snapshot" })
        await expect(checkKycSnapshot({ ...good.manifest, block: f.latestBlock + 1 }, levels, f)).rejects.toMatchObject({ parameter: "snapshot" })
        const tampered = levels.map((l) => l.slice())
        tampered[KYC_TREE_DEPTH]![31]! ^= 1
        await expect(checkKycSnapshot(good.manifest, tampered, f)).rejects.toMatchObject({ message: expect.stringContaining("do not lead to its root") })
    })

    it("`zkcredit officer snapshot` writes a folder that checks out", async () => {
        const result = await runJson(["officer", "snapshot", "--out", `${dir}/cli`], { env: chain.env, cwd: chain.dir })
        expect(result).toMatchObject({ size: 6, chunks: 1 })
        const { manifest, levels } = await readSnapshotDir(`${dir}/cli`)
        expect(manifest.root).toBe(String(await registry.getFunction("currentRoot")()))
        await expect(checkKycSnapshot(manifest, levels, await facts())).resolves.toBeUndefined()
    })

    it("a borrower's requests (snapshot, events) are the same whichever leaf is theirs", async () => {
        const { tree, block } = await treeAtBlock(source())
        await writeSnapshotDir(`${dir}/p`, tree, { chainId: chain.deployment.chainId, kycRegistry: chain.deployment.contracts.trustRegistry, block })
        const base = "http://snapshot.test/kyc-snapshot/"
        /** One borrower's session: every request it makes, and its proof. */
        const session = async (commitment: bigint) => {
            const requests: string[] = []
            const fetcher: SnapshotFetch = async (url) => {
                requests.push(`GET ${url}`)
                const bytes = await readFile(join(`${dir}/p`, new URL(url).pathname.replace("/kyc-snapshot/", "")))
                return new Response(bytes, { headers: { "content-type": url.endsWith(".json") ? "application/json" : "application/octet-stream" } })
            }
            const recording = {
                getBlockNumber: () => chain.provider.getBlockNumber(),
                getLogs: (filter: object) => (requests.push(`getLogs ${JSON.stringify(filter)}`), chain.provider.getLogs(filter))
            }
            const snapshot = (await fetchKycSnapshot(base, fetcher))!
            await fetchKycEvents(recording, chain.deployment.contracts.trustRegistry, { fromBlock: snapshot.manifest.block + 1, toBlock: block })
            const proof = packedMerkleProof(snapshot.levels, packedIndexOf(snapshot.levels, commitment))
            return { requests, proof }
        }
        const first = await session(101n)
        const last = await session(106n)
        expect(first.proof.index).toBe(0)
        expect(last.proof.index).toBe(5)
        expect(verifyMerkleProof(first.proof) && verifyMerkleProof(last.proof)).toBe(true)
        expect(first.requests).toEqual(last.requests)
        expect(first.requests.length).toBeGreaterThan(1)
        for (const r of first.requests) expect(r).not.toMatch(/\b(101|106|0x65|0x6a)\b/)
    })
})
