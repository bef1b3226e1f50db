/**
 * Proof anchors through the CLI on a real local node: `zkcredit anchors prepare` prepares the
 * current root's anchor with each active bureau key and committee key in each market, and a
 * second run prepares none; a bad `--root` exits 2 and sends nothing; `officer add`, `remove` and
 * `replace` prepare the new root's anchors unless `--no-anchors`, and a failure there after the
 * publish is a warning beside the publish's result; `admin bureau-key add` and `committee register`
 * prepare the current root's anchors with the new key (none before any root, none for a key active
 * only later, none with `--no-anchors`). Then the client's listAnchors and
 * prepareAnchors directly: keys active at another time, their argument checks, and the anchor id
 * the contract computes. The chain has two active bureau keys' worth of history (one revoked, one
 * not active yet) so the listing's filter is seen. Port 8775. The steps share state: they run in order.
 */
import { writeFile } from "node:fs/promises"
import { Contract } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { anchorIdOf, anchorKeeper, listAnchors, prepareAnchors, type Anchor } from "../../client/src/anchors.ts"
import { connectContracts } from "../../client/src/contracts.ts"
import { CreditVerifierAbi, KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { runCommittee } from "../helpers/committee.ts"
import { testPort } from "../helpers/ports.ts"
import { jsonError, startTestChain, type TestChain } from "./helpers.ts"
import { inProcessChainRunners } from "./in-process.ts"

const CHAIN_PORT = testPort(8775)
/** Node accounts: 0 admin, 1 officer, 5 anyone (no role). */
const ACCOUNTS = { admin: "0", officer: "1", anyone: "5" }
const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const DAY = 86_400

let chain: TestChain
const { cli, json, address } = inProcessChainRunners(() => chain)

/** The chain's facts for one test: the keys, the markets' scopes, the committee key. */
const world = { activeKey: 0n, revokedKey: 0n, laterKey: 0n, laterFrom: 0, committeeKeyY: 0n, scopes: [] as bigint[], roots: [] as bigint[], unanchoredRoot: 0n, anchorsBeforeRoot: undefined as unknown }

const verifier = () => new Contract(chain.deployment.contracts.creditVerifier, CreditVerifierAbi, chain.provider)
/** Where each market's anchors are kept, in `world.scopes` order: the loan market, then the verifier (request market). */
const keepers = () => [anchorKeeper(connectContracts(chain.deployment, chain.provider), "loanMarket"), anchorKeeper(connectContracts(chain.deployment, chain.provider), "requestMarket")]
const kycRegistry = () => new Contract(chain.deployment.contracts.trustRegistry, KycRegistryAbi, chain.provider)
const currentRoot = async () => (await kycRegistry().getFunction("currentRoot")()) as bigint

/** Whether each anchor of `root` with the active bureau key and the committee key is prepared, by market. */
async function preparedOnChain(root: bigint): Promise<boolean[]> {
    return Promise.all(world.scopes.map((scope, i) => keepers()[i]!.getFunction("anchorPrepared")(root, world.activeKey, world.committeeKeyY, scope) as Promise<boolean>))
}

/** What a sent transaction would change: the nonces of the officer and of the anyone account, and the block number. */
async function sentState(): Promise<number[]> {
    const p = chain.provider
    return [await p.getTransactionCount(await address(ACCOUNTS.officer)), await p.getTransactionCount(await address(ACCOUNTS.anyone)), await p.getBlockNumber()]
}

beforeAll(async () => {
    chain = await startTestChain(CHAIN_PORT)
    const now = (await chain.provider.getBlock("latest"))!.timestamp
    for (const name of ["active", "revoked", "later"]) await json(["bureau", "key", "create", "--out", `${name}-key.json`])
    await json(["admin", "bureau", "add", "Pearl River Credit", "--account", ACCOUNTS.admin])
    const first = await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "active-key.json", "--valid-days", "30", "--account", ACCOUNTS.admin])
    world.activeKey = BigInt(first.keyHash)
    world.anchorsBeforeRoot = first.anchors
    world.revokedKey = BigInt((await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "revoked-key.json", "--account", ACCOUNTS.admin])).keyHash)
    await json(["admin", "bureau-key", "revoke", String(world.revokedKey), "--account", ACCOUNTS.admin])
    world.laterFrom = now + 10 * DAY
    world.laterKey = BigInt((await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "later-key.json", "--valid-from", String(world.laterFrom), "--account", ACCOUNTS.admin])).keyHash)
    await json(["admin", "officer", "grant", await address(ACCOUNTS.officer), "--account", ACCOUNTS.admin])
    const committee = runCommittee()
    await writeFile(`${chain.dir}/committee-key.json`, JSON.stringify(committee.committeeKey))
    const authorities = await Promise.all([ACCOUNTS.admin, ACCOUNTS.officer, ACCOUNTS.anyone].map(address))
    const registered = await json(["committee", "register", "--committee-key", "committee-key.json", "--accounts", authorities.join(","), "--registry", chain.deployment.contracts.trustRegistry, "--account", ACCOUNTS.admin])
    world.committeeKeyY = BigInt(registered.committeeKeyY)
    const contracts = connectContracts(chain.deployment, chain.provider)
    world.scopes = [(await contracts.loanMarket.getFunction("scope")()) as bigint, (await contracts.requestMarket!.getFunction("scope")()) as bigint]
})

