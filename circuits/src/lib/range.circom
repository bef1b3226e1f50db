pragma circom 2.1.5;

include "bitify.circom";
include "comparators.circom";

// Constrains `in` < 2^bits. Comparators below are only sound on range-checked inputs:
// without this, a value near the field size (p - 1) wraps around and compares as small.
template RangeCheck(bits) {
    signal input in;
    _ <== Num2Bits(bits)(in);
}

// Constrains a >= b, both range-checked to `bits` bits.
template AssertGreaterEq(bits) {
    signal input a;
    signal input b;
    RangeCheck(bits)(a);
    RangeCheck(bits)(b);
    signal ok <== GreaterEqThan(bits)([a, b]);
    ok === 1;
}

// Constrains start <= t < end (a validity window), each of the three range-checked to `bits`
// bits exactly once: two range-checked comparisons (as AssertGreaterEq) would check t twice.
// circomlib's comparators need only inputs below 2^bits, which the three checks give.
template AssertInWindow(bits) {
    signal input start;
    signal input t;
    signal input end;
    RangeCheck(bits)(start);
    RangeCheck(bits)(t);
    RangeCheck(bits)(end);
    signal started <== GreaterEqThan(bits)([t, start]);
    started === 1;
    signal notEnded <== LessThan(bits)([t, end]);
    notEnded === 1;
}
