import { bureauKeyHash, parseAttestation, verifyAttestation, type Attestation, type BureauPublicKey } from "./attestation.ts"
import { requireArray, requireFieldElement, requireObject, requireUint, type BigNumberish } from "./checks.ts"
import { KYC_TREE_ARITY, KYC_TREE_CAPACITY, KYC_TREE_DEPTH, MESSAGE_BITS, SCORE_BITS, TIME_BITS } from "./constants.ts"
import { packContext } from "./context.ts"
import { ZkCreditError } from "./errors.ts"
import { encryptCommitment } from "./escrow/encrypt.ts"
import { Identity } from "./identity.ts"
import { KycTree, verifyMerkleProof, type KycMerkleProof } from "./kyc-tree.ts"

/** Everything a borrower needs to prove creditworthiness and KYC membership. */
export interface CreditProofRequest {
    /** The borrower's identity (its secret stays on the device). */
    identity: Identity
    /** The bureau-signed attestation of the borrower's score. */
    attestation: Attestation
    /** The KYC group, or a Merkle proof of the borrower's leaf (e.g. rebuilt from chain events). */
    membership: KycTree | KycMerkleProof
    /** The lender's minimum score for the tier. */
    threshold: BigNumberish
    /** Unix seconds the proof claims to be made at; the contract accepts it near block time. */
    currentTime: BigNumberish
    /** The market's scope, `computeScope(chainId, market)`. */
    scope: BigNumberish
    /** The borrow message, `computeMessage(...)`: below 2^MESSAGE_BITS. */
    message: BigNumberish
    /**
     * The escrow committee's public key `[x, y]`, as registered in the TrustRegistry
     * (`committeeKeyOf(y).x` and y) and active at `currentTime`: the proof encrypts the identity
     * commitment under it, and the verifier refuses any key that is not active there.
     */
    committeeKey: readonly [BigNumberish, BigNumberish]
    /** The bureau key the verifier will accept; when given, an attestation by any other key is refused up front. */
    bureauPublicKey?: BureauPublicKey
    /** The root the verifier will accept; when given, a Merkle proof under any other root is refused up front. */
    kycRoot?: BigNumberish
}

/** The circuit's input signals, as decimal strings. */
export type CreditProofInput = Record<string, string | string[] | string[][]>

/**
 * Checks a proof request and turns it into the circuit's input signals. No I/O, no proving.
 * Every condition the circuit enforces is checked here first, so a proof that would fail is
 * never started; the error names the problem. Not deterministic: each call draws a fresh
 * ephemeral secret for the identity escrow from the platform's cryptographic randomness
 * (1 <= r < 2^250), so two proofs of one person carry unlinkable escrows.
 *
 * @throws ZkCreditError with code `NOT_A_MEMBER`, `SCORE_BELOW_THRESHOLD`, `ATTESTATION_EXPIRED`,
 *   `ATTESTATION_NOT_YET_VALID`, `INVALID_SIGNATURE`, `WRONG_BUREAU_KEY`,
 *   `ATTESTATION_IDENTITY_MISMATCH`, `INVALID_POINT` (a committee key off the curve, of small
 *   order or outside the prime-order subgroup), `OUT_OF_RANGE`, `NOT_A_FIELD_ELEMENT` or
 *   `INVALID_ARGUMENT`.
 */
