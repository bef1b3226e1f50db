import { Contract, type ContractRunner } from "ethers"
import {
    BureauRegistryAbi,
    CreditVerifierAbi,
    EscrowCommitteeRegistryAbi,
    KycRegistryAbi,
    LoanMarketAbi,
    OfferPositionsAbi,
    RequestMarketAbi,
    TestStablecoinAbi,
    TrustRegistryAbi
} from "./generated/abis.ts"
import type { Deployment } from "./deployments.ts"

/** ethers handles of the deployed contracts. */
export interface ZkCreditContracts {
    /** The trust registry with its whole ABI. */
    trustRegistry: Contract
    /** The same contract through its KYC part's ABI (roots and members). */
    kycRegistry: Contract
    /** The same contract through its bureau part's ABI (bureaus and their keys). */
    bureauRegistry: Contract
    /** The same contract through its escrow committee part's ABI (committee keys and authorities). */
    committeeRegistry: Contract
    creditVerifier: Contract
    loanMarket: Contract
    /** Loan requests and positions; absent where the deployment has none. */
    requestMarket?: Contract
    stablecoin?: Contract
}

/**
 * Connects to a deployment's contracts.
 * @param deployment Where they are.
 * @param runner A provider (reads) or a signer (reads and writes).
 */
export function connectContracts(deployment: Deployment, runner: ContractRunner): ZkCreditContracts {
    const { contracts: c } = deployment
    return {
        trustRegistry: new Contract(c.trustRegistry, TrustRegistryAbi, runner),
        kycRegistry: new Contract(c.trustRegistry, KycRegistryAbi, runner),
        bureauRegistry: new Contract(c.trustRegistry, BureauRegistryAbi, runner),
        committeeRegistry: new Contract(c.trustRegistry, EscrowCommitteeRegistryAbi, runner),
        creditVerifier: new Contract(c.creditVerifier, CreditVerifierAbi, runner),
        loanMarket: new Contract(c.loanMarket, LoanMarketAbi, runner),
        ...(c.requestMarket ? { requestMarket: new Contract(c.requestMarket, RequestMarketAbi, runner) } : {}),
        ...(c.stablecoin ? { stablecoin: new Contract(c.stablecoin, TestStablecoinAbi, runner) } : {})
    }
}

/**
 * The ABI of each contract whose errors clients decode, by contract name. Two contracts may
 * declare an error of the same name and types but other argument names (`UnknownPosition(loanId)`
 * of the loan market, `UnknownPosition(positionId)` of the request market: one selector), so a
 * decoded error says which contract's declaration it was read with.
 */
export const CONTRACT_ABIS = {
    TrustRegistry: TrustRegistryAbi,
    CreditVerifier: CreditVerifierAbi,
    LoanMarket: LoanMarketAbi,
    RequestMarket: RequestMarketAbi,
    TestStablecoin: TestStablecoinAbi,
    OfferPositions: OfferPositionsAbi
} as const

/** A contract of {@link CONTRACT_ABIS}. */
export type ContractName = keyof typeof CONTRACT_ABIS

/** Every ABI, for decoding errors and events from any of the contracts. */
export const ALL_ABIS = Object.values(CONTRACT_ABIS)

/** The name of each deployed contract of {@link CONTRACT_ABIS}, by lower-case address. */
export function contractNames(deployment: Deployment): Map<string, ContractName> {
    const c = deployment.contracts
    const named: [string | undefined, ContractName][] = [
        [c.trustRegistry, "TrustRegistry"],
        [c.creditVerifier, "CreditVerifier"],
        [c.loanMarket, "LoanMarket"],
        [c.requestMarket, "RequestMarket"],
        [c.stablecoin, "TestStablecoin"]
    ]
    return new Map(named.flatMap(([address, name]) => (address ? [[address.toLowerCase(), name] as const] : [])))
}
