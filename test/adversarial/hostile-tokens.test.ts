/**
 * Hostile tokens and hostile callers against `LoanMarket` (proofs mocked: `MockCreditVerifier`).
 * Extends test/contracts/loan-market.test.ts (reentrancy: four entry/target pairs; fee tokens:
 * createOffer and deposit) to every entry point that moves tokens, every re-entry target, tokens
 * that return false, revert or return nothing, and a borrower that is a contract re-entering when
 * tokens move. Failing transactions are mined (explicit gas limit, no estimate), so "changes
 * nothing" is checked against a block that really executed them.
 */
import type { Contract } from "ethers"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { as, deploy, mockProof, PLATFORM_START, TERMS, TIERS, type Deployed, type Signer } from "../helpers/contracts.ts"
import { decodeRevert, type Revert } from "./lib/reverts.ts"

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const FUNDS = 10n ** 12n
const CAPACITY = 1_000_000_000n
const PRINCIPAL = 100_000_000n
const N = { borrower: 0xb0n, other: 0xb1n, reentry: 0xeen, contract: 0xc0n }

interface World {
    market: Deployed
    signers: { admin: Signer; lender: Signer; lender2: Signer; borrower: Signer; other: Signer; stranger: Signer }
    tokens: { good: Deployed; reentrant: Deployed; hostile: Deployed; noReturn: Deployed; fee: Deployed; hook: Deployed }
}

/** A market (one active loan per pseudonym) and one token of each kind, funded and approved. */
async function deployHostileWorld(): Promise<World> {
    if ((await time.latest()) < PLATFORM_START) await time.increaseTo(PLATFORM_START)
    const [admin, lender, lender2, borrower, other, stranger] = (await ethers.getSigners()) as Signer[]
    const verifier = await deploy(ethers, "MockCreditVerifier")
    const market = await deploy(ethers, "ExternalVerifierLoanMarket", [admin!.address, await verifier.getAddress(), 1])
    const tokens = {
        good: await deploy(ethers, "MockERC20", ["Good", "GOOD", 6]),
        reentrant: await deploy(ethers, "MockReentrantToken"),
        hostile: await deploy(ethers, "MockHostileToken"),
        noReturn: await deploy(ethers, "MockNoReturnToken"),
        fee: await deploy(ethers, "MockFeeOnTransferToken", [0]),
        hook: await deploy(ethers, "MockHookToken")
    }
    for (const token of Object.values(tokens)) {
        // the admin allowed them all: this suite is about what the market's code does with a hostile
        // token that got past the allowlist's vetting
        await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
        for (const account of [lender!, lender2!, borrower!, other!, stranger!]) {
            await (await token.mint(account.address, FUNDS)).wait()
            await (await as(token, account).approve(await market.getAddress(), ethers.MaxUint256)).wait()
        }
    }
    return { market, tokens, signers: { admin: admin!, lender: lender!, lender2: lender2!, borrower: borrower!, other: other!, stranger: stranger! } }
}

/** Everything the market and the tokens hold: offers, loans, records, every balance. */
async function books(w: World, extraHolders: string[] = []): Promise<unknown> {
    const market = w.market
    const plain = (r: unknown): unknown => (Array.isArray(r) ? [...r].map(plain) : r)
    const offers = []
    for (let i = 0n; i < (await market.offerCount()); i++) offers.push(plain(await market.offer(i)))
    const loans = []
    for (let i = 0n; i < (await market.loanCount()); i++) loans.push(plain(await market.loan(i)))
    const records = []
    for (const n of Object.values(N)) records.push(plain(await market.record(n)))
    const holders = [...Object.values(w.signers).map((s) => s.address), await market.getAddress(), ...extraHolders]
    const balances: Record<string, bigint[]> = {}
    for (const [name, token] of Object.entries(w.tokens)) balances[name] = await Promise.all(holders.map((h) => token.balanceOf(h) as Promise<bigint>))
    return { offers, loans, records, balances }
}

