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
/// generated Groth16 verification key. Any number of markets can share one; its state is the admin's
/// emergency pause and the anchors anyone prepared (`prepareAnchor`).
/// @dev It inherits the generated verifier (never edited) for its verification key and keeps its
/// `verifyProof` public; a credit proof is checked here in one frame (`_verifyGroth16`), with no
/// call to itself. `DEFAULT_ADMIN_ROLE` pauses and unpauses.
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

    // anchor id (`anchorIdOf`) => the part of `vk_x` from its four signals, x and y; (0, 0): not prepared
    mapping(bytes32 anchorId => uint256[2] point) private _anchors;

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

    /// @inheritdoc ICreditVerifier
    function prepareAnchor(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        returns (bytes32 anchorId)
    {
        if (kycRoot >= CreditCircuit.SNARK_SCALAR_FIELD) revert NotAFieldElement(CreditCircuit.SIGNAL_KYC_ROOT, kycRoot);
        if (bureauKeyHash >= CreditCircuit.SNARK_SCALAR_FIELD) {
            revert NotAFieldElement(CreditCircuit.SIGNAL_BUREAU_KEY_HASH, bureauKeyHash);
        }
        if (scope >= CreditCircuit.SNARK_SCALAR_FIELD) revert NotAFieldElement(CreditCircuit.SIGNAL_SCOPE, scope);
        if (committeeKeyY >= CreditCircuit.SNARK_SCALAR_FIELD) {
            revert NotAFieldElement(CreditCircuit.SIGNAL_COMMITTEE_KEY_Y, committeeKeyY);
        }
        // only for what a proof could use today: no slot is filled for junk
        _requireValidRoot(kycRoot);
        if (!bureauRegistry.isKeyActive(bureauKeyHash, block.timestamp)) revert InactiveBureauKey(bureauKeyHash);
        _requireActiveCommitteeKey(committeeKeyY, block.timestamp);

        anchorId = anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope);
        uint256[2] storage anchor = _anchors[anchorId];
        if (anchor[0] | anchor[1] != 0) revert AnchorAlreadyPrepared(anchorId);
        uint256[2] memory point;
        // the key's points are on the curve and the scalars below its order: the precompiles cannot fail
        assert(_anchorPoint(point, kycRoot, bureauKeyHash, scope, committeeKeyY));
        (anchor[0], anchor[1]) = (point[0], point[1]);
        emit AnchorPrepared(anchorId, kycRoot, bureauKeyHash, committeeKeyY, scope);
    }

    /// @inheritdoc ICreditVerifier
    function anchorPrepared(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        view
        returns (bool)
    {
        uint256[2] storage anchor = _anchors[anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope)];
        return anchor[0] | anchor[1] != 0;
    }

    /// @inheritdoc ICreditVerifier
    function anchorIdOf(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(kycRoot, bureauKeyHash, committeeKeyY, scope));
    }

    /// @dev The Groth16 check: `e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) == 1`, with
    /// `vk_x = IC0 + sum signals[i]·IC(i+1)`, over the generated verification key. The part of
    /// `vk_x` from the anchor's four signals comes from its slots when prepared (two cold reads
    /// instead of four ecMul and four ecAdd calls), else it is computed here. It is `verifyProof` of
    /// the generated contract without the call to itself, its field checks (the caller made them)
    /// and its signal copies. Virtual only so that a test harness can model it
    /// (contracts/test/ModelProofCreditVerifier.sol) while every other check stays real.
    function _verifyGroth16(uint256[8] calldata p, uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals)
        internal
        view
        virtual
        returns (bool)
    {
        uint256[2] memory vkX;
        bool ok = _loadAnchor(vkX, signals);
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic = _icPoints();
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_NULLIFIER, signals[CreditCircuit.SIGNAL_NULLIFIER]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_EPHEMERAL_KEY_Y, signals[CreditCircuit.SIGNAL_EPHEMERAL_KEY_Y]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_CIPHERTEXT, signals[CreditCircuit.SIGNAL_CIPHERTEXT]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_CONTEXT, signals[CreditCircuit.SIGNAL_CONTEXT]);
        return ok && _pairing(p, vkX);
    }

    /// @dev Puts the anchor of the proof's signals in `vkX`: from its slots if prepared, else
    /// computed (`_anchorPoint`). False if a precompile failed.
    function _loadAnchor(uint256[2] memory vkX, uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals)
        private
        view
        returns (bool)
    {
        uint256 kycRoot = signals[CreditCircuit.SIGNAL_KYC_ROOT];
        uint256 bureauKeyHash = signals[CreditCircuit.SIGNAL_BUREAU_KEY_HASH];
        uint256 scope = signals[CreditCircuit.SIGNAL_SCOPE];
        uint256 committeeKeyY = signals[CreditCircuit.SIGNAL_COMMITTEE_KEY_Y];
        uint256[2] storage anchor = _anchors[anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope)];
        (vkX[0], vkX[1]) = (anchor[0], anchor[1]);
        if (vkX[0] | vkX[1] != 0) return true;
        return _anchorPoint(vkX, kycRoot, bureauKeyHash, scope, committeeKeyY);
    }

    /// @dev Puts `IC0 + kycRoot·IC + bureauKeyHash·IC + scope·IC + committeeKeyY·IC` in `vkX`, each
    /// `IC` the verification key's point for that signal: the part of `vk_x` an anchor keeps.
    /// False if a precompile failed.
    function _anchorPoint(
        uint256[2] memory vkX,
        uint256 kycRoot,
        uint256 bureauKeyHash,
        uint256 scope,
        uint256 committeeKeyY
    ) private view returns (bool ok) {
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic = _icPoints();
        (vkX[0], vkX[1]) = (ic[0], ic[1]);
        ok = _mulAdd(vkX, ic, CreditCircuit.SIGNAL_KYC_ROOT, kycRoot);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_BUREAU_KEY_HASH, bureauKeyHash);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_SCOPE, scope);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_COMMITTEE_KEY_Y, committeeKeyY);
    }

    /// @dev The verification key's `IC` points, flat: signal `i`'s is at `2i + 2`, `2i + 3`
    /// (`IC0` first), so the signal order stays `CreditCircuit`'s alone.
    function _icPoints() private pure returns (uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory) {
        return [IC0x, IC0y, IC1x, IC1y, IC2x, IC2y, IC3x, IC3y, IC4x, IC4y, IC5x, IC5y, IC6x, IC6y, IC7x, IC7y, IC8x, IC8y];
    }

    /// @dev `acc += s·IC` for signal `signalIndex` (ecMul, then ecAdd). False if a precompile failed.
    function _mulAdd(
        uint256[2] memory acc,
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic,
        uint256 signalIndex,
        uint256 s
    ) private view returns (bool ok) {
        uint256 icx = ic[2 * signalIndex + 2];
        uint256 icy = ic[2 * signalIndex + 3];
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, icx)
            mstore(add(m, 0x20), icy)
            mstore(add(m, 0x40), s)
            ok := staticcall(gas(), 0x07, m, 0x60, add(m, 0x40), 0x40)
            mstore(m, mload(acc))
            mstore(add(m, 0x20), mload(add(acc, 0x20)))
            ok := and(ok, staticcall(gas(), 0x06, m, 0x80, acc, 0x40))
        }
    }

    /// @dev The pairing product of the proof `p` (verifier order) with `vk_x = (x, y)` is one. `A.y`
    /// must be below the base field, as the precompile requires of every other coordinate.
    function _pairing(uint256[8] calldata p, uint256[2] memory vkX) private view returns (bool isOk) {
        (uint256 x, uint256 y) = (vkX[0], vkX[1]);
        assembly ("memory-safe") {
            let m := mload(0x40)
            let ay := calldataload(add(p, 0x20))
            // -A
            mstore(m, calldataload(p))
            mstore(add(m, 0x20), mod(sub(q, ay), q))
            // B
            calldatacopy(add(m, 0x40), add(p, 0x40), 0x80)
            mstore(add(m, 0xc0), alphax)
            mstore(add(m, 0xe0), alphay)
            mstore(add(m, 0x100), betax1)
            mstore(add(m, 0x120), betax2)
            mstore(add(m, 0x140), betay1)
            mstore(add(m, 0x160), betay2)
            mstore(add(m, 0x180), x)
            mstore(add(m, 0x1a0), y)
            mstore(add(m, 0x1c0), gammax1)
            mstore(add(m, 0x1e0), gammax2)
            mstore(add(m, 0x200), gammay1)
            mstore(add(m, 0x220), gammay2)
            // C
            calldatacopy(add(m, 0x240), add(p, 0xc0), 0x40)
            mstore(add(m, 0x280), deltax1)
            mstore(add(m, 0x2a0), deltax2)
            mstore(add(m, 0x2c0), deltay1)
            mstore(add(m, 0x2e0), deltay2)
            let success := staticcall(gas(), 0x08, m, 0x300, m, 0x20)
            isOk := and(and(success, lt(ay, q)), mload(m))
        }
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
