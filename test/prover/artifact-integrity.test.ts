import { createHash, webcrypto } from "node:crypto"
import { readFileSync } from "node:fs"
import { JsonRpcProvider } from "ethers"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { CREDIT_PROOF_ARTIFACTS as A } from "../../circuits/artifacts.ts"
import manifest from "../../circuits/artifacts.manifest.json" with { type: "json" }
import {
    ARTIFACT_PINS,
    generateCreditProof,
    pinsFromManifest,
    pinsOf,
    sha256Hex,
    toBorrowCalldata,
    type CircuitPins,
    type ZkCreditError
} from "../../prover/src/index.ts"
import { artifacts, proverWorld } from "../helpers/fixtures.ts"
import { buildLeakyWasm, removeLeakyWasm } from "./leaky-circuit.ts"

const read = (path: string) => new Uint8Array(readFileSync(path))
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")
const flipped = (bytes: Uint8Array, at: number) => {
    const copy = bytes.slice()
    copy[at]! ^= 1
    return copy
}
const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable("the proof was returned"), (error: ZkCreditError) => error)

describe("# artifact pins (from circuits/artifacts.manifest.json)", () => {
    it("pins the wasm, zkey and verification key of the credit proof, as the manifest says", () => {
        const files = manifest.files as Record<string, string>
        expect(pinsOf("credit-proof")).toEqual({
            wasm: files["circuits/build/credit-proof/credit-proof_js/credit-proof.wasm"],
            zkey: files["circuits/build/credit-proof/credit-proof.zkey"],
            vkey: files["circuits/build/credit-proof/verification_key.json"]
        })
        // and the build on disk is the pinned one
        expect(sha(read(A.wasm))).toBe(ARTIFACT_PINS["credit-proof"]!.wasm)
        expect(sha(read(A.zkey))).toBe(ARTIFACT_PINS["credit-proof"]!.zkey)
        expect(sha(read(A.vkey))).toBe(ARTIFACT_PINS["credit-proof"]!.vkey)
    })

    it("pins any circuit the manifest lists, flat or grouped, without code changes", () => {
        const h = (c: string) => c.repeat(64)
        const flat = {
            files: {
                ...manifest.files,
                "circuits/build/history-proof/history-proof_js/history-proof.wasm": h("a"),
                "circuits/build/history-proof/history-proof.zkey": h("b"),
                "circuits/build/history-proof/verification_key.json": h("c"),
                "contracts/generated/HistoryProofVerifier.sol": h("d")
            }
        }
        const grouped = { circuits: { "history-proof": { files: { "circuits/build/history-proof/history-proof_js/history-proof.wasm": h("a"), "circuits/build/history-proof/history-proof.zkey": h("b"), "circuits/build/history-proof/verification_key.json": h("c") } } } }
        for (const m of [flat, grouped]) {
            expect(pinsFromManifest(m)["history-proof"]?.pins).toEqual({ wasm: h("a"), zkey: h("b"), vkey: h("c") })
            expect(pinsFromManifest(m)["history-proof"]?.files.vkey).toBe("circuits/build/history-proof/verification_key.json")
        }
        // a circuit without all three files is not half-pinned
        expect(pinsFromManifest({ files: { "circuits/build/x/x.zkey": h("a") } })).toEqual({})
        expect(() => pinsOf("nope")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", parameter: "circuit" }))
    })

    it("hashes with node:crypto, the same digest as WebCrypto", async () => {
        const bytes = read(A.vkey)
        const web = Buffer.from(await webcrypto.subtle.digest("SHA-256", bytes)).toString("hex")
        expect(await sha256Hex(bytes)).toBe(web)
        expect(web).toBe(sha(bytes))
    })
})

describe("# generateCreditProof refuses bytes that are not the pinned build", () => {
    it("one flipped byte of the wasm, the zkey or the verification key: ARTIFACT_TAMPERED naming the file, both hashes and the fix; no witness computed", async () => {
        const cases = [
            ["wasm", "artifacts.wasm", "credit-proof.wasm", A.wasm],
            ["zkey", "artifacts.zkey", "credit-proof.zkey", A.zkey],
            ["vkey", "artifacts.vkey", "verification_key.json", A.vkey]
        ] as const
        for (const [kind, parameter, file, path] of cases) {
            const bytes = flipped(read(path), 100)
            const stages: string[] = []
            const error = await failure(generateCreditProof(proverWorld().request, { ...artifacts, [kind]: bytes }, { onProgress: (p) => stages.push(p.stage) }))
            expect(error, kind).toMatchObject({ name: "ZkCreditError", code: "ARTIFACT_TAMPERED", parameter })
            expect(error.message).toContain(file)
            expect(error.message).toContain(ARTIFACT_PINS["credit-proof"]![kind])
            expect(error.message).toContain(sha(bytes))
            expect(error.message).toMatch(/download it again|rebuild/i)
            expect(stages, kind).toEqual(["checking-inputs", "loading-artifacts"])
        }
    })

    it("checks caller-given pins up front", async () => {
        await expect(generateCreditProof(proverWorld().request, artifacts, { pins: { wasm: "ab", zkey: "", vkey: "" } as never })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "options.pins.wasm" })
    })
})

