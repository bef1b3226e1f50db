// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditVerifier} from "./ICreditVerifier.sol";
import {ICreditProofCheck} from "./ICreditProofCheck.sol";
import {IOfferPositions} from "./IOfferPositions.sol";
import {IMarketErrors} from "./IMarketErrors.sol";

/// @notice How a market records a loan's identity escrow: the top 144 bits of the keccak of its
/// three public signals. 144 bits fit beside a pseudonym's record in one slot (a first loan writes
/// no slot for its escrow), and finding other signals with a given tag takes about 2^144 hashes.
function escrowTag(uint256 committeeKeyY, uint256 ephemeralKeyY, uint256 ciphertext) pure returns (uint144) {
    return uint144(uint256(keccak256(abi.encode(committeeKeyY, ephemeralKeyY, ciphertext))) >> 112);
}

/// @title ILoanMarket
/// @notice Lenders offer loans in an ERC-20 token with score tiers; a borrower proves in zero
/// knowledge that a registered bureau scored them at or above a tier's minimum and that they passed
/// KYC, then borrows. The contract runs the loan: disbursement, instalments, late fees, default.
///
/// Loan rules (all amounts in the token's smallest unit, all times unix seconds):
/// - Interest is simple (flat): `ceil(principal * aprBps * term / (10_000 * 365 days))`, on the
///   original principal for the whole term. `aprBps` is that simple annual rate, not an amortising APR.
/// - `total = principal + interest` is paid in `instalmentCount` instalments. Instalment k (from 0)
///   is due at `start + floor(term * (k + 1) / instalmentCount)`; the first k instalments add up to
///   `ceil(total * k / instalmentCount)`. So they sum to `total` exactly, each differs from
///   `total / instalmentCount` by under one unit, and rounding never favours the borrower.
/// - Payments apply to instalments in order. `repay` may pay part of one instalment or several.
/// - Early repayment (`repayAll`): the borrower pays the whole principal plus the interest of every
///   period that has started (`ceil(interest * started / instalmentCount)`), minus what was repaid;
///   interest of periods not yet started is waived. Instalments prepaid with `repay` stay paid in full.
/// - Late fee: an instalment not fully paid by its due time plus `gracePeriod` is late. Each late
///   instalment is charged `lateFee` once, at the next payment, on top of the amount paid.
/// - Default: once the earliest unpaid instalment is more than `defaultPeriod` past due, anyone may
///   mark the loan defaulted. The pseudonym then can never borrow in this market again, and the
///   loan's status stays `Defaulted` for good.
/// - Recovery after default: a defaulted loan still accepts payments (`repayInstalment`, `repay`,
///   `repayAll`), which go to the lender as any repayment does. The whole outstanding amount is due
///   (`repayAll` pays `principal + interest - repaid`: no interest is waived after a default). Late
///   fees keep their rule: each instalment late and not yet charged is charged `lateFee` once, at
///   the next payment, so a `markDefault` that lands just before a repayment costs the lender
///   nothing. The pseudonym's record keeps the default; `loansRecovered` counts defaulted loans
///   paid in full, and the loan's `recovered` what was paid after the default. Its count of late
///   instalments stops at the default.
/// - Repayments and late fees go back to the offer's available funds; the lender withdraws them.
///   Repayments never fail because of these books: what would lift `available` above
///   `type(uint128).max` is credited to the offer's `surplus`, which the lender withdraws.
/// - Pseudonyms (nullifiers) have a public record. Replay protection: a proof is accepted only if its
///   `currentTime` is strictly after the last accepted proof of the same pseudonym.
/// - A market pause stops new offers, deposits and loans; repaying, withdrawing and marking
///   defaults go on, so no borrower is made late and no lender locked in by a pause.
/// - Tokens that take a fee on transfer or rebase are not supported (deposits and repayments check the amount
///   received).
/// - Token allowlist: the admin allows each token offers may use (`setTokenAllowed`), after vetting its
///   contract and who controls it. `createOffer` and `deposit` refuse any other (`TokenNotAllowed`).
///   Disallowing a token stops new offers and deposits in it, nothing else: its existing offers keep
///   their funds and their loans, repayments, withdrawals, surplus withdrawals and defaults go on,
///   so nobody is locked in or made late. `borrow` does not read the allowlist (its gas is
///   budgeted): an existing offer in a disallowed token keeps lending what it holds until its
///   lender pauses it or withdraws (or the admin pauses the market).
///
/// Positions (ERC-721, opt-in): the lender of a loan's offer may turn its claim on that loan into a
/// transferable token with `openPosition(loanId)`, while the loan is active or defaulted and still
/// owes something. The market mints position `loanId` of `positions()` (an `IOfferPositions`
/// contract it deploys) to the lender. From then on everything the loan receives (instalments,
/// partial and early repayments, late fees, recovery after a default) is credited to the position
/// instead of the offer's `available`; the position's current holder (or an address it approved)
/// pulls it with `claimPosition`, paid to the holder. What the loan paid before the position opened
/// stayed with the offer. Splits are exact: each payment goes whole to the offer or whole to the
/// position, so nothing is rounded, created or lost. Loans without a position pay nothing for this:
/// the flag lives in the loan's books slot, which repayments read anyway; a loan with one pays one
/// cold slot read more (its position's books) in place of the offer's `available` write.
interface ILoanMarket is IMarketErrors {
    /// @notice A score tier of an offer.
    /// @param minScore The minimum score (the proof's threshold).
    /// @param aprBps Simple annual interest rate, basis points.
    /// @param maxPrincipal The largest principal of one loan in this tier.
    struct Tier {
        uint16 minScore;
        uint16 aprBps;
        uint128 maxPrincipal;
    }

