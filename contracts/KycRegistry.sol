// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {IKycRegistry} from "./interfaces/IKycRegistry.sol";
import {ILoanMarket} from "./interfaces/ILoanMarket.sol";
import {ITrustErrors} from "./interfaces/ITrustErrors.sol";

/// @title KycRegistry
/// @notice Roots and leaf-change events of the KYC Merkle tree kept by compliance officers: the KYC
/// part of `TrustRegistry`.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` grants officers, sets the root validity and unpauses;
/// `OFFICER_ROLE` changes members and pauses; both revoke roots. The pause stops membership
/// changes only.
abstract contract KycRegistry is IKycRegistry, ITrustErrors, AccessControl, Pausable {
    /// @inheritdoc IKycRegistry
    bytes32 public constant OFFICER_ROLE = keccak256("zkcredit.KycRegistry.OFFICER_ROLE");

    /// @inheritdoc IKycRegistry
    uint256 public constant MAX_ROOT_VALIDITY = 30 days;

    uint256 private constant TREE_CAPACITY = CreditCircuit.KYC_TREE_ARITY ** CreditCircuit.KYC_TREE_DEPTH;

    // packed into Pausable's slot (its `bool _paused` comes first): a membership change reads the
    // pause flag, the next index, the validity and the root count with one slot access, and the
    // verifier's `rootStatus` reads the cut-off of immediate removals from it
    uint32 private _nextIndex;
    uint64 private _rootValidity;
    uint32 private _rootCount;
    uint32 private _validFromSequence;
    uint256 private _currentRoot;
    mapping(uint256 root => RootRecord) private _roots;
    mapping(uint256 commitment => OpenDefault) private _openDefaults;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    /// @param initialRootValidity Seconds a root stays valid after it is replaced.
    constructor(address admin, uint256 initialRootValidity) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRootValidity(initialRootValidity);
    }

    /// @inheritdoc IKycRegistry
    function addMembers(uint256[] calldata commitments, uint256 newRoot)
        external
        onlyRole(OFFICER_ROLE)
        whenNotPaused
        returns (uint256 startIndex)
    {
        uint256 count = commitments.length;
        if (count == 0) revert EmptyBatch();
        startIndex = _nextIndex;
        if (startIndex + count > TREE_CAPACITY) revert TreeFull(startIndex, count, TREE_CAPACITY);
        for (uint256 i; i < count; ++i) {
            _requireCommitment(commitments[i]);
        }
        // cannot overflow: bounded by TREE_CAPACITY above
        _nextIndex = uint32(startIndex + count);
        _publishRoot(newRoot);
        emit MembersAdded(startIndex, commitments, newRoot);
    }

    /// @inheritdoc IKycRegistry
    function removeMember(uint256 index, uint256 newRoot) external onlyRole(OFFICER_ROLE) whenNotPaused {
        _requireUsedIndex(index);
        _publishRoot(newRoot);
        emit MemberRemoved(index, newRoot);
    }

    /// @inheritdoc IKycRegistry
    function removeMemberImmediately(uint256 index, uint256 newRoot) external onlyRole(OFFICER_ROLE) whenNotPaused {
        _requireUsedIndex(index);
        uint256 sequence = _publishRoot(newRoot);
        _validFromSequence = uint32(sequence);
        emit MemberRemoved(index, newRoot);
        emit MemberRemovedImmediately(index, newRoot, sequence);
    }

    /// @inheritdoc IKycRegistry
    function recordDefault(uint256 index, uint256 commitment, ILoanMarket market, uint256 loanId, uint256 newRoot, bool immediate)
        external
        onlyRole(OFFICER_ROLE)
        whenNotPaused
    {
        _requireUsedIndex(index);
        _requireCommitment(commitment);
        OpenDefault storage open = _openDefaults[commitment];
        if (open.recordedAt != 0) revert DefaultAlreadyOpen(commitment, address(open.market), open.loanId);
        _requireOwnMarket(market);
        ILoanMarket.LoanStatus status = market.loan(loanId).status;
        if (status != ILoanMarket.LoanStatus.Defaulted) revert LoanNotDefaultedInMarket(address(market), loanId, uint8(status));
        if (_outstanding(market, loanId) == 0) revert DefaultAlreadyRecovered(address(market), loanId);
        uint256 sequence = _publishRoot(newRoot);
        // cannot truncate: a used index is below TREE_CAPACITY
        _openDefaults[commitment] = OpenDefault({market: market, index: uint32(index), recordedAt: uint64(block.timestamp), loanId: loanId});
        emit MemberRemoved(index, newRoot);
        emit MemberRemovedForDefault(commitment, address(market), loanId, index, newRoot);
        if (immediate) {
            _validFromSequence = uint32(sequence);
            emit MemberRemovedImmediately(index, newRoot, sequence);
        }
    }

    /// @inheritdoc IKycRegistry
    function readmit(uint256 commitment, uint256 newRoot) external onlyRole(OFFICER_ROLE) whenNotPaused returns (uint256 index) {
        OpenDefault memory open = _openDefaults[commitment];
        if (open.recordedAt == 0) revert NoOpenDefault(commitment);
        uint256 outstanding = _outstanding(open.market, open.loanId);
        if (outstanding != 0) revert DefaultNotRecovered(address(open.market), open.loanId, outstanding);
        index = _nextIndex;
        if (index + 1 > TREE_CAPACITY) revert TreeFull(index, 1, TREE_CAPACITY);
        _nextIndex = uint32(index + 1);
        _publishRoot(newRoot);
        delete _openDefaults[commitment];
        uint256[] memory commitments = new uint256[](1);
        commitments[0] = commitment;
        emit MembersAdded(index, commitments, newRoot);
        emit MemberReadmitted(commitment, address(open.market), open.loanId, index, newRoot);
    }

    /// @inheritdoc IKycRegistry
    function openDefaultOf(uint256 commitment) external view returns (OpenDefault memory) {
        return _openDefaults[commitment];
    }

    /// @inheritdoc IKycRegistry
    function revokeRoot(uint256 root) external {
        if (!hasRole(OFFICER_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert NotOfficerOrAdmin(msg.sender);
        RootRecord storage record = _roots[root];
        if (record.createdAt == 0) revert RootNotPublished(root);
        if (record.revoked) revert RootAlreadyRevoked(root);
        record.revoked = true;
        emit RootRevoked(root, msg.sender);
    }

    /// @inheritdoc IKycRegistry
    function replaceMember(uint256 index, uint256 newCommitment, uint256 newRoot)
        external
        onlyRole(OFFICER_ROLE)
        whenNotPaused
    {
        _requireUsedIndex(index);
        _requireCommitment(newCommitment);
        _publishRoot(newRoot);
        emit MemberReplaced(index, newCommitment, newRoot);
    }

    /// @inheritdoc IKycRegistry
    function setRootValidity(uint256 newValidity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRootValidity(newValidity);
    }

    /// @inheritdoc IKycRegistry
    function pause() external onlyRole(OFFICER_ROLE) {
        _pause();
    }

    /// @inheritdoc IKycRegistry
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IKycRegistry
    function currentRoot() external view returns (uint256) {
        return _currentRoot;
    }

    /// @inheritdoc IKycRegistry
    function nextIndex() external view returns (uint256) {
        return _nextIndex;
    }

    /// @inheritdoc IKycRegistry
    function rootValidity() external view returns (uint256) {
        return _rootValidity;
    }

    /// @inheritdoc IKycRegistry
    function validFromSequence() external view returns (uint256) {
        return _validFromSequence;
    }

    /// @inheritdoc IKycRegistry
    function rootRecord(uint256 root) external view returns (RootRecord memory) {
        return _roots[root];
    }

    /// @inheritdoc IKycRegistry
    function rootStatus(uint256 root) external view returns (RootRecord memory record, bool invalidated) {
        record = _roots[root];
        // the current root is the newest, never older than the cut-off: a borrow against it
        // skips reading that slot
        invalidated = record.replacedAt != 0 && record.sequence < _validFromSequence;
    }

    /// @inheritdoc IKycRegistry
    function isRootValid(uint256 root) external view returns (bool) {
        RootRecord memory record = _roots[root];
        if (record.createdAt == 0 || record.revoked || record.sequence < _validFromSequence) return false;
        return record.replacedAt == 0 || block.timestamp < record.expiresAt;
    }

    /// @dev A proof may stand on `root` at block time. `rootStatus` would only describe the root;
    /// this says which check failed. The expiry was fixed when the root was replaced.
    function _requireValidRoot(uint256 root) internal view {
        RootRecord memory record = _roots[root];
        if (record.createdAt == 0) revert UnknownRoot(root);
        if (record.revoked) revert RevokedRoot(root);
        // the current root is the newest, never older than the cut-off: a borrow against it skips
        // reading that slot
        if (record.replacedAt != 0) {
            if (record.sequence < _validFromSequence) revert InvalidatedRoot(root);
            if (block.timestamp >= record.expiresAt) revert ExpiredRoot(root, record.replacedAt, record.expiresAt);
        }
    }

    /// @dev Makes `newRoot` current and fixes the expiry of the root it replaces with today's
    /// validity. A root may come back (removing the last added member restores the earlier tree):
    /// it is then current again, with a new sequence, unless it was revoked.
    /// @return sequence The new root's publication number.
    function _publishRoot(uint256 newRoot) private returns (uint256 sequence) {
        if (newRoot == 0 || newRoot >= CreditCircuit.SNARK_SCALAR_FIELD) revert InvalidRoot(newRoot);
        uint256 oldRoot = _currentRoot;
        if (newRoot == oldRoot) revert RootUnchanged(newRoot);
        if (_roots[newRoot].revoked) revert RootIsRevoked(newRoot);
        uint64 now_ = uint64(block.timestamp);
        if (oldRoot != 0) {
            RootRecord storage old = _roots[oldRoot];
            old.replacedAt = now_;
            // rootValidity <= MAX_ROOT_VALIDITY: no overflow for the next 500 billion years
            old.expiresAt = now_ + _rootValidity;
        }
        sequence = _rootCount++;
        _roots[newRoot] = RootRecord({createdAt: now_, replacedAt: 0, expiresAt: 0, sequence: uint32(sequence), revoked: false});
        _currentRoot = newRoot;
    }

    function _setRootValidity(uint256 newValidity) private {
        if (newValidity > MAX_ROOT_VALIDITY) revert RootValidityTooLong(newValidity, MAX_ROOT_VALIDITY);
        emit RootValidityChanged(_rootValidity, newValidity);
        _rootValidity = uint64(newValidity);
    }

    function _requireCommitment(uint256 commitment) private pure {
        if (commitment == 0 || commitment >= CreditCircuit.SNARK_SCALAR_FIELD) revert InvalidCommitment(commitment);
    }

    /// @dev Refuses a market whose credit verifier does not check this registry's roots: a default
    /// recorded here names a loan of this platform. Anything that is not such a market (no code, no
    /// such functions, short answers) is refused the same way, with registry 0.
    function _requireOwnMarket(ILoanMarket market) private view {
        address registry = _addressAt(address(market), ILoanMarket.creditVerifier.selector);
        if (registry != address(0)) registry = _addressAt(registry, ICreditVerifier.trustRegistry.selector);
        if (registry != address(this)) revert MarketNotOnThisRegistry(address(market), registry);
    }

    /// @dev The address `target.selector()` returns, or 0 if the call fails or returns no address.
    function _addressAt(address target, bytes4 selector) private view returns (address) {
        if (target.code.length == 0) return address(0);
        (bool ok, bytes memory data) = target.staticcall(abi.encodeWithSelector(selector));
        if (!ok || data.length != 32) return address(0);
        uint256 word = abi.decode(data, (uint256));
        return word >> 160 == 0 ? address(uint160(word)) : address(0);
    }

    /// @dev What loan `loanId` of `market` still owes toward `principal + interest`.
    function _outstanding(ILoanMarket market, uint256 loanId) private view returns (uint256) {
        ILoanMarket.LoanPosition memory p = market.loanPosition(loanId);
        return p.totalDue - p.repaid;
    }

    function _requireUsedIndex(uint256 index) private view {
        uint256 used = _nextIndex;
        if (index >= used) revert IndexOutOfRange(index, used);
    }
}
