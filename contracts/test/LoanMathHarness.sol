// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LoanMath} from "../libraries/LoanMath.sol";

/// @notice Test-only: exposes {LoanMath} to property tests.
contract LoanMathHarness {
    /// @notice A whole schedule in one call: interest, instalment amounts and due times.
    function schedule(uint256 principal, uint256 aprBps, uint256 term, uint256 count, uint256 start)
        external
        pure
        returns (uint256 interestAmount, uint256[] memory amounts, uint256[] memory dueTimes)
    {
        interestAmount = LoanMath.interest(principal, aprBps, term);
        uint256 total = principal + interestAmount;
        amounts = new uint256[](count);
        dueTimes = new uint256[](count);
        for (uint256 k; k < count; ++k) {
            amounts[k] = LoanMath.instalmentAmount(total, count, k);
            dueTimes[k] = LoanMath.dueTime(start, term, count, k);
        }
    }

    function interest(uint256 principal, uint256 aprBps, uint256 term) external pure returns (uint256) {
        return LoanMath.interest(principal, aprBps, term);
    }

    function cumulativeDue(uint256 total, uint256 count, uint256 k) external pure returns (uint256) {
        return LoanMath.cumulativeDue(total, count, k);
    }

    function instalmentsPaid(uint256 total, uint256 count, uint256 repaid) external pure returns (uint256) {
        return LoanMath.instalmentsPaid(total, count, repaid);
    }

    function nextInstalment(uint256 total, uint256 count, uint256 repaid)
        external
        pure
        returns (uint256 paid, uint256 remaining)
    {
        return LoanMath.nextInstalment(total, count, repaid);
    }

    function countDueBefore(uint256 start, uint256 term, uint256 count, uint256 time) external pure returns (uint256) {
        return LoanMath.countDueBefore(start, term, count, time);
    }

    function periodsStarted(uint256 start, uint256 term, uint256 count, uint256 time) external pure returns (uint256) {
        return LoanMath.periodsStarted(start, term, count, time);
    }

    function payoffTotal(uint256 principal, uint256 interestAmount, uint256 count, uint256 started)
        external
        pure
        returns (uint256)
    {
        return LoanMath.payoffTotal(principal, interestAmount, count, started);
    }
}