describe("# a wasm built to leak the secret into a public signal", () => {
    let leaky: string
    const fetchSpy = vi.spyOn(globalThis, "fetch")
    let provider: JsonRpcProvider
    let rpcCalls: ReturnType<typeof vi.spyOn>

    beforeAll(() => {
        leaky = buildLeakyWasm()
    }, 180_000)

    afterEach(() => {
        provider?.destroy()
    })

    afterAll(removeLeakyWasm)

    /** The borrow path of the CLI and the app: prove, then send the calldata to the chain. */
    async function proveAndBorrow(wasm: string, pins?: CircuitPins) {
        provider = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true })
        rpcCalls = vi.spyOn(provider, "_send")
        fetchSpy.mockClear()
        const proof = await generateCreditProof(proverWorld().request, { ...artifacts, wasm }, pins ? { pins } : {})
        await provider.send("eth_sendTransaction", [{ data: JSON.stringify(toBorrowCalldata(proof)) }])
    }

    it("really leaks: the leaky witness puts the secret where the nullifier goes", async () => {
        const { wtns } = await import("snarkjs")
        const { buildCreditProofInput } = await import("../../prover/src/inputs.ts")
        const witness = { type: "mem" } as unknown as Uint8Array
        await wtns.calculate(buildCreditProofInput(proverWorld().request), read(leaky) as never, witness)
        const values = (await wtns.exportJson(witness as never)) as bigint[]
        expect(values[1]).toBe(proverWorld().identity.secret) // wire 1 is the first output, the nullifier
    }, 60_000)

    it("with the real pins: refused as ARTIFACT_TAMPERED before any witness, nothing sent", async () => {
        const error = await failure(proveAndBorrow(leaky))
        expect(error).toMatchObject({ code: "ARTIFACT_TAMPERED", parameter: "artifacts.wasm" })
        expect(rpcCalls).not.toHaveBeenCalled()
        expect(fetchSpy).not.toHaveBeenCalled()
    })

    // the pin check is bypassed for this test only, by pinning the leaky wasm's own hash: it
    // stands for a tampered file that got past the pin (a poisoned build), so the self-check
    // is the layer under test
    it("with the pin bypassed: the self-check refuses the leaked nullifier, never quoting it, nothing sent", async () => {
        const pins = { ...pinsOf("credit-proof"), wasm: sha(read(leaky)) }
        const error = await failure(proveAndBorrow(leaky, pins))
        expect(error).toMatchObject({ name: "ZkCreditError", code: "PROOF_SELF_CHECK_FAILED", parameter: "proof.nullifier" })
        const secret = proverWorld().identity.secret.toString()
        expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(secret)
        expect(error.message).toMatch(/nullifier/)
        expect(rpcCalls).not.toHaveBeenCalled()
        expect(fetchSpy).not.toHaveBeenCalled()
    }, 60_000)

    it("with the pin bypassed: a wasm whose escrow ciphertext is the KYC leaf in the clear is refused (proof.ciphertext), nothing sent", async () => {
        const clear = buildLeakyWasm("ciphertext")
        const { wtns } = await import("snarkjs")
        const { buildCreditProofInput } = await import("../../prover/src/inputs.ts")
        const witness = { type: "mem" } as unknown as Uint8Array
        await wtns.calculate(buildCreditProofInput(proverWorld().request), read(clear) as never, witness)
        const values = (await wtns.exportJson(witness as never)) as bigint[]
        expect(values[3]).toBe(proverWorld().identity.commitment) // wire 3 is the third output, the ciphertext: it really leaks
        const error = await failure(proveAndBorrow(clear, { ...pinsOf("credit-proof"), wasm: sha(read(clear)) }))
        expect(error).toMatchObject({ name: "ZkCreditError", code: "PROOF_SELF_CHECK_FAILED", parameter: "proof.ciphertext" })
        expect(error.message).not.toContain(proverWorld().identity.commitment.toString())
        expect(rpcCalls).not.toHaveBeenCalled()
        expect(fetchSpy).not.toHaveBeenCalled()
    }, 180_000)

    it("a verification key that is not the zkey's: the proof does not verify under it and is refused", async () => {
        const vkey = JSON.parse(readFileSync(A.vkey, "utf8")) as { IC: unknown[] }
        ;[vkey.IC[1], vkey.IC[2]] = [vkey.IC[2], vkey.IC[1]]
        const bytes = new TextEncoder().encode(JSON.stringify(vkey))
        const error = await failure(generateCreditProof(proverWorld().request, { ...artifacts, vkey: bytes }, { pins: { ...pinsOf("credit-proof"), vkey: sha(bytes) } }))
        expect(error).toMatchObject({ code: "PROOF_SELF_CHECK_FAILED", parameter: "proof" })
        expect(error.message).toMatch(/does not verify/)
    }, 60_000)
})
