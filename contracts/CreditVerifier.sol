// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {CreditProofVerifier} from "./generated/CreditProofVerifier.sol";
import {IBureauRegistry} from "./interfaces/IBureauRegistry.sol";
import {CREDIT_PROOF_SIGNAL_COUNT} from "./interfaces/ICreditProofVerifier.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {IEscrowCommitteeRegistry} from "./interfaces/IEscrowCommitteeRegistry.sol";
import {IKycRegistry} from "./interfaces/IKycRegistry.sol";

/// @title CreditVerifier
/// @notice Checks credit proofs against the KYC registry, the bureau registry, block time and the
/// generated Groth16 verifier. Any number of markets can share one; its only state is the admin's
/// emergency pause.
/// @dev It inherits the generated verifier (never edited) instead of calling a separate deployment:
/// the pairing check then runs in a call to itself, whose address is already warm (2,500 gas less
/// per borrow). `verifyProof` stays public, as in the generated contract.
/// `DEFAULT_ADMIN_ROLE` pauses and unpauses.
contract CreditVerifier is ICreditVerifier, CreditProofVerifier, AccessControl, Pausable {
    /// @notice Upper bound of `maxProofAge`.
    uint256 public constant MAX_ALLOWED_PROOF_AGE = 1 days;

    /// @notice Upper bound of `maxFutureSkew`.
    uint256 public constant MAX_ALLOWED_FUTURE_SKEW = 15 minutes;

    /// @inheritdoc ICreditVerifier
    IKycRegistry public immutable kycRegistry;

    /// @inheritdoc ICreditVerifier
    IBureauRegistry public immutable bureauRegistry;

    /// @inheritdoc ICreditVerifier
    IEscrowCommitteeRegistry public immutable escrowCommittees;

    /// @inheritdoc ICreditVerifier
    uint256 public immutable maxProofAge;

    /// @inheritdoc ICreditVerifier
    uint256 public immutable maxFutureSkew;

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
    ) {
        if (admin == address(0) || address(kyc) == address(0) || address(bureaus) == address(0) || address(committees) == address(0)) {
            revert ZeroAddress();
        }
        if (maxProofAge_ == 0 || maxProofAge_ > MAX_ALLOWED_PROOF_AGE || maxFutureSkew_ > MAX_ALLOWED_FUTURE_SKEW) {
            revert InvalidTimeWindow(maxProofAge_, maxFutureSkew_, MAX_ALLOWED_PROOF_AGE, MAX_ALLOWED_FUTURE_SKEW);
        }
        // the verifier's array length must match the circuit: fail the deployment, not every proof
        assert(CREDIT_PROOF_SIGNAL_COUNT == CreditCircuit.PUBLIC_SIGNAL_COUNT);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        kycRegistry = kyc;
        bureauRegistry = bureaus;
        escrowCommittees = committees;
        maxProofAge = maxProofAge_;
        maxFutureSkew = maxFutureSkew_;
    }

    /// @inheritdoc ICreditVerifier
    function verifyCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope, uint256 message)
        external
        view
    {
        if (paused()) revert VerifierPaused();
        uint256 currentTime = proof.currentTime;
        if (currentTime > block.timestamp + maxFutureSkew) revert ProofFromFuture(currentTime, block.timestamp);
        if (currentTime + maxProofAge < block.timestamp) revert ProofTooOld(currentTime, block.timestamp);
        // the window keeps currentTime below 2^TIME_BITS; the caller's threshold and message must fit
        // theirs, or the packed context would let one part spill into another
        if (threshold >> CreditCircuit.SCORE_BITS != 0 || message >> CreditCircuit.MESSAGE_BITS != 0) {
            revert ContextOutOfRange(threshold, message);
        }

        uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals;
        signals[CreditCircuit.SIGNAL_NULLIFIER] = proof.nullifier;
        signals[CreditCircuit.SIGNAL_EPHEMERAL_KEY_Y] = proof.ephemeralKeyY;
        signals[CreditCircuit.SIGNAL_CIPHERTEXT] = proof.ciphertext;
        signals[CreditCircuit.SIGNAL_KYC_ROOT] = proof.kycRoot;
        signals[CreditCircuit.SIGNAL_BUREAU_KEY_HASH] = proof.bureauKeyHash;
        signals[CreditCircuit.SIGNAL_CONTEXT] = (message << (CreditCircuit.SCORE_BITS + CreditCircuit.TIME_BITS))
            | (threshold << CreditCircuit.TIME_BITS) | currentTime;
        signals[CreditCircuit.SIGNAL_SCOPE] = scope;
        signals[CreditCircuit.SIGNAL_COMMITTEE_KEY_Y] = proof.committeeKeyY;
        // the Groth16 verifier only returns false for these; say which signal it was
        for (uint256 i; i < CREDIT_PROOF_SIGNAL_COUNT; ++i) {
            if (signals[i] >= CreditCircuit.SNARK_SCALAR_FIELD) revert NotAFieldElement(i, signals[i]);
        }

        _requireValidRoot(proof.kycRoot);
        if (!bureauRegistry.isKeyActive(proof.bureauKeyHash, block.timestamp)) {
            revert InactiveBureauKey(proof.bureauKeyHash);
        }
        _requireActiveCommitteeKey(proof.committeeKeyY, currentTime);

        if (!_verifyGroth16(proof.points, signals)) revert InvalidProof();
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

    /// @dev The pairing check of the generated verifier. Virtual only so that a test harness can
    /// model it (contracts/test/ModelProofCreditVerifier.sol) while every other check stays real.
    function _verifyGroth16(uint256[8] calldata p, uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals)
        internal
        view
        virtual
        returns (bool)
    {
        // (uint[2], uint[2][2], uint[2], uint[N]) encodes exactly as (uint[8], uint[N]): static
        // arrays are inline, so the points go as they are, without four temporary arrays
        (bool ok, bytes memory result) =
            address(this).staticcall(abi.encodeWithSelector(this.verifyProof.selector, p, signals));
        return ok && result.length == 32 && abi.decode(result, (bool));
    }

    /// @dev The escrow must be openable: under a registered committee key whose window holds the
    /// proof's time, and not revoked (a revocation refuses proofs from its block on, however old
    /// their `currentTime`). One call for the record, which also says why.
    function _requireActiveCommitteeKey(uint256 keyY, uint256 currentTime) private view {
        IEscrowCommitteeRegistry.KeyWindow memory key = escrowCommittees.keyWindow(keyY);
        if (key.threshold == 0 || key.revokedAt != 0 || currentTime < key.validFrom || currentTime >= key.validUntil) {
            revert InactiveCommitteeKey(keyY, currentTime, key.validFrom, key.validUntil, key.revokedAt);
        }
    }

    /// @dev The registry's `isRootValid` would only say no; its record says why, in one call. The
    /// expiry was fixed when the root was replaced: no second call for `rootValidity`.
    function _requireValidRoot(uint256 root) private view {
        (IKycRegistry.RootRecord memory record, bool invalidated) = kycRegistry.rootStatus(root);
        if (record.createdAt == 0) revert UnknownRoot(root);
        if (record.revoked) revert RevokedRoot(root);
        if (invalidated) revert InvalidatedRoot(root);
        if (record.replacedAt != 0 && block.timestamp >= record.expiresAt) {
            revert ExpiredRoot(root, record.replacedAt, record.expiresAt);
        }
    }
}
