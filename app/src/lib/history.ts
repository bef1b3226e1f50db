/**
 * Proving who you are to the bureau from the browser: a fresh challenge from the bureau, then a
 * history proof in a worker for the chosen markets' scopes (none: only the knowledge of the
 * secret behind the bound commitment), then `{ binding, proof }` to a bureau route.
 */
import type { KycBinding } from "$bureau/binding.ts"
import type { HistoryProof } from "$prover/history-proof.ts"
import { app } from "./app.svelte.ts"
import { bureauCall } from "./bureau.ts"
import { AppError } from "./errors.ts"
import HistoryWorker from "./history.worker.ts?worker"

/** What the history worker gets. */
export interface HistoryWorkerRequest {
    id: number
    secret: bigint
    scopes: bigint[]
    challenge: string
    artifacts: { wasm: string; zkey: string }
}

/** What it answers. */
export type HistoryWorkerResponse = { id: number; type: "done"; proof: HistoryProof } | { id: number; type: "error"; name: string; code: string | undefined; message: string }

let worker: Worker | undefined
let nextId = 1

/** The history proof's artifacts, beside the credit proof's. */
function artifacts(): { wasm: string; zkey: string } {
    const credit = app.config?.artifacts
    if (!credit) throw new AppError("error.noConfig")
    const base = new URL(credit.wasm, location.href)
    return { wasm: new URL("history-proof.wasm", base).href, zkey: new URL("history-proof.zkey", base).href }
}

/** Proves the identity's pseudonyms in `scopes` for a fresh bureau challenge. */
export async function proveToBureau(secret: bigint, scopes: bigint[]): Promise<HistoryProof> {
    const { challenge } = await bureauCall<{ challenge: string }>("/v1/challenges", {})
    worker ??= new HistoryWorker()
    const w = worker
    const id = nextId++
    return new Promise((resolve, reject) => {
        const onMessage = (event: MessageEvent<HistoryWorkerResponse>) => {
            if (event.data.id !== id) return
            w.removeEventListener("message", onMessage)
            if (event.data.type === "done") resolve(event.data.proof)
            else reject(Object.assign(new Error(event.data.message), { name: event.data.name, code: event.data.code }))
        }
        w.addEventListener("message", onMessage)
        w.postMessage({ id, secret, scopes, challenge, artifacts: artifacts() } satisfies HistoryWorkerRequest)
    })
}

/** POSTs `{ binding, proof, ...extra }` to a bureau route. */
export function asApplicant<T>(route: string, binding: KycBinding, proof: HistoryProof, extra: Record<string, unknown> = {}): Promise<T> {
    return bureauCall<T>(route, { binding, proof, ...extra })
}
