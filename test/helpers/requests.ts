/**
 * The RequestMarket as fixtures for the contract tests, the adversarial suite and the gas bench
 * (no test-runner imports here): a market on a mock verifier (tests not about proofs) and on the
 * real platform (real proofs), default request terms, and a real credit proof for a request.
 */
import type { NetworkConnection } from "hardhat/types/network"
import { computeScope, generateCreditProof, toBorrowCalldata, type Attestation, type BorrowProofCalldata, type Identity, type KycTree } from "../../prover/src/index.ts"
import { computeRequestMessage, requestTermsTuple, type RequestTerms } from "../../client/src/requests.ts"
import { as, DAY, deploy, PLATFORM_START, SETTINGS, USD, type Contracts, type Deployed, type Platform, type Signer } from "./contracts.ts"
import { artifacts as proofArtifacts } from "./fixtures.ts"

export { requestTermsTuple, type RequestTerms }

/** Request statuses, as the contract numbers them. */
export const STATUS = { None: 0n, Open: 1n, Cancelled: 2n, Expired: 3n, Active: 4n, Repaid: 5n, Defaulted: 6n } as const

/** Request terms: 3,000 dollars over 90 days in 3 instalments at 12 %, band 700, a week to fund. */
export function requestTerms(token: string, now: number, overrides: Partial<RequestTerms> = {}): RequestTerms {
    return {
        token,
        principal: 3_000n * USD,
        term: 90 * DAY,
        instalmentCount: 3,
        aprBps: 1200,
        minScore: 700,
        gracePeriod: 3 * DAY,
        defaultPeriod: 30 * DAY,
        lateFee: 10n * USD,
        deadline: now + 7 * DAY,
        disbursePartial: false,
        ...overrides
    }
}

/** A request market on the mock verifier, with lenders and borrowers funded and approved. */
export interface MockRequestMarket {
    connection: NetworkConnection
    market: Deployed
    verifier: Deployed
    token: Deployed
    signers: Platform["signers"]
    /** Lenders (funders), in order: lender, other, stranger, and two more accounts. */
    lenders: Signer[]
    /** Each account's token balance at the start. */
    minted: bigint
}

/**
 * Deploys a RequestMarket on `MockCreditVerifier` (any proof with `points[0] != 0` passes) with a
 * 6-decimal token the admin allowed, minted to and approved by the borrower and the lenders.
 */
export async function deployMockRequestMarket(connection: NetworkConnection, maxActiveLoans = 1): Promise<MockRequestMarket> {
    const { ethers, networkHelpers } = connection
    if ((await networkHelpers.time.latest()) < PLATFORM_START) await networkHelpers.time.increaseTo(PLATFORM_START)
    const accounts = (await ethers.getSigners()) as Signer[]
    const [admin, officer, lender, borrower, other, stranger, extra1, extra2] = accounts as [Signer, Signer, Signer, Signer, Signer, Signer, Signer, Signer]
    const verifier = await deploy(ethers, "MockCreditVerifier")
    const market = await deploy(ethers, "RequestMarket", [admin.address, await verifier.getAddress(), maxActiveLoans])
    const token = await deploy(ethers, "MockERC20", ["Mock USD", "mUSD", 6])
    await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
    const minted = 1_000_000n * USD
    for (const account of [lender, borrower, other, stranger, extra1, extra2]) {
        await (await token.mint(account.address, minted)).wait()
        await (await as(token, account).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    }
    return { connection, market, verifier, token, signers: { admin, officer, lender, borrower, other, stranger }, lenders: [lender, other, stranger, extra1, extra2], minted }
}

/** A RequestMarket on a deployed platform's real credit verifier, allowing the platform's token. */
export async function deployRequestMarketOn(platform: Contracts): Promise<Deployed> {
    const { ethers } = platform.connection
    const market = await deploy(ethers, "RequestMarket", [platform.signers.admin.address, await platform.verifier.getAddress(), SETTINGS.maxActiveLoans])
    await (await market.setTokenAllowed(await platform.token.getAddress(), true)).wait()
    return market
}

/** What a request proof is for. */
export interface RequestProofInput {
    identity: Identity
    attestation: Attestation
    group: KycTree
    borrower: string
    terms: RequestTerms
    /** Defaults to the latest block time. */
    currentTime?: number
}

/** A real credit proof for `market.createRequest(terms, proof)`, made with the built circuit. */
export async function proveRequest(platform: Contracts, market: Deployed, input: RequestProofInput): Promise<BorrowProofCalldata> {
    const address = await market.getAddress()
    const currentTime = input.currentTime ?? (await platform.connection.networkHelpers.time.latest())
    const proof = await generateCreditProof(
        {
            identity: input.identity,
            attestation: input.attestation,
            membership: input.group,
            threshold: input.terms.minScore,
            currentTime,
            scope: computeScope(platform.chainId, address),
            message: computeRequestMessage({ chainId: platform.chainId, market: address, borrower: input.borrower, terms: input.terms })
        },
        proofArtifacts
    )
    return toBorrowCalldata(proof)
}
