/**
 * End to end through the bureau's HTTP service, with a real local chain (two LoanMarkets), real
 * credit proofs to borrow and repay, real history proofs to the bureau, and the embedded
 * database: the score comes only from providers' signed records for the bound person reference
 * and the on-chain history of pseudonyms proven the applicant's.
 *
 * Attacks written here: self-reported data, naming another borrower's pseudonym, someone else's
 * binding, reading someone else's score, a replayed proof, wash lending, records from an
 * unregistered, revoked or impersonated provider.
 */
import { network } from "hardhat"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { signBinding, type KycBinding } from "../../bureau/src/binding.ts"
import { officersFromChain, chainHistory } from "../../bureau/src/chain.ts"
import { openDatabase } from "../../bureau/src/db/database.ts"
import { BureauStore } from "../../bureau/src/db/store.ts"
import { recordId, periodOf } from "../../bureau/src/records.ts"
import { createBureauService, type BureauService } from "../../bureau/src/service.ts"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import { computeScope, Identity, verifyAttestation, createBureauKey } from "../../prover/src/index.ts"
import { as, attest, deploy, deployPlatform, DAY, proveBorrow, TERMS, TIERS, USD, CAPACITY, IDENTITIES, type Platform } from "../helpers/contracts.ts"
import { asApplicant, post, provenRequest } from "./applicant-client.ts"
import { goodPersonRecords, KEYS, ref, REGISTRATIONS, signed, weakPersonRecords, monthsBefore } from "./provider-fixtures.ts"
import { createProviderKey, providerPublicKey, signRecord } from "../../bureau/src/provider-key.ts"

const ADMIN_TOKEN = "test-admin-token-0123456789"
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
const bureauKey = createBureauKey(`0x${"09".repeat(32)}`)
const alice = IDENTITIES.alice
const bob = IDENTITIES.bob
const mallory = new Identity(0x6666n)
const ALICE_REF = ref("440101199001011234")
const BOB_REF = ref("440101198502025678")
const MALLORY_REF = ref("440101197003039999")

let platform: Platform
let marketB: Awaited<ReturnType<typeof deploy>>
let service: BureauService
let store: BureauStore
let base: string
let asOf: string
let scopeA: bigint
let scopeB: bigint
const bindings: Record<string, KycBinding> = {}

/** Borrows from `offerId` of `market` as `identity` (a real credit proof) and repays everything. */
async function borrowAndRepay(market: Platform["market"], identity: Identity, borrower: Platform["signers"]["borrower"], offerId = 0n): Promise<void> {
    const now = await platform.connection.networkHelpers.time.latest()
    const attestation = attest(identity, { score: 820, now })
    const proof = await proveBorrow({ ...platform, market }, { identity, attestation, group: platform.group, borrower: borrower.address, offerId, tier: 0n, principal: 500n * USD })
    const loanId = Number(await market.loanCount())
    await (await as(market, borrower).borrow(offerId, 0n, 500n * USD, proof)).wait()
    await (await as(market, borrower).repayAll(loanId)).wait()
}

