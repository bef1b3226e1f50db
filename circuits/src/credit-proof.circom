pragma circom 2.1.5;

include "lib/attestation.circom";
include "lib/identity.circom";
include "lib/merkle-inclusion.circom";
include "lib/range.circom";

// zkcredit's credit proof: "a bureau whose key hashes to `bureauKeyHash` attested my score,
// the score is at least `threshold`, the attestation is valid at `currentTime`, and my
// identity is a member of the KYC tree with root `kycRoot`", revealing neither the score nor
// the identity. `nullifier` is the borrower's pseudonym in `scope` (one market).
//
// Public signals, in this order (outputs first, then public inputs as declared in
// circuits.json; the single source of that order for prover and contracts):
//   0 nullifier  1 kycRoot  2 bureauKeyHash  3 threshold  4 currentTime  5 scope  6 message
//
// Parameters: depth of the KYC tree, bit width of scores and of unix times (range checks),
// and the attestation domain tag.
template CreditProof(depth, scoreBits, timeBits, attestationDomain) {
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

    // public
    signal input kycRoot;
    signal input bureauKeyHash;
    signal input threshold;
    signal input currentTime;
    signal input scope;
    signal input message;

    signal output nullifier;

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
}
