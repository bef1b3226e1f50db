// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Panic} from "@openzeppelin/contracts/utils/Panic.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CreditProofCheck, proofCheckConfigOf} from "./CreditProofCheck.sol";
import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {ICreditProofCheck} from "./interfaces/ICreditProofCheck.sol";
import {IEscrowMarket} from "./interfaces/IEscrowMarket.sol";
import {ILoanMarket, escrowTag} from "./interfaces/ILoanMarket.sol";
import {IOfferPositions} from "./interfaces/IOfferPositions.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {OfferPositions} from "./OfferPositions.sol";
import {Repayment} from "./libraries/Repayment.sol";

/// @title LoanMarket
/// @notice Offers, zero-knowledge gated loans, instalments, late fees and defaults. The rules are
/// in {ILoanMarket}.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` pauses the market and keeps the token allowlist. Every
/// function that moves tokens is `nonReentrant` (transient storage, EIP-1153) and changes state
/// before it calls the token. It checks its borrows' proofs itself (`CreditProofCheck`, against the
/// registries and time window of `creditVerifier`, copied at deployment), so the market's pause is
/// also the brake on its proofs, and its anchors are its own.
contract LoanMarket is ILoanMarket, IEscrowMarket, CreditProofCheck, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most tiers per offer.
    uint256 public constant MAX_TIERS = 8;
    /// @notice Most instalments per loan.
    uint256 public constant MAX_INSTALMENTS = 360;
    /// @notice Longest term.
    uint256 public constant MAX_TERM = 10 * 365 days;
    /// @notice Longest grace or default period.
    uint256 public constant MAX_PERIOD = 365 days;
    /// @notice Highest simple annual rate, basis points (500 %).
    uint256 public constant MAX_APR_BPS = 50_000;

    /// @inheritdoc ILoanMarket
    ICreditVerifier public immutable creditVerifier;

    /// @inheritdoc ILoanMarket
    uint256 public immutable maxActiveLoans;

    /// @inheritdoc ILoanMarket
    IOfferPositions public immutable positions;

    // Packed into Pausable's slot (its `bool _paused` comes first): `borrow` reads the pause flag
    // and bumps the loan count with one slot access. 2^40 loans would take over 10^17 gas: loan ids
    // fit the 40 bits a loan slot keeps for its pseudonym's first loan.
    uint40 private _loanCount;
    uint40 private _offerCount;

    mapping(uint256 offerId => Offer) private _offers;
    mapping(uint256 offerId => mapping(uint256 tier => Tier)) private _tiers;
    // A loan is one slot written by `borrow` (see `_packLoan`), one written at its first payment
    // (`_paidBooks`) and one at its first payment after a default (`_recovered`). It names its
    // pseudonym by the pseudonym's first loan id, which keys what repayments and defaults change in
    // the record (`_outcomes`); the nullifier keys what `borrow` reads and writes (`_records`). So the
    // nullifier is never stored, and a first loan writes two fresh slots: its record and the loan.
    // The loan's two words sit side by side, so a repayment hashes its loan id once for both.
    mapping(uint256 loanId => LoanWords) private _loans;
    mapping(uint256 loanId => uint256) private _recovered;
    mapping(uint256 nullifier => Pseudonym) private _records;
    mapping(uint256 firstLoanId => Outcomes) private _outcomes;
    mapping(uint256 offerId => uint256) private _surplus;
    mapping(address token => bool allowed) private _allowedTokens;
    // the escrow tag of a loan taken while its pseudonym had another active (`maxActiveLoans` > 1);
    // any other loan's is in its pseudonym's record
    mapping(uint256 loanId => uint256 escrowTag) private _escrowTags;
    // A loan's position (`openPosition`): what is credited and not claimed yet, bits 0-127, and what
    // the loan received before the position opened plus one, bits 128-255, so the slot is never zero
    // once open and a repayment rewrites it (2,900 gas) rather than filling a fresh one.
    mapping(uint256 loanId => uint256) private _positionBooks;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    /// @param verifier The credit verifier whose registries and time window the market's own proof
    /// checks use (read here, once).
    /// @param maxActiveLoans_ Loans one pseudonym may have active at once (1: one at a time).
    constructor(address admin, ICreditVerifier verifier, uint256 maxActiveLoans_) CreditProofCheck(proofCheckConfigOf(verifier)) {
        if (admin == address(0) || address(verifier) == address(0)) revert ZeroAddress();
        if (maxActiveLoans_ == 0 || maxActiveLoans_ > type(uint32).max) revert InvalidMaxActiveLoans(maxActiveLoans_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        creditVerifier = verifier;
        maxActiveLoans = maxActiveLoans_;
        // created here, so its code is in this contract's init code only, not in its runtime
        positions = new OfferPositions();
    }

    // ---------------------------------------------------------------- lenders

    /// @inheritdoc ILoanMarket
    function createOffer(IERC20 token, uint256 capacity, Tier[] calldata tiers, LoanTerms calldata terms)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 offerId)
    {
        if (address(token).code.length == 0) revert InvalidToken(address(token));
        if (!_allowedTokens[address(token)]) revert TokenNotAllowed(address(token));
        _requireTiers(tiers);
        _requireTerms(terms);
        _requireBooksFit(tiers, terms);
        if (capacity == 0) revert ZeroAmount();
        if (capacity > type(uint128).max) revert AmountTooLarge(capacity, type(uint128).max);

        offerId = _offerCount++;
        Offer storage o = _offers[offerId];
        o.token = token;
        o.tierCount = uint8(tiers.length);
        o.instalmentCount = terms.instalmentCount;
        o.term = terms.term;
        o.gracePeriod = terms.gracePeriod;
        o.lender = msg.sender;
        o.defaultPeriod = terms.defaultPeriod;
        o.available = uint128(capacity);
        o.lateFee = terms.lateFee;
        for (uint256 i; i < tiers.length; ++i) {
            _tiers[offerId][i] = tiers[i];
        }
        emit OfferCreated(offerId, msg.sender, address(token), capacity, terms, tiers);

        _pullExact(token, capacity);
    }

    /// @inheritdoc ILoanMarket
    function deposit(uint256 offerId, uint256 amount) external nonReentrant whenNotPaused {
        Offer storage o = _lenderOffer(offerId);
        if (amount == 0) revert ZeroAmount();
        if (!_allowedTokens[address(o.token)]) revert TokenNotAllowed(address(o.token));
        uint256 available = o.available + amount;
        if (available > type(uint128).max) revert AmountTooLarge(available, type(uint128).max);
        o.available = uint128(available);
        emit OfferDeposit(offerId, amount, available);

        _pullExact(o.token, amount);
    }

    /// @inheritdoc ILoanMarket
    function withdraw(uint256 offerId, uint256 amount) external nonReentrant {
        Offer storage o = _lenderOffer(offerId);
        if (amount == 0) revert ZeroAmount();
        uint256 available = o.available;
        if (amount > available) revert InsufficientLiquidity(offerId, amount, available);
        unchecked {
            available -= amount;
        }
        o.available = uint128(available);
        emit OfferWithdrawal(offerId, amount, available);

        o.token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanMarket
    function withdrawSurplus(uint256 offerId) external nonReentrant returns (uint256 amount) {
        Offer storage o = _lenderOffer(offerId);
        amount = _surplus[offerId];
        if (amount == 0) revert ZeroAmount();
        _surplus[offerId] = 0;
        emit OfferSurplusWithdrawal(offerId, amount);

        o.token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanMarket
    function openPosition(uint256 loanId) external nonReentrant returns (uint256 positionId) {
        uint256 packed = _loans[loanId].packed;
        LoanStatus status = _statusOf(packed);
        if (status == LoanStatus.None) revert UnknownLoan(loanId);
        uint256 offerId = (packed >> 168) & MASK_40;
        Offer storage o = _offers[offerId];
        address lender = o.lender;
        if (msg.sender != lender) revert NotOfferLender(offerId, msg.sender, lender);
        uint256 books = _loans[loanId].books;
        if (books & POSITION_FLAG != 0) revert PositionAlreadyOpen(loanId);
        if (status == LoanStatus.Repaid) revert LoanNotActive(loanId, status);
        Repayment.Schedule memory s = _scheduleOf(packed, books, _offerHead(o));
        // defaulted and recovered in full: nothing more will come
        if (s.repaid == s.total) revert NothingOwed(loanId);
        // below the loan's worst case (`_requireBooksFit`) less what it still owes: +1 fits 128 bits
        uint256 receivedBefore = s.repaid + ((books >> 144) & MASK_16) * (_offerFunds(o) >> 128);

        // the flag goes in the books slot repayments read; the tier's rate comes along, as a first
        // payment would copy it (the other fields are kept)
        _loans[loanId].books = (books & ~(MASK_17 << 160)) | ((s.aprBps + 1) << 160) | POSITION_FLAG;
        _positionBooks[loanId] = (receivedBefore + 1) << 128;
        positionId = loanId;
        emit PositionOpened(loanId, offerId, msg.sender, receivedBefore);

        positions.mint(msg.sender, positionId);
    }

    /// @inheritdoc ILoanMarket
    function claimPosition(uint256 loanId) external nonReentrant returns (uint256 amount) {
        uint256 books = _positionBooks[loanId];
        if (books == 0) revert UnknownPosition(loanId);
        (address holder, bool authorized) = positions.holderOf(msg.sender, loanId);
        if (!authorized) revert NotPositionHolder(loanId, msg.sender, holder);
        amount = books & MASK_128;
        if (amount == 0) revert NothingToClaim(loanId);
        _positionBooks[loanId] = books - amount;
        emit PositionClaimed(loanId, holder, amount);

        _offers[(_loans[loanId].packed >> 168) & MASK_40].token.safeTransfer(holder, amount);
    }

    /// @inheritdoc ILoanMarket
    function setOfferPaused(uint256 offerId, bool paused_) external {
        _lenderOffer(offerId).paused = paused_;
        emit OfferPauseSet(offerId, paused_);
    }

    // ---------------------------------------------------------------- borrowers

    /// @inheritdoc ILoanMarket
    function borrow(uint256 offerId, uint256 tier, uint256 principal, ICreditProofCheck.CreditProof calldata proof)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 loanId)
    {
        (Offer storage o, Tier memory t) = _requireLendable(offerId, tier, principal);
        (Pseudonym memory rec, uint256 active) = _requireBorrower(proof.nullifier, proof.currentTime);
        // threshold, scope and message come from the call: the proof is bound to all of them
        _checkCreditProof(proof, t.minScore, scope(), borrowMessage(msg.sender, offerId, tier, principal));

        // effects; every check passed
        unchecked {
            // loansTaken would need 2^32 loans, one per second at most (proofs must be strictly
            // newer); activeLoans < maxActiveLoans <= 2^32 - 1; principal <= available was checked
            rec.loansTaken += 1;
            o.available -= uint128(principal);
        }
        // the verifier's time window keeps currentTime near block time: it fits
        rec.lastProofTime = uint40(proof.currentTime);
        loanId = _loanCount++;
        // the pseudonym's first loan names it for all its later loans
        if (rec.firstLoanPlusOne == 0) rec.firstLoanPlusOne = uint40(loanId + 1);
        uint256 firstLoan = rec.firstLoanPlusOne - 1;
        uint144 tag = escrowTag(proof.committeeKeyY, proof.ephemeralKeyY, proof.ciphertext);
        if (active == 0) {
            // every earlier loan of the pseudonym is repaid (a default bars it from borrowing), so
            // none of their escrows can ever be opened: this loan's tag takes the record's bits,
            // which are written anyway. One at a time, no loan pays a slot for its tag.
            rec.escrowTag = tag;
        } else {
            _escrowTags[loanId] = tag;
        }
        _records[proof.nullifier] = rec;
        // one slot, written once; the books slot stays zero until the first payment
        _loans[loanId].packed = _packLoan(principal, block.timestamp, offerId, tier, LoanStatus.Active, firstLoan);
        _emitLoanOpened(loanId, offerId, tier, principal, LoanMath.interest(principal, t.aprBps, o.term), proof);

        o.token.safeTransfer(msg.sender, principal);
    }

    /// @inheritdoc ILoanMarket
    function repayInstalment(uint256 loanId) external nonReentrant returns (uint256 paid) {
        return _repay(loanId, Repayment.Kind.Instalment, 0);
    }

    /// @inheritdoc ILoanMarket
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (amount == 0) revert ZeroAmount();
        return _repay(loanId, Repayment.Kind.Amount, amount);
    }

    /// @inheritdoc ILoanMarket
    function repayAll(uint256 loanId) external nonReentrant returns (uint256 paid) {
        return _repay(loanId, Repayment.Kind.Payoff, 0);
    }

    /// @inheritdoc ILoanMarket
    function markDefault(uint256 loanId) external nonReentrant {
        uint256 packed = _loans[loanId].packed;
        LoanStatus status = _statusOf(packed);
        if (status == LoanStatus.None) revert UnknownLoan(loanId);
        if (status != LoanStatus.Active) revert LoanNotActive(loanId, status);
        uint256 books = _loans[loanId].books;
        Offer storage o = _offers[(packed >> 168) & MASK_40];
        // no late fee is charged here: the offer's third slot is not read
        Repayment.Schedule memory s = _scheduleOf(packed, books, _offerHead(o));
        uint256 paidCount = LoanMath.instalmentsPaid(s.total, s.count, s.repaid);
        // the earliest unpaid instalment is past due by more than the default period
        uint256 defaultableAt = Repayment.defaultableAt(s, paidCount, o.defaultPeriod);
        if (block.timestamp < defaultableAt) revert LoanNotInDefault(loanId, defaultableAt);

        Outcomes storage out = _outcomes[packed >> 216];
        // instalments late and not charged yet count in the record now; their fees stay due and are
        // charged at the next payment (recovery), so an early `markDefault` costs the lender nothing
        (uint256 newlyLate,) = Repayment.lateness((books >> 128) & MASK_16, s, paidCount);
        _loans[loanId].packed = _withStatus(packed, LoanStatus.Defaulted);
        unchecked {
            out.lateInstalments += uint32(newlyLate);
            // the loan leaves the active ones: `activeLoans` is taken - repaid - defaults
            out.defaults += 1;
        }
        emit LoanDefaulted(loanId, s.total - s.repaid);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ILoanMarket
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc ILoanMarket
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // Token allowlist: read by `createOffer` and `deposit` only. `borrow` does not read it (its gas
    // is budgeted); repayments, withdrawals and defaults never do, so disallowing a token locks
    // nobody in and makes nobody late. One setter, not allow + disallow: each selector added to the
    // dispatcher can lengthen `borrow`'s path through it, and with these two it is shorter than before.

    /// @inheritdoc ILoanMarket
    function setTokenAllowed(IERC20 token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(token) == address(0)) revert ZeroAddress();
        if (allowed && address(token).code.length == 0) revert InvalidToken(address(token));
        if (_allowedTokens[address(token)] == allowed) revert TokenAllowlistUnchanged(address(token), allowed);
        _allowedTokens[address(token)] = allowed;
        if (allowed) emit TokenAllowed(address(token), msg.sender);
        else emit TokenDisallowed(address(token), msg.sender);
    }

    /// @inheritdoc ILoanMarket
    function isTokenAllowed(IERC20 token) external view returns (bool) {
        return _allowedTokens[address(token)];
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILoanMarket
    function offerCount() external view returns (uint256) {
        return _offerCount;
    }

    /// @inheritdoc ILoanMarket
    function loanCount() external view returns (uint256) {
        return _loanCount;
    }

    /// @inheritdoc ILoanMarket
    function offer(uint256 offerId) external view returns (Offer memory) {
        return _offers[offerId];
    }

    /// @inheritdoc ILoanMarket
    function tierOf(uint256 offerId, uint256 tier) external view returns (Tier memory) {
        return _tiers[offerId][tier];
    }

    /// @inheritdoc ILoanMarket
    function loan(uint256 loanId) external view returns (Loan memory) {
        Loan memory v;
        LoanState memory l = _readLoan(loanId);
        if (l.status == LoanStatus.None) return v;
        v.principal = uint128(l.principal);
        v.startTime = uint40(l.start);
        v.offerId = uint40(l.offerId);
        v.tier = uint8(l.tier);
        v.lateInstalmentsCharged = uint16(l.lateCharged);
        v.status = l.status;
        v.repaid = uint128(l.repaid);
        // fees are charged `lateFee` per late instalment: the books count instalments, not amounts
        v.lateFeesPaid = uint128(l.feesCharged * _offers[l.offerId].lateFee);
        v.recovered = uint128(_recovered[loanId]);
        return v;
    }

    /// @inheritdoc ILoanMarket
    function offerPosition(uint256 loanId) external view returns (OfferPosition memory p) {
        uint256 books = _positionBooks[loanId];
        if (books == 0) return p;
        LoanState memory l = _readLoan(loanId);
        p.open = true;
        p.receivedBeforeOpen = (books >> 128) - 1;
        p.received = l.repaid + l.feesCharged * _offers[l.offerId].lateFee - p.receivedBeforeOpen;
        p.claimable = books & MASK_128;
        p.claimed = p.received - p.claimable;
    }

    /// @inheritdoc IEscrowMarket
    function escrowOf(uint256 loanId, uint256 nullifier) external view returns (bool defaulted, uint8 status, uint144 tag) {
        LoanStatus s = _readLoan(loanId).status;
        return (s == LoanStatus.Defaulted, uint8(s), escrowTagOf(loanId, nullifier));
    }

    /// @inheritdoc ILoanMarket
    function escrowTagOf(uint256 loanId, uint256 nullifier) public view returns (uint144) {
        Pseudonym memory p = _records[nullifier];
        LoanState memory l = _readLoan(loanId);
        // a loan of this pseudonym: it names the pseudonym's first loan
        if (p.firstLoanPlusOne == 0 || l.status == LoanStatus.None || l.firstLoan + 1 != p.firstLoanPlusOne) return 0;
        uint256 own = _escrowTags[loanId];
        if (own != 0) return uint144(own);
        // a loan taken with none active keeps its tag in the record until the pseudonym's next such
        // loan, which can only come once this one is repaid
        if (l.status == LoanStatus.Repaid) return 0;
        return p.escrowTag;
    }

    /// @inheritdoc ILoanMarket
    function surplus(uint256 offerId) external view returns (uint256) {
        return _surplus[offerId];
    }

    /// @inheritdoc ILoanMarket
    function record(uint256 nullifier) external view returns (PseudonymRecord memory) {
        PseudonymRecord memory r;
        Pseudonym memory p = _records[nullifier];
        if (p.firstLoanPlusOne == 0) return r;
        Outcomes memory out = _outcomes[p.firstLoanPlusOne - 1];
        r.loansTaken = p.loansTaken;
        r.loansRepaid = out.loansRepaid;
        r.lateInstalments = out.lateInstalments;
        r.defaults = out.defaults;
        r.activeLoans = uint32(_activeLoans(p, out));
        r.lastProofTime = p.lastProofTime;
        r.loansRecovered = out.loansRecovered;
        return r;
    }

    /// @inheritdoc ILoanMarket
    function loanPosition(uint256 loanId) external view returns (LoanPosition memory p) {
        LoanState memory l = _readLoan(loanId);
        if (l.status == LoanStatus.None) revert UnknownLoan(loanId);
        return Repayment.standing(
            _schedule(loanId),
            l.lateCharged,
            l.status == LoanStatus.Repaid,
            l.status == LoanStatus.Defaulted,
            _offers[l.offerId].defaultPeriod
        );
    }

    /// @inheritdoc ILoanMarket
    function scope() public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this)))) >> 8;
    }

    /// @inheritdoc ILoanMarket
    function borrowMessage(address borrower, uint256 offerId, uint256 tier, uint256 principal)
        public
        view
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(block.chainid, address(this), borrower, offerId, tier, principal)))
            >> (256 - CreditCircuit.MESSAGE_BITS);
    }

    // ---------------------------------------------------------------- internals

    /// @dev In its own function: with the escrow's three values the event does not fit `borrow`'s stack.
    function _emitLoanOpened(
        uint256 loanId,
        uint256 offerId,
        uint256 tier,
        uint256 principal,
        uint256 interest,
        ICreditProofCheck.CreditProof calldata proof
    ) private {
        emit LoanOpened(
            loanId,
            offerId,
            proof.nullifier,
            msg.sender,
            tier,
            principal,
            interest,
            proof.committeeKeyY,
            proof.ephemeralKeyY,
            proof.ciphertext
        );
    }

    /// @dev What `borrow` reads and writes of a pseudonym, keyed by its nullifier (one slot).
    /// @param lastProofTime Fits 40 bits: the verifier keeps a proof's time near block time.
    /// @param firstLoanPlusOne The pseudonym's first loan id plus one (0: no loan yet); every loan of
    /// the pseudonym carries that id, which keys its `Outcomes`.
    /// @param escrowTag The escrow tag of the pseudonym's last loan taken while it had none active
    /// (other loans': `_escrowTags`).
    struct Pseudonym {
        uint32 loansTaken;
        uint40 lastProofTime;
        uint40 firstLoanPlusOne;
        uint144 escrowTag;
    }

    /// @dev What repayments and defaults change in a pseudonym's record, keyed by its first loan id
    /// (one slot, written first when a loan of the pseudonym closes, turns late or defaults).
    /// `activeLoans` is not stored: a loan leaves the active ones when repaid before a default
    /// (`loansRepaid`) or defaulted (`defaults`), once.
    struct Outcomes {
        uint32 loansRepaid;
        uint32 lateInstalments;
        uint32 defaults;
        uint32 loansRecovered;
    }

    /// @dev A loan's two slots: `packed` (`_packLoan`), written by `borrow`, and `books`
    /// (`_paidBooks`), from its first payment (or `openPosition`) on; their fields are described at
    /// {LoanState}.
    struct LoanWords {
        uint256 packed;
        uint256 books;
    }

    /// @dev A loan as the views read it from its two slots (repayments, `markDefault` and
    /// `openPosition` keep the two words and take fields as they need them). Loan slot
    /// (`_packLoan`): principal bits 0-127, startTime 128-167, offerId 168-207, tier 208-211, status
    /// 212-215, first loan of the pseudonym 216-255. Books slot (`_paidBooks`): repaid 0-127, lateInstalmentsCharged 128-143, late fees
    /// charged counted in instalments 144-159, the tier's aprBps plus one 160-176 (0 until the first
    /// payment or `openPosition`, which copy it from the tier), the position flag 177 (set by
    /// `openPosition`: payments go to `_positionBooks`), 178-255 free. Bounds: principal and repaid below 2^128
    /// (`_requireBooksFit`), block times below 2^40, offer and loan ids below 2^40 (their counters),
    /// tier below `MAX_TIERS` = 8, instalment counts at most `MAX_INSTALMENTS` = 360.
    struct LoanState {
        uint256 principal;
        uint256 start;
        uint256 offerId;
        uint256 tier;
        LoanStatus status;
        uint256 firstLoan;
        uint256 repaid;
        uint256 lateCharged;
        uint256 feesCharged;
    }

    uint256 private constant MASK_128 = (1 << 128) - 1;
    uint256 private constant MASK_40 = (1 << 40) - 1;
    uint256 private constant MASK_16 = (1 << 16) - 1;
    uint256 private constant MASK_17 = (1 << 17) - 1;
    uint256 private constant MASK_32 = (1 << 32) - 1;
    uint256 private constant POSITION_FLAG = 1 << 177;

    function _packLoan(
        uint256 principal,
        uint256 start,
        uint256 offerId,
        uint256 tier,
        LoanStatus status,
        uint256 firstLoan
    ) private pure returns (uint256) {
        return principal | (start << 128) | (offerId << 168) | (tier << 208) | (uint256(status) << 212)
            | (firstLoan << 216);
    }

    function _readLoan(uint256 loanId) private view returns (LoanState memory l) {
        uint256 packed = _loans[loanId].packed;
        l.principal = packed & MASK_128;
        l.start = (packed >> 128) & MASK_40;
        l.offerId = (packed >> 168) & MASK_40;
        l.tier = (packed >> 208) & 0xf;
        l.status = _statusOf(packed);
        l.firstLoan = packed >> 216;
        uint256 books = _loans[loanId].books;
        l.repaid = books & MASK_128;
        l.lateCharged = (books >> 128) & MASK_16;
        l.feesCharged = (books >> 144) & MASK_16;
    }

    function _statusOf(uint256 packed) private pure returns (LoanStatus) {
        return LoanStatus((packed >> 212) & 0xf);
    }

    /// @dev The loan slot `packed` with its status set to `status`, every other field kept.
    function _withStatus(uint256 packed, LoanStatus status) private pure returns (uint256) {
        return (packed & ~(uint256(0xf) << 212)) | (uint256(status) << 212);
    }

    function _activeLoans(Pseudonym memory p, Outcomes memory out) private pure returns (uint256) {
        unchecked {
            return uint256(p.loansTaken) - out.loansRepaid - out.defaults;
        }
    }

    function _repay(uint256 loanId, Repayment.Kind kind, uint256 amount) private returns (uint256 paid) {
        // each slot is read once, as a word: the loan's two, the offer's first (token and terms) and
        // its third (available and late fee); the second (lender, default period) is not needed.
        // The schedule stays in words on the stack (`_scheduleOf` builds it for a payoff only).
        LoanWords storage l = _loans[loanId];
        uint256 packed = l.packed;
        bool defaulted = _requireRepayable(loanId, packed);
        uint256 books = l.books;
        Offer storage o = _offers[(packed >> 168) & MASK_40];
        uint256 head = _offerHead(o);
        uint256 funds = _offerFunds(o);
        uint256 count = (head >> 176) & MASK_16;
        uint256 term = (head >> 192) & MASK_32;
        uint256 total;
        unchecked {
            // the rate is kept in the books from the first payment on (`_aprBps`; aprBps <= MAX_APR_BPS)
            if ((books >> 160) & MASK_17 == 0) books |= (_tierAprBps(packed) + 1) << 160;
            uint256 aprBps = ((books >> 160) & MASK_17) - 1;
            // principal and interest are each below 2^128 (`_requireBooksFit`)
            total = (packed & MASK_128) + LoanMath.interest(packed & MASK_128, aprBps, term);
        }
        uint256 repaid = books & MASK_128;
        // an active loan closes when paid in full; only a recovered defaulted loan owes nothing
        if (repaid >= total) revert NothingOwed(loanId);
        uint256 paidCount;
        if (kind == Repayment.Kind.Instalment) {
            (paidCount, amount) = LoanMath.nextInstalment(total, count, repaid);
        } else {
            paidCount = LoanMath.instalmentsPaid(total, count, repaid);
            uint256 outstanding;
            unchecked {
                outstanding = total - repaid;
            }
            if (kind == Repayment.Kind.Amount) {
                if (amount > outstanding) revert RepaymentExceedsDebt(loanId, amount, outstanding);
            } else {
                // after a default everything is due: no interest is waived
                amount = defaulted ? outstanding : Repayment.payoffAmount(_scheduleOf(packed, books, head));
            }
        }
        (uint256 newlyLate, uint256 lateCount) =
            Repayment.lateness((books >> 128) & MASK_16, (packed >> 128) & MASK_40, term, count, head >> 224, paidCount);
        uint256 lateFees;
        // effects; repaid stays below 2^128 (`_requireBooksFit` at offer creation), the counts below 2^16
        unchecked {
            // amounts below 2^128 (what the loan can still take, `_requireBooksFit`), a late fee
            // below 2^128 times at most MAX_INSTALMENTS instalments
            lateFees = newlyLate * (funds >> 128);
            repaid += amount;
            paid = amount + lateFees;
        }
        books = _paidBooks(books, repaid, newlyLate, lateCount);

        l.books = books;
        _emitLoanRepayment(loanId, amount, lateFees, newlyLate);
        // closed: nothing more is owed, or paid off before a default
        if (defaulted) {
            _recordRecovery(loanId, packed, repaid == total, paid);
        } else if (newlyLate != 0 || repaid == total || kind == Repayment.Kind.Payoff) {
            _recordPayment(loanId, packed, repaid == total || kind == Repayment.Kind.Payoff, newlyLate, total - repaid);
        }
        if (books & POSITION_FLAG == 0) {
            _credit((packed >> 168) & MASK_40, o, funds, paid);
        } else {
            // to the position: what is credited stays below 2^128 (all the loan can still receive
            // is below its worst case, `_requireBooksFit`), so it never reaches bit 128
            unchecked {
                _positionBooks[loanId] += paid;
            }
        }

        // exactly `paid` must arrive, or the offer would be credited with more than the market holds
        if (paid != 0) _pullExact(IERC20(address(uint160(head))), paid);
    }

    /// @dev `emit LoanRepayment(loanId, msg.sender, amount, lateFees, lateInstalments)`, its three
    /// words of data written past the free memory pointer (which stays where it is) and logged.
    function _emitLoanRepayment(uint256 loanId, uint256 amount, uint256 lateFees, uint256 lateInstalments) private {
        bytes32 topic = LoanRepayment.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, amount)
            mstore(add(data, 0x20), lateFees)
            mstore(add(data, 0x40), lateInstalments)
            log3(data, 0x60, topic, loanId, caller())
        }
    }

    /// @dev The books slot after a payment that brought the loan's repaid total to `repaid` and
    /// charged `newlyLate` instalments late (`lateCount` late in all). `books` holds the tier's rate
    /// already (`_repay` keeps it from the first payment on).
    function _paidBooks(uint256 books, uint256 repaid, uint256 newlyLate, uint256 lateCount)
        private
        pure
        returns (uint256)
    {
        unchecked {
            // repaid replaced; the late counts, the rate and the position flag kept
            books = (books & ~MASK_128) | repaid;
            if (newlyLate != 0) {
                // lateCharged becomes lateCount; feesCharged grows by newlyLate, to at most
                // MAX_INSTALMENTS in all (each instalment is charged once), so it stays in its bits
                books = ((books & ~(MASK_16 << 128)) | (lateCount << 128)) + (newlyLate << 144);
            }
            return books;
        }
    }

    /// @dev An active loan, or a defaulted one that still owes something (recovery). Its status is
    /// compared as the loan slot `packed` holds it (`_statusOf` without the enum conversion).
    /// @return defaulted Whether it is defaulted.
    function _requireRepayable(uint256 loanId, uint256 packed) private pure returns (bool defaulted) {
        uint256 status = (packed >> 212) & 0xf;
        // Active (1) and Defaulted (3) are odd, None (0) and Repaid (2) even: one test for both
        if (status & 1 == 0) {
            if (status == uint256(LoanStatus.None)) revert UnknownLoan(loanId);
            revert LoanNotActive(loanId, LoanStatus.Repaid);
        }
        defaulted = status == uint256(LoanStatus.Defaulted);
    }

    // A payment in the pseudonym's record and the loan's status. After a default the record keeps
    // the default (and its late count) and shows the recovery; the status stays `Defaulted`.

    /// @dev A payment of `paid` after a default; `closed`: nothing more is owed.
    function _recordRecovery(uint256 loanId, uint256 packed, bool closed, uint256 paid) private {
        // below 2^128: what a defaulted loan can still take (`_requireBooksFit`)
        uint256 recovered = _recovered[loanId] + paid;
        _recovered[loanId] = recovered;
        if (closed) {
            unchecked {
                _outcomes[packed >> 216].loansRecovered += 1;
            }
            emit LoanRecovered(loanId, recovered);
        }
    }

    /// @dev A payment before a default that charged `newlyLate` instalments late or `closed` the loan.
    function _recordPayment(uint256 loanId, uint256 packed, bool closed, uint256 newlyLate, uint256 interestWaived)
        private
    {
        Outcomes storage out = _outcomes[packed >> 216];
        unchecked {
            out.lateInstalments += uint32(newlyLate);
            // the loan leaves the active ones: `activeLoans` is taken - repaid - defaults
            if (closed) out.loansRepaid += 1;
        }
        if (closed) {
            _loans[loanId].packed = _withStatus(packed, LoanStatus.Repaid);
            emit LoanRepaid(loanId, interestWaived);
        }
    }

    /// @dev Credits a repayment to the offer whose third slot read `funds` (`_offerFunds`; nothing
    /// wrote it since). It never reverts: what would lift `available` above uint128 (a lender can
    /// deposit up to it, e.g. with a token it mints) goes to the surplus, a uint256 that cannot
    /// overflow since it never exceeds the market's balance of the token.
    function _credit(uint256 offerId, Offer storage o, uint256 funds, uint256 amount) private {
        uint256 available;
        unchecked {
            // both below 2^129: a payment is below 2^129 (a loan's outstanding plus its late fees)
            available = (funds & MASK_128) + amount;
        }
        if (available > type(uint128).max) {
            uint256 excess = available - type(uint128).max;
            uint256 surplus_ = _surplus[offerId] + excess;
            _surplus[offerId] = surplus_;
            available = type(uint128).max;
            emit OfferSurplusCredited(offerId, excess, surplus_);
        }
        // `available` in bits 0-127, the late fee kept in 128-255
        funds = (funds & ~MASK_128) | available;
        assembly ("memory-safe") {
            sstore(add(o.slot, 2), funds)
        }
    }

    /// @dev The schedule of loan `loanId`, its late fee included (the views and `openPosition`).
    function _schedule(uint256 loanId) private view returns (Repayment.Schedule memory s) {
        uint256 packed = _loans[loanId].packed;
        Offer storage o = _offers[(packed >> 168) & MASK_40];
        s = _scheduleOf(packed, _loans[loanId].books, _offerHead(o));
        s.lateFee = _offerFunds(o) >> 128;
    }

    /// @dev The schedule of a loan from its slots (`_packLoan`, `_paidBooks`) and its offer's first
    /// (`_offerHead`), without the late fee (the offer's third slot, `_offerFunds`).
    function _scheduleOf(uint256 packed, uint256 books, uint256 head) private view returns (Repayment.Schedule memory s) {
        s.principal = packed & MASK_128;
        s.start = (packed >> 128) & MASK_40;
        s.count = (head >> 176) & MASK_16;
        s.term = (head >> 192) & MASK_32;
        s.gracePeriod = head >> 224;
        s.aprBps = _aprBps(packed, books);
        s.interest = LoanMath.interest(s.principal, s.aprBps, s.term);
        s.total = s.principal + s.interest;
        s.repaid = books & MASK_128;
    }

    /// @dev The loan's rate: kept in its books from the first payment (or `openPosition`) on, read
    /// from its tier before. Tiers never change.
    function _aprBps(uint256 packed, uint256 books) private view returns (uint256) {
        uint256 aprBpsPlusOne = (books >> 160) & MASK_17;
        if (aprBpsPlusOne == 0) return _tierAprBps(packed);
        unchecked {
            return aprBpsPlusOne - 1;
        }
    }

    /// @dev The rate of the loan's tier (the loan slot `packed` names its offer and tier).
    function _tierAprBps(uint256 packed) private view returns (uint256) {
        return _tiers[(packed >> 168) & MASK_40][(packed >> 208) & 0xf].aprBps;
    }

    // An offer's slots as words (`Offer`'s layout): the first holds token (bits 0-159), tierCount,
    // paused, instalmentCount (176-191), term (192-223) and gracePeriod (224-255); the third
    // available (0-127) and lateFee (128-255). Read once each by a repayment.

    function _offerHead(Offer storage o) private view returns (uint256 head) {
        assembly ("memory-safe") {
            head := sload(o.slot)
        }
    }

    function _offerFunds(Offer storage o) private view returns (uint256 funds) {
        assembly ("memory-safe") {
            funds := sload(add(o.slot, 2))
        }
    }

    /// @dev The offer exists and is open, the tier exists, the principal fits the tier and the funds.
    function _requireLendable(uint256 offerId, uint256 tier, uint256 principal)
        private
        view
        returns (Offer storage o, Tier memory t)
    {
        o = _offers[offerId];
        if (address(o.token) == address(0)) revert UnknownOffer(offerId);
        if (o.paused) revert OfferPaused(offerId);
        if (tier >= o.tierCount) revert UnknownTier(offerId, tier, o.tierCount);
        t = _tiers[offerId][tier];
        if (principal == 0 || principal > t.maxPrincipal) revert InvalidPrincipal(offerId, tier, principal, t.maxPrincipal);
        if (principal > o.available) revert InsufficientLiquidity(offerId, principal, o.available);
    }

    /// @dev The pseudonym never defaulted, has room for a loan, and the proof is newer than its last
    /// one. A new pseudonym has no outcomes: not read.
    /// @return rec Its record.
    /// @return active Its loans neither repaid nor defaulted.
    function _requireBorrower(uint256 nullifier, uint256 currentTime)
        private
        view
        returns (Pseudonym memory rec, uint256 active)
    {
        rec = _records[nullifier];
        if (rec.firstLoanPlusOne != 0) {
            Outcomes memory out = _outcomes[rec.firstLoanPlusOne - 1];
            if (out.defaults != 0) revert PseudonymDefaulted(nullifier);
            active = _activeLoans(rec, out);
            if (active >= maxActiveLoans) revert TooManyActiveLoans(nullifier, active, maxActiveLoans);
        }
        if (currentTime <= rec.lastProofTime) revert ProofReplayed(nullifier, currentTime, rec.lastProofTime);
    }

    function _lenderOffer(uint256 offerId) private view returns (Offer storage o) {
        o = _offers[offerId];
        address lender = o.lender;
        if (lender == address(0)) revert UnknownOffer(offerId);
        if (lender != msg.sender) revert NotOfferLender(offerId, msg.sender, lender);
    }

    /// @dev Pulls `amount` from the caller and checks it all arrived (no fee-on-transfer tokens).
    function _pullExact(IERC20 token, uint256 amount) private {
        uint256 before = _balance(token);
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 held = _balance(token);
        // a balance that fell reverts as the checked subtraction `held - before` would
        if (held < before) Panic.panic(Panic.UNDER_OVERFLOW);
        uint256 received;
        unchecked {
            received = held - before;
        }
        if (received != amount) revert UnsupportedToken(address(token), amount, received);
    }

    /// @dev `token.balanceOf(address(this))` as Solidity calls it (a revert is bubbled up, a reply
    /// shorter than a word reverts), without its memory encoding: in the scratch space.
    function _balance(IERC20 token) private view returns (uint256 held) {
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            if iszero(staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20)) {
                let fmp := mload(0x40)
                returndatacopy(fmp, 0x00, returndatasize())
                revert(fmp, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            held := mload(0x00)
        }
    }

    /// @dev The guard's transient slot: `1` instead of OpenZeppelin's namespaced one. The market keeps
    /// nothing else in transient storage, so nothing can share it, and a one-byte constant is
    /// pushed where the 32-byte one is copied from code (about 30 gas each time it is read or
    /// written, three times per guarded call).
    function _reentrancyGuardStorageSlot() internal pure override returns (bytes32) {
        return bytes32(uint256(1));
    }

    function _requireTiers(Tier[] calldata tiers) private pure {
        if (tiers.length == 0 || tiers.length > MAX_TIERS) revert InvalidTierCount(tiers.length, MAX_TIERS);
        for (uint256 i; i < tiers.length; ++i) {
            Tier calldata t = tiers[i];
            if (t.aprBps > MAX_APR_BPS) revert AprTooHigh(i, t.aprBps, MAX_APR_BPS);
            if (t.maxPrincipal == 0) revert ZeroMaxPrincipal(i);
            if (i != 0 && t.minScore <= tiers[i - 1].minScore) {
                revert TiersNotAscending(i, t.minScore, tiers[i - 1].minScore);
            }
        }
    }

    /// @dev Every loan's total and all its late fees fit in uint128, so the casts of `repaid`,
    /// `lateFeesPaid` and payments in `_repay` can never truncate.
    function _requireBooksFit(Tier[] calldata tiers, LoanTerms calldata terms) private pure {
        uint256 maxFees = uint256(terms.lateFee) * terms.instalmentCount;
        for (uint256 i; i < tiers.length; ++i) {
            uint256 maxPrincipal = tiers[i].maxPrincipal;
            uint256 worst = maxPrincipal + LoanMath.interest(maxPrincipal, tiers[i].aprBps, terms.term) + maxFees;
            if (worst > type(uint128).max) revert AmountTooLarge(worst, type(uint128).max);
        }
    }

    function _requireTerms(LoanTerms calldata terms) private pure {
        uint256 count = terms.instalmentCount;
        if (count == 0 || count > MAX_INSTALMENTS) revert InvalidInstalmentCount(count, MAX_INSTALMENTS);
        // at least a second per instalment keeps due times strictly increasing
        if (terms.term < count || terms.term > MAX_TERM) revert InvalidTerm(terms.term, count, MAX_TERM);
        if (terms.defaultPeriod <= terms.gracePeriod || terms.defaultPeriod > MAX_PERIOD) {
            revert InvalidDefaultPeriod(terms.defaultPeriod, terms.gracePeriod, MAX_PERIOD);
        }
    }
}
