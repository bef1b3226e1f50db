// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CreditProofCheck, ProofCheckConfig} from "./CreditProofCheck.sol";
import {CreditProofVerifier} from "./generated/CreditProofVerifier.sol";
import {IBureauRegistry} from "./interfaces/IBureauRegistry.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {IEscrowCommitteeRegistry} from "./interfaces/IEscrowCommitteeRegistry.sol";
import {IKycRegistry} from "./interfaces/IKycRegistry.sol";

/// @title CreditVerifier
/// @notice Checks credit proofs against the KYC registry, the bureau registry, the escrow committee
/// registry, block time and the credit proof's verification key, for any market that calls it
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
    /// @param kyc The KYC registry.
    /// @param bureaus The bureau registry.
    /// @param committees The escrow committee registry.
    /// @param maxProofAge_ Seconds a proof's `currentTime` may lag block time: bounds how long after an
    /// attestation expires a proof made with it still lands.
    /// @param maxFutureSkew_ Seconds a proof's `currentTime` may lead block time (clock skew).
    constructor(
        address admin,
        IKycRegistry kyc,
        IBureauRegistry bureaus,
        IEscrowCommitteeRegistry committees,
        uint256 maxProofAge_,
        uint256 maxFutureSkew_
    ) CreditProofCheck(ProofCheckConfig(kyc, bureaus, committees, maxProofAge_, maxFutureSkew_)) {
        if (admin == address(0) || address(kyc) == address(0) || address(bureaus) == address(0) || address(committees) == address(0)) {
            revert ZeroAddress();
        }
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
    function kycRegistry() external view returns (IKycRegistry) {
        return _kycRegistry;
    }

    /// @inheritdoc ICreditVerifier
    function bureauRegistry() external view returns (IBureauRegistry) {
        return _bureauRegistry;
    }

    /// @inheritdoc ICreditVerifier
    function escrowCommittees() external view returns (IEscrowCommitteeRegistry) {
        return _escrowCommittees;
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
