pragma circom 2.1.5;

include "poseidon.circom";
include "babyjub.circom";
include "eddsaposeidon.circom";

// The message a bureau signs: Poseidon(domain, commitment, score, issuedAt, expiresAt).
// The domain tag keeps a bureau signature over anything else from passing as an attestation.
// Must equal prover/src/attestation.ts.
template AttestationMessage(domain) {
    signal input commitment;
    signal input score;
    signal input issuedAt;
    signal input expiresAt;
    signal output message;
    message <== Poseidon(5)([domain, commitment, score, issuedAt, expiresAt]);
}

// Checks a bureau's EdDSA-Poseidon signature over an attestation and outputs the hash of
// the bureau key, Poseidon(Ax, Ay), which the chain knows the validity of.
//
// circomlib's verifier does not check that R8 lies on the curve; an off-curve R8 can
// satisfy its equations with a forged signature, hence the BabyCheck on R8 (and on A,
// which is cheap and keeps a malformed key from ever matching).
template AttestationCheck(domain) {
    signal input commitment;
    signal input score;
    signal input issuedAt;
    signal input expiresAt;
    signal input bureauAx;
    signal input bureauAy;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    signal output bureauKeyHash;

    signal message <== AttestationMessage(domain)(commitment, score, issuedAt, expiresAt);

    BabyCheck()(sigR8x, sigR8y);
    BabyCheck()(bureauAx, bureauAy);

    component verifier = EdDSAPoseidonVerifier();
    verifier.enabled <== 1;
    verifier.Ax <== bureauAx;
    verifier.Ay <== bureauAy;
    verifier.S <== sigS;
    verifier.R8x <== sigR8x;
    verifier.R8y <== sigR8y;
    verifier.M <== message;

    bureauKeyHash <== Poseidon(2)([bureauAx, bureauAy]);
}
