/**
 * The Semaphore input builder of the prover bench (bench/lib/semaphore.ts) makes a witness that
 * Semaphore's own circuit accepts, with the outputs the bench checks every proof against: the
 * group's root and the nullifier. Compiles Semaphore(20) from @semaphore-protocol/circuits (a
 * few seconds); the trusted setup stays in the bench.
 */
import { Group } from "@semaphore-protocol/group"
import { Identity } from "@semaphore-protocol/identity"
import { Circomkit, type WitnessTester } from "circomkit"
import { beforeAll, describe, expect, it } from "vitest"
import { SEMAPHORE_DEPTH, semaphoreBenchCase, semaphoreInput } from "../../bench/lib/semaphore.ts"
import { circomkit as projectCircomkit } from "../circuits/utils.ts"

let circuit: WitnessTester<["secret", "merkleProofLength", "merkleProofIndex", "merkleProofSiblings", "message", "scope"], ["merkleRoot", "nullifier"]>

beforeAll(async () => {
    const { config } = projectCircomkit
    const circomkit = new Circomkit({ ...config, include: [...config.include, "node_modules/@zk-kit/binary-merkle-root.circom/src"], verbose: false, logLevel: "silent" })
    // the generated main lands in circuits/src/test/, which includes the package's file by a relative path
    circuit = await circomkit.WitnessTester("bench-semaphore", { file: "../../node_modules/@semaphore-protocol/circuits/src/semaphore", template: "Semaphore", params: [SEMAPHORE_DEPTH], pubs: ["message", "scope"], recompile: true })
}, 120_000)

describe("Semaphore bench input", () => {
    it("is accepted by Semaphore's circuit, which outputs the group's root and the expected nullifier", async () => {
        const reference = semaphoreBenchCase()
        const [root, nullifier] = reference.expectedPublicSignals.map(BigInt)
        await circuit.expectPass(reference.input, { merkleRoot: root!, nullifier: nullifier! })
    })

    it("gives another root for a member that is not in the group, so the bench's root check can fail", async () => {
        const member = new Identity("member")
        const stranger = new Identity("stranger")
        const group = new Group([1n, member.commitment, 3n])
        const forged = { ...semaphoreInput(member, group, 1n, 2n).input, secret: stranger.secretScalar }
        const outputs = await circuit.compute(forged, ["merkleRoot"])
        expect(outputs.merkleRoot).not.toBe(group.root)
    })

    it("refuses an identity that is not a member of the group", () => {
        expect(() => semaphoreInput(new Identity("a"), new Group([1n, 2n]), 1n, 2n)).toThrow(/not a member of group/)
    })
})