    /// @notice The loan terms of an offer, the same for every tier.
    /// @param term Seconds from disbursement to the last due time.
    /// @param instalmentCount Number of instalments, due at equal steps over the term.
    /// @param gracePeriod Seconds after a due time before an unpaid instalment is late.
    /// @param defaultPeriod Seconds after a due time before an unpaid instalment lets anyone mark
    /// the loan defaulted; more than `gracePeriod`.
    /// @param lateFee Amount charged once per late instalment.
    struct LoanTerms {
        uint32 term;
        uint16 instalmentCount;
        uint32 gracePeriod;
        uint32 defaultPeriod;
        uint128 lateFee;
    }

    /// @notice A lender's offer. Packed into three slots: `borrow` reads the first and the third.
    struct Offer {
        IERC20 token;
        uint8 tierCount;
        bool paused;
        uint16 instalmentCount;
        uint32 term;
        uint32 gracePeriod;
        address lender;
        uint32 defaultPeriod;
        uint128 available;
        uint128 lateFee;
    }

    /// @notice Where a loan stands.
    enum LoanStatus {
        None,
        Active,
        Repaid,
        Defaulted
    }

    /// @notice A loan, as the view returns it. Stored in one slot that `borrow` writes, one that the
    /// first payment writes and one that the first payment after a default writes. Its pseudonym is
    /// not stored with it (`LoanOpened` names it): a first loan then costs one slot less.
    /// @param principal Amount disbursed.
    /// @param startTime Block time of disbursement.
    /// @param offerId The offer it was taken from (its terms apply).
    /// @param tier The tier (its `aprBps` applies).
    /// @param lateInstalmentsCharged Instalments, counted from the first, already charged their late fee.
    /// @param status Active, repaid or defaulted; `Defaulted` stays, even once the loan is recovered.
    /// @param repaid Paid toward `principal + interest` (late fees not included).
    /// @param lateFeesPaid Late fees paid.
    /// @param recovered Paid after the default, late fees included.
    struct Loan {
        uint128 principal;
        uint40 startTime;
        uint40 offerId;
        uint8 tier;
        uint16 lateInstalmentsCharged;
        LoanStatus status;
        uint128 repaid;
        uint128 lateFeesPaid;
        uint128 recovered;
    }

