// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ITestStablecoin} from "./interfaces/ITestStablecoin.sol";

/// @title TestStablecoin
/// @notice "zkcredit Test USD" (tUSD): a worthless 6-decimal ERC-20 for the local platform and
/// test networks. Anyone may take up to 10,000 tUSD an hour from the faucet.
contract TestStablecoin is ITestStablecoin, ERC20 {
    /// @inheritdoc ITestStablecoin
    uint256 public constant FAUCET_MAX_AMOUNT = 10_000 * 10 ** 6;

    /// @inheritdoc ITestStablecoin
    uint256 public constant FAUCET_COOLDOWN = 1 hours;

    mapping(address account => uint256 availableAt) private _faucetAvailableAt;

    constructor() ERC20("zkcredit Test USD", "tUSD") {}

    /// @notice 6, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @inheritdoc ITestStablecoin
    function faucet(uint256 amount) external {
        if (amount == 0 || amount > FAUCET_MAX_AMOUNT) revert FaucetAmountInvalid(amount, FAUCET_MAX_AMOUNT);
        uint256 availableAt = _faucetAvailableAt[msg.sender];
        if (block.timestamp < availableAt) revert FaucetCooldown(msg.sender, availableAt);
        _faucetAvailableAt[msg.sender] = block.timestamp + FAUCET_COOLDOWN;
        _mint(msg.sender, amount);
        emit FaucetUsed(msg.sender, amount);
    }

    /// @inheritdoc ITestStablecoin
    function faucetAvailableAt(address account) external view returns (uint256) {
        return _faucetAvailableAt[account];
    }
}
