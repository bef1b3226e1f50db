// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEscrowCommitteeRegistry
/// @notice Escrow committee keys with validity windows. A credit proof encrypts the borrower's
/// identity commitment under a committee key named by its y coordinate (the circuit's public
/// `committeeKeyY`; y names the key because the escrow's mask depends on y only, see
/// circuits/src/lib/escrow.circom); the verifier accepts the proof only while that key is active
/// here. Each key lists its t-of-n authorities: the address that may publish its partial
/// decryptions and its public share `Y_j = s_j·B8`, against which anyone checks them.
/// @dev The contract checks that every point is on Baby Jubjub and not of order 1 or 2; that a
/// point is in the prime-order subgroup costs a scalar multiplication that Solidity has no
/// precompile for, so the admin's client (`zkcredit committee register`) checks it before it
/// sends the key. Keys may overlap in time, so the committee rotates without a gap: register
/// the new key, let proofs under the old one stop (expiry or revocation), and keep the old key's
/// authorities and shares for as long as loans made under it can default: openings always use
/// the key the escrow was made under, active or not.
interface IEscrowCommitteeRegistry {
    /// @notice A registered committee key (two slots).
    /// @param x Baby Jubjub public key, x.
    /// @param threshold t: partial decryptions needed to open an escrow.
    /// @param size n: authorities.
    /// @param validFrom First second it is active.
    /// @param validUntil First second it is no longer active.
    /// @param revokedAt Block time of revocation; 0 if not revoked.
    struct CommitteeKey {
        uint256 x;
        uint8 threshold;
        uint8 size;
        uint64 validFrom;
        uint64 validUntil;
        uint64 revokedAt;
    }

    /// @notice The part of a `CommitteeKey` a verifier checks (one slot).
    struct KeyWindow {
        uint8 threshold;
        uint64 validFrom;
        uint64 validUntil;
        uint64 revokedAt;
    }

    /// @notice One authority of a committee key.
    /// @param account The address that publishes its partial decryptions.
    /// @param shareX Its public share `Y_j`, x.
    /// @param shareY Its public share `Y_j`, y.
    struct Authority {
        address account;
        uint256 shareX;
        uint256 shareY;
    }

    /// @notice A committee key was registered, active in [validFrom, validUntil).
    event CommitteeKeyAdded(uint256 indexed keyY, uint256 x, uint256 threshold, uint256 size, uint256 validFrom, uint256 validUntil);

    /// @notice Authority `index` (from 1) of committee key `keyY`.
    event CommitteeAuthorityAdded(uint256 indexed keyY, uint256 indexed index, address indexed account, uint256 shareX, uint256 shareY);

    /// @notice A committee key was revoked: proofs under it are refused from now on (openings are not).
    event CommitteeKeyRevoked(uint256 indexed keyY);

    /// @notice A point is not on Baby Jubjub, has a coordinate not below the field, or is of order 1 or 2.
    error InvalidCommitteePoint(uint256 x, uint256 y);

    /// @notice The threshold is 0 or above the number of authorities, or there are none or too many.
    error InvalidThreshold(uint256 threshold, uint256 size, uint256 maxSize);

    /// @notice An authority's address is 0 or listed twice.
    error InvalidAuthority(uint256 index, address account);

    /// @notice The window is empty (`validFrom >= validUntil`) or already over at `blockTime`.
    error InvalidCommitteeWindow(uint256 validFrom, uint256 validUntil, uint256 blockTime);

    /// @notice This key is registered already (keys are never re-registered, even revoked).
    error CommitteeKeyAlreadyRegistered(uint256 keyY);

    /// @notice No committee key has this y.
    error UnknownCommitteeKey(uint256 keyY);

    /// @notice The key was revoked at `revokedAt` already.
    error CommitteeKeyAlreadyRevoked(uint256 keyY, uint256 revokedAt);

    /// @notice The role that registers and revokes committee keys; it is its own admin.
    function COMMITTEE_ADMIN_ROLE() external view returns (bytes32);

    /// @notice Registers a committee key and its authorities (index = position + 1). `COMMITTEE_ADMIN_ROLE` only.
    /// @param x The key's x; `keyY` is its y and its name.
    /// @param threshold t, from 1 to `authorities.length`.
    function addCommitteeKey(uint256 x, uint256 keyY, uint256 threshold, Authority[] calldata authorities, uint256 validFrom, uint256 validUntil) external;

    /// @notice Revokes a key now: proofs naming it are refused from this block on. `COMMITTEE_ADMIN_ROLE` only.
    function revokeCommitteeKey(uint256 keyY) external;

    /// @notice Whether `keyY` is registered, not revoked at `timestamp`, and `timestamp` is in its window.
    function isCommitteeKeyActive(uint256 keyY, uint256 timestamp) external view returns (bool);

    /// @notice A registered key; all zeros if unknown.
    function committeeKeyOf(uint256 keyY) external view returns (CommitteeKey memory);

    /// @notice A registered key without its x, all zeros if unknown: what a verifier checks, read
    /// from one slot (`committeeKeyOf` reads two).
    function committeeKeyWindow(uint256 keyY) external view returns (KeyWindow memory);

    /// @notice Authority `index` (from 1) of a key; all zeros if none.
    function authorityOf(uint256 keyY, uint256 index) external view returns (Authority memory);

    /// @notice The index (from 1) of `account` among a key's authorities; 0 if it is none of them.
    function authorityIndex(uint256 keyY, address account) external view returns (uint256);
}
