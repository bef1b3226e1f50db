// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditVerifier} from "./ICreditVerifier.sol";
import {ICreditProofCheck} from "./ICreditProofCheck.sol";
import {IMarketErrors} from "./IMarketErrors.sol";

/// @title IRequestMarket
/// @notice Loan requests funded by many lenders, and lender positions as ERC-721 tokens.
///
/// A borrower lists a request (token, principal, term, instalments, the rate, a funding deadline,
/// late-fee terms and whether to take what was raised at the deadline) with a credit proof that a
/// registered bureau scored them at or above the request's `minScore` (the band shown to lenders,
/// never the score). The proof's `message` is `requestMessage(borrower, terms)`, its `scope` this
/// market's `scope()`, its threshold `terms.minScore`: the contract derives all three.
///
/// Funding (design): every lender funds at the request's rate, `aprBps`, the highest rate the
/// borrower accepts; there are no bids. `fundRequest` takes any part of what is still missing and
/// mints one position (an ERC-721 token of this contract) whose `amount` is that part. The call
/// that completes the principal disburses it to the borrower at once. After the deadline an
/// underfunded request either disburses what was raised (`disbursePartial`, by `closeFunding`,
/// which anyone may call) or refunds: each position's holder calls `refund`, nothing loops over
/// the lenders. A borrower may cancel an open request before its deadline; every holder then
/// refunds.
///
/// Loan rules, once disbursed: those of `ILoanMarket` (simple interest on the principal disbursed,
/// instalments of `LoanMath`, early repayment, late fees charged once per late instalment at the
/// next payment, default after `defaultPeriod`, recovery after default), with the request's terms
/// in place of an offer's. The loan's id is the request's id.
///
/// Positions: a position's holder pulls its share of everything the loan received (repayments,
/// late fees, recoveries) with `claim`. Unclaimed amounts travel with the token: after a transfer
/// the new holder claims them. Exact splits: while the loan is open a position of `amount` out of
/// `raised` may claim `floor(received * amount / raised)`. Once the loan is settled (repaid, or
/// defaulted and paid in full) each position owns the arc `[a, a + amount)` of a circle of
/// circumference `raised`, where `a = offset + rotation` and `rotation = splitSeed * raised / 2^56`
/// is fixed at disbursement from `block.prevrandao`; it may claim `floor(received * (a + amount) /
/// raised) - floor(received * a / raised)`. The arcs cover the circle once, so these add up to
/// `received` exactly (no wei created or lost); each differs from the exact share by less than one
/// unit, up or down depending on where its arc lies, and the rotation, unknown while the request
/// is funded, keeps any funding position (first, last or chosen) from rounding up systematically.
/// A settled claim is never below the open one, so a claim never has to be taken back. While a
/// loan is open at most one unit per position waits for the settlement.
///
/// Pseudonyms: this market keeps its own records (its scope gives each identity its own
/// nullifier here). An open request counts as an active loan (`activeLoans`) until it is
/// cancelled, expires, or its loan is repaid or defaulted; a defaulted pseudonym may never list
/// again; a proof is accepted only if newer than the pseudonym's last accepted one.
///
/// Tokens: only those the admin allowed (`setTokenAllowed`) for new requests and funding; fee-on
/// transfer tokens are refused (`UnsupportedToken`). A pause stops new requests and funding only.
interface IRequestMarket is IMarketErrors {
    /// @notice What a borrower asks for; all of it is bound by the proof's message.
    /// @param token The ERC-20 lent and repaid.
    /// @param principal The amount asked for.
    /// @param term Seconds from disbursement to the last due time.
    /// @param instalmentCount Number of instalments, due at equal steps over the term.
    /// @param aprBps The highest simple annual rate the borrower accepts, basis points; lenders fund at it.
    /// @param minScore The band: the proof shows the score is at least this.
    /// @param gracePeriod Seconds after a due time before an unpaid instalment is late.
    /// @param defaultPeriod Seconds after a due time before the loan may be marked defaulted.
    /// @param lateFee Amount charged once per late instalment.
    /// @param deadline Funding ends at this time (unix seconds).
    /// @param disbursePartial Whether to take what was raised when the deadline passes underfunded.
    struct RequestTerms {
        IERC20 token;
        uint128 principal;
        uint32 term;
        uint16 instalmentCount;
        uint16 aprBps;
        uint16 minScore;
        uint32 gracePeriod;
        uint32 defaultPeriod;
        uint128 lateFee;
        uint40 deadline;
        bool disbursePartial;
    }

