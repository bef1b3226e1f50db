// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ILoanMarket} from "./interfaces/ILoanMarket.sol";
import {IOfferPositions} from "./interfaces/IOfferPositions.sol";
import {PositionMetadata} from "./libraries/PositionMetadata.sol";

/// @title OfferPositions
/// @notice The ERC-721 positions of loans taken from `LoanMarket` offers. The rules are in
/// {IOfferPositions} and {ILoanMarket}.
/// @dev Deployed by the market's constructor (`market` is its deployer), so the market's runtime
/// code carries none of the ERC-721 or the metadata, and `borrow` and the repayments of loans
/// without a position never call it.
contract OfferPositions is IOfferPositions, ERC721 {
    /// @inheritdoc IOfferPositions
    address public immutable market;

    constructor() ERC721("zkcredit offer loan position", "ZKOP") {
        market = msg.sender;
    }

    /// @inheritdoc IOfferPositions
    function mint(address to, uint256 loanId) external {
        if (msg.sender != market) revert NotMarket(msg.sender, market);
        // no receiver callback: the market mints to the lender that calls it, mid-transaction
        _mint(to, loanId);
    }

    /// @inheritdoc IOfferPositions
    function holderOf(address spender, uint256 loanId) external view returns (address holder, bool authorized) {
        holder = _ownerOf(loanId);
        authorized = holder != address(0) && _isAuthorized(holder, spender, loanId);
    }

    /// @inheritdoc IOfferPositions
    function tokenURI(uint256 loanId) public view override(ERC721, IOfferPositions) returns (string memory) {
        _requireOwned(loanId);
        ILoanMarket m = ILoanMarket(market);
        PositionMetadata.OfferView memory v;
        v.loanId = loanId;
        v.loan = m.loan(loanId);
        v.offer = m.offer(v.loan.offerId);
        v.aprBps = m.tierOf(v.loan.offerId, v.loan.tier).aprBps;
        v.totalDue = m.loanPosition(loanId).totalDue;
        v.position = m.offerPosition(loanId);
        return PositionMetadata.offerUri(v);
    }
}
