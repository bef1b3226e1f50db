/**
 * The history proof (circuits/src/history-proof.circom): the borrower proves to the credit
 * bureau that they hold the secret behind their identity commitment and that the listed
 * pseudonyms are theirs in the listed markets, bound to the bureau's one-time challenge. It
 * reveals the commitment (which the bureau already has from the KYC binding) and the chosen
 * pseudonyms, nothing else. Node and browsers.
 */
import { curves, groth16, wtns } from "snarkjs"
import circuits from "../../circuits/circuits.json" with { type: "json" }
import { loadArtifact, loadJsonArtifact, type ArtifactSource, type CreditProofArtifacts } from "./artifacts.ts"
import { requireArray, requireFieldElement, requireObject } from "./checks.ts"
import { ZkCreditError } from "./errors.ts"
import { proveGroth16, readProvingKey } from "./groth16/index.ts"
import { requirePinned } from "./integrity.ts"
import { pinsOf } from "./pins.ts"
import type { Identity } from "./identity.ts"
import { packGroth16Proof, unpackGroth16Proof, type PackedGroth16Proof } from "./pack-proof.ts"

/** Name of the history proof circuit in circuits/circuits.json and circuits/build/. */
export const HISTORY_PROOF_CIRCUIT = "history-proof"

/** How many pseudonyms one history proof carries at most (circuits.json's parameter). */
export const HISTORY_PROOF_SLOTS = Number(circuits["history-proof"].params[0])

/** The scope that marks an unused slot (its pseudonym is then 0). */
export const UNUSED_SCOPE = 0n

/** A history proof: public values by name (decimal strings) and the Groth16 proof as eight words. JSON-safe. */
export interface HistoryProof {
    /** The identity commitment whose secret the prover knows. */
    commitment: string
    /** `Poseidon(secret, scopes[i])`, or "0" for an unused slot; {@link HISTORY_PROOF_SLOTS} entries. */
    pseudonyms: string[]
    /** The markets' scopes, "0" for an unused slot. */
    scopes: string[]
    /** The bureau's challenge the proof is bound to. */
    challenge: string
    points: PackedGroth16Proof
}

/** Options of {@link generateHistoryProof}. */
export interface HistoryProofRequest {
    identity: Identity
    /** Scopes of the markets whose pseudonyms to prove, at most {@link HISTORY_PROOF_SLOTS}; none is 0; no repeats. */
    scopes: readonly (bigint | string)[]
    /** The bureau's challenge (`POST /v1/challenges`). */
    challenge: bigint | string
}

/**
 * The circuit's input for a request, after checking it.
 * @throws ZkCreditError naming the bad parameter.
 */
export function buildHistoryProofInput(request: HistoryProofRequest): { secret: string; scopes: string[]; challenge: string } {
    const r = requireObject(request, "request")
    const identity = r.identity as Identity
    if (typeof identity !== "object" || identity === null || typeof identity.secret !== "bigint") {
        throw new ZkCreditError("INVALID_ARGUMENT", "request.identity must be an Identity", "request.identity")
    }
    const scopes = requireArray(r.scopes, "request.scopes").map((s, i) => requireFieldElement(s, `request.scopes[${i}]`))
    if (scopes.length > HISTORY_PROOF_SLOTS) throw new ZkCreditError("OUT_OF_RANGE", `request.scopes holds at most ${HISTORY_PROOF_SLOTS} markets; make two proofs for more`, "request.scopes")
    scopes.forEach((scope, i) => {
        if (scope === UNUSED_SCOPE) throw new ZkCreditError("OUT_OF_RANGE", `request.scopes[${i}] must not be 0: 0 marks an unused slot`, `request.scopes[${i}]`)
        if (scopes.indexOf(scope) !== i) throw new ZkCreditError("INVALID_ARGUMENT", `request.scopes[${i}] repeats an earlier scope`, `request.scopes[${i}]`)
    })
    const challenge = requireFieldElement(r.challenge, "request.challenge")
    const padded = [...scopes, ...Array<bigint>(HISTORY_PROOF_SLOTS - scopes.length).fill(UNUSED_SCOPE)]
    return { secret: identity.secret.toString(), scopes: padded.map(String), challenge: challenge.toString() }
}

/**
 * Proves that the identity's pseudonyms in `scopes` are its own, for the bureau's challenge.
 * @param request Identity, scopes (may be empty: then it only proves knowledge of the secret) and challenge.
 * @param artifacts The history proof's wasm and zkey (paths, URLs or bytes).
 * @throws ZkCreditError `INVALID_ARGUMENT`/`OUT_OF_RANGE` for a bad request, `ARTIFACT_TAMPERED` for artifacts that are not the pinned build, `ARTIFACT_UNAVAILABLE` for bad artifacts, `PROOF_SELF_CHECK_FAILED` for public signals it did not compute.
 */
