// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ITestStablecoin
/// @notice A dollar-like test token for local and test networks (6 decimals, like USDC) with a
/// rate-limited faucet. Worthless by design; never deploy it where real value is at stake.
interface ITestStablecoin {
    /// @notice `account` took `amount` from the faucet.
    event FaucetUsed(address indexed account, uint256 amount);

    /// @notice `amount` is 0 or more than `maxAmount` per faucet call.
    error FaucetAmountInvalid(uint256 amount, uint256 maxAmount);

    /// @notice `account` used the faucet recently; it may again from `availableAt`.
    error FaucetCooldown(address account, uint256 availableAt);

    /// @notice Most the faucet gives per call (in the smallest unit).
    function FAUCET_MAX_AMOUNT() external view returns (uint256);

    /// @notice Seconds between two faucet calls of one account.
    function FAUCET_COOLDOWN() external view returns (uint256);

    /// @notice Mints `amount` to the caller, at most `FAUCET_MAX_AMOUNT()` once per `FAUCET_COOLDOWN()`.
    function faucet(uint256 amount) external;

    /// @notice When `account` may use the faucet next (0: now).
    function faucetAvailableAt(address account) external view returns (uint256);
}
