// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title IOfferPositions
/// @notice The ERC-721 positions of loans taken from `LoanMarket` offers. The market deploys this
/// contract in its constructor and is the only one that mints (`ILoanMarket.openPosition`). A
/// position's token id is its loan's id (a loan from an offer has one lender, so one position).
/// Positions transfer like any NFT; the tokens they claim stay in the market, which pays the
/// current holder (`ILoanMarket.claimPosition`). Nothing is burnt: a position of a repaid loan
/// stays, as the record of what it received.
interface IOfferPositions is IERC721Metadata {
    /// @notice Only the market mints; `caller` is not it.
    error NotMarket(address caller, address market);

    /// @notice The `LoanMarket` whose loans these positions are.
    function market() external view returns (address);

    /// @notice Mints position `loanId` to `to`. The market only (`openPosition`).
    function mint(address to, uint256 loanId) external;

    /// @notice The holder of position `loanId` (0 if there is none) and whether `spender` is it or
    /// is approved for it (`approve` or `setApprovalForAll`): who may claim, and who is paid.
    function holderOf(address spender, uint256 loanId) external view returns (address holder, bool authorized);

    /// @notice The position's metadata: a `data:application/json;base64` URI with the loan's terms,
    /// what the position received, claimed and may claim, and the loan's status.
    function tokenURI(uint256 loanId) external view returns (string memory);
}
