// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditVerifier} from "../interfaces/ICreditVerifier.sol";
import {ITrustRegistry} from "../interfaces/ITrustRegistry.sol";

/// @notice Test-only credit verifier for market tests that are not about proofs (loan arithmetic,
/// funds, lifecycle under random inputs): it accepts every proof whose first point is not 0, and
/// refuses with `InvalidProof` otherwise, so a test can still make a proof fail.
contract MockCreditVerifier is ICreditVerifier {
    function verifyCreditProof(CreditProof calldata proof, uint256, uint256, uint256) external pure {
        if (proof.points[0] == 0) revert InvalidProof();
    }

    /// @notice The registry it claims to check (0 unless set): KYC tests that record defaults set it.
    ITrustRegistry public trustRegistry;

    function setTrustRegistry(ITrustRegistry registry) external {
        trustRegistry = registry;
    }

    function maxProofAge() external pure returns (uint256) {
        return 1 days;
    }

    function maxFutureSkew() external pure returns (uint256) {
        return 0;
    }

    /// @dev The mock keeps no anchors: its tests are not about verification gas.
    function prepareAnchor(uint256, uint256, uint256, uint256) external pure returns (bytes32) {
        revert InvalidProof();
    }

    function anchorPrepared(uint256, uint256, uint256, uint256) external pure returns (bool) {
        return false;
    }

    function anchorIdOf(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(kycRoot, bureauKeyHash, committeeKeyY, scope));
    }

    /// @dev The mock has no brake: its tests are not about the pause.
    function pause() external pure {
        revert VerifierPaused();
    }

    function unpause() external pure {}

    function paused() external pure returns (bool) {
        return false;
    }
}
