/**
 * `zkcredit admin allow-token` / `disallow-token` / `tokens` on a real local node: the deployment
 * allowed the test stablecoin; the admin disallows and allows it again; a lender's offer or
 * deposit in a token that is not allowed is refused before anything is sent (exit 2), and so is
 * every bad address, with one line. Port 9010 (+ ZKCREDIT_TEST_PORT_OFFSET).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { jsonError, runCli, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"
import { testPort } from "../helpers/ports.ts"

const ADMIN = "0"
const LENDER = "2"
let chain: TestChain
let stablecoin: string
// in this process (one command at a time); a few cases below also as child processes of the real binary
const { cli, json } = inProcessChainRunners(() => chain)
const child = (args: string[]) => runCli(args, { env: chain.env, cwd: chain.dir })

/** Nonces of the admin and the lender, and the block: what a sent transaction would change. */
async function sentState(): Promise<number[]> {
    const accounts = await Promise.all([ADMIN, LENDER].map(async (i) => (await chain.provider.getSigner(Number(i))).address))
    return [await chain.provider.getBlockNumber(), ...(await Promise.all(accounts.map((a) => chain.provider.getTransactionCount(a))))]
}

/** Runs commands that must be refused as bad input (with `run`: in this process or as child processes), at once: each exits 2 with one line on stderr matching its pattern, and nothing is sent. */
async function expectBadInput(run: typeof cli, ...cases: [string[], RegExp][]): Promise<void> {
    const before = await sentState()
    const results = await Promise.all(cases.map(([args]) => run(args)))
    results.forEach((result, i) => {
        expect(result.code, result.stderr).toBe(2)
        expect(result.stderr.trim().split("\n"), result.stderr).toHaveLength(1)
        expect(result.stderr).toMatch(cases[i]![1])
    })
    expect(await sentState()).toEqual(before)
}

beforeAll(async () => {
    chain = await startTestChain(testPort(9010))
    stablecoin = chain.deployment.contracts.stablecoin!
    // the lender holds test dollars for the offers below
    await json(["lender", "faucet", "--amount", "5000", "--account", LENDER])
})

afterAll(async () => {
    await chain?.stop()
})

describe("zkcredit admin allow-token / disallow-token / tokens", () => {
    it("the deployment allowed the test stablecoin: `admin tokens` lists it", async () => {
        const listed = await json(["admin", "tokens"])
        expect(listed.tokens).toEqual([{ token: stablecoin, symbol: "tUSD" }])
    })

    it("disallowing it stops new offers and deposits (exit 2, nothing sent); allowing it again lets them through", async () => {
        const created = await json(["lender", "offer", "create", "--capacity", "1000", "--tiers", "600:1500:500", "--account", LENDER])
        const disallowed = await json(["admin", "disallow-token", "tusd", "--account", ADMIN])
        expect(disallowed).toMatchObject({ token: stablecoin, symbol: "tUSD", allowed: false })
        expect((await json(["admin", "tokens"])).tokens).toEqual([])

        await expectBadInput(cli, [["lender", "offer", "create", "--capacity", "1000", "--tiers", "600:1500:500", "--account", LENDER], /not on the market's token allowlist.*admin allow-token/])
        const before = await sentState()
        const refused = await cli(["--json", "lender", "deposit", "--offer", String(created.offerId), "--amount", "10", "--account", LENDER])
        expect(refused.code).toBe(2)
        expect(jsonError(refused)).toMatchObject({ code: "TOKEN_NOT_ALLOWED", token: stablecoin })
        expect(await sentState()).toEqual(before)
        // what is in the offer still comes out
        const withdrawn = await json(["lender", "withdraw", "--offer", String(created.offerId), "--amount", "100", "--account", LENDER])
        expect(withdrawn.withdrawn).toBe("100000000")

        const allowed = await json(["admin", "allow-token", stablecoin.toLowerCase(), "--account", ADMIN])
        expect(allowed).toMatchObject({ token: stablecoin, allowed: true })
        await json(["lender", "deposit", "--offer", String(created.offerId), "--amount", "10", "--account", LENDER])
        expect((await json(["admin", "tokens"])).tokens).toEqual([{ token: stablecoin, symbol: "tUSD" }])
    })

    it("bad addresses are bad input: exit 2 with one line, nothing sent", async () => {
        const market = chain.deployment.contracts.loanMarket
        const eoa = (await chain.provider.getSigner(7)).address
        // as child processes: the real binary
        await expectBadInput(
            child,
            [["admin", "allow-token", "0x1234", "--account", ADMIN], /<address> must be a 0x address of 40 hex digits/],
            [["admin", "allow-token", "0x0000000000000000000000000000000000000000", "--account", ADMIN], /zero address/],
            [["admin", "allow-token", eoa, "--account", ADMIN], /is not a contract on this chain/],
            // a contract that is not an ERC-20 is not a token to allow
            [["admin", "allow-token", market, "--account", ADMIN], /not an ERC-20 token/],
            [["admin", "disallow-token", eoa, "--account", ADMIN], /is not a contract on this chain/]
        )
    })

    it("a change that changes nothing fails (exit 1, ALREADY); a non-admin is refused by the contract (exit 1)", async () => {
        const [again, intruder] = await Promise.all([cli(["--json", "admin", "allow-token", "tusd", "--account", ADMIN]), cli(["--json", "admin", "disallow-token", "tusd", "--account", LENDER])])
        expect(again.code).toBe(1)
        expect(jsonError(again)).toMatchObject({ code: "ALREADY" })
        expect(intruder.code).toBe(1)
        expect(jsonError(intruder)).toMatchObject({ code: "CONTRACT_REVERT", revert: { name: "AccessControlUnauthorizedAccount" } })
        expect((await json(["admin", "tokens"])).tokens).toEqual([{ token: stablecoin, symbol: "tUSD" }])
    })
})
