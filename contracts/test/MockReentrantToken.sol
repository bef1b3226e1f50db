// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only attacker: an ERC-20 whose transfers call back into a target (as a token with
/// transfer hooks would) with calldata the test chooses, and bubble up the target's revert.
contract MockReentrantToken is ERC20 {
    address public hookTarget;
    bytes public hookData;
    bool private _inHook;

    constructor() ERC20("Reentrant Token", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: every later transfer calls `target` with `data` once.
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hookTarget != address(0) && !_inHook && from != address(0)) {
            _inHook = true;
            (bool ok, bytes memory returned) = hookTarget.call(hookData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(returned, 0x20), mload(returned))
                }
            }
            _inHook = false;
        }
    }
}