/**
 * Sends a transaction that must fail, with a fixed gas limit so it is mined rather than refused by
 * the gas estimate, and checks that a block with it was mined. Returns its revert.
 */
async function minedFailure(send: (overrides: { gasLimit: number }) => Promise<unknown>): Promise<Revert> {
    const before = await ethers.provider.getBlockNumber()
    let revert: Revert | undefined
    try {
        await ((await send({ gasLimit: 3_000_000 })) as { wait(): Promise<unknown> }).wait()
    } catch (error) {
        revert = decodeRevert(error)
    }
    expect(revert, "the transaction must fail").toBeDefined()
    expect(await ethers.provider.getBlockNumber(), "the failing transaction was mined").toBe(before + 1)
    return revert!
}

/** Proof times only need to increase per pseudonym; one clock for the whole file keeps them fresh. */
let proofClock = 1_000
const proof = (nullifier: bigint, valid = true) => mockProof(nullifier, proofClock++, valid)

async function offerIn(w: World, token: Deployed, lender = w.signers.lender, capacity = CAPACITY): Promise<bigint> {
    await (await as(w.market, lender).createOffer(await token.getAddress(), capacity, TIERS, TERMS)).wait()
    return (await w.market.offerCount()) - 1n
}

async function marketHoldsWhatOffersHave(w: World, token: Deployed): Promise<{ held: bigint; available: bigint }> {
    let available = 0n
    const address = (await token.getAddress()).toLowerCase()
    for (let i = 0n; i < (await w.market.offerCount()); i++) {
        const o = await w.market.offer(i)
        if (String(o.token).toLowerCase() === address) available += o.available as bigint
    }
    return { held: await token.balanceOf(await w.market.getAddress()), available }
}

