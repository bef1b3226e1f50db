/**
 * Recovery after faults, with real proofs on one in-process chain (the steps share state and run in
 * order):
 * - the compliance officer's local tree is lost and rebuilt from the registry's events alone; it
 *   equals the original leaf for leaf, every published root checks out, and the officer carries on;
 * - a borrower whose device is lost restores the identity from an encrypted backup file on a new
 *   profile (nothing else kept), rebuilds the KYC tree from events, gets a fresh attestation from
 *   the bureau's HTTP service, proves and borrows under the same pseudonym;
 * - the bureau rotates its key with an overlap. The registry checks a key at block time, and a
 *   proof lands up to `maxProofAge` after it was made; so a rotation breaks no attestation issued
 *   before it when the new key is registered before the old one stops signing, and the old key is
 *   revoked no earlier than the last expiry of its attestations plus `maxProofAge`. Both sides of
 *   that boundary are tested.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Provider } from "ethers"
import { network } from "hardhat"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestBureau, type TestBureau } from "../bureau/harness.ts"
import {
    auditKycEvents,
    connectContracts,
    fetchKycEvents,
    kycTreeFromEvents,
    parseDeployment,
    prepareBorrowRequest,
    readOffer,
    type Deployment,
    type KycEvent,
    type ZkCreditContracts
} from "../../client/src/index.ts"
import { createBureauKey, generateCreditProof, Identity, isZkCreditError, KycTree, toBorrowCalldata, type Attestation, type BorrowProofCalldata } from "../../prover/src/index.ts"
import { as, CAPACITY, DAY, deployContracts, registerTestCommittee, SETTINGS, TERMS, TIERS, USD, type Contracts, type Signer } from "../helpers/contracts.ts"
import { artifacts } from "../helpers/fixtures.ts"
import { decodeRevert } from "./lib/reverts.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { time } = networkHelpers

const PASSWORD = "a long enough password"
const PRINCIPAL = 1_000n * USD
const TIER = 1 // minimum score 700; the test bureau's good-person records score above it

const backupBorrower = new Identity(0xb4c0_0001n)
const holderA = new Identity(0xb4c0_0002n)
const holderB = new Identity(0xb4c0_0003n)
const lateHolderA = new Identity(0xb4c0_0004n)
const afterRotation = new Identity(0xb4c0_0005n)
const keyA = createBureauKey(`0x${"a1".repeat(32)}`)
const keyB = createBureauKey(`0x${"b2".repeat(32)}`)

let c: Contracts
let deployment: Deployment
let clientContracts: ZkCreditContracts
let deployBlock: number
let tmp: string
let chainNow = 0
const bureaus = new Map<string, TestBureau>()
const borrowers: Signer[] = []

/** A bureau service with `key`, on a free port, whose clock is the chain's (providers, records and an officer of its own). */
async function startBureau(privateKey: string, validitySeconds: number): Promise<string> {
    const bureau = await startTestBureau({ privateKey, validitySeconds, now: () => chainNow, logger: () => {} })
    bureaus.set(bureau.url, bureau)
    return bureau.url
}

/** An attestation from a bureau service over HTTP, as a borrower's app gets one. */
async function requestAttestation(bureauUrl: string, identity: Identity): Promise<Attestation> {
    chainNow = await time.latest()
    // the applicant's app: the officer's binding, a history proof on a fresh challenge, then the attestation
    return bureaus.get(bureauUrl)!.attest(identity)
}

/** The KYC tree as anyone rebuilds it: every event from the deployment block, nothing else. */
async function treeFromChain(provider: Provider = ethers.provider): Promise<{ events: KycEvent[]; group: KycTree }> {
    const events = await fetchKycEvents(provider, await c.kyc.getAddress(), { fromBlock: deployBlock, chunkSize: 3 })
    return { events, group: kycTreeFromEvents(events) }
}

/** Proves, with the client's preparation (chain time, current root, active key), for `borrower`. */
async function prove(identity: Identity, attestation: Attestation, group: KycTree, borrower: Signer): Promise<BorrowProofCalldata> {
    const offer = await readOffer(clientContracts.loanMarket, 0)
    const request = await prepareBorrowRequest({ provider: ethers.provider, deployment, contracts: clientContracts, identity, attestation, group, intent: { offer: offer!, tier: TIER, principal: PRINCIPAL, borrower: borrower.address } })
    return toBorrowCalldata(await generateCreditProof(request, artifacts))
}