export function buildCreditProofInput(request: CreditProofRequest): CreditProofInput {
    const r = requireObject(request, "request") as unknown as CreditProofRequest
    if (!(r.identity instanceof Identity)) {
        throw new ZkCreditError("INVALID_ARGUMENT", "identity must be an Identity (new Identity() or Identity.importBackup())", "identity")
    }
    const threshold = requireUint(r.threshold, "threshold", SCORE_BITS)
    const currentTime = requireUint(r.currentTime, "currentTime", TIME_BITS)
    const scope = requireFieldElement(r.scope, "scope")
    const message = requireUint(r.message, "message", MESSAGE_BITS)
    if (r.committeeKey === undefined || r.committeeKey === null) {
        throw new ZkCreditError("INVALID_ARGUMENT", "committeeKey is required: the escrow committee's registered key [x, y] (TrustRegistry.committeeKeyOf(y).x and y), active at currentTime", "committeeKey")
    }
    const attestation = parseAttestation(r.attestation)
    const { identity } = r
    // a fresh r per proof; the key is checked on the curve, of prime order (INVALID_POINT)
    const { circuitInput: escrow } = encryptCommitment(identity.commitment, r.committeeKey, {})

    // the attestation: issued to this identity, by the expected key, correctly signed, in time
    if (attestation.commitment !== identity.commitment) {
        throw new ZkCreditError("ATTESTATION_IDENTITY_MISMATCH", "the attestation was issued to another identity: ask the bureau for an attestation of this identity's commitment", "attestation")
    }
    if (r.bureauPublicKey !== undefined) {
        const expected = requireArray(r.bureauPublicKey, "bureauPublicKey", 2).map((v, i) => requireFieldElement(v, `bureauPublicKey[${i}]`))
        if (expected[0] !== attestation.bureauPublicKey[0] || expected[1] !== attestation.bureauPublicKey[1]) {
            throw new ZkCreditError("WRONG_BUREAU_KEY", "the attestation is signed by another bureau key than the one this lender accepts: get one signed by a registered, active key", "attestation")
        }
    }
    if (!verifyAttestation(r.attestation)) {
        throw new ZkCreditError("INVALID_SIGNATURE", "the attestation's signature does not verify under its bureau key: it was altered or not signed by that key", "attestation")
    }
    if (currentTime < attestation.issuedAt) {
        throw new ZkCreditError("ATTESTATION_NOT_YET_VALID", `the attestation is valid from ${attestation.issuedAt}, after currentTime ${currentTime}`, "currentTime")
    }
    if (currentTime >= attestation.expiresAt) {
        throw new ZkCreditError("ATTESTATION_EXPIRED", `the attestation expired at ${attestation.expiresAt} (currentTime ${currentTime}): ask the bureau for a new one`, "attestation")
    }
    // never say by how much: the score is what the proof hides
    if (attestation.score < threshold) {
        throw new ZkCreditError("SCORE_BELOW_THRESHOLD", `the attested score is below the threshold ${threshold}: pick a tier with a lower minimum score`, "threshold")
    }

    // membership: this identity's leaf, under the expected root
    const merkleProof = toMerkleProof(r.membership, identity)
    if (merkleProof.leaf !== identity.commitment || !verifyMerkleProof(merkleProof)) {
        throw new ZkCreditError("NOT_A_MEMBER", "the Merkle proof is not for this identity's commitment or its path does not lead to its root", "membership")
    }
    if (r.kycRoot !== undefined && merkleProof.root !== requireFieldElement(r.kycRoot, "kycRoot")) {
        throw new ZkCreditError("NOT_A_MEMBER", "this identity is not a member under the given KYC root: sync the KYC tree and prove against the current root", "kycRoot")
    }

    return {
        secret: identity.secret.toString(),
        score: attestation.score.toString(),
        issuedAt: attestation.issuedAt.toString(),
        expiresAt: attestation.expiresAt.toString(),
        bureauAx: attestation.bureauPublicKey[0].toString(),
        bureauAy: attestation.bureauPublicKey[1].toString(),
        sigR8x: attestation.signature.R8[0].toString(),
        sigR8y: attestation.signature.R8[1].toString(),
        sigS: attestation.signature.S.toString(),
        pathIndices: merkleProof.pathIndices.map(String),
        siblings: merkleProof.siblings.map((others) => others.map(String)),
        ephemeralSecret: escrow.ephemeralSecret.toString(),
        committeeKeyX: escrow.committeeKeyX.toString(),
        kycRoot: merkleProof.root.toString(),
        bureauKeyHash: bureauKeyHash(attestation.bureauPublicKey).toString(),
        threshold: threshold.toString(),
        currentTime: currentTime.toString(),
        message: message.toString(),
        context: packContext({ message, threshold, currentTime }).toString(),
        scope: scope.toString(),
        committeeKeyY: escrow.committeeKeyY.toString()
    }
}

/** Bits of a leaf index: the tree holds 4^depth = 2^(2 depth) leaves. */
const INDEX_BITS = Math.log2(KYC_TREE_CAPACITY)

function toMerkleProof(membership: unknown, identity: Identity): KycMerkleProof {
    if (membership instanceof KycTree) {
        const index = membership.indexOf(identity.commitment)
        if (index === -1) {
            throw new ZkCreditError("NOT_A_MEMBER", "this identity's commitment is not in the KYC group: ask a compliance officer to add it, or sync the tree", "membership")
        }
        return membership.generateMerkleProof(index)
    }
    const m = requireObject(membership, "membership")
    const siblings = requireArray(m.siblings, "membership.siblings", KYC_TREE_DEPTH)
    const pathIndices = requireArray(m.pathIndices, "membership.pathIndices", KYC_TREE_DEPTH)
    return {
        root: requireFieldElement(m.root, "membership.root"),
        leaf: requireFieldElement(m.leaf, "membership.leaf"),
        // informative only (the path says where the leaf is); still, it must be a tree index
        index: m.index === undefined || m.index === null ? 0 : Number(requireUint(m.index, "membership.index", INDEX_BITS)),
        // each level: the other 3 children of the node's parent, in order
        siblings: siblings.map((others, i) => requireArray(others, `membership.siblings[${i}]`, KYC_TREE_ARITY - 1).map((s, j) => requireFieldElement(s, `membership.siblings[${i}][${j}]`))),
        // each level: the node's position among its parent's 4 children
        pathIndices: pathIndices.map((p, i) => {
            if (p !== 0 && p !== 1 && p !== 2 && p !== 3) throw new ZkCreditError("OUT_OF_RANGE", `membership.pathIndices[${i}] must be 0, 1, 2 or 3 (the node's position among its parent's ${KYC_TREE_ARITY} children)`, `membership.pathIndices[${i}]`)
            return p
        })
    }
}
