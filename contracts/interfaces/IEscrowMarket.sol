// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEscrowMarket
/// @notice What `EscrowOpenings` reads of a market whose loans carry identity escrows: a loan
/// offers' `LoanMarket` or the requests' `RequestMarket`, each served by an `EscrowOpenings` of its own.
interface IEscrowMarket {
    /// @notice The state of loan `loanId` for an opening of its escrow.
    /// @param loanId The market's loan id (a request id in `RequestMarket`).
    /// @param nullifier The loan's pseudonym, as the market's loan event names it.
    /// @return defaulted Whether the loan is marked defaulted (a status that never changes once set).
    /// @return status The loan's status in the market's own enum (0: unknown), for errors.
    /// @return tag `escrowTag(committeeKeyY, ephemeralKeyY, ciphertext)` of the escrow its verified
    /// proof carried; 0 if `loanId` is unknown or not a loan of `nullifier`.
    function escrowOf(uint256 loanId, uint256 nullifier) external view returns (bool defaulted, uint8 status, uint144 tag);
}
