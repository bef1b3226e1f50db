import { getAddress } from "ethers"
import { ZkCreditError } from "../../prover/src/errors.ts"

/** Where zkcredit is deployed on one chain: written by the deploy script, read by the CLI and the app. */
export interface Deployment {
    chainId: number
    /** A name for people, e.g. "localhost" or "sepolia". */
    network: string
    /** Contract addresses (checksummed). */
    contracts: {
        /** KYC roots, bureau keys and escrow committee keys (`TrustRegistry`). */
        trustRegistry: string
        creditVerifier: string
        loanMarket: string
        /** Loan requests funded by many lenders, and their positions; absent on older deployments. */
        requestMarket?: string
        /** The test stablecoin; absent on networks with real tokens. */
        stablecoin?: string
        /** Opening requests and published shares of the loan market's loans; absent where the escrow is not deployed. */
        escrowOpenings?: string
        /** The same for the request market's loans; absent where the escrow or the request market is not deployed. */
        requestEscrowOpenings?: string
    }
    /** Block of the first deployment transaction: event scans start here. */
    deployBlock: number
}

/** A deployment's EscrowOpenings addresses, loan market's first: `escrowOpenings` and `requestEscrowOpenings`, where listed. */
export function escrowOpeningsOf(deployment: Deployment): string[] {
    const c = deployment.contracts
    return [c.escrowOpenings, c.requestEscrowOpenings].filter((a): a is string => a !== undefined)
}

/**
 * Checks a deployment object (e.g. parsed from deployments/<chainId>.json).
 * @throws ZkCreditError naming the bad field.
 */
export function parseDeployment(value: unknown): Deployment {
    if (typeof value !== "object" || value === null) throw new ZkCreditError("INVALID_ARGUMENT", "deployment must be an object", "deployment")
    const d = value as Record<string, unknown>
    if (!Number.isSafeInteger(d.chainId) || (d.chainId as number) <= 0) throw new ZkCreditError("INVALID_ARGUMENT", "deployment.chainId must be a positive integer", "deployment.chainId")
    if (!Number.isSafeInteger(d.deployBlock) || (d.deployBlock as number) < 0) throw new ZkCreditError("INVALID_ARGUMENT", "deployment.deployBlock must be a block number", "deployment.deployBlock")
    const c = d.contracts as Record<string, unknown> | undefined
    if (typeof c !== "object" || c === null) throw new ZkCreditError("INVALID_ARGUMENT", "deployment.contracts must be an object of addresses", "deployment.contracts")
    const address = (name: string, optional = false): string | undefined => {
        const raw = c[name]
        if (raw === undefined && optional) return undefined
        try {
            return getAddress(raw as string)
        } catch {
            throw new ZkCreditError("INVALID_ARGUMENT", `deployment.contracts.${name} must be a contract address`, `deployment.contracts.${name}`)
        }
    }
    const stablecoin = address("stablecoin", true)
    const requestMarket = address("requestMarket", true)
    const escrowOpenings = address("escrowOpenings", true)
    const requestEscrowOpenings = address("requestEscrowOpenings", true)
    return {
        chainId: d.chainId as number,
        network: typeof d.network === "string" ? d.network : `chain-${d.chainId}`,
        contracts: {
            trustRegistry: address("trustRegistry")!,
            creditVerifier: address("creditVerifier")!,
            loanMarket: address("loanMarket")!,
            ...(requestMarket ? { requestMarket } : {}),
            ...(stablecoin ? { stablecoin } : {}),
            ...(escrowOpenings ? { escrowOpenings } : {}),
            ...(requestEscrowOpenings ? { requestEscrowOpenings } : {})
        },
        deployBlock: d.deployBlock as number
    }
}
