/**
 * The warm prover: what one proof loads, hashes and compiles, the next one reuses. Two real
 * proofs in one prover; the warm state is observed through the loader's calls and the
 * WebAssembly compilations, not through time.
 */
import { readFileSync } from "node:fs"
import { afterAll, describe, expect, it, vi } from "vitest"
import { curves } from "snarkjs"
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { CreditProver, verifyCreditProof, ZkCreditError, type CreditProofArtifacts, type ProofStage } from "../../prover/src/index.ts"
import { proverWorld } from "../helpers/fixtures.ts"

const files = (): CreditProofArtifacts => ({ wasm: readFileSync(CREDIT_PROOF_ARTIFACTS.wasm), zkey: readFileSync(CREDIT_PROOF_ARTIFACTS.zkey) })

describe("# CreditProver", () => {
    const compile = vi.spyOn(WebAssembly, "compile")
    afterAll(() => compile.mockRestore())

    it("proves twice with one artifact load and one compilation: the second proof reuses the bytes, the witness generator and the curve", async () => {
        const loader = vi.fn(async () => files())
        const prover = new CreditProver(loader)
        const { request } = proverWorld()

        compile.mockClear()
        const first = await prover.prove(request)
        expect(loader).toHaveBeenCalledTimes(1)
        expect(compile.mock.calls.length).toBeGreaterThanOrEqual(1) // the witness generator (and the curve, if new)
        expect(prover.warmUpTimings).toMatchObject({ loadMs: expect.any(Number), hashMs: expect.any(Number), compileMs: expect.any(Number), curveMs: expect.any(Number) })
        const curve = await curves.getCurveFromName("bn128")

        compile.mockClear()
        const stages: ProofStage[] = []
        const second = await prover.prove({ ...request, message: BigInt(request.message) + 1n }, { onProgress: ({ stage }) => stages.push(stage) })
        expect(loader).toHaveBeenCalledTimes(1)
        expect(prover.artifactLoads).toBe(1)
        expect(compile).not.toHaveBeenCalled()
        expect(await curves.getCurveFromName("bn128")).toBe(curve)
        expect(stages).toEqual(["checking-inputs", "loading-artifacts", "computing-witness", "proving", "done"])

        // two fresh proofs, each valid for its own request
        expect(second.message).toBe((BigInt(request.message) + 1n).toString())
        expect(second.points).not.toEqual(first.points)
        expect(await verifyCreditProof(first, CREDIT_PROOF_ARTIFACTS.vkey)).toBe(true)
        expect(await verifyCreditProof(second, CREDIT_PROOF_ARTIFACTS.vkey)).toBe(true)
    }, 120_000)

    it("a failed warm-up is reported by the next proof without loading again; the proof after it loads again", async () => {
        const unavailable = new ZkCreditError("ARTIFACT_UNAVAILABLE", "the proving files could not be downloaded", "artifacts.zkey")
        const loader = vi.fn(async (): Promise<CreditProofArtifacts> => {
            throw unavailable
        })
        const prover = new CreditProver(loader)
        await expect(prover.warmUp()).rejects.toBe(unavailable)
        await expect(prover.prove(proverWorld().request)).rejects.toBe(unavailable)
        expect(loader).toHaveBeenCalledTimes(1)
        await expect(prover.prove(proverWorld().request)).rejects.toBe(unavailable)
        expect(loader).toHaveBeenCalledTimes(2)
    })

    it("checks its arguments up front, and a request that would fail before any load", async () => {
        expect(() => new CreditProver(null as never)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "artifacts" }))
        expect(() => new CreditProver(files(), { pins: { wasm: "00" } as never })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "options.pins.wasm" }))
        const loader = vi.fn(async () => files())
        const prover = new CreditProver(loader)
        await expect(prover.prove(proverWorld({ score: 600 }).request)).rejects.toMatchObject({ code: "SCORE_BELOW_THRESHOLD" })
        await expect(prover.prove(proverWorld().request, { onProgress: 1 as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "options.onProgress" })
        expect(loader).not.toHaveBeenCalled()
    })
})
