// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEscrowOpenings
/// @notice Opening identity escrows, only for defaulted loans, in public. Someone with the
/// requester role asks to open the escrow of a loan that its market marked defaulted; each
/// authority of the committee key the escrow was made under publishes its partial decryption
/// `D_j = s_j·R` with a Chaum-Pedersen proof; anyone reads t of them from the events, checks
/// each against the authority's public share in the registry and combines them. A loan in good
/// standing cannot be requested, and every request and share is an event.
/// @dev Partial decryptions are not verified on chain: Baby Jubjub has no precompile and a
/// Chaum-Pedersen check costs four scalar multiplications (over a million gas in Solidity),
/// while each share is signed by its authority's registered address and checkable by anyone
/// off chain, so a forged one names its author and delays nothing once t honest ones are in.
/// The market records each loan's escrow from its verified proof (`ILoanMarket.escrowTagOf`, the
/// values in `LoanOpened`): the request names it and is refused unless it is exactly the
/// loan's, so nobody can pass a good borrower's escrow off as a defaulter's. Requests still need
/// `REQUESTER_ROLE` (the compliance desk, a lender's recovery agent): the escrow no longer depends
/// on the requester, but who asks for an opening stays an accountable, named party.
interface IEscrowOpenings {
    /// @notice An opening request (three slots).
    /// @param committeeKeyY The committee key the escrow was made under.
    /// @param ephemeralKeyY The escrow's R.y.
    /// @param ciphertext The escrow's c.
    /// @param requester Who asked.
    /// @param requestedAt Block time of the request.
    /// @param shares Partial decryptions published so far.
    struct Opening {
        uint256 committeeKeyY;
        uint256 ephemeralKeyY;
        uint256 ciphertext;
        address requester;
        uint64 requestedAt;
        uint8 shares;
    }

    /// @notice An opening of loan `loanId`'s escrow was requested.
    event OpeningRequested(uint256 indexed loanId, address indexed requester, uint256 committeeKeyY, uint256 ephemeralKeyY, uint256 ciphertext);

    /// @notice Authority `index` published its partial decryption `(partialX, partialY)` of loan
    /// `loanId`'s escrow with the proof `(challenge, response)`, bound to `loanId`.
    event PartialDecryptionPublished(
        uint256 indexed loanId, uint256 indexed index, address indexed authority, uint256 partialX, uint256 partialY, uint256 challenge, uint256 response
    );

    /// @notice The `threshold`-th share of loan `loanId` arrived: the escrow can be opened off chain.
    event OpeningQuorumReached(uint256 indexed loanId, uint256 threshold);

    /// @notice The loan is not marked defaulted (`status` as in ILoanMarket.LoanStatus).
    error LoanNotDefaulted(uint256 loanId, uint8 status);

    /// @notice An opening of this loan was requested already.
    error OpeningAlreadyRequested(uint256 loanId);

    /// @notice This escrow (by R.y) is requested already, under loan `loanId`.
    error EscrowAlreadyRequested(uint256 ephemeralKeyY, uint256 loanId);

    /// @notice R.y or c is not below the SNARK scalar field, or R.y is 0, 1 or p - 1 (the y of small-order points only).
    error InvalidEscrow(uint256 ephemeralKeyY, uint256 ciphertext);

    /// @notice `(committeeKeyY, ephemeralKeyY, ciphertext)` is not the escrow the market recorded for
    /// loan `loanId` of pseudonym `nullifier` (its tag is `recorded`; 0 if `loanId` is not a loan of
    /// `nullifier`): take all four values from the loan's `LoanOpened` event.
    error EscrowNotOfLoan(uint256 loanId, uint256 nullifier, uint256 committeeKeyY, uint256 ephemeralKeyY, uint256 ciphertext, uint144 recorded);

    /// @notice No opening of this loan was requested.
    error OpeningNotRequested(uint256 loanId);

    /// @notice `account` is not an authority of the committee key of loan `loanId`'s escrow.
    error NotAnAuthority(uint256 loanId, address account);

    /// @notice Authority `index` published its share of loan `loanId` already.
    error ShareAlreadyPublished(uint256 loanId, uint256 index);

    /// @notice The partial decryption is not a point of Baby Jubjub of order above 2, or a proof value is out of range.
    error InvalidPartialDecryption(uint256 partialX, uint256 partialY);

    /// @notice Requests the opening of a defaulted loan's escrow. `REQUESTER_ROLE` only. The three
    /// values must be the loan's, as its market recorded them (its `LoanOpened` event).
    /// @param nullifier The loan's pseudonym (`LoanOpened`): the market keeps a pseudonym's first
    /// escrow with its record.
    /// @param committeeKeyY The committee key the escrow was made under (the proof's public signal).
    /// @param ephemeralKeyY The escrow's R.y (the proof's public signal).
    /// @param ciphertext The escrow's c (the proof's public signal).
    function requestOpening(uint256 loanId, uint256 nullifier, uint256 committeeKeyY, uint256 ephemeralKeyY, uint256 ciphertext)
        external;

    /// @notice Publishes the sender's partial decryption of a requested escrow. Authorities of the
    /// escrow's committee key only, once each.
    /// @param challenge The Chaum-Pedersen challenge (a field element).
    /// @param response The Chaum-Pedersen response (below the subgroup order).
    function publishPartialDecryption(uint256 loanId, uint256 partialX, uint256 partialY, uint256 challenge, uint256 response) external;

    /// @notice The opening request of a loan; all zeros if none.
    function openingOf(uint256 loanId) external view returns (Opening memory);

    /// @notice Whether authority `index` published its share of loan `loanId`.
    function hasPublished(uint256 loanId, uint256 index) external view returns (bool);
}