    /// @notice Where a request stands. `Open` past its deadline reads as `Expired` in `statusOf`.
    enum RequestStatus {
        None,
        Open,
        Cancelled,
        Expired,
        Active,
        Repaid,
        Defaulted
    }

    /// @notice A request and, once disbursed, its loan.
    /// @param raised Funded so far; after disbursement the loan's principal; while a cancelled or
    /// expired request refunds, what is still held for its positions.
    /// @param startTime Disbursement time (0 before).
    /// @param splitSeed Fixed at disbursement; places the positions' arcs for the settled split.
    /// @param repaid Paid toward `principal + interest` (late fees not included).
    /// @param lateFeesPaid Late fees paid.
    /// @param recovered Paid after a default, late fees included.
    /// @param lateInstalmentsCharged Instalments, from the first, already charged their late fee.
    struct Request {
        IERC20 token;
        uint16 instalmentCount;
        uint16 aprBps;
        uint16 minScore;
        RequestStatus status;
        bool disbursePartial;
        uint32 term;
        address borrower;
        uint40 deadline;
        uint32 gracePeriod;
        uint16 lateInstalmentsCharged;
        uint128 principal;
        uint128 raised;
        uint128 lateFee;
        uint32 defaultPeriod;
        uint40 startTime;
        uint56 splitSeed;
        uint128 repaid;
        uint128 lateFeesPaid;
        uint128 recovered;
        uint256 nullifier;
        uint144 escrowTag;
    }

    /// @notice A lender's part of a request (an ERC-721 token of this market). Two slots; a claim
    /// writes the first, never zero (`amount` is not), so it costs no fresh slot.
    /// @param amount What it funded.
    /// @param claimed What its holders claimed so far.
    /// @param requestId The request it funded.
    /// @param offset Funded before it in the same request: where its arc starts, before the rotation.
    struct Position {
        uint128 amount;
        uint128 claimed;
        uint64 requestId;
        uint128 offset;
    }

    /// @notice The public record of a pseudonym in this market; the fields of `ILoanMarket`'s record.
    struct PseudonymRecord {
        uint32 loansTaken;
        uint32 loansRepaid;
        uint32 lateInstalments;
        uint32 defaults;
        uint32 activeLoans;
        uint64 lastProofTime;
        uint32 loansRecovered;
    }

    /// @notice A loan's standing at the current block time (as `ILoanMarket.LoanPosition`).
    struct LoanStanding {
        uint256 interest;
        uint256 totalDue;
        uint256 repaid;
        uint256 instalmentsPaid;
        uint256 nextDueTime;
        uint256 nextInstalmentRemaining;
        uint256 overdueAmount;
        uint256 lateFeesDue;
        uint256 payoffAmount;
        uint256 defaultableAt;
    }

    /// @notice A borrower listed a request.
    /// Its identity escrow, from its verified credit proof, is the borrower's identity commitment
    /// encrypted under committee key `committeeKeyY` (ephemeral key `ephemeralKeyY`, `ciphertext`):
    /// this market's EscrowOpenings opens it only once the request's loan is defaulted.
    event RequestCreated(
        uint256 indexed requestId,
        uint256 indexed nullifier,
        address indexed borrower,
        RequestTerms terms,
        uint256 committeeKeyY,
        uint256 ephemeralKeyY,
        uint256 ciphertext
    );

    /// @notice A lender funded `amount`; the position `positionId` holds it.
    event RequestFunded(uint256 indexed requestId, uint256 indexed positionId, address indexed lender, uint256 amount, uint256 raised);

    /// @notice The loan was disbursed: `principal` to the borrower, `interest` due over the term.
    event RequestDisbursed(uint256 indexed requestId, address indexed borrower, uint256 principal, uint256 interest);

    /// @notice The borrower cancelled the request before it was funded.
    event RequestCancelled(uint256 indexed requestId);

