// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditVerifier} from "../interfaces/ICreditVerifier.sol";
import {ICreditProofCheck} from "../interfaces/ICreditProofCheck.sol";
import {ILoanMarket} from "../interfaces/ILoanMarket.sol";
import {ITokenHooks, MockHookToken} from "./MockHookToken.sol";

/// @notice Test-only attacker: a borrower that is a contract. It borrows and repays through the
/// market, and when the token hands it control (a {MockHookToken} hook: principal arriving, or a
/// repayment leaving) it calls the market again with calldata the test chose. With `swallow` it
/// catches the re-entrant call's revert (so the outer call may go on) and records it; otherwise it
/// bubbles the revert up. It also records what the market showed during the hook (checks-effects-
/// interactions: the books must already be updated when tokens move).
contract MockReentrantBorrower is ITokenHooks {
    ILoanMarket public immutable market;
    MockHookToken public immutable token;

    bytes public reentryData;
    bool public swallow;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryRevert;
    /// @notice `market.loanCount()` as seen inside the hook.
    uint256 public loanCountSeen;
    /// @notice `market.offer(watchedOffer).available` as seen inside the hook.
    uint256 public availableSeen;
    uint256 public watchedOffer;

    constructor(ILoanMarket market_, MockHookToken token_) {
        market = market_;
        token = token_;
        token_.registerHooks();
        IERC20(address(token_)).approve(address(market_), type(uint256).max);
    }

    /// @notice Arms the hook: the next time tokens move, call the market with `data` once.
    function arm(bytes calldata data, bool swallow_, uint256 watchedOffer_) external {
        reentryData = data;
        swallow = swallow_;
        watchedOffer = watchedOffer_;
        attempted = false;
        reentrySucceeded = false;
        delete reentryRevert;
    }

    function borrow(uint256 offerId, uint256 tier, uint256 principal, ICreditProofCheck.CreditProof calldata proof)
        external
        returns (uint256)
    {
        return market.borrow(offerId, tier, principal, proof);
    }

    function repay(uint256 loanId, uint256 amount) external returns (uint256) {
        return market.repay(loanId, amount);
    }

    function repayAll(uint256 loanId) external returns (uint256) {
        return market.repayAll(loanId);
    }

    function tokensToSend(address, address, uint256) external {
        _reenter();
    }

    function tokensReceived(address, address, uint256) external {
        _reenter();
    }

    function _reenter() private {
        if (msg.sender != address(token) || attempted || reentryData.length == 0) return;
        attempted = true;
        loanCountSeen = market.loanCount();
        availableSeen = market.offer(watchedOffer).available;
        (bool ok, bytes memory returned) = address(market).call(reentryData);
        reentrySucceeded = ok;
        reentryRevert = returned;
        if (!ok && !swallow) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }
}
