/**
 * A credit prover that stays warm between proofs. The first proof (or {@link CreditProver.warmUp},
 * called early) pays once for what snarkjs's `fullProve` pays on every call: the artifacts are
 * loaded and hashed against their pins, the witness generator is compiled and instantiated, and
 * snarkjs's BN254 curve (its WebAssembly and thread pool, a process-wide singleton) is built,
 * and the zkey is read into a proving key (`readProvingKey`). Later proofs only check their
 * inputs, compute the witness, prove (`proveGroth16`) and self-check.
 */
/// <reference path="./circom-runtime.d.ts" />
/// <reference path="../../types/snarkjs-extra.d.ts" />
import { WitnessCalculatorBuilder, type WitnessCalculator } from "circom_runtime"
import { curves } from "snarkjs"
import { defaultVerificationKey, loadArtifact, type CreditProofArtifacts } from "./artifacts.ts"
import { optionalObject } from "./checks.ts"
import { CREDIT_PROOF_CIRCUIT } from "./constants.ts"
import { provenValuesOf, type CreditProof } from "./credit-proof.ts"
import { ZkCreditError } from "./errors.ts"
import { encryptCommitment } from "./escrow/encrypt.ts"
import { proveGroth16, readProvingKey, type Bn128Curve, type ProvingKey } from "./groth16/index.ts"
import { buildCreditProofInput, type CreditProofInput, type CreditProofRequest } from "./inputs.ts"
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
    /** Milliseconds since the proof was asked for. */
    elapsedMs: number
}

/** Where the artifacts come from: sources, or a function that gives them (called once per warm-up). */
export type CreditProverArtifacts = CreditProofArtifacts | (() => Promise<CreditProofArtifacts>)

/** Options of a {@link CreditProver}. */
export interface CreditProverOptions {
    /**
     * The sha256 the artifacts must hash to. Default: the credit proof's pins from the committed
     * `circuits/artifacts.manifest.json`, built into the library. Pass others only for a build of
     * your own, from a source you trust as much as this code.
     */
    pins?: CircuitPins
}

/** What the one-time warm-up cost, in milliseconds. */
export interface WarmUpTimings {
    /** Reading or downloading the three artifacts (what the loader took, when one is given). */
    loadMs: number
    /** Hashing them against their pins (0 for bytes already verified, see `requirePinned`). */
    hashMs: number
    /** Compiling and instantiating the witness generator. */
    compileMs: number
    /** Building snarkjs's curve and its thread pool (0 when already built in this process). */
    curveMs: number
}

/** What one proof cost, in milliseconds. */
export interface ProofTimings {
    /** Checking the request and building the circuit input. */
    inputsMs: number
    /** Waiting for the warm-up (0 when it was done before). */
    warmUpMs: number
    witnessMs: number
    proveMs: number
    /** The public-signal check and the verification under the pinned key. */
    selfCheckMs: number
    totalMs: number
}

interface Warm {
    witness: WitnessCalculator
    /** Read from the zkey once, on the curve below. */
    provingKey: ProvingKey
    curve: Bn128Curve
    vkey: object
}

const now = () => performance.now()

/**
 * Proves credit proofs with warm state: one instance per worker or process, kept for its life.
 * Nothing it is served is trusted: the wasm, zkey and verification key must hash to their pins
 * (checked once, when loaded), and every fresh proof is returned only when each public signal is
 * the value computed here from the request and the proof verifies under the pinned key. Proofs
 * run one at a time (they share one witness generator).
 *
 * @example
 * const prover = new CreditProver({ wasm: "credit-proof.wasm", zkey: "credit-proof.zkey" })
 * void prover.warmUp() // optional: load and compile while the KYC tree syncs
 * const proof = await prover.prove(request)
 */
export class CreditProver {
    readonly #artifacts: CreditProverArtifacts
    readonly #pins: CircuitPins
    #warm: Promise<Warm> | undefined
    #queue: Promise<unknown> = Promise.resolve()
    #loads = 0
    #warmUpTimings: WarmUpTimings | undefined
    #lastProof: ProofTimings | undefined

