// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {IBureauRegistry} from "./interfaces/IBureauRegistry.sol";
import {ITrustErrors} from "./interfaces/ITrustErrors.sol";

/// @title BureauRegistry
/// @notice Credit bureaus and their attestation keys with validity windows: the bureau part of
/// `TrustRegistry`.
/// @dev `BUREAU_ADMIN_ROLE` registers bureaus and keys and revokes keys; it is its own admin, so the
/// other parts' admins cannot grant it.
abstract contract BureauRegistry is IBureauRegistry, ITrustErrors, AccessControl {
    /// @inheritdoc IBureauRegistry
    bytes32 public constant BUREAU_ADMIN_ROLE = keccak256("zkcredit.BureauRegistry.ADMIN_ROLE");

    uint32 private _bureauCount;
    mapping(uint256 bureauId => string name) private _bureauNames;
    mapping(uint256 keyHash => BureauKey) private _keys;

    /// @param admin Receives `BUREAU_ADMIN_ROLE` (the caller checks it is not zero).
    constructor(address admin) {
        _setRoleAdmin(BUREAU_ADMIN_ROLE, BUREAU_ADMIN_ROLE);
        _grantRole(BUREAU_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IBureauRegistry
    function addBureau(string calldata name) external onlyRole(BUREAU_ADMIN_ROLE) returns (uint256 bureauId) {
        if (bytes(name).length == 0) revert EmptyBureauName();
        bureauId = ++_bureauCount;
        _bureauNames[bureauId] = name;
        emit BureauAdded(bureauId, name);
    }

    /// @inheritdoc IBureauRegistry
    function addKey(uint256 bureauId, uint256 ax, uint256 ay, uint256 keyHash, uint256 validFrom, uint256 validUntil)
        external
        onlyRole(BUREAU_ADMIN_ROLE)
    {
        if (bureauId == 0 || bureauId > _bureauCount) revert UnknownBureau(bureauId);
        if (keyHash == 0 || keyHash >= CreditCircuit.SNARK_SCALAR_FIELD) revert InvalidKeyHash(keyHash);
        if (ax >= CreditCircuit.SNARK_SCALAR_FIELD || ay >= CreditCircuit.SNARK_SCALAR_FIELD || (ax == 0 && ay == 0)) {
            revert InvalidPublicKey(ax, ay);
        }
        // validUntil above 2^64 - 1 would not fit: treat as an invalid window rather than truncate
        if (validFrom >= validUntil || validUntil <= block.timestamp || validUntil > type(uint64).max) {
            revert InvalidValidityWindow(validFrom, validUntil, block.timestamp);
        }
        if (_keys[keyHash].validUntil != 0) revert KeyAlreadyRegistered(keyHash);
        _keys[keyHash] = BureauKey({
            ax: ax,
            ay: ay,
            bureauId: uint32(bureauId),
            validFrom: uint64(validFrom),
            validUntil: uint64(validUntil),
            revokedAt: 0
        });
        emit BureauKeyAdded(bureauId, keyHash, ax, ay, validFrom, validUntil);
    }

    /// @inheritdoc IBureauRegistry
    function revokeKey(uint256 keyHash) external onlyRole(BUREAU_ADMIN_ROLE) {
        BureauKey storage key = _keys[keyHash];
        if (key.validUntil == 0) revert UnknownKey(keyHash);
        if (key.revokedAt != 0) revert KeyAlreadyRevoked(keyHash, key.revokedAt);
        key.revokedAt = uint64(block.timestamp);
        emit BureauKeyRevoked(key.bureauId, keyHash);
    }

    /// @inheritdoc IBureauRegistry
    function isKeyActive(uint256 keyHash, uint256 timestamp) external view returns (bool) {
        return _isKeyActive(keyHash, timestamp);
    }

    /// @inheritdoc IBureauRegistry
    function keyOf(uint256 keyHash) external view returns (BureauKey memory) {
        return _keys[keyHash];
    }

    /// @inheritdoc IBureauRegistry
    function bureauName(uint256 bureauId) external view returns (string memory) {
        return _bureauNames[bureauId];
    }

    /// @inheritdoc IBureauRegistry
    function bureauCount() external view returns (uint256) {
        return _bureauCount;
    }

    /// @dev The attestation's key must be active at block time (not revoked, inside its window).
    function _requireActiveBureauKey(uint256 keyHash) internal view {
        if (!_isKeyActive(keyHash, block.timestamp)) revert InactiveBureauKey(keyHash);
    }

    function _isKeyActive(uint256 keyHash, uint256 timestamp) private view returns (bool) {
        BureauKey storage key = _keys[keyHash];
        // one slot read: the window and the revocation are packed together
        (uint64 validFrom, uint64 validUntil, uint64 revokedAt) = (key.validFrom, key.validUntil, key.revokedAt);
        return validFrom <= timestamp && timestamp < validUntil && (revokedAt == 0 || timestamp < revokedAt);
    }
}
