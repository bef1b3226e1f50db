// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ILoanMarket} from "./ILoanMarket.sol";

/// @title IKycRegistry
/// @notice The on-chain side of the KYC set: roots of the binary Poseidon Merkle tree of identity
/// commitments (depth `CreditCircuit.KYC_TREE_DEPTH`, zero leaf 0) that compliance officers keep
/// off chain, and an event for every leaf change.
/// @dev The contract cannot compute Poseidon, so officers publish the new root with each change.
/// It stores no leaves (gas), only roots; the events carry every leaf with its index, so anyone can
/// rebuild the tree from the chain and check each published root against it (audit).
/// A root stays valid for `rootValidity()` seconds after it is **replaced**, so proofs made just
/// before an update still land, and a removed member's last root dies soon after. That expiry is
/// fixed when the root is replaced: a later `setRootValidity` applies to later replacements only.
///
/// Emergency controls: an officer or the admin revokes one root at once (`revokeRoot`); an
/// immediate removal (`removeMemberImmediately`) invalidates every root published before its new
/// root, for sanctions-grade removals. Its cost: every other member's proofs against those roots
/// fail too, so every borrower must re-prove against the new root.
///
/// Defaults follow the person: once the escrow committee opened a defaulted loan's escrow, an
/// officer removes the identity it named with `recordDefault`, a removal marked "default" that
/// names the market and the loan, accepted only while that market reports the loan `Defaulted`
/// and not paid in full. It is a removal like any other (a `MemberRemoved` comes with it, so the
/// tree replays the same), and the old roots that still hold the member follow the usual rule:
/// valid until `rootValidity()` after their replacement, or not at all with `immediate`.
/// Re-admission (`readmit`) is an explicit recorded act too, accepted only once the market shows
/// the loan paid in full after the default (recovery): the registry trusts no attestation that
/// the debt was settled elsewhere; a settlement is paid through the market (anyone may repay).
/// The member comes back at a new index (a `MembersAdded` comes with it). One open default per
/// identity: while it is out, a further defaulted loan is recorded after its readmission.
interface IKycRegistry {
    /// @notice When a root was published and replaced, when it expires, and whether it was revoked.
    /// One slot: the credit verifier reads it with the registry's flags in one call.
    /// @param createdAt Block time it became the current root; 0 if it never was.
    /// @param replacedAt Block time another root replaced it; 0 while it is the current root.
    /// @param expiresAt `replacedAt + rootValidity()` as it was at that moment; 0 while current.
    /// @param sequence Publication number (0, 1, ...): an immediate removal invalidates lower ones.
    /// @param revoked An officer or the admin revoked it: never valid again.
    struct RootRecord {
        uint64 createdAt;
        uint64 replacedAt;
        uint64 expiresAt;
        uint32 sequence;
        bool revoked;
    }

    /// @notice Members were appended at indices `startIndex`, `startIndex + 1`, ...
    /// @param startIndex Index of `commitments[0]`.
    /// @param commitments The new leaves, in index order.
    /// @param newRoot The root of the tree with them.
    event MembersAdded(uint256 indexed startIndex, uint256[] commitments, uint256 newRoot);

    /// @notice The leaf at `index` was set to 0 (the member was removed).
    event MemberRemoved(uint256 indexed index, uint256 newRoot);

    /// @notice The leaf at `index` was set to `newCommitment` (e.g. a re-issued identity).
    event MemberReplaced(uint256 indexed index, uint256 newCommitment, uint256 newRoot);

    /// @notice The grace period of replaced roots changed. Applies to roots replaced from now on;
    /// roots replaced before keep the expiry they got then.
    event RootValidityChanged(uint256 previousValidity, uint256 newValidity);

    /// @notice `account` (an officer or the admin) revoked `root`: proofs against it fail from now on.
    event RootRevoked(uint256 indexed root, address indexed account);

    /// @notice The member at `index` was removed immediately (a `MemberRemoved` comes with it): every
    /// root published before `newRoot` is invalid from now on.
    event MemberRemovedImmediately(uint256 indexed index, uint256 newRoot, uint256 validFromSequence);

