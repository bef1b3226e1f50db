/**
 * The RequestMarket as fixtures for the contract tests, the adversarial suite and the gas bench
 * (no test-runner imports here): a market on a mock verifier (tests not about proofs) and on the
 * real platform (real proofs), default request terms, and a real credit proof for a request.
 */
import type { NetworkConnection } from "hardhat/types/network"
import { computeScope, generateCreditProof, toBorrowCalldata, type Attestation, type BorrowProofCalldata, type Identity, type KycTree } from "../../prover/src/index.ts"
import { computeRequestMessage, requestTermsTuple, type RequestTerms } from "../../client/src/requests.ts"
import { as, BUREAU_KEYS, DAY, deploy, PLATFORM_START, SETTINGS, USD, type Contracts, type Deployed, type Platform, type Signer } from "./contracts.ts"
import { COMMITTEE_KEY, artifacts as proofArtifacts } from "./fixtures.ts"

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

/**
 * A RequestMarket on a deployed platform's real credit verifier, allowing the platform's token, with
 * the anchor of its scope under the current root, the main bureau key and the committee key
 * prepared (as the platform's keeper does for every market).
 */
export async function deployRequestMarketOn(platform: Contracts): Promise<Deployed> {
    const { ethers } = platform.connection
    const market = await deploy(ethers, "RequestMarket", [platform.signers.admin.address, await platform.verifier.getAddress(), SETTINGS.maxActiveLoans])
    await (await market.setTokenAllowed(await platform.token.getAddress(), true)).wait()
    const root = (await platform.kyc.currentRoot()) as bigint
    await (await platform.verifier.prepareAnchor(root, BUREAU_KEYS.main.keyHash, COMMITTEE_KEY[1], await market.scope())).wait()
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
            message: computeRequestMessage({ chainId: platform.chainId, market: address, borrower: input.borrower, terms: input.terms }),
            committeeKey: COMMITTEE_KEY
        },
        proofArtifacts
    )
    return toBorrowCalldata(proof)
}

// ------------------------------------------------------------------------------------ gas

/** Gas ceilings of the request market, asserted by request-market-gas.test.ts and bench/gas.ts. */
export const REQUEST_GAS_CEILINGS = {
    createRequest: 466_000,
    fundRequest: 165_000,
    fundRequestDisburse: 190_000,
    claimRepayment: 65_000,
    transferPosition: 60_000
} as const

/** What each measured request operation is, for bench/results/gas.json. */
export const REQUEST_GAS_NOTES = {
    createRequest: "a pseudonym's first request, real Groth16 proof verified on chain (3 instalments), its identity escrow's tag in a slot of its own",
    fundRequest: "a lender's first part of a request: mints its position (ERC-721), pulls the tokens",
    fundRequestDisburse: "the part that completes the principal: mints its position and disburses the loan to the borrower",
    claimRepayment: "a position's holder claims its share of the first instalment",
    transferPosition: "ERC-721 transferFrom of a position to an address that holds none",
    refundPosition: "a holder's refund from a cancelled request: burns the position",
    cancelRequest: "the borrower cancels an open request",
    repayInstalmentRequest: "the borrower pays the first instalment of a request's loan (first write of its repayment slot)"
} as const

/** Gas of a sent transaction. */
async function gasUsed(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
    const receipt = await (await tx).wait()
    if (!receipt) throw new Error("no receipt")
    return Number(receipt.gasUsed)
}

/**
 * Measures the request market's operations on a deployed platform (a fresh RequestMarket on its
 * real verifier; `group` is the KYC tree as it stands now, carol a member): carol lists a request with a real proof, two lenders fund it (the second part
 * disburses), the borrower pays an instalment, a holder claims and transfers its position; then
 * a second request is cancelled and refunded.
 */
export async function measureRequestGas(
    platform: Platform,
    group: KycTree,
    attestation: (identity: Identity, now: number) => Attestation
): Promise<Record<keyof typeof REQUEST_GAS_NOTES, number>> {
    const { connection, signers, token } = platform
    const { time } = connection.networkHelpers
    const market = await deployRequestMarketOn(platform)
    const address = await market.getAddress()
    const [lenderA, lenderB] = [signers.lender, signers.other]
    for (const account of [lenderA, lenderB, signers.borrower]) {
        await (await token.mint(account.address, 100_000n * USD)).wait()
        await (await as(token, account).approve(address, connection.ethers.MaxUint256)).wait()
    }
    const { IDENTITIES } = await import("./contracts.ts")
    const carol = IDENTITIES.carol
    const now = await time.latest()
    const terms = requestTerms(await token.getAddress(), now)
    const proof = await proveRequest(platform, market, { identity: carol, attestation: attestation(carol, now), group, borrower: signers.borrower.address, terms })
    const borrower = as(market, signers.borrower)
    const g = {} as Record<keyof typeof REQUEST_GAS_NOTES, number>
    g.createRequest = await gasUsed(borrower.createRequest(requestTermsTuple(terms), proof))
    g.fundRequest = await gasUsed(as(market, lenderA).fundRequest(0n, 1_000n * USD))
    g.fundRequestDisburse = await gasUsed(as(market, lenderB).fundRequest(0n, terms.principal - 1_000n * USD))
    const start = Number((await market.request(0n)).startTime)
    await time.increaseTo(start + Math.floor(terms.term / terms.instalmentCount) - DAY)
    g.repayInstalmentRequest = await gasUsed(borrower.repayInstalment(0n))
    g.claimRepayment = await gasUsed(as(market, lenderA).claim(0n))
    g.transferPosition = await gasUsed(as(market, lenderA).transferFrom(lenderA.address, signers.stranger.address, 0n))
    // a second market for a cancelled request: the pseudonym's first loan is still active here
    const second = await deployRequestMarketOn(platform)
    await (await as(token, lenderA).approve(await second.getAddress(), connection.ethers.MaxUint256)).wait()
    const later = await time.latest()
    const cancelTerms = requestTerms(await token.getAddress(), later)
    const cancelProof = await proveRequest(platform, second, { identity: carol, attestation: attestation(carol, later), group, borrower: signers.borrower.address, terms: cancelTerms })
    await (await as(second, signers.borrower).createRequest(requestTermsTuple(cancelTerms), cancelProof)).wait()
    await (await as(second, lenderA).fundRequest(0n, 500n * USD)).wait()
    g.cancelRequest = await gasUsed(as(second, signers.borrower).cancelRequest(0n))
    g.refundPosition = await gasUsed(as(second, lenderA).refund(0n))
    return g
}
