/**
 * The officer's level-by-level KYC tree (cli/lib/level-tree.ts) gives exactly the prover's
 * KycGroup roots and Merkle proofs, for builds, batch appends, removals and replacements; and
 * the members-file parser accepts CSV and JSON and names every bad row. No chain needed.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LevelTree } from "../../cli/lib/level-tree.ts"
import { parseMembersFile } from "../../cli/lib/members-file.ts"
import { KycGroup, verifyMerkleProof } from "../../prover/src/kyc-group.ts"

describe("LevelTree", () => {
    it("an empty tree has KycGroup's empty root", () => {
        expect(LevelTree.fromLeaves([]).root).toBe(new KycGroup().root)
    })

    it("matches KycGroup after any sequence of batch appends, removals and replacements", () => {
        let next = 1n
        const op = fc.oneof(
            fc.record({ kind: fc.constant("add" as const), count: fc.integer({ min: 1, max: 9 }) }),
            fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
            fc.record({ kind: fc.constant("replace" as const), at: fc.nat() })
        )
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 6 }), fc.array(op, { maxLength: 8 }), (initial, ops) => {
                const start = Array.from({ length: initial }, () => next++)
                const group = new KycGroup(start)
                const tree = LevelTree.fromLeaves(start)
                expect(tree.root).toBe(group.root)
                for (const o of ops) {
                    if (o.kind === "add") {
                        const batch = Array.from({ length: o.count }, () => next++)
                        group.addMembers(batch)
                        expect(tree.append(batch)).toBe(group.root)
                    } else {
                        const members = group.leaves.map((l, i) => (l === 0n ? -1 : i)).filter((i) => i >= 0)
                        if (members.length === 0) continue
                        const index = members[o.at % members.length]!
                        if (o.kind === "remove") {
                            group.removeMember(index)
                            expect(tree.update(index, 0n)).toBe(group.root)
                        } else {
                            const c = next++
                            group.updateMember(index, c)
                            expect(tree.update(index, c)).toBe(group.root)
                        }
                    }
                    expect(tree.leaves).toEqual(group.leaves)
                }
                const members = group.leaves.map((l, i) => (l === 0n ? -1 : i)).filter((i) => i >= 0)
                for (const index of members.slice(0, 3)) {
                    const proof = tree.merkleProof(index)
                    expect(proof).toEqual(group.generateMerkleProof(index))
                    expect(verifyMerkleProof(proof)).toBe(true)
                }
            }),
            { numRuns: 40 }
        )
    })

    it("a large build and batch appends agree with KycGroup built in one go", () => {
        const leaves = Array.from({ length: 3000 }, (_, i) => BigInt(i + 1))
        const tree = LevelTree.fromLeaves(leaves.slice(0, 1000))
        for (let i = 1000; i < 3000; i += 250) tree.append(leaves.slice(i, i + 250))
        expect(tree.root).toBe(new KycGroup(leaves).root)
    })
})

describe("members files", () => {
    it("reads CSV with or without a header, skipping comments and blank lines", () => {
        expect(parseMembersFile("1\n0x2\n\n# comment\n3\n", "m.csv").map((r) => r.commitment)).toEqual([1n, 2n, 3n])
        expect(parseMembersFile("name,commitment\nann,10\nbob,11\n", "m.csv").map((r) => [r.commitment, r.where])).toEqual([
            [10n, "line 2"],
            [11n, "line 3"]
        ])
    })

    it("reads JSON arrays of values or objects, and { commitments }", () => {
        expect(parseMembersFile('["1", 2, "0x3"]', "m.json").map((r) => r.commitment)).toEqual([1n, 2n, 3n])
        expect(parseMembersFile('[{"commitment":"5"}]', "m.json").map((r) => r.commitment)).toEqual([5n])
        expect(parseMembersFile('{"commitments":["6"]}', "m.json").map((r) => r.commitment)).toEqual([6n])
    })

    it("names every bad row and refuses the whole file", () => {
        const bad = () => parseMembersFile("commitment\n1\n0\n-4\n1\nxyz\n", "m.csv")
        expect(bad).toThrow(/4 bad row\(s\) in m\.csv/)
        expect(bad).toThrow(/line 3 must not be 0/)
        expect(bad).toThrow(/line 4 .*"-4"/)
        expect(bad).toThrow(/line 5: repeats the commitment of line 2/)
        expect(bad).toThrow(/line 6 .*"xyz"/)
        expect(() => parseMembersFile("name,email\nann,a@b\n", "m.csv")).toThrow(/needs a "commitment" column/)
        expect(() => parseMembersFile("", "m.csv")).toThrow(/holds no commitments/)
        expect(() => parseMembersFile("[1,", "m.json")).toThrow(/not valid JSON/)
    })
})
