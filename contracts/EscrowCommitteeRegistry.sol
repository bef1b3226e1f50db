// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEscrowCommitteeRegistry} from "./interfaces/IEscrowCommitteeRegistry.sol";
import {ITrustErrors} from "./interfaces/ITrustErrors.sol";
import {BabyJubjub} from "./libraries/BabyJubjub.sol";

/// @title EscrowCommitteeRegistry
/// @notice Escrow committee keys, their authorities and validity windows: the committee part of
/// `TrustRegistry`.
/// @dev `COMMITTEE_ADMIN_ROLE` registers and revokes keys; it is its own admin, so the other parts'
/// admins cannot grant it.
abstract contract EscrowCommitteeRegistry is IEscrowCommitteeRegistry, ITrustErrors, AccessControl {
    /// @inheritdoc IEscrowCommitteeRegistry
    bytes32 public constant COMMITTEE_ADMIN_ROLE = keccak256("zkcredit.EscrowCommitteeRegistry.ADMIN_ROLE");

    /// @notice Most authorities per committee.
    uint256 public constant MAX_AUTHORITIES = 64;

    mapping(uint256 keyY => CommitteeKey) private _keys;
    mapping(uint256 keyY => mapping(uint256 index => Authority)) private _authorities;
    mapping(uint256 keyY => mapping(address account => uint256 index)) private _indexOf;

    /// @param admin Receives `COMMITTEE_ADMIN_ROLE` (the caller checks it is not zero).
    constructor(address admin) {
        _setRoleAdmin(COMMITTEE_ADMIN_ROLE, COMMITTEE_ADMIN_ROLE);
        _grantRole(COMMITTEE_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function addCommitteeKey(uint256 x, uint256 keyY, uint256 threshold, Authority[] calldata authorities, uint256 validFrom, uint256 validUntil)
        external
        onlyRole(COMMITTEE_ADMIN_ROLE)
    {
        if (!BabyJubjub.isValidPoint(x, keyY)) revert InvalidCommitteePoint(x, keyY);
        uint256 size = authorities.length;
        if (threshold == 0 || threshold > size || size > MAX_AUTHORITIES) revert InvalidThreshold(threshold, size, MAX_AUTHORITIES);
        // validUntil above 2^64 - 1 would not fit: treat as an invalid window rather than truncate
        if (validFrom >= validUntil || validUntil <= block.timestamp || validUntil > type(uint64).max) {
            revert InvalidCommitteeWindow(validFrom, validUntil, block.timestamp);
        }
        if (_keys[keyY].validUntil != 0) revert CommitteeKeyAlreadyRegistered(keyY);
        _keys[keyY] = CommitteeKey({
            x: x,
            threshold: uint8(threshold),
            size: uint8(size),
            validFrom: uint64(validFrom),
            validUntil: uint64(validUntil),
            revokedAt: 0
        });
        emit CommitteeKeyAdded(keyY, x, threshold, size, validFrom, validUntil);
        for (uint256 i = 0; i < size; ++i) {
            Authority calldata authority = authorities[i];
            uint256 index = i + 1;
            if (authority.account == address(0) || _indexOf[keyY][authority.account] != 0) revert InvalidAuthority(index, authority.account);
            if (!BabyJubjub.isValidPoint(authority.shareX, authority.shareY)) revert InvalidCommitteePoint(authority.shareX, authority.shareY);
            _authorities[keyY][index] = authority;
            _indexOf[keyY][authority.account] = index;
            emit CommitteeAuthorityAdded(keyY, index, authority.account, authority.shareX, authority.shareY);
        }
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function revokeCommitteeKey(uint256 keyY) external onlyRole(COMMITTEE_ADMIN_ROLE) {
        CommitteeKey storage key = _keys[keyY];
        if (key.validUntil == 0) revert UnknownCommitteeKey(keyY);
        if (key.revokedAt != 0) revert CommitteeKeyAlreadyRevoked(keyY, key.revokedAt);
        key.revokedAt = uint64(block.timestamp);
        emit CommitteeKeyRevoked(keyY);
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function isCommitteeKeyActive(uint256 keyY, uint256 timestamp) external view returns (bool) {
        CommitteeKey storage key = _keys[keyY];
        // one slot read: the window and the revocation are packed together
        (uint64 validFrom, uint64 validUntil, uint64 revokedAt) = (key.validFrom, key.validUntil, key.revokedAt);
        return validFrom <= timestamp && timestamp < validUntil && (revokedAt == 0 || timestamp < revokedAt);
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function committeeKeyOf(uint256 keyY) external view returns (CommitteeKey memory) {
        return _keys[keyY];
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function committeeKeyWindow(uint256 keyY) external view returns (KeyWindow memory w) {
        CommitteeKey storage key = _keys[keyY];
        (w.threshold, w.validFrom, w.validUntil, w.revokedAt) = (key.threshold, key.validFrom, key.validUntil, key.revokedAt);
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function authorityOf(uint256 keyY, uint256 index) external view returns (Authority memory) {
        return _authorities[keyY][index];
    }

    /// @inheritdoc IEscrowCommitteeRegistry
    function authorityIndex(uint256 keyY, address account) external view returns (uint256) {
        return _indexOf[keyY][account];
    }

    /// @dev The escrow must be openable: under a registered committee key whose window holds the
    /// proof's time, and not revoked (a revocation refuses proofs from its block on, however old
    /// their `currentTime`). One slot, which also says why.
    function _requireActiveCommitteeKey(uint256 keyY, uint256 proofTime) internal view {
        CommitteeKey storage key = _keys[keyY];
        (uint8 threshold, uint64 validFrom, uint64 validUntil, uint64 revokedAt) =
            (key.threshold, key.validFrom, key.validUntil, key.revokedAt);
        if (threshold == 0 || revokedAt != 0 || proofTime < validFrom || proofTime >= validUntil) {
            revert InactiveCommitteeKey(keyY, proofTime, validFrom, validUntil, revokedAt);
        }
    }
}
