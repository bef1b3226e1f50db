// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditProofCheck} from "./ICreditProofCheck.sol";
import {ITrustRegistry} from "./ITrustRegistry.sol";

/// @title ICreditVerifier
/// @notice Checks a credit proof in full: the verifier is not paused, the KYC root is known, not
/// revoked nor invalidated and still valid, the bureau key is active, the escrow committee key the
/// identity escrow was made under is active at the proof's time, the proof's time is close to
/// block time, and the Groth16 proof verifies. Each failed check reverts with its own error naming
/// the offending value. The admin can pause it: no proof is accepted until it is unpaused.
/// @dev The caller (a market) derives `threshold`, `scope` and `message` itself, which is what binds
/// a proof to the market, the borrower and the loan; the proof carries the rest. The checks, their
/// errors and the anchors are `ICreditProofCheck`'s, shared with `LoanMarket`, which runs them
/// itself.
interface ICreditVerifier is ICreditProofCheck {
    /// @notice The admin paused the verifier: no credit proof is accepted now.
    error VerifierPaused();

    /// @notice A constructor address is zero.
    error ZeroAddress();

    /// @notice `maxProofAge` must be in (0, `maxAllowedAge`], `maxFutureSkew` at most `maxAllowedSkew`.
    error InvalidTimeWindow(uint256 maxProofAge, uint256 maxFutureSkew, uint256 maxAllowedAge, uint256 maxAllowedSkew);

    /// @notice Checks a credit proof; reverts with the first failed check, returns if all pass.
    /// @dev Order: pause, time window, context range, field range, root, bureau key, committee key
    /// (one `ITrustRegistry.requireTrusted` call),
    /// Groth16 proof (cheapest first). The proof's `context` signal is packed here from `message`,
    /// `threshold` and the proof's `currentTime`.
    /// @param proof The proof and the public signals the caller cannot derive.
    /// @param threshold The minimum score, from the loan offer.
    /// @param scope The market's scope, `keccak256(abi.encode(chainid, market)) >> 8`.
    /// @param message The borrow's message, below 2^MESSAGE_BITS, see `ILoanMarket.borrowMessage`.
    function verifyCreditProof(CreditProof calldata proof, uint256 threshold, uint256 scope, uint256 message)
        external
        view;

    /// @notice The trust registry whose KYC roots, bureau keys and escrow committee keys are accepted.
    function trustRegistry() external view returns (ITrustRegistry);

    /// @notice How old (seconds before block time) a proof's `currentTime` may be.
    function maxProofAge() external view returns (uint256);

    /// @notice How far (seconds after block time) a proof's `currentTime` may be, for clock skew.
    function maxFutureSkew() external view returns (uint256);

    /// @notice Refuses every proof until `unpause` (emergency brake). Admin only. Emits `Paused`.
    function pause() external;

    /// @notice Accepts proofs again. Admin only. Emits `Unpaused`.
    function unpause() external;

    /// @notice Whether the admin paused the verifier.
    function paused() external view returns (bool);
}