    /// @notice The public record of a pseudonym in this market (one slot).
    /// @param loansTaken Loans borrowed.
    /// @param loansRepaid Loans repaid in full (early or on schedule) before any default.
    /// @param lateInstalments Instalments that became late (counted at payment or default).
    /// @param defaults Loans marked defaulted; one is enough to be refused for good, recovered or not.
    /// @param activeLoans Loans neither repaid nor defaulted.
    /// @param lastProofTime `currentTime` of the last accepted proof (replay protection).
    /// @param loansRecovered Defaulted loans later paid in full (they still count in `defaults`).
    struct PseudonymRecord {
        uint32 loansTaken;
        uint32 loansRepaid;
        uint32 lateInstalments;
        uint32 defaults;
        uint32 activeLoans;
        uint64 lastProofTime;
        uint32 loansRecovered;
    }

    /// @notice A loan's position at the current block time, for clients.
    /// @param interest Interest of the whole term.
    /// @param totalDue `principal + interest`.
    /// @param repaid Paid toward `totalDue`.
    /// @param instalmentsPaid Instalments paid in full; the next one to pay has this index.
    /// @param nextDueTime Due time of the next instalment; 0 if nothing is owed.
    /// @param nextInstalmentRemaining What is left to pay of the next instalment.
    /// @param overdueAmount Amount of instalments due by now and not paid (all of it once defaulted).
    /// @param lateFeesDue Late fees a payment made now would be charged.
    /// @param payoffAmount What `repayAll` would take now, late fees not included.
    /// @param defaultableAt From this time on the loan may be marked defaulted (if still unpaid); 0
    /// once defaulted.
    struct LoanPosition {
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

    /// @notice The books of a loan's position (`offerPosition`).
    /// @param open Whether the lender opened a position for the loan.
    /// @param receivedBeforeOpen What the loan paid (repayments and late fees) before the position
    /// opened; it went to the offer.
    /// @param received What the loan paid since, credited to the position.
    /// @param claimed What the position's holders claimed.
    /// @param claimable What its holder may claim now: `received - claimed`.
    struct OfferPosition {
        bool open;
        uint256 receivedBeforeOpen;
        uint256 received;
        uint256 claimed;
        uint256 claimable;
    }

    /// @notice A lender created an offer and deposited `capacity`.
    event OfferCreated(
        uint256 indexed offerId, address indexed lender, address indexed token, uint256 capacity, LoanTerms terms, Tier[] tiers
    );

    /// @notice The lender added funds.
    event OfferDeposit(uint256 indexed offerId, uint256 amount, uint256 available);

    /// @notice The lender withdrew funds that were not lent.
    event OfferWithdrawal(uint256 indexed offerId, uint256 amount, uint256 available);

    /// @notice A repayment that did not fit `available` was credited to the offer's surplus.
    event OfferSurplusCredited(uint256 indexed offerId, uint256 amount, uint256 surplus);

    /// @notice The lender withdrew the offer's surplus.
    event OfferSurplusWithdrawal(uint256 indexed offerId, uint256 amount);

    /// @notice The lender paused (no new loans) or resumed an offer.
    event OfferPauseSet(uint256 indexed offerId, bool paused);

    /// @notice The admin allowed offers in `token`.
    event TokenAllowed(address indexed token, address indexed admin);

    /// @notice The admin disallowed `token`: no new offers or deposits in it; everything else goes on.
    event TokenDisallowed(address indexed token, address indexed admin);

