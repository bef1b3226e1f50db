pragma circom 2.1.5;

include "babyjub.circom";
include "bitify.circom";
include "escalarmulany.circom";
include "escalarmulfix.circom";
include "poseidon.circom";

// Identity escrow: a fresh encryption of `commitment` under the escrow committee's Baby
// Jubjub key PK = sk·B8, where sk is shared t-of-n among the authorities (docs/escrow.md).
// Must equal prover/src/escrow/encrypt.ts.
//
// Scheme (hashed ElGamal / ECIES KEM with a one-time pad in the field):
//   r      ephemeral scalar, 1 <= r < 2^250 (2^250 < l, the prime subgroup order: every r is
//          a distinct non-zero scalar; 250 bits of entropy)
//   R    = r·B8                          the ephemeral key, public as R.y only
//   S    = r·PK                          the shared point; the committee recomputes sk·R
//   mask = Poseidon(domain, S.y)
//   c    = commitment + mask  (mod p)    the ciphertext
// Opening: S' = sk·R' for either R' with y = R.y, then commitment = c - Poseidon(domain, S'.y).
//
// Why y alone is enough: the twisted Edwards negation is -(x, y) = (-x, y), so the two points
// with a given y are ±R, and sk·(±R) = ±S share S.y, hence the mask. The same argument covers
// the committee key: its x is private and only `committeeKeyY` is public, so a prover may pick
// -PK instead of PK, and r·(-PK) = -S gives the very same mask. One public signal per point.
//
// Malformed points cannot occur: R is computed from B8 (prime order by construction), PK is
// forced onto the curve (BabyCheck) and refused if 8·PK is the neutral point (a key of small
// order would make S, hence the mask, public). Any PK with a non-zero prime-order part keeps
// circomlib's EscalarMulAny free of its exceptional cases (they need (1+k)·P = ±2^i·P, which
// r < 2^250 rules out), so S is r·PK and nothing else. That PK has no small-order part at
// all (a mixed-order key, which the committee could not open with) is the registry's check:
// only keys the DKG produced and `zkcredit committee register` verified get registered.
//
// Inputs: the commitment (the KYC leaf the credit proof proves membership of), r, the
// committee key (x private, y public). Outputs: ephemeralKeyY (R.y) and ciphertext (c).
template IdentityEscrow(domain) {
    signal input commitment;
    signal input ephemeralSecret;
    signal input committeeKeyX;
    signal input committeeKeyY;
    signal output ephemeralKeyY;
    signal output ciphertext;

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];

    // 1 <= r < 2^250: the bits serve both multiplications
    signal rBits[250] <== Num2Bits(250)(ephemeralSecret);
    signal rInverse <-- ephemeralSecret != 0 ? 1 / ephemeralSecret : 0;
    ephemeralSecret * rInverse === 1;

    // the committee key is a point of the curve, not of small order
    BabyCheck()(committeeKeyX, committeeKeyY);
    signal (twoX, twoY) <== BabyDbl()(committeeKeyX, committeeKeyY);
    signal (fourX, fourY) <== BabyDbl()(twoX, twoY);
    signal (eightX, eightY) <== BabyDbl()(fourX, fourY);
    signal eightXInverse <-- eightX != 0 ? 1 / eightX : 0;
    eightX * eightXInverse === 1;

    // R = r·B8
    signal ephemeralKey[2] <== EscalarMulFix(250, BASE8)(rBits);
    ephemeralKeyY <== ephemeralKey[1];

    // S = r·PK
    signal shared[2] <== EscalarMulAny(250)(rBits, [committeeKeyX, committeeKeyY]);

    signal mask <== Poseidon(2)([domain, shared[1]]);
    ciphertext <== commitment + mask;
}
