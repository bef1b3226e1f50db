/**
 * Where the gas of a borrow goes: replays the gas benchmark's loans on the in-process Hardhat
 * chain (a first loan to an address without tokens, an instalment on schedule, the pseudonym's
 * next loan; real proofs, under prepared anchors) and splits each transaction's gas by
 * `debug_traceTransaction` into precompiles, cold accounts, storage, events, base and calldata,
 * and the rest (execution). README's "Gas floor of a borrow" is read from it. Prints a table per
 * transaction and writes bench/results/gas-trace.json.
 *
 * Usage: npx node bench/gas-trace.ts   (needs the circuit build and the compiled contracts)
 */
import { network } from "hardhat"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { as, attest, BUREAU_KEYS, DAY, deployPlatform, IDENTITIES, proveBorrow, TERMS, USD } from "../test/helpers/contracts.ts"
import { machine, printTable, RESULTS_DIR, writeResult } from "./lib/report.ts"

/** One step of a `debug_traceTransaction` struct log. */
interface StructLog {
    op: string
    gas: number
    gasCost: number
    depth: number
    stack?: string[]
}

/** Gas of one transaction by kind; the parts add up to `gasUsed`. */
type Split = Record<string, number>

const PRECOMPILES: Record<number, string> = { 6: "ecAdd (0x06)", 7: "ecMul (0x07)", 8: "pairing (0x08)" }
const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"])
const ACCOUNT_READS = new Set(["EXTCODESIZE", "EXTCODEHASH", "EXTCODECOPY", "BALANCE"])
const COLD_ACCOUNT = 2_600
const COLD_SLOAD = 2_100

function add(split: Split, key: string, gas: number): void {
    split[key] = (split[key] ?? 0) + gas
}

/** The op's own cost: for a call into code, what it charged less what the callee used. */
function ownCost(logs: StructLog[], i: number): number {
    const log = logs[i]!
    const next = logs[i + 1]
    if (!CALLS.has(log.op) || !next) return log.gasCost
    if (next.depth !== log.depth + 1) return log.gas - next.gas // a precompile or an account without code
    let end = i + 1
    while (end < logs.length && logs[end]!.depth > log.depth) end++
    const last = logs[end - 1]!
    const calleeUsed = next.gas - (last.gas - last.gasCost)
    return log.gas - logs[end]!.gas - calleeUsed
}

/** Splits the gas of one traced transaction. */
function splitGas(logs: StructLog[], intrinsic: number, gasUsed: number): Split {
    const split: Split = { "base and calldata": intrinsic }
    for (let i = 0; i < logs.length; i++) {
        const log = logs[i]!
        const cost = ownCost(logs, i)
        const next = logs[i + 1]
        if (CALLS.has(log.op) && next && next.depth === log.depth) {
            const address = Number(BigInt(log.stack![log.stack!.length - 2]!))
            add(split, PRECOMPILES[address] ?? "other calls", cost)
        } else if ((CALLS.has(log.op) || ACCOUNT_READS.has(log.op)) && cost >= COLD_ACCOUNT) {
            add(split, "cold accounts", COLD_ACCOUNT)
            add(split, "execution", cost - COLD_ACCOUNT)
        } else if (log.op === "SLOAD") {
            add(split, cost >= COLD_SLOAD ? "cold slot reads" : "warm slot reads", cost)
        } else if (log.op === "SSTORE") {
            // 20,000 (+2,100 if cold) fills a zero slot; 2,900 (+2,100) changes a set one
            add(split, cost >= 20_000 ? "new slots" : cost >= 2_900 ? "slot updates" : "warm slot writes", cost)
        } else if (log.op.startsWith("LOG")) {
            add(split, "events", cost)
        } else {
            add(split, "execution", cost)
        }
    }
    const counted = Object.values(split).reduce((a, b) => a + b, 0)
    // what the chain gave back (cleared slots) or charged beyond the trace
    if (counted !== gasUsed) add(split, "refund and rounding", gasUsed - counted)
    return split
}

/** 21,000 plus 4 gas per zero byte and 16 per other byte of calldata (no access list, no creation). */
function intrinsicGas(data: string): number {
    const bytes = Buffer.from(data.slice(2), "hex")
    return 21_000 + bytes.reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0)
}

async function main(): Promise<void> {
    const connection = await network.create()
    const { ethers, networkHelpers } = connection
    const { time } = networkHelpers
    const platform = await deployPlatform(connection)
    const { market, token, signers } = platform
    const borrower = signers.borrower.address
    const asBorrower = as(market, signers.borrower)
    const prove = async () =>
        proveBorrow(platform, {
            identity: IDENTITIES.alice,
            attestation: attest(IDENTITIES.alice, { score: 720, now: await time.latest(), key: BUREAU_KEYS.main }),
            group: platform.group,
            borrower,
            tier: 1n,
            principal: 3_000n * USD
        })

    const traced: Record<string, Split & { gasUsed: number }> = {}
    async function trace(name: string, sent: Promise<{ hash: string; wait(): Promise<unknown> }>): Promise<void> {
        const tx = await sent
        await tx.wait()
        const [receipt, raw, result] = await Promise.all([
            ethers.provider.getTransactionReceipt(tx.hash),
            ethers.provider.getTransaction(tx.hash),
            ethers.provider.send("debug_traceTransaction", [tx.hash, { disableMemory: true, disableStorage: true }])
        ])
        const gasUsed = Number(receipt!.gasUsed)
        const split = splitGas((result as { structLogs: StructLog[] }).structLogs, intrinsicGas(raw!.data), gasUsed)
        traced[name] = { ...split, gasUsed }
        printTable(`${name}: ${gasUsed.toLocaleString("en")} gas`, Object.entries(split).sort((a, b) => b[1] - a[1]))
    }

    await trace("borrow", asBorrower.borrow(0n, 1n, 3_000n * USD, await prove()))
    await (await token.mint(borrower, 10_000n * USD)).wait()
    await (await as(token, signers.borrower).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    const start = Number((await market.loan(0n)).startTime)
    const due = (k: number) => start + Math.floor((TERMS.term * (k + 1)) / TERMS.instalmentCount)
    await time.increaseTo(due(0) - DAY)
    await (await asBorrower.repayInstalment(0n)).wait()
    await time.increaseTo(due(1) - DAY)
    await trace("repayInstalment", asBorrower.repayInstalment(0n))
    await (await asBorrower.repayAll(0n)).wait()
    await trace("borrowRepeat", asBorrower.borrow(0n, 1n, 3_000n * USD, await prove()))

    writeResult(`${RESULTS_DIR}/gas-trace.json`, {
        traced,
        notes: {
            method: "debug_traceTransaction struct logs: each op's own cost (a call's less what its callee used); calls to 0x06-0x08 by precompile; a call or account read of 2,600 or more counts one cold account; SSTORE of 20,000 or more fills a new slot",
            scenario: "the gas benchmark's loans on a fresh platform: a first loan to an address without tokens, the second instalment on schedule, the pseudonym's next loan; real proofs under prepared anchors"
        },
        machine: machine(),
        measuredAt: new Date().toISOString()
    })
    await connection.close()
}

try {
    await main()
} finally {
    await releaseSnarkCurve()
}
