/**
 * The load run shared by test/adversarial/load.test.ts (CI-sized) and bench/load.ts (`npm run
 * bench`, 100 borrowers): a real local chain process (Hardhat node on a free port from `firstPort`, 9200-9299 in the test), the
 * contracts deployed with Ignition, a bureau key, several lenders with offers in the test
 * stablecoin, N identities added to the KYC tree in batches, attestations from the bureau's HTTP
 * service, then every borrower proving (a pool of child processes, one per core) and borrowing from
 * their own funded account, all at once. Afterwards it checks that nothing was lost:
 * every borrower has exactly one loan under their own pseudonym, tokens are conserved to the unit,
 * the market holds what its offers have available, and every offer's available + lent = capacity.
 */
import { fork, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Contract, JsonRpcProvider, parseEther, Wallet, type JsonRpcSigner } from "ethers"
import { startTestBureau } from "../../bureau/harness.ts"
import { connectContracts, fetchKycEvents, kycTreeFromEvents } from "../../../client/src/index.ts"
import { LoanMarketAbi } from "../../../client/src/generated/abis.ts"
import { computeMessage, computeScope, createBureauKey, Identity, KycTree, toBorrowCalldata, type Attestation } from "../../../prover/src/index.ts"
import { multiplyGenerator, randomScalar } from "../../../prover/src/escrow/index.ts"
import { deployZkCredit } from "../../../scripts/lib/deploy.ts"
import { isPortTaken, startLocalNode, type LocalNode } from "../../../scripts/lib/local-node.ts"
import type { ProveAnswer, ProveTask } from "./prove-worker.ts"

const WORKER = fileURLToPath(new URL("./prove-worker.ts", import.meta.url))
const TUSD = 1_000_000n
const DAY = 86_400

/** Options of {@link runLoad}. */
export interface LoadOptions {
    borrowers: number
    lenders: number
    /** First port to try; the run takes the first free one of the 100 from there. */
    firstPort: number
    /** Proving processes (default: one per core). */
    workers?: number
    log?: (line: string) => void
}

/** What a load run measured and checked. */
export interface LoadResult {
    loans: number
    /** Wall time from the first proof request to the last borrow confirmed. */
    seconds: number
    failed: number
    borrowers: number
    lenders: number
    workers: number
    proofsPerSecond: number
    loansPerSecond: number
    proofMsMedian: number
    borrowMsMedian: number
    setupSeconds: number
    /** Failures, by message (empty when failed = 0). */
    failures: string[]
    checks: {
        oneLoanPerBorrower: boolean
        pseudonymsDistinctAndTheirs: boolean
        tokensConserved: boolean
        marketHoldsAvailable: boolean
        offersAvailablePlusLentIsCapacity: boolean
    }
}

