// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IRequestMarket} from "../interfaces/IRequestMarket.sol";

/// @title PositionMetadata
/// @notice The ERC-721 metadata of a `RequestMarket` position, built on chain: a
/// `data:application/json;base64,` URI whose JSON has a name, a description and attributes (the
/// request, the token, the position's amount, what it claimed and may claim, the loan's principal,
/// rate, term, instalments, deadline and status). Amounts are in the token's smallest unit.
library PositionMetadata {
    using Strings for uint256;

    /// @notice The metadata URI of `positionId`.
    function uri(
        uint256 positionId,
        IRequestMarket.Position memory p,
        IRequestMarket.Request memory r,
        IRequestMarket.RequestStatus status,
        uint256 claimableNow
    ) internal pure returns (string memory) {
        string memory id = positionId.toString();
        bytes memory json = abi.encodePacked(
            '{"name":"zkcredit position #',
            id,
            '","description":"A lender\'s share of zkcredit loan request ',
            uint256(p.requestId).toString(),
            ': its holder claims this share of every repayment, late fee and recovery.","attributes":[',
            _attr("request", uint256(p.requestId).toString(), true),
            _attr("token", Strings.toHexString(address(r.token)), false),
            _attr("amount", uint256(p.amount).toString(), true),
            _attr("claimed", uint256(p.claimed).toString(), true),
            _attr("claimable", claimableNow.toString(), true)
        );
        json = abi.encodePacked(
            json,
            _attr("principal", uint256(r.raised).toString(), true),
            _attr("apr_bps", uint256(r.aprBps).toString(), true),
            _attr("term_seconds", uint256(r.term).toString(), true),
            _attr("instalments", uint256(r.instalmentCount).toString(), true),
            _attr("deadline", uint256(r.deadline).toString(), true),
            '{"trait_type":"status","value":"',
            _statusName(status),
            '"}]}'
        );
        return string(abi.encodePacked("data:application/json;base64,", Base64.encode(json)));
    }

    function _attr(string memory name, string memory value, bool numeric) private pure returns (bytes memory) {
        return numeric
            ? abi.encodePacked('{"trait_type":"', name, '","value":', value, "},")
            : abi.encodePacked('{"trait_type":"', name, '","value":"', value, '"},');
    }

    function _statusName(IRequestMarket.RequestStatus status) private pure returns (string memory) {
        if (status == IRequestMarket.RequestStatus.Open) return "open";
        if (status == IRequestMarket.RequestStatus.Cancelled) return "cancelled";
        if (status == IRequestMarket.RequestStatus.Expired) return "expired";
        if (status == IRequestMarket.RequestStatus.Active) return "active";
        if (status == IRequestMarket.RequestStatus.Repaid) return "repaid";
        if (status == IRequestMarket.RequestStatus.Defaulted) return "defaulted";
        return "none";
    }
}
