/**
 * Where `npm run build:circuits` puts the credit proof's artifacts (Node only). Tests, the
 * benchmark, the CLI and `npm start` read them from here.
 */
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
const build = `${root}circuits/build/credit-proof`

/** Paths of the built credit-proof artifacts. */
export const CREDIT_PROOF_ARTIFACTS = {
    /** The build folder (git-ignored). */
    dir: build,
    r1cs: `${build}/credit-proof.r1cs`,
    sym: `${build}/credit-proof.sym`,
    /** Witness generator. */
    wasm: `${build}/credit-proof_js/credit-proof.wasm`,
    /** Proving key after the development phase-2 beacon. INSECURE. */
    zkey: `${build}/credit-proof.zkey`,
    /** Verification key (snarkjs JSON). */
    vkey: `${build}/verification_key.json`,
    /** Fingerprint of the sources the build was made from. */
    fingerprint: `${build}/fingerprint`,
    /** The generated Solidity verifier (committed; rewritten by every build). */
    solidityVerifier: `${root}contracts/generated/CreditProofVerifier.sol`,
    /** Circuit constants for the contracts, from circuits.json (committed; rewritten by every build). */
    solidityConstants: `${root}contracts/generated/CreditCircuit.sol`,
    /** sha256 of every artifact, committed: two builds anywhere must give these bytes. */
    manifest: `${root}circuits/artifacts.manifest.json`
} as const
