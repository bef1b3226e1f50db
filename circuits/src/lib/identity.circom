pragma circom 2.1.5;

include "poseidon.circom";

// The KYC leaf of an identity: Poseidon(secret). One-way, so the public tree reveals
// nothing about the secret. Must equal prover/src/identity.ts.
template IdentityCommitment() {
    signal input secret;
    signal output commitment;
    commitment <== Poseidon(1)([secret]);
}

// One pseudonym per scope (market): Poseidon(secret, scope). Two scopes give unlinkable
// nullifiers; nobody without the secret can link a nullifier to a commitment.
template Nullifier() {
    signal input secret;
    signal input scope;
    signal output nullifier;
    nullifier <== Poseidon(2)([secret, scope]);
}
