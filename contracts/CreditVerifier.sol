// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {CreditProofVerifier} from "./generated/CreditProofVerifier.sol";
import {IBureauRegistry} from "./interfaces/IBureauRegistry.sol";
import {CREDIT_PROOF_SIGNAL_COUNT} from "./interfaces/ICreditProofVerifier.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {IKycRegistry} from "./interfaces/IKycRegistry.sol";

/// @title CreditVerifier
/// @notice Checks credit proofs against the KYC registry, the bureau registry, block time and the
/// generated Groth16 verifier. Stateless: any number of markets can share one.
/// @dev It inherits the generated verifier (never edited) instead of calling a separate deployment:
/// the pairing check then runs in a call to itself, whose address is already warm (2,500 gas less
/// per borrow). `verifyProof` stays public, as in the generated contract.
contract CreditVerifier is ICreditVerifier, CreditProofVerifier {
    /// @notice Upper bound of `maxProofAge`.
    uint256 public constant MAX_ALLOWED_PROOF_AGE = 1 days;

    /// @notice Upper bound of `maxFutureSkew`.
    uint256 public constant MAX_ALLOWED_FUTURE_SKEW = 15 minutes;

    /// @inheritdoc ICreditVerifier
    IKycRegistry public immutable kycRegistry;

    /// @inheritdoc ICreditVerifier
    IBureauRegistry public immutable bureauRegistry;

    /// @inheritdoc ICreditVerifier
    uint256 public immutable maxProofAge;

    /// @inheritdoc ICreditVerifier
    uint256 public immutable maxFutureSkew;

    /// @param kyc The KYC registry.
    /// @param bureaus The bureau registry.
    /// @param maxProofAge_ Seconds a proof's `currentTime` may lag block time: bounds how long after an
    /// attestation expires a proof made with it still lands.
    /// @param maxFutureSkew_ Seconds a proof's `currentTime` may lead block time (clock skew).
    constructor(
        IKycRegistry kyc,
        IBureauRegistry bureaus,
        uint256 maxProofAge_,
        uint256 maxFutureSkew_
    ) {
        if (address(kyc) == address(0) || address(bureaus) == address(0)) revert ZeroAddress();
        if (maxProofAge_ == 0 || maxProofAge_ > MAX_ALLOWED_PROOF_AGE || maxFutureSkew_ > MAX_ALLOWED_FUTURE_SKEW) {
            revert InvalidTimeWindow(maxProofAge_, maxFutureSkew_, MAX_ALLOWED_PROOF_AGE, MAX_ALLOWED_FUTURE_SKEW);
        }
        // the verifier's array length must match the circuit: fail the deployment, not every proof
        assert(CREDIT_PROOF_SIGNAL_COUNT == CreditCircuit.PUBLIC_SIGNAL_COUNT);
        kycRegistry = kyc;
        bureauRegistry = bureaus;
        maxProofAge = maxProofAge_;
        maxFutureSkew = maxFutureSkew_;
    }

    /// @inheritdoc ICreditVerifier
    function verifyCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope, uint256 message)
        external
        view
    {
        uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals;
        signals[CreditCircuit.SIGNAL_NULLIFIER] = proof.nullifier;
        signals[CreditCircuit.SIGNAL_KYC_ROOT] = proof.kycRoot;
        signals[CreditCircuit.SIGNAL_BUREAU_KEY_HASH] = proof.bureauKeyHash;
        signals[CreditCircuit.SIGNAL_THRESHOLD] = threshold;
        signals[CreditCircuit.SIGNAL_CURRENT_TIME] = proof.currentTime;
        signals[CreditCircuit.SIGNAL_SCOPE] = scope;
        signals[CreditCircuit.SIGNAL_MESSAGE] = message;
        // the Groth16 verifier only returns false for these; say which signal it was
        for (uint256 i; i < CREDIT_PROOF_SIGNAL_COUNT; ++i) {
            if (signals[i] >= CreditCircuit.SNARK_SCALAR_FIELD) revert NotAFieldElement(i, signals[i]);
        }

        uint256 currentTime = proof.currentTime;
        if (currentTime > block.timestamp + maxFutureSkew) revert ProofFromFuture(currentTime, block.timestamp);
        if (currentTime + maxProofAge < block.timestamp) revert ProofTooOld(currentTime, block.timestamp);

        _requireValidRoot(proof.kycRoot);
        if (!bureauRegistry.isKeyActive(proof.bureauKeyHash, block.timestamp)) {
            revert InactiveBureauKey(proof.bureauKeyHash);
        }

        uint256[8] calldata p = proof.points;
        bool valid = this.verifyProof(
            [p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], signals
        );
        if (!valid) revert InvalidProof();
    }

    /// @dev The registry's `isRootValid` would only say no; reading the record says why.
    function _requireValidRoot(uint256 root) private view {
        IKycRegistry.RootRecord memory record = kycRegistry.rootRecord(root);
        if (record.createdAt == 0) revert UnknownRoot(root);
        if (record.replacedAt != 0) {
            uint256 validUntil = uint256(record.replacedAt) + kycRegistry.rootValidity();
            if (block.timestamp >= validUntil) revert ExpiredRoot(root, record.replacedAt, validUntil);
        }
    }
}
