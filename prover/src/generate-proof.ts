import { groth16, wtns } from "snarkjs"
import { defaultVerificationKey, loadArtifact, type CreditProofArtifacts } from "./artifacts.ts"
import { optionalObject } from "./checks.ts"
import { CREDIT_PROOF_CIRCUIT, PUBLIC_SIGNALS } from "./constants.ts"
import type { CreditProof } from "./credit-proof.ts"
import { ZkCreditError } from "./errors.ts"
import { buildCreditProofInput, type CreditProofRequest } from "./inputs.ts"
import { requirePinned } from "./integrity.ts"
import { packGroth16Proof } from "./pack-proof.ts"
import { pinsOf, requirePins, type CircuitPins } from "./pins.ts"
import { checkProofVerifies, checkPublicSignals } from "./self-check.ts"
import { requireVerificationKey } from "./verify-proof.ts"

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
    /**
     * The sha256 the artifacts must hash to. Default: the credit proof's pins from the
     * committed `circuits/artifacts.manifest.json`, built into the library. Pass others only
     * for a build of your own, from a source you trust as much as this code.
     */
    pins?: CircuitPins
}

/**
 * Generates a credit proof: the borrower's score meets `threshold` under a bureau attestation,
 * and the borrower is in the KYC set, revealing neither.
 *
 * All inputs are checked before any work (see {@link buildCreditProofInput}): a request that
 * would fail throws a typed {@link ZkCreditError} instead of starting a proof. Nothing it is
 * served is trusted: the wasm, zkey and verification key must hash to their pins, and the fresh
 * proof is returned only when every public signal is the value computed here from the request
 * (the nullifier from the secret and scope, then the public inputs in circuits.json's order) and
 * the proof verifies under the pinned verification key.
 *
 * @param request The identity, attestation, membership and public values.
 * @param artifacts The wasm, zkey and (optional in Node) verification key, as paths (Node), URLs or bytes.
 * @param options Progress callback; pins of another build.
 * @throws ZkCreditError `ARTIFACT_TAMPERED` for bytes that are not the pinned build,
 *   `PROOF_SELF_CHECK_FAILED` for a proof that fails the self-check, `ARTIFACT_UNAVAILABLE` for
 *   files that cannot be loaded or used, and the input codes of {@link buildCreditProofInput}.
 */
export async function generateCreditProof(request: CreditProofRequest, artifacts: CreditProofArtifacts, options: GenerateCreditProofOptions = {}): Promise<CreditProof> {
    const started = Date.now()
    const { onProgress, pins: givenPins } = optionalObject(options, "options")
    if (onProgress !== undefined && typeof onProgress !== "function") {
        throw new ZkCreditError("INVALID_ARGUMENT", "options.onProgress must be a function ({ stage, elapsedMs }) => void", "options.onProgress")
    }
    const report = (stage: ProofStage) => (onProgress as GenerateCreditProofOptions["onProgress"])?.({ stage, elapsedMs: Date.now() - started })

    report("checking-inputs")
    const input = buildCreditProofInput(request)
    if (typeof artifacts !== "object" || artifacts === null) {
        throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey, vkey? }: paths, URLs or bytes", "artifacts")
    }
    const pins = givenPins === undefined ? pinsOf(CREDIT_PROOF_CIRCUIT) : requirePins(givenPins, "options.pins")
    const vkeySource = artifacts.vkey ?? defaultVerificationKey(CREDIT_PROOF_CIRCUIT)

    report("loading-artifacts")
    const [wasm, zkey, vkeyBytes] = await Promise.all([
        loadArtifact(artifacts.wasm, "artifacts.wasm"),
        loadArtifact(artifacts.zkey, "artifacts.zkey"),
        loadArtifact(vkeySource, "artifacts.vkey")
    ])
    await requirePinned(wasm, pins.wasm, `${CREDIT_PROOF_CIRCUIT}.wasm`, "artifacts.wasm")
    await requirePinned(zkey, pins.zkey, `${CREDIT_PROOF_CIRCUIT}.zkey`, "artifacts.zkey")
    await requirePinned(vkeyBytes, pins.vkey, `${CREDIT_PROOF_CIRCUIT} verification_key.json`, "artifacts.vkey")
    const vkey = parseVerificationKey(vkeyBytes)

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
    // before the proof leaves this function: the signals are ours, and the proof verifies
    checkPublicSignals(publicSignals, { nullifier: request.identity.nullifier(input.scope as string) }, input)
    await checkProofVerifies(vkey, publicSignals.map(String), proof)

    report("done")
    const named = Object.fromEntries(PUBLIC_SIGNALS.map((name, i) => [name, String(publicSignals[i])]))
    return { ...(named as Omit<CreditProof, "points">), points: packGroth16Proof(proof) }
}

function parseVerificationKey(bytes: Uint8Array): object {
    let parsed: unknown
    try {
        parsed = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", "artifacts.vkey is not valid JSON: pass the credit proof's verification_key.json", "artifacts.vkey")
    }
    return requireVerificationKey(parsed)
}

/**
 * An artifact that loaded but could not be used. Only the cause's name goes into the message: a
 * witness error could quote input signals, and the secret is one of them.
 */
function corrupt(name: string, cause: unknown): ZkCreditError {
    const detail = cause instanceof Error ? cause.name : typeof cause
    return new ZkCreditError("ARTIFACT_UNAVAILABLE", `${name} is not a usable credit-proof artifact (corrupt, truncated or of another circuit: ${detail}); rebuild it with \`npm run build:circuits\` or download it again`, name)
}
