pragma circom 2.1.5;

include "bitify.circom";
include "poseidon.circom";

// Root of a 4-ary Poseidon Merkle tree of fixed `depth`, from a leaf and its path. Four children
// a level instead of two: half the levels for the same capacity (4^10 = 2^20), and Poseidon(4)
// costs 297 constraints against Poseidon(2)'s 240, so a path costs about 3,060 constraints, not
// 4,840.
//
// `pathIndices[i]` is the node's position among its four children at level i (0 to 3), taken
// apart into two bits: a value outside 0..3 has no such split, and a bit outside {0, 1} would let
// the prover blend the node and its siblings into a made-up parent. `siblings[i]` are the other
// three children in order, the node's slot skipped.
// Matches @zk-kit/incremental-merkle-tree with poseidon-lite (arity 4, zero leaf 0). `arity` is a
// parameter only so that circuits.json states the tree's shape once; the template is written for 4.
template MerkleInclusion(depth, arity) {
    assert(arity == 4);
    signal input leaf;
    signal input pathIndices[depth];
    signal input siblings[depth][arity - 1];
    signal output root;

    signal nodes[depth + 1];
    signal bits[depth][2];
    signal isThree[depth];
    // the four children, and the products that place the node among the siblings
    signal child0[depth];
    signal child1[depth];
    signal child2[depth];
    signal child3[depth];
    signal at1[depth];
    signal after0[depth];
    signal at2[depth];
    signal after2[depth];
    nodes[0] <== leaf;

    for (var i = 0; i < depth; i++) {
        bits[i] <== Num2Bits(2)(pathIndices[i]);
        // one-hot position: is0 + is1 + is2 + isThree = 1, each linear in the bits and their product
        isThree[i] <== bits[i][0] * bits[i][1];
        var is0 = 1 - bits[i][0] - bits[i][1] + isThree[i];
        var is1 = bits[i][0] - isThree[i];
        var is2 = bits[i][1] - isThree[i];
        var s0 = siblings[i][0];
        var s1 = siblings[i][1];
        var s2 = siblings[i][2];
        // position p: children p is the node, those before it siblings 0..p-1, those after it
        // siblings p..2
        child0[i] <== s0 + is0 * (nodes[i] - s0);
        at1[i] <== is1 * (nodes[i] - s1);
        after0[i] <== is0 * (s0 - s1);
        child1[i] <== s1 + at1[i] + after0[i];
        at2[i] <== is2 * (nodes[i] - s1);
        after2[i] <== isThree[i] * (s2 - s1);
        child2[i] <== s1 + at2[i] + after2[i];
        child3[i] <== s2 + isThree[i] * (nodes[i] - s2);
        nodes[i + 1] <== Poseidon(4)([child0[i], child1[i], child2[i], child3[i]]);
    }

    root <== nodes[depth];
}
