pragma circom 2.1.5;

include "poseidon.circom";
include "babyjub.circom";
include "bitify.circom";
include "comparators.circom";
include "compconstant.circom";
include "escalarmulany.circom";
include "escalarmulfix.circom";

// The message a bureau signs, three field elements: [domain, commitment, claims], with
// claims = score·2^(2·timeBits) + issuedAt·2^timeBits + expiresAt. The domain tag keeps a
// bureau signature over anything else from passing as an attestation. Packing the claims is
// linear (no constraint) and one-to-one only for times below 2^timeBits and a score below
// 2^(253 - 2·timeBits): the caller range-checks them (CreditProof does, in its score and time
// checks), and the prover signs nothing outside those ranges. Must equal prover/src/attestation.ts.
template AttestationMessage(domain, timeBits) {
    signal input commitment;
    signal input score;
    signal input issuedAt;
    signal input expiresAt;
    signal output message[3];
    message[0] <== domain;
    message[1] <== commitment;
    message[2] <== score * (2 ** (2 * timeBits)) + issuedAt * (2 ** timeBits) + expiresAt;
}

// A Schnorr signature over Baby Jubjub of a message of n field elements, with a Poseidon
// challenge cut to `challengeBits` bits: the signer (prover/src/signature.ts) publishes
// R8 = r·B8 and S = r + 8·e·a mod l for its key A = a·B8, where e is the low `challengeBits`
// bits of Poseidon(R8x, R8y, keyHash, m[0], ..., m[n-1]) and keyHash = Poseidon(Ax, Ay) (the
// key's name on chain, which the caller computes anyway); it holds when S·B8 == R8 + e·(8·A).
// A challenge of 128 bits keeps Schnorr's security at the level of the curve (about 126 bits;
// forging needs the discrete log or a 2^128 hash search) and halves the variable-base
// multiplication against full-width EdDSA-Poseidon: 1,161 constraints for e·(8·A) instead of
// 2,310. Hashing the message into the challenge (one Poseidon, not EdDSA's hash of a hash)
// saves another. Built from circomlib's EdDSA parts.
template ShortSchnorrVerifier(challengeBits, n) {
    assert(challengeBits >= 128 && challengeBits <= 254);
    signal input Ax;
    signal input Ay;
    signal input keyHash;
    signal input S;
    signal input R8x;
    signal input R8y;
    signal input m[n];

    // S < l, so (R8, S + l) is no second signature
    signal sBits[253] <== Num2Bits(253)(S);
    component sBelowOrder = CompConstant(2736030358979909402780800718157159386076813972158567259200215660948447373040);
    for (var i = 0; i < 253; i++) sBelowOrder.in[i] <== sBits[i];
    sBelowOrder.in[253] <== 0;
    sBelowOrder.out === 0;

    // e: the challenge's canonical bits (strict: one decomposition), cut to challengeBits
    signal challengeInputs[3 + n];
    challengeInputs[0] <== R8x;
    challengeInputs[1] <== R8y;
    challengeInputs[2] <== keyHash;
    for (var i = 0; i < n; i++) challengeInputs[3 + i] <== m[i];
    signal challenge <== Poseidon(3 + n)(challengeInputs);
    signal challengeAllBits[254] <== Num2Bits_strict()(challenge);
    signal e[challengeBits];
    for (var i = 0; i < challengeBits; i++) e[i] <== challengeAllBits[i];

    // 8·A lies in the prime-order subgroup; it is not the neutral point (4·A.x == 0 exactly
    // when 8·A is), else S·B8 == R8 would hold for every message
    component dbl1 = BabyDbl();
    dbl1.x <== Ax;
    dbl1.y <== Ay;
    component dbl2 = BabyDbl();
    dbl2.x <== dbl1.xout;
    dbl2.y <== dbl1.yout;
    component dbl3 = BabyDbl();
    dbl3.x <== dbl2.xout;
    dbl3.y <== dbl2.yout;
    signal keyOfLowOrder <== IsZero()(dbl2.xout);
    keyOfLowOrder === 0;

    signal eA[2] <== EscalarMulAny(challengeBits)(e, [dbl3.xout, dbl3.yout]);
    component right = BabyAdd();
    right.x1 <== R8x;
    right.y1 <== R8y;
    right.x2 <== eA[0];
    right.y2 <== eA[1];

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    signal left[2] <== EscalarMulFix(253, BASE8)(sBits);
    left[0] === right.xout;
    left[1] === right.yout;
}

// Checks a bureau's signature (ShortSchnorrVerifier) over an attestation and outputs the hash
// of the bureau key, Poseidon(Ax, Ay), which the chain knows the validity of. The caller
// range-checks score and times (see AttestationMessage).
//
// The verifier does not check that R8 lies on the curve, and off the curve its equations can
// hold for a forged signature, hence the BabyCheck on R8 (and on A, which is cheap and keeps a
// malformed key from ever matching).
template AttestationCheck(domain, timeBits, challengeBits) {
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

    signal message[3] <== AttestationMessage(domain, timeBits)(commitment, score, issuedAt, expiresAt);

    BabyCheck()(sigR8x, sigR8y);
    BabyCheck()(bureauAx, bureauAy);

    bureauKeyHash <== Poseidon(2)([bureauAx, bureauAy]);
    ShortSchnorrVerifier(challengeBits, 3)(bureauAx, bureauAy, bureauKeyHash, sigS, sigR8x, sigR8y, message);
}
