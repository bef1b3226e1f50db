/**
 * The demo world of `npm start`: an admin, a compliance officer, a registered bureau key, four
 * data providers with signed records about every demo person and SME in the bureau's database,
 * a dozen KYC members with their encrypted identity backups, KYC bindings and attestations on
 * disk, the proof anchors of their root, and two recognised lenders with funded offers in the
 * test stablecoin.
 *
 * Secrets are made once and kept in the state folder (git-ignored), so a restarted local chain
 * gets the same members and a browser that imported a demo identity can keep using it.
 */
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { Contract, JsonRpcProvider, type JsonRpcSigner } from "ethers"
import { loadOrCreateBureauKeyFile } from "../../bureau/src/key-file.ts"
import { scoreApplicant } from "../../bureau/src/scorecard.ts"
import type { Applicant } from "../../bureau/src/applicant.ts"
import { signBinding } from "../../bureau/src/binding.ts"
import type { BureauStore } from "../../bureau/src/db/store.ts"
import { applicantFromRecords } from "../../bureau/src/features.ts"
import { personReference } from "../../bureau/src/person-ref.ts"
import { periodOf, recordId } from "../../bureau/src/records.ts"
import { demoProviderKeys, demoRecords, demoReferenceSalt, demoRegistrations } from "./demo-records.ts"
import { listAnchors, prepareAnchors } from "../../client/src/anchors.ts"
import { connectContracts } from "../../client/src/contracts.ts"
import type { Deployment } from "../../client/src/deployments.ts"
import { signAttestation } from "../../prover/src/attestation.ts"
import { createAuthorityKey, createDealing, createRoster, finalizeCommittee, verifyDealings } from "../../prover/src/escrow/dkg.ts"
import { EscrowOpeningsAbi } from "../../client/src/generated/abis.ts"
import { Identity } from "../../prover/src/identity.ts"
import { KycTree } from "../../prover/src/kyc-tree.ts"

/** Password of every demo identity backup. Demo only. */
export const DEMO_BACKUP_PASSWORD = "zkcredit-demo"

/** Roles of the node's first accounts. */
export const DEMO_ACCOUNTS = { admin: 0, officer: 1, lenders: [2, 3], firstBorrower: 4, bureauAuthority: 19 } as const

/**
 * The demo escrow committee: the regulator (the admin's account), the bureau (a spare account) and
 * the compliance desk (the officer), 2 of 3. In the demo one process runs all three authorities'
 * DKG and keeps their files in `<state>/committee/`; for real, each runs `zkcredit committee ...`
 * on its own machine and nobody ever holds more than one share (docs/escrow.md).
 */
export const DEMO_COMMITTEE = { threshold: 2, authorities: [["regulator", DEMO_ACCOUNTS.admin], ["bureau", DEMO_ACCOUNTS.bureauAuthority], ["compliance", DEMO_ACCOUNTS.officer]] } as const

