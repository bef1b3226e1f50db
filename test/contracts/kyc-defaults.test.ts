/**
 * The trust registry's default records (its KYC part): `recordDefault` (a removal marked
 * "default" that names the market and the loan) and `readmit` (re-admission once the market shows
 * the loan paid in full).
 * The market is a real LoanMarket; only its credit verifier is the test one (loans without proofs).
 */
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { applyKycEvent, decodeKycLog, type KycEvent } from "../../client/src/kyc-events.ts"
import { KycTree, SNARK_SCALAR_FIELD } from "../../prover/src/index.ts"
import { dueTime } from "../helpers/loan-math.ts"
import { as, deployMockMarket, deployTrustRegistry, eventOf, eventsOf, gasOf, mockProof, SETTINGS, TERMS, type MockMarket } from "../helpers/contracts.ts"
import { expectRevert } from "../helpers/reverts.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const { loadFixture, time } = networkHelpers

const OFFICER_ROLE = ethers.id("zkcredit.KycRegistry.OFFICER_ROLE")
const MEMBERS = [101n, 102n, 103n, 104n]
/** The defaulter: the member at index 2. */
const DEFAULTER = 103n
const INDEX = 2n
const NULLIFIER = 0xabcn
const DEFAULTED = 3n

/** Gas ceilings: measured 131,016 and 90,770 (four members, Hardhat EDR). */
const RECORD_DEFAULT_GAS = 140_000n
const READMIT_GAS = 110_000n

/** A registry with four members, a market whose verifier checks it, loan 0 defaulted, loan 1 active. */
async function deployWorld() {
    const f: MockMarket = await deployMockMarket(connection)
    const { admin, officer, borrower, other, stranger } = f.signers
    const kyc = await deployTrustRegistry(ethers, admin.address)
    await (await kyc.grantRole(OFFICER_ROLE, officer.address)).wait()
    await (await f.verifier.setTrustRegistry(await kyc.getAddress())).wait()
    const officerKyc = as(kyc, officer)
    await (await officerKyc.addMembers(MEMBERS, new KycTree(MEMBERS).root)).wait()

    const start = (await time.latest()) + 1
    await time.setNextBlockTimestamp(start)
    await (await as(f.market, borrower).borrow(0n, 1n, 1_000_000_000n, mockProof(NULLIFIER, start))).wait()
    await (await as(f.market, other).borrow(0n, 1n, 1_000_000_000n, mockProof(0xdefn, start + 1))).wait()
    await time.setNextBlockTimestamp(dueTime(BigInt(start), BigInt(TERMS.term), BigInt(TERMS.instalmentCount), 0n) + BigInt(TERMS.defaultPeriod) + 1n)
    await (await as(f.market, stranger).markDefault(0n)).wait()
    const market = await f.market.getAddress()
    return { ...f, loans: f.market, kyc, officerKyc, strangerKyc: as(kyc, stranger), market }
}

/** The tree as the officers keep it, rebuilt from the registry's leaf events. */
async function replayed(kyc: Awaited<ReturnType<typeof deployWorld>>["kyc"]): Promise<KycTree> {
    const logs = await ethers.provider.getLogs({ address: await kyc.getAddress(), fromBlock: 0 })
    const tree = new KycTree()
    for (const log of logs) {
        const event = decodeKycLog({ ...log, index: log.index }) as KycEvent | undefined
        if (event) expect(applyKycEvent(tree, event)).toBe(true)
    }
    return tree
}

/** Records loan 0's default against {@link DEFAULTER}; returns the tree after it. */
async function recordDefault(w: Awaited<ReturnType<typeof deployWorld>>, immediate = false) {
    const tree = new KycTree(MEMBERS)
    tree.setLeaf(Number(INDEX), 0n)
    const receipt = await (await w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, tree.root, immediate)).wait()
    return { tree, receipt }
}

