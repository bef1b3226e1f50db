/**
 * Positions of loans taken from offers through the `zkcredit` CLI only, on a real local node: a
 * lender's offer, a borrower's loan (a real proof), one instalment to the offer; the lender opens
 * the loan's position (`lender open-position`), transfers it (`position transfer --loan`), the
 * next instalment reaches the new holder, who claims it (`position claim --loan`); `position
 * list` shows it. Typed errors: a second opening, a caller that is not the lender, a claim by the
 * first owner, an empty claim, both or neither of --position and --loan. Port 8790. The
 * steps share state: they run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jsonError, prepareBorrowerPlatform, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"
import { testPort } from "../helpers/ports.ts"

const CHAIN_PORT = testPort(8790)
const ACCOUNTS = { admin: "0", officer: "1", lender: "2", borrower: "4", buyer: "5" }

let chain: TestChain
// in this process, but for the commands that prove (child processes of the real binary)
const { cli, json, address } = inProcessChainRunners(() => chain)

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
    await prepareBorrowerPlatform(chain, json, { admin: ACCOUNTS.admin, officer: ACCOUNTS.officer, funded: [ACCOUNTS.lender, ACCOUNTS.borrower] })
    await json(["lender", "offer", "create", "--capacity", "8000", "--tiers", "500:1200:3000", "--term-days", "90", "--instalments", "3", "--grace-days", "3", "--default-days", "30", "--late-fee", "5", "--account", ACCOUNTS.lender])
    await json(["borrower", "borrow", "--identity", "me.json", "--offer", "0", "--amount", "1000", "--account", ACCOUNTS.borrower])
    await json(["borrower", "repay", "--loan", "0", "--account", ACCOUNTS.borrower])
}, 400_000)

afterAll(async () => {
    await chain?.stop()
})

describe("zkcredit lender open-position and position --loan on a local node", () => {
    it("open-position refuses another account and an unknown loan", async () => {
        const stranger = await cli(["--json", "--yes", "lender", "open-position", "--loan", "0", "--account", ACCOUNTS.buyer])
        expect(stranger.code).toBe(1)
        expect(jsonError(stranger).code).toBe("NOT_OFFER_LENDER")
        const unknown = await cli(["--json", "--yes", "lender", "open-position", "--loan", "7", "--account", ACCOUNTS.lender])
        expect(unknown.code).toBe(2)
        expect(jsonError(unknown).code).toBe("UNKNOWN_LOAN")
    })

    it("the lender opens the loan's position; a second opening is refused; an empty claim is refused", async () => {
        const opened = await json(["--yes", "lender", "open-position", "--loan", "0", "--account", ACCOUNTS.lender])
        expect(opened).toMatchObject({ loanId: 0, positionId: 0, offerId: 0, holder: await address(ACCOUNTS.lender) })
        const again = await cli(["--json", "--yes", "lender", "open-position", "--loan", "0", "--account", ACCOUNTS.lender])
        expect(jsonError(again).code).toBe("POSITION_ALREADY_OPEN")
        const empty = await cli(["--json", "position", "claim", "--loan", "0", "--account", ACCOUNTS.lender])
        expect(jsonError(empty).code).toBe("NOTHING_TO_CLAIM")
    })

    it("after a transfer the next instalment reaches the new holder, not the lender", async () => {
        const buyer = await address(ACCOUNTS.buyer)
        const moved = await json(["--yes", "position", "transfer", "--loan", "0", "--to", buyer, "--account", ACCOUNTS.lender])
        expect(moved).toMatchObject({ loanId: 0, to: buyer })
        const repaid = await json(["borrower", "repay", "--loan", "0", "--account", ACCOUNTS.borrower])
        const listed = await json(["position", "list", "--account", ACCOUNTS.buyer])
        expect(listed.offerPositions).toHaveLength(1)
        expect(listed.offerPositions[0]).toMatchObject({ loanId: 0, offerId: 0, status: "active", received: repaid.paid, claimable: repaid.paid })
        expect((await json(["position", "list", "--account", ACCOUNTS.lender])).offerPositions).toEqual([])
        const byLender = await cli(["--json", "position", "claim", "--loan", "0", "--account", ACCOUNTS.lender])
        expect(jsonError(byLender).code).toBe("NOT_POSITION_HOLDER")
        const claimed = await json(["position", "claim", "--loan", "0", "--account", ACCOUNTS.buyer])
        expect(claimed.claims).toEqual([expect.objectContaining({ loanId: 0, amount: repaid.paid })])
        const human = await cli(["position", "list", "--all"])
        expect(human.code).toBe(0)
        expect(human.stdout).toContain("loan position")
    })

    it("claim and transfer want exactly one of --position and --loan", async () => {
        for (const args of [["position", "claim"], ["position", "claim", "--position", "0", "--loan", "0"], ["position", "transfer", "--to", await address(ACCOUNTS.lender)]]) {
            const result = await cli(["--json", ...args, "--account", ACCOUNTS.buyer])
            expect(result.code).toBe(2)
            expect(jsonError(result).code).toBe("INVALID_POSITION")
        }
    })
})