const median = (values: number[]) => {
    const s = [...values].sort((a, b) => a - b)
    const m = s.length >> 1
    return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function freePort(from: number): Promise<number> {
    for (let port = from; port < from + 100; port++) if (!(await isPortTaken(port))) return port
    throw new Error(`no free port in ${from}-${from + 99}`)
}

/** Runs the load: see the module notice. Stops everything it started, also on failure. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
    const log = options.log ?? (() => {})
    const started = performance.now()
    const cleanups: (() => Promise<unknown> | unknown)[] = []
    try {
        const port = await freePort(options.firstPort)
        const node: LocalNode = await startLocalNode({ port })
        cleanups.push(() => node.stop())
        log(`chain on ${node.url}`)
        const tmp = mkdtempSync(join(tmpdir(), "zkcredit-load-"))
        cleanups.push(() => rmSync(tmp, { recursive: true, force: true }))
        const deployment = await deployZkCredit({ networkName: "localhost", rpcUrl: node.url, withStablecoin: true, freshChain: true, deploymentId: `localhost-${port}`, outFile: join(tmp, "deployment.json") })
        const provider = new JsonRpcProvider(node.url, deployment.chainId, { cacheTimeout: -1, staticNetwork: true, pollingInterval: 50 })
        cleanups.push(() => provider.destroy())
        const signer = (i: number): Promise<JsonRpcSigner> => provider.getSigner(i)
        const admin = await signer(0)
        const officer = await signer(1)
        const funder = await signer(19)
        const asAdmin = connectContracts(deployment, admin)
        log(`deployed; LoanMarket ${deployment.contracts.loanMarket}`)

        // roles, the bureau and its key
        await (await asAdmin.kycRegistry.getFunction("grantRole")(await asAdmin.kycRegistry.getFunction("OFFICER_ROLE")(), await officer.getAddress())).wait()
        const key = createBureauKey()
        const now = (await provider.getBlock("latest"))!.timestamp
        await (await asAdmin.bureauRegistry.getFunction("addBureau")("Load Test Bureau")).wait()
        await (await asAdmin.bureauRegistry.getFunction("addKey")(1, key.publicKey[0], key.publicKey[1], key.keyHash, now - 60, now + 30 * DAY)).wait()
        // an escrow committee key with one authority (the admin): the load test is about borrows, not openings
        const committeeKey = multiplyGenerator(randomScalar())
        await (await asAdmin.committeeRegistry.getFunction("addCommitteeKey")(committeeKey[0], committeeKey[1], 1, [{ account: await admin.getAddress(), shareX: committeeKey[0], shareY: committeeKey[1] }], now - 60, now + 30 * DAY)).wait()

        // lenders and their offers: 10,000 tUSD each (the faucet's hourly maximum)
        const capacity = 10_000n * TUSD
        const principal = 100n * TUSD
        if (BigInt(Math.ceil(options.borrowers / options.lenders)) * principal > capacity) throw new Error("too many borrowers per lender for one faucet call each")
        const lenders: JsonRpcSigner[] = []
        for (let i = 0; i < options.lenders; i++) {
            const lender = await signer(2 + i)
            lenders.push(lender)
            const c = connectContracts(deployment, lender)
            await (await c.stablecoin!.getFunction("faucet")(capacity)).wait()
            await (await c.stablecoin!.getFunction("approve")(deployment.contracts.loanMarket, capacity)).wait()
            await (
                await c.loanMarket.getFunction("createOffer")(
                    deployment.contracts.stablecoin,
                    capacity,
                    [
                        { minScore: 600, aprBps: 1500, maxPrincipal: 1_000n * TUSD },
                        { minScore: 700, aprBps: 1000, maxPrincipal: 2_000n * TUSD }
                    ],
                    { term: 90 * DAY, instalmentCount: 3, gracePeriod: 3 * DAY, defaultPeriod: 30 * DAY, lateFee: 5n * TUSD }
                )
            ).wait()
        }
        log(`${options.lenders} lenders funded their offers`)

        // identities, added by the officer in batches of 25
        const identities = Array.from({ length: options.borrowers }, () => new Identity())
        const officerGroup = new KycTree()
        const asOfficer = connectContracts(deployment, officer)
        for (let i = 0; i < identities.length; i += 25) {
            const batch = identities.slice(i, i + 25).map((id) => id.commitment)
            officerGroup.addMembers(batch)
            await (await asOfficer.kycRegistry.getFunction("addMembers")(batch, officerGroup.root)).wait()
        }
        log(`${identities.length} identities in the KYC tree`)

        // attestations from the bureau's HTTP service (records, binding, history proof), ten requests at a time
        let bureauNow = (await provider.getBlock("latest"))!.timestamp
        const bureau = await startTestBureau({ privateKey: key.privateKey, validitySeconds: 7 * DAY, now: () => bureauNow, logger: () => {} })
        cleanups.push(() => bureau.close())
        const attestations: Attestation[] = new Array(identities.length)
        for (let i = 0; i < identities.length; i += 10) {
            bureauNow = (await provider.getBlock("latest"))!.timestamp
            await Promise.all(
                identities.slice(i, i + 10).map(async (identity, j) => {
                    attestations[i + j] = await bureau.attest(identity)
                })
            )
        }
        log(`${attestations.length} attestations signed`)

        // one funded account per borrower (nonces must not clash)
        const wallets = identities.map(() => Wallet.createRandom().connect(provider))
        const funderNonce = await provider.getTransactionCount(await funder.getAddress(), "pending")
        const funding = await Promise.all(wallets.map((w, i) => funder.sendTransaction({ to: w.address, value: parseEther("1"), nonce: funderNonce + i })))
        await Promise.all(funding.map((tx) => tx.wait()))
        log(`${wallets.length} borrower accounts funded`)

        // the tree as every borrower's client rebuilds it: from events
        const events = await fetchKycEvents(provider, deployment.contracts.trustRegistry, { fromBlock: deployment.deployBlock })
        const group = kycTreeFromEvents(events)
        if (group.root !== officerGroup.root) throw new Error("the tree rebuilt from events differs from the officer's")
        const scope = computeScope(deployment.chainId, deployment.contracts.loanMarket)
        const setupSeconds = (performance.now() - started) / 1000

        // prove and borrow, all at once
        const workerCount = options.workers ?? Math.max(1, availableParallelism())
        const workers: ChildProcess[] = Array.from({ length: workerCount }, () => fork(WORKER, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] }))
        // the children only prove: killing them loses nothing
        cleanups.push(() => workers.forEach((w) => w.kill()))
        const failures: string[] = []
        const proofMs: number[] = []
        const borrowMs: number[] = []
        const borrows: Promise<void>[] = []
        let loans = 0
        let next = 0
        const loadStart = performance.now()
        log(`proving with ${workerCount} processes and borrowing as proofs arrive`)
        await Promise.all(
            workers.map(
                (worker) =>
                    new Promise<void>((resolve, reject) => {
                        const dispatch = async () => {
                            const i = next++
                            if (i >= identities.length) return resolve()
                            const wallet = wallets[i]!
                            const offerId = i % options.lenders
                            const tier = 1
                            const currentTime = (await provider.getBlock("latest"))!.timestamp
                            const task: ProveTask = {
                                id: i,
                                secret: identities[i]!.secret.toString(),
                                attestation: attestations[i]!,
                                membership: group.generateMerkleProof(group.indexOf(identities[i]!.commitment)),
                                threshold: 700,
                                currentTime,
                                scope: scope.toString(),
                                message: computeMessage({ chainId: deployment.chainId, market: deployment.contracts.loanMarket, borrower: wallet.address, offerId, tier, principal }).toString(),
                                committeeKey: [committeeKey[0].toString(), committeeKey[1].toString()]
                            }
                            worker.send(task)
                        }
                        worker.on("message", (answer: ProveAnswer) => {
                            proofMs.push(answer.ms)
                            if (!answer.ok) failures.push(`proof ${answer.id}: ${answer.error}`)
                            else {
                                const wallet = wallets[answer.id]!
                                const market = new Contract(deployment.contracts.loanMarket, LoanMarketAbi, wallet)
                                const sent = performance.now()
                                borrows.push(
                                    (async () => {
                                        try {
                                            await (await market.getFunction("borrow")(answer.id % options.lenders, 1, principal, toBorrowCalldata(answer.proof))).wait()
                                            borrowMs.push(performance.now() - sent)
                                            loans++
                                            if (loans % 10 === 0) log(`${loans} loans`)
                                        } catch (error) {
                                            failures.push(`borrow ${answer.id}: ${(error as Error).message.slice(0, 200)}`)
                                        }
                                    })()
                                )
                            }
                            dispatch().catch(reject)
                        })
                        worker.on("error", reject)
                        dispatch().catch(reject)
                    })
            )
        )
        await Promise.all(borrows)
        const seconds = (performance.now() - loadStart) / 1000
        log(`${loans} loans in ${seconds.toFixed(1)} s, ${failures.length} failed`)

        // nothing lost
        const reader = connectContracts(deployment, provider)
        const market = reader.loanMarket
        const token = reader.stablecoin!
        const loanCount = Number(await market.getFunction("loanCount")())
        // a loan's pseudonym is in its `LoanOpened` event (the market does not store it)
        const nullifiers = new Set<bigint>()
        for (const log of await market.queryFilter(market.filters.LoanOpened!(), 0)) nullifiers.add(BigInt((log as unknown as { args: { nullifier: bigint } }).args.nullifier))
        const lentPerOffer = new Map<number, bigint>()
        for (let id = 0; id < loanCount; id++) {
            const loan = await market.getFunction("loan")(id)
            lentPerOffer.set(Number(loan.offerId), (lentPerOffer.get(Number(loan.offerId)) ?? 0n) + BigInt(loan.principal))
        }
        const expected = new Set(identities.map((id) => id.nullifier(scope)))
        let oneLoanEach = loanCount === loans
        for (const nullifier of expected) {
            const record = await market.getFunction("record")(nullifier)
            if (record.loansTaken !== 1n || record.activeLoans !== 1n) oneLoanEach = false
        }
        const holders = [...lenders.map((l) => l.getAddress()), ...wallets.map((w) => w.address), deployment.contracts.loanMarket, admin.getAddress(), officer.getAddress()]
        let held = 0n
        for (const holder of holders) held += BigInt(await token.getFunction("balanceOf")(await holder))
        let available = 0n
        let offersBalance = true
        for (let offerId = 0; offerId < options.lenders; offerId++) {
            const offer = await market.getFunction("offer")(offerId)
            available += BigInt(offer.available)
            if (BigInt(offer.available) + (lentPerOffer.get(offerId) ?? 0n) !== capacity) offersBalance = false
        }
        const result: LoadResult = {
            loans,
            seconds: Math.round(seconds * 10) / 10,
            failed: failures.length,
            borrowers: options.borrowers,
            lenders: options.lenders,
            workers: workerCount,
            proofsPerSecond: Math.round((proofMs.length / seconds) * 100) / 100,
            loansPerSecond: Math.round((loans / seconds) * 100) / 100,
            proofMsMedian: Math.round(median(proofMs)),
            borrowMsMedian: Math.round(median(borrowMs)),
            setupSeconds: Math.round(setupSeconds * 10) / 10,
            failures,
            checks: {
                oneLoanPerBorrower: oneLoanEach,
                pseudonymsDistinctAndTheirs: nullifiers.size === loanCount && [...nullifiers].every((n) => expected.has(n)),
                tokensConserved: held === BigInt(await token.getFunction("totalSupply")()),
                marketHoldsAvailable: BigInt(await token.getFunction("balanceOf")(deployment.contracts.loanMarket)) === available,
                offersAvailablePlusLentIsCapacity: offersBalance
            }
        }
        return result
    } finally {
        for (const cleanup of cleanups.reverse()) {
            try {
                await cleanup()
            } catch {
                // keep stopping the rest
            }
        }
    }
}