/** The dozen demo applicants: people and small businesses in Guangdong, from strong to weak. */
const APPLICANTS: { name: string; applicant: Applicant }[] = [
    { name: "chen-wei", applicant: { kind: "person", onTimePayments24m: 48, latePayments24m: 0, creditUtilisation: 0.15, monthlyIncomeYuan: 22_000, monthlyDebtPaymentsYuan: 3_000, creditHistoryMonths: 96, pastDefaults: 0 } },
    { name: "li-na", applicant: { kind: "person", onTimePayments24m: 36, latePayments24m: 1, creditUtilisation: 0.3, monthlyIncomeYuan: 12_000, monthlyDebtPaymentsYuan: 3_000, creditHistoryMonths: 60, pastDefaults: 0 } },
    { name: "huang-min", applicant: { kind: "person", onTimePayments24m: 24, latePayments24m: 2, creditUtilisation: 0.45, monthlyIncomeYuan: 8_000, monthlyDebtPaymentsYuan: 2_500, creditHistoryMonths: 40, pastDefaults: 0 } },
    { name: "zhang-yu", applicant: { kind: "person", onTimePayments24m: 30, latePayments24m: 0, creditUtilisation: 0.25, monthlyIncomeYuan: 15_000, monthlyDebtPaymentsYuan: 2_000, creditHistoryMonths: 72, pastDefaults: 0 } },
    { name: "liu-yang", applicant: { kind: "person", onTimePayments24m: 12, latePayments24m: 3, creditUtilisation: 0.7, monthlyIncomeYuan: 6_000, monthlyDebtPaymentsYuan: 2_800, creditHistoryMonths: 20, pastDefaults: 1 } },
    { name: "wu-fang", applicant: { kind: "person", onTimePayments24m: 40, latePayments24m: 0, creditUtilisation: 0.1, monthlyIncomeYuan: 30_000, monthlyDebtPaymentsYuan: 4_000, creditHistoryMonths: 120, pastDefaults: 0 } },
    { name: "zhou-jie", applicant: { kind: "person", onTimePayments24m: 6, latePayments24m: 0, creditUtilisation: null, monthlyIncomeYuan: 7_000, monthlyDebtPaymentsYuan: 0, creditHistoryMonths: 8, pastDefaults: 0 } },
    { name: "xu-lei", applicant: { kind: "person", onTimePayments24m: 10, latePayments24m: 8, creditUtilisation: 0.95, monthlyIncomeYuan: 4_000, monthlyDebtPaymentsYuan: 3_000, creditHistoryMonths: 30, pastDefaults: 2 } },
    { name: "pearl-river-tea", applicant: { kind: "sme", onTimePayments24m: 60, latePayments24m: 0, creditUtilisation: 0.2, averageMonthlyRevenueYuan: 450_000, averageMonthlyExpensesYuan: 360_000, positiveCashFlowMonths12m: 12, monthsInBusiness: 84, pastDefaults: 0 } },
    { name: "foshan-ceramics", applicant: { kind: "sme", onTimePayments24m: 40, latePayments24m: 2, creditUtilisation: 0.5, averageMonthlyRevenueYuan: 300_000, averageMonthlyExpensesYuan: 280_000, positiveCashFlowMonths12m: 8, monthsInBusiness: 48, pastDefaults: 0 } },
    { name: "shenzhen-parts", applicant: { kind: "sme", onTimePayments24m: 50, latePayments24m: 1, creditUtilisation: 0.35, averageMonthlyRevenueYuan: 800_000, averageMonthlyExpensesYuan: 700_000, positiveCashFlowMonths12m: 10, monthsInBusiness: 60, pastDefaults: 0 } },
    { name: "dongguan-print", applicant: { kind: "sme", onTimePayments24m: 20, latePayments24m: 6, creditUtilisation: 0.85, averageMonthlyRevenueYuan: 120_000, averageMonthlyExpensesYuan: 125_000, positiveCashFlowMonths12m: 4, monthsInBusiness: 18, pastDefaults: 1 } }
]

/** A demo borrower, as listed in the state folder's demo.json. */
export interface DemoBorrower {
    name: string
    kind: "person" | "sme"
    /** The node account this borrower uses. */
    address: string
    commitment: string
    score: number
    /** The person reference the officer and the providers share (a salted hash of a demo ID). */
    personRef: string
    /** Files, relative to the state folder. */
    backupFile: string
    attestationFile: string
    /** The officer's signed KYC binding (person reference, commitment). */
    bindingFile: string
}

/** What the seeding made. */
export interface DemoWorld {
    admin: string
    officer: string
    lenders: string[]
    borrowers: DemoBorrower[]
    bureau: { name: string; keyHash: string; keyFile: string }
    offerIds: number[]
}

const TUSD = 1_000_000n // 6 decimals
const DAY = 86_400