async function borrow(borrower: Signer, proof: BorrowProofCalldata): Promise<void> {
    await (await as(c.market, borrower).borrow(0n, TIER, PRINCIPAL, proof)).wait()
}

async function borrowRevert(borrower: Signer, proof: BorrowProofCalldata): Promise<string> {
    try {
        await (await as(c.market, borrower).borrow(0n, TIER, PRINCIPAL, proof)).wait()
        return "succeeded"
    } catch (error) {
        return decodeRevert(error).name
    }
}

beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "zkcredit-recovery-"))
    deployBlock = (await ethers.provider.getBlockNumber()) + 1
    c = await deployContracts(connection)
    const signers = await ethers.getSigners()
    borrowers.push(...(signers.slice(6, 12) as Signer[]))
    deployment = parseDeployment({
        chainId: Number(c.chainId),
        network: "hardhat",
        contracts: {
            trustRegistry: await c.trust.getAddress(),
            creditVerifier: await c.verifier.getAddress(),
            loanMarket: await c.market.getAddress()
        },
        deployBlock
    })
    clientContracts = connectContracts(deployment, ethers.provider)
    await (await c.kyc.grantRole(await c.kyc.OFFICER_ROLE(), c.signers.officer.address)).wait()
    await (await c.bureaus.addBureau("Acme Credit Bureau")).wait()
    await registerTestCommittee(c.committees, c.signers.admin.address)
    const now = await time.latest()
    await (await c.bureaus.addKey(1, keyA.publicKey[0], keyA.publicKey[1], keyA.keyHash, now - DAY, now + 365 * DAY)).wait()
    await (await c.token.mint(c.signers.lender.address, CAPACITY)).wait()
    await (await as(c.token, c.signers.lender).approve(await c.market.getAddress(), CAPACITY)).wait()
    await (await as(c.market, c.signers.lender).createOffer(await c.token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
})

afterAll(async () => {
    for (const bureau of bureaus.values()) await bureau.close()
    rmSync(tmp, { recursive: true, force: true })
})

