// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CreditCircuit} from "./generated/CreditCircuit.sol";
import {ICreditVerifier} from "./interfaces/ICreditVerifier.sol";
import {ICreditProofCheck} from "./interfaces/ICreditProofCheck.sol";
import {IEscrowMarket} from "./interfaces/IEscrowMarket.sol";
import {ILoanMarket, escrowTag} from "./interfaces/ILoanMarket.sol";
import {IRequestMarket} from "./interfaces/IRequestMarket.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {PositionMetadata} from "./libraries/PositionMetadata.sol";
import {Repayment} from "./libraries/Repayment.sol";

/// @title RequestMarket
/// @notice Loan requests funded by many lenders; each lender's part is an ERC-721 position of this
/// contract. The rules are in {IRequestMarket}.
/// @dev The positions are the ERC-721 tokens of the market itself (not a separate contract): funding
/// mints, a refund burns, a claim reads the position and its request in one place, with no call
/// between contracts. `DEFAULT_ADMIN_ROLE` pauses and keeps the token allowlist. Every function that
/// moves tokens is `nonReentrant` and changes state before it calls the token.
contract RequestMarket is IRequestMarket, IEscrowMarket, ERC721, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most instalments per loan (as `LoanMarket`).
    uint256 public constant MAX_INSTALMENTS = 360;
    /// @notice Longest term (as `LoanMarket`).
    uint256 public constant MAX_TERM = 10 * 365 days;
    /// @notice Longest grace or default period (as `LoanMarket`).
    uint256 public constant MAX_PERIOD = 365 days;
    /// @notice Highest simple annual rate, basis points (500 %, as `LoanMarket`).
    uint256 public constant MAX_APR_BPS = 50_000;
    /// @notice Longest funding period, from listing to deadline.
    uint256 public constant MAX_FUNDING_PERIOD = 90 days;

    /// @inheritdoc IRequestMarket
    ICreditVerifier public immutable creditVerifier;

    /// @inheritdoc IRequestMarket
    uint256 public immutable maxActiveLoans;

    uint64 private _requestCount;
    uint64 private _positionCount;

    mapping(uint256 requestId => Request) private _requests;
    mapping(uint256 positionId => Position) private _positions;
    mapping(uint256 nullifier => PseudonymRecord) private _records;
    mapping(address token => bool allowed) private _allowedTokens;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    /// @param verifier The credit proof verifier.
    /// @param maxActiveLoans_ Loans (open requests included) one pseudonym may have at once.
    constructor(address admin, ICreditVerifier verifier, uint256 maxActiveLoans_)
        ERC721("zkcredit loan position", "ZKCP")
    {
        if (admin == address(0) || address(verifier) == address(0)) revert ZeroAddress();
        if (maxActiveLoans_ == 0 || maxActiveLoans_ > type(uint32).max) revert InvalidMaxActiveLoans(maxActiveLoans_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        creditVerifier = verifier;
        maxActiveLoans = maxActiveLoans_;
    }

    // ---------------------------------------------------------------- borrowers

    /// @inheritdoc IRequestMarket
    function createRequest(RequestTerms calldata terms, ICreditProofCheck.CreditProof calldata proof)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 requestId)
    {
        _requireTerms(terms);
        uint256 nullifier = proof.nullifier;
        PseudonymRecord memory rec = _records[nullifier];
        if (rec.defaults != 0) revert PseudonymDefaulted(nullifier);
        if (rec.activeLoans >= maxActiveLoans) revert TooManyActiveLoans(nullifier, rec.activeLoans, maxActiveLoans);
        if (proof.currentTime <= rec.lastProofTime) revert ProofReplayed(nullifier, proof.currentTime, rec.lastProofTime);
        creditVerifier.verifyCreditProof(proof, terms.minScore, scope(), requestMessage(msg.sender, terms));

        unchecked {
            // activeLoans < maxActiveLoans <= 2^32 - 1
            rec.activeLoans += 1;
        }
        // the verifier's time window keeps currentTime near block time: it fits
        rec.lastProofTime = uint64(proof.currentTime);
        _records[nullifier] = rec;

        requestId = _requestCount++;
        Request storage r = _requests[requestId];
        r.token = terms.token;
        r.instalmentCount = terms.instalmentCount;
        r.aprBps = terms.aprBps;
        r.minScore = terms.minScore;
        r.status = RequestStatus.Open;
        r.disbursePartial = terms.disbursePartial;
        r.term = terms.term;
        r.borrower = msg.sender;
        r.deadline = terms.deadline;
        r.gracePeriod = terms.gracePeriod;
        r.principal = terms.principal;
        r.lateFee = terms.lateFee;
        r.defaultPeriod = terms.defaultPeriod;
        r.nullifier = nullifier;
        r.escrowTag = escrowTag(proof.committeeKeyY, proof.ephemeralKeyY, proof.ciphertext);
        emit RequestCreated(requestId, nullifier, msg.sender, terms, proof.committeeKeyY, proof.ephemeralKeyY, proof.ciphertext);
    }

    /// @inheritdoc IRequestMarket
    function cancelRequest(uint256 requestId) external nonReentrant {
        Request storage r = _openRequest(requestId);
        if (msg.sender != r.borrower) revert NotBorrower(requestId, msg.sender, r.borrower);
        if (block.timestamp >= r.deadline) revert FundingClosed(requestId, r.deadline);
        r.status = RequestStatus.Cancelled;
        _release(r.nullifier);
        emit RequestCancelled(requestId);
    }

    // ---------------------------------------------------------------- lenders

    /// @inheritdoc IRequestMarket
    function fundRequest(uint256 requestId, uint256 amount) external nonReentrant whenNotPaused returns (uint256 positionId) {
        Request storage r = _openRequest(requestId);
        if (block.timestamp >= r.deadline) revert FundingClosed(requestId, r.deadline);
        IERC20 token = r.token;
        if (!_allowedTokens[address(token)]) revert TokenNotAllowed(address(token));
        if (amount == 0) revert ZeroAmount();
        uint256 raised = r.raised;
        uint256 remaining = r.principal - raised;
        if (amount > remaining) revert FundingExceedsRemaining(requestId, amount, remaining);

        positionId = _positionCount++;
        Position storage p = _positions[positionId];
        p.requestId = uint64(requestId);
        // amount <= principal < 2^128
        p.amount = uint128(amount);
        p.offset = uint128(raised);
        raised += amount;
        r.raised = uint128(raised);
        _mint(msg.sender, positionId);
        emit RequestFunded(requestId, positionId, msg.sender, amount, raised);

        _pullExact(token, amount);
        if (amount == remaining) _disburse(requestId, r, raised);
    }

    /// @inheritdoc IRequestMarket
    function closeFunding(uint256 requestId) external nonReentrant {
        Request storage r = _openRequest(requestId);
        if (block.timestamp < r.deadline) revert FundingStillOpen(requestId, r.deadline);
        uint256 raised = r.raised;
        if (r.disbursePartial && raised != 0) _disburse(requestId, r, raised);
        else _expire(requestId, r);
    }

    /// @inheritdoc IRequestMarket
    function refund(uint256 positionId) external nonReentrant returns (uint256 amount) {
        address holder = _requireHolder(positionId);
        Position storage p = _positions[positionId];
        uint256 requestId = p.requestId;
        Request storage r = _requests[requestId];
        RequestStatus status = r.status;
        if (status == RequestStatus.Open && block.timestamp >= r.deadline && !(r.disbursePartial && r.raised != 0)) {
            _expire(requestId, r);
            status = RequestStatus.Expired;
        }
        if (status != RequestStatus.Cancelled && status != RequestStatus.Expired) revert NotRefundable(positionId, _statusOf(r));
        amount = p.amount;
        // what is held for the request's positions; a refunded position leaves it
        r.raised -= uint128(amount);
        delete _positions[positionId];
        _burn(positionId);
        emit PositionRefunded(positionId, requestId, holder, amount);

        r.token.safeTransfer(holder, amount);
    }

    /// @inheritdoc IRequestMarket
    function claim(uint256 positionId) external nonReentrant returns (uint256 amount) {
        address holder = _requireHolder(positionId);
        Position storage p = _positions[positionId];
        Request storage r = _requests[p.requestId];
        amount = _claimable(r, p);
        if (amount == 0) revert NothingToClaim(positionId);
        // a position's claims never exceed what the loan received (see `_claimable`): no overflow
        p.claimed += uint128(amount);
        emit PositionClaimed(positionId, p.requestId, holder, amount);

        r.token.safeTransfer(holder, amount);
    }

    // ---------------------------------------------------------------- repayments

    /// @inheritdoc IRequestMarket
    function repayInstalment(uint256 requestId) external nonReentrant returns (uint256 paid) {
        return _repay(requestId, Repayment.Kind.Instalment, 0);
    }

    /// @inheritdoc IRequestMarket
    function repay(uint256 requestId, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (amount == 0) revert ZeroAmount();
        return _repay(requestId, Repayment.Kind.Amount, amount);
    }

    /// @inheritdoc IRequestMarket
    function repayAll(uint256 requestId) external nonReentrant returns (uint256 paid) {
        return _repay(requestId, Repayment.Kind.Payoff, 0);
    }

    /// @inheritdoc IRequestMarket
    function markDefault(uint256 requestId) external nonReentrant {
        Request storage r = _requireRequest(requestId);
        if (r.status != RequestStatus.Active) revert LoanNotActive(requestId, _statusOf(r));
        Repayment.Schedule memory s = _schedule(r);
        uint256 paidCount = LoanMath.instalmentsPaid(s.total, s.count, s.repaid);
        uint256 defaultableAt = Repayment.defaultableAt(s, paidCount, r.defaultPeriod);
        if (block.timestamp < defaultableAt) revert LoanNotInDefault(requestId, defaultableAt);

        (uint256 newlyLate,) = Repayment.lateness(r.lateInstalmentsCharged, s, paidCount);
        r.status = RequestStatus.Defaulted;
        PseudonymRecord storage rec = _records[r.nullifier];
        unchecked {
            rec.lateInstalments += uint32(newlyLate);
            rec.defaults += 1;
            rec.activeLoans -= 1;
        }
        emit LoanDefaulted(requestId, r.nullifier, s.total - s.repaid);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IRequestMarket
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IRequestMarket
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IRequestMarket
    function setTokenAllowed(IERC20 token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(token) == address(0)) revert ZeroAddress();
        if (allowed && address(token).code.length == 0) revert InvalidToken(address(token));
        if (_allowedTokens[address(token)] == allowed) revert TokenAllowlistUnchanged(address(token), allowed);
        _allowedTokens[address(token)] = allowed;
        emit TokenAllowlistSet(address(token), allowed, msg.sender);
    }

    /// @inheritdoc IRequestMarket
    function isTokenAllowed(IERC20 token) external view returns (bool) {
        return _allowedTokens[address(token)];
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRequestMarket
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IRequestMarket
    function positionCount() external view returns (uint256) {
        return _positionCount;
    }

    /// @inheritdoc IRequestMarket
    function request(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @inheritdoc IRequestMarket
    function statusOf(uint256 requestId) external view returns (RequestStatus) {
        return _statusOf(_requests[requestId]);
    }

    /// @inheritdoc IRequestMarket
    function position(uint256 positionId) external view returns (Position memory) {
        return _positions[positionId];
    }

    /// @inheritdoc IRequestMarket
    function claimable(uint256 positionId) external view returns (uint256) {
        Position storage p = _positions[positionId];
        if (p.amount == 0) revert UnknownPosition(positionId);
        return _claimable(_requests[p.requestId], p);
    }

    /// @inheritdoc IRequestMarket
    function record(uint256 nullifier) external view returns (PseudonymRecord memory) {
        return _records[nullifier];
    }

    /// @inheritdoc IRequestMarket
    function loanStanding(uint256 requestId) external view returns (LoanStanding memory p) {
        Request storage r = _requireRequest(requestId);
        RequestStatus status = r.status;
        if (status < RequestStatus.Active) revert LoanNotActive(requestId, _statusOf(r));
        ILoanMarket.LoanPosition memory standing = Repayment.standing(
            _schedule(r), r.lateInstalmentsCharged, status == RequestStatus.Repaid, status == RequestStatus.Defaulted, r.defaultPeriod
        );
        // the same ten words: `LoanStanding` is `ILoanMarket.LoanPosition` field for field
        p = abi.decode(abi.encode(standing), (LoanStanding));
    }

    /// @inheritdoc IRequestMarket
    function scope() public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this)))) >> 8;
    }

    /// @inheritdoc IEscrowMarket
    function escrowOf(uint256 loanId, uint256 nullifier) external view returns (bool defaulted, uint8 status, uint144 tag) {
        Request storage r = _requests[loanId];
        RequestStatus s = r.status;
        return (s == RequestStatus.Defaulted, uint8(s), s != RequestStatus.None && r.nullifier == nullifier ? r.escrowTag : 0);
    }

    /// @inheritdoc IRequestMarket
    function requestMessage(address borrower, RequestTerms calldata terms) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), borrower, terms))) >> (256 - CreditCircuit.MESSAGE_BITS);
    }

    /// @notice The position's metadata: a `data:application/json;base64` URI with the loan's terms,
    /// the position's amount and claims, and the request's status.
    function tokenURI(uint256 positionId) public view override returns (string memory) {
        _requireOwned(positionId);
        Position storage p = _positions[positionId];
        Request storage r = _requests[p.requestId];
        return PositionMetadata.uri(positionId, p, r, _statusOf(r), _claimable(r, p));
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return ERC721.supportsInterface(interfaceId) || AccessControl.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internals

    function _disburse(uint256 requestId, Request storage r, uint256 principal) private {
        r.status = RequestStatus.Active;
        r.startTime = uint40(block.timestamp);
        // same slot as startTime: no extra storage write
        r.splitSeed = uint56(uint256(keccak256(abi.encode(block.prevrandao, requestId))));
        unchecked {
            // one loan per accepted proof, each strictly newer than the last: far from 2^32
            _records[r.nullifier].loansTaken += 1;
        }
        emit RequestDisbursed(requestId, r.borrower, principal, LoanMath.interest(principal, r.aprBps, r.term));
        r.token.safeTransfer(r.borrower, principal);
    }

    function _expire(uint256 requestId, Request storage r) private {
        r.status = RequestStatus.Expired;
        _release(r.nullifier);
        emit RequestExpired(requestId, r.raised);
    }

    /// @dev An open request no longer counts as the pseudonym's active loan.
    function _release(uint256 nullifier) private {
        unchecked {
            _records[nullifier].activeLoans -= 1;
        }
    }

    /// @dev What the position may claim now: its share of what the loan received (see the contract
    /// notice) minus what it claimed. The open share `floor(received * amount / raised)` never
    /// exceeds the settled arc's (`floor(x + y) >= floor(x) + floor(y)`), and the arcs add up to
    /// `received`, so the positions of a loan never claim more than it received.
    function _claimable(Request storage r, Position storage p) private view returns (uint256) {
        RequestStatus status = r.status;
        if (status < RequestStatus.Active) return 0;
        uint256 received = uint256(r.repaid) + r.lateFeesPaid;
        uint256 raised = r.raised;
        uint256 amount = p.amount;
        uint256 share;
        if (status == RequestStatus.Repaid || (status == RequestStatus.Defaulted && r.repaid == _total(r))) {
            uint256 from = p.offset + ((uint256(r.splitSeed) * raised) >> 56);
            share = Math.mulDiv(received, from + amount, raised) - Math.mulDiv(received, from, raised);
        } else {
            share = Math.mulDiv(received, amount, raised);
        }
        return share - p.claimed;
    }

    function _repay(uint256 requestId, Repayment.Kind kind, uint256 amount) private returns (uint256 paid) {
        Request storage r = _requireRequest(requestId);
        RequestStatus status = r.status;
        if (status != RequestStatus.Active && status != RequestStatus.Defaulted) revert LoanNotActive(requestId, _statusOf(r));
        bool defaulted = status == RequestStatus.Defaulted;
        Repayment.Schedule memory s = _schedule(r);
        uint256 paidCount = LoanMath.instalmentsPaid(s.total, s.count, s.repaid);
        amount = _amountDue(requestId, kind, amount, s, paidCount, defaulted);
        uint256 newlyLate;
        {
            uint256 lateCount;
            (newlyLate, lateCount) = Repayment.lateness(r.lateInstalmentsCharged, s, paidCount);
            if (newlyLate != 0) r.lateInstalmentsCharged = uint16(lateCount);
        }
        uint256 lateFees = newlyLate * s.lateFee;
        uint256 repaid = s.repaid + amount;
        bool closed = repaid == s.total || (kind == Repayment.Kind.Payoff && !defaulted);
        paid = amount + lateFees;

        // the casts cannot truncate (`_requireTerms` bounds every total and its late fees)
        r.repaid = uint128(repaid);
        if (lateFees != 0) r.lateFeesPaid += uint128(lateFees);
        emit LoanRepayment(requestId, msg.sender, amount, lateFees, newlyLate);
        _recordPayment(requestId, r, defaulted, closed, newlyLate, paid, s.total - repaid);

        if (paid != 0) _pullExact(r.token, paid);
    }

    /// @dev What a payment of `kind` pays toward `principal + interest` now.
    function _amountDue(
        uint256 requestId,
        Repayment.Kind kind,
        uint256 amount,
        Repayment.Schedule memory s,
        uint256 paidCount,
        bool defaulted
    ) private view returns (uint256) {
        uint256 outstanding = s.total - s.repaid;
        if (outstanding == 0) revert NothingOwed(requestId);
        if (kind == Repayment.Kind.Instalment) return LoanMath.cumulativeDue(s.total, s.count, paidCount + 1) - s.repaid;
        if (kind == Repayment.Kind.Amount) {
            if (amount > outstanding) revert RepaymentExceedsDebt(requestId, amount, outstanding);
            return amount;
        }
        // after a default everything is due: no interest is waived
        return defaulted ? outstanding : Repayment.payoffAmount(s);
    }

    /// @dev As `LoanMarket`: a payment in the pseudonym's record and the loan's status.
    function _recordPayment(
        uint256 requestId,
        Request storage r,
        bool defaulted,
        bool closed,
        uint256 newlyLate,
        uint256 paid,
        uint256 interestWaived
    ) private {
        PseudonymRecord storage rec = _records[r.nullifier];
        if (defaulted) {
            uint256 recovered = r.recovered + paid;
            r.recovered = uint128(recovered);
            if (closed) {
                unchecked {
                    rec.loansRecovered += 1;
                }
                emit LoanRecovered(requestId, r.nullifier, recovered);
            }
        } else if (newlyLate != 0 || closed) {
            unchecked {
                rec.lateInstalments += uint32(newlyLate);
                if (closed) {
                    rec.loansRepaid += 1;
                    rec.activeLoans -= 1;
                }
            }
            if (closed) {
                r.status = RequestStatus.Repaid;
                emit LoanRepaid(requestId, r.nullifier, interestWaived);
            }
        }
    }

    /// @dev The loan's principal is what was raised.
    function _schedule(Request storage r) private view returns (Repayment.Schedule memory s) {
        s.principal = r.raised;
        s.term = r.term;
        s.count = r.instalmentCount;
        s.aprBps = r.aprBps;
        s.interest = LoanMath.interest(s.principal, s.aprBps, s.term);
        s.total = s.principal + s.interest;
        s.repaid = r.repaid;
        s.start = r.startTime;
        s.gracePeriod = r.gracePeriod;
        s.lateFee = r.lateFee;
    }

    function _total(Request storage r) private view returns (uint256) {
        uint256 principal = r.raised;
        return principal + LoanMath.interest(principal, r.aprBps, r.term);
    }

    function _statusOf(Request storage r) private view returns (RequestStatus) {
        RequestStatus status = r.status;
        if (status == RequestStatus.Open && block.timestamp >= r.deadline) return RequestStatus.Expired;
        return status;
    }

    function _requireRequest(uint256 requestId) private view returns (Request storage r) {
        r = _requests[requestId];
        if (r.status == RequestStatus.None) revert UnknownRequest(requestId);
    }

    function _openRequest(uint256 requestId) private view returns (Request storage r) {
        r = _requireRequest(requestId);
        if (r.status != RequestStatus.Open) revert WrongRequestStatus(requestId, r.status);
    }

    /// @dev The position exists and the caller holds it or is approved for it; returns its holder.
    function _requireHolder(uint256 positionId) private view returns (address holder) {
        holder = _ownerOf(positionId);
        if (holder == address(0)) revert UnknownPosition(positionId);
        if (!_isAuthorized(holder, msg.sender, positionId)) revert NotPositionHolder(positionId, msg.sender, holder);
    }

    /// @dev Pulls `amount` from the caller and checks it all arrived (no fee-on-transfer tokens).
    function _pullExact(IERC20 token, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedToken(address(token), amount, received);
    }

    /// @dev The rules of `LoanMarket`'s offers, plus the request's own: an allowed token, a principal,
    /// a rate, a deadline within the funding period, and books that fit uint128.
    function _requireTerms(RequestTerms calldata t) private view {
        address token = address(t.token);
        if (token.code.length == 0) revert InvalidToken(token);
        if (!_allowedTokens[token]) revert TokenNotAllowed(token);
        if (t.principal == 0) revert ZeroAmount();
        uint256 count = t.instalmentCount;
        if (count == 0 || count > MAX_INSTALMENTS) revert InvalidInstalmentCount(count, MAX_INSTALMENTS);
        if (t.term < count || t.term > MAX_TERM) revert InvalidTerm(t.term, count, MAX_TERM);
        if (t.defaultPeriod <= t.gracePeriod || t.defaultPeriod > MAX_PERIOD) {
            revert InvalidDefaultPeriod(t.defaultPeriod, t.gracePeriod, MAX_PERIOD);
        }
        if (t.aprBps == 0 || t.aprBps > MAX_APR_BPS) revert InvalidApr(t.aprBps, MAX_APR_BPS);
        uint256 maxDeadline = block.timestamp + MAX_FUNDING_PERIOD;
        if (t.deadline <= block.timestamp || t.deadline > maxDeadline) {
            revert InvalidDeadline(t.deadline, block.timestamp, maxDeadline);
        }
        // every total and all its late fees fit uint128: the casts in `_repay` never truncate
        uint256 worst = uint256(t.principal) + LoanMath.interest(t.principal, t.aprBps, t.term) + uint256(t.lateFee) * count;
        if (worst > type(uint128).max) revert AmountTooLarge(worst, type(uint128).max);
    }
}
