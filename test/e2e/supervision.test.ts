/**
 * The supervision overview, the escrow committee page and the borrower's escrow statement in
 * Chromium, on the demo platform's real local chain. Four demo borrowers borrow with real
 * proofs; then one repays in full, one pays an instalment late, two default and one of those
 * pays after the default (recovered). A fifth lists a loan request with a real proof in the
 * request market, a lender funds it, and it defaults too. The demo deployment's escrow contracts
 * get a committee key from a real DKG run here (the demo world's own key revoked, so the proofs
 * use this one). An opening of the defaulted loan is requested (loan market's EscrowOpenings)
 * with the escrow the market recorded from its proof, authority 1 publishes its share,
 * authority 2's account publishes a forged one, and authority 3 publishes from the page with its
 * share file. The defaulted request's opening is requested through the request market's
 * EscrowOpenings under the same id (request 0 and loan 0: ids are per market), authority 1
 * publishes for it and authority 3 from the page, choosing the market. The page checks each share
 * in the browser, flags the forged one, and opens both escrows on the device, each to its own
 * borrower's commitment, which nothing the page sends or logs contains. Ports 8870-8872.
 */
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Contract, JsonRpcProvider, type ContractTransactionReceipt, type EventLog, type JsonRpcSigner } from "ethers"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { computeRequestMessage, connectContracts, prepareCreditProof, readOffer, requestTermsTuple, type ZkCreditContracts } from "../../client/src/index.ts"
import { multiplyGenerator, partialDecrypt, pointToJson, requirePoint } from "../../prover/src/escrow/index.ts"
import { computeScope, generateCreditProof, Identity, KycTree, toBorrowCalldata, type Attestation } from "../../prover/src/index.ts"
import { DEMO_BACKUP_PASSWORD, type DemoBorrower } from "../../scripts/lib/demo-world.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { runCommittee, type TestCommittee } from "../helpers/committee.ts"
import { EscrowCommitteeRegistryAbi, EscrowOpeningsAbi } from "../../client/src/generated/abis.ts"
import { artifacts } from "../helpers/fixtures.ts"
import { requestTerms } from "../helpers/requests.ts"
import { testPort } from "../helpers/ports.ts"
import { act, borrowAsDemo, CATALOGS, connectDevAccount, describeInBrowser, getAttestation, hex32, launchBrowser, layoutProblems, open, restoreIdentity, screenshot, setLocale, startTestPlatform, type TestBrowser } from "./helpers.ts"

const PORTS = { chain: testPort(8870), bureau: testPort(8871), app: testPort(8872) }
/** Node accounts of the three authorities (the demo world uses 0-15). */
const AUTHORITY_ACCOUNTS = [16, 17, 18]
const TUSD = 1_000_000n
const PRINCIPAL = 500n * TUSD
const OFFER = 0
const TIER = 0
const REQUEST_PRINCIPAL = 300n * TUSD
/** The request's band: the fifth borrower's score is at least this. */
const REQUEST_BAND = 600

let platform: Platform
let stateDir: string
let url: string
let provider: JsonRpcProvider
let contracts: ZkCreditContracts
let committee: TestCommittee
let openings: Contract
/** The request market's EscrowOpenings. */
let requestOpenings: Contract
let browser: TestBrowser
let page: Page
/** Borrowers of the four loans: repaid, late, defaulted (opened), defaulted then recovered. */
let borrowers: DemoBorrower[]
const loans: number[] = []
/** The fifth borrower, whose request defaults, and its id in the request market. */
let requester: DemoBorrower
let requestId: number
const receipts: ContractTransactionReceipt[] = []

const signer = (i: number): Promise<JsonRpcSigner> => provider.getSigner(i)
const as = (contract: Contract, runner: JsonRpcSigner) => contract.connect(runner) as Contract
async function send(promise: Promise<{ wait: () => Promise<unknown> }>): Promise<ContractTransactionReceipt> {
    const receipt = (await (await promise).wait()) as ContractTransactionReceipt
    receipts.push(receipt)
    return receipt
}
async function advance(seconds: number): Promise<void> {
    await provider.send("evm_increaseTime", [seconds])
    await provider.send("evm_mine", [])
}
const signerOf = (b: DemoBorrower) => provider.getSigner(b.address)

