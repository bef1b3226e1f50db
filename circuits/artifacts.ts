/**
 * Where `npm run build:circuits` puts each circuit's artifacts (Node only). Tests, the
 * benchmarks, the CLI, the bureau and `npm start` read them from here.
 */
import { fileURLToPath } from "node:url"
import circuits from "./circuits.json" with { type: "json" }

const root = fileURLToPath(new URL("../", import.meta.url))

/** A circuit of circuits/circuits.json. */
export type CircuitName = keyof typeof circuits

/** Every circuit of circuits/circuits.json, in file order. */
export const CIRCUIT_NAMES = Object.keys(circuits) as CircuitName[]

/** Paths of one circuit's built artifacts. */
export interface CircuitArtifacts {
    /** The build folder (git-ignored). */
    dir: string
    r1cs: string
    sym: string
    /** Witness generator. */
    wasm: string
    /** Proving key after the development phase-2 beacon. INSECURE. */
    zkey: string
    /** Verification key (snarkjs JSON). */
    vkey: string
}

/** The artifacts of a circuit, by its name in circuits.json. */
export function circuitArtifacts(name: CircuitName): CircuitArtifacts {
    const dir = `${root}circuits/build/${name}`
    return { dir, r1cs: `${dir}/${name}.r1cs`, sym: `${dir}/${name}.sym`, wasm: `${dir}/${name}_js/${name}.wasm`, zkey: `${dir}/${name}.zkey`, vkey: `${dir}/verification_key.json` }
}

/** Fingerprint of the sources the last build was made from (all circuits build together). */
export const BUILD_FINGERPRINT = `${root}circuits/build/fingerprint`

/** sha256 of every artifact of every circuit, committed: two builds anywhere must give these bytes. */
export const ARTIFACTS_MANIFEST = `${root}circuits/artifacts.manifest.json`

/** Paths of the built credit-proof artifacts, and the Solidity it generates. */
export const CREDIT_PROOF_ARTIFACTS = {
    ...circuitArtifacts("credit-proof"),
    /** Fingerprint of the sources the build was made from. */
    fingerprint: BUILD_FINGERPRINT,
    /** The generated Solidity verifier (committed; rewritten by every build). */
    solidityVerifier: `${root}contracts/generated/CreditProofVerifier.sol`,
    /** The verification key as a Solidity library (committed; rewritten by every build). */
    solidityVerificationKey: `${root}contracts/generated/CreditVerificationKey.sol`,
    /** Circuit constants for the contracts, from circuits.json (committed; rewritten by every build). */
    solidityConstants: `${root}contracts/generated/CreditCircuit.sol`,
    manifest: ARTIFACTS_MANIFEST
} as const

/** Paths of the built history-proof artifacts (verified off chain by the bureau). */
export const HISTORY_PROOF_ARTIFACTS = circuitArtifacts("history-proof")