describe("hostile tokens and callers", () => {
    describe("a re-entrant ERC-20 (MockReentrantToken): every entry point that moves tokens × every re-entry target", () => {
        it("refuses each re-entry with ReentrancyGuardReentrantCall, also into another token's offer, and changes nothing", async () => {
            const w = await loadFixture(deployHostileWorld)
            const { market } = w
            const token = w.tokens.reentrant
            const marketAddress = await market.getAddress()
            const bad = await offerIn(w, token)
            const good = await offerIn(w, w.tokens.good)
            await (await as(market, w.signers.borrower).borrow(bad, 0, PRINCIPAL, proof(N.borrower))).wait()
            const loan = (await market.loanCount()) - 1n

            const entries: [string, (o: { gasLimit: number }) => Promise<unknown>][] = [
                ["createOffer (pulls)", (o) => as(market, w.signers.lender).createOffer(token.target, CAPACITY, TIERS, TERMS, o)],
                ["deposit (pulls)", (o) => as(market, w.signers.lender).deposit(bad, 1_000n, o)],
                ["withdraw (pays out)", (o) => as(market, w.signers.lender).withdraw(bad, 1_000n, o)],
                ["borrow (disburses)", (o) => as(market, w.signers.other).borrow(bad, 0, PRINCIPAL, proof(N.other), o)],
                ["repay (pulls)", (o) => as(market, w.signers.borrower).repay(loan, 1n, o)],
                ["repayInstalment (pulls)", (o) => as(market, w.signers.borrower).repayInstalment(loan, o)],
                ["repayAll (pulls)", (o) => as(market, w.signers.borrower).repayAll(loan, o)]
            ]
            const i = market.interface
            const targets: [string, string][] = [
                ["borrow from the good offer", i.encodeFunctionData("borrow", [good, 0, 1n, mockProof(N.reentry, 10n ** 12n)])],
                ["repay", i.encodeFunctionData("repay", [loan, 1n])],
                ["repayInstalment", i.encodeFunctionData("repayInstalment", [loan])],
                ["repayAll", i.encodeFunctionData("repayAll", [loan])],
                ["withdraw from the good offer", i.encodeFunctionData("withdraw", [good, 1n])],
                ["deposit into the good offer", i.encodeFunctionData("deposit", [good, 1n])],
                ["createOffer", i.encodeFunctionData("createOffer", [await w.tokens.good.getAddress(), 1n, TIERS, TERMS])],
                ["markDefault", i.encodeFunctionData("markDefault", [loan])]
            ]
            let combinations = 0
            for (const [entry, send] of entries) {
                for (const [target, data] of targets) {
                    await (await token.setHook(marketAddress, data)).wait()
                    const before = await books(w)
                    const revert = await minedFailure(send)
                    expect(revert.name, `${entry}, re-entering ${target}`).toBe("ReentrancyGuardReentrantCall")
                    expect(await books(w), `${entry}, re-entering ${target}: nothing changed`).toEqual(before)
                    combinations++
                }
            }
            expect(combinations).toBe(56)
            // disarmed, every entry point works again
            await (await token.setHook(ethers.ZeroAddress, "0x")).wait()
            await (await as(market, w.signers.borrower).repayAll(loan)).wait()
            await (await as(market, w.signers.lender).withdraw(bad, (await market.offer(bad)).available)).wait()
            expect(await marketHoldsWhatOffersHave(w, token)).toEqual({ held: 0n, available: 0n })
        })
    })

    describe("a fee-on-transfer token (MockFeeOnTransferToken)", () => {
        it("is refused at offer creation and deposit by any fee that takes a unit, and accepted while the fee rounds to nothing", async () => {
            const w = await loadFixture(deployHostileWorld)
            const fee = w.tokens.fee
            const feeAddress = await fee.getAddress()
            await (await fee.setFeeBps(1)).wait()
            // 1 bps of 9,999 units rounds down to 0: everything arrives, nothing is lost
            const offer = await offerIn(w, fee, w.signers.lender, 9_999n)
            expect((await w.market.offer(offer)).available).toBe(9_999n)
            // 1 bps of 10,000 is one unit: refused, naming what arrived
            expect(await minedFailure((o) => as(w.market, w.signers.lender).createOffer(feeAddress, 10_000n, TIERS, TERMS, o))).toEqual({ name: "UnsupportedToken", args: [feeAddress.toLowerCase(), 10_000n, 9_999n] })
            expect(await minedFailure((o) => as(w.market, w.signers.lender).deposit(offer, 10_000n, o))).toEqual({ name: "UnsupportedToken", args: [feeAddress.toLowerCase(), 10_000n, 9_999n] })
            expect(await marketHoldsWhatOffersHave(w, fee)).toEqual({ held: 9_999n, available: 9_999n })
        })

        it("after it starts taking fees, disbursements and withdrawals still leave the market holding exactly what its offers have", async () => {
            const w = await loadFixture(deployHostileWorld)
            const fee = w.tokens.fee
            const offer = await offerIn(w, fee)
            await (await fee.setFeeBps(100)).wait()
            const borrowerBefore: bigint = await fee.balanceOf(w.signers.borrower.address)
            await (await as(w.market, w.signers.borrower).borrow(offer, 0, PRINCIPAL, proof(N.borrower))).wait()
            // the borrower bears the token's fee; the market paid out exactly the principal
            expect((await fee.balanceOf(w.signers.borrower.address)) - borrowerBefore).toBe(PRINCIPAL - PRINCIPAL / 100n)
            expect(await marketHoldsWhatOffersHave(w, fee)).toEqual({ held: CAPACITY - PRINCIPAL, available: CAPACITY - PRINCIPAL })
            await (await as(w.market, w.signers.lender).withdraw(offer, 1_000_000n)).wait()
            expect(await marketHoldsWhatOffersHave(w, fee)).toEqual({ held: CAPACITY - PRINCIPAL - 1_000_000n, available: CAPACITY - PRINCIPAL - 1_000_000n })
        })

        // A token that switches on a fee after offers exist: repayments pull exactly what they
        // credit (`_pullExact`), so a fee makes them revert with UnsupportedToken instead of
        // leaving the market owing its lenders more than it holds.
        it("a repayment in a token that started taking fees never leaves the market owing more than it holds", async () => {
            const w = await loadFixture(deployHostileWorld)
            const fee = w.tokens.fee
            const offerA = await offerIn(w, fee, w.signers.lender)
            const offerB = await offerIn(w, fee, w.signers.lender2)
            await (await as(w.market, w.signers.borrower).borrow(offerA, 0, PRINCIPAL, proof(N.borrower))).wait()
            await (await fee.setFeeBps(100)).wait()
            // the repayment would credit the offer with more than arrives: it must be refused
            let refused: Revert | undefined
            try {
                await (await as(w.market, w.signers.borrower).repay(0n, PRINCIPAL / 2n)).wait()
            } catch (error) {
                refused = decodeRevert(error)
            }
            expect(refused?.name, "a repayment in a token taking fees is refused").toBe("UnsupportedToken")
            const { held, available } = await marketHoldsWhatOffersHave(w, fee)
            expect(held, "the market holds at least what its offers have available").toBeGreaterThanOrEqual(available)
            // lender A takes all of offer A; lender B must still be able to take all of offer B
            await (await as(w.market, w.signers.lender).withdraw(offerA, (await w.market.offer(offerA)).available)).wait()
            await (await as(w.market, w.signers.lender2).withdraw(offerB, (await w.market.offer(offerB)).available)).wait()
        })
    })

    describe("a token whose transfer and transferFrom return false (MockHostileToken)", () => {
        it("makes every call that moves it revert with SafeERC20FailedOperation, changing nothing", async () => {
            const w = await loadFixture(deployHostileWorld)
            const token = w.tokens.hostile
            const tokenAddress = await token.getAddress()
            const offer = await offerIn(w, token)
            await (await as(w.market, w.signers.borrower).borrow(offer, 0, PRINCIPAL, proof(N.borrower))).wait()
            const failed = { name: "SafeERC20FailedOperation", args: [tokenAddress.toLowerCase()] }
            await (await token.setModes(1, 1)).wait()
            const calls: [string, (o: { gasLimit: number }) => Promise<unknown>][] = [
                ["createOffer", (o) => as(w.market, w.signers.lender).createOffer(tokenAddress, CAPACITY, TIERS, TERMS, o)],
                ["deposit", (o) => as(w.market, w.signers.lender).deposit(offer, 1n, o)],
                ["withdraw", (o) => as(w.market, w.signers.lender).withdraw(offer, 1n, o)],
                ["borrow", (o) => as(w.market, w.signers.other).borrow(offer, 0, PRINCIPAL, proof(N.other), o)],
                ["repay", (o) => as(w.market, w.signers.borrower).repay(0n, 1n, o)],
                ["repayAll", (o) => as(w.market, w.signers.borrower).repayAll(0n, o)]
            ]
            for (const [name, send] of calls) {
                const before = await books(w)
                expect(await minedFailure(send), name).toEqual(failed)
                expect(await books(w), `${name}: nothing changed`).toEqual(before)
            }
            // the pseudonym whose borrow failed was not consumed: it borrows once the token behaves
            await (await token.setModes(0, 0)).wait()
            await (await as(w.market, w.signers.other).borrow(offer, 0, PRINCIPAL, proof(N.other))).wait()
            expect(await marketHoldsWhatOffersHave(w, token)).toEqual({ held: CAPACITY - 2n * PRINCIPAL, available: CAPACITY - 2n * PRINCIPAL })
        })
    })

    describe("a token that reverts (a blocklist or a paused token)", () => {
        it("freezes the funds of its offers but loses none: once it lets them move, every lender withdraws to the wei", async () => {
            const w = await loadFixture(deployHostileWorld)
            const token = w.tokens.hostile
            const good = w.tokens.good
            const offerA = await offerIn(w, token, w.signers.lender)
            const offerB = await offerIn(w, token, w.signers.lender2)
            const goodOffer = await offerIn(w, good, w.signers.lender2)
            await (await as(w.market, w.signers.borrower).borrow(offerA, 0, PRINCIPAL, proof(N.borrower))).wait()
            await (await token.setModes(2, 2)).wait()
            const before = await books(w)
            for (const send of [
                (o: { gasLimit: number }) => as(w.market, w.signers.lender).withdraw(offerA, 1n, o),
                (o: { gasLimit: number }) => as(w.market, w.signers.borrower).repayAll(0n, o),
                (o: { gasLimit: number }) => as(w.market, w.signers.other).borrow(offerB, 0, PRINCIPAL, proof(N.other), o)
            ]) {
                expect((await minedFailure(send)).name).toBe("TransferBlocked")
            }
            expect(await books(w)).toEqual(before)
            // another token's offer in the same market is not affected
            await (await as(w.market, w.signers.other).borrow(goodOffer, 0, PRINCIPAL, proof(N.other))).wait()
            await (await as(w.market, w.signers.lender2).withdraw(goodOffer, (await w.market.offer(goodOffer)).available)).wait()
            // the token relents: the loan is repaid and both lenders take everything, to the wei
            await (await token.setModes(0, 0)).wait()
            await (await as(w.market, w.signers.borrower).repayAll(0n)).wait()
            for (const [offer, lender] of [[offerA, w.signers.lender], [offerB, w.signers.lender2]] as const) {
                await (await as(w.market, lender).withdraw(offer, (await w.market.offer(offer)).available)).wait()
            }
            expect(await token.balanceOf(await w.market.getAddress())).toBe(0n)
            expect(await token.balanceOf(w.signers.lender2.address)).toBe(FUNDS)
            const interestPaid = (await token.balanceOf(w.signers.lender.address)) - FUNDS
            expect(interestPaid).toBeGreaterThan(0n)
            expect(await token.balanceOf(w.signers.borrower.address)).toBe(FUNDS - interestPaid)
        })
    })

    describe("a token without return values (USDT style, MockNoReturnToken)", () => {
        it("works through the whole lifecycle with exact balances (SafeERC20 accepts empty return data)", async () => {
            const w = await loadFixture(deployHostileWorld)
            const token = w.tokens.noReturn as unknown as Contract & Deployed
            const offer = await offerIn(w, token)
            await (await as(w.market, w.signers.lender).deposit(offer, 5n)).wait()
            await (await as(w.market, w.signers.borrower).borrow(offer, 0, PRINCIPAL, proof(N.borrower))).wait()
            expect(await token.balanceOf(w.signers.borrower.address)).toBe(FUNDS + PRINCIPAL)
            await (await as(w.market, w.signers.borrower).repayAll(0n)).wait()
            await (await as(w.market, w.signers.lender).withdraw(offer, (await w.market.offer(offer)).available)).wait()
            expect(await token.balanceOf(await w.market.getAddress())).toBe(0n)
            expect((await token.balanceOf(w.signers.lender.address)) + (await token.balanceOf(w.signers.borrower.address))).toBe(2n * FUNDS)
            // and a failure of such a token (it reverts) still reverts the call
            expect((await minedFailure((o) => as(w.market, w.signers.lender).deposit(offer, FUNDS * 2n, o))).name).toBe("Error")
        })
    })

    describe("a borrower that is a contract and re-enters when tokens move (MockReentrantBorrower, ERC-777-style hooks)", () => {
        async function withAttacker() {
            const w = await loadFixture(deployHostileWorld)
            const offer = await offerIn(w, w.tokens.hook)
            const attacker = await deploy(ethers, "MockReentrantBorrower", [await w.market.getAddress(), await w.tokens.hook.getAddress()])
            await (await w.tokens.hook.mint(await attacker.getAddress(), FUNDS)).wait()
            return { ...w, offer, attacker, attackerAddress: await attacker.getAddress() }
        }

        it("re-entering borrow while receiving the principal reverts the whole borrow (ReentrancyGuardReentrantCall) and changes nothing", async () => {
            const w = await withAttacker()
            await (await w.attacker.arm(w.market.interface.encodeFunctionData("borrow", [w.offer, 0, PRINCIPAL, mockProof(N.reentry, 10n ** 12n)]), false, w.offer)).wait()
            const before = await books(w, [w.attackerAddress])
            expect((await minedFailure((o) => w.attacker.borrow(w.offer, 0, PRINCIPAL, proof(N.contract), o))).name).toBe("ReentrancyGuardReentrantCall")
            expect(await books(w, [w.attackerAddress])).toEqual(before)
        })

        it("when it swallows the failed re-entry the borrow completes once, and the books were final before it got control (checks-effects-interactions)", async () => {
            const w = await withAttacker()
            for (const data of [
                w.market.interface.encodeFunctionData("borrow", [w.offer, 0, PRINCIPAL, mockProof(N.reentry, 10n ** 12n)]),
                w.market.interface.encodeFunctionData("withdraw", [w.offer, 1n]),
                w.market.interface.encodeFunctionData("repayAll", [0n])
            ]) {
                const snapshot = await networkHelpers.takeSnapshot()
                await (await w.attacker.arm(data, true, w.offer)).wait()
                await (await w.attacker.borrow(w.offer, 0, PRINCIPAL, proof(N.contract))).wait()
                expect(await w.attacker.attempted()).toBe(true)
                expect(await w.attacker.reentrySucceeded()).toBe(false)
                expect(decodeRevert(await w.attacker.reentryRevert()).name).toBe("ReentrancyGuardReentrantCall")
                // during the transfer the loan existed and the offer's funds were already reduced
                expect(await w.attacker.loanCountSeen()).toBe(1n)
                expect(await w.attacker.availableSeen()).toBe(CAPACITY - PRINCIPAL)
                expect(await w.market.loanCount()).toBe(1n)
                expect(await w.market.record(N.reentry)).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 0n])
                expect(await w.tokens.hook.balanceOf(w.attackerAddress)).toBe(FUNDS + PRINCIPAL)
                expect(await marketHoldsWhatOffersHave(w, w.tokens.hook)).toEqual({ held: CAPACITY - PRINCIPAL, available: CAPACITY - PRINCIPAL })
                await snapshot.restore()
            }
        })

        it("re-entering while its repayment is pulled fails; the repayment counts exactly once", async () => {
            const w = await withAttacker()
            await (await w.attacker.borrow(w.offer, 0, PRINCIPAL, proof(N.contract))).wait()
            const i = w.market.interface
            for (const [name, data] of [
                ["repay again", i.encodeFunctionData("repay", [0n, 1n])],
                ["repayAll", i.encodeFunctionData("repayAll", [0n])],
                ["borrow", i.encodeFunctionData("borrow", [w.offer, 0, 1n, mockProof(N.reentry, 10n ** 12n)])],
                ["markDefault", i.encodeFunctionData("markDefault", [0n])]
            ] as const) {
                // bubbling: the repayment itself reverts, nothing changes
                await (await w.attacker.arm(data, false, w.offer)).wait()
                const before = await books(w, [w.attackerAddress])
                expect((await minedFailure((o) => w.attacker.repay(0n, 1_000n, o))).name, name).toBe("ReentrancyGuardReentrantCall")
                expect(await books(w, [w.attackerAddress]), `${name}: nothing changed`).toEqual(before)
                // swallowing: the repayment goes through once, the re-entry does not
                await (await w.attacker.arm(data, true, w.offer)).wait()
                const repaid: bigint = (await w.market.loan(0n)).repaid
                const available: bigint = (await w.market.offer(w.offer)).available
                await (await w.attacker.repay(0n, 1_000n)).wait()
                expect(await w.attacker.reentrySucceeded(), name).toBe(false)
                expect((await w.market.loan(0n)).repaid, name).toBe(repaid + 1_000n)
                // the offer had already been credited when the tokens were pulled
                expect(await w.attacker.availableSeen(), name).toBe(available + 1_000n)
                expect(await marketHoldsWhatOffersHave(w, w.tokens.hook)).toEqual({ held: available + 1_000n, available: available + 1_000n })
            }
        })
    })
})
