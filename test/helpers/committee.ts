/**
 * Escrow committee fixtures for the tests and the escrow benchmark (no test-runner imports here):
 * a committee from a real DKG, and a market with a defaulted loan, a registered committee key and
 * an EscrowOpenings contract.
 */
import { readFile } from "node:fs/promises"
import { ContractFactory, type Contract, type Signer } from "ethers"
import type { NetworkConnection } from "hardhat/types/network"
import {
    createAuthorityKey,
    createDealing,
    createRoster,
    encryptCommitment,
    finalizeCommittee,
    partialDecrypt,
    requirePoint,
    verifyDealings,
    type AuthorityKeyFile,
    type AuthorityShareFile,
    type CommitteeKeyFile,
    type CommitteeRoster,
    type Dealing
} from "../../prover/src/escrow/index.ts"
import { abiOf, as, DAY, deploy, deployMockMarket, deployTrustRegistry, mockProof, TERMS, USD } from "./contracts.ts"

/** JSON round trip: what a file or an event carries. */
export const viaFile = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** A committee after a real DKG: its authorities' files, the public key file and every share. */
export interface TestCommittee {
    authorities: AuthorityKeyFile[]
    roster: CommitteeRoster
    dealings: Dealing[]
    committeeKey: CommitteeKeyFile
    shares: AuthorityShareFile[]
}

/** The authorities of the demo world: the regulator, the bureau and the compliance desk. */
export const AUTHORITY_NAMES = ["regulator", "bureau", "compliance"] as const

/** Runs the three DKG rounds among `names` with threshold t, every message through JSON. */
export function runCommittee(threshold = 2, names: readonly string[] = AUTHORITY_NAMES): TestCommittee {
    const authorities = names.map((name) => createAuthorityKey(name))
    const roster = viaFile(createRoster(threshold, authorities.map((a) => ({ name: a.name, transportKey: a.transportKey }))))
    const dealings = authorities.map((a) => viaFile(createDealing(roster, a)))
    const complaints = authorities.map((a) => viaFile(verifyDealings(roster, a, dealings).complaints))
    const results = authorities.map((a) => finalizeCommittee(roster, dealings, complaints, a))
    return { authorities, roster, dealings, committeeKey: results[0]!.committeeKey, shares: results.map((r) => r.share!) }
}

/** Gas ceilings of the escrow contracts, asserted by the contract tests and the benchmark. */
export const ESCROW_GAS_CEILINGS = { openRequest: 200_000, publishShare: 75_000 }

/** The commitment the fixture's escrow holds. */
export const ESCROWED_COMMITMENT = 0xc0ffeen

/**
 * A mock-verifier market (deployMockMarket: these fixtures are about loan states, not proofs)
 * with loan 0 defaulted and loan 1 in good standing, a committee from a real DKG registered with
 * the lender, `other` and `stranger` as authorities 1-3, an EscrowOpenings contract whose
 * REQUESTER_ROLE the officer holds, and an escrow of {@link ESCROWED_COMMITMENT}.
 */
export async function deployEscrowOpenings(connection: NetworkConnection) {
    const { ethers, networkHelpers } = connection
    const { time } = networkHelpers
    const f = await deployMockMarket(connection)
    const { admin, officer, lender, borrower, other, stranger } = f.signers
    const committee = runCommittee()
    const registry = await deployTrustRegistry(ethers, admin.address)
    const authorities = [lender, other, stranger]
    const key = requirePoint(committee.committeeKey.publicKey, "key")
    const now = await time.latest()
    const entries = committee.committeeKey.publicShares.map((s, i) => ({ account: authorities[i]!.address, shareX: s.publicShare[0], shareY: s.publicShare[1] }))
    await (await registry.addCommitteeKey(key[0], key[1], 2, entries, now - DAY, now + 365 * DAY)).wait()
    const openings = await deploy(ethers, "EscrowOpenings", [admin.address, await f.market.getAddress(), await registry.getAddress()])
    await (await openings.grantRole(await openings.REQUESTER_ROLE(), officer.address)).wait()
    const escrow = encryptCommitment(ESCROWED_COMMITMENT, key).escrow
    // the market records each loan's escrow from its proof: both loans carry this one (the mock
    // verifier checks nothing), so one escrow can be requested under two loans
    const recorded = { committeeKeyY: key[1], ...escrow }
    const start = (await time.latest()) + 1
    await time.setNextBlockTimestamp(start)
    const nullifiers = [0xaaan, 0xbbbn] as const
    await (await as(f.market, borrower).borrow(0n, 1n, 1_000n * USD, mockProof(nullifiers[0], start, true, recorded))).wait()
    await (await as(f.market, other).borrow(0n, 1n, 1_000n * USD, mockProof(nullifiers[1], start + 1, true, recorded))).wait()
    await time.increaseTo(start + TERMS.term / TERMS.instalmentCount + TERMS.defaultPeriod + 1)
    await (await f.market.markDefault(0n)).wait()
    return { ...f, committee, registry, openings, key, escrow, nullifiers, authorities, requester: as(openings, officer), officer }
}

/** What {@link deployEscrowOpenings} returns. */
export type EscrowOpeningsFixture = Awaited<ReturnType<typeof deployEscrowOpenings>>

/** Authority `authority` (0-based)'s partial decryption of the fixture's escrow, as the contract takes it. */
export function partialCalldata(f: EscrowOpeningsFixture, authority: number, loanId = 0n) {
    const p = partialDecrypt({ ephemeralKeyY: f.escrow.ephemeralKeyY, ciphertext: f.escrow.ciphertext }, f.committee.shares[authority]!, loanId)
    return [BigInt(p.partial[0]), BigInt(p.partial[1]), BigInt(p.proof.challenge), BigInt(p.proof.response)] as const
}

/** Deploys a compiled contract on any JSON-RPC chain (a `hardhat node`), from its artifact. */
export async function deployArtifact(source: string, name: string, signer: Signer, args: unknown[]): Promise<Contract> {
    const artifact = JSON.parse(await readFile(new URL(`../../artifacts/contracts/${source}/${name}.json`, import.meta.url), "utf8")) as { bytecode: string }
    const contract = await new ContractFactory(abiOf(source, name), artifact.bytecode, signer).deploy(...args)
    await contract.waitForDeployment()
    return contract as Contract
}
