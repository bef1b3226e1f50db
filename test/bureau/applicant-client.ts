/**
 * What an applicant's app does against the bureau, for the tests and the benchmark: fetch a
 * challenge, make a real history proof for it, and POST `{ binding, proof }`.
 */
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { generateHistoryProof, type HistoryProof } from "../../prover/src/history-proof.ts"
import type { Identity } from "../../prover/src/identity.ts"
import type { KycBinding } from "../../bureau/src/binding.ts"

/** The history proof's artifacts as paths. */
export const HISTORY_ARTIFACTS = { wasm: HISTORY_PROOF_ARTIFACTS.wasm, zkey: HISTORY_PROOF_ARTIFACTS.zkey }

/** A JSON POST; returns the status and the parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
    return { status: response.status, body: await response.json() }
}

/** A history proof of `identity`'s pseudonyms in `scopes`, for a fresh challenge of the bureau at `base`. */
export async function provenRequest(base: string, identity: Identity, scopes: readonly bigint[] = []): Promise<HistoryProof> {
    const { body } = await post(`${base}/v1/challenges`, {})
    return generateHistoryProof({ identity, scopes, challenge: body.challenge as string }, HISTORY_ARTIFACTS)
}

/** POSTs `{ binding, proof }` (plus `extra`) to a bureau route. */
export function asApplicant(base: string, route: string, binding: KycBinding, proof: HistoryProof, extra: Record<string, unknown> = {}) {
    return post(`${base}${route}`, { binding, proof, ...extra })
}
