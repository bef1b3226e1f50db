import { groth16, wtns } from "snarkjs"
import { loadArtifact, type CreditProofArtifacts } from "./artifacts.ts"
import { optionalObject } from "./checks.ts"
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
    const { onProgress } = optionalObject(options, "options")
    if (onProgress !== undefined && typeof onProgress !== "function") {
        throw new ZkCreditError("INVALID_ARGUMENT", "options.onProgress must be a function ({ stage, elapsedMs }) => void", "options.onProgress")
    }
    const report = (stage: ProofStage) => (onProgress as GenerateCreditProofOptions["onProgress"])?.({ stage, elapsedMs: Date.now() - started })

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
    try {
        await wtns.calculate(input, wasm, witness)
    } catch (error) {
        // the inputs were checked above, so this is the artifact: corrupt, truncated or another circuit's
        throw corrupt("artifacts.wasm", error)
    }

    report("proving")
    let result: Awaited<ReturnType<typeof groth16.prove>>
    try {
        result = await groth16.prove(zkey, witness)
    } catch (error) {
        throw corrupt("artifacts.zkey", error)
    }
    const { proof, publicSignals } = result

    report("done")
    const named = Object.fromEntries(PUBLIC_SIGNALS.map((name, i) => [name, String(publicSignals[i])]))
    return { ...(named as Omit<CreditProof, "points">), points: packGroth16Proof(proof) }
}

/**
 * An artifact that loaded but could not be used. Only the cause's name goes into the message: a
 * witness error could quote input signals, and the secret is one of them.
 */
function corrupt(name: string, cause: unknown): ZkCreditError {
    const detail = cause instanceof Error ? cause.name : typeof cause
    return new ZkCreditError("ARTIFACT_UNAVAILABLE", `${name} is not a usable credit-proof artifact (corrupt, truncated or of another circuit: ${detail}); rebuild it with \`npm run build:circuits\` or download it again`, name)
}
