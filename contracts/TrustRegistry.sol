// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BureauRegistry} from "./BureauRegistry.sol";
import {EscrowCommitteeRegistry} from "./EscrowCommitteeRegistry.sol";
import {ITrustRegistry} from "./interfaces/ITrustRegistry.sol";
import {KycRegistry} from "./KycRegistry.sol";

/// @title TrustRegistry
/// @notice The KYC set's roots, the bureaus' keys and the escrow committees' keys: everything a
/// credit proof is checked against, so that a proof check is one call (`requireTrusted`). The
/// rules are in {ITrustRegistry}.
/// @dev The parts are `KycRegistry`, `BureauRegistry` and `EscrowCommitteeRegistry`, each with its
/// own admin role. `KycRegistry` comes first after `Pausable`: its counters share Pausable's slot.
contract TrustRegistry is ITrustRegistry, KycRegistry, BureauRegistry, EscrowCommitteeRegistry {
    /// @param kycAdmin Receives `DEFAULT_ADMIN_ROLE`: grants compliance officers, sets the root
    /// validity, unpauses membership changes.
    /// @param bureauAdmin Receives `BUREAU_ADMIN_ROLE`.
    /// @param committeeAdmin Receives `COMMITTEE_ADMIN_ROLE`.
    /// @param initialRootValidity Seconds a KYC root stays valid after it is replaced.
    constructor(address kycAdmin, address bureauAdmin, address committeeAdmin, uint256 initialRootValidity)
        KycRegistry(kycAdmin, initialRootValidity)
        BureauRegistry(bureauAdmin)
        EscrowCommitteeRegistry(committeeAdmin)
    {
        if (bureauAdmin == address(0) || committeeAdmin == address(0)) revert ZeroAddress();
    }

    /// @inheritdoc ITrustRegistry
    function requireTrusted(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 proofTime)
        external
        view
    {
        _requireValidRoot(kycRoot);
        _requireActiveBureauKey(bureauKeyHash);
        _requireActiveCommitteeKey(committeeKeyY, proofTime);
    }

}
