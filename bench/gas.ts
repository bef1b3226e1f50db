/**
 * Gas benchmark of the contracts: every state-changing operation of the platform on the
 * in-process Hardhat chain, with a real credit proof for `borrow`. Gas is deterministic, so one
 * run is the measurement. Prints a table and writes bench/results/gas.json.
 *
 * Usage: npx node bench/gas.ts   (compiles the contracts if needed; needs the circuit build,
 * `npm run build:circuits`)
 */
import { existsSync } from "node:fs"
import hre, { network } from "hardhat"
import { CREDIT_PROOF_ARTIFACTS } from "../circuits/artifacts.ts"
import { packContext, PUBLIC_SIGNALS, type BorrowProofCalldata, type PublicSignalName } from "../prover/src/index.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { MARKET_GAS_CEILINGS, OFFER_POSITION_GAS_CEILINGS } from "../test/helpers/gas.ts"
import { as, attest, BUREAU_KEYS, DAY, deploy, deployPlatform, IDENTITIES, proveBorrow, TERMS, TIERS, USD } from "../test/helpers/contracts.ts"
import { measureRequestGas, REQUEST_GAS_CEILINGS, REQUEST_GAS_NOTES } from "../test/helpers/requests.ts"
import { machine, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"

/** Ceilings the contract tests assert too. */
const CEILINGS = { ...MARKET_GAS_CEILINGS, addMembersPerMember100: 10_000, ...REQUEST_GAS_CEILINGS, ...OFFER_POSITION_GAS_CEILINGS }

type Sent = Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>

async function gas(tx: Sent): Promise<number> {
    const receipt = await (await tx).wait()
    if (!receipt) throw new Error("no receipt")
    return Number(receipt.gasUsed)
}

async function main(): Promise<void> {
    if (!existsSync(CREDIT_PROOF_ARTIFACTS.zkey)) {
        throw new Error(`no circuit build at ${CREDIT_PROOF_ARTIFACTS.dir}: run \`npm run build:circuits\` first`)
    }
    // incremental: nothing to do when the artifacts are up to date
    await hre.tasks.getTask("build").run({ quiet: true })

    const connection = await network.create()
    const { ethers, networkHelpers } = connection
    const { time } = networkHelpers
    const platform = await deployPlatform(connection)
    const { kyc, bureaus, market, token, verifier, signers } = platform
    const officerKyc = as(kyc, signers.officer)
    const lenderMarket = as(market, signers.lender)
    const borrowerMarket = as(market, signers.borrower)
    const g: Record<string, number> = {}

    // the trust registry's KYC part
    const group = platform.group
    const batch = Array.from({ length: 100 }, (_, i) => 1_000_000n + BigInt(i))
    group.addMembers(batch)
    const batchGas = await gas(officerKyc.addMembers(batch, group.root))
    g.addMembers100 = batchGas
    g.addMembersPerMember100 = Math.round(batchGas / 100)
    group.addMember(2_000_000n)
    g.addMember1 = await gas(officerKyc.addMembers([2_000_000n], group.root))
    group.updateMember(5, 3_000_000n)
    g.replaceMember = await gas(officerKyc.replaceMember(5, 3_000_000n, group.root))
    group.removeMember(6)
    g.removeMember = await gas(officerKyc.removeMember(6, group.root))

    // the trust registry's bureau part
    g.addBureau = await gas(bureaus.addBureau("Beta Scores"))
    const now = await time.latest()
    g.addKey = await gas(bureaus.addKey(2, 1n, 2n, 3n, now, now + 365 * DAY))
    g.revokeKey = await gas(bureaus.revokeKey(3n))

    // offers
    const tokenAddress = await token.getAddress()
    g.createOffer = await gas(lenderMarket.createOffer(tokenAddress, 10_000n * USD, TIERS, TERMS))
    g.deposit = await gas(lenderMarket.deposit(1n, 1_000n * USD))
    g.withdraw = await gas(lenderMarket.withdraw(1n, 1_000n * USD))
    g.setOfferPaused = await gas(lenderMarket.setOfferPaused(1n, true))
    // the admin's token allowlist (read by createOffer and deposit, never by borrow)
    const vetted = await (await deploy(ethers, "MockERC20", ["Vetted", "VET", 6])).getAddress()
    g.allowToken = await gas(market.setTokenAllowed(vetted, true))
    g.disallowToken = await gas(market.setTokenAllowed(vetted, false))

    // borrow: alice's first loan, to an address that holds no tokens yet (the dearest case)
    const borrower = signers.borrower.address
    const prove = async (principal: bigint): Promise<BorrowProofCalldata> =>
        proveBorrow(platform, {
            identity: IDENTITIES.alice,
            attestation: attest(IDENTITIES.alice, { score: 720, now: await time.latest(), key: BUREAU_KEYS.main }),
            group,
            borrower,
            tier: 1n,
            principal
        })
    const principal = 3_000n * USD
    const proof = await prove(principal)
    const threshold = TIERS[1]!.minScore
    const message = await market.borrowMessage(borrower, 0n, 1n, principal)
    const scope = await market.scope()
    // the KYC changes above published a new root: its anchor is not prepared yet
    g.creditVerifierCallUnanchored = Number(await verifier.verifyCreditProof.estimateGas(proof, threshold, scope, message))
    // as the officer's client does after publishing a root (`zkcredit officer add`): the loan
    // market keeps its own anchors (it checks its borrows' proofs itself), the verifier those of the
    // markets that call it
    g.prepareAnchor = await gas(market.prepareAnchor(proof.kycRoot, proof.bureauKeyHash, proof.committeeKeyY, scope))
    await (await verifier.prepareAnchor(proof.kycRoot, proof.bureauKeyHash, proof.committeeKeyY, scope)).wait()
    g.creditVerifierCall = Number(await verifier.verifyCreditProof.estimateGas(proof, threshold, scope, message))
    // the verifier's signals, in the circuit's order, the context packed as the verifier packs it
    const signals: Record<PublicSignalName, bigint> = {
        nullifier: proof.nullifier,
        ephemeralKeyY: proof.ephemeralKeyY,
        ciphertext: proof.ciphertext,
        kycRoot: proof.kycRoot,
        bureauKeyHash: proof.bureauKeyHash,
        context: packContext({ message, threshold: BigInt(threshold), currentTime: proof.currentTime }),
        scope,
        committeeKeyY: proof.committeeKeyY
    }
    const pubSignals = PUBLIC_SIGNALS.map((name) => signals[name])
    const w = proof.points
    g.groth16VerifyProofCall = Number(await verifier.verifyProof.estimateGas([w[0], w[1]], [[w[2], w[3]], [w[4], w[5]]], [w[6], w[7]], pubSignals))
    g.borrow = await gas(borrowerMarket.borrow(0n, 1n, principal, proof))
    const firstLoan = 0n

    // repayments on schedule
    await (await token.mint(borrower, 10_000n * USD)).wait()
    await (await as(token, signers.borrower).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    const start = Number((await market.loan(firstLoan)).startTime)
    const due = (k: number) => start + Math.floor((TERMS.term * (k + 1)) / TERMS.instalmentCount)
    await time.increaseTo(due(0) - DAY)
    g.repayInstalmentFirst = await gas(borrowerMarket.repayInstalment(firstLoan))
    await time.increaseTo(due(1) - DAY)
    g.repayInstalment = await gas(borrowerMarket.repayInstalment(firstLoan))
    g.repayPartial = await gas(borrowerMarket.repay(firstLoan, 100n * USD))
    g.repayAll = await gas(borrowerMarket.repayAll(firstLoan))

    // a second loan of the same pseudonym (record exists, borrower holds tokens), then a default
    const second = await prove(principal)
    g.borrowRepeat = await gas(borrowerMarket.borrow(0n, 1n, principal, second))
    const secondStart = Number((await market.loan(1n)).startTime)
    await time.increaseTo(secondStart + Math.floor(TERMS.term / TERMS.instalmentCount) + TERMS.defaultPeriod + 1)
    g.repayInstalmentLate = await gas(borrowerMarket.repayInstalment(1n))
    await time.increase(TERMS.term)
    g.markDefault = await gas(as(market, signers.stranger).markDefault(1n))
    // recovery after default: a first partial payment opens the loan's recovery slot, then the rest
    g.repayAfterDefaultFirst = await gas(borrowerMarket.repay(1n, 100n * USD))
    g.repayAllAfterDefault = await gas(borrowerMarket.repayAll(1n))

    // the position of a loan taken from an offer: bob borrows, the lender opens the loan's position,
    // the instalments go to it and the holder claims
    const bobProof = await proveBorrow(platform, {
        identity: IDENTITIES.bob,
        attestation: attest(IDENTITIES.bob, { score: 720, now: await time.latest(), key: BUREAU_KEYS.main }),
        group,
        borrower,
        tier: 1n,
        principal
    })
    await (await borrowerMarket.borrow(0n, 1n, principal, bobProof)).wait()
    const bobLoan = 2n
    const bobStart = Number((await market.loan(bobLoan)).startTime)
    const bobDue = (k: number) => bobStart + Math.floor((TERMS.term * (k + 1)) / TERMS.instalmentCount)
    g.openPosition = await gas(lenderMarket.openPosition(bobLoan))
    await time.increaseTo(bobDue(0) - DAY)
    g.repayInstalmentPositionFirst = await gas(borrowerMarket.repayInstalment(bobLoan))
    await time.increaseTo(bobDue(1) - DAY)
    g.repayInstalmentPosition = await gas(borrowerMarket.repayInstalment(bobLoan))
    g.claimPosition = await gas(lenderMarket.claimPosition(bobLoan))
    const offerPositions = await ethers.getContractAt("OfferPositions", await market.positions())
    g.transferOfferPosition = await gas(as(offerPositions, signers.lender).transferFrom(signers.lender.address, signers.stranger.address, bobLoan))

    // loan requests and positions (RequestMarket), on a market of their own
    Object.assign(g, await measureRequestGas(platform, group, (identity, now) => attest(identity, { score: 760, now })))

    // emergency controls
    g.revokeRoot = await gas(officerKyc.revokeRoot(await kyc.currentRoot()))
    group.removeMember(7)
    g.removeMemberImmediately = await gas(officerKyc.removeMemberImmediately(7, group.root))
    g.pauseVerifier = await gas(verifier.pause())
    g.unpauseVerifier = await gas(verifier.unpause())

    for (const [name, ceiling] of Object.entries(CEILINGS)) {
        if ((g[name] as number) > ceiling) throw new Error(`${name} used ${g[name]} gas, above its ceiling of ${ceiling}`)
    }

    const result = {
        gas: g,
        ceilings: CEILINGS,
        notes: {
            borrow: "first loan of a pseudonym to an address without tokens, real Groth16 proof checked by the market itself under its prepared anchor (3 score tiers, 3 instalments)",
            borrowRepeat: "the same pseudonym's next loan; record and borrower balance already exist",
            addMembersPerMember100: "one addMembers call with 100 commitments, divided by 100 (transaction base cost included)",
            repayInstalmentFirst: "first payment of a loan also initialises the loan's repayment slot",
            repayInstalmentLate: "one late instalment: late fee charged, record updated",
            repayAfterDefaultFirst: "first payment after a default: late fees still due are charged, the loan's recovery amount is written",
            repayAllAfterDefault: "pays everything outstanding of a defaulted loan; the record counts the recovery",
            removeMemberImmediately: "a removal that also invalidates every older root",
            allowToken: "the admin allows a token: setTokenAllowed(token, true), a fresh slot",
            disallowToken: "the admin disallows it again: setTokenAllowed(token, false)",
            groth16VerifyProofCall: "the generated verifier alone, as a transaction (21,000 base included)",
            creditVerifierCall: "CreditVerifier.verifyCreditProof alone (the trust registry's checks, time window, Groth16), as a transaction, under a prepared anchor: what a market that calls the verifier pays for the check (RequestMarket)",
            creditVerifierCallUnanchored: "the same before the anchor of its root, bureau key, committee key and scope is prepared: four ecMul and four ecAdd calls more, two slot reads less",
            prepareAnchor: "anyone prepares the loan market's anchor of a new root (with the bureau key, the committee key and the market's scope): checked, computed on chain, two fresh slots",
            openPosition: "the offer's lender opens the position of a loan before its first payment: books flag, position slot, ERC-721 mint",
            repayInstalmentPositionFirst: "first instalment of a loan with a position, credited to the position",
            repayInstalmentPosition: "an instalment on schedule credited to the loan's position (compare repayInstalment: one cold slot read more)",
            claimPosition: "the position's holder claims two instalments",
            transferOfferPosition: "ERC-721 transferFrom of an offer position to an address that holds none",
            ...REQUEST_GAS_NOTES
        },
        hardfork: (connection.networkConfig as { hardfork?: string }).hardfork ?? "default",
        solc: "0.8.37, optimizer 200 runs (CreditVerifier: 100,000, via IR; LoanMarket: via IR), evm cancun",
        machine: machine(),
        measuredAt: new Date().toISOString()
    }
    printTable("contract gas (deterministic)", Object.entries(g).map(([k, v]) => [k, v]))
    writeResult(`${RESULTS_DIR}/gas.json`, result)
    await connection.close()
}

try {
    await main()
} finally {
    await releaseSnarkCurve()
}
