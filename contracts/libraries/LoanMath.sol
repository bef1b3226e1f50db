// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Panic} from "@openzeppelin/contracts/utils/Panic.sol";

/// @title LoanMath
/// @notice Integer arithmetic of an instalment loan: interest, the instalment schedule, due times
/// and the early repayment amount. Nothing per instalment is stored: the schedule is a formula of
/// (total, count) and due times a formula of (start, term, count).
/// @dev Rounding never favours the borrower: interest and cumulative dues round up. Instalments
/// are the differences of cumulative dues, so they sum to the total exactly and each differs
/// from `total / count` by less than one unit. Inputs are bounded by the market (principal below
/// 2^128, aprBps below 2^16, term below 2^32, count below 2^16), far from overflowing uint256: the
/// products below are unchecked, as each stays under 2^210 (amounts below 2^129 times counts below
/// 2^17, or time spans below 2^64 times counts; interest's product below 2^176). Subtractions stay
/// checked or follow a check that they cannot underflow (`nextInstalment`'s, its caller's check);
/// divisions by zero still revert.
library LoanMath {
    /// @notice Basis points in one.
    uint256 internal constant BPS = 10_000;

    /// @notice Seconds of the year the annual rate refers to.
    uint256 internal constant YEAR = 365 days;

    /// @notice Interest of the whole term at a simple (flat) annual rate on the original principal,
    /// rounded up: `ceil(principal * aprBps * term / (BPS * YEAR))`.
    function interest(uint256 principal, uint256 aprBps, uint256 term) internal pure returns (uint256) {
        unchecked {
            // `Math.ceilDiv` by a constant: the product is below 2^176, far from overflowing with
            // the divisor added
            return (principal * aprBps * term + (BPS * YEAR - 1)) / (BPS * YEAR);
        }
    }

    /// @notice What the first `k` instalments add up to: `ceil(total * k / count)`, for k in [0, count].
    function cumulativeDue(uint256 total, uint256 count, uint256 k) internal pure returns (uint256) {
        unchecked {
            return Math.ceilDiv(total * k, count);
        }
    }

    /// @notice Amount of instalment `k` (from 0).
    function instalmentAmount(uint256 total, uint256 count, uint256 k) internal pure returns (uint256) {
        return cumulativeDue(total, count, k + 1) - cumulativeDue(total, count, k);
    }

    /// @notice Number of instalments fully paid by `repaid`: the largest k with `cumulativeDue(k) <= repaid`.
    /// @dev `ceil(total * k / count) <= repaid` iff `total * k / count <= repaid` iff `k <= repaid * count / total`.
    function instalmentsPaid(uint256 total, uint256 count, uint256 repaid) internal pure returns (uint256) {
        if (total == 0) return count;
        unchecked {
            return Math.min(count, repaid * count / total);
        }
    }

    /// @notice For a loan not paid in full (`repaid < total`): the instalments fully paid,
    /// `instalmentsPaid(total, count, repaid)`, and what the next one still needs,
    /// `cumulativeDue(total, count, paid + 1) - repaid`, with one division each.
    /// @dev The caller checks `repaid < total` (its results mean nothing otherwise). That makes
    /// `paid = floor(repaid * count / total)` below `count` (no `min`), and `total * (paid + 1) >
    /// repaid * count`, so `cumulativeDue(paid + 1) > repaid`: the subtraction cannot underflow.
    /// In assembly, without the compiler's division checks: `total` is above `repaid`, so not
    /// zero, and a zero `count` reverts here as a division by zero does.
    function nextInstalment(uint256 total, uint256 count, uint256 repaid)
        internal
        pure
        returns (uint256 paid, uint256 remaining)
    {
        if (count == 0) Panic.panic(Panic.DIVISION_BY_ZERO);
        assembly ("memory-safe") {
            paid := div(mul(repaid, count), total)
            remaining := sub(div(add(mul(total, add(paid, 1)), sub(count, 1)), count), repaid)
        }
    }

    /// @notice Due time of instalment `k` (from 0): `start + floor(term * (k + 1) / count)`.
    /// The last one is due at `start + term`.
    function dueTime(uint256 start, uint256 term, uint256 count, uint256 k) internal pure returns (uint256) {
        unchecked {
            return start + term * (k + 1) / count;
        }
    }

    /// @notice Number of instalments due strictly before `time`.
    /// @dev With `e = time - start`: `floor(term * (k + 1) / count) < e` iff `term * (k + 1) < e * count`
    /// iff `k + 1 <= ceil(e * count / term) - 1`.
    function countDueBefore(uint256 start, uint256 term, uint256 count, uint256 time) internal pure returns (uint256) {
        if (time <= start) return 0;
        uint256 elapsed = time - start;
        unchecked {
            elapsed *= count;
        }
        return Math.min(count, Math.ceilDiv(elapsed, term) - 1);
    }

    /// @notice Number of instalment periods started at `time` (at least 1 from `start` on). Period k
    /// starts when instalment k - 1 is due (period 0 at `start`).
    /// @dev `floor(term * k / count) <= e` iff `term * k < (e + 1) * count` iff `k < ceil((e + 1) * count / term)`.
    function periodsStarted(uint256 start, uint256 term, uint256 count, uint256 time) internal pure returns (uint256) {
        if (time < start) return 0;
        unchecked {
            // time >= start: no underflow
            return Math.min(count, Math.ceilDiv((time - start + 1) * count, term));
        }
    }

    /// @notice What paying a loan off early costs in total: the whole principal plus the interest of
    /// the started periods, `principal + ceil(interest * started / count)`. Never below what is due
    /// by then, since `ceil(total * started / count) <= principal + ceil(interest * started / count)`.
    function payoffTotal(uint256 principal, uint256 interestAmount, uint256 count, uint256 started)
        internal
        pure
        returns (uint256)
    {
        unchecked {
            return principal + Math.ceilDiv(interestAmount * started, count);
        }
    }
}
