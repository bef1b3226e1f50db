/**
 * The deployed platform as a fixture and real credit proofs for it, for the contract tests and the
 * gas benchmark (no test-runner imports here). Revert assertions are in `reverts.ts`.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { BaseContract, Contract, ContractRunner, InterfaceAbi, Log, LogDescription } from "ethers"
import type { NetworkConnection } from "hardhat/types/network"
import {
    computeMessage,
    computeScope,
    createBureauKey,
    generateCreditProof,
    Identity,
    KycTree,
    signAttestation,
    toBorrowCalldata,
    type Attestation,
    type BorrowProofCalldata,
    type BureauKey
} from "../../prover/src/index.ts"
import type { Point } from "../../prover/src/escrow/index.ts"
import { COMMITTEE_KEY, artifacts as proofArtifacts } from "./fixtures.ts"
import type { LoanState } from "./loan-math.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Reads a compiled artifact's ABI (compiled by the global setup). */
export function abiOf(sourcePath: string, name: string): InterfaceAbi {
    return JSON.parse(readFileSync(`${root}artifacts/contracts/${sourcePath}/${name}.json`, "utf8")).abi
}

/**
 * A deployed contract whose ABI functions are called by name. Without TypeChain (not a
 * dependency) ethers cannot type them, so they are `any` here and checked at run time against
 * the ABI; `noUncheckedIndexedAccess` would otherwise make every call "possibly undefined".
 */
export type Deployed = Contract & { [method: string]: any }

/** The ethers of a network connection (`connection.ethers`). */
export type ConnectionEthers = NetworkConnection["ethers"]

/** Deploys a compiled contract by name. */
export async function deploy(ethers: ConnectionEthers, name: string, args: unknown[] = []): Promise<Deployed> {
    return (await ethers.deployContract(name, args)) as Deployed
}

/** `contract.connect(signer)`, keeping the methods callable by name. */
export function as(contract: BaseContract, runner: ContractRunner): Deployed {
    return contract.connect(runner) as Deployed
}

/** The events `contract` emitted in a transaction receipt, decoded, in order. */
export function eventsOf(contract: Deployed, receipt: { logs: readonly Log[] } | null): LogDescription[] {
    const address = String(contract.target).toLowerCase()
    return (receipt?.logs ?? [])
        .filter((log) => log.address.toLowerCase() === address)
        .map((log) => contract.interface.parseLog(log))
        .filter((event): event is LogDescription => event !== null)
}

/** The event `name` that `contract` emitted in a receipt; throws if there is none. */
export function eventOf(contract: Deployed, receipt: { logs: readonly Log[] } | null, name: string): LogDescription {
    const event = eventsOf(contract, receipt).find((e) => e.name === name)
    if (!event) throw new Error(`no ${name} event in the receipt`)
    return event
}

/** Gas used by a sent transaction. */
export async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
    const receipt = await (await tx).wait()
    if (!receipt) throw new Error("no receipt")
    return receipt.gasUsed
}

// ------------------------------------------------------------------------------------ platform

/** A day, in seconds. */
export const DAY = 86_400

/** One unit of the 6-decimal test dollar. */
export const USD = 1_000_000n

/** Chain time the platform fixture starts at, so every run sees the same times. */
export const PLATFORM_START = 1_900_000_000

/** Root validity, proof window and market settings of the test platform. */
export const SETTINGS = {
    rootValidity: 600,
    maxProofAge: 3600,
    maxFutureSkew: 300,
    maxActiveLoans: 1
} as const

/** The tiers of the platform's offer 0: scores 600 / 700 / 800. */
export const TIERS = [
    { minScore: 600, aprBps: 1800, maxPrincipal: 1_000n * USD },
    { minScore: 700, aprBps: 1200, maxPrincipal: 5_000n * USD },
    { minScore: 800, aprBps: 800, maxPrincipal: 20_000n * USD }
]

/** The terms of the platform's offer 0: 90 days in 3 instalments, 3 days grace, default after 30 days. */
export const TERMS = { term: 90 * DAY, instalmentCount: 3, gracePeriod: 3 * DAY, defaultPeriod: 30 * DAY, lateFee: 10n * USD }

/** The offer's deposit. */
export const CAPACITY = 100_000n * USD