describe("recovery", () => {
    describe("the officer's local KYC tree, lost and rebuilt from chain events", () => {
        let officerExport: string

        it("the officer adds members in batches, removes one and replaces one, between unrelated blocks", async () => {
            const officer = as(c.kyc, c.signers.officer)
            const group = new KycTree()
            const batches: bigint[][] = [
                [backupBorrower.commitment, 1001n, 1002n, 1003n],
                [holderA.commitment, holderB.commitment, ...Array.from({ length: 6 }, (_, i) => 2000n + BigInt(i))],
                [lateHolderA.commitment, afterRotation.commitment, 3001n]
            ]
            for (const [i, batch] of batches.entries()) {
                group.addMembers(batch)
                await (await officer.addMembers(batch, group.root)).wait()
                // unrelated transactions between the changes: the events sit in scattered blocks
                await (await c.token.mint(c.signers.other.address, BigInt(i + 1))).wait()
                await networkHelpers.mine(3)
                if (i === 0) {
                    group.removeMember(2)
                    await (await officer.removeMember(2, group.root)).wait()
                }
                if (i === 1) {
                    group.updateMember(7, 4242n)
                    await (await officer.replaceMember(7, 4242n, group.root)).wait()
                }
            }
            expect(await c.kyc.currentRoot()).toBe(group.root)
            officerExport = group.export()
            writeFileSync(join(tmp, "officer-tree.json"), officerExport)
        })

        it("deleted, the tree rebuilt from events equals the original leaf for leaf, and every published root checks out", async () => {
            rmSync(join(tmp, "officer-tree.json"))
            const { events, group } = await treeFromChain()
            expect(events.map((e) => e.kind)).toEqual(["added", "removed", "added", "replaced", "added"])
            expect(group.export()).toBe(officerExport)
            expect(group.root).toBe(await c.kyc.currentRoot())
            const audit = auditKycEvents(events)
            expect(audit.ok).toBe(true)
            expect(audit.findings).toEqual([])
            expect(audit.rootsChecked).toBe(events.length)
            expect(audit.tree.export()).toBe(officerExport)
            for (const event of events) expect((await c.kyc.rootRecord(event.newRoot)).createdAt).toBeGreaterThan(0n)
        })

        it("the officer carries on from the rebuilt tree: the next change is accepted and audits clean", async () => {
            const { group } = await treeFromChain()
            group.addMember(5001n)
            await (await as(c.kyc, c.signers.officer).addMembers([5001n], group.root)).wait()
            const after = await treeFromChain()
            expect(after.group.root).toBe(group.root)
            expect(auditKycEvents(after.events).ok).toBe(true)
        })

        it("a wrong root published by an officer shows up in the audit, at that event", async () => {
            const snapshot = await networkHelpers.takeSnapshot()
            await (await as(c.kyc, c.signers.officer).addMembers([6001n], 123456789n)).wait()
            const { events, group } = await treeFromChain()
            const audit = auditKycEvents(events)
            expect(audit.ok).toBe(false)
            expect(audit.findings.map((f) => f.eventIndex)).toEqual([events.length - 1])
            expect(audit.findings[0]!.expectedRoot).toBe(group.root)
            expect(group.root).not.toBe(await c.kyc.currentRoot())
            await snapshot.restore()
        })

        it("rebuilding asks the RPC for every KYC event, never for one leaf or commitment (the RPC learns nothing about which leaf is whose)", async () => {
            const filters: unknown[] = []
            const recording = new Proxy(ethers.provider, {
                get(target, property, receiver) {
                    if (property === "getLogs") return (filter: unknown) => (filters.push(filter), target.getLogs(filter as never))
                    const value = Reflect.get(target, property, receiver)
                    return typeof value === "function" ? value.bind(target) : value
                }
            }) as unknown as Provider
            await treeFromChain(recording)
            expect(filters.length).toBeGreaterThan(1)
            const registry = await c.kyc.getAddress()
            for (const filter of filters as { address: string; topics: unknown[][]; fromBlock: number; toBlock: number }[]) {
                expect(Object.keys(filter).sort()).toEqual(["address", "fromBlock", "toBlock", "topics"])
                expect(filter.address).toBe(registry)
                // one topic position: the three event kinds; no index or commitment topic
                expect(filter.topics).toHaveLength(1)
                expect(filter.topics[0]).toHaveLength(3)
            }
        })
    })

    describe("a borrower restoring from a backup on a new profile", () => {
        let backupFile: string

        it("exports an encrypted backup file (the old device is then lost)", async () => {
            backupFile = join(tmp, "identity.backup.json")
            writeFileSync(backupFile, JSON.stringify(await backupBorrower.exportBackup(PASSWORD, { iterations: 1_000 })))
            expect(readFileSync(backupFile, "utf8")).not.toContain(backupBorrower.secret.toString())
        })

        it("a new profile restores from the file alone, rebuilds the tree from events, gets an attestation, proves and borrows under the same pseudonym", async () => {
            const text = readFileSync(backupFile, "utf8")
            await expect(Identity.importBackup(text, "not the password")).rejects.toSatisfy((e: unknown) => isZkCreditError(e, "BACKUP_WRONG_PASSWORD"))
            const restored = await Identity.importBackup(text, PASSWORD)
            expect(restored.commitment).toBe(backupBorrower.commitment)
            const { group } = await treeFromChain()
            const bureauUrl = await startBureau(keyA.privateKey, 30 * DAY)
            const attestation = await requestAttestation(bureauUrl, restored)
            const proof = await prove(restored, attestation, group, borrowers[0]!)
            await borrow(borrowers[0]!, proof)
            const scope: bigint = await c.market.scope()
            expect(proof.nullifier).toBe(backupBorrower.nullifier(scope))
            expect((await c.market.record(proof.nullifier)).loansTaken).toBe(1n)
            expect(await c.token.balanceOf(borrowers[0]!.address)).toBe(PRINCIPAL)
        })
    })

    describe("a bureau key rotated with an overlap", () => {
        const VALIDITY_A = DAY
        let urlA: string
        let urlB: string
        let attA: Attestation
        let lateAttA: Attestation
        let lateProofA: BorrowProofCalldata
        let afterLateProof: Awaited<ReturnType<typeof networkHelpers.takeSnapshot>>
        let group: KycTree

        it("key A signs attestations; then key B is registered while A still is, and the bureau signs with B from then on", async () => {
            group = (await treeFromChain()).group
            urlA = await startBureau(keyA.privateKey, VALIDITY_A)
            attA = await requestAttestation(urlA, holderA)
            lateAttA = await requestAttestation(urlA, lateHolderA)
            await time.increase(3_600)
            const now = await time.latest()
            await (await c.bureaus.addKey(1, keyB.publicKey[0], keyB.publicKey[1], keyB.keyHash, now, now + 365 * DAY)).wait()
            urlB = await startBureau(keyB.privateKey, VALIDITY_A)
            const bKey = (await (await fetch(`${urlB}/v1/key`)).json()) as { keyHash: string }
            expect(bKey.keyHash).toBe(keyB.keyHash.toString())
            expect(await c.bureaus.isKeyActive(keyA.keyHash, now + 1)).toBe(true)
            expect(await c.bureaus.isKeyActive(keyB.keyHash, now + 1)).toBe(true)
        })

        it("during the overlap, an attestation A issued before the rotation still borrows, and one by B does too", async () => {
            await borrow(borrowers[1]!, await prove(holderA, attA, group, borrowers[1]!))
            const attB = await requestAttestation(urlB, holderB)
            expect(attB.bureauPublicKey).toEqual(keyB.publicKey.map(String))
            await borrow(borrowers[2]!, await prove(holderB, attB, group, borrowers[2]!))
        })

        it("revoking A earlier, within maxProofAge of its last attestation's expiry, would refuse a proof that otherwise lands (InactiveBureauKey): the overlap must cover that", async () => {
            // a proof made with A's last attestation a minute before it expires
            await time.increaseTo(lateAttA.expiresAt - 60)
            lateProofA = await prove(lateHolderA, lateAttA, group, borrowers[3]!)
            afterLateProof = await networkHelpers.takeSnapshot()
            // a minute after the expiry the proof, two minutes old, still lands...
            await time.increaseTo(lateAttA.expiresAt + 60)
            const beforeRevocation = await networkHelpers.takeSnapshot()
            expect(await borrowRevert(borrowers[3]!, lateProofA)).toBe("succeeded")
            await beforeRevocation.restore()
            // ...unless A was revoked by then
            await (await c.bureaus.revokeKey(keyA.keyHash)).wait()
            expect(await borrowRevert(borrowers[3]!, lateProofA)).toBe("InactiveBureauKey")
            await afterLateProof.restore()
        })

        it("revoking A at (its last attestation's expiry + maxProofAge) breaks nothing: A's attestations can no longer be used anyway, B's still can", async () => {
            // the revocation waits until no proof made with any of A's attestations can land any more
            await time.increaseTo(lateAttA.expiresAt + SETTINGS.maxProofAge + 1)
            const withoutRevocation = await networkHelpers.takeSnapshot()
            expect(await borrowRevert(borrowers[3]!, lateProofA)).toBe("ProofTooOld")
            await withoutRevocation.restore()
            await (await c.bureaus.revokeKey(keyA.keyHash)).wait()
            // the same outcome with the revocation: it took nothing away
            expect(await borrowRevert(borrowers[3]!, lateProofA)).toBe("ProofTooOld")
            // and no new proof can be made with an attestation A issued: A is revoked and they have all expired
            await expect(prove(lateHolderA, lateAttA, group, borrowers[3]!)).rejects.toSatisfy((e: unknown) => isZkCreditError(e, "WRONG_BUREAU_KEY") || isZkCreditError(e, "ATTESTATION_EXPIRED"))
            // B's attestations keep working after A is gone
            const attB = await requestAttestation(urlB, afterRotation)
            await borrow(borrowers[4]!, await prove(afterRotation, attB, group, borrowers[4]!))
        })
    })
})