    /// @notice The deadline passed underfunded and the request refunds (`raised` held for its positions).
    event RequestExpired(uint256 indexed requestId, uint256 raised);

    /// @notice A position of a cancelled or expired request was refunded and burnt.
    event PositionRefunded(uint256 indexed positionId, uint256 indexed requestId, address indexed holder, uint256 amount);

    /// @notice A position's holder claimed `amount` of what the loan received.
    event PositionClaimed(uint256 indexed positionId, uint256 indexed requestId, address indexed holder, uint256 amount);

    /// @notice `payer` paid `amount` toward the loan and `lateFees` for `lateInstalments` newly late instalments.
    event LoanRepayment(uint256 indexed requestId, address indexed payer, uint256 amount, uint256 lateFees, uint256 lateInstalments);

    /// @notice The loan is repaid in full; `interestWaived` is interest not paid thanks to early repayment.
    event LoanRepaid(uint256 indexed requestId, uint256 indexed nullifier, uint256 interestWaived);

    /// @notice The loan was marked defaulted with `outstanding` unpaid.
    event LoanDefaulted(uint256 indexed requestId, uint256 indexed nullifier, uint256 outstanding);

    /// @notice A defaulted loan was paid in full; `recovered` was paid after the default.
    event LoanRecovered(uint256 indexed requestId, uint256 indexed nullifier, uint256 recovered);

    /// @notice The admin allowed or disallowed `token` for new requests and funding.
    event TokenAllowlistSet(address indexed token, bool allowed, address indexed admin);

    /// @notice `aprBps` is 0 or above `maxAprBps`.
    error InvalidApr(uint256 aprBps, uint256 maxAprBps);

    /// @notice The deadline must be after block time and at most `maxDeadline`.
    error InvalidDeadline(uint256 deadline, uint256 blockTime, uint256 maxDeadline);

    /// @notice No request has this id.
    error UnknownRequest(uint256 requestId);

    /// @notice The request is `status`, not what the call needs.
    error WrongRequestStatus(uint256 requestId, RequestStatus status);

    /// @notice Funding closed at `deadline`.
    error FundingClosed(uint256 requestId, uint256 deadline);

    /// @notice Funding is open until `deadline`: the request cannot be closed yet.
    error FundingStillOpen(uint256 requestId, uint256 deadline);

    /// @notice `amount` is more than the `remaining` part of the principal.
    error FundingExceedsRemaining(uint256 requestId, uint256 amount, uint256 remaining);

    /// @notice Only the request's borrower may do this.
    error NotBorrower(uint256 requestId, address caller, address borrower);

    /// @notice No position has this id (or it was refunded and burnt).
    error UnknownPosition(uint256 positionId);

    /// @notice Only the position's holder (or an address it approved) may do this.
    error NotPositionHolder(uint256 positionId, address caller, address holder);

    /// @notice The position's request is not cancelled or expired-and-refunding.
    error NotRefundable(uint256 positionId, RequestStatus status);

    /// @notice The position has nothing to claim now.
    error NothingToClaim(uint256 positionId);

    /// @notice The loan is not disbursed yet, or repaid, or (for `markDefault`) defaulted.
    error LoanNotActive(uint256 requestId, RequestStatus status);

    /// @notice The defaulted loan has been paid in full: nothing is owed.
    error NothingOwed(uint256 requestId);

    /// @notice `amount` is more than the `outstanding` part of `principal + interest`.
    error RepaymentExceedsDebt(uint256 requestId, uint256 amount, uint256 outstanding);

    /// @notice The loan may be marked defaulted only from `defaultableAt` on.
    error LoanNotInDefault(uint256 requestId, uint256 defaultableAt);

    /// @notice Lists a request from the caller with a credit proof.
    /// @dev The proof must have been made for `threshold = terms.minScore`, `scope = scope()` and
    /// `message = requestMessage(msg.sender, terms)`. Counts as an active loan of the pseudonym
    /// until cancelled, expired, repaid or defaulted. Errors of the proof checks come from
    /// `ICreditVerifier`.
    /// @return requestId Its id, counting from 0; also the id of its loan.
    function createRequest(RequestTerms calldata terms, ICreditProofCheck.CreditProof calldata proof)
        external
        returns (uint256 requestId);

