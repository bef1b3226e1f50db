// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ITrustErrors} from "./ITrustErrors.sol";

/// @title ICreditProofCheck
/// @notice What checking a credit proof involves, wherever it runs (`CreditVerifier` for any market,
/// `LoanMarket` for its own borrows): the proof as a market takes it, one error per failed check
/// (those of the trust registry, `ITrustErrors`, among them), and the anchors that make a proof
/// under a common KYC root, bureau key, committee key and scope cheaper to check.
interface ICreditProofCheck is ITrustErrors {
    /// @notice A credit proof as `LoanMarket.borrow` takes it: what the contract cannot recompute.
    /// Exactly what the prover's `toBorrowCalldata` returns.
    /// @param nullifier The borrower's pseudonym in this market (`Poseidon(secret, scope)`).
    /// @param kycRoot The KYC root the membership was proved against.
    /// @param bureauKeyHash `Poseidon(Ax, Ay)` of the key that signed the attestation.
    /// @param currentTime The unix time the proof claims to be made at.
    /// @param committeeKeyY y of the escrow committee key (TrustRegistry's committee keys) the escrow is under.
    /// @param ephemeralKeyY The identity escrow's ephemeral key `R.y`.
    /// @param ciphertext The identity escrow's ciphertext: the borrower's identity commitment, masked.
    /// @param points The Groth16 proof in verifier order: a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y.
    struct CreditProof {
        uint256 nullifier;
        uint256 kycRoot;
        uint256 bureauKeyHash;
        uint256 currentTime;
        uint256 committeeKeyY;
        uint256 ephemeralKeyY;
        uint256 ciphertext;
        uint256[8] points;
    }

    /// @notice The public signal at `signalIndex` (`CreditCircuit.SIGNAL_*`) is not below the SNARK
    /// scalar field; `value` and `value - p` would be the same signal to the circuit.
    error NotAFieldElement(uint256 signalIndex, uint256 value);

    /// @notice `threshold` is not below 2^SCORE_BITS or `message` not below 2^MESSAGE_BITS
    /// (`CreditCircuit`): they cannot be packed into the proof's context signal.
    error ContextOutOfRange(uint256 threshold, uint256 message);

    /// @notice The proof's time is more than `maxFutureSkew()` after block time.
    error ProofFromFuture(uint256 currentTime, uint256 blockTime);

    /// @notice The proof's time is more than `maxProofAge()` before block time.
    error ProofTooOld(uint256 currentTime, uint256 blockTime);

    /// @notice The Groth16 proof does not verify for these public signals.
    error InvalidProof();

    /// @notice The anchor `anchorId` is prepared already: proofs under it read it now.
    error AnchorAlreadyPrepared(bytes32 anchorId);

    /// @notice Anyone prepared the anchor `anchorId` of these four public signals: proofs that carry
    /// them are checked with two storage reads in place of four ecMul and four ecAdd calls.
    event AnchorPrepared(bytes32 indexed anchorId, uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope);

    /// @notice Computes and keeps the part of the Groth16 input point that four public signals make:
    /// the KYC root, the bureau key, the escrow committee key and a market's scope. They change
    /// rarely (a root is current until the next membership change) and every borrow against them
    /// would compute the same four ecMul and ecAdd calls (about 24,000 gas); once prepared, a borrow
    /// reads the point from two slots (about 4,200). Permissionless: the point is computed here from
    /// the values, so whoever pays for it cannot make it wrong, and a proof under an unprepared
    /// anchor still verifies, at the higher cost. Emits `AnchorPrepared`.
    /// @dev Reverts `NotAFieldElement` for a value not below the SNARK scalar field, the root,
    /// bureau key and committee key errors of `verifyCreditProof` (at block time) for a value no
    /// proof could use now, and `AnchorAlreadyPrepared` if it is.
    /// @param kycRoot A KYC root, valid now.
    /// @param bureauKeyHash A bureau key, active now.
    /// @param committeeKeyY An escrow committee key, active now.
    /// @param scope A market's scope (`ILoanMarket.scope`, `IRequestMarket.scope`).
    /// @return anchorId `anchorIdOf` the four.
    function prepareAnchor(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        returns (bytes32 anchorId);

    /// @notice Whether the anchor of these four public signals is prepared.
    function anchorPrepared(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        view
        returns (bool);

    /// @notice The id an anchor is kept under: `keccak256(abi.encode(kycRoot, bureauKeyHash,
    /// committeeKeyY, scope))`.
    function anchorIdOf(uint256 kycRoot, uint256 bureauKeyHash, uint256 committeeKeyY, uint256 scope)
        external
        pure
        returns (bytes32);
}