    /// @notice An open default: the member removed for a loan that is not yet paid back (two slots).
    /// @param market The market of the defaulted loan.
    /// @param index The member's index when it was removed.
    /// @param recordedAt Block time of the record.
    /// @param loanId The defaulted loan in `market`.
    struct OpenDefault {
        ILoanMarket market;
        uint32 index;
        uint64 recordedAt;
        uint256 loanId;
    }

    /// @notice The member `commitment` at `index` was removed for the default of loan `loanId` of
    /// `market` (a `MemberRemoved(index, newRoot)` comes with it).
    event MemberRemovedForDefault(uint256 indexed commitment, address indexed market, uint256 indexed loanId, uint256 index, uint256 newRoot);

    /// @notice `commitment`, removed for the default of loan `loanId` of `market`, was readmitted at
    /// `index` once the loan was paid in full (a `MembersAdded(index, [commitment], newRoot)` comes with it).
    event MemberReadmitted(uint256 indexed commitment, address indexed market, uint256 indexed loanId, uint256 index, uint256 newRoot);

    /// @notice `market` is not a market whose credit verifier checks this registry's roots
    /// (`registry` is the one it checks; zero when `market` is no LoanMarket).
    error MarketNotOnThisRegistry(address market, address registry);

    /// @notice Loan `loanId` of `market` is not marked defaulted (`status` as in ILoanMarket.LoanStatus).
    error LoanNotDefaultedInMarket(address market, uint256 loanId, uint8 status);

    /// @notice Loan `loanId` of `market` was paid in full after its default: there is no default to record.
    error DefaultAlreadyRecovered(address market, uint256 loanId);

    /// @notice `commitment` is out already for the open default of loan `loanId` of `market`.
    error DefaultAlreadyOpen(uint256 commitment, address market, uint256 loanId);

    /// @notice `commitment` has no open default: there is nothing to readmit it from.
    error NoOpenDefault(uint256 commitment);

    /// @notice Loan `loanId` of `market` still owes `outstanding`: readmission waits for its recovery.
    error DefaultNotRecovered(address market, uint256 loanId, uint256 outstanding);

    /// @notice A commitment is 0 (the empty leaf) or not below the SNARK scalar field.
    error InvalidCommitment(uint256 commitment);

    /// @notice A root is 0 or not below the SNARK scalar field.
    error InvalidRoot(uint256 root);

    /// @notice The published root equals the current one: the change would not change the tree.
    error RootUnchanged(uint256 root);

    /// @notice `addMembers` was called without commitments.
    error EmptyBatch();

    /// @notice Adding `count` members at `nextIndex` would exceed the tree's `capacity`.
    error TreeFull(uint256 nextIndex, uint256 count, uint256 capacity);

    /// @notice `index` is not a used slot of the tree (`nextIndex` slots are used).
    error IndexOutOfRange(uint256 index, uint256 nextIndex);

    /// @notice A root validity above `maxRootValidity` would keep removed members alive too long.
    error RootValidityTooLong(uint256 rootValidity, uint256 maxRootValidity);

    /// @notice A constructor address is zero.
    error ZeroAddress();

    /// @notice `root` was never published here, so there is nothing to revoke.
    error RootNotPublished(uint256 root);

    /// @notice `root` is revoked already.
    error RootAlreadyRevoked(uint256 root);

    /// @notice `root` was revoked: it cannot be published again (change the tree another way).
    error RootIsRevoked(uint256 root);

    /// @notice Only a compliance officer or the admin may do this.
    error NotOfficerOrAdmin(address account);

    /// @notice The role of compliance officers: they change members and may pause.
    function OFFICER_ROLE() external view returns (bytes32);

    /// @notice Upper bound of `rootValidity()`.
    function MAX_ROOT_VALIDITY() external view returns (uint256);