/** Runs the demo committee's DKG, writes its files, registers its key, and lets the officer request openings. */
async function seedCommittee(o: { provider: JsonRpcProvider; deployment: Deployment; admin: JsonRpcSigner; officer: JsonRpcSigner; stateDir: string; now: number }): Promise<void> {
    const { escrowOpenings } = o.deployment.contracts
    if (!escrowOpenings) throw new Error("the demo world needs the escrow openings in the deployment (redeploy: npm start)")
    const dir = `${o.stateDir}/committee`
    await mkdir(dir, { recursive: true })
    const authorities = DEMO_COMMITTEE.authorities.map(([name]) => createAuthorityKey(name))
    const roster = createRoster(DEMO_COMMITTEE.threshold, authorities.map((a) => ({ name: a.name, transportKey: a.transportKey })))
    const dealings = authorities.map((a) => createDealing(roster, a))
    const complaints = authorities.map((a) => verifyDealings(roster, a, dealings).complaints)
    const results = authorities.map((a) => finalizeCommittee(roster, dealings, complaints, a))
    const committeeKey = results[0]!.committeeKey
    await writeFile(`${dir}/committee-key.json`, `${JSON.stringify(committeeKey, null, 2)}\n`)
    for (const [i, a] of authorities.entries()) {
        await writeFile(`${dir}/${a.name}-authority.json`, `${JSON.stringify(a, null, 2)}\n`)
        await writeFile(`${dir}/${a.name}-share.json`, `${JSON.stringify(results[i]!.share, null, 2)}\n`)
    }
    const accounts = await Promise.all(DEMO_COMMITTEE.authorities.map(([, index]) => o.provider.getSigner(index).then((s) => s.getAddress())))
    const entries = committeeKey.publicShares.map((s, i) => ({ account: accounts[i]!, shareX: s.publicShare[0], shareY: s.publicShare[1] }))
    const registry = connectContracts(o.deployment, o.admin).committeeRegistry
    const [x, y] = committeeKey.publicKey
    await (await registry.getFunction("addCommitteeKey")(x, y, DEMO_COMMITTEE.threshold, entries, o.now, o.now + 365 * DAY)).wait()
    // the officer may request openings of both markets' defaulted loans
    for (const address of [escrowOpenings, o.deployment.contracts.requestEscrowOpenings]) {
        if (!address) continue
        const openings = new Contract(address, EscrowOpeningsAbi, o.admin)
        await (await openings.getFunction("grantRole")(await openings.getFunction("REQUESTER_ROLE")(), await o.officer.getAddress())).wait()
    }
}

/**
 * Seeds a freshly deployed local chain.
 * @param options.rpcUrl The local node (its accounts are unlocked).
 * @param options.stateDir Where keys, identities and attestations live (made if missing).
 * @param options.onStep Progress, one line per step.
 */
