import { id, Interface, isError, ZeroHash } from "ethers"
import { CONTRACT_ABIS, contractNames, type ContractName } from "./contracts.ts"
import type { Deployment } from "./deployments.ts"

const interfaces = (Object.entries(CONTRACT_ABIS) as [ContractName, (typeof CONTRACT_ABIS)[ContractName]][]).map(([name, abi]) => ({ name, iface: new Interface(abi) }))

/** A contract revert, decoded: the custom error's name and arguments. */
export interface DecodedRevert {
    name: string
    args: Record<string, bigint | string | boolean>
    /** The contract whose declaration of the error named the arguments. */
    contract?: ContractName
}

/** The first thing `pick` finds anywhere in an ethers error (providers nest it differently). */
function findInError<T>(error: unknown, pick: (v: Record<string, unknown>) => T | undefined): T | undefined {
    const seen = new Set<unknown>()
    const visit = (value: unknown): T | undefined => {
        if (typeof value !== "object" || value === null || seen.has(value)) return undefined
        seen.add(value)
        const v = value as Record<string, unknown>
        const here = pick(v)
        if (here !== undefined) return here
        for (const key of ["error", "info", "cause", "data", "payload"]) {
            const found = visit(v[key])
            if (found !== undefined) return found
        }
        return undefined
    }
    return visit(error)
}

/** The revert data of a failed call. */
const revertData = (error: unknown) => findInError(error, (v) => (typeof v.data === "string" && /^0x[0-9a-fA-F]{8}/.test(v.data) ? v.data : undefined))

/** The failed call, where ethers kept it (`transaction: { to, data }`): which contract, which function. */
function failedCall(error: unknown): { to?: string | undefined; selector?: string | undefined } {
    return (
        findInError(error, (v) => {
            const tx = v.transaction as { to?: unknown; data?: unknown } | null | undefined
            if (typeof tx !== "object" || tx === null) return undefined
            return { to: typeof tx.to === "string" ? tx.to.toLowerCase() : undefined, selector: typeof tx.data === "string" && tx.data.length >= 10 ? tx.data.slice(0, 10).toLowerCase() : undefined }
        }) ?? {}
    )
}

/**
 * Decodes the custom error of a failed call or transaction against every zkcredit contract
 * (a borrow can revert with a CreditVerifier error through the LoanMarket). An error that two
 * contracts declare with other argument names is read with the declaration of the contract that
 * was called: the one at the call's address in `deployment`, else the one that has the called
 * function, else the first.
 * @returns The error, or undefined when the failure was not a known custom error.
 */
export function decodeRevert(error: unknown, deployment?: Deployment): DecodedRevert | undefined {
    const data = revertData(error)
    if (!data) return undefined
    const call = failedCall(error)
    const target = call.to && deployment ? contractNames(deployment).get(call.to) : undefined
    const rank = ({ name, iface }: (typeof interfaces)[number]) => (name === target ? 0 : call.selector && iface.hasFunction(call.selector) ? 1 : 2)
    for (const { name, iface } of [...interfaces].sort((a, b) => rank(a) - rank(b))) {
        try {
            const parsed = iface.parseError(data)
            if (!parsed) continue
            const args: Record<string, bigint | string | boolean> = {}
            parsed.fragment.inputs.forEach((input, i) => {
                args[input.name || String(i)] = parsed.args[i] as bigint | string | boolean
            })
            return { name: parsed.name, args, contract: name }
        } catch {
            // not this contract's error
        }
    }
    return undefined
}

/**
 * The contracts' roles by id, to name the one an `AccessControlUnauthorizedAccount` needed: the
 * trust registry's three admin roles are separate, so an account can hold one and not another.
 */
const ROLE_NAMES: Record<string, string> = {
    [ZeroHash]: "DEFAULT_ADMIN_ROLE",
    [id("zkcredit.KycRegistry.OFFICER_ROLE")]: "OFFICER_ROLE",
    [id("zkcredit.BureauRegistry.ADMIN_ROLE")]: "BUREAU_ADMIN_ROLE",
    [id("zkcredit.EscrowCommitteeRegistry.ADMIN_ROLE")]: "COMMITTEE_ADMIN_ROLE",
    [id("REQUESTER_ROLE")]: "REQUESTER_ROLE"
}