afterAll(async () => {
    await chain?.stop()
})

describe("zkcredit anchors and the officer's anchors", () => {
    it("officer add --no-anchors publishes the root and prepares none of its anchors", async () => {
        await writeFile(`${chain.dir}/members.csv`, "commitment\n1001\n1002\n1003\n")
        const added = await json(["officer", "add", "members.csv", "--no-anchors", "--account", ACCOUNTS.officer])
        world.roots.push(BigInt(added.root))
        expect(added).toMatchObject({ added: 3, anchors: null })
        expect(await currentRoot()).toBe(BigInt(added.root))
        expect(await preparedOnChain(BigInt(added.root))).toEqual([false, false])
    })

    it("anchors prepare, by an account with no role, prepares the root with the active bureau key and the committee key in both markets; a second run prepares none", async () => {
        const root = world.roots[0]!
        const first = await json(["anchors", "prepare", "--account", ACCOUNTS.anyone])
        expect(first).toMatchObject({ kycRoot: root.toString(), bureauKeyHashes: [world.activeKey.toString()], committeeKeyYs: [world.committeeKeyY.toString()], alreadyPrepared: [] })
        expect(first.markets.map((m: { market: string; scope: string }) => [m.market, m.scope])).toEqual([
            ["loanMarket", world.scopes[0]!.toString()],
            ["requestMarket", world.scopes[1]!.toString()]
        ])
        expect(first.prepared.map((a: { market: string }) => a.market)).toEqual(["loanMarket", "requestMarket"])
        for (const [i, anchor] of (first.prepared as { anchorId: string; bureauKeyHash: string; committeeKeyY: string; scope: string; transactionHash: string }[]).entries()) {
            expect(anchor).toMatchObject({ bureauKeyHash: world.activeKey.toString(), committeeKeyY: world.committeeKeyY.toString(), scope: world.scopes[i]!.toString() })
            expect(anchor.anchorId).toBe(await verifier().getFunction("anchorIdOf")(root, world.activeKey, world.committeeKeyY, world.scopes[i]))
            expect((await chain.provider.getTransactionReceipt(anchor.transactionHash))!.status).toBe(1)
        }
        expect(await preparedOnChain(root)).toEqual([true, true])

        const before = await sentState()
        const second = await json(["anchors", "prepare", "--account", ACCOUNTS.anyone])
        expect(second.prepared).toEqual([])
        expect(second.alreadyPrepared.map((a: { anchorId: string }) => a.anchorId)).toEqual(first.prepared.map((a: { anchorId: string }) => a.anchorId))
        expect(await sentState()).toEqual(before)
        const human = await cli(["anchors", "prepare", "--account", ACCOUNTS.anyone])
        expect(human.code).toBe(0)
        expect(human.stdout).toContain(`root ${root}: 1 bureau key(s) x 1 committee key(s) x 2 market(s); prepared 0, prepared already 2`)
    })

    it("officer add prepares the new root's anchors after the last batch", async () => {
        await writeFile(`${chain.dir}/more.csv`, "commitment\n2001\n2002\n2003\n")
        const added = await json(["officer", "add", "more.csv", "--batch-size", "2", "--account", ACCOUNTS.officer])
        const root = BigInt(added.root)
        world.roots.push(root)
        expect(added.batches).toHaveLength(2)
        expect(added.anchors.kycRoot).toBe(root.toString())
        expect(added.anchors.prepared.map((a: { kycRoot: string; market: string }) => [a.kycRoot, a.market])).toEqual([
            [root.toString(), "loanMarket"],
            [root.toString(), "requestMarket"]
        ])
        expect(added.anchors.alreadyPrepared).toEqual([])
        // the anchors follow the batches: the root they are for is the last batch's
        const lastBatch = added.batches[1] as { blockNumber: number }
        for (const anchor of added.anchors.prepared as { blockNumber: number }[]) expect(anchor.blockNumber).toBeGreaterThan(lastBatch.blockNumber)
        expect(await preparedOnChain(root)).toEqual([true, true])
        // the first batch's root was current only between the two batches: nothing anchors it
        const firstBatchRoot = BigInt((added.batches[0] as { root: string }).root)
        expect(await preparedOnChain(firstBatchRoot)).toEqual([false, false])
    })

    it("--root: a root still valid is anchored (here: all there already); a bad, unpublished or revoked one is refused with exit 2 and nothing sent", async () => {
        const older = world.roots[0]!
        const again = await json(["anchors", "prepare", "--root", `0x${older.toString(16)}`, "--account", ACCOUNTS.anyone])
        expect(again).toMatchObject({ kycRoot: older.toString(), prepared: [] })
        expect(again.alreadyPrepared).toHaveLength(2)

        await json(["officer", "revoke-root", older.toString(), "--account", ACCOUNTS.officer])
        const refusals: [string, string, RegExp][] = [
            [P.toString(), "NOT_A_FIELD_ELEMENT", /--root .*not below the BN254 scalar field/],
            ["0x12g", "INVALID_COMMITMENT", /--root must be .* decimal or 0x-hex integer, got "0x12g"/],
            ["", "INVALID_COMMITMENT", /--root must be .* decimal or 0x-hex integer, got ""/],
            ["12345", "INVALID_ROOT", /^--root: root 12345 was never published by the KYC registry/],
            [older.toString(), "INVALID_ROOT", new RegExp(`^--root: root ${older} is revoked`)]
        ]
        for (const [value, code, message] of refusals) {
            const before = await sentState()
            const result = await cli(["--json", "anchors", "prepare", "--root", value, "--account", ACCOUNTS.anyone])
            expect([value, result.code, result.stdout]).toEqual([value, 2, ""])
            expect(jsonError(result).code).toBe(code)
            expect(jsonError(result).message).toMatch(message)
            expect(await sentState()).toEqual(before)
        }
    })

    it("officer remove --no-anchors prepares none; officer replace prepares the new root's", async () => {
        const removed = await json(["officer", "remove", "0", "--no-anchors", "--account", ACCOUNTS.officer])
        expect(removed.anchors).toBeNull()
        expect(await preparedOnChain(BigInt(removed.root))).toEqual([false, false])
        world.unanchoredRoot = BigInt(removed.root)
        const replaced = await json(["officer", "replace", "1", "3001", "--account", ACCOUNTS.officer])
        expect(replaced.anchors.prepared).toHaveLength(2)
        expect(await preparedOnChain(BigInt(replaced.root))).toEqual([true, true])
        world.roots.push(BigInt(replaced.root))
    })

    it("a failure to prepare the anchors after a publish is a warning after the publish's result, which stands", async () => {
        // a deployment file whose credit verifier is another contract: the publish goes to the registry, the anchors fail
        const broken = { ...chain.deployment, contracts: { ...chain.deployment.contracts, creditVerifier: chain.deployment.contracts.trustRegistry } }
        await writeFile(`${chain.dir}/broken-deployment.json`, JSON.stringify(broken))
        const env = { ZKCREDIT_DEPLOYMENT: "broken-deployment.json" }
        const human = await cli(["officer", "replace", "2", "3002", "--account", ACCOUNTS.officer], env)
        expect(human.code, human.stderr).toBe(0)
        const root = await currentRoot()
        expect(human.stdout).toContain(`replaced the member at index 2; new root ${root}`)
        expect(human.stdout).toContain("proof anchors: not prepared (see the warning)")
        expect(human.stderr).toContain(`warning: the root ${root} is published, but its proof anchors were not prepared, so borrows under it cost about 27,000 gas more until someone runs \`zkcredit anchors prepare\`: the transaction reverted`)
        expect(await preparedOnChain(root)).toEqual([false, false])

        const asJson = await cli(["--json", "officer", "remove", "2", "--account", ACCOUNTS.officer], env)
        expect(asJson.code, asJson.stderr).toBe(0)
        const result = JSON.parse(asJson.stdout)
        expect(result).toMatchObject({ removed: 2, root: (await currentRoot()).toString() })
        expect(result.anchors.kycRoot).toBe(result.root)
        expect(result.anchors.error.code).toBe("CONTRACT_REVERT")
        expect(result.anchors.error.message).toMatch(/^the transaction reverted/)
        // the root is published all the same: anyone prepares its anchors later
        const later = await json(["anchors", "prepare", "--account", ACCOUNTS.anyone])
        expect([later.kycRoot, later.prepared.length]).toEqual([result.root, 2])
    })

    it("a bureau key registered before any root prepares nothing: no root yet is no failure", async () => {
        expect(world.anchorsBeforeRoot).toEqual({ kycRoot: null, prepared: [], alreadyPrepared: [], none: expect.stringContaining("has published no root yet") })
    })

    it("a bureau key or committee key registered now prepares the current root's anchors with it in both markets; one active later, or --no-anchors, prepares none", async () => {
        const root = await currentRoot()
        const now = (await chain.provider.getBlock("latest"))!.timestamp
        const futureKey = (await json(["bureau", "key", "create", "--out", "future-key.json"])).keyHash as string
        for (const name of ["rotated", "quiet"]) await json(["bureau", "key", "create", "--out", `${name}-key.json`])
        const rotated = await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "rotated-key.json", "--account", ACCOUNTS.admin])
        expect(rotated.anchors.kycRoot).toBe(root.toString())
        expect(rotated.anchors.prepared.map((a: { bureauKeyHash: string; committeeKeyY: string; market: string }) => [a.bureauKeyHash, a.committeeKeyY, a.market])).toEqual([
            [rotated.keyHash, world.committeeKeyY.toString(), "loanMarket"],
            [rotated.keyHash, world.committeeKeyY.toString(), "requestMarket"]
        ])
        // the active key's anchors were there: found, not sent again
        expect(rotated.anchors.alreadyPrepared.map((a: { bureauKeyHash: string }) => a.bureauKeyHash)).toEqual([world.activeKey.toString(), world.activeKey.toString()])
        for (const [i, scope] of world.scopes.entries()) expect(await keepers()[i]!.getFunction("anchorPrepared")(root, BigInt(rotated.keyHash), world.committeeKeyY, scope)).toBe(true)

        const before = await sentState()
        const future = await cli(["admin", "bureau-key", "add", "--bureau", "1", "--key", "future-key.json", "--valid-from", String(now + 5 * DAY), "--account", ACCOUNTS.admin])
        expect(future.code, future.stderr).toBe(0)
        expect(future.stdout).toContain("proof anchors: none yet (the bureau key ")
        expect(future.stdout).toContain("run `zkcredit anchors prepare` then")
        const quiet = await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "quiet-key.json", "--no-anchors", "--account", ACCOUNTS.admin])
        expect(quiet.anchors).toBeNull()
        // two registrations by the admin, no anchor transaction by anyone
        const after = await sentState()
        expect([after[0], after[1]]).toEqual([before[0], before[1]])
        expect(after[2]).toBe(before[2]! + 2)
        for (const [i, scope] of world.scopes.entries()) expect(await keepers()[i]!.getFunction("anchorPrepared")(root, BigInt(quiet.keyHash), world.committeeKeyY, scope)).toBe(false)

        const committee = runCommittee()
        await writeFile(`${chain.dir}/second-committee-key.json`, JSON.stringify(committee.committeeKey))
        const authorities = await Promise.all([ACCOUNTS.admin, ACCOUNTS.officer, ACCOUNTS.anyone].map(address))
        const second = await json(["committee", "register", "--committee-key", "second-committee-key.json", "--accounts", authorities.join(","), "--account", ACCOUNTS.admin])
        const secondY = second.committeeKeyY as string
        // every missing anchor of the current root, by bureau key, committee key and market: each active
        // bureau key (the first, the rotated, the quiet one) with the new committee key, and the quiet
        // key with the first committee key too (missing since its --no-anchors)
        const first = world.committeeKeyY.toString()
        const pairs = [[world.activeKey.toString(), secondY], [rotated.keyHash, secondY], [quiet.keyHash, first], [quiet.keyHash, secondY]]
        expect(second.anchors.prepared.map((a: { bureauKeyHash: string; committeeKeyY: string }) => [a.bureauKeyHash, a.committeeKeyY])).toEqual(pairs.flatMap((p) => [p, p]))
        expect(second.anchors.alreadyPrepared).toHaveLength(4)

        // leave the chain as the client tests below expect it: one active bureau key (and one valid later), one committee key
        for (const key of [rotated.keyHash, futureKey, quiet.keyHash]) await json(["admin", "bureau-key", "revoke", key, "--account", ACCOUNTS.admin])
        await json(["committee", "revoke", secondY, "--account", ACCOUNTS.admin])
    })
})