/** A demo borrower's identity and attestation, from the demo world's files. */
async function credentials(b: DemoBorrower): Promise<{ identity: Identity; attestation: Attestation }> {
    const identity = await Identity.importBackup(await readFile(join(stateDir, b.backupFile), "utf8"), DEMO_BACKUP_PASSWORD)
    return { identity, attestation: JSON.parse(await readFile(join(stateDir, b.attestationFile), "utf8")) as Attestation }
}

/** Proves in Node (the real circuit) and borrows for a demo borrower. */
async function borrow(b: DemoBorrower, group: KycTree): Promise<number> {
    const { loanId, receipts: sent } = await borrowAsDemo({ platform, stateDir, provider, contracts, borrower: b, group, offer: OFFER, tier: TIER, principal: PRINCIPAL, allowance: 10_000n * TUSD })
    receipts.push(...sent)
    return loanId
}

/** Proves in Node and lists a request in the request market for a demo borrower; a demo lender funds all of it (it disburses). */
async function requestAndFund(b: DemoBorrower, group: KycTree): Promise<number> {
    const { identity, attestation } = await credentials(b)
    const market = contracts.requestMarket!
    const address = platform.deployment.contracts.requestMarket!
    const now = (await provider.getBlock("latest"))!.timestamp
    const terms = requestTerms(platform.deployment.contracts.stablecoin!, now, { principal: REQUEST_PRINCIPAL, minScore: REQUEST_BAND, term: 60 * 86_400, instalmentCount: 2 })
    const chainId = platform.deployment.chainId
    const request = await prepareCreditProof({ provider, deployment: platform.deployment, contracts, identity, attestation, group, threshold: REQUEST_BAND, scope: computeScope(chainId, address), message: computeRequestMessage({ chainId, market: address, borrower: b.address, terms }) })
    const proof = toBorrowCalldata(await generateCreditProof(request, artifacts))
    const id = Number(await market.getFunction("requestCount")())
    await send(as(market, await signerOf(b)).getFunction("createRequest")(requestTermsTuple(terms), proof))
    const lender = await provider.getSigner(platform.world.lenders[0]!)
    await send(as(contracts.stablecoin!, lender).getFunction("approve")(address, REQUEST_PRINCIPAL))
    await send(as(market, lender).getFunction("fundRequest")(id, REQUEST_PRINCIPAL))
    return id
}

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "supervision"))
    provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
    contracts = connectContracts(platform.deployment, provider)
    const admin = await signer(0)
    // the deployment's escrow contracts, with this test's committee key active before the loans and
    // the demo world's revoked: the proofs encrypt under the key whose shares this test holds
    // (the trust registry's committee part; the admin holds COMMITTEE_ADMIN_ROLE)
    committee = runCommittee()
    const registry = new Contract(platform.deployment.contracts.trustRegistry, EscrowCommitteeRegistryAbi, admin)
    openings = new Contract(platform.deployment.contracts.escrowOpenings!, EscrowOpeningsAbi, admin)
    requestOpenings = new Contract(platform.deployment.contracts.requestEscrowOpenings!, EscrowOpeningsAbi, admin)
    const demoKey = JSON.parse(await readFile(join(stateDir, "committee", "committee-key.json"), "utf8")) as { publicKey: [string, string] }
    await send(registry.getFunction("revokeCommitteeKey")(demoKey.publicKey[1]))
    const accounts = await Promise.all(AUTHORITY_ACCOUNTS.map(async (i) => (await signer(i)).getAddress()))
    const key = requirePoint(committee.committeeKey.publicKey, "key")
    const now = (await provider.getBlock("latest"))!.timestamp
    const entries = committee.committeeKey.publicShares.map((s, i) => ({ account: accounts[i]!, shareX: s.publicShare[0], shareY: s.publicShare[1] }))
    await send(registry.getFunction("addCommitteeKey")(key[0], key[1], 2, entries, now - 60, now + 365 * 86_400))
    // the app reads /config.json on each load: it now lists the escrow openings and the authorities' accounts
    Object.assign(platform.config.deployment.contracts, { escrowOpenings: await openings.getAddress(), requestEscrowOpenings: await requestOpenings.getAddress() })
    platform.config.devAccounts!.push(...accounts.map((address, i) => ({ address, label: `authority ${i + 1}` })))
    await writeFile(join(stateDir, "compliance-share.json"), JSON.stringify(committee.shares[2]))

    // four loans with real proofs, from the borrowers whose score qualifies for the tier
    const group = KycTree.import(await readFile(join(stateDir, "kyc-tree.json"), "utf8"))
    const minScore = (await readOffer(contracts.loanMarket, OFFER))!.tiers[TIER]!.minScore
    borrowers = platform.world.borrowers.filter((b) => b.score >= minScore && b.name !== "pearl-river-tea").slice(0, 4)
    expect(borrowers).toHaveLength(4)
    // the loan to be opened first: its id, 0, is also the request's (the page keys openings by market)
    for (const i of [2, 0, 1, 3]) loans[i] = await borrow(borrowers[i]!, group)
    requester = platform.world.borrowers.find((b) => b.score >= REQUEST_BAND && b.name !== "pearl-river-tea" && !borrowers.includes(b))!
    expect(requester).toBeDefined()
    requestId = await requestAndFund(requester, group)
    expect([loans[2], requestId]).toEqual([0, 0])
    browser = await launchBrowser()
    page = browser.page
})

