// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice What a {MockHookToken} calls on holders that registered for hooks.
interface ITokenHooks {
    /// @notice Called on the sender before its tokens move (ERC-777 `tokensToSend`).
    function tokensToSend(address from, address to, uint256 value) external;

    /// @notice Called on the recipient after tokens arrived (ERC-777 `tokensReceived`).
    function tokensReceived(address from, address to, uint256 value) external;
}

/// @notice Test-only ERC-20 with ERC-777-style hooks: a holder that registered is called before
/// its tokens leave and after tokens arrive. The token itself is honest; the hooks hand control to
/// the holder (a contract borrower), which is what a borrower attack needs.
contract MockHookToken is ERC20 {
    mapping(address => bool) public registered;

    constructor() ERC20("Hook Token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Registers the caller for hooks (ERC-1820 registration, simplified).
    function registerHooks() external {
        registered[msg.sender] = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && registered[from]) ITokenHooks(from).tokensToSend(from, to, value);
        super._update(from, to, value);
        if (to != address(0) && registered[to]) ITokenHooks(to).tokensReceived(from, to, value);
    }
}
