import { Contract, type ContractRunner } from "ethers"
import { BureauRegistryAbi, CreditVerifierAbi, KycRegistryAbi, LoanMarketAbi, OfferPositionsAbi, RequestMarketAbi, TestStablecoinAbi } from "./generated/abis.ts"
import type { Deployment } from "./deployments.ts"

/** ethers handles of the deployed contracts. */
export interface ZkCreditContracts {
    kycRegistry: Contract
    bureauRegistry: Contract
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
        kycRegistry: new Contract(c.kycRegistry, KycRegistryAbi, runner),
        bureauRegistry: new Contract(c.bureauRegistry, BureauRegistryAbi, runner),
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
    KycRegistry: KycRegistryAbi,
    BureauRegistry: BureauRegistryAbi,
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
        [c.kycRegistry, "KycRegistry"],
        [c.bureauRegistry, "BureauRegistry"],
        [c.creditVerifier, "CreditVerifier"],
        [c.loanMarket, "LoanMarket"],
        [c.requestMarket, "RequestMarket"],
        [c.stablecoin, "TestStablecoin"]
    ]
    return new Map(named.flatMap(([address, name]) => (address ? [[address.toLowerCase(), name] as const] : [])))
}