    /// @notice A loan was disbursed to `borrower`. Its identity escrow, from its verified credit
    /// proof, is the borrower's identity commitment encrypted under committee key `committeeKeyY`
    /// (ephemeral key `ephemeralKeyY`, `ciphertext`): EscrowOpenings opens it only once the loan is
    /// defaulted.
    event LoanOpened(
        uint256 indexed loanId,
        uint256 indexed offerId,
        uint256 indexed nullifier,
        address borrower,
        uint256 tier,
        uint256 principal,
        uint256 interest,
        uint256 committeeKeyY,
        uint256 ephemeralKeyY,
        uint256 ciphertext
    );

    /// @notice `payer` paid `amount` toward the loan and `lateFees` for `lateInstalments` newly late instalments.
    event LoanRepayment(uint256 indexed loanId, address indexed payer, uint256 amount, uint256 lateFees, uint256 lateInstalments);

    /// @notice The loan is repaid in full; `interestWaived` is interest not paid thanks to early repayment.
    event LoanRepaid(uint256 indexed loanId, uint256 interestWaived);

    /// @notice The loan was marked defaulted with `outstanding` of `principal + interest` unpaid.
    event LoanDefaulted(uint256 indexed loanId, uint256 outstanding);

    /// @notice A defaulted loan was paid in full; `recovered` was paid after the default, late fees
    /// included. Its status stays `Defaulted`.
    event LoanRecovered(uint256 indexed loanId, uint256 recovered);

    /// @notice The offer's `lender` opened position `loanId` (a token of `positions()`) and holds it;
    /// `receivedBeforeOpen` of the loan's payments stayed with the offer.
    event PositionOpened(uint256 indexed loanId, uint256 indexed offerId, address indexed lender, uint256 receivedBeforeOpen);

    /// @notice The position's `holder` was paid `amount`, credited to it by the loan's payments.
    event PositionClaimed(uint256 indexed loanId, address indexed holder, uint256 amount);

    /// @notice No offer has this id.
    error UnknownOffer(uint256 offerId);

    /// @notice The lender paused this offer.
    error OfferPaused(uint256 offerId);

    /// @notice The offer has `tierCount` tiers; `tier` is not one of them.
    error UnknownTier(uint256 offerId, uint256 tier, uint256 tierCount);

    /// @notice `principal` is 0 or above the tier's `maxPrincipal`.
    error InvalidPrincipal(uint256 offerId, uint256 tier, uint256 principal, uint256 maxPrincipal);

    /// @notice The offer has only `available` of the `requested` amount.
    error InsufficientLiquidity(uint256 offerId, uint256 requested, uint256 available);

    /// @notice Only the offer's lender may do this.
    error NotOfferLender(uint256 offerId, address caller, address lender);

    /// @notice An offer has 1 to `maxTierCount` tiers.
    error InvalidTierCount(uint256 tierCount, uint256 maxTierCount);

    /// @notice A tier's `aprBps` is above `maxAprBps`.
    error AprTooHigh(uint256 tier, uint256 aprBps, uint256 maxAprBps);

    /// @notice A tier's `maxPrincipal` is 0.
    error ZeroMaxPrincipal(uint256 tier);

    /// @notice Tiers must ask strictly increasing minimum scores.
    error TiersNotAscending(uint256 tier, uint256 minScore, uint256 previousMinScore);

    /// @notice No loan has this id.
    error UnknownLoan(uint256 loanId);

    /// @notice The loan is repaid or defaulted.
    error LoanNotActive(uint256 loanId, LoanStatus status);

    /// @notice The loan was defaulted and has been paid in full since: nothing is owed.
    error NothingOwed(uint256 loanId);

    /// @notice `amount` is more than the `outstanding` part of `principal + interest`.
    error RepaymentExceedsDebt(uint256 loanId, uint256 amount, uint256 outstanding);

    /// @notice The loan may be marked defaulted only from `defaultableAt` on.
    error LoanNotInDefault(uint256 loanId, uint256 defaultableAt);

    /// @notice The loan already has a position (the lender opened it before).
    error PositionAlreadyOpen(uint256 loanId);

