import { Contract, type ContractRunner } from "ethers"
import { BureauRegistryAbi, CreditVerifierAbi, KycRegistryAbi, LoanMarketAbi, RequestMarketAbi, TestStablecoinAbi } from "./generated/abis.ts"
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

/** Every ABI, for decoding errors and events from any of the contracts. */
export const ALL_ABIS = [KycRegistryAbi, BureauRegistryAbi, CreditVerifierAbi, LoanMarketAbi, RequestMarketAbi, TestStablecoinAbi] as const