/** Identities of the platform: fixed secrets, so every run makes the same proofs. */
export const IDENTITIES = {
    alice: new Identity(0x1111n),
    bob: new Identity(0x2222n),
    carol: new Identity(0x3333n),
    dave: new Identity(0x4444n)
}

/** Bureau keys: the main one, and one that expires half an hour after the platform starts. */
export const BUREAU_KEYS = {
    main: createBureauKey(`0x${"07".repeat(32)}`),
    shortLived: createBureauKey(`0x${"08".repeat(32)}`)
}

/** The main key's validity window and the short-lived key's. */
export const KEY_WINDOWS = {
    main: { validFrom: PLATFORM_START - DAY, validUntil: PLATFORM_START + 365 * DAY },
    shortLived: { validFrom: PLATFORM_START - DAY, validUntil: PLATFORM_START + 1800 }
}

/** The window of the platform's escrow committee key ({@link COMMITTEE_KEY}). */
export const COMMITTEE_WINDOW = { validFrom: PLATFORM_START - DAY, validUntil: PLATFORM_START + 365 * DAY }

/** The deployed platform. */
export interface Platform {
    connection: NetworkConnection
    /** The trust registry (`TrustRegistry`). */
    trust: Deployed
    /** The same contract, named for its KYC part in tests about roots and members. */
    kyc: Deployed
    /** The same contract, named for its bureau part. */
    bureaus: Deployed
    /** The same contract, named for its escrow committee part. */
    committees: Deployed
    verifier: Deployed
    market: Deployed
    token: Deployed
    /** The KYC group as the officers keep it off chain after setup (a fresh copy on every read). */
    group: KycTree
    chainId: bigint
    signers: {
        admin: Signer
        officer: Signer
        lender: Signer
        borrower: Signer
        other: Signer
        stranger: Signer
    }
}

/** A Hardhat account. */
export type Signer = Awaited<ReturnType<ConnectionEthers["getSigners"]>>[number]

/** Leaves the officers add first: two placeholders, then alice, bob, carol. */
export function initialMembers(): bigint[] {
    return [11n, 22n, IDENTITIES.alice.commitment, IDENTITIES.bob.commitment, IDENTITIES.carol.commitment]
}

/** The platform's contracts, freshly deployed: nothing registered, no roles but the admin's. */
export type Contracts = Omit<Platform, "group">

/**
 * Deploys the platform's contracts at {@link PLATFORM_START}: the trust registry (the admin holds
 * its three admin roles), the credit verifier (with the generated Groth16 verifier inside), the market and a 6-decimal token.
 * The admin allowed the token in the market (offers need it); nothing else is set up.
 */
export async function deployContracts(connection: NetworkConnection): Promise<Contracts> {
    const { ethers, networkHelpers } = connection
    await networkHelpers.time.increaseTo(PLATFORM_START)
    const [admin, officer, lender, borrower, other, stranger] = (await ethers.getSigners()) as [Signer, Signer, Signer, Signer, Signer, Signer]
    const trust = await deployTrustRegistry(ethers, admin.address)
    const verifier = await deploy(ethers, "CreditVerifier", [admin.address, await trust.getAddress(), SETTINGS.maxProofAge, SETTINGS.maxFutureSkew])
    const market = await deploy(ethers, "LoanMarket", [admin.address, await verifier.getAddress(), SETTINGS.maxActiveLoans])
    const token = await deploy(ethers, "MockERC20", ["Mock USD", "mUSD", 6])
    await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
    const chainId = (await ethers.provider.getNetwork()).chainId
    return { connection, trust, kyc: trust, bureaus: trust, committees: trust, verifier, market, token, chainId, signers: { admin, officer, lender, borrower, other, stranger } }
}

/**
 * Deploys a `TrustRegistry` whose three admin roles `admin` holds, with the platform's root validity.
 * @param rootValidity Seconds a replaced root stays valid; {@link SETTINGS}' by default.
 */
export async function deployTrustRegistry(ethers: ConnectionEthers, admin: string, rootValidity: number = SETTINGS.rootValidity): Promise<Deployed> {
    return deploy(ethers, "TrustRegistry", [admin, admin, admin, rootValidity])
}

