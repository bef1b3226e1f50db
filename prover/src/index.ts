/**
 * @module zkcredit/prover
 * The borrower's side of zkcredit, for Node and browsers: identities, the KYC group,
 * bureau attestations, the credit proof and its verification.
 */
export { defaultVerificationKey, loadArtifact, loadJsonArtifact, type ArtifactSource, type CreditProofArtifacts } from "./artifacts.ts"
export {
    attestationMessage,
    bureauKeyHash,
    createBureauKey,
    isLowOrderKey,
    parseAttestation,
    signAttestation,
    verifyAttestation,
    type Attestation,
    type AttestationClaims,
    type BureauKey,
    type BureauPublicKey,
    type ParsedAttestation
} from "./attestation.ts"
export { toBorrowCalldata, toVerifierCalldata, type BorrowProofCalldata, type VerifierCalldata } from "./calldata.ts"
export { requireFieldElement, requireUint, toBigInt, type BigNumberish } from "./checks.ts"
export * from "./constants.ts"
export { publicSignalsOf, type CreditProof } from "./credit-proof.ts"
export { isZkCreditError, ZkCreditError, type ZkCreditErrorCode } from "./errors.ts"
export { CreditProver, type CreditProverArtifacts, type CreditProverOptions, type ProofTimings, type WarmUpTimings } from "./credit-prover.ts"
export { generateCreditProof, type GenerateCreditProofOptions, type ProofProgress, type ProofStage } from "./generate-proof.ts"
export { computeMessage, computeScope, messageOf, type BorrowMessage } from "./hash.ts"
export { packContext, unpackContext, type ContextParts } from "./context.ts"
export { BACKUP_FORMAT, Identity, type IdentityBackup } from "./identity.ts"
export { matchesPin, requirePinned, sha256Hex, tampered } from "./integrity.ts"
export { ARTIFACT_PINS, PINNED_FILES, pinsFromManifest, pinsOf, requirePins, type ArtifactKind, type CircuitFiles, type CircuitPins } from "./pins.ts"
export { checkProofVerifies, checkPublicSignals } from "./self-check.ts"
export { buildCreditProofInput, type CreditProofInput, type CreditProofRequest } from "./inputs.ts"
export { buildKycTree, hashSubtree, PARALLEL_BUILD_THRESHOLD, subtreeServer, workerRunner, type BuildKycTreeOptions, type SubtreeRequest, type SubtreeResponse, type SubtreeRunner, type WorkerPort } from "./kyc-build.ts"
export { KycTree, kycZeroes, poseidonLiteHash, verifyMerkleProof, type KycHash, type KycMerkleProof, type KycTreeOptions } from "./kyc-tree.ts"
export { packGroth16Proof, unpackGroth16Proof, type PackedGroth16Proof } from "./pack-proof.ts"
export { requireVerificationKey, verifyCreditProof } from "./verify-proof.ts"
export { publicKeyHash, SIGNATURE_SCHEME, signatureChallenge, signSchnorr, verifySchnorr, type SchnorrSignature, type SignedMessage } from "./signature.ts"