    /// @notice Loan `loanId` has no position: its lender did not open one.
    error UnknownPosition(uint256 loanId);

    /// @notice `caller` is neither the position's `holder` nor approved for it.
    error NotPositionHolder(uint256 loanId, address caller, address holder);

    /// @notice The position has nothing to claim: the loan paid nothing since the last claim.
    error NothingToClaim(uint256 loanId);

    /// @notice Creates an offer from the caller and deposits `capacity` of `token` (needs an allowance).
    /// `token` must be on the allowlist (`isTokenAllowed`).
    /// @param tiers 1 to `MAX_TIERS`, strictly increasing `minScore`.
    /// @param terms Term, instalments, grace and default periods, late fee.
    /// @return offerId Its id, counting from 0.
    function createOffer(IERC20 token, uint256 capacity, Tier[] calldata tiers, LoanTerms calldata terms)
        external
        returns (uint256 offerId);

    /// @notice Adds funds to an offer. Its lender only; the offer's token must still be allowed.
    function deposit(uint256 offerId, uint256 amount) external;

    /// @notice Withdraws funds of an offer that are not lent, to its lender. Its lender only.
    function withdraw(uint256 offerId, uint256 amount) external;

    /// @notice Withdraws the offer's whole surplus (repayments that did not fit `available`), to its
    /// lender. Its lender only.
    /// @return amount What was sent.
    function withdrawSurplus(uint256 offerId) external returns (uint256 amount);

    /// @notice Stops (or resumes) new loans from an offer. Its lender only. Loans already made go on.
    function setOfferPaused(uint256 offerId, bool paused) external;

    /// @notice Borrows `principal` from `offerId` in `tier`, to the caller, with a credit proof.
    /// @dev The proof must have been made for `threshold = tiers[tier].minScore`, `scope = scope()`
    /// and `message = borrowMessage(msg.sender, offerId, tier, principal)`; the contract derives all
    /// three, so a proof works only for this chain, market, caller, offer, tier and principal.
    /// Errors of the proof checks come from `ICreditVerifier`.
    /// @return loanId The new loan's id, counting from 0.
    function borrow(uint256 offerId, uint256 tier, uint256 principal, ICreditProofCheck.CreditProof calldata proof)
        external
        returns (uint256 loanId);

    /// @notice Pays the rest of the next instalment plus any late fees (needs an allowance). Anyone may
    /// pay; a defaulted loan still accepts payments (recovery).
    /// @return paid Amount taken from the caller, late fees included.
    function repayInstalment(uint256 loanId) external returns (uint256 paid);

    /// @notice Pays `amount` toward the instalments in order, plus any late fees on top.
    /// @return paid Amount taken from the caller, late fees included.
    function repay(uint256 loanId, uint256 amount) external returns (uint256 paid);

    /// @notice Repays the whole loan now under the early repayment rule (see the contract notice); a
    /// defaulted loan: everything outstanding.
    /// @return paid Amount taken from the caller, late fees included.
    function repayAll(uint256 loanId) external returns (uint256 paid);

    /// @notice Marks a loan defaulted once its earliest unpaid instalment is more than the offer's
    /// `defaultPeriod` past due. Anyone may call it.
    function markDefault(uint256 loanId) external;

    /// @notice Turns the lender's claim on `loanId` into an ERC-721 position of `positions()`, minted
    /// to the caller: from now on the loan's payments go to the position, not the offer. The
    /// offer's lender only; the loan must be active, or defaulted and still owing something. Works
    /// while the market is paused.
    /// @dev Reverts with `UnknownLoan`, `NotOfferLender`, `PositionAlreadyOpen`, `LoanNotActive`
    /// (repaid) or `NothingOwed` (defaulted and recovered in full).
    /// @return positionId The position's token id: `loanId`.
    function openPosition(uint256 loanId) external returns (uint256 positionId);

