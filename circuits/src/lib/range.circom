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

// Constrains a < b, both range-checked to `bits` bits.
template AssertLess(bits) {
    signal input a;
    signal input b;
    RangeCheck(bits)(a);
    RangeCheck(bits)(b);
    signal ok <== LessThan(bits)([a, b]);
    ok === 1;
}
