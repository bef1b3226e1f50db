// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LoanMarket} from "../LoanMarket.sol";
import {ICreditVerifier} from "../interfaces/ICreditVerifier.sol";

/// @notice Test-only: the real `LoanMarket` with its proofs sent to its `creditVerifier` instead of
/// checked in place, so that market tests that are not about proofs can use `MockCreditVerifier`
/// (any proof with `points[0] != 0`) or `ModelProofCreditVerifier` (modelled Groth16), and the
/// verifier's pause applies. Every other rule of the market runs as deployed.
contract ExternalVerifierLoanMarket is LoanMarket {
    constructor(address admin, ICreditVerifier verifier, uint256 maxActiveLoans_) LoanMarket(admin, verifier, maxActiveLoans_) {}

    function _checkCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope_, uint256 message)
        internal
        view
        override
    {
        creditVerifier.verifyCreditProof(proof, threshold, scope_, message);
    }
}
