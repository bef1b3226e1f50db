/**
 * The bureau learns of a default recorded against the applicant's identity in the KYC registry,
 * from the registry's events, and its scorecard counts it: a real TrustRegistry (whose bureau part
 * logs at the same address, and is not read) and LoanMarket on Hardhat's in-process chain (the market's credit verifier is the test one: loans without
 * proofs), the bureau service over HTTP with a real history proof.
 */
import { network } from "hardhat"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { recordedDefaultsFromChain } from "../../bureau/src/chain.ts"
import { Identity, KycTree } from "../../prover/src/index.ts"
import { dueTime } from "../helpers/loan-math.ts"
import { as, deployMockMarket, deployTrustRegistry, mockProof, TERMS, type Deployed } from "../helpers/contracts.ts"
import { asApplicant, provenRequest } from "./applicant-client.ts"
import { startTestBureau, type TestBureau } from "./harness.ts"

const connection = await network.create()
const { ethers, networkHelpers } = connection
const OFFICER_ROLE = ethers.id("zkcredit.KycRegistry.OFFICER_ROLE")
const BUREAU_KEY = `0x${"2b".repeat(32)}`

const defaulter = new Identity(0xdefa17n)
const bystander = new Identity(0xb1n)
const members = [defaulter.commitment, bystander.commitment]

let kyc: Deployed
let officerKyc: Deployed
let loans: Deployed
let market: string
let bureau: TestBureau

const bindings = new Map<bigint, Awaited<ReturnType<TestBureau["enrol"]>>>()

async function report(identity: Identity) {
    let binding = bindings.get(identity.commitment)
    if (!binding) bindings.set(identity.commitment, (binding = await bureau.enrol(identity)))
    const answer = await asApplicant(bureau.url, "/v1/report", binding, await provenRequest(bureau.url, identity))
    expect(answer.status).toBe(200)
    return answer.body as { score: number; breakdown: { reasons: string[]; factors: { factor: string; points: number }[]; recordedDefaults?: unknown[] } }
}

beforeAll(async () => {
    const f = await deployMockMarket(connection)
    loans = f.market
    market = await f.market.getAddress()
    kyc = await deployTrustRegistry(ethers, f.signers.admin.address)
    await (await kyc.grantRole(OFFICER_ROLE, f.signers.officer.address)).wait()
    await (await f.verifier.setTrustRegistry(await kyc.getAddress())).wait()
    // the bureau part's events at the same address: the default reader leaves them out
    await (await kyc.addBureau("Pearl River Credit")).wait()
    const now = await networkHelpers.time.latest()
    await (await kyc.addKey(1n, 1n, 2n, 3n, now, now + 86_400)).wait()
    officerKyc = as(kyc, f.signers.officer)
    await (await officerKyc.addMembers(members, new KycTree(members).root)).wait()
    const start = await networkHelpers.time.latest()
    await (await as(f.market, f.signers.borrower).borrow(0n, 1n, 1_000_000_000n, mockProof(0xabcn, start))).wait()
    await networkHelpers.time.increaseTo(dueTime(BigInt(start), BigInt(TERMS.term), BigInt(TERMS.instalmentCount), 0n) + BigInt(TERMS.defaultPeriod) + 10n)
    await (await f.market.markDefault(0n)).wait()
    bureau = await startTestBureau({ privateKey: BUREAU_KEY, validitySeconds: 86_400, logger: () => {}, recordedDefaults: recordedDefaultsFromChain(ethers.provider, await kyc.getAddress()) })
})

afterAll(async () => {
    await bureau?.close()
})

describe("the bureau and the KYC registry's default records", () => {
    let before: number

    it("an identity without a default record is scored as before: no factor, an empty list", async () => {
        const result = await report(defaulter)
        before = result.score
        expect(result.breakdown.factors.map((f) => f.factor)).not.toContain("recordedDefaults")
        expect(result.breakdown.recordedDefaults).toEqual([])
    })

    it("once the officer records the default, the score drops by 120 and the first reason says why; another member is untouched", async () => {
        const tree = new KycTree(members)
        tree.setLeaf(0, 0n)
        await (await officerKyc.recordDefault(0n, defaulter.commitment, market, 0n, tree.root, false)).wait()
        const reader = recordedDefaultsFromChain(ethers.provider, await kyc.getAddress())
        expect(await reader(defaulter.commitment)).toEqual([{ market, loanId: 0, readmitted: false }])
        expect(await reader(bystander.commitment)).toEqual([])

        const result = await report(defaulter)
        expect(result.score).toBe(before - 120)
        expect(result.breakdown.reasons[0]).toBe("RECORDED_DEFAULTS")
        expect(result.breakdown.factors.find((f) => f.factor === "recordedDefaults")).toMatchObject({ points: -120 })
        expect(result.breakdown.recordedDefaults).toEqual([{ market, loanId: 0, readmitted: false, counted: true }])
        expect((await report(bystander)).breakdown.recordedDefaults).toEqual([])
    })

    it("a readmission after repayment keeps the record (marked readmitted), as a recovered loan keeps its default", async () => {
        const [, , , borrower] = await ethers.getSigners()
        await (await as(loans, borrower!).repayAll(0n)).wait()
        const tree = new KycTree([0n, bystander.commitment, defaulter.commitment])
        await (await officerKyc.readmit(defaulter.commitment, tree.root)).wait()
        const result = await report(defaulter)
        expect(result.score).toBe(before - 120)
        expect(result.breakdown.recordedDefaults).toEqual([{ market, loanId: 0, readmitted: true, counted: true }])
    })
})