afterAll(async () => {
    await browser?.close()
    provider?.destroy()
    await platform?.stop()
})

describeInBrowser("supervision overview and escrow committee", () => {
    it("the borrower page says, before a borrow, who can open the escrow, when, and what they learn", async () => {
        const b = platform.world.borrowers.find((x) => x.name === "pearl-river-tea")!
        await open(page, `${url}/borrower`)
        await setLocale(page, "en")
        await connectDevAccount(page, b.address)
        await restoreIdentity(page, stateDir, b)
        await getAttestation(page, stateDir, b)
        await page.getByTestId(`select-${platform.world.offerIds[0]}-0`).click()
        const statement = page.getByTestId("escrow-statement")
        await page.locator('[data-testid="escrow-statement"][data-state="ready"]').waitFor()
        const text = await statement.innerText()
        expect(text).toContain("2 of these 3 authorities together")
        expect(text).toContain("only after this loan is marked defaulted on chain")
        expect(text).toContain("your identity commitment")
        for (const i of [1, 2, 3]) expect(text).toContain(`Authority ${i}`)
        // the registered accounts, by the dev labels of this platform
        expect(await page.getByTestId("escrow-statement-authorities").locator("li").count()).toBe(3)
        expect(text).toContain("authority 3")
    })

    it("loans move into every state on chain, and openings of the defaulted loan and the defaulted request are requested", async () => {
        const [repaid, late, , recovered] = borrowers.map((b) => signerOf(b))
        await send(as(contracts.loanMarket, await repaid!).getFunction("repayAll")(loans[0]))
        // past the first instalment's grace period: a late payment
        await advance(35 * 86_400)
        await send(as(contracts.loanMarket, await late!).getFunction("repayInstalment")(loans[1]))
        const defaultableAt = await Promise.all([loans[2], loans[3]].map(async (id) => Number((await contracts.loanMarket.getFunction("loanPosition")(id)).defaultableAt)))
        defaultableAt.push(Number((await contracts.requestMarket!.getFunction("loanStanding")(requestId)).defaultableAt))
        const now = (await provider.getBlock("latest"))!.timestamp
        await advance(Math.max(...defaultableAt) - now + 1)
        const anyone = await signer(0)
        await send(as(contracts.loanMarket, anyone).getFunction("markDefault")(loans[2]))
        await send(as(contracts.loanMarket, anyone).getFunction("markDefault")(loans[3]))
        await send(as(contracts.requestMarket!, anyone).getFunction("markDefault")(requestId))
        await send(as(contracts.loanMarket, await recovered!).getFunction("repayAll")(loans[3]))
        // the escrow the defaulted borrower's proof carried, as the market recorded it
        const [recorded] = (await contracts.loanMarket.queryFilter(contracts.loanMarket.filters.LoanOpened!(loans[2]))) as EventLog[]
        const escrow = { ephemeralKeyY: recorded!.args.ephemeralKeyY as bigint, ciphertext: recorded!.args.ciphertext as bigint }
        expect(recorded!.args.committeeKeyY).toBe(BigInt(committee.committeeKey.publicKey[1]))
        const officer = await provider.getSigner(platform.world.officer)
        await send(as(openings, officer).getFunction("requestOpening")(loans[2], recorded!.args.nullifier as bigint, committee.committeeKey.publicKey[1], escrow.ephemeralKeyY, escrow.ciphertext))
        // authority 1 publishes its share; authority 2's account publishes a made-up point with a made-up proof
        const p = partialDecrypt(escrow, committee.shares[0], loans[2])
        await send(as(openings, await signer(AUTHORITY_ACCOUNTS[0]!)).getFunction("publishPartialDecryption")(loans[2], p.partial[0], p.partial[1], p.proof.challenge, p.proof.response))
        const forged = pointToJson(multiplyGenerator(4242n))
        await send(as(openings, await signer(AUTHORITY_ACCOUNTS[1]!)).getFunction("publishPartialDecryption")(loans[2], forged[0], forged[1], 1n, 1n))
        const statuses = await Promise.all(loans.map(async (id) => Number((await contracts.loanMarket.getFunction("loan")(id)).status)))
        expect(statuses).toEqual([2, 1, 3, 3])

        // the request: its escrow as the request market recorded it, opened through the request market's EscrowOpenings
        expect(Number(await contracts.requestMarket!.getFunction("statusOf")(requestId))).toBe(6)
        const [created] = (await contracts.requestMarket!.queryFilter(contracts.requestMarket!.filters.RequestCreated!(requestId))) as EventLog[]
        const requestEscrow = { ephemeralKeyY: created!.args.ephemeralKeyY as bigint, ciphertext: created!.args.ciphertext as bigint }
        expect(created!.args.committeeKeyY).toBe(BigInt(committee.committeeKey.publicKey[1]))
        await send(as(requestOpenings, officer).getFunction("requestOpening")(requestId, created!.args.nullifier as bigint, committee.committeeKey.publicKey[1], requestEscrow.ephemeralKeyY, requestEscrow.ciphertext))
        const q = partialDecrypt(requestEscrow, committee.shares[0], requestId)
        await send(as(requestOpenings, await signer(AUTHORITY_ACCOUNTS[0]!)).getFunction("publishPartialDecryption")(requestId, q.partial[0], q.partial[1], q.proof.challenge, q.proof.response))
    })

    it("the supervision overview shows the chain's figures for each market", async () => {
        // what the transactions' own receipts say, counted here without the app's code
        const logs = receipts.flatMap((r) => r.logs).filter((l) => l.address.toLowerCase() === platform.deployment.contracts.loanMarket.toLowerCase())
        const named = logs.map((l) => contracts.loanMarket.interface.parseLog(l)).filter((x) => x !== null)
        const late = named.filter((e) => e.name === "LoanRepayment").reduce((s, e) => s + Number(e.args.lateInstalments), 0)
        expect(late).toBeGreaterThanOrEqual(1)
        await open(page, `${url}/supervision`)
        const market = platform.deployment.contracts.loanMarket.toLowerCase()
        await page.getByTestId(`supervision-market-${market}`).waitFor()
        const cell = async (metric: string) => (await page.getByTestId(`supervision-${market}-${metric}`).innerText()).trim()
        expect(await cell("loansOpened")).toBe("4")
        expect(await cell("loansRepaid")).toBe("1")
        expect(await cell("lateInstalments")).toBe(String(late))
        expect(await cell("loansDefaulted")).toBe("2")
        expect(await cell("loansRecovered")).toBe("1")
        expect(await cell("openingsRequested")).toBe("1")
        // the contract counts the t-th share, not verified ones: the forged share made the quorum event
        expect(await cell("openingsCompleted")).toBe("1")
        expect(await cell("volume")).toContain("2,000")
        // the request market's column: its one loan (the request disbursed), defaulted, and its opening requested (one share of two: no quorum)
        const requests = platform.deployment.contracts.requestMarket!.toLowerCase()
        const requestCell = async (metric: string) => (await page.getByTestId(`supervision-${requests}-${metric}`).innerText()).trim()
        expect([await requestCell("loansOpened"), await requestCell("loansDefaulted"), await requestCell("openingsRequested"), await requestCell("openingsCompleted")]).toEqual(["1", "1", "1", "0"])
        expect(await requestCell("volume")).toContain("300")
        // the chart: every loan opened is in one bar or another, and loans were opened in the first period
        const values = async () => ((await page.getByTestId("supervision-chart").getAttribute("data-values")) ?? "").split(",").map(Number)
        const opened = await values()
        // (all markets: the four loans and the request)
        expect(opened.reduce((a, b) => a + b, 0)).toBe(5)
        expect(opened[0]).toBe(5)
        expect(opened.length).toBeGreaterThan(1)
        await page.getByTestId("supervision-metric").selectOption("loansDefaulted")
        expect((await values()).reduce((a, b) => a + b, 0)).toBe(3)
        await page.getByTestId("supervision-metric").selectOption("openingsRequested")
        expect((await values()).reduce((a, b) => a + b, 0)).toBe(2)
        await screenshot(page, "supervision-en")
        expect(await page.locator("body").innerText()).not.toContain(borrowers[0]!.address)
    })

    it("the committee page lists both markets' openings with their shares, flags the forged one, takes a share from an authority for each market and opens both escrows on the device", async () => {
        const loan = loans[2]!
        const sent: string[] = []
        const logged: string[] = []
        browser.context.on("request", (r) => sent.push(`${r.url()} ${r.postData() ?? ""}`))
        page.on("console", (m) => logged.push(m.text()))
        await open(page, `${url}/committee`)
        const opening = page.getByTestId(`opening-loan-${loan}`)
        await opening.waitFor()
        await page.getByTestId(`opening-request-${requestId}`).waitFor()
        // the same id in both markets: each item says which market it is in, with its market's status names
        expect(await page.getByTestId(`opening-loan-${loan}-title`).innerText()).toBe(`Loan ${loan} (from an offer)`)
        expect(await page.getByTestId(`opening-request-${requestId}-title`).innerText()).toBe(`Request ${requestId} (listed by a borrower)`)
        expect(await page.getByTestId(`opening-loan-${loan}-market`).innerText()).toBe("Loan from an offer")
        expect(await page.getByTestId(`opening-request-${requestId}-market`).innerText()).toBe("Loan request (funded by lenders)")
        expect(await page.getByTestId(`opening-loan-${loan}-status`).innerText()).toBe("Defaulted")
        expect(await page.getByTestId(`opening-request-${requestId}-status`).innerText()).toBe("Defaulted")
        expect(await page.getByTestId(`opening-request-${requestId}`).innerText()).toContain("Request status now")
        expect(await page.getByTestId(`share-loan-${loan}-1`).getAttribute("data-check")).toBe("verified")
        expect(await page.getByTestId(`share-loan-${loan}-2`).getAttribute("data-check")).toBe("forged")
        expect(await page.getByTestId(`forged-loan-${loan}-2`).innerText()).toContain("Authority 2")
        expect(await page.getByTestId(`share-request-${requestId}-1`).getAttribute("data-check")).toBe("verified")
        expect(await page.getByTestId(`opening-request-${requestId}`).getAttribute("data-shares")).toBe("1")
        for (const ref of [`loan-${loan}`, `request-${requestId}`]) {
            expect(await page.getByTestId(`opening-${ref}-quorum`).getAttribute("data-ready")).toBe("false")
            expect(await page.getByTestId(`open-${ref}`).count()).toBe(0)
        }

        // authority 3 publishes from the page in each market; a loan with no request is refused first, with the reason
        const authority3 = await (await signer(AUTHORITY_ACCOUNTS[2]!)).getAddress()
        await connectDevAccount(page, authority3)
        await page.getByTestId("share-file").setInputFiles(join(stateDir, "compliance-share.json"))
        await page.getByTestId("publish-market").selectOption("loan")
        await page.getByTestId("publish-loan").fill(String(loans[0]))
        const refused = await act(page, "publish-submit")
        expect([refused.kind, refused.key]).toEqual(["error", "committee.error.notRequested"])
        await page.getByTestId("publish-loan").fill(String(loan))
        const published = await act(page, "publish-submit")
        expect([published.kind, published.key]).toEqual(["success", "committee.published"])
        await page.locator(`[data-testid="share-loan-${loan}-3"][data-check="verified"]`).waitFor()
        expect(await page.getByTestId(`opening-loan-${loan}-quorum`).getAttribute("data-ready")).toBe("true")
        // the request market: its own checks (no request 1 was opened there), then the share under the same id
        await page.getByTestId("publish-market").selectOption("request")
        await page.getByTestId("publish-loan").fill(String(requestId + 1))
        const refusedRequest = await act(page, "publish-submit")
        expect([refusedRequest.kind, refusedRequest.key]).toEqual(["error", "committee.error.requestNotRequested"])
        expect(refusedRequest.text).toContain(`request ${requestId + 1}`)
        await page.getByTestId("publish-loan").fill(String(requestId))
        const publishedRequest = await act(page, "publish-submit")
        expect([publishedRequest.kind, publishedRequest.key]).toEqual(["success", "committee.requestPublished"])
        await page.locator(`[data-testid="share-request-${requestId}-3"][data-check="verified"]`).waitFor()
        expect(await page.getByTestId(`opening-request-${requestId}-quorum`).getAttribute("data-ready")).toBe("true")
        // a second share from the same authority for the same request is refused before sending
        const again = await act(page, "publish-submit")
        expect([again.kind, again.key]).toEqual(["error", "committee.error.requestAlreadyPublished"])

        // each escrow opens on the device to its own borrower's commitment
        await page.getByTestId(`open-loan-${loan}`).click()
        expect(await page.getByTestId(`opened-commitment-loan-${loan}`).innerText()).toBe(hex32(borrowers[2]!.commitment))
        expect(await page.getByTestId(`opened-loan-${loan}`).innerText()).toContain("authorities 1, 3")
        await page.getByTestId(`open-request-${requestId}`).click()
        expect(await page.getByTestId(`opened-commitment-request-${requestId}`).innerText()).toBe(hex32(requester.commitment))
        expect(await page.getByTestId(`opened-request-${requestId}`).innerText()).toContain("authorities 1, 3")
        expect(requester.commitment).not.toBe(borrowers[2]!.commitment)
        await screenshot(page, "committee-en")
        // in Chinese: the request named as a request, with the request market's status name, laid out cleanly
        await setLocale(page, "zh-CN")
        const zh = CATALOGS["zh-CN"]
        expect(await page.getByTestId(`opening-request-${requestId}-title`).innerText()).toBe(zh["committee.requestOpeningTitle"].replace("{loan}", String(requestId)))
        expect(await page.getByTestId(`opening-loan-${loan}-title`).innerText()).toBe(zh["committee.openingTitle"].replace("{loan}", String(loan)))
        expect(await page.getByTestId(`opening-request-${requestId}-status`).innerText()).toBe(zh["committee.requestStatus.defaulted"])
        expect(await layoutProblems(page)).toEqual([])
        await screenshot(page, "committee-zh-CN")
        await setLocale(page, "en")
        // the commitments stay on the device: in nothing sent, nothing logged
        const secrets = [borrowers[2]!.commitment, requester.commitment].flatMap((c) => [BigInt(c).toString(), BigInt(c).toString(16)])
        expect(sent.length).toBeGreaterThan(0)
        for (const secret of secrets) {
            expect(sent.filter((x) => x.toLowerCase().includes(secret))).toEqual([])
            expect(logged.filter((x) => x.toLowerCase().includes(secret))).toEqual([])
        }
        expect(browser.problems).toEqual([])
    })
})
