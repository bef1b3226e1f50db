// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev Number of public signals of the credit proof. An array length must be a literal-derived
/// constant, so it is repeated here. It cannot drift from the circuit unnoticed: `CreditVerifier`
/// passes an array of this length to the generated `verifyProof(..., uint[N])` (a mismatch does
/// not compile) and its constructor asserts it equals `CreditCircuit.PUBLIC_SIGNAL_COUNT`.
uint256 constant CREDIT_PROOF_SIGNAL_COUNT = 8;

/// @title ICreditProofVerifier
/// @notice The Groth16 verifier that snarkjs generates for the credit proof circuit
/// (contracts/generated/CreditProofVerifier.sol, never edited by hand). `CreditVerifier` inherits
/// it, so this is also `CreditVerifier.verifyProof`.
interface ICreditProofVerifier {
    /// @notice Whether the proof verifies for these public signals.
    /// @dev Returns false (does not revert) for a bad proof, a point off the curve or a public
    /// signal not below the SNARK scalar field.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, each coordinate as [x1, x0] (EIP-197 order).
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuit order (`CreditCircuit.SIGNAL_*` order).
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[CREDIT_PROOF_SIGNAL_COUNT] calldata pubSignals
    ) external view returns (bool);
}
