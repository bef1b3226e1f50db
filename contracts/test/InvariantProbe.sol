// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IBureauRegistry} from "../interfaces/IBureauRegistry.sol";
import {IKycRegistry} from "../interfaces/IKycRegistry.sol";
import {ILoanMarket} from "../interfaces/ILoanMarket.sol";
import {IOfferPositions} from "../interfaces/IOfferPositions.sol";

/// @notice Test-only: reads, in one call, everything the invariant fuzz compares after each
/// operation (balances, offers, loans and their positions' books, pseudonym records, the positions'
/// ERC-721 state, registry state), as flat arrays of words, which the test parses (decoding nested
/// structs costs more than the call itself). Markets, positions' ERC-721 state, operators and
/// registries are read apart: an operation reads back only what it can change.
///
/// Layout, in order (booleans and addresses as words); `marketSnapshot` has the first two parts,
/// `positionSnapshot` the third, `operatorSnapshot` the fourth, `registrySnapshot` the last two:
/// - per token: totalSupply, then the balance of each holder;
/// - per market: paused, offerCount, per offer (token, lender, available, paused, tierCount,
///   instalmentCount, term, gracePeriod, defaultPeriod, lateFee, surplus), loanCount, per loan
///   (principal, startTime, offerId, tier, lateInstalmentsCharged, status, repaid, lateFeesPaid,
///   then its position's books: open, receivedBeforeOpen, received, claimed, claimable), per
///   nullifier its record (loansTaken, loansRepaid, lateInstalments, defaults, activeLoans,
///   lastProofTime, loansRecovered);
/// - per market, its positions (`positions()`): the count of loans that have a token, per such
///   loan (loanId, holder, approved address or 0), then per holder its `balanceOf`;
/// - per market, per account (owner) per account (operator): the positions' `isApprovedForAll`;
/// - KYC: currentRoot, nextIndex, rootValidity, paused, per account hasRole(OFFICER_ROLE), per
///   account hasRole(DEFAULT_ADMIN_ROLE), per pool root (createdAt, replacedAt);
/// - bureaus: bureauCount, per account hasRole(BUREAU_ADMIN_ROLE), per key hash (ax, ay,
///   bureauId, validFrom, validUntil, revokedAt).
contract InvariantProbe {
    struct Query {
        IERC20[] tokens;
        address[] holders;
        ILoanMarket[] markets;
        uint256[] nullifiers;
        IKycRegistry kyc;
        address[] accounts;
        uint256[] roots;
        IBureauRegistry bureaus;
        uint256[] keyHashes;
    }

    /// @notice Tokens and markets, flat (see the contract notice for the layout).
    function marketSnapshot(Query calldata q) external view returns (uint256[] memory out) {
        out = new uint256[](4096);
        uint256 n;
        for (uint256 t; t < q.tokens.length; ++t) {
            out[n++] = q.tokens[t].totalSupply();
            for (uint256 h; h < q.holders.length; ++h) {
                out[n++] = q.tokens[t].balanceOf(q.holders[h]);
            }
        }
        for (uint256 m; m < q.markets.length; ++m) {
            n = _market(q.markets[m], q.nullifiers, out, n);
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    /// @notice The positions' tokens, holders and approvals, per market (see the contract notice).
    function positionSnapshot(Query calldata q) external view returns (uint256[] memory out) {
        out = new uint256[](1024);
        uint256 n;
        for (uint256 m; m < q.markets.length; ++m) {
            IOfferPositions positions = q.markets[m].positions();
            uint256 loanCount = q.markets[m].loanCount();
            uint256 countAt = n++;
            for (uint256 i; i < loanCount; ++i) {
                // `holderOf` does not revert for a token that does not exist; `getApproved` does
                (address holder,) = positions.holderOf(address(0), i);
                if (holder == address(0)) continue;
                ++out[countAt];
                out[n++] = i;
                out[n++] = uint160(holder);
                out[n++] = uint160(positions.getApproved(i));
            }
            for (uint256 i; i < q.holders.length; ++i) {
                out[n++] = positions.balanceOf(q.holders[i]);
            }
        }
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    /// @notice The positions' operators, per market (see the contract notice).
    function operatorSnapshot(Query calldata q) external view returns (uint256[] memory out) {
        uint256 accounts = q.accounts.length;
        out = new uint256[](q.markets.length * accounts * accounts);
        uint256 n;
        for (uint256 m; m < q.markets.length; ++m) {
            IOfferPositions positions = q.markets[m].positions();
            for (uint256 i; i < accounts; ++i) {
                for (uint256 j; j < accounts; ++j) {
                    out[n++] = positions.isApprovedForAll(q.accounts[i], q.accounts[j]) ? 1 : 0;
                }
            }
        }
    }

    /// @notice The KYC and bureau registries, flat (see the contract notice for the layout).
    function registrySnapshot(Query calldata q) external view returns (uint256[] memory out) {
        out = new uint256[](512);
        uint256 n = _kyc(q, out, 0);
        n = _bureaus(q, out, n);
        assembly ("memory-safe") {
            mstore(out, n)
        }
    }

    function _market(ILoanMarket market, uint256[] calldata nullifiers, uint256[] memory out, uint256 n) private view returns (uint256) {
        out[n++] = Pausable(address(market)).paused() ? 1 : 0;
        uint256 offerCount = market.offerCount();
        out[n++] = offerCount;
        for (uint256 i; i < offerCount; ++i) {
            ILoanMarket.Offer memory o = market.offer(i);
            out[n++] = uint160(address(o.token));
            out[n++] = uint160(o.lender);
            out[n++] = o.available;
            out[n++] = o.paused ? 1 : 0;
            out[n++] = o.tierCount;
            out[n++] = o.instalmentCount;
            out[n++] = o.term;
            out[n++] = o.gracePeriod;
            out[n++] = o.defaultPeriod;
            out[n++] = o.lateFee;
            out[n++] = market.surplus(i);
        }
        uint256 loanCount = market.loanCount();
        out[n++] = loanCount;
        for (uint256 i; i < loanCount; ++i) {
            ILoanMarket.Loan memory l = market.loan(i);
            ILoanMarket.OfferPosition memory p = market.offerPosition(i);
            out[n++] = l.principal;
            out[n++] = l.startTime;
            out[n++] = l.offerId;
            out[n++] = l.tier;
            out[n++] = l.lateInstalmentsCharged;
            out[n++] = uint256(l.status);
            out[n++] = l.repaid;
            out[n++] = l.lateFeesPaid;
            out[n++] = p.open ? 1 : 0;
            out[n++] = p.receivedBeforeOpen;
            out[n++] = p.received;
            out[n++] = p.claimed;
            out[n++] = p.claimable;
        }
        for (uint256 i; i < nullifiers.length; ++i) {
            ILoanMarket.PseudonymRecord memory r = market.record(nullifiers[i]);
            out[n++] = r.loansTaken;
            out[n++] = r.loansRepaid;
            out[n++] = r.lateInstalments;
            out[n++] = r.defaults;
            out[n++] = r.activeLoans;
            out[n++] = r.lastProofTime;
            out[n++] = r.loansRecovered;
        }
        return n;
    }

    function _kyc(Query calldata q, uint256[] memory out, uint256 n) private view returns (uint256) {
        IKycRegistry registry = q.kyc;
        out[n++] = registry.currentRoot();
        out[n++] = registry.nextIndex();
        out[n++] = registry.rootValidity();
        out[n++] = Pausable(address(registry)).paused() ? 1 : 0;
        bytes32 officerRole = registry.OFFICER_ROLE();
        for (uint256 i; i < q.accounts.length; ++i) {
            out[n++] = IAccessControl(address(registry)).hasRole(officerRole, q.accounts[i]) ? 1 : 0;
        }
        for (uint256 i; i < q.accounts.length; ++i) {
            out[n++] = IAccessControl(address(registry)).hasRole(bytes32(0), q.accounts[i]) ? 1 : 0;
        }
        for (uint256 i; i < q.roots.length; ++i) {
            IKycRegistry.RootRecord memory r = registry.rootRecord(q.roots[i]);
            out[n++] = r.createdAt;
            out[n++] = r.replacedAt;
        }
        return n;
    }

    function _bureaus(Query calldata q, uint256[] memory out, uint256 n) private view returns (uint256) {
        IBureauRegistry registry = q.bureaus;
        bytes32 bureauAdminRole = registry.BUREAU_ADMIN_ROLE();
        out[n++] = registry.bureauCount();
        for (uint256 i; i < q.accounts.length; ++i) {
            out[n++] = IAccessControl(address(registry)).hasRole(bureauAdminRole, q.accounts[i]) ? 1 : 0;
        }
        for (uint256 i; i < q.keyHashes.length; ++i) {
            IBureauRegistry.BureauKey memory k = registry.keyOf(q.keyHashes[i]);
            out[n++] = k.ax;
            out[n++] = k.ay;
            out[n++] = k.bureauId;
            out[n++] = k.validFrom;
            out[n++] = k.validUntil;
            out[n++] = k.revokedAt;
        }
        return n;
    }
}
