// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {CreditVerificationKey} from "./generated/CreditVerificationKey.sol";
import {CREDIT_PROOF_SIGNAL_COUNT} from "./interfaces/ICreditProofVerifier.sol";
import {ICreditProofCheck} from "./interfaces/ICreditProofCheck.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";

/// @notice What a credit proof is checked against: the trust registry and the time window.
/// @param trustRegistry Whose KYC roots, bureau keys and committee keys are accepted.
/// @param maxProofAge Seconds a proof's `currentTime` may lag block time.
/// @param maxFutureSkew Seconds a proof's `currentTime` may lead block time.
struct ProofCheckConfig {
    ITrustRegistry trustRegistry;
    uint256 maxProofAge;
    uint256 maxFutureSkew;
}

/// @notice The trust registry and the time window `verifier` checks proofs against, for a market that
/// checks its own with the same rules (`LoanMarket`): read once, at its deployment.
function proofCheckConfigOf(ICreditVerifier verifier) view returns (ProofCheckConfig memory) {
    if (address(verifier) == address(0)) revert ICreditVerifier.ZeroAddress();
    return ProofCheckConfig(verifier.trustRegistry(), verifier.maxProofAge(), verifier.maxFutureSkew());
}

/// @title CreditProofCheck
/// @notice The checks of a credit proof (`ICreditProofCheck`) and its anchors, for a contract that
/// checks proofs itself: `CreditVerifier` for any market, `LoanMarket` for its own borrows (no call
/// to another contract, about 6,100 gas less per borrow). The pause is the inheriting contract's.
/// @dev The Groth16 check runs in the caller's frame over the generated verification key
/// (`CreditVerificationKey`, from the same zkey as the generated `CreditProofVerifier`).
abstract contract CreditProofCheck is ICreditProofCheck {
    /// @dev BN254's base field: every coordinate of a curve point is below it.
    uint256 private constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    ITrustRegistry internal immutable _trustRegistry;
    uint256 internal immutable _maxProofAge;
    uint256 internal immutable _maxFutureSkew;

    // anchor id (`anchorIdOf`) => the part of `vk_x` from its four signals, x and y; (0, 0): not prepared
    mapping(bytes32 anchorId => uint256[2] point) private _anchors;

    /// @param config The trust registry and the time window, checked by whoever supplies them.
    constructor(ProofCheckConfig memory config) {
        // the key's IC count must match the circuit's signals: fail the deployment, not every proof
        assert(CREDIT_PROOF_SIGNAL_COUNT == CreditCircuit.PUBLIC_SIGNAL_COUNT);
        _trustRegistry = config.trustRegistry;
        _maxProofAge = config.maxProofAge;
        _maxFutureSkew = config.maxFutureSkew;
    }

    /// @dev Every check of `ICreditVerifier.verifyCreditProof` but the pause, in its order; reverts
    /// with the first that fails. Virtual only so that a test harness can send it to an external
    /// verifier (contracts/test/ExternalVerifierLoanMarket.sol).
    function _checkCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope, uint256 message)
        internal
        view
        virtual
    {
        uint256 currentTime = proof.currentTime;
        if (currentTime > block.timestamp + _maxFutureSkew) revert ProofFromFuture(currentTime, block.timestamp);
        if (currentTime + _maxProofAge < block.timestamp) revert ProofTooOld(currentTime, block.timestamp);
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

        // one call to one account for the root, the bureau key and the committee key; its errors
        // (`ITrustErrors`) pass through
        _trustRegistry.requireTrusted(proof.kycRoot, proof.bureauKeyHash, proof.committeeKeyY, currentTime);

        if (!_verifyGroth16(proof.points, signals)) revert InvalidProof();
    }

    /// @inheritdoc ICreditProofCheck
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
        _trustRegistry.requireTrusted(kycRoot, bureauKeyHash, committeeKeyY, block.timestamp);

        anchorId = anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope);
        uint256[2] storage anchor = _anchors[anchorId];
        if (anchor[0] | anchor[1] != 0) revert AnchorAlreadyPrepared(anchorId);
        uint256[2] memory point;
        // the key's points are on the curve and the scalars below its order: the precompiles cannot fail
        assert(_anchorPoint(point, CreditVerificationKey.icPoints(), kycRoot, bureauKeyHash, scope, committeeKeyY));
        (anchor[0], anchor[1]) = (point[0], point[1]);
        emit AnchorPrepared(anchorId, kycRoot, bureauKeyHash, committeeKeyY, scope);
    }

    /// @inheritdoc ICreditProofCheck
    function anchorPrepared(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        view
        returns (bool)
    {
        uint256[2] storage anchor = _anchors[anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope)];
        return anchor[0] | anchor[1] != 0;
    }

    /// @inheritdoc ICreditProofCheck
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
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic = CreditVerificationKey.icPoints();
        bool ok = _loadAnchor(vkX, ic, signals);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_NULLIFIER, signals[CreditCircuit.SIGNAL_NULLIFIER]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_EPHEMERAL_KEY_Y, signals[CreditCircuit.SIGNAL_EPHEMERAL_KEY_Y]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_CIPHERTEXT, signals[CreditCircuit.SIGNAL_CIPHERTEXT]);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_CONTEXT, signals[CreditCircuit.SIGNAL_CONTEXT]);
        return ok && _pairing(p, vkX);
    }

    /// @dev Puts the anchor of the proof's signals in `vkX`: from its slots if prepared, else
    /// computed (`_anchorPoint`). False if a precompile failed.
    function _loadAnchor(
        uint256[2] memory vkX,
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic,
        uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals
    ) private view returns (bool) {
        uint256 kycRoot = signals[CreditCircuit.SIGNAL_KYC_ROOT];
        uint256 bureauKeyHash = signals[CreditCircuit.SIGNAL_BUREAU_KEY_HASH];
        uint256 scope = signals[CreditCircuit.SIGNAL_SCOPE];
        uint256 committeeKeyY = signals[CreditCircuit.SIGNAL_COMMITTEE_KEY_Y];
        uint256[2] storage anchor = _anchors[anchorIdOf(kycRoot, bureauKeyHash, committeeKeyY, scope)];
        (vkX[0], vkX[1]) = (anchor[0], anchor[1]);
        if (vkX[0] | vkX[1] != 0) return true;
        return _anchorPoint(vkX, ic, kycRoot, bureauKeyHash, scope, committeeKeyY);
    }

    /// @dev Puts `IC0 + kycRoot·IC + bureauKeyHash·IC + scope·IC + committeeKeyY·IC` in `vkX`, each
    /// `IC` the verification key's point for that signal: the part of `vk_x` an anchor keeps.
    /// False if a precompile failed.
    function _anchorPoint(
        uint256[2] memory vkX,
        uint256[2 * CREDIT_PROOF_SIGNAL_COUNT + 2] memory ic,
        uint256 kycRoot,
        uint256 bureauKeyHash,
        uint256 scope,
        uint256 committeeKeyY
    ) private view returns (bool ok) {
        (vkX[0], vkX[1]) = (ic[0], ic[1]);
        ok = _mulAdd(vkX, ic, CreditCircuit.SIGNAL_KYC_ROOT, kycRoot);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_BUREAU_KEY_HASH, bureauKeyHash);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_SCOPE, scope);
        ok = ok && _mulAdd(vkX, ic, CreditCircuit.SIGNAL_COMMITTEE_KEY_Y, committeeKeyY);
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

    /// @dev The pairing product of the proof `p` (verifier order) with `vk_x` is one:
    /// `e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) == 1`. `A.y` must be below the base
    /// field, as the precompile requires of every other coordinate.
    function _pairing(uint256[8] calldata p, uint256[2] memory vkX) private view returns (bool ok) {
        if (p[1] >= BASE_FIELD) return false;
        uint256[24] memory input = [
            p[0],
            (BASE_FIELD - p[1]) % BASE_FIELD,
            p[2],
            p[3],
            p[4],
            p[5],
            CreditVerificationKey.ALPHA_X,
            CreditVerificationKey.ALPHA_Y,
            CreditVerificationKey.BETA_X1,
            CreditVerificationKey.BETA_X0,
            CreditVerificationKey.BETA_Y1,
            CreditVerificationKey.BETA_Y0,
            vkX[0],
            vkX[1],
            CreditVerificationKey.GAMMA_X1,
            CreditVerificationKey.GAMMA_X0,
            CreditVerificationKey.GAMMA_Y1,
            CreditVerificationKey.GAMMA_Y0,
            p[6],
            p[7],
            CreditVerificationKey.DELTA_X1,
            CreditVerificationKey.DELTA_X0,
            CreditVerificationKey.DELTA_Y1,
            CreditVerificationKey.DELTA_Y0
        ];
        assembly ("memory-safe") {
            // the result is read after the call: Yul evaluates arguments right to left
            let success := staticcall(gas(), 0x08, input, 0x300, input, 0x20)
            ok := and(success, mload(input))
        }
    }
}
