/**
 * Fixtures shared by the prover, contract and CLI tests: a KYC group with a borrower in it, a
 * bureau key, a valid attestation and helpers to make real proofs from the built circuit.
 */
import { CREDIT_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import {
    computeMessage,
    computeScope,
    createBureauKey,
    generateCreditProof,
    Identity,
    KycTree,
    signAttestation,
    type Attestation,
    type BureauKey,
    type CreditProof,
    type CreditProofRequest
} from "../../prover/src/index.ts"
import { multiplyGenerator, type Point } from "../../prover/src/escrow/index.ts"

/** The built artifacts, as file paths. */
export const artifacts = { wasm: CREDIT_PROOF_ARTIFACTS.wasm, zkey: CREDIT_PROOF_ARTIFACTS.zkey }

/** A fixed "now" for tests that do not run on a chain (unix seconds). */
export const NOW = 1_800_000_000

/** A fixed bureau key, so failures reproduce. */
export const BUREAU_PRIVATE_KEY = "0x0101010101010101010101010101010101010101010101010101010101010101"

/**
 * The escrow committee secret of the test worlds, whole. Tests only: the platform's committee
 * key comes from a dealerless DKG and nobody holds its secret (test/helpers/committee.ts runs one).
 */
export const COMMITTEE_SECRET = 0x5ec12e7n

/** The test worlds' escrow committee key, `COMMITTEE_SECRET·B8`. */
export const COMMITTEE_KEY: Point = multiplyGenerator(COMMITTEE_SECRET)

/** Market and borrower values of a typical borrow. */
export const BORROW = {
    chainId: 31337n,
    market: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    borrower: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    offerId: 0n,
    tier: 1n,
    principal: 1_000_000_000n
}

/** A world with one borrower: identity in a KYC group of four, attested score 720. */
export interface ProverWorld {
    identity: Identity
    other: Identity
    group: KycTree
    bureau: BureauKey
    attestation: Attestation
    request: CreditProofRequest
}

/**
 * Builds a {@link ProverWorld}.
 * @param overrides Score and validity of the attestation.
 */
export function proverWorld(overrides: { score?: number; issuedAt?: number; expiresAt?: number; now?: number } = {}): ProverWorld {
    const now = overrides.now ?? NOW
    const identity = new Identity(123456789n)
    const other = new Identity(987654321n)
    const group = new KycTree([11n, 22n, identity.commitment, other.commitment])
    const bureau = createBureauKey(BUREAU_PRIVATE_KEY)
    const attestation = signAttestation(
        { commitment: identity.commitment, score: overrides.score ?? 720, issuedAt: overrides.issuedAt ?? now - 3600, expiresAt: overrides.expiresAt ?? now + 30 * 86400 },
        bureau.privateKey
    )
    const request: CreditProofRequest = {
        identity,
        attestation,
        membership: group,
        threshold: 700,
        currentTime: now,
        scope: computeScope(BORROW.chainId, BORROW.market),
        message: computeMessage(BORROW),
        committeeKey: COMMITTEE_KEY
    }
    return { identity, other, group, bureau, attestation, request }
}

let cached: Promise<CreditProof> | undefined

/** One real proof of the default world, made once per test file. */
export function defaultProof(): Promise<CreditProof> {
    cached ??= generateCreditProof(proverWorld().request, artifacts)
    return cached
}
