import { groth16, wtns } from "snarkjs"
import { loadArtifact, type CreditProofArtifacts } from "./artifacts.ts"
import { PUBLIC_SIGNALS } from "./constants.ts"
import type { CreditProof } from "./credit-proof.ts"
import { ZkCreditError } from "./errors.ts"
import { buildCreditProofInput, type CreditProofRequest } from "./inputs.ts"
import { packGroth16Proof } from "./pack-proof.ts"

/** A stage of proof generation, reported in order. */
export type ProofStage = "checking-inputs" | "loading-artifacts" | "computing-witness" | "proving" | "done"

/** A progress report: the stage just entered and the time since the start. */
export interface ProofProgress {
    stage: ProofStage
    /** Milliseconds since `generateCreditProof` was called. */
    elapsedMs: number
}

/** Options of {@link generateCreditProof}. */
export interface GenerateCreditProofOptions {
    /** Called as each stage starts. */
    onProgress?: (progress: ProofProgress) => void
}

/**
 * Generates a credit proof: the borrower's score meets `threshold` under a bureau attestation,
 * and the borrower is in the KYC set, revealing neither.
 *
 * All inputs are checked before any work (see {@link buildCreditProofInput}): a request that
 * would fail throws a typed {@link ZkCreditError} instead of starting a proof.
 *
 * @param request The identity, attestation, membership and public values.
 * @param artifacts The wasm and zkey, as paths (Node), URLs or bytes.
 * @param options Progress callback.
 */
export async function generateCreditProof(request: CreditProofRequest, artifacts: CreditProofArtifacts, options: GenerateCreditProofOptions = {}): Promise<CreditProof> {
    const started = Date.now()
    const report = (stage: ProofStage) => options.onProgress?.({ stage, elapsedMs: Date.now() - started })

    report("checking-inputs")
    const input = buildCreditProofInput(request)
    if (typeof artifacts !== "object" || artifacts === null) {
        throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey }: paths, URLs or bytes", "artifacts")
    }

    report("loading-artifacts")
    const [wasm, zkey] = await Promise.all([loadArtifact(artifacts.wasm, "artifacts.wasm"), loadArtifact(artifacts.zkey, "artifacts.zkey")])

    report("computing-witness")
    // an in-memory witness: nothing secret touches the disk
    const witness = { type: "mem" } as unknown as Uint8Array
    await wtns.calculate(input, wasm, witness)

    report("proving")
    const { proof, publicSignals } = await groth16.prove(zkey, witness)

    report("done")
    const named = Object.fromEntries(PUBLIC_SIGNALS.map((name, i) => [name, String(publicSignals[i])]))
    return { ...(named as Omit<CreditProof, "points">), points: packGroth16Proof(proof) }
}
