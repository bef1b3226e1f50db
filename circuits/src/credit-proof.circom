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
//   0 nullifier  1 ephemeralKeyY  2 ciphertext  3 kycRoot  4 bureauKeyHash  5 context
//   6 scope  7 committeeKeyY
// `context` packs three values the verifier knows into one signal (each public signal costs a
// verifier about 6,700 gas): message * 2^(scoreBits + timeBits) + threshold * 2^timeBits +
// currentTime, where `message` (messageBits wide) binds the proof to one call.
//
// Parameters: depth of the KYC tree, bit width of scores and of unix times (range checks),
// the attestation domain tag, the escrow domain tag, the bit width of the message, the KYC
// tree's arity (4: see lib/merkle-inclusion.circom) and the bit width of the bureau signature's
// challenge (see ShortSchnorrVerifier in lib/attestation.circom).
template CreditProof(depth, scoreBits, timeBits, attestationDomain, escrowDomain, messageBits, arity, challengeBits) {
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
    signal input siblings[depth][arity - 1];
    signal input ephemeralSecret;
    signal input committeeKeyX;
    // the parts of `context`
    signal input threshold;
    signal input currentTime;
    signal input message;

    // public
    signal input kycRoot;
    signal input bureauKeyHash;
    signal input context;
    signal input scope;
    signal input committeeKeyY;

    signal output nullifier;
    signal output ephemeralKeyY;
    signal output ciphertext;

    signal commitment <== IdentityCommitment()(secret);

    // 1. the bureau signed (commitment, score, issuedAt, expiresAt) with this key; score and
    // the times are range-checked in 3 and 4, which keeps the signed packing one-to-one
    signal signedKeyHash <== AttestationCheck(attestationDomain, timeBits, challengeBits)(
        commitment, score, issuedAt, expiresAt,
        bureauAx, bureauAy, sigR8x, sigR8y, sigS
    );
    signedKeyHash === bureauKeyHash;

    // 2. the identity is a KYC member under kycRoot
    signal computedRoot <== MerkleInclusion(depth, arity)(commitment, pathIndices, siblings);
    computedRoot === kycRoot;

    // 3. score >= threshold
    AssertGreaterEq(scoreBits)(score, threshold);

    // 4. issuedAt <= currentTime < expiresAt, each time range-checked once
    AssertInWindow(timeBits)(issuedAt, currentTime, expiresAt);

    // 5. the pseudonym of this identity in this market
    nullifier <== Nullifier()(secret, scope);

    // 6. the context: the message (chain, market, borrower, offer, tier, principal), the
    // threshold of 3 and the time of 4. Each part is range-checked (threshold in 3, currentTime
    // in 4, message here) and the sum stays below 2^(messageBits + scoreBits + timeBits) < p,
    // so the verifier's packed value has exactly one split: no part can borrow bits of another.
    RangeCheck(messageBits)(message);
    context === message * (2 ** (scoreBits + timeBits)) + threshold * (2 ** timeBits) + currentTime;

    // 7. the identity escrow: the commitment proved a member in 2, encrypted under the
    // committee key (x private, y public; the verifier checks y is an active registered key)
    (ephemeralKeyY, ciphertext) <== IdentityEscrow(escrowDomain)(commitment, ephemeralSecret, committeeKeyX, committeeKeyY);
}