    /// @notice Pays the position's holder everything credited to it and not claimed yet. Its holder,
    /// or an address the holder approved for it (the holder is paid, not the caller).
    /// @dev Reverts with `UnknownPosition`, `NotPositionHolder` or `NothingToClaim`.
    /// @return amount What was paid.
    function claimPosition(uint256 loanId) external returns (uint256 amount);

    /// @notice The ERC-721 contract of the positions, deployed by this market.
    function positions() external view returns (IOfferPositions);

    /// @notice The books of loan `loanId`'s position; all zeros (and `open` false) if it has none.
    function offerPosition(uint256 loanId) external view returns (OfferPosition memory);

    /// @notice Stops new offers, deposits and loans in the whole market. Admin only.
    function pause() external;

    /// @notice Lifts the pause. Admin only.
    function unpause() external;

    /// @notice Allows offers to use `token` from now on (`allowed` true, emits `TokenAllowed`), or stops
    /// new offers and deposits in it (`allowed` false, emits `TokenDisallowed`). Admin only. Existing
    /// offers, their loans, repayments, withdrawals and defaults are not affected (see the contract
    /// notice).
    /// @dev Reverts with `ZeroAddress` for 0, `InvalidToken` when allowing an address that is not a
    /// contract, and `TokenAllowlistUnchanged` when the token is in that state already.
    function setTokenAllowed(IERC20 token, bool allowed) external;

    /// @notice Whether offers may use `token` (`createOffer`, `deposit`).
    function isTokenAllowed(IERC20 token) external view returns (bool);

    /// @notice The credit verifier whose registries and time window the market checks its borrows'
    /// proofs against (copied at deployment: the market runs the checks itself, and its own pause
    /// is the brake on them; the verifier's pause stops the markets that call it).
    function creditVerifier() external view returns (ICreditVerifier);

    /// @notice How many loans one pseudonym may have active at once.
    function maxActiveLoans() external view returns (uint256);

    /// @notice Number of offers (the next id).
    function offerCount() external view returns (uint256);

    /// @notice Number of loans (the next id).
    function loanCount() external view returns (uint256);

    /// @notice An offer; all zeros if unknown.
    function offer(uint256 offerId) external view returns (Offer memory);

    /// @notice A tier of an offer; all zeros if unknown.
    function tierOf(uint256 offerId, uint256 tier) external view returns (Tier memory);

    /// @notice A loan; all zeros if unknown.
    function loan(uint256 loanId) external view returns (Loan memory);

    /// @notice `escrowTag(committeeKeyY, ephemeralKeyY, ciphertext)` of the loan's identity escrow,
    /// as its credit proof carried it (the values are in `LoanOpened`); 0 if `loanId` is unknown,
    /// not a loan of `nullifier`, or repaid (its escrow can never be opened, and a later loan may
    /// have taken its place). A loan taken while its pseudonym had none active keeps its tag in the
    /// pseudonym's record, hence the nullifier (from `LoanOpened`).
    function escrowTagOf(uint256 loanId, uint256 nullifier) external view returns (uint144);

    /// @notice Repayments of an offer that did not fit its `available`, waiting for the lender.
    function surplus(uint256 offerId) external view returns (uint256);

    /// @notice The public record of a pseudonym.
    function record(uint256 nullifier) external view returns (PseudonymRecord memory);

    /// @notice Where an active or closed loan stands at the current block time.
    function loanPosition(uint256 loanId) external view returns (LoanPosition memory);

    /// @notice This market's scope on this chain: `keccak256(abi.encode(chainid, market)) >> 8`.
    function scope() external view returns (uint256);

    /// @notice The message a borrow's proof must carry:
    /// `keccak256(abi.encode(chainid, market, borrower, offerId, tier, principal)) >> 96`, the top
    /// `CreditCircuit.MESSAGE_BITS` = 160 bits of the hash.
    function borrowMessage(address borrower, uint256 offerId, uint256 tier, uint256 principal)
        external
        view
        returns (uint256);
}
