/**
 * The history prover, in a Web Worker: proves to the bureau that the chosen markets' pseudonyms
 * are this identity's, for the bureau's challenge. The secret arrives by postMessage and is not
 * logged; nothing leaves the browser but the proof.
 */
import { generateHistoryProof, HISTORY_PROOF_CIRCUIT } from "$prover/history-proof.ts"
import { Identity } from "$prover/identity.ts"
import { loadProvingFiles } from "./artifacts.ts"
import type { HistoryWorkerRequest, HistoryWorkerResponse } from "./history.ts"

const post = (message: HistoryWorkerResponse) => (self as unknown as Worker).postMessage(message)

self.onmessage = async (event: MessageEvent<HistoryWorkerRequest>) => {
    const { id, secret, scopes, challenge, artifacts } = event.data
    try {
        // verified against the pins in the bundle, kept in memory, else the Cache API, else the network
        const files = await loadProvingFiles(HISTORY_PROOF_CIRCUIT, artifacts)
        const proof = await generateHistoryProof({ identity: new Identity(secret), scopes, challenge }, { wasm: files.wasm, zkey: files.zkey })
        post({ id, type: "done", proof })
    } catch (error) {
        const e = error as { name?: string; code?: string; message?: string }
        post({ id, type: "error", name: e?.name ?? "Error", code: typeof e?.code === "string" ? e.code : undefined, message: e?.message ?? String(error) })
    }
}
