// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 that misbehaves on demand, as real tokens can (a blocklist, a pause,
/// or an old implementation that reports failure instead of reverting). `transfer` and
/// `transferFrom` are switched separately: `Normal`, `ReturnFalse` (move nothing and return
/// false) or `Revert` (revert with {TransferBlocked}).
contract MockHostileToken is ERC20 {
    enum Mode {
        Normal,
        ReturnFalse,
        Revert
    }

    /// @notice The token refuses this transfer (as a blocklisted or paused token does).
    error TransferBlocked(address from, address to, uint256 value);

    Mode public transferMode;
    Mode public transferFromMode;

    constructor() ERC20("Hostile Token", "HOST") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setModes(Mode transferMode_, Mode transferFromMode_) external {
        transferMode = transferMode_;
        transferFromMode = transferFromMode_;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (transferMode == Mode.ReturnFalse) return false;
        if (transferMode == Mode.Revert) revert TransferBlocked(msg.sender, to, value);
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (transferFromMode == Mode.ReturnFalse) return false;
        if (transferFromMode == Mode.Revert) revert TransferBlocked(from, to, value);
        return super.transferFrom(from, to, value);
    }
}