export async function generateHistoryProof(request: HistoryProofRequest, artifacts: CreditProofArtifacts): Promise<HistoryProof> {
    const input = buildHistoryProofInput(request)
    if (typeof artifacts !== "object" || artifacts === null) throw new ZkCreditError("INVALID_ARGUMENT", "artifacts must be { wasm, zkey }: paths, URLs or bytes", "artifacts")
    const [wasm, zkey] = await Promise.all([loadArtifact(artifacts.wasm, "artifacts.wasm"), loadArtifact(artifacts.zkey, "artifacts.zkey")])
    // the proof goes to the bureau: a tampered wasm could put the secret into a public signal
    const pins = pinsOf(HISTORY_PROOF_CIRCUIT)
    await requirePinned(wasm, pins.wasm, `${HISTORY_PROOF_CIRCUIT}.wasm`, "artifacts.wasm")
    await requirePinned(zkey, pins.zkey, `${HISTORY_PROOF_CIRCUIT}.zkey`, "artifacts.zkey")
    const witness: { type: "mem"; data?: Uint8Array } = { type: "mem" }
    try {
        await wtns.calculate(input, wasm, witness as unknown as Uint8Array)
    } catch (error) {
        throw unusable("artifacts.wasm", error)
    }
    let result: Awaited<ReturnType<typeof proveGroth16>>
    try {
        const curve = await curves.getCurveFromName("bn128")
        result = await proveGroth16(curve, readProvingKey(curve, zkey), witness.data!)
    } catch (error) {
        throw unusable("artifacts.zkey", error)
    }
    const proof = fromPublicSignals(result.publicSignals.map(String), packGroth16Proof(result.proof))
    selfCheck(proof, request.identity, input)
    return proof
}

/**
 * Every public signal of a fresh history proof against what the prover computes itself, before
 * anything is sent: the commitment, each used slot's pseudonym (0 for an unused one), the scopes
 * and the challenge. A mismatch names the signal, never a value.
 */
function selfCheck(proof: HistoryProof, identity: Identity, input: ReturnType<typeof buildHistoryProofInput>): void {
    const expected: [string, string, string][] = [["commitment", proof.commitment, identity.commitment.toString()]]
    input.scopes.forEach((scope, i) => {
        expected.push([`pseudonyms[${i}]`, proof.pseudonyms[i]!, BigInt(scope) === UNUSED_SCOPE ? "0" : identity.nullifier(scope).toString()])
        expected.push([`scopes[${i}]`, proof.scopes[i]!, scope])
    })
    expected.push(["challenge", proof.challenge, input.challenge])
    for (const [name, actual, wanted] of expected) {
        if (actual !== wanted) throw new ZkCreditError("PROOF_SELF_CHECK_FAILED", `the fresh history proof's ${name} is not what this prover computed: the proving files were tampered with; nothing was sent`, `proof.${name}`)
    }
}

/** The public signals of a history proof in the verifier's order: commitment, pseudonyms, scopes, challenge. */
export function historyPublicSignals(proof: HistoryProof): string[] {
    const p = requireObject(proof, "proof")
    const list = (name: string) => {
        const values = requireArray(p[name], `proof.${name}`, HISTORY_PROOF_SLOTS)
        return values.map((v, i) => requireFieldElement(v, `proof.${name}[${i}]`).toString())
    }
    return [requireFieldElement(p.commitment, "proof.commitment").toString(), ...list("pseudonyms"), ...list("scopes"), requireFieldElement(p.challenge, "proof.challenge").toString()]
}

/**
 * Verifies a history proof.
 * @param proof The proof, as JSON.
 * @param verificationKey The history proof's verification key, or where to load it from.
 * @returns Whether it is valid for its public values.
 * @throws ZkCreditError for a malformed proof (naming the field) or an unusable key.
 */
export async function verifyHistoryProof(proof: HistoryProof, verificationKey: ArtifactSource | object): Promise<boolean> {
    const signals = historyPublicSignals(proof)
    const snarkProof = unpackGroth16Proof(requireObject(proof, "proof").points as string[])
    const vkey = await loadJsonArtifact<{ nPublic?: unknown }>(verificationKey, "verificationKey")
    if (typeof vkey !== "object" || vkey === null || vkey.nPublic !== signals.length) {
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `verificationKey must be the history proof's (${signals.length} public signals)`, "verificationKey")
    }
    try {
        return await groth16.verify(vkey, signals, snarkProof)
    } catch (error) {
        throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `verificationKey could not be used (${error instanceof Error ? error.name : typeof error})`, "verificationKey")
    }
}

function fromPublicSignals(signals: string[], points: PackedGroth16Proof): HistoryProof {
    const k = HISTORY_PROOF_SLOTS
    return { commitment: signals[0]!, pseudonyms: signals.slice(1, 1 + k), scopes: signals.slice(1 + k, 1 + 2 * k), challenge: signals[1 + 2 * k]!, points }
}

/** Only the cause's name: a witness error could quote the secret. */
function unusable(name: string, cause: unknown): ZkCreditError {
    return new ZkCreditError("ARTIFACT_UNAVAILABLE", `${name} is not a usable history-proof artifact (${cause instanceof Error ? cause.name : typeof cause}); rebuild it with \`npm run build:circuits\``, name)
}
