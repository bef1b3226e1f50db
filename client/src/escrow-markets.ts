/**
 * The markets an EscrowOpenings contract serves, as the CLI's `committee` commands and the app's
 * committee page read them: each market keeps an identity escrow per loan and has an openings
 * contract of its own (`IEscrowMarket.escrowOf`). A loan offers' LoanMarket numbers loans; a
 * RequestMarket's loans are its requests (same ids, so loan 0 and request 0 are different loans).
 */
import { Contract, type ContractRunner } from "ethers"
import type { PartialDecryption } from "../../prover/src/escrow/index.ts"
import { LoanMarketAbi, RequestMarketAbi } from "./generated/abis.ts"
import { REQUEST_STATUS, type RequestStatusName } from "./requests.ts"
import { LOAN_STATUS, type LoanStatusName } from "./views.ts"

/** Which market a loan is in: `loan` a LoanMarket's (from an offer), `request` a RequestMarket's. */
export type EscrowMarketKind = "loan" | "request"

/** The market an openings contract serves. */
export interface EscrowMarket {
    kind: EscrowMarketKind
    address: string
    /** A handle with the market's own ABI, on the openings contract's runner unless another is given. */
    market: Contract
}

/**
 * The market `openings` serves (its `market()`): a request market, told by `requestCount`
 * (which only a RequestMarket has), or a loan market.
 */
export async function escrowMarketOf(openings: Contract, runner: ContractRunner | null = openings.runner): Promise<EscrowMarket> {
    const address = String(await openings.getFunction("market")())
    const asRequests = new Contract(address, RequestMarketAbi, runner)
    const requests = await asRequests.getFunction("requestCount")().then(
        () => true,
        () => false
    )
    return { kind: requests ? "request" : "loan", address, market: requests ? asRequests : new Contract(address, LoanMarketAbi, runner) }
}

/** A loan's status as its market names it: LoanStatus in a loan market, RequestStatus in a request market. */
export type EscrowLoanStatus = { kind: "loan"; status: LoanStatusName } | { kind: "request"; status: RequestStatusName }

/**
 * Whether loan `loanId` is defaulted, as EscrowOpenings checks it (`escrowOf`), and its status
 * by name: a loan's `LoanStatus`; a request's status now (`statusOf`: an open request past its
 * deadline reads `expired`).
 */
export async function readEscrowLoanStatus(m: EscrowMarket, loanId: number): Promise<{ defaulted: boolean; status: EscrowLoanStatus }> {
    const [defaulted, status] = (await m.market.getFunction("escrowOf")(loanId, 0n)) as [boolean, bigint]
    if (m.kind === "loan") return { defaulted, status: { kind: "loan", status: LOAN_STATUS[Number(status)] ?? "None" } }
    const now = (await m.market.getFunction("statusOf")(loanId)) as bigint
    return { defaulted, status: { kind: "request", status: REQUEST_STATUS[Number(now)] ?? "none" } }
}

/** A `PartialDecryptionPublished` event's partial decryption, in the prover's format. */
export function partialOfEvent(args: { index: bigint; partialX: bigint; partialY: bigint; challenge: bigint; response: bigint }): PartialDecryption {
    return { index: Number(args.index), partial: [args.partialX.toString(), args.partialY.toString()], proof: { challenge: args.challenge.toString(), response: args.response.toString() } }
}
