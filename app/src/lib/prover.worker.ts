/**
 * The prover, in a Web Worker so the page stays responsive. It keeps one warm `CreditProver` for
 * its life: the artifacts are loaded (from the Cache API, else the network; each checked against
 * its pinned sha256) and the witness generator and curve built once, either on a "warm" message
 * (the borrower page sends one early) or on the first proof. A proof request receives the identity
 * secret by postMessage (same origin, in this browser); its inputs are checked once, before any
 * work waits on the artifacts. The prover checks the fresh proof's public signals and verifies it
 * before it is posted back. Nothing leaves the browser; the secret is not logged.
 */
import { CREDIT_PROOF_CIRCUIT, CreditProver, Identity, type CreditProofRequest } from "$prover/index.ts"
import { loadProvingFiles, type ArtifactOrigin, type DownloadProgress, type TransferSizes } from "./artifacts.ts"
import type { ProverMessage, ProverResponse } from "./prove.ts"

const post = (message: ProverResponse) => (self as unknown as Worker).postMessage(message)

/** Where this worker's artifacts came from, for the first proof that uses them. */
interface Loaded {
    origin: ArtifactOrigin
    transfer: TransferSizes
    hashMs: number
}

let prover: CreditProver | undefined
let loaded: Loaded | undefined
/** The proof (if any) that the artifacts' download progress is reported to, and the progress so far. */
let onDownload: ((progress: DownloadProgress) => void) | undefined
let downloaded: DownloadProgress | undefined

function proverFor(urls: { wasm: string; zkey: string }): CreditProver {
    prover ??= new CreditProver(async () => {
        const files = await loadProvingFiles(CREDIT_PROOF_CIRCUIT, urls, (bytes) => {
            downloaded = bytes
            onDownload?.(bytes)
        })
        loaded = { origin: files.origin, transfer: files.transfer, hashMs: files.hashMs }
        return { wasm: files.wasm, zkey: files.zkey, vkey: files.vkey }
    })
    return prover
}

self.onmessage = async (event: MessageEvent<ProverMessage>) => {
    const message = event.data
    if (message.type === "warm") {
        // a failed warm-up is retried, and reported, by the proof that needs it
        proverFor(message.artifacts).warmUp().catch(() => {})
        return
    }
    const { id, secret, request, artifacts } = message
    const started = performance.now()
    const stage = (name: "checking-inputs" | "loading-artifacts" | "computing-witness" | "proving", bytes?: DownloadProgress) =>
        post({ id, type: "stage", stage: name, elapsedMs: performance.now() - started, ...bytes })
    let artifactsMs = 0
    try {
        const full = { ...request, identity: new Identity(secret) } as CreditProofRequest
        const warm = proverFor(artifacts)
        const proof = await warm.prove(full, {
            onProgress: (p) => {
                if (p.stage === "done") return
                if (p.stage === "computing-witness") artifactsMs = performance.now() - started
                stage(p.stage)
                if (p.stage !== "loading-artifacts") return
                onDownload = (bytes) => stage("loading-artifacts", bytes)
                // a download the warm-up began before this proof: its progress so far
                if (downloaded && (loaded || warm.warmUpTimings === undefined)) onDownload(downloaded)
            }
        })
        // the first proof after the load reports where the files came from; later ones reuse them
        const from = loaded
        loaded = undefined
        post({
            id,
            type: "done",
            proof,
            artifactsFrom: from?.origin ?? "memory",
            artifactsTransfer: from?.transfer ?? { transferSize: 0, encodedBodySize: 0, decodedBodySize: 0 },
            artifactsMs,
            totalMs: performance.now() - started,
            timings: warm.lastProofTimings!,
            ...(from ? { warmUp: { ...warm.warmUpTimings!, pinHashMs: from.hashMs } } : {})
        })
    } catch (error) {
        const e = error as { name?: string; code?: string; message?: string }
        post({ id, type: "error", name: e?.name ?? "Error", code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(error) })
    } finally {
        onDownload = undefined
    }
}