describe("TrustRegistry: KYC default records", () => {
    describe("# recordDefault", () => {
        it("removes the member for the loan's default: MemberRemoved (the same replay as a plain removal) and MemberRemovedForDefault naming the loan", async () => {
            const w = await loadFixture(deployWorld)
            const before = await w.kyc.currentRoot()
            const { tree, receipt } = await recordDefault(w)
            const names = eventsOf(w.kyc, receipt).map((e) => e.name)
            expect(names).toEqual(["MemberRemoved", "MemberRemovedForDefault"])
            expect([...eventOf(w.kyc, receipt, "MemberRemoved").args]).toEqual([INDEX, tree.root])
            expect([...eventOf(w.kyc, receipt, "MemberRemovedForDefault").args]).toEqual([DEFAULTER, w.market, 0n, INDEX, tree.root])
            expect(await w.kyc.currentRoot()).toBe(tree.root)
            const open = await w.kyc.openDefaultOf(DEFAULTER)
            expect([open.market, open.index, open.loanId]).toEqual([w.market, INDEX, 0n])
            expect(open.recordedAt).toBe(BigInt(await time.latest()))
            // the events replay into the tree a plain removal gives
            const plain = new KycTree(MEMBERS)
            plain.setLeaf(Number(INDEX), 0n)
            expect((await replayed(w.kyc)).root).toBe(plain.root)
            // the old root that holds the defaulter follows today's rule: valid for rootValidity after its replacement, no longer
            const record = await w.kyc.rootRecord(before)
            expect(record.expiresAt).toBe(record.replacedAt + BigInt(SETTINGS.rootValidity))
            expect(await w.kyc.isRootValid(before)).toBe(true)
            await time.increaseTo(record.expiresAt)
            expect(await w.kyc.isRootValid(before)).toBe(false)
        })

        it("with immediate, every older root (all of them hold the defaulter) is invalid at once", async () => {
            const w = await loadFixture(deployWorld)
            const before = await w.kyc.currentRoot()
            const { tree, receipt } = await recordDefault(w, true)
            expect(eventsOf(w.kyc, receipt).map((e) => e.name)).toEqual(["MemberRemoved", "MemberRemovedForDefault", "MemberRemovedImmediately"])
            expect([...eventOf(w.kyc, receipt, "MemberRemovedImmediately").args]).toEqual([INDEX, tree.root, 1n])
            expect(await w.kyc.isRootValid(before)).toBe(false)
            expect(await w.kyc.isRootValid(tree.root)).toBe(true)
        })

        it(`costs at most ${RECORD_DEFAULT_GAS.toLocaleString("en")} gas`, async () => {
            const w = await loadFixture(deployWorld)
            const tree = new KycTree(MEMBERS)
            tree.setLeaf(Number(INDEX), 0n)
            const gas = await gasOf(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, tree.root, false))
            console.log(`recordDefault: ${gas} gas`)
            expect(gas).toBeLessThanOrEqual(RECORD_DEFAULT_GAS)
        })

        it("refuses callers without the officer role, and while paused", async () => {
            const w = await loadFixture(deployWorld)
            await expectRevert(w.strangerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, 5n, false), "AccessControlUnauthorizedAccount", [w.signers.stranger.address, OFFICER_ROLE])
            await (await w.officerKyc.pause()).wait()
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, 5n, false), "EnforcedPause")
        })

        it("refuses an unused index, a bad commitment and a bad root", async () => {
            const w = await loadFixture(deployWorld)
            await expectRevert(w.officerKyc.recordDefault(4n, DEFAULTER, w.market, 0n, 5n, false), "IndexOutOfRange", [4n, 4n])
            await expectRevert(w.officerKyc.recordDefault(INDEX, 0n, w.market, 0n, 5n, false), "InvalidCommitment", [0n])
            await expectRevert(w.officerKyc.recordDefault(INDEX, SNARK_SCALAR_FIELD, w.market, 0n, 5n, false), "InvalidCommitment", [SNARK_SCALAR_FIELD])
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, 0n, false), "InvalidRoot", [0n])
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, await w.kyc.currentRoot(), false), "RootUnchanged", [await w.kyc.currentRoot()])
        })

        it("refuses a market that does not check this registry: another registry's, an account without code, a contract that is no market", async () => {
            const w = await loadFixture(deployWorld)
            const otherKyc = await deployTrustRegistry(ethers, w.signers.admin.address)
            await (await w.verifier.setTrustRegistry(await otherKyc.getAddress())).wait()
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, 5n, false), "MarketNotOnThisRegistry", [w.market, await otherKyc.getAddress()])
            await (await w.verifier.setTrustRegistry(await w.kyc.getAddress())).wait()
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.signers.stranger.address, 0n, 5n, false), "MarketNotOnThisRegistry", [w.signers.stranger.address, ethers.ZeroAddress])
            const token = await w.token.getAddress()
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, token, 0n, 5n, false), "MarketNotOnThisRegistry", [token, ethers.ZeroAddress])
        })

        it("refuses a loan that is not defaulted (active, or no such loan), naming its status", async () => {
            const w = await loadFixture(deployWorld)
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 1n, 5n, false), "LoanNotDefaultedInMarket", [w.market, 1n, 1n])
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 9n, 5n, false), "LoanNotDefaultedInMarket", [w.market, 9n, 0n])
        })

        it("refuses a defaulted loan already paid in full (recovered)", async () => {
            const w = await loadFixture(deployWorld)
            await (await as(w.loans, w.signers.borrower).repayAll(0n)).wait()
            expect((await w.loans.loan(0n)).status).toBe(DEFAULTED)
            await expectRevert(w.officerKyc.recordDefault(INDEX, DEFAULTER, w.market, 0n, 5n, false), "DefaultAlreadyRecovered", [w.market, 0n])
        })

        it("refuses a second default while the first is open (the member is out already)", async () => {
            const w = await loadFixture(deployWorld)
            await recordDefault(w)
            await expectRevert(w.officerKyc.recordDefault(0n, DEFAULTER, w.market, 0n, 5n, false), "DefaultAlreadyOpen", [DEFAULTER, w.market, 0n])
        })
    })

    describe("# readmit", () => {
        it("once the loan is paid in full after its default, readmits the member at the next index: MembersAdded and MemberReadmitted naming the loan", async () => {
            const w = await loadFixture(deployWorld)
            const { tree } = await recordDefault(w)
            await (await as(w.loans, w.signers.borrower).repayAll(0n)).wait()
            const root = tree.appendLeaves([DEFAULTER])
            await expect(w.officerKyc.readmit.staticCall(DEFAULTER, root)).resolves.toBe(4n)
            const receipt = await (await w.officerKyc.readmit(DEFAULTER, root)).wait()
            expect(eventsOf(w.kyc, receipt).map((e) => e.name)).toEqual(["MembersAdded", "MemberReadmitted"])
            const added = eventOf(w.kyc, receipt, "MembersAdded")
            expect([added.args.startIndex, [...added.args.commitments], added.args.newRoot]).toEqual([4n, [DEFAULTER], root])
            expect([...eventOf(w.kyc, receipt, "MemberReadmitted").args]).toEqual([DEFAULTER, w.market, 0n, 4n, root])
            expect(await w.kyc.nextIndex()).toBe(5n)
            expect(await w.kyc.currentRoot()).toBe(root)
            expect((await w.kyc.openDefaultOf(DEFAULTER)).recordedAt).toBe(0n)
            expect((await replayed(w.kyc)).root).toBe(root)
            // the loan is recovered: it cannot be recorded again
            await expectRevert(w.officerKyc.recordDefault(4n, DEFAULTER, w.market, 0n, 5n, false), "DefaultAlreadyRecovered", [w.market, 0n])
        })

        it(`costs at most ${READMIT_GAS.toLocaleString("en")} gas`, async () => {
            const w = await loadFixture(deployWorld)
            const { tree } = await recordDefault(w)
            await (await as(w.loans, w.signers.borrower).repayAll(0n)).wait()
            const gas = await gasOf(w.officerKyc.readmit(DEFAULTER, tree.appendLeaves([DEFAULTER])))
            console.log(`readmit: ${gas} gas`)
            expect(gas).toBeLessThanOrEqual(READMIT_GAS)
        })

        it("refuses while the loan still owes something, naming what it owes", async () => {
            const w = await loadFixture(deployWorld)
            const { tree } = await recordDefault(w)
            const position = await w.loans.loanPosition(0n)
            await (await as(w.loans, w.signers.borrower).repay(0n, 1n)).wait()
            await expectRevert(w.officerKyc.readmit(DEFAULTER, tree.appendLeaves([DEFAULTER])), "DefaultNotRecovered", [w.market, 0n, position.totalDue - 1n])
        })

        it("refuses a commitment without an open default (never recorded, or readmitted already)", async () => {
            const w = await loadFixture(deployWorld)
            await expectRevert(w.officerKyc.readmit(101n, 5n), "NoOpenDefault", [101n])
            const { tree } = await recordDefault(w)
            await (await as(w.loans, w.signers.borrower).repayAll(0n)).wait()
            await (await w.officerKyc.readmit(DEFAULTER, tree.appendLeaves([DEFAULTER]))).wait()
            await expectRevert(w.officerKyc.readmit(DEFAULTER, 5n), "NoOpenDefault", [DEFAULTER])
        })

        it("refuses callers without the officer role, while paused, a bad root, and a full tree", async () => {
            const w = await loadFixture(deployWorld)
            const { tree } = await recordDefault(w)
            await (await as(w.loans, w.signers.borrower).repayAll(0n)).wait()
            await expectRevert(w.strangerKyc.readmit(DEFAULTER, 5n), "AccessControlUnauthorizedAccount", [w.signers.stranger.address, OFFICER_ROLE])
            await expectRevert(w.officerKyc.readmit(DEFAULTER, 0n), "InvalidRoot", [0n])
            await expectRevert(w.officerKyc.readmit(DEFAULTER, tree.root), "RootUnchanged", [tree.root])
            // a full tree: set the used slot count (bytes 1-4 of the packed slot 1) to the capacity
            const capacity = 1n << 20n
            const address = await w.kyc.getAddress()
            const packed = BigInt(await ethers.provider.getStorage(address, 1n))
            await networkHelpers.setStorageAt(address, 1n, (packed & ~(0xffffffffn << 8n)) | (capacity << 8n))
            await expectRevert(w.officerKyc.readmit(DEFAULTER, 5n), "TreeFull", [capacity, 1n, capacity])
            await (await w.officerKyc.pause()).wait()
            await expectRevert(w.officerKyc.readmit(DEFAULTER, 5n), "EnforcedPause")
        })
    })
})
