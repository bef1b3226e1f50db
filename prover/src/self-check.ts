/**
 * The prover's check of its own output, run after proving and before the proof is returned to
 * anyone: every public signal must be the value the prover computed itself from the request,
 * and the proof must verify under the pinned verification key. A tampered witness generator
 * could otherwise put the identity secret into a public signal, and a tampered proving key could
 * break zero knowledge; the borrow transaction would carry either to the RPC.
 */
import { groth16 } from "snarkjs"
import { PUBLIC_SIGNALS } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import type { CreditProofInput } from "./inputs.ts"

/**
 * Checks the public signals of a fresh proof, in the order of `circuits/circuits.json`, against
 * the ones the prover computed: the circuit's outputs from `outputs`, its public inputs from the
 * input it built. Errors name the signal only: a mismatched value could be the secret.
 *
 * @param publicSignals What the witness generator produced.
 * @param outputs The circuit outputs, computed by the prover (the nullifier).
 * @param input The circuit input the prover built from the request.
 * @throws ZkCreditError `PROOF_SELF_CHECK_FAILED` with `parameter` `proof.<signal>`.
 */
export function checkPublicSignals(publicSignals: readonly unknown[], outputs: Record<string, bigint>, input: CreditProofInput): void {
    if (!Array.isArray(publicSignals) || publicSignals.length !== PUBLIC_SIGNALS.length) {
        throw selfCheckFailed(`the witness generator returned ${Array.isArray(publicSignals) ? publicSignals.length : 0} public signals, the circuit has ${PUBLIC_SIGNALS.length}`, "proof")
    }
    PUBLIC_SIGNALS.forEach((name, i) => {
        const expected = name in outputs ? outputs[name]!.toString() : input[name]
        // a signal the prover cannot compute is refused: it could carry anything
        if (typeof expected !== "string") throw selfCheckFailed(`the prover has no expected value for the public signal ${name}: add it to the self-check`, `proof.${name}`)
        if (String(publicSignals[i]) !== expected) throw selfCheckFailed(`public signal ${i} (${name}) is not the value the prover computed from the request`, `proof.${name}`)
    })
}

/**
 * Verifies a fresh proof under the pinned verification key.
 * @throws ZkCreditError `PROOF_SELF_CHECK_FAILED` when it does not verify.
 */
export async function checkProofVerifies(verificationKey: object, publicSignals: string[], proof: object): Promise<void> {
    let valid = false
    try {
        valid = await groth16.verify(verificationKey, publicSignals, proof as never)
    } catch {
        valid = false
    }
    if (!valid) throw selfCheckFailed("the proof does not verify under the pinned verification key", "proof")
}

function selfCheckFailed(what: string, parameter: string): ZkCreditError {
    return new ZkCreditError(
        "PROOF_SELF_CHECK_FAILED",
        `the fresh proof was refused before anything was sent: ${what}. The proving files or the prover code were tampered with; reload the app or reinstall the CLI from a source you trust`,
        parameter
    )
}