export async function seedDemoWorld(options: { rpcUrl: string; deployment: Deployment; stateDir: string; store: BureauStore; onStep?: (text: string) => void }): Promise<DemoWorld> {
    const step = options.onStep ?? (() => {})
    const provider = new JsonRpcProvider(options.rpcUrl, options.deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
    const signer = (i: number): Promise<JsonRpcSigner> => provider.getSigner(i)
    const [admin, officer, lenderA, lenderB] = await Promise.all([signer(DEMO_ACCOUNTS.admin), signer(DEMO_ACCOUNTS.officer), signer(DEMO_ACCOUNTS.lenders[0]), signer(DEMO_ACCOUNTS.lenders[1])])
    const asAdmin = connectContracts(options.deployment, admin)
    const now = (await provider.getBlock("latest"))!.timestamp
    await mkdir(`${options.stateDir}/identities`, { recursive: true })

    step("bureau: registering the demo bureau key")
    const keyFile = `${options.stateDir}/bureau-key.json`
    const { key } = await loadOrCreateBureauKeyFile(keyFile)
    await (await asAdmin.bureauRegistry.getFunction("addBureau")("Guangdong Credit Bureau (demo)")).wait()
    await (await asAdmin.bureauRegistry.getFunction("addKey")(1, key.publicKey[0], key.publicKey[1], key.keyHash, now, now + 365 * DAY)).wait()

    step("escrow committee: regulator, bureau and compliance desk run the key generation (2 of 3) and the admin registers the key")
    await seedCommittee({ provider, deployment: options.deployment, admin, officer, stateDir: options.stateDir, now })

    step("providers: a bank, the tax office, a utility and an e-commerce platform, registered with the bureau")
    const providerKeys = await demoProviderKeys(options.stateDir)
    for (const registration of demoRegistrations(providerKeys)) await options.store.addProvider({ ...registration, registeredAt: now })
    for (const [i, lender] of [lenderA, lenderB].entries()) await options.store.addLender({ address: await lender.getAddress(), name: `Demo lender ${i + 1}`, addedAt: now })
    const salt = await demoReferenceSalt(options.stateDir)
    const asOf = periodOf(now)

    step("compliance: granting the officer role and adding 12 KYC members, each with a signed binding")
    const officerRole = await asAdmin.kycRegistry.getFunction("OFFICER_ROLE")()
    await (await asAdmin.kycRegistry.getFunction("grantRole")(officerRole, await officer.getAddress())).wait()
    const bindingDomain = { chainId: Number(options.deployment.chainId), kycRegistry: options.deployment.contracts.trustRegistry }
    const borrowers: DemoBorrower[] = []
    const identities: Identity[] = []
    for (const [i, { name, applicant }] of APPLICANTS.entries()) {
        const backupFile = `identities/${name}.backup.json`
        const identity = existsSync(`${options.stateDir}/${backupFile}`)
            ? await Identity.importBackup(await readFile(`${options.stateDir}/${backupFile}`, "utf8"), DEMO_BACKUP_PASSWORD)
            : new Identity()
        if (!existsSync(`${options.stateDir}/${backupFile}`)) {
            await writeFile(`${options.stateDir}/${backupFile}`, `${JSON.stringify(await identity.exportBackup(DEMO_BACKUP_PASSWORD, { iterations: 100_000 }), null, 2)}\n`, { mode: 0o600 })
        }
        // the providers' records about this applicant; resubmitting the same ones stores nothing new
        const demoId = applicant.kind === "person" ? `4401011990${String(i + 1).padStart(8, "0")}` : `91440101MA${String(i + 1).padStart(8, "0")}`
        const personRef = personReference(demoId, applicant.kind, salt)
        const records = demoRecords(personRef, applicant, asOf, providerKeys).map((record) => ({ id: recordId(record), record }))
        await options.store.insertRecords(records, now)
        // attestations are re-issued each start (the chain's clock starts anew), from the records as the bureau scores them
        const { score } = scoreApplicant(applicantFromRecords(applicant.kind, await options.store.recordsFor(personRef, { current: true }), asOf).applicant)
        const attestation = signAttestation({ commitment: identity.commitment, score, issuedAt: now - 60, expiresAt: now + 30 * DAY }, key.privateKey)
        const attestationFile = `identities/${name}.attestation.json`
        const bindingFile = `identities/${name}.binding.json`
        await writeFile(`${options.stateDir}/${attestationFile}`, `${JSON.stringify(attestation, null, 2)}\n`, { mode: 0o600 })
        const binding = await signBinding(officer, { personRef, commitment: identity.commitment.toString(), subjectKind: applicant.kind, issuedAt: now }, bindingDomain)
        await writeFile(`${options.stateDir}/${bindingFile}`, `${JSON.stringify(binding, null, 2)}\n`, { mode: 0o600 })
        identities.push(identity)
        borrowers.push({
            name,
            kind: applicant.kind,
            address: await (await signer(DEMO_ACCOUNTS.firstBorrower + i)).getAddress(),
            commitment: identity.commitment.toString(),
            score,
            personRef,
            backupFile,
            attestationFile,
            bindingFile
        })
    }
    const group = new KycTree(identities.map((id) => id.commitment))
    const asOfficer = connectContracts(options.deployment, officer)
    await (await asOfficer.kycRegistry.getFunction("addMembers")(identities.map((id) => id.commitment), group.root)).wait()
    await writeFile(`${options.stateDir}/kyc-tree.json`, `${group.export()}\n`)

    // the members' root, the bureau key and the committee key all exist only from here
    step("compliance: preparing the proof anchors of the KYC root with the bureau key, the committee key and each market")
    const plan = await listAnchors({ provider, deployment: options.deployment, contracts: asOfficer })
    await prepareAnchors({ contracts: asOfficer, anchors: plan.anchors })

    step("lenders: 10,000 tUSD each from the faucet, 8,000 of it in an offer")
    const stablecoinAddress = options.deployment.contracts.stablecoin
    if (!stablecoinAddress) throw new Error("the demo world needs the test stablecoin in the deployment")
    const offerIds: number[] = []
    const offers = [
        {
            lender: lenderA,
            capacity: 8_000n * TUSD,
            tiers: [
                { minScore: 600, aprBps: 1800, maxPrincipal: 1_000n * TUSD },
                { minScore: 680, aprBps: 1200, maxPrincipal: 3_000n * TUSD },
                { minScore: 750, aprBps: 800, maxPrincipal: 5_000n * TUSD }
            ],
            terms: { term: 90 * DAY, instalmentCount: 3, gracePeriod: 3 * DAY, defaultPeriod: 30 * DAY, lateFee: 5n * TUSD }
        },
        {
            lender: lenderB,
            capacity: 8_000n * TUSD,
            tiers: [
                { minScore: 650, aprBps: 1500, maxPrincipal: 5_000n * TUSD },
                { minScore: 720, aprBps: 1000, maxPrincipal: 8_000n * TUSD }
            ],
            terms: { term: 180 * DAY, instalmentCount: 6, gracePeriod: 5 * DAY, defaultPeriod: 45 * DAY, lateFee: 20n * TUSD }
        }
    ]
    for (const offer of offers) {
        const token = connectContracts(options.deployment, offer.lender).stablecoin as Contract
        const market = connectContracts(options.deployment, offer.lender).loanMarket
        // the faucet's most per call; the lender keeps what the offer does not take
        await (await token.getFunction("faucet")(10_000n * TUSD)).wait()
        await (await token.getFunction("approve")(options.deployment.contracts.loanMarket, offer.capacity)).wait()
        const tx = await market.getFunction("createOffer")(stablecoinAddress, offer.capacity, offer.tiers, offer.terms)
        await tx.wait()
        offerIds.push(Number(await market.getFunction("offerCount")()) - 1)
    }

    step("borrowers: 1,000 tUSD each from the faucet, for interest and fees")
    for (const [i] of borrowers.entries()) {
        const token = connectContracts(options.deployment, await signer(DEMO_ACCOUNTS.firstBorrower + i)).stablecoin as Contract
        await (await token.getFunction("faucet")(1_000n * TUSD)).wait()
    }

    const world: DemoWorld = {
        admin: await admin.getAddress(),
        officer: await officer.getAddress(),
        lenders: [await lenderA.getAddress(), await lenderB.getAddress()],
        borrowers,
        bureau: { name: "Guangdong Credit Bureau (demo)", keyHash: key.keyHash.toString(), keyFile: "bureau-key.json" },
        offerIds
    }
    await writeFile(`${options.stateDir}/demo.json`, `${JSON.stringify({ backupPassword: DEMO_BACKUP_PASSWORD, ...world }, null, 2)}\n`)
    provider.destroy()
    return world
}
