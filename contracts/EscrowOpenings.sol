// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEscrowCommitteeRegistry} from "./interfaces/IEscrowCommitteeRegistry.sol";
import {IEscrowOpenings} from "./interfaces/IEscrowOpenings.sol";
import {IEscrowMarket} from "./interfaces/IEscrowMarket.sol";
import {escrowTag} from "./interfaces/ILoanMarket.sol";
import {BabyJubjub} from "./libraries/BabyJubjub.sol";

/// @title EscrowOpenings
/// @notice Opening requests for the escrows of one market's defaulted loans, and the committee's
/// partial decryptions, in events. The rules are in {IEscrowOpenings}.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` grants `REQUESTER_ROLE` (e.g. the compliance desk or a
/// lender's recovery agent). One contract per market: the loan id names the opening.
contract EscrowOpenings is IEscrowOpenings, AccessControl {
    /// @notice May request openings.
    bytes32 public constant REQUESTER_ROLE = keccak256("REQUESTER_ROLE");

    /// @notice The market whose loans' escrows this contract opens.
    IEscrowMarket public immutable market;
    /// @notice Where committee keys and their authorities are registered.
    IEscrowCommitteeRegistry public immutable committees;

    mapping(uint256 loanId => Opening) private _openings;
    mapping(uint256 ephemeralKeyY => uint256 loanIdPlusOne) private _loanOfEscrow;
    mapping(uint256 loanId => mapping(uint256 index => bool)) private _published;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    constructor(address admin, IEscrowMarket market_, IEscrowCommitteeRegistry committees_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        market = market_;
        committees = committees_;
    }

    /// @inheritdoc IEscrowOpenings
    function requestOpening(uint256 loanId, uint256 nullifier, uint256 committeeKeyY, uint256 ephemeralKeyY, uint256 ciphertext)
        external
        onlyRole(REQUESTER_ROLE)
    {
        (bool defaulted, uint8 status, uint144 recorded) = market.escrowOf(loanId, nullifier);
        if (!defaulted) revert LoanNotDefaulted(loanId, status);
        if (_openings[loanId].requestedAt != 0) revert OpeningAlreadyRequested(loanId);
        if (ephemeralKeyY <= 1 || ephemeralKeyY >= BabyJubjub.P - 1 || ciphertext >= BabyJubjub.P) revert InvalidEscrow(ephemeralKeyY, ciphertext);
        // the escrow is the one the loan's verified proof carried, as the market recorded it (the
        // verifier checked the committee key was active then); nothing the requester makes up
        if (recorded == 0 || escrowTag(committeeKeyY, ephemeralKeyY, ciphertext) != recorded) {
            revert EscrowNotOfLoan(loanId, nullifier, committeeKeyY, ephemeralKeyY, ciphertext, recorded);
        }
        uint256 other = _loanOfEscrow[ephemeralKeyY];
        if (other != 0) revert EscrowAlreadyRequested(ephemeralKeyY, other - 1);
        _openings[loanId] = Opening({
            committeeKeyY: committeeKeyY,
            ephemeralKeyY: ephemeralKeyY,
            ciphertext: ciphertext,
            requester: msg.sender,
            requestedAt: uint64(block.timestamp),
            shares: 0
        });
        _loanOfEscrow[ephemeralKeyY] = loanId + 1;
        emit OpeningRequested(loanId, msg.sender, committeeKeyY, ephemeralKeyY, ciphertext);
    }

    /// @inheritdoc IEscrowOpenings
    function publishPartialDecryption(uint256 loanId, uint256 partialX, uint256 partialY, uint256 challenge, uint256 response) external {
        Opening storage opening = _openings[loanId];
        if (opening.requestedAt == 0) revert OpeningNotRequested(loanId);
        uint256 keyY = opening.committeeKeyY;
        uint256 index = committees.authorityIndex(keyY, msg.sender);
        if (index == 0) revert NotAnAuthority(loanId, msg.sender);
        if (_published[loanId][index]) revert ShareAlreadyPublished(loanId, index);
        if (!BabyJubjub.isValidPoint(partialX, partialY) || challenge >= BabyJubjub.P || response >= BabyJubjub.SUBGROUP_ORDER) {
            revert InvalidPartialDecryption(partialX, partialY);
        }
        _published[loanId][index] = true;
        uint8 shares = opening.shares + 1;
        opening.shares = shares;
        emit PartialDecryptionPublished(loanId, index, msg.sender, partialX, partialY, challenge, response);
        uint256 threshold = committees.committeeKeyWindow(keyY).threshold;
        if (shares == threshold) emit OpeningQuorumReached(loanId, threshold);
    }

    /// @inheritdoc IEscrowOpenings
    function openingOf(uint256 loanId) external view returns (Opening memory) {
        return _openings[loanId];
    }

    /// @inheritdoc IEscrowOpenings
    function hasPublished(uint256 loanId, uint256 index) external view returns (bool) {
        return _published[loanId][index];
    }
}
