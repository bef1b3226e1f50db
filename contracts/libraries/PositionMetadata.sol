// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ILoanMarket} from "../interfaces/ILoanMarket.sol";
import {IRequestMarket} from "../interfaces/IRequestMarket.sol";

/// @title PositionMetadata
/// @notice The ERC-721 metadata of a lender position, built on chain: a
/// `data:application/json;base64,` URI whose JSON has a name, a description and attributes (the
/// loan's terms, the position's amounts and the loan's status). Amounts are in the token's
/// smallest unit. `uri` builds a `RequestMarket` position's, `offerUri` an `OfferPositions` one's
/// (a loan taken from a `LoanMarket` offer); both share the JSON encoding below.
library PositionMetadata {
    using Strings for uint256;

    /// @notice What an offer position's metadata shows (read from the `LoanMarket` views).
    /// @param loanId The loan (also the position's token id).
    /// @param loan The loan as `ILoanMarket.loan` returns it.
    /// @param offer Its offer (terms and token).
    /// @param aprBps The tier's rate.
    /// @param totalDue `principal + interest`.
    /// @param position The position's books (`ILoanMarket.offerPosition`).
    struct OfferView {
        uint256 loanId;
        ILoanMarket.Loan loan;
        ILoanMarket.Offer offer;
        uint256 aprBps;
        uint256 totalDue;
        ILoanMarket.OfferPosition position;
    }

    /// @notice The metadata URI of `RequestMarket` position `positionId`.
    function uri(
        uint256 positionId,
        IRequestMarket.Position memory p,
        IRequestMarket.Request memory r,
        IRequestMarket.RequestStatus status,
        uint256 claimableNow
    ) internal pure returns (string memory) {
        bytes memory head = abi.encodePacked(
            '{"name":"zkcredit position #',
            positionId.toString(),
            '","description":"A lender\'s share of zkcredit loan request ',
            uint256(p.requestId).toString(),
            ': its holder claims this share of every repayment, late fee and recovery.","attributes":[',
            _attr("request", uint256(p.requestId).toString(), true),
            _attr("token", Strings.toHexString(address(r.token)), false),
            _attr("amount", uint256(p.amount).toString(), true),
            _attr("claimed", uint256(p.claimed).toString(), true),
            _attr("claimable", claimableNow.toString(), true)
        );
        bytes memory terms = abi.encodePacked(
            _attr("principal", uint256(r.raised).toString(), true),
            _attr("apr_bps", uint256(r.aprBps).toString(), true),
            _attr("term_seconds", uint256(r.term).toString(), true),
            _attr("instalments", uint256(r.instalmentCount).toString(), true),
            _attr("deadline", uint256(r.deadline).toString(), true)
        );
        return _document(head, terms, _requestStatusName(status));
    }

    /// @notice The metadata URI of the position of a loan taken from a `LoanMarket` offer.
    function offerUri(OfferView memory v) internal pure returns (string memory) {
        string memory id = v.loanId.toString();
        bytes memory head = abi.encodePacked(
            '{"name":"zkcredit offer position #',
            id,
            '","description":"The lender\'s share of zkcredit loan ',
            id,
            ", taken from offer ",
            uint256(v.loan.offerId).toString(),
            ': its holder claims every repayment, late fee and recovery of the loan since the position opened.","attributes":['
        );
        head = abi.encodePacked(
            head,
            _attr("loan", id, true),
            _attr("offer", uint256(v.loan.offerId).toString(), true),
            _attr("token", Strings.toHexString(address(v.offer.token)), false)
        );
        head = abi.encodePacked(
            head,
            _attr("received", v.position.received.toString(), true),
            _attr("claimed", v.position.claimed.toString(), true),
            _attr("claimable", v.position.claimable.toString(), true)
        );
        return _document(head, _offerTerms(v), _loanStatusName(v.loan.status, v.loan.repaid == v.totalDue));
    }

    function _offerTerms(OfferView memory v) private pure returns (bytes memory) {
        bytes memory terms = abi.encodePacked(
            _attr("principal", uint256(v.loan.principal).toString(), true),
            _attr("apr_bps", v.aprBps.toString(), true),
            _attr("term_seconds", uint256(v.offer.term).toString(), true),
            _attr("instalments", uint256(v.offer.instalmentCount).toString(), true)
        );
        return abi.encodePacked(
            terms,
            _attr("late_fee", uint256(v.offer.lateFee).toString(), true),
            _attr("start_time", uint256(v.loan.startTime).toString(), true),
            _attr("total_due", v.totalDue.toString(), true),
            _attr("repaid", uint256(v.loan.repaid).toString(), true)
        );
    }

    /// @dev `head` opens the JSON and its attributes, `terms` adds more, the status closes them.
    function _document(bytes memory head, bytes memory terms, string memory status) private pure returns (string memory) {
        bytes memory json = abi.encodePacked(head, terms, '{"trait_type":"status","value":"', status, '"}]}');
        return string(abi.encodePacked("data:application/json;base64,", Base64.encode(json)));
    }

    function _attr(string memory name, string memory value, bool numeric) private pure returns (bytes memory) {
        return numeric
            ? abi.encodePacked('{"trait_type":"', name, '","value":', value, "},")
            : abi.encodePacked('{"trait_type":"', name, '","value":"', value, '"},');
    }

    function _requestStatusName(IRequestMarket.RequestStatus status) private pure returns (string memory) {
        if (status == IRequestMarket.RequestStatus.Open) return "open";
        if (status == IRequestMarket.RequestStatus.Cancelled) return "cancelled";
        if (status == IRequestMarket.RequestStatus.Expired) return "expired";
        if (status == IRequestMarket.RequestStatus.Active) return "active";
        if (status == IRequestMarket.RequestStatus.Repaid) return "repaid";
        if (status == IRequestMarket.RequestStatus.Defaulted) return "defaulted";
        return "none";
    }

    /// @dev A defaulted loan paid in full reads "recovered" (its status stays `Defaulted`).
    function _loanStatusName(ILoanMarket.LoanStatus status, bool paidInFull) private pure returns (string memory) {
        if (status == ILoanMarket.LoanStatus.Active) return "active";
        if (status == ILoanMarket.LoanStatus.Repaid) return "repaid";
        if (status == ILoanMarket.LoanStatus.Defaulted) return paidInFull ? "recovered" : "defaulted";
        return "none";
    }
}
