pragma circom 2.1.5;

include "lib/attestation.circom";
include "lib/escrow.circom";
include "lib/identity.circom";
include "lib/merkle-inclusion.circom";
include "lib/range.circom";

// zkcredit's credit proof: "a bureau whose key hashes to `bureauKeyHash` attested my score,
// the score is at least `threshold`, the attestation is valid at `currentTime`, my identity is
// a member of the KYC tree with root `kycRoot`, and (ephemeralKeyY, ciphertext) is a fresh
// encryption of that very identity commitment under the escrow committee's key whose y is
// `committeeKeyY`", revealing neither the score nor the identity. `nullifier` is the
// borrower's pseudonym in `scope` (one market). The escrow scheme: lib/escrow.circom and
// docs/escrow.md; the verifier checks `committeeKeyY` is an active registered committee key.
//
// Public signals, in this order (outputs first in declaration order, then public inputs as
// declared in circuits.json; the single source of that order for prover and contracts):
//   0 nullifier  1 ephemeralKeyY  2 ciphertext  3 kycRoot  4 bureauKeyHash  5 threshold
//   6 currentTime  7 scope  8 message  9 committeeKeyY
//
// Parameters: depth of the KYC tree, bit width of scores and of unix times (range checks),
// the attestation domain tag and the escrow domain tag.
template CreditProof(depth, scoreBits, timeBits, attestationDomain, escrowDomain) {
    // private
    signal input secret;
    signal input score;
    signal input issuedAt;
    signal input expiresAt;
    signal input bureauAx;
    signal input bureauAy;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal input pathIndices[depth];
    signal input siblings[depth];
    signal input ephemeralSecret;
    signal input committeeKeyX;

    // public
    signal input kycRoot;
    signal input bureauKeyHash;
    signal input threshold;
    signal input currentTime;
    signal input scope;
    signal input message;
    signal input committeeKeyY;

    signal output nullifier;
    signal output ephemeralKeyY;
    signal output ciphertext;

    signal commitment <== IdentityCommitment()(secret);

    // 1. the bureau signed (commitment, score, issuedAt, expiresAt) with this key
    signal signedKeyHash <== AttestationCheck(attestationDomain)(
        commitment, score, issuedAt, expiresAt,
        bureauAx, bureauAy, sigR8x, sigR8y, sigS
    );
    signedKeyHash === bureauKeyHash;

    // 2. the identity is a KYC member under kycRoot
    signal computedRoot <== MerkleInclusion(depth)(commitment, pathIndices, siblings);
    computedRoot === kycRoot;

    // 3. score >= threshold
    AssertGreaterEq(scoreBits)(score, threshold);

    // 4. issuedAt <= currentTime < expiresAt
    AssertGreaterEq(timeBits)(currentTime, issuedAt);
    AssertLess(timeBits)(currentTime, expiresAt);

    // 5. the pseudonym of this identity in this market
    nullifier <== Nullifier()(secret, scope);

    // 6. bind the message (chain, market, borrower, offer, tier, principal) to the proof.
    // The square is a constraint on `message` so no optimiser can drop the signal.
    signal messageSquare <== message * message;

    // 7. the identity escrow: the commitment proved a member in 2, encrypted under the
    // committee key (x private, y public; the verifier checks y is an active registered key)
    (ephemeralKeyY, ciphertext) <== IdentityEscrow(escrowDomain)(commitment, ephemeralSecret, committeeKeyX, committeeKeyY);
}
