import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import {
    generateCreditProof,
    CREDIT_PROOF_VALUES,
    publicSignalsOf,
    unpackGroth16Proof,
    verifyCreditProof,
    type CreditProof,
    type ProofStage
} from "../../prover/src/index.ts"
import { artifacts, defaultProof, proverWorld } from "../helpers/fixtures.ts"

const snarkjsCli = join(process.cwd(), "node_modules/snarkjs/cli.js")

/** Verifies with the plain snarkjs CLI; true when it says OK. */
function snarkjsVerify(proof: CreditProof): boolean {
    const dir = mkdtempSync(join(tmpdir(), "zkcredit-verify-"))
    writeFileSync(join(dir, "proof.json"), JSON.stringify(unpackGroth16Proof(proof.points)))
    writeFileSync(join(dir, "public.json"), JSON.stringify(publicSignalsOf(proof)))
    try {
        const out = execFileSync(process.execPath, [snarkjsCli, "groth16", "verify", CREDIT_PROOF_ARTIFACTS.vkey, join(dir, "public.json"), join(dir, "proof.json")], { encoding: "utf8" })
        return out.includes("OK!")
    } catch {
        return false
    }
}

describe("# generateCreditProof", () => {
    let proof: CreditProof

    beforeAll(async () => {
        proof = await defaultProof()
    })

    it("makes a proof whose public signals are the request's, and the nullifier of the identity in the scope", () => {
        const { request, identity, group } = proverWorld()
        expect(proof.nullifier).toBe(identity.nullifier(request.scope).toString())
        expect(proof.kycRoot).toBe(group.root.toString())
        expect(proof.threshold).toBe("700")
        expect(proof.currentTime).toBe(String(request.currentTime))
        expect(proof.scope).toBe(String(request.scope))
        expect(proof.message).toBe(String(request.message))
        expect(proof.points).toHaveLength(8)
    })

    it("is flat and JSON-safe, and reveals neither score nor identity", () => {
        const { identity, attestation } = proverWorld()
        const json = JSON.stringify(proof)
        expect(JSON.parse(json)).toEqual(proof)
        expect(Object.keys(proof).sort()).toEqual([...CREDIT_PROOF_VALUES, "points"].sort())
        expect(json).not.toContain(identity.secret.toString())
        expect(json).not.toContain(identity.commitment.toString())
        expect(json).not.toContain(attestation.signature.S)
    })

    it("verifies with verifyCreditProof (path, object) and fails with any public signal changed", async () => {
        expect(await verifyCreditProof(proof, CREDIT_PROOF_ARTIFACTS.vkey)).toBe(true)
        const vkey = JSON.parse(readFileSync(CREDIT_PROOF_ARTIFACTS.vkey, "utf8"))
        for (const name of CREDIT_PROOF_VALUES) {
            const changed = { ...proof, [name]: (BigInt(proof[name]) + 1n).toString() }
            expect(await verifyCreditProof(changed, vkey), name).toBe(false)
        }
    })

    it("verifies with the plain snarkjs CLI and the exported verification key; any changed signal fails", () => {
        expect(snarkjsVerify(proof)).toBe(true)
        for (const name of CREDIT_PROOF_VALUES) {
            expect(snarkjsVerify({ ...proof, [name]: (BigInt(proof[name]) + 1n).toString() }), name).toBe(false)
        }
    })

    it("takes artifacts as bytes and file URLs, and reports every stage in order", async () => {
        const stages: ProofStage[] = []
        const bytes = { wasm: new Uint8Array(readFileSync(artifacts.wasm)), zkey: pathToFileURL(artifacts.zkey) }
        const again = await generateCreditProof(proverWorld().request, bytes, { onProgress: ({ stage }) => stages.push(stage) })
        expect(stages).toEqual(["checking-inputs", "loading-artifacts", "computing-witness", "proving", "done"])
        expect(again.nullifier).toBe(proof.nullifier)
        expect(await verifyCreditProof(again, CREDIT_PROOF_ARTIFACTS.vkey)).toBe(true)
    })

    it("never starts a proof that would fail: a bad request stops at checking-inputs", async () => {
        const stages: ProofStage[] = []
        const { request } = proverWorld({ score: 600 })
        await expect(generateCreditProof(request, artifacts, { onProgress: ({ stage }) => stages.push(stage) })).rejects.toMatchObject({ code: "SCORE_BELOW_THRESHOLD" })
        expect(stages).toEqual(["checking-inputs"])
    })

    it("ARTIFACT_UNAVAILABLE for a missing artifact, naming which", async () => {
        await expect(generateCreditProof(proverWorld().request, { ...artifacts, zkey: "/nonexistent/credit-proof.zkey" })).rejects.toMatchObject({ code: "ARTIFACT_UNAVAILABLE", parameter: "artifacts.zkey" })
        await expect(generateCreditProof(proverWorld().request, null as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "artifacts" })
        await expect(verifyCreditProof(proof, "/nonexistent/vkey.json")).rejects.toMatchObject({ code: "ARTIFACT_UNAVAILABLE", parameter: "verificationKey" })
    })
})

describe("# verifyCreditProof", () => {
    it("refuses malformed proofs with a typed error", async () => {
        const proof = await defaultProof()
        await expect(verifyCreditProof({ ...proof, points: proof.points.slice(0, 7) } as never, CREDIT_PROOF_ARTIFACTS.vkey)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "points" })
        await expect(verifyCreditProof({ ...proof, scope: "x" }, CREDIT_PROOF_ARTIFACTS.vkey)).rejects.toMatchObject({ parameter: "proof.scope" })
    })
})
