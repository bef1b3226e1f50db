// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CreditProofCheck, ProofCheckConfig} from "./CreditProofCheck.sol";
import {CreditProofVerifier} from "./generated/CreditProofVerifier.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";

/// @title CreditVerifier
/// @notice Checks credit proofs against the trust registry (KYC roots, bureau keys, escrow
/// committee keys), block time and the credit proof's verification key, for any market that calls it
/// (`RequestMarket`; `LoanMarket` runs the same checks itself). Its state is the admin's emergency
/// pause and the anchors anyone prepared (`prepareAnchor`).
/// @dev The checks are `CreditProofCheck`'s. It also inherits the generated verifier (never edited)
/// to keep its `verifyProof` public. `DEFAULT_ADMIN_ROLE` pauses and unpauses.
contract CreditVerifier is ICreditVerifier, CreditProofCheck, CreditProofVerifier, AccessControl, Pausable {
    /// @notice Upper bound of `maxProofAge`.
    uint256 public constant MAX_ALLOWED_PROOF_AGE = 1 days;

    /// @notice Upper bound of `maxFutureSkew`.
    uint256 public constant MAX_ALLOWED_FUTURE_SKEW = 15 minutes;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the emergency pause).
    /// @param trust The trust registry.
    /// @param maxProofAge_ Seconds a proof's `currentTime` may lag block time: bounds how long after an
    /// attestation expires a proof made with it still lands.
    /// @param maxFutureSkew_ Seconds a proof's `currentTime` may lead block time (clock skew).
    constructor(address admin, ITrustRegistry trust, uint256 maxProofAge_, uint256 maxFutureSkew_)
        CreditProofCheck(ProofCheckConfig(trust, maxProofAge_, maxFutureSkew_))
    {
        if (admin == address(0) || address(trust) == address(0)) revert ZeroAddress();
        if (maxProofAge_ == 0 || maxProofAge_ > MAX_ALLOWED_PROOF_AGE || maxFutureSkew_ > MAX_ALLOWED_FUTURE_SKEW) {
            revert InvalidTimeWindow(maxProofAge_, maxFutureSkew_, MAX_ALLOWED_PROOF_AGE, MAX_ALLOWED_FUTURE_SKEW);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ICreditVerifier
    function verifyCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope, uint256 message)
        external
        view
    {
        if (paused()) revert VerifierPaused();
        _checkCreditProof(proof, threshold, scope, message);
    }

    /// @inheritdoc ICreditVerifier
    function trustRegistry() external view returns (ITrustRegistry) {
        return _trustRegistry;
    }

    /// @inheritdoc ICreditVerifier
    function maxProofAge() external view returns (uint256) {
        return _maxProofAge;
    }

    /// @inheritdoc ICreditVerifier
    function maxFutureSkew() external view returns (uint256) {
        return _maxFutureSkew;
    }

    /// @inheritdoc ICreditVerifier
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc ICreditVerifier
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ICreditVerifier
    function paused() public view override(ICreditVerifier, Pausable) returns (bool) {
        return super.paused();
    }
}
