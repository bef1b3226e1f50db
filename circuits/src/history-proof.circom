pragma circom 2.1.5;

include "comparators.circom";
include "lib/identity.circom";

// zkcredit's history proof, for the credit bureau: "I know the secret behind `commitment`, and
// `pseudonyms[i]` is my pseudonym (nullifier) in the market whose scope is `scopes[i]`", bound
// to the bureau's one-time `challenge`, revealing nothing else. The bureau uses it both to
// authenticate an applicant (the commitment is the one a KYC officer bound to the applicant's
// person reference) and to read only the on-chain history the applicant proved theirs.
//
// A slot is unused when its scope is 0 (no market has scope 0: scopes are keccak256 >> 8 of a
// chain id and an address); its pseudonym is then forced to 0.
//
// Public signals, in this order (outputs first, then public inputs as declared in circuits.json):
//   0 commitment  1..k pseudonyms[0..k-1]  k+1..2k scopes[0..k-1]  2k+1 challenge
template HistoryProof(k) {
    // private
    signal input secret;

    // public
    signal input scopes[k];
    signal input challenge;

    signal output commitment;
    signal output pseudonyms[k];

    // 1. the identity behind the commitment
    commitment <== IdentityCommitment()(secret);

    signal unused[k];
    signal nullifiers[k];
    for (var i = 0; i < k; i++) {
        // 2. each used slot's pseudonym is this identity's in that scope; an unused one is 0
        unused[i] <== IsZero()(scopes[i]);
        nullifiers[i] <== Nullifier()(secret, scopes[i]);
        pseudonyms[i] <== nullifiers[i] * (1 - unused[i]);
    }

    // 3. bind the bureau's challenge; the square keeps the signal in the constraint system
    signal challengeSquare <== challenge * challenge;
}
