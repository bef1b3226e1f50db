import { network } from "hardhat"
import { beforeAll, describe, expect, it } from "vitest"
import { PUBLIC_SIGNALS, SNARK_SCALAR_FIELD, toVerifierCalldata, type CreditProof } from "../../prover/src/index.ts"
import { defaultProof } from "../helpers/fixtures.ts"

const { ethers } = await network.create()

describe("CreditProofVerifier (generated)", () => {
    let verifier: Awaited<ReturnType<typeof ethers.deployContract>>
    let proof: CreditProof

    beforeAll(async () => {
        verifier = await ethers.deployContract("CreditProofVerifier")
        proof = await defaultProof()
    })

    describe("# verifyProof", () => {
        it("accepts a real proof from the prover", async () => {
            const { pA, pB, pC, pubSignals } = toVerifierCalldata(proof)
            expect(await verifier.getFunction("verifyProof")(pA, pB, pC, pubSignals)).toBe(true)
        })

        for (const [index, name] of PUBLIC_SIGNALS.entries()) {
            it(`rejects the proof with ${name} changed`, async () => {
                const { pA, pB, pC, pubSignals } = toVerifierCalldata(proof)
                pubSignals[index] = (pubSignals[index] as bigint) + 1n
                expect(await verifier.getFunction("verifyProof")(pA, pB, pC, pubSignals)).toBe(false)
            })
        }

        it("rejects a public signal at or above the field size (no aliasing of x and x + p)", async () => {
            const { pA, pB, pC, pubSignals } = toVerifierCalldata(proof)
            pubSignals[6] = (pubSignals[6] as bigint) + SNARK_SCALAR_FIELD
            expect(await verifier.getFunction("verifyProof")(pA, pB, pC, pubSignals)).toBe(false)
        })

        it("rejects a proof with a point changed", async () => {
            const { pA, pB, pC, pubSignals } = toVerifierCalldata(proof)
            pC[0] = pC[0] + 1n
            expect(await verifier.getFunction("verifyProof")(pA, pB, pC, pubSignals)).toBe(false)
        })
    })
})