    /// @notice Funds `amount` of an open request before its deadline (needs an allowance) and mints
    /// a position to the caller. The call that completes the principal disburses it to the borrower.
    /// @return positionId The new position's token id, counting from 0.
    function fundRequest(uint256 requestId, uint256 amount) external returns (uint256 positionId);

    /// @notice Cancels an open request before its deadline. Its borrower only. Holders then refund.
    function cancelRequest(uint256 requestId) external;

    /// @notice After the deadline of an underfunded request: disburses what was raised if the
    /// borrower opted in and something was raised, otherwise marks it expired (holders refund).
    /// Anyone may call it; `refund` does the expiry itself when needed.
    function closeFunding(uint256 requestId) external;

    /// @notice Pays a position of a cancelled or expired request its amount back, to its holder,
    /// and burns it. Its holder (or an approved address) only.
    /// @return amount What was sent.
    function refund(uint256 positionId) external returns (uint256 amount);

    /// @notice Sends the position's holder what it may claim now (see the contract notice). Its
    /// holder (or an approved address) only.
    /// @return amount What was sent.
    function claim(uint256 positionId) external returns (uint256 amount);

    /// @notice Pays the rest of the next instalment plus any late fees. Anyone may pay.
    /// @return paid Amount taken from the caller, late fees included.
    function repayInstalment(uint256 requestId) external returns (uint256 paid);

    /// @notice Pays `amount` toward the instalments in order, plus any late fees on top.
    /// @return paid Amount taken from the caller, late fees included.
    function repay(uint256 requestId, uint256 amount) external returns (uint256 paid);

    /// @notice Repays the whole loan now under the early repayment rule; a defaulted loan: everything outstanding.
    /// @return paid Amount taken from the caller, late fees included.
    function repayAll(uint256 requestId) external returns (uint256 paid);

    /// @notice Marks a loan defaulted once its earliest unpaid instalment is more than `defaultPeriod`
    /// past due. Anyone may call it.
    function markDefault(uint256 requestId) external;

    /// @notice Stops new requests and funding. Admin only.
    function pause() external;

    /// @notice Lifts the pause. Admin only.
    function unpause() external;

    /// @notice Allows (or stops) new requests and funding in `token`. Admin only. Loans, claims,
    /// refunds and repayments in it go on either way.
    function setTokenAllowed(IERC20 token, bool allowed) external;

    /// @notice Whether new requests and funding may use `token`.
    function isTokenAllowed(IERC20 token) external view returns (bool);

    /// @notice The verifier of credit proofs.
    function creditVerifier() external view returns (ICreditVerifier);

    /// @notice How many loans (open requests included) one pseudonym may have at once.
    function maxActiveLoans() external view returns (uint256);

    /// @notice Number of requests (the next id).
    function requestCount() external view returns (uint256);

    /// @notice Number of positions minted (the next token id).
    function positionCount() external view returns (uint256);

    /// @notice A request; all zeros if unknown.
    function request(uint256 requestId) external view returns (Request memory);

    /// @notice The request's status now: `Open` past the deadline reads `Expired`, even before
    /// `closeFunding` (a `disbursePartial` request with funds then waits for `closeFunding`).
    function statusOf(uint256 requestId) external view returns (RequestStatus);

    /// @notice A position; all zeros if unknown or burnt.
    function position(uint256 positionId) external view returns (Position memory);

    /// @notice What `claim(positionId)` would send now.
    function claimable(uint256 positionId) external view returns (uint256);

    /// @notice The public record of a pseudonym.
    function record(uint256 nullifier) external view returns (PseudonymRecord memory);

    /// @notice Where a disbursed loan stands at the current block time.
    function loanStanding(uint256 requestId) external view returns (LoanStanding memory);

    /// @notice This market's scope on this chain: `keccak256(abi.encode(chainid, market)) >> 8`.
    function scope() external view returns (uint256);

    /// @notice The message a request's proof must carry:
    /// `keccak256(abi.encode(chainid, market, borrower, terms)) >> 96` (the top
    /// `CreditCircuit.MESSAGE_BITS` = 160 bits).
    function requestMessage(address borrower, RequestTerms calldata terms) external view returns (uint256);
}