    /**
     * Loads nothing yet: see {@link warmUp}.
     * @param artifacts The wasm, zkey and (optional in Node) verification key as paths (Node),
     *   URLs or bytes, or a function giving them (called once per warm-up, e.g. a cached download).
     * @param options Pins of another build.
     * @throws ZkCreditError `INVALID_ARGUMENT` for artifacts that are not sources or a function, or malformed pins.
     */
    constructor(artifacts: CreditProverArtifacts, options: CreditProverOptions = {}) {
        if (typeof artifacts !== "function" && (typeof artifacts !== "object" || artifacts === null)) {
            throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey, vkey? }: paths, URLs or bytes (or a function that gives them)", "artifacts")
        }
        const { pins } = optionalObject(options, "options")
        this.#pins = pins === undefined ? pinsOf(CREDIT_PROOF_CIRCUIT) : requirePins(pins, "options.pins")
        this.#artifacts = artifacts
    }

    /** How many times the artifacts were loaded: 1 after any number of proofs, unless a load failed. */
    get artifactLoads(): number {
        return this.#loads
    }

    /** What the warm-up cost, once it is done. */
    get warmUpTimings(): WarmUpTimings | undefined {
        return this.#warmUpTimings
    }

    /** What the last successful proof cost. */
    get lastProofTimings(): ProofTimings | undefined {
        return this.#lastProof
    }

    /**
     * Loads and checks the artifacts, compiles the witness generator and builds the curve, once;
     * later calls return the same promise. A failed warm-up is kept until a proof reports it (so
     * bytes refused once are not fetched again for that proof); the proof after it retries.
     * @throws ZkCreditError `ARTIFACT_TAMPERED` for bytes that are not the pinned build,
     *   `ARTIFACT_UNAVAILABLE` for files that cannot be loaded or used.
     */
    async warmUp(): Promise<void> {
        await this.#ready()
    }

    /**
     * Generates a credit proof: the borrower's score meets `threshold` under a bureau attestation,
     * and the borrower is in the KYC set, revealing neither. All inputs are checked before any work
     * (see {@link buildCreditProofInput}): a request that would fail throws its typed error at
     * "checking-inputs", before any artifact is loaded.
     *
     * @param request The identity, attestation, membership and public values.
     * @param options Called as each stage starts.
     * @throws ZkCreditError the input codes of {@link buildCreditProofInput}, those of
     *   {@link warmUp}, and `PROOF_SELF_CHECK_FAILED` for a proof that fails the self-check.
     */
    async prove(request: CreditProofRequest, options: { onProgress?: (progress: ProofProgress) => void } = {}): Promise<CreditProof> {
        const { onProgress } = optionalObject(options, "options")
        if (onProgress !== undefined && typeof onProgress !== "function") {
            throw new ZkCreditError("INVALID_ARGUMENT", "options.onProgress must be a function ({ stage, elapsedMs }) => void", "options.onProgress")
        }
        const started = now()
        const report = (stage: ProofStage) => (onProgress as ((progress: ProofProgress) => void) | undefined)?.({ stage, elapsedMs: now() - started })
        report("checking-inputs")
        const input = buildCreditProofInput(request)
        const inputsMs = now() - started
        const run = () => this.#proveInput(request, input, report, started, inputsMs)
        const result = this.#queue.then(run, run)
        this.#queue = result.catch(() => undefined)
        return result
    }

    /**
     * Ends snarkjs's curve thread pool, which keeps a Node process alive (the curve is shared by
     * every snarkjs call in the process; the next proof builds it again). The artifacts stay.
     */
    async release(): Promise<void> {
        const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
        await holder.curve_bn128?.terminate()
    }

    #ready(): Promise<Warm> {
        if (!this.#warm) {
            this.#warm = this.#load()
            this.#warm.catch(() => {}) // reported by the proof that awaits it
        }
        return this.#warm
    }

    async #load(): Promise<Warm> {
        this.#loads++
        let at = now()
        const given = typeof this.#artifacts === "function" ? await this.#artifacts() : this.#artifacts
        if (typeof given !== "object" || given === null) {
            throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey, vkey? }: paths, URLs or bytes", "artifacts")
        }
        // the curve's WebAssembly and threads start while the files load
        const curve = timed(() => curves.getCurveFromName("bn128"))
        curve.catch(() => {}) // awaited below; a load that fails first must not leave it unhandled
        const [wasm, zkey, vkeyBytes] = await Promise.all([
            loadArtifact(given.wasm, "artifacts.wasm"),
            loadArtifact(given.zkey, "artifacts.zkey"),
            loadArtifact(given.vkey ?? defaultVerificationKey(CREDIT_PROOF_CIRCUIT), "artifacts.vkey")
        ])
        const loadMs = now() - at
        at = now()
        await requirePinned(wasm, this.#pins.wasm, `${CREDIT_PROOF_CIRCUIT}.wasm`, "artifacts.wasm")
        await requirePinned(zkey, this.#pins.zkey, `${CREDIT_PROOF_CIRCUIT}.zkey`, "artifacts.zkey")
        await requirePinned(vkeyBytes, this.#pins.vkey, `${CREDIT_PROOF_CIRCUIT} verification_key.json`, "artifacts.vkey")
        const hashMs = now() - at
        const vkey = parseVerificationKey(vkeyBytes)
        at = now()
        let witness: WitnessCalculator
        try {
            witness = await WitnessCalculatorBuilder(wasm)
        } catch (error) {
            throw corrupt("artifacts.wasm", error)
        }
        const compileMs = now() - at
        const { value: bn128, ms: curveMs } = await curve
        let provingKey: ProvingKey
        try {
            provingKey = readProvingKey(bn128, zkey)
        } catch (error) {
            throw corrupt("artifacts.zkey", error)
        }
        this.#warmUpTimings = { loadMs, hashMs, compileMs, curveMs }
        return { witness, provingKey, curve: bn128, vkey }
    }

    async #proveInput(request: CreditProofRequest, input: CreditProofInput, report: (stage: ProofStage) => void, started: number, inputsMs: number): Promise<CreditProof> {
        report("loading-artifacts")
        let at = now()
        const ready = this.#ready()
        let warm: Warm
        try {
            warm = await ready
        } catch (error) {
            // reported here, once: the next proof loads again
            if (this.#warm === ready) this.#warm = undefined
            throw error
        }
        const warmUpMs = now() - at

        report("computing-witness")
        at = now()
        let witness: Uint8Array
        try {
            // in memory: nothing secret touches the disk
            witness = await warm.witness.calculateWTNSBin(input as unknown as Record<string, unknown>)
        } catch (error) {
            // the inputs were checked above, so this is the artifact: corrupt, truncated or another circuit's
            throw corrupt("artifacts.wasm", error)
        }
        const witnessMs = now() - at

        report("proving")
        at = now()
        let result: Awaited<ReturnType<typeof proveGroth16>>
        try {
            result = await proveGroth16(warm.curve, warm.provingKey, witness)
        } catch (error) {
            throw corrupt("artifacts.zkey", error)
        }
        const proveMs = now() - at
        const { proof, publicSignals } = result

        // before the proof leaves this function: the signals are ours, and the proof verifies
        at = now()
        checkPublicSignals(publicSignals, expectedOutputs(request, input), input)
        await checkProofVerifies(warm.vkey, publicSignals.map(String), proof)
        const selfCheckMs = now() - at

        this.#lastProof = { inputsMs, warmUpMs, witnessMs, proveMs, selfCheckMs, totalMs: now() - started }
        report("done")
        return { ...provenValuesOf(publicSignals.map(String)), points: packGroth16Proof(proof) }
    }
}

/**
 * The circuit outputs the prover computes itself, for the self-check (see `checkPublicSignals`):
 * the nullifier, and the escrow recomputed with `encryptCommitment` from the same r and key, so a
 * tampered witness generator cannot put anything else (the secret, r, another commitment) there.
 */
function expectedOutputs(request: CreditProofRequest, input: CreditProofInput): Record<string, bigint> {
    const { escrow } = encryptCommitment(request.identity.commitment, [input.committeeKeyX as string, input.committeeKeyY as string], {
        ephemeralSecret: input.ephemeralSecret as string
    })
    return { nullifier: request.identity.nullifier(input.scope as string), ephemeralKeyY: escrow.ephemeralKeyY, ciphertext: escrow.ciphertext }
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const at = now()
    const value = await run()
    return { value, ms: now() - at }
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