    /// @notice Appends members at the next free indices and publishes the new root.
    /// @dev Duplicates cannot be detected without stored leaves; the officers' off-chain group
    /// refuses them, and an audit from events finds any.
    /// @param commitments Identity commitments, each in (0, SNARK field).
    /// @param newRoot The root after appending them, computed off chain.
    /// @return startIndex The index of `commitments[0]`.
    function addMembers(uint256[] calldata commitments, uint256 newRoot) external returns (uint256 startIndex);

    /// @notice Removes the member at `index` (its leaf becomes 0) and publishes the new root.
    function removeMember(uint256 index, uint256 newRoot) external;

    /// @notice Removes the member at `index` like `removeMember`, and invalidates every root
    /// published before the new one at once (sanctions-grade). Every other member must re-prove
    /// against the new root: proofs in flight against older roots fail.
    function removeMemberImmediately(uint256 index, uint256 newRoot) external;

    /// @notice Removes the member `commitment` at `index` for the default of loan `loanId` of
    /// `market`, and publishes the new root. The loan must be `Defaulted` there and not paid in
    /// full, `market`'s credit verifier must check this registry, and `commitment` must have no open
    /// default. The registry stores no leaves: that `commitment` is the leaf at `index` is the
    /// officer's word, checked by anyone who replays the events (audit).
    /// @param commitment The identity commitment the escrow committee opened, in (0, SNARK field).
    /// @param immediate Also invalidate every older root at once, as `removeMemberImmediately`.
    function recordDefault(uint256 index, uint256 commitment, ILoanMarket market, uint256 loanId, uint256 newRoot, bool immediate) external;

    /// @notice Readmits `commitment`, removed by its open default, at the next index, once the
    /// market shows the defaulted loan paid in full, and publishes the new root.
    /// @param newRoot The root after appending `commitment`, computed off chain.
    /// @return index The member's new index.
    function readmit(uint256 commitment, uint256 newRoot) external returns (uint256 index);

    /// @notice The open default of `commitment`; all zeros if it has none.
    function openDefaultOf(uint256 commitment) external view returns (OpenDefault memory);

    /// @notice Replaces the member at `index` with `newCommitment` and publishes the new root.
    function replaceMember(uint256 index, uint256 newCommitment, uint256 newRoot) external;

    /// @notice Revokes `root` at once, current or not (e.g. one published with a stolen officer
    /// key). A compliance officer or the admin; works while paused. A revoked current root stays
    /// current (the tree is what it is) until officers publish the next one, but no proof against
    /// it lands.
    function revokeRoot(uint256 root) external;

    /// @notice Sets how long a root stays valid after it is replaced, for roots replaced from now
    /// on. Admin only.
    /// @param newValidity Seconds, at most `MAX_ROOT_VALIDITY()`.
    function setRootValidity(uint256 newValidity) external;

    /// @notice Freezes membership changes. Compliance officers. Proofs against existing roots
    /// keep landing, so borrowers are not locked out by a pause.
    function pause() external;

    /// @notice Lifts a pause. Admin only: a pause by any officer needs the admin to undo.
    function unpause() external;

    /// @notice The root of the tree as it is now; 0 before the first member is added.
    function currentRoot() external view returns (uint256);

    /// @notice Number of used slots, removed members included: the index of the next member.
    function nextIndex() external view returns (uint256);

    /// @notice Seconds a root replaced from now on stays valid after its replacement.
    function rootValidity() external view returns (uint256);

    /// @notice Roots with a lower `sequence` were invalidated by an immediate removal.
    function validFromSequence() external view returns (uint256);

    /// @notice When `root` was published and replaced; zeros if it never was a root here.
    function rootRecord(uint256 root) external view returns (RootRecord memory);

    /// @notice `root`'s record and whether an immediate removal invalidated it, in one call (the
    /// credit verifier's, which names the failed check).
    function rootStatus(uint256 root) external view returns (RootRecord memory record, bool invalidated);

    /// @notice Whether a proof against `root` is acceptable now: it was published, is not revoked
    /// nor older than an immediate removal, and is current or not yet past its `expiresAt`.
    function isRootValid(uint256 root) external view returns (bool);
}
