/**
 * Loan requests and positions through the `zkcredit` CLI only, on a real local node process: a
 * borrower proves a band and lists a request (a real proof); two lenders fund it and it disburses;
 * one lender transfers its position; the borrower repays an instalment and the holders claim;
 * a second request is cancelled and its lender refunds (the admin disallows and allows tUSD for
 * requests on the way). Typed errors along the way: unknown ids,
 * wrong holders, over-funding, a band above the attested score. Port 8780. The steps share
 * state: they run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jsonError, prepareBorrowerPlatform, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"
import { testPort } from "../helpers/ports.ts"

const CHAIN_PORT = testPort(8780)
const ACCOUNTS = { admin: "0", officer: "1", lenderA: "2", lenderB: "3", borrower: "4", buyer: "5" }
const TUSD = 1_000_000n

let chain: TestChain
// in this process, but for the commands that prove (child processes of the real binary)
const { cli, json, address } = inProcessChainRunners(() => chain)

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
    expect(chain.deployment.contracts.requestMarket).toMatch(/^0x[0-9a-fA-F]{40}$/)
    // a bureau key, an officer, the borrower a member with a signed attestation, tUSD for everyone
    await prepareBorrowerPlatform(chain, json, { admin: ACCOUNTS.admin, officer: ACCOUNTS.officer, funded: [ACCOUNTS.lenderA, ACCOUNTS.lenderB, ACCOUNTS.borrower] })
}, 300_000)

afterAll(async () => {
    await chain?.stop()
})

describe("zkcredit request and position commands on a local node", () => {
    it("request create refuses a band above the attested score before proving", async () => {
        const result = await cli(["--json", "request", "create", "--identity", "me.json", "--amount", "1000", "--apr-bps", "1200", "--min-score", "1000", "--account", ACCOUNTS.borrower])
        expect(result.code).toBe(2)
        expect(jsonError(result).code).toBe("SCORE_BELOW_BAND")
    })

    it("the borrower proves a band and lists a request; request list shows the band and the pseudonym's record", async () => {
        const created = await json(["--yes", "request", "create", "--identity", "me.json", "--amount", "1000", "--apr-bps", "1200", "--min-score", "500", "--term-days", "90", "--instalments", "3", "--account", ACCOUNTS.borrower])
        expect(created).toMatchObject({ requestId: 0, principal: (1000n * TUSD).toString(), aprBps: 1200, minScore: 500 })
        const listed = await json(["request", "list"])
        expect(listed.requests).toHaveLength(1)
        expect(listed.requests[0]).toMatchObject({ requestId: 0, status: "open", band: 500, raised: "0", record: { loansTaken: 0, activeLoans: 1 } })
        expect(JSON.stringify(listed)).not.toContain("score")
    })

    it("two lenders fund it; the second part disburses the loan to the borrower", async () => {
        const over = await cli(["--json", "request", "fund", "--request", "0", "--amount", "1000.000001", "--account", ACCOUNTS.lenderA])
        expect(over.code).toBe(2)
        expect(jsonError(over).code).toBe("INVALID_AMOUNT")
        const unknown = await cli(["--json", "request", "fund", "--request", "7", "--amount", "1", "--account", ACCOUNTS.lenderA])
        expect(jsonError(unknown).code).toBe("UNKNOWN_REQUEST")
        const a = await json(["request", "fund", "--request", "0", "--amount", "600", "--account", ACCOUNTS.lenderA])
        expect(a).toMatchObject({ positionId: 0, disbursed: false })
        const b = await json(["request", "fund", "--request", "0", "--amount", "400", "--account", ACCOUNTS.lenderB])
        expect(b).toMatchObject({ positionId: 1, disbursed: true })
        expect((await json(["request", "list"])).requests[0]).toMatchObject({ status: "active", raised: (1000n * TUSD).toString() })
    })

    it("a lender transfers its position; only the holder may claim or transfer it", async () => {
        const buyer = await address(ACCOUNTS.buyer)
        const wrong = await cli(["--json", "--yes", "position", "transfer", "--position", "0", "--to", buyer, "--account", ACCOUNTS.lenderB])
        expect(wrong.code).toBe(1)
        expect(jsonError(wrong).code).toBe("NOT_POSITION_HOLDER")
        const moved = await json(["--yes", "position", "transfer", "--position", "0", "--to", buyer, "--account", ACCOUNTS.lenderA])
        expect(moved).toMatchObject({ positionId: 0, to: buyer })
        const mine = await json(["position", "list", "--account", ACCOUNTS.buyer])
        expect(mine.positions.map((p: { id: number }) => p.id)).toEqual([0])
    })

    it("the borrower repays an instalment; the holders claim their pro-rata shares", async () => {
        const nothing = await cli(["--json", "position", "claim", "--position", "0", "--account", ACCOUNTS.buyer])
        expect(jsonError(nothing).code).toBe("NOTHING_TO_CLAIM")
        const paid = await json(["request", "repay", "--request", "0", "--account", ACCOUNTS.borrower])
        const amount = BigInt(paid.amount)
        expect(amount).toBeGreaterThan(0n)
        const buyerClaim = await json(["position", "claim", "--position", "0", "--account", ACCOUNTS.buyer])
        const lenderClaim = await json(["position", "claim", "--position", "1", "--account", ACCOUNTS.lenderB])
        expect(BigInt(buyerClaim.claims[0].amount)).toBe((amount * 600n) / 1000n)
        expect(BigInt(lenderClaim.claims[0].amount)).toBe((amount * 400n) / 1000n)
        const listed = await json(["position", "list", "--all"])
        expect(listed.positions).toHaveLength(2)
    })

    it("a second request is cancelled by its borrower and its lender refunds", async () => {
        await json(["request", "repay", "--request", "0", "--all", "--account", ACCOUNTS.borrower])
        const created = await json(["--yes", "request", "create", "--identity", "me.json", "--amount", "500", "--apr-bps", "900", "--min-score", "500", "--account", ACCOUNTS.borrower])
        expect(created.requestId).toBe(1)
        // the admin keeps the request market's own allowlist: disallowed, funding is refused before anything is sent
        await json(["admin", "disallow-token", "tusd", "--requests", "--account", ACCOUNTS.admin])
        const refused = await cli(["--json", "request", "fund", "--request", "1", "--amount", "100", "--account", ACCOUNTS.lenderA])
        expect(jsonError(refused).code).toBe("TOKEN_NOT_ALLOWED")
        await json(["admin", "allow-token", "tusd", "--requests", "--account", ACCOUNTS.admin])
        const funded = await json(["request", "fund", "--request", "1", "--amount", "100", "--account", ACCOUNTS.lenderA])
        const early = await cli(["--json", "request", "refund", "--position", String(funded.positionId), "--account", ACCOUNTS.lenderA])
        expect(jsonError(early).code).toBe("NOT_REFUNDABLE")
        const notMine = await cli(["--json", "request", "cancel", "--request", "1", "--account", ACCOUNTS.lenderA])
        expect(jsonError(notMine).code).toBe("NOT_BORROWER")
        await json(["request", "cancel", "--request", "1", "--account", ACCOUNTS.borrower])
        const refunded = await json(["request", "refund", "--position", String(funded.positionId), "--account", ACCOUNTS.lenderA])
        expect(refunded.refunds[0]).toMatchObject({ positionId: funded.positionId, amount: (100n * TUSD).toString() })
        const gone = await cli(["--json", "position", "claim", "--position", String(funded.positionId), "--account", ACCOUNTS.lenderA])
        expect(jsonError(gone).code).toBe("UNKNOWN_POSITION")
    })

    it("every command has --help", async () => {
        for (const args of [["request"], ["request", "create"], ["request", "fund"], ["request", "refund"], ["position", "claim"], ["position", "transfer"]]) {
            const result = await cli([...args, "--help"])
            expect(result.code, args.join(" ")).toBe(0)
            expect(result.stdout).toMatch(/Usage: zkcredit/)
        }
    })
})
