// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBureauRegistry
/// @notice Credit bureaus and their attestation keys (EdDSA-Poseidon on Baby Jubjub). A credit
/// proof names the key that signed the borrower's attestation by its hash; the verifier accepts
/// it only while that key is active here.
/// @dev A key is named by `keyHash = Poseidon(Ax, Ay)`, which the contract cannot compute: the
/// admin supplies it (the prover's `bureauKeyHash()`), and clients check it against the stored
/// `Ax`, `Ay` before trusting a key. Keys of one bureau may overlap in time, so a bureau rotates
/// keys without a gap: add the new key, let attestations by the old one run out, then revoke it.
interface IBureauRegistry {
    /// @notice A registered key.
    /// @param ax Baby Jubjub public key, x.
    /// @param ay Baby Jubjub public key, y.
    /// @param bureauId The bureau that holds it.
    /// @param validFrom First second it is active.
    /// @param validUntil First second it is no longer active.
    /// @param revokedAt Block time of revocation; 0 if not revoked.
    struct BureauKey {
        uint256 ax;
        uint256 ay;
        uint32 bureauId;
        uint64 validFrom;
        uint64 validUntil;
        uint64 revokedAt;
    }

    /// @notice A bureau was registered.
    event BureauAdded(uint256 indexed bureauId, string name);

    /// @notice A key was registered for `bureauId`, active in [validFrom, validUntil).
    event BureauKeyAdded(
        uint256 indexed bureauId, uint256 indexed keyHash, uint256 ax, uint256 ay, uint256 validFrom, uint256 validUntil
    );

    /// @notice A key was revoked: it is inactive from now on.
    event BureauKeyRevoked(uint256 indexed bureauId, uint256 indexed keyHash);

    /// @notice A bureau needs a name.
    error EmptyBureauName();

    /// @notice No bureau has this id.
    error UnknownBureau(uint256 bureauId);

    /// @notice A key hash is 0 or not below the SNARK scalar field.
    error InvalidKeyHash(uint256 keyHash);

    /// @notice A public key coordinate is not below the SNARK scalar field, or both are 0.
    error InvalidPublicKey(uint256 ax, uint256 ay);

    /// @notice The window is empty (`validFrom >= validUntil`) or already over at `blockTime`.
    error InvalidValidityWindow(uint256 validFrom, uint256 validUntil, uint256 blockTime);

    /// @notice This key hash is registered already (keys are never re-registered, even revoked).
    error KeyAlreadyRegistered(uint256 keyHash);

    /// @notice No key has this hash.
    error UnknownKey(uint256 keyHash);

    /// @notice The key was revoked at `revokedAt` already.
    error KeyAlreadyRevoked(uint256 keyHash, uint256 revokedAt);

    /// @notice The role that registers bureaus and keys and revokes keys; it is its own admin.
    function BUREAU_ADMIN_ROLE() external view returns (bytes32);

    /// @notice Registers a bureau. `BUREAU_ADMIN_ROLE` only.
    /// @return bureauId Its id, counting from 1.
    function addBureau(string calldata name) external returns (uint256 bureauId);

    /// @notice Registers an attestation key of `bureauId`, active in [validFrom, validUntil). `BUREAU_ADMIN_ROLE` only.
    /// @param keyHash `Poseidon(ax, ay)`, as the prover's `bureauKeyHash()` computes it.
    function addKey(uint256 bureauId, uint256 ax, uint256 ay, uint256 keyHash, uint256 validFrom, uint256 validUntil)
        external;

    /// @notice Revokes a key now: proofs naming it are refused from this block on. `BUREAU_ADMIN_ROLE` only.
    function revokeKey(uint256 keyHash) external;

    /// @notice Whether `keyHash` is registered, not revoked at `timestamp`, and `timestamp` is in its window.
    function isKeyActive(uint256 keyHash, uint256 timestamp) external view returns (bool);

    /// @notice A registered key; all zeros if unknown.
    function keyOf(uint256 keyHash) external view returns (BureauKey memory);

    /// @notice The name of a bureau; empty if unknown.
    function bureauName(uint256 bureauId) external view returns (string memory);

    /// @notice Number of registered bureaus (the last id).
    function bureauCount() external view returns (uint256);
}