/**
 * Registers {@link COMMITTEE_KEY} in the committee registry for {@link COMMITTEE_WINDOW}, with one
 * authority (`account`, t = 1, its share the whole key): a stand-in committee for tests about
 * proofs and loans; the escrow tests register a real DKG's key.
 */
export async function registerTestCommittee(committees: Deployed, account: string): Promise<void> {
    const [x, y] = COMMITTEE_KEY
    await (await committees.addCommitteeKey(x, y, 1, [{ account, shareX: x, shareY: y }], COMMITTEE_WINDOW.validFrom, COMMITTEE_WINDOW.validUntil)).wait()
}

/**
 * Deploys and sets up the whole platform: the officer added {@link initialMembers}, the admin
 * registered a bureau with the {@link BUREAU_KEYS} and the escrow committee key
 * ({@link registerTestCommittee}), and the lender created offer 0 ({@link TIERS},
 * {@link TERMS}) with {@link CAPACITY}. Use with `networkHelpers.loadFixture(deployPlatform)`.
 */
export async function deployPlatform(connection: NetworkConnection): Promise<Platform> {
    const contracts = await deployContracts(connection)
    const { kyc, bureaus, committees, market, token, signers } = contracts
    const { officer, lender } = signers
    await registerTestCommittee(committees, signers.admin.address)

    await (await kyc.grantRole(await kyc.OFFICER_ROLE(), officer.address)).wait()
    const group = new KycTree(initialMembers())
    await (await as(kyc, officer).addMembers(initialMembers(), group.root)).wait()

    await (await bureaus.addBureau("Acme Credit Bureau")).wait()
    for (const name of ["main", "shortLived"] as const) {
        const key = BUREAU_KEYS[name]
        const window = KEY_WINDOWS[name]
        await (await bureaus.addKey(1, key.publicKey[0], key.publicKey[1], key.keyHash, window.validFrom, window.validUntil)).wait()
    }

    // as the officer's client does after publishing a root: borrows against today's root, key and
    // committee read it (the market keeps its own anchors: it checks its borrows' proofs itself)
    await (await market.prepareAnchor(group.root, BUREAU_KEYS.main.keyHash, COMMITTEE_KEY[1], await market.scope())).wait()

    await (await token.mint(lender.address, CAPACITY * 10n)).wait()
    await (await as(token, lender).approve(await market.getAddress(), connection.ethers.MaxUint256)).wait()
    await (await as(market, lender).createOffer(await token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
    // loadFixture hands out the same object every time: give each reader its own copy of the group
    return {
        ...contracts,
        get group() {
            return new KycTree(initialMembers())
        }
    }
}

/** An attestation by a platform bureau key, valid around `now`. */
export function attest(identity: Identity, options: { score: number; now: number; key?: BureauKey; validFor?: number }): Attestation {
    const key = options.key ?? BUREAU_KEYS.main
    return signAttestation(
        { commitment: identity.commitment, score: options.score, issuedAt: options.now - 3600, expiresAt: options.now + (options.validFor ?? 30 * DAY) },
        key.privateKey
    )
}

/** What a borrow proof is for. */
export interface BorrowRequest {
    identity: Identity
    attestation: Attestation
    /** The group (or a snapshot of it) the membership is proved in. */
    group: KycTree
    borrower: string
    offerId?: bigint
    tier: bigint
    principal: bigint
    /** Defaults to the tier's minimum score of offer 0. */
    threshold?: number
    /** Defaults to the latest block time. */
    currentTime?: number
    /** The escrow committee key; defaults to {@link COMMITTEE_KEY}. */
    committeeKey?: Point
}

/** A real credit proof for `market.borrow`, made with the built circuit. */
export async function proveBorrow(platform: Contracts, request: BorrowRequest): Promise<BorrowProofCalldata> {
    const market = await platform.market.getAddress()
    const offerId = request.offerId ?? 0n
    const currentTime = request.currentTime ?? (await platform.connection.networkHelpers.time.latest())
    const proof = await generateCreditProof(
        {
            identity: request.identity,
            attestation: request.attestation,
            membership: request.group,
            threshold: request.threshold ?? (TIERS[Number(request.tier)]?.minScore as number),
            currentTime,
            scope: computeScope(platform.chainId, market),
            message: computeMessage({ chainId: platform.chainId, market, borrower: request.borrower, offerId, tier: request.tier, principal: request.principal }),
            committeeKey: request.committeeKey ?? COMMITTEE_KEY
        },
        proofArtifacts
    )
    return toBorrowCalldata(proof)
}

/** A copy of a proof calldata with some fields changed (points copied too). */
export function tamper(proof: BorrowProofCalldata, changes: Partial<BorrowProofCalldata>): BorrowProofCalldata {
    return { ...proof, points: [...proof.points], ...changes }
}

/**
 * A proof-shaped value for markets that use `MockCreditVerifier` (it accepts points[0] != 0),
 * carrying `escrow` as its identity escrow (placeholders by default).
 */
export function mockProof(
    nullifier: bigint,
    currentTime: number | bigint,
    valid = true,
    escrow: { committeeKeyY: bigint; ephemeralKeyY: bigint; ciphertext: bigint } = { committeeKeyY: COMMITTEE_KEY[1], ephemeralKeyY: 2n, ciphertext: 3n }
): BorrowProofCalldata {
    return { nullifier, kycRoot: 1n, bureauKeyHash: 1n, currentTime: BigInt(currentTime), ...escrow, points: [valid ? 1n : 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] }
}

// ---------------------------------------------------------------- market with a mock verifier

/** A market whose verifier accepts any proof with `points[0] != 0` ({@link mockProof}). */
export interface MockMarket {
    connection: NetworkConnection
    market: Deployed
    verifier: Deployed
    token: Deployed
    signers: Platform["signers"]
    /** Each account's token balance at the start, for conservation checks. */
    minted: bigint
}

/**
 * A market for tests that are not about proofs (loan arithmetic, funds, defaults): the
 * {@link TIERS} / {@link TERMS} offer 0 funded with {@link CAPACITY} in a token the admin allowed,
 * `borrower` and `other` holding tokens with the market approved. Starts at {@link PLATFORM_START} or later.
 */
export async function deployMockMarket(connection: NetworkConnection, maxActiveLoans = 1): Promise<MockMarket> {
    const { ethers, networkHelpers } = connection
    // a second fixture in the same file starts wherever the chain is
    if ((await networkHelpers.time.latest()) < PLATFORM_START) await networkHelpers.time.increaseTo(PLATFORM_START)
    const [admin, officer, lender, borrower, other, stranger] = (await ethers.getSigners()) as [Signer, Signer, Signer, Signer, Signer, Signer]
    const verifier = await deploy(ethers, "MockCreditVerifier")
    const market = await deploy(ethers, "ExternalVerifierLoanMarket", [admin.address, await verifier.getAddress(), maxActiveLoans])
    const token = await deploy(ethers, "MockERC20", ["Mock USD", "mUSD", 6])
    await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
    const minted = 1_000_000n * USD
    for (const account of [lender, borrower, other, stranger]) {
        await (await token.mint(account.address, minted)).wait()
        await (await as(token, account).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    }
    await (await as(market, lender).createOffer(await token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
    return { connection, market, verifier, token, signers: { admin, officer, lender, borrower, other, stranger }, minted }
}

/** A market like {@link deployMockMarket} that allows two active loans per pseudonym. */
export async function deployMockMarketTwoLoans(connection: NetworkConnection): Promise<MockMarket> {
    return deployMockMarket(connection, 2)
}

/** A loan with its offer's terms, read from the market, for the TypeScript mirror of the rules. */
export async function readLoanState(market: Deployed, loanId: bigint): Promise<LoanState> {
    const loan = await market.loan(loanId)
    const offer = await market.offer(loan.offerId)
    const tier = await market.tierOf(loan.offerId, loan.tier)
    return {
        principal: loan.principal,
        aprBps: tier.aprBps,
        start: loan.startTime,
        term: offer.term,
        count: offer.instalmentCount,
        gracePeriod: offer.gracePeriod,
        defaultPeriod: offer.defaultPeriod,
        lateFee: offer.lateFee,
        repaid: loan.repaid,
        lateInstalmentsCharged: loan.lateInstalmentsCharged,
        defaulted: loan.status === 3n
    }
}
