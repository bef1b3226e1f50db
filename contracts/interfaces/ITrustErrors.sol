// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ITrustErrors
/// @notice Why the trust registry refuses what a credit proof stands on. `ITrustRegistry.requireTrusted` reverts
/// with them, and a proof check passes them on unchanged (`ICreditProofCheck` declares them too).
interface ITrustErrors {
    /// @notice `root` was never a root of the KYC registry.
    error UnknownRoot(uint256 root);

    /// @notice `root` was replaced at `replacedAt` and its validity ran out at `validUntil`.
    error ExpiredRoot(uint256 root, uint256 replacedAt, uint256 validUntil);

    /// @notice `root` was revoked by a compliance officer or the admin.
    error RevokedRoot(uint256 root);

    /// @notice `root` was published before an immediate removal, which invalidated it: re-prove
    /// against the current root.
    error InvalidatedRoot(uint256 root);

    /// @notice The bureau key is unknown, revoked, not yet valid or expired at block time.
    error InactiveBureauKey(uint256 keyHash);

    /// @notice The escrow committee key `committeeKeyY` is unknown (all zeros), revoked (`revokedAt`
    /// not 0), or its window [`validFrom`, `validUntil`) does not hold the proof's `currentTime`:
    /// prove again under a key that `isCommitteeKeyActive` says is active.
    error InactiveCommitteeKey(uint256 committeeKeyY, uint256 currentTime, uint256 validFrom, uint256 validUntil, uint256 revokedAt);
}