beforeAll(async () => {
    const connection = await network.create()
    platform = await deployPlatform(connection)
    const { ethers } = connection
    const { admin, officer, lender, borrower, other, stranger } = platform.signers
    // a second market on the same verifier, with an offer from the same recognised lender
    marketB = await deploy(ethers, "LoanMarket", [admin.address, await platform.verifier.getAddress(), 1])
    await (await marketB.setTokenAllowed(await platform.token.getAddress(), true)).wait()
    await (await as(platform.token, lender).approve(await marketB.getAddress(), ethers.MaxUint256)).wait()
    await (await as(marketB, lender).createOffer(await platform.token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
    // mallory's identity joins the KYC tree; the borrowers hold tokens for interest
    for (const account of [borrower, other, stranger]) {
        await (await platform.token.mint(account.address, 100_000n * USD)).wait()
        for (const m of [platform.market, marketB]) await (await as(platform.token, account).approve(await m.getAddress(), ethers.MaxUint256)).wait()
    }

    // alice repays a loan in each market, from the recognised lender
    await borrowAndRepay(platform.market, alice, borrower)
    await borrowAndRepay(marketB, alice, borrower)
    // bob washes: he lends to himself from his own offer in market A and repays
    await (await as(platform.market, stranger).createOffer(await platform.token.getAddress(), 10_000n * USD, TIERS, TERMS)).wait()
    await borrowAndRepay(platform.market, bob, stranger, 1n)

    const chainId = Number(platform.chainId)
    const kycRegistry = await platform.trust.getAddress()
    store = await BureauStore.open(await openDatabase())
    const chainNow = await connection.networkHelpers.time.latest()
    asOf = periodOf(chainNow)
    service = createBureauService({
        privateKey: bureauKey.privateKey,
        validitySeconds: 30 * DAY,
        now: () => chainNow,
        store,
        officers: officersFromChain(ethers.provider, chainId, kycRegistry),
        historyVerificationKey: JSON.parse(readFileSync(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object,
        chain: await chainHistory(ethers.provider, [{ address: await platform.market.getAddress() }, { address: await marketB.getAddress() }]),
        adminToken: ADMIN_TOKEN,
        logger: () => {}
    })
    base = await service.listen(0)
    scopeA = computeScope(platform.chainId, await platform.market.getAddress())
    scopeB = computeScope(platform.chainId, await marketB.getAddress())

    for (const registration of REGISTRATIONS) expect((await post(`${base}/v1/admin/providers`, registration, ADMIN)).status).toBe(200)
    expect((await post(`${base}/v1/admin/lenders`, { address: lender.address, name: "Acme Lending" }, ADMIN)).status).toBe(200)
    const fair = goodPersonRecords(ALICE_REF, asOf).filter((r) => r.kind !== "income")
    // alice's income is modest, so her score has room to grow with her on-chain record
    const aliceIncome = [1, 2, 3].map((back) => signed("gd-tax", ALICE_REF, "income", monthsBefore(back, asOf), { netIncomeYuan: 6_000 }))
    for (const records of [[...fair, ...aliceIncome], weakPersonRecords(BOB_REF, asOf), goodPersonRecords(MALLORY_REF, asOf)]) {
        expect((await post(`${base}/v1/records`, { records })).status).toBe(200)
    }
    const sign = (personRef: string, identity: Identity) => signBinding(officer, { personRef, commitment: identity.commitment.toString(), subjectKind: "person", issuedAt: chainNow }, { chainId, kycRegistry })
    bindings.alice = await sign(ALICE_REF, alice)
    bindings.bob = await sign(BOB_REF, bob)
    bindings.mallory = await sign(MALLORY_REF, mallory)
}, 600_000)

afterAll(async () => {
    await service?.close()
    await store?.close()
})

describe("self-reported data", () => {
    it("POST /v1/attestations with the applicant's own data is refused, and nothing is signed", async () => {
        const answer = await post(`${base}/v1/attestations`, { commitment: alice.commitment.toString(), applicant: { kind: "person", onTimePayments24m: 48, latePayments24m: 0, creditUtilisation: 0, monthlyIncomeYuan: 99_000, monthlyDebtPaymentsYuan: 0, creditHistoryMonths: 200, pastDefaults: 0 } })
        expect(answer.status).toBe(400)
        expect(answer.body.error).toMatchObject({ code: "SELF_REPORTED_DATA", field: "applicant" })
        expect(answer.body.attestation).toBeUndefined()
        expect(await store.attestationsFor(ALICE_REF)).toEqual([])
    })

    it("a score, times or a bare pseudonym sent by the applicant are refused too", async () => {
        const proof = await provenRequest(base, alice)
        for (const [extra, code] of [[{ score: 850 }, "SELF_REPORTED_DATA"], [{ pseudonym: { nullifier: alice.nullifier(scopeA).toString() } }, "UNPROVEN_PSEUDONYM"]] as const) {
            const answer = await asApplicant(base, "/v1/attestations", bindings.alice!, proof, extra)
            expect(answer.status).toBe(400)
            expect(answer.body.error.code).toBe(code)
        }
    })
})

describe("a borrower with repaid loans in two markets", () => {
    it("proves both pseudonyms and scores higher than without them; the attestation is for their commitment", async () => {
        const without = await asApplicant(base, "/v1/attestations", bindings.alice!, await provenRequest(base, alice))
        expect(without.status).toBe(200)
        expect(without.body.breakdown.onChain).toBeNull()
        expect(without.body.score).toBeLessThan(850)

        const withHistory = await asApplicant(base, "/v1/attestations", bindings.alice!, await provenRequest(base, alice, [scopeA, scopeB]))
        expect(withHistory.status).toBe(200)
        expect(withHistory.body.breakdown.onChain).toEqual({ provenPseudonyms: 2, loansRead: 2, unrecognisedRepaidLoans: 0 })
        expect(withHistory.body.breakdown.onChainRecord).toEqual({ loansTaken: 2, loansRepaid: 2, lateInstalments: 0, defaults: 0 })
        expect(withHistory.body.score).toBeGreaterThan(without.body.score)

        const attestation = withHistory.body.attestation
        expect(attestation.commitment).toBe(alice.commitment.toString())
        expect(attestation.score).toBe(withHistory.body.score)
        expect(verifyAttestation(attestation)).toBe(true)
        expect((await store.attestationsFor(ALICE_REF)).map((a) => a.score)).toEqual([withHistory.body.score, without.body.score])
    })

    it("its score comes from the providers' records it holds, with their sources", async () => {
        const report = await asApplicant(base, "/v1/report", bindings.alice!, await provenRequest(base, alice))
        expect(report.status).toBe(200)
        expect(report.body.records.length).toBeGreaterThan(0)
        expect(new Set(report.body.records.map((r: { providerName: string }) => r.providerName))).toEqual(new Set(["Pearl River Bank", "Guangzhou Power", "Guangdong Tax Office"]))
        const ids = new Set(report.body.records.map((r: { id: string }) => r.id))
        for (const source of report.body.breakdown.sources.monthlyIncomeYuan) expect(ids.has(source)).toBe(true)
    })
})

describe("pseudonyms", () => {
    it("naming another borrower's pseudonym fails: the proof does not verify with it", async () => {
        const proof = await provenRequest(base, alice, [scopeA])
        const stolen = { ...proof, pseudonyms: proof.pseudonyms.map((p, i) => (i === 0 ? bob.nullifier(scopeA).toString() : p)) }
        const answer = await asApplicant(base, "/v1/attestations", bindings.alice!, stolen)
        expect(answer.status).toBe(403)
        expect(answer.body.error).toMatchObject({ code: "BAD_PROOF", field: "proof" })
    })

    it("a pseudonym in a market the bureau does not read is refused", async () => {
        const answer = await asApplicant(base, "/v1/attestations", bindings.alice!, await provenRequest(base, alice, [12345n]))
        expect(answer.status).toBe(400)
        expect(answer.body.error).toMatchObject({ code: "UNKNOWN_MARKET", field: "proof.scopes.0" })
    })

    it("wash lending (borrowing from your own offer and repaying) earns nothing", async () => {
        const without = await asApplicant(base, "/v1/attestations", bindings.bob!, await provenRequest(base, bob))
        const washed = await asApplicant(base, "/v1/attestations", bindings.bob!, await provenRequest(base, bob, [scopeA]))
        expect(washed.status).toBe(200)
        expect(washed.body.breakdown.onChain).toEqual({ provenPseudonyms: 1, loansRead: 1, unrecognisedRepaidLoans: 1 })
        expect(washed.body.breakdown.onChainRecord.loansRepaid).toBe(0)
        expect(washed.body.score).toBe(without.body.score)
    })
})

describe("bindings and proofs of identity", () => {
    it("someone else's binding fails: mallory cannot get an attestation of alice's records for her commitment", async () => {
        const answer = await asApplicant(base, "/v1/attestations", bindings.alice!, await provenRequest(base, mallory))
        expect(answer.status).toBe(403)
        expect(answer.body.error).toMatchObject({ code: "BAD_PROOF", field: "proof.commitment" })
    })

    it("nor by editing the binding to her commitment (the officer's signature breaks)", async () => {
        const edited = { ...bindings.alice!, commitment: mallory.commitment.toString() }
        const answer = await asApplicant(base, "/v1/attestations", edited, await provenRequest(base, mallory))
        expect(answer.status).toBe(403)
        expect(answer.body.error).toMatchObject({ code: "BAD_SIGNATURE", field: "binding.signature" })
    })

    it("nor with a binding she signed herself (not an officer)", async () => {
        const { stranger } = platform.signers
        const forged = await signBinding(stranger, { personRef: ALICE_REF, commitment: mallory.commitment.toString(), subjectKind: "person", issuedAt: 1 }, { chainId: Number(platform.chainId), kycRegistry: await platform.trust.getAddress() })
        const answer = await asApplicant(base, "/v1/attestations", forged, await provenRequest(base, mallory))
        expect(answer.status).toBe(403)
        expect(answer.body.error).toMatchObject({ code: "UNKNOWN_OFFICER", field: "binding.officer" })
    })

    it("reading someone else's score fails: alice's binding without alice's secret gets no report", async () => {
        const answer = await asApplicant(base, "/v1/report", bindings.alice!, await provenRequest(base, mallory))
        expect(answer.status).toBe(403)
        expect(answer.body.score).toBeUndefined()
        expect(answer.body.records).toBeUndefined()
    })

    it("a proof is good once: replaying alice's request (seen on the wire) is refused", async () => {
        const proof = await provenRequest(base, alice)
        expect((await asApplicant(base, "/v1/report", bindings.alice!, proof)).status).toBe(200)
        const replay = await asApplicant(base, "/v1/report", bindings.alice!, proof)
        expect(replay.status).toBe(403)
        expect(replay.body.error).toMatchObject({ code: "BAD_CHALLENGE", field: "proof.challenge" })
    })

    it("a proof for a challenge the bureau never gave is refused", async () => {
        const { generateHistoryProof } = await import("../../prover/src/history-proof.ts")
        const { HISTORY_ARTIFACTS } = await import("./applicant-client.ts")
        const proof = await generateHistoryProof({ identity: alice, scopes: [], challenge: 777n }, HISTORY_ARTIFACTS)
        const answer = await asApplicant(base, "/v1/attestations", bindings.alice!, proof)
        expect(answer.status).toBe(403)
        expect(answer.body.error.code).toBe("BAD_CHALLENGE")
    })
})

describe("providers' records", () => {
    it("a record from an unregistered provider is refused, and nothing of the batch is stored", async () => {
        const rogue = createProviderKey("rogue-bank")
        const fake = signRecord({ provider: "rogue-bank", personRef: BOB_REF, kind: "income", period: monthsBefore(1, asOf), data: { netIncomeYuan: 90_000 }, signedAt: 1 }, rogue)
        const good = signed("gd-tax", BOB_REF, "income", monthsBefore(4, asOf), { netIncomeYuan: 4_100 })
        const answer = await post(`${base}/v1/records`, { records: [good, fake] })
        expect(answer.status).toBe(403)
        expect(answer.body.error).toMatchObject({ code: "UNKNOWN_PROVIDER", field: "records.1.provider" })
        expect((await store.recordsFor(BOB_REF)).some((r) => r.id === recordId(good))).toBe(false)
    })

    it("an unsigned, re-signed or altered record is refused", async () => {
        const record = signed("gd-tax", BOB_REF, "income", monthsBefore(5, asOf), { netIncomeYuan: 4_000 })
        const { signature: _, ...unsigned } = record
        expect((await post(`${base}/v1/records`, { records: [unsigned] })).body.error).toMatchObject({ code: "MISSING_SIGNATURE", field: "records.0.signature" })
        const altered = { ...record, data: { netIncomeYuan: 40_000 } }
        expect((await post(`${base}/v1/records`, { records: [altered] })).body.error).toMatchObject({ code: "BAD_SIGNATURE", field: "records.0.signature" })
        // signed by the bank's key but claiming to be the tax office
        const impersonated = signRecord({ ...unsigned, provider: "gd-tax" }, KEYS["pearl-bank"]!)
        expect((await post(`${base}/v1/records`, { records: [impersonated] })).status).toBe(403)
        expect((await post(`${base}/v1/records`, { records: [{ ...record, kind: "salary" }] })).body.error).toMatchObject({ code: "INVALID_VALUE", field: "records.0.kind" })
    })

    it("a revoked provider's new records are refused; its old ones stay", async () => {
        const key = createProviderKey("old-utility")
        expect((await post(`${base}/v1/admin/providers`, { id: "old-utility", name: "Old Utility", category: "utility", publicKey: providerPublicKey(key) }, ADMIN)).status).toBe(200)
        const before = signRecord({ provider: "old-utility", personRef: BOB_REF, kind: "repayment-history", period: monthsBefore(1, asOf), data: { account: "m-2", openedPeriod: monthsBefore(10, asOf), monthlyPaymentYuan: 0, limitYuan: null, balanceYuan: 0, months: ["on-time"] }, signedAt: 1 }, key)
        expect((await post(`${base}/v1/records`, { records: [before] })).status).toBe(200)
        expect((await post(`${base}/v1/admin/providers/revoke`, { id: "old-utility" })).status).toBe(401)
        expect((await post(`${base}/v1/admin/providers/revoke`, { id: "old-utility" }, ADMIN)).status).toBe(200)
        const after = signRecord({ ...before, period: monthsBefore(0, asOf), signedAt: 2 }, key)
        const answer = await post(`${base}/v1/records`, { records: [after] })
        expect(answer.status).toBe(403)
        expect(answer.body.error.code).toBe("PROVIDER_REVOKED")
        expect((await store.record(recordId(before)))?.supersededBy).toBeNull()
    })
})

describe("disputes", () => {
    it("a dispute is recorded, and the provider's correction supersedes the record and raises the score", async () => {
        const report = await asApplicant(base, "/v1/report", bindings.bob!, await provenRequest(base, bob))
        const defaultRecord = report.body.records.find((r: { kind: string }) => r.kind === "default")
        const opened = await asApplicant(base, "/v1/disputes", bindings.bob!, await provenRequest(base, bob), { recordId: defaultRecord.id, reason: "this loan was repaid in full" })
        expect(opened.status).toBe(200)
        expect(opened.body.dispute).toMatchObject({ recordId: defaultRecord.id, resolvedAt: null })
        // alice cannot dispute bob's record
        const foreign = await asApplicant(base, "/v1/disputes", bindings.alice!, await provenRequest(base, alice), { recordId: defaultRecord.id, reason: "not mine" })
        expect(foreign.status).toBe(404)

        // the bank corrects the record: the default was an error, so it sends an empty history in its place
        const correction = signed("pearl-bank", BOB_REF, "repayment-history", monthsBefore(10, asOf), { account: "loan-9", openedPeriod: monthsBefore(20, asOf), monthlyPaymentYuan: 0, limitYuan: null, balanceYuan: 0, months: ["on-time"] }, { supersedes: defaultRecord.id })
        expect((await post(`${base}/v1/records`, { records: [correction] })).status).toBe(200)
        const after = await asApplicant(base, "/v1/report", bindings.bob!, await provenRequest(base, bob))
        expect(after.body.disputes[0]).toMatchObject({ recordId: defaultRecord.id, correctionId: recordId(correction) })
        expect(after.body.records.find((r: { id: string }) => r.id === defaultRecord.id).supersededBy).toBe(recordId(correction))
        expect(after.body.score).toBeGreaterThan(report.body.score)
        // a second correction of the same record conflicts
        const again = signed("pearl-bank", BOB_REF, "repayment-history", monthsBefore(9, asOf), { account: "loan-9", openedPeriod: monthsBefore(20, asOf), monthlyPaymentYuan: 0, limitYuan: null, balanceYuan: 0, months: ["on-time"] }, { supersedes: defaultRecord.id })
        expect((await post(`${base}/v1/records`, { records: [again] })).status).toBe(409)
    })
})