describe("client: listAnchors and prepareAnchors", () => {
    /** The error a call rejects with. */
    async function rejection(call: () => Promise<unknown>): Promise<unknown> {
        return call().then(
            () => new Error("resolved"),
            (error: unknown) => error
        )
    }

    it("lists the keys active at the time asked: a key valid later is listed then, a revoked one never", async () => {
        const contracts = connectContracts(chain.deployment, chain.provider)
        const params = { provider: chain.provider, deployment: chain.deployment, contracts }
        const now = await listAnchors(params)
        expect(now.bureauKeyHashes).toEqual([world.activeKey])
        expect(now.committeeKeyYs).toEqual([world.committeeKeyY])
        expect(now.kycRoot).toBe(await currentRoot())
        const later = await listAnchors({ ...params, time: world.laterFrom + 1 })
        expect(later.bureauKeyHashes).toEqual([world.activeKey, world.laterKey])
        expect(later.time).toBe(world.laterFrom + 1)
        // by bureau key, then committee key, then market
        expect(later.anchors.map((a) => [a.bureauKeyHash, a.market])).toEqual([
            [world.activeKey, "loanMarket"],
            [world.activeKey, "requestMarket"],
            [world.laterKey, "loanMarket"],
            [world.laterKey, "requestMarket"]
        ])
        for (const anchor of later.anchors) expect(anchorIdOf(anchor)).toBe(await verifier().getFunction("anchorIdOf")(anchor.kycRoot, anchor.bureauKeyHash, anchor.committeeKeyY, anchor.scope))
        const given = await listAnchors({ ...params, kycRoot: world.roots[1]! })
        expect(given.kycRoot).toBe(world.roots[1]!)
    })

    it("checks its arguments up front, naming the parameter", async () => {
        const contracts = connectContracts(chain.deployment, chain.provider)
        const params = { provider: chain.provider, deployment: chain.deployment, contracts }
        // thunks: a promise made early would reject before its turn, unhandled
        const cases: [() => Promise<unknown>, string, string, RegExp][] = [
            [() => listAnchors({ ...params, kycRoot: P }), "NOT_A_FIELD_ELEMENT", "kycRoot", /kycRoot must be an integer in \[0, SNARK_SCALAR_FIELD\)/],
            [() => listAnchors({ ...params, kycRoot: world.roots[0]! }), "INVALID_ARGUMENT", "kycRoot", /is revoked/],
            [() => listAnchors({ ...params, kycRoot: 777n }), "INVALID_ARGUMENT", "kycRoot", /root 777 was never published/],
            [() => listAnchors({ ...params, time: -1 }), "INVALID_ARGUMENT", "time", /time must be a unix time/],
            [() => prepareAnchors({ contracts, anchors: [] }), "INVALID_ARGUMENT", "contracts", /connected to a signer/],
            [() => prepareAnchors({ contracts, anchors: [{ kycRoot: 1n, bureauKeyHash: 2n, committeeKeyY: 3n, market: "elsewhere", scope: 4n } as unknown as Anchor] }), "INVALID_ARGUMENT", "anchors[0].market", /anchors\[0\]\.market must be one of loanMarket, requestMarket/],
            [() => prepareAnchors({ contracts, anchors: [{ kycRoot: 1n, bureauKeyHash: P, committeeKeyY: 3n, market: "loanMarket", scope: 4n }] }), "NOT_A_FIELD_ELEMENT", "anchors[0].bureauKeyHash", /bureauKeyHash must be an integer/]
        ]
        for (const [call, code, parameter, message] of cases) {
            const error = await rejection(call)
            expect(isZkCreditError(error, code as never), String(error)).toBe(true)
            expect((error as { parameter: string }).parameter).toBe(parameter)
            expect((error as Error).message).toMatch(message)
        }
    })

    it("prepares only what is missing, reports what was there, and counts one prepared meanwhile as there", async () => {
        const signer = await chain.provider.getSigner(Number(ACCOUNTS.anyone))
        const contracts = connectContracts(chain.deployment, signer)
        const plan = await listAnchors({ provider: chain.provider, deployment: chain.deployment, contracts })
        const calls: number[][] = []
        const first = await prepareAnchors({ contracts, anchors: plan.anchors, onPrepared: (_anchor, sent, toSend) => calls.push([sent, toSend]) })
        // `anchors prepare` prepared the current root's in the test before
        expect([first.prepared.length, first.alreadyPrepared.length, calls.length]).toEqual([0, 2, 0])
        // the root `officer remove --no-anchors` published, replaced since but still valid: none of its anchors is prepared
        const older = await listAnchors({ provider: chain.provider, deployment: chain.deployment, contracts, kycRoot: world.unanchoredRoot })
        const loanMarketOnly = older.anchors.filter((a) => a.market === "loanMarket")
        const done = await prepareAnchors({ contracts, anchors: loanMarketOnly, onPrepared: (_anchor, sent, toSend) => calls.push([sent, toSend]) })
        expect([done.prepared.length, done.alreadyPrepared.length]).toEqual([1, 0])
        expect(done.prepared[0]).toMatchObject({ kycRoot: world.unanchoredRoot, market: "loanMarket", anchorId: anchorIdOf(loanMarketOnly[0]!) })
        expect(calls).toEqual([[1, 1]])
        expect(await preparedOnChain(world.unanchoredRoot)).toEqual([true, false])
        // the same anchor twice: both read as missing, the second send reverts AnchorAlreadyPrepared, as when someone else prepared it meanwhile
        const requestMarket = older.anchors.find((a) => a.market === "requestMarket")!
        const twice = await prepareAnchors({ contracts, anchors: [requestMarket, requestMarket] })
        expect([twice.prepared.map((a) => a.anchorId), twice.alreadyPrepared.map((a) => a.anchorId)]).toEqual([[anchorIdOf(requestMarket)], [anchorIdOf(requestMarket)]])
        expect(await preparedOnChain(world.unanchoredRoot)).toEqual([true, true])
    })
})
