// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CreditVerifier} from "../CreditVerifier.sol";
import {CREDIT_PROOF_SIGNAL_COUNT} from "../interfaces/ICreditProofVerifier.sol";
import {ITrustRegistry} from "../interfaces/ITrustRegistry.sol";

/// @notice Test-only: the real `CreditVerifier` (pause, field range, time window, root record,
/// revocation, immediate-removal cut-off, bureau key, committee key) with only the Groth16 pairing check modelled.
/// A "model proof" is valid iff `points[0] == keccak256(abi.encode(signals)) >> 8`: it binds every
/// public signal as a real proof does. The fuzz harness makes a model proof only when the statement
/// is true off chain (the identity is a leaf under the root, the bureau key signed a score at or
/// above the threshold, the attestation is valid at `currentTime`), i.e. it models the circuit's
/// soundness; everything the contract checks itself runs for real.
contract ModelProofCreditVerifier is CreditVerifier {
    constructor(address admin, ITrustRegistry trust, uint256 maxProofAge_, uint256 maxFutureSkew_)
        CreditVerifier(admin, trust, maxProofAge_, maxFutureSkew_)
    {}

    function _verifyGroth16(uint256[8] calldata p, uint256[CREDIT_PROOF_SIGNAL_COUNT] memory signals)
        internal
        pure
        override
        returns (bool)
    {
        return p[0] == uint256(keccak256(abi.encode(signals))) >> 8;
    }
}
