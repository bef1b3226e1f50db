/**
 * The prover, in a Web Worker so the page stays responsive. It receives the identity secret by
 * postMessage (same origin, in this browser), checks every input first (a removed member or a
 * low score is refused before any work), loads the artifacts (kept in memory, else from the
 * Cache API, else the network; each checked against its pinned sha256) and proves. The prover
 * checks the fresh proof's public signals and verifies it before it is posted back. Nothing
 * leaves the browser; the secret is not logged.
 */
import { buildCreditProofInput, CREDIT_PROOF_CIRCUIT, generateCreditProof, Identity, type CreditProofRequest } from "$prover/index.ts"
import { loadProvingFiles } from "./artifacts.ts"
import type { ProverRequest, ProverResponse } from "./prove.ts"

const post = (message: ProverResponse) => (self as unknown as Worker).postMessage(message)

self.onmessage = async (event: MessageEvent<ProverRequest>) => {
    const { id, secret, request, artifacts } = event.data
    const started = performance.now()
    const stage = (name: "checking-inputs" | "loading-artifacts" | "computing-witness" | "proving", bytes?: { bytesLoaded: number; bytesTotal: number }) =>
        post({ id, type: "stage", stage: name, elapsedMs: performance.now() - started, ...bytes })
    try {
        const full = { ...request, identity: new Identity(secret) } as CreditProofRequest
        stage("checking-inputs")
        buildCreditProofInput(full)
        stage("loading-artifacts")
        const files = await loadProvingFiles(CREDIT_PROOF_CIRCUIT, artifacts, (bytes) => stage("loading-artifacts", bytes))
        const artifactsMs = performance.now() - started
        const proof = await generateCreditProof(full, { wasm: files.wasm, zkey: files.zkey, vkey: files.vkey }, {
            onProgress: (p) => {
                if (p.stage === "computing-witness" || p.stage === "proving") stage(p.stage)
            }
        })
        post({ id, type: "done", proof, artifactsFrom: files.origin, artifactsTransfer: files.transfer, artifactsMs, totalMs: performance.now() - started })
    } catch (error) {
        const e = error as { name?: string; code?: string; message?: string }
        post({ id, type: "error", name: e?.name ?? "Error", code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(error) })
    }
}