/** English explanations of the errors users meet, with what to do about them. */
const EXPLANATIONS: Record<string, (a: DecodedRevert["args"]) => string> = {
    UnknownRoot: () => "The KYC root of the proof was never published: sync the KYC tree and prove again.",
    ExpiredRoot: () => "The KYC root of the proof was replaced too long ago (a member was added or removed): prove again against the current root.",
    RevokedRoot: () => "The KYC root of the proof was revoked by compliance: sync the KYC tree and prove again against the current root.",
    InvalidatedRoot: () => "A member was removed immediately since the proof's KYC root: sync the KYC tree and prove again against the current root.",
    VerifierPaused: () => "The credit verifier is paused (an emergency stop): no loan can be taken until the admin lifts it.",
    NothingOwed: () => "This defaulted loan is paid in full already: nothing is owed.",
    RootNotPublished: () => "That root was never published by the KYC registry.",
    RootAlreadyRevoked: () => "That root is revoked already.",
    RootIsRevoked: () => "The new tree's root was revoked: it cannot be published again; change the tree another way.",
    NotOfficerOrAdmin: () => "Only a compliance officer or the admin may revoke a root.",
    MarketNotOnThisRegistry: (a) => `The market ${a.market} does not check this KYC registry's roots: its defaults are not this registry's to record.`,
    LoanNotDefaultedInMarket: (a) => `Loan ${a.loanId} of market ${a.market} is not marked defaulted: only a defaulted loan's default can be recorded.`,
    DefaultAlreadyRecovered: (a) => `Loan ${a.loanId} of market ${a.market} was paid in full after its default: there is no default to record.`,
    DefaultAlreadyOpen: (a) => `This identity is out already for the default of loan ${a.loanId} of market ${a.market}: readmit it once that loan is paid first.`,
    NoOpenDefault: () => "This identity has no open default: there is nothing to readmit it from.",
    DefaultNotRecovered: (a) => `Loan ${a.loanId} of market ${a.market} still owes ${a.outstanding}: readmission waits until it is paid in full.`,
    InactiveBureauKey: () => "The bureau key that signed the attestation is not active (revoked, expired or unknown): ask the bureau for a new attestation.",
    InactiveCommitteeKey: (a) => `The escrow committee key ${a.committeeKeyY} is not active at ${a.currentTime} (unix time): prove again under the committee key the registry lists as active now.`,
    AnchorAlreadyPrepared: (a) => `The anchor ${a.anchorId} is prepared already: proofs under it use it now.`,
    ProofFromFuture: () => "The proof's time is ahead of the chain's clock: check the device clock and prove again.",
    ProofTooOld: () => "The proof is too old for the chain's clock: prove again.",
    InvalidProof: () => "The proof does not verify for this borrow (another address, offer, tier, amount or market): prove again for exactly this borrow.",
    NotAFieldElement: () => "A proof value is not a valid field element: the proof is malformed.",
    ProofReplayed: () => "This proof was used already: make a new proof.",
    PseudonymDefaulted: () => "This identity defaulted in this market and cannot borrow here again.",
    TooManyActiveLoans: (a) => `This identity already has ${a.activeLoans} active loan(s), the most this market allows: repay first.`,
    OfferPaused: () => "The lender paused this offer.",
    UnknownOffer: (a) => `There is no offer ${a.offerId}.`,
    UnknownTier: (a) => `Offer ${a.offerId} has no tier ${a.tier}.`,
    InvalidPrincipal: (a) => `The amount must be between 1 and ${a.maxPrincipal} for this tier.`,
    InsufficientLiquidity: (a) => `The offer has only ${a.available} available.`,
    EnforcedPause: () => "The contract is paused.",
    RepaymentExceedsDebt: (a) => `That is more than the ${a.outstanding} still owed.`,
    LoanNotActive: () => "The loan is already repaid or defaulted.",
    LoanNotInDefault: (a) => `The loan can be marked defaulted only from ${a.defaultableAt} (unix time).`,
    NotOfferLender: () => "Only the offer's lender may do this.",
    FundingClosed: (a) => `Funding of request ${a.requestId} closed at ${a.deadline} (unix time).`,
    FundingExceedsRemaining: (a) => `Request ${a.requestId} still misses only ${a.remaining}: fund at most that.`,
    FundingStillOpen: (a) => `Request ${a.requestId} is open for funding until ${a.deadline} (unix time): it cannot be closed yet.`,
    InvalidApr: (a) => `The rate must be above 0 and at most ${a.maxAprBps} basis points.`,
    InvalidDeadline: (a) => `The funding deadline must be after ${a.blockTime} and at most ${a.maxDeadline} (unix time).`,
    NotBorrower: (a) => `Only request ${a.requestId}'s borrower ${a.borrower} may do this, not ${a.caller}.`,
    NotPositionHolder: (a) => (a.loanId !== undefined ? `Only the holder ${a.holder} of loan ${a.loanId}'s position (or an approved address) may do this.` : `Only position ${a.positionId}'s holder ${a.holder} (or an approved address) may do this.`),
    NotRefundable: (a) => `Position ${a.positionId} cannot be refunded: its request is not cancelled or expired.`,
    NothingToClaim: (a) => `${a.loanId !== undefined ? `Loan ${a.loanId}'s position` : `Position ${a.positionId}`} has nothing to claim now: wait for the next repayment.`,
    UnknownPosition: (a) => (a.loanId !== undefined ? `Loan ${a.loanId} has no position: only its offer's lender can open one.` : `There is no position ${a.positionId} (it may have been refunded and burnt).`),
    PositionAlreadyOpen: (a) => `Loan ${a.loanId} already has a position: its offer's lender opened it before.`,
    UnknownRequest: (a) => `There is no request ${a.requestId}.`,
    WrongRequestStatus: (a) => `Request ${a.requestId} is not in a state that allows this (status ${a.status}).`,
    ERC721InsufficientApproval: (a) => `This account may not move position ${a.tokenId}: only its holder or an approved address can.`,
    ERC721InvalidReceiver: (a) => `${a.receiver} cannot receive positions (the zero address, or a contract that does not accept ERC-721 tokens).`,
    ERC721NonexistentToken: (a) => `There is no position ${a.tokenId} (it may have been refunded and burnt).`,
    AccessControlUnauthorizedAccount: (a) => {
        const role = ROLE_NAMES[String(a.neededRole).toLowerCase()]
        return role ? `This account does not have ${role}, which this action needs.` : "This account does not have the role this action needs."
    },
    ERC20InsufficientBalance: () => "Not enough tokens in this account.",
    ERC20InsufficientAllowance: () => "The market is not allowed to take that many tokens: approve first."
}

/**
 * A one-line English explanation of a contract error, e.g. for the CLI.
 * @param error What ethers threw, or a decoded revert.
 */
export function explainContractError(error: unknown): string {
    const decoded = isDecoded(error) ? error : decodeRevert(error)
    if (decoded) {
        const args = Object.entries(decoded.args).map(([k, v]) => `${k}=${String(v)}`).join(", ")
        const explain = EXPLANATIONS[decoded.name]
        return `${decoded.name}(${args})${explain ? `: ${explain(decoded.args)}` : ""}`
    }
    if (isError(error, "INSUFFICIENT_FUNDS")) return "The account has not enough ETH to pay for gas."
    if (isError(error, "ACTION_REJECTED")) return "The transaction was rejected in the wallet."
    return (error as Error)?.message ?? String(error)
}

function isDecoded(value: unknown): value is DecodedRevert {
    return typeof value === "object" && value !== null && typeof (value as DecodedRevert).name === "string" && typeof (value as DecodedRevert).args === "object" && !(value instanceof Error)
}
