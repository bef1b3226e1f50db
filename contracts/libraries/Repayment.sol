// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILoanMarket} from "../interfaces/ILoanMarket.sol";
import {LoanMath} from "./LoanMath.sol";

/// @title Repayment
/// @notice The repayment rules both markets share (`LoanMarket`'s offer loans and `RequestMarket`'s
/// funded requests), on a {Schedule} each market reads once from its own storage: the early
/// repayment amount, which instalments are newly late, and where a loan stands (the
/// `loanPosition` / `loanStanding` views). The instalment arithmetic itself is `LoanMath`'s.
/// @dev Reads block time, nothing else. Each market checks its own ids and statuses and reverts
/// with its own errors (their arguments are named after its ids) before it calls in here; what a
/// payment pays (`_amountDue`) stays in each market for that reason, and so that a repayment
/// makes no more internal calls than before.
library Repayment {
    /// @notice What a repayment asks to pay.
    enum Kind {
        Instalment,
        Amount,
        Payoff
    }

    /// @notice A loan with its terms, read once per call.
    /// @param aprBps The simple annual rate, basis points.
    /// @param principal The amount disbursed.
    /// @param interest Interest of the whole term (`LoanMath.interest`).
    /// @param total `principal + interest`.
    /// @param repaid Paid toward `total`.
    /// @param start Disbursement time.
    /// @param term Seconds from `start` to the last due time.
    /// @param count Number of instalments.
    /// @param gracePeriod Seconds after a due time before an unpaid instalment is late.
    /// @param lateFee Amount charged once per late instalment.
    struct Schedule {
        uint256 aprBps;
        uint256 principal;
        uint256 interest;
        uint256 total;
        uint256 repaid;
        uint256 start;
        uint256 term;
        uint256 count;
        uint256 gracePeriod;
        uint256 lateFee;
    }

    /// @notice What `repayAll` pays now before a default: the early repayment rule of `LoanMath.payoffTotal`
    /// for the periods started by block time, minus what was repaid.
    function payoffAmount(Schedule memory s) internal view returns (uint256) {
        uint256 started = LoanMath.periodsStarted(s.start, s.term, s.count, block.timestamp);
        uint256 target = LoanMath.payoffTotal(s.principal, s.interest, s.count, started);
        return target > s.repaid ? target - s.repaid : 0;
    }

    /// @notice `lateCount`: instalments whose due time plus grace period is over. Those of them not
    /// paid and not charged yet (`lateCharged` counts the charged ones, from the first) are
    /// `newlyLate`; they run from the first unpaid one, since payments apply in order, and each is
    /// charged once.
    function lateness(uint256 lateCharged, Schedule memory s, uint256 paid)
        internal
        view
        returns (uint256 newlyLate, uint256 lateCount)
    {
        return lateness(lateCharged, s.start, s.term, s.count, s.gracePeriod, paid);
    }

    /// @notice {lateness} of a schedule given by its fields (a repayment keeps them on the stack).
    /// @dev Instalments are late in order, so one is newly late iff the first uncharged unpaid one,
    /// `firstUncharged`, is: due times strictly increase (`term >= count`), so `lateCount >
    /// firstUncharged` iff instalment `firstUncharged` exists (`firstUncharged < count`) and its
    /// due time plus the grace period is before block time, `start + floor(term * (firstUncharged +
    /// 1) / count) + gracePeriod < block.timestamp`, that is (multiplied by `count`; the block time
    /// is an integer) `term * (firstUncharged + 1) + (start + gracePeriod) * count <
    /// block.timestamp * count`. A payment on schedule stops at that comparison, without a division
    /// or a subtraction; `lateCount` is counted only for a payment that charges late instalments (0
    /// when `newlyLate` is 0, where no caller reads it).
    function lateness(uint256 lateCharged, uint256 start, uint256 term, uint256 count, uint256 gracePeriod, uint256 paid)
        internal
        view
        returns (uint256 newlyLate, uint256 lateCount)
    {
        uint256 firstUncharged = Math.max(lateCharged, paid);
        unchecked {
            // far from overflowing: times below 2^41, term below 2^32, counts below 2^16
            // (firstUncharged is at most count)
            if (
                term * (firstUncharged + 1) + (start + gracePeriod) * count >= block.timestamp * count
                    || firstUncharged >= count
            ) return (0, 0);
            // here block.timestamp > gracePeriod, and lateCount > firstUncharged
            lateCount = LoanMath.countDueBefore(start, term, count, block.timestamp - gracePeriod);
            newlyLate = lateCount - firstUncharged;
        }
    }

    /// @notice From this time on the loan may be marked defaulted: its earliest unpaid instalment
    /// (`paid` are paid in full) is then past due by more than `defaultPeriod`.
    function defaultableAt(Schedule memory s, uint256 paid, uint256 defaultPeriod) internal pure returns (uint256) {
        return LoanMath.dueTime(s.start, s.term, s.count, paid) + defaultPeriod + 1;
    }

    /// @notice Where the loan stands at block time (`ILoanMarket.LoanPosition`, which
    /// `IRequestMarket.LoanStanding` repeats field for field). `settled`: repaid (nothing more is shown than
    /// the totals); `defaulted`: everything outstanding is due and overdue, and no default time.
    function standing(Schedule memory s, uint256 lateCharged, bool settled, bool defaulted, uint256 defaultPeriod)
        internal
        view
        returns (ILoanMarket.LoanPosition memory p)
    {
        p.interest = s.interest;
        p.totalDue = s.total;
        p.repaid = s.repaid;
        uint256 paid = LoanMath.instalmentsPaid(s.total, s.count, s.repaid);
        p.instalmentsPaid = paid;
        if (settled || s.repaid == s.total) return p;
        p.nextDueTime = LoanMath.dueTime(s.start, s.term, s.count, paid);
        p.nextInstalmentRemaining = LoanMath.cumulativeDue(s.total, s.count, paid + 1) - s.repaid;
        uint256 dueByNow = LoanMath.cumulativeDue(
            s.total, s.count, LoanMath.countDueBefore(s.start, s.term, s.count, block.timestamp + 1)
        );
        p.overdueAmount = dueByNow > s.repaid ? dueByNow - s.repaid : 0;
        (uint256 newlyLate,) = lateness(lateCharged, s, paid);
        p.lateFeesDue = newlyLate * s.lateFee;
        if (defaulted) {
            // after a default everything outstanding is due
            p.payoffAmount = s.total - s.repaid;
            p.overdueAmount = p.payoffAmount;
        } else {
            p.payoffAmount = payoffAmount(s);
            p.defaultableAt = defaultableAt(s, paid, defaultPeriod);
        }
    }
}
