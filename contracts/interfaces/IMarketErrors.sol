// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMarketErrors
/// @notice The errors both loan markets raise alike (`ILoanMarket`'s offers and `IRequestMarket`'s
/// requests): constructor arguments, the token allowlist and transfers, loan terms, amounts, and a
/// pseudonym's standing. Both interfaces inherit them, so each error has one declaration, one
/// selector and the same arguments in either market. Errors whose arguments name the market's own
/// ids or statuses (`UnknownLoan`, `LoanNotActive`, `NothingOwed`, ...) stay in each interface.
interface IMarketErrors {
    /// @notice An address argument is zero (a constructor's, or the token of `setTokenAllowed`).
    error ZeroAddress();

    /// @notice The market must allow at least one active loan per pseudonym.
    error InvalidMaxActiveLoans(uint256 maxActiveLoans);

    /// @notice The token is not a contract.
    error InvalidToken(address token);

    /// @notice The admin has not allowed `token` (or disallowed it): no new offer, deposit, request
    /// or funding in it. Existing loans in it still repay, withdraw, claim and default as usual.
    error TokenNotAllowed(address token);

    /// @notice `token` is already allowed (`allowed` true) or already not allowed (`allowed` false).
    error TokenAllowlistUnchanged(address token, bool allowed);

    /// @notice The market received `received` instead of `expected`: fee-on-transfer tokens are not supported.
    error UnsupportedToken(address token, uint256 expected, uint256 received);

    /// @notice An amount is 0.
    error ZeroAmount();

    /// @notice `amount` does not fit the market's bookkeeping (at most `max`).
    error AmountTooLarge(uint256 amount, uint256 max);

    /// @notice An offer or a request has 1 to `maxInstalmentCount` instalments.
    error InvalidInstalmentCount(uint256 instalmentCount, uint256 maxInstalmentCount);

    /// @notice The term is shorter than one second per instalment or longer than `maxTerm`.
    error InvalidTerm(uint256 term, uint256 instalmentCount, uint256 maxTerm);

    /// @notice The default period must be longer than the grace period and at most `maxPeriod`.
    error InvalidDefaultPeriod(uint256 defaultPeriod, uint256 gracePeriod, uint256 maxPeriod);

    /// @notice This pseudonym defaulted in this market: it cannot borrow (or list a request) again.
    error PseudonymDefaulted(uint256 nullifier);

    /// @notice The pseudonym has `activeLoans` active loans (open requests included in
    /// `RequestMarket`), the most this market allows.
    error TooManyActiveLoans(uint256 nullifier, uint256 activeLoans, uint256 maxActiveLoans);

    /// @notice The proof is not newer than the pseudonym's last accepted proof (`lastProofTime`).
    error ProofReplayed(uint256 nullifier, uint256 currentTime, uint256 lastProofTime);
}
