pragma circom 2.1.5;

include "poseidon.circom";

// Root of a binary Poseidon Merkle tree of fixed `depth`, from a leaf and its path.
//
// `pathIndices[i]` is 1 when the node at level i is a right child. Each index is
// constrained to be a bit: a value outside {0, 1} would let the prover blend the
// node and its sibling into a made-up parent.
// Matches @zk-kit/incremental-merkle-tree with poseidon-lite (arity 2, zero leaf 0).
template MerkleInclusion(depth) {
    signal input leaf;
    signal input pathIndices[depth];
    signal input siblings[depth];
    signal output root;

    signal nodes[depth + 1];
    signal left[depth];
    signal right[depth];
    nodes[0] <== leaf;

    for (var i = 0; i < depth; i++) {
        pathIndices[i] * (1 - pathIndices[i]) === 0;
        // index 0: (node, sibling); index 1: (sibling, node)
        left[i] <== nodes[i] + pathIndices[i] * (siblings[i] - nodes[i]);
        right[i] <== nodes[i] + siblings[i] - left[i];
        nodes[i + 1] <== Poseidon(2)([left[i], right[i]]);
    }

    root <== nodes[depth];
}
