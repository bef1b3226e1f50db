/**
 * Issue 4 item 2, "any network": `node scripts/deploy.ts --network remote` deploys to whatever
 * ZKCREDIT_RPC_URL points at with the key in ZKCREDIT_DEPLOYER_KEY (from the environment here;
 * Hardhat's keystore works the same), and writes the deployment file the CLI reads. Tested
 * against a separately started node on a non-default port. Ports 8900-8949.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { Contract, id, JsonRpcProvider, Wallet } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LoanMarketAbi, TrustRegistryAbi } from "../../client/src/generated/abis.ts"
import { parseDeployment } from "../../client/src/deployments.ts"
import { startLocalNode, type LocalNode } from "../../scripts/lib/local-node.ts"
import { jsonError, ROOT, runCli, runDeploy as deploy, runJson } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORT = testPort(8900)
const DEPLOYMENT_ID = `localhost-cli-${PORT}`
// Hardhat's well-known development account #1: worthless, on a local node only
const DEPLOYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
const deployer = new Wallet(DEPLOYER_KEY).address

let node: LocalNode
let dir: string
let provider: JsonRpcProvider

beforeAll(async () => {
    dir = await mkdtemp(`${tmpdir()}/zkcredit-deploy-`)
    node = await startLocalNode({ port: PORT })
    provider = new JsonRpcProvider(node.url, 31337, { cacheTimeout: -1, staticNetwork: true })
})

afterAll(async () => {
    provider?.destroy()
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
    await rm(`${ROOT}ignition/deployments/${DEPLOYMENT_ID}`, { recursive: true, force: true })
})

describe("node scripts/deploy.ts --network remote", () => {
    it("without the URL and key configured: exit 2 naming what to set, nothing deployed", async () => {
        const result = await deploy(["--network", "remote", "--out", `${dir}/none.json`, "--deployment-id", DEPLOYMENT_ID], {})
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(/ZKCREDIT_RPC_URL|ZKCREDIT_DEPLOYER_KEY/)
        expect(await provider.getBlockNumber()).toBe(0)
    })

    it("--allow-token that is not an address, the zero address or not a contract: exit 2 naming it, nothing sent", async () => {
        const env = { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYER_KEY: DEPLOYER_KEY }
        const base = ["--network", "remote", "--deployment-id", DEPLOYMENT_ID, "--out", `${dir}/refused.json`, "--fresh"]
        for (const [value, message] of [
            ["0x1234", /--allow-token "0x1234" is not an address/],
            ["0x0000000000000000000000000000000000000000", /is the zero address/],
            [deployer, new RegExp(`--allow-token ${deployer} is not a contract on this chain`)]
        ] as const) {
            const result = await deploy([...base, "--allow-token", value], env)
            expect(result.code, result.stderr).toBe(2)
            expect(result.stderr).toMatch(message)
        }
        expect(await provider.getBlockNumber()).toBe(0)
    })

    it("deploys with the key from the environment and writes the deployment file", async () => {
        const env = { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYER_KEY: DEPLOYER_KEY }
        const out = `${dir}/deployment.json`
        const result = await deploy(["--network", "remote", "--parameters", "ignition/parameters/localhost.json", "--with-stablecoin", "--deployment-id", DEPLOYMENT_ID, "--out", out, "--fresh"], env)
        expect(result.code, result.stderr).toBe(0)
        // the key is never printed
        expect(result.stdout + result.stderr).not.toContain(DEPLOYER_KEY.slice(2))
        const deployment = parseDeployment(JSON.parse(await readFile(out, "utf8")))
        expect(deployment).toMatchObject({ chainId: 31337, network: "remote" })
        expect(JSON.parse(result.stdout)).toEqual(JSON.parse(await readFile(out, "utf8")))
        for (const address of Object.values(deployment.contracts)) expect(await provider.getCode(address)).not.toBe("0x")
        // deployed by the configured key: it holds the trust registry's three admin roles, and it sent the transactions
        const trust = new Contract(deployment.contracts.trustRegistry, TrustRegistryAbi, provider)
        for (const role of ["DEFAULT_ADMIN_ROLE", "BUREAU_ADMIN_ROLE", "COMMITTEE_ADMIN_ROLE"]) expect(await trust.getFunction("hasRole")(await trust.getFunction(role)(), deployer), role).toBe(true)
        expect(await provider.getTransactionCount(deployer)).toBeGreaterThan(0)
        expect(await trust.getFunction("rootValidity")()).toBe(3600n)
        // the test stablecoin is on the market's token allowlist, so offers can use it at once
        const market = new Contract(deployment.contracts.loanMarket, LoanMarketAbi, provider)
        expect(await market.getFunction("isTokenAllowed")(deployment.contracts.stablecoin)).toBe(true)
    })

    it("the CLI works against that deployment, signing with ZKCREDIT_PRIVATE_KEY", async () => {
        const env = { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYMENT: `${dir}/deployment.json`, ZKCREDIT_PRIVATE_KEY: DEPLOYER_KEY }
        const added = await runJson(["admin", "bureau", "add", "Remote Bureau"], { env, cwd: dir })
        expect(added.bureauId).toBe(1)
        // another account is not the bureau admin: the revert is decoded, naming the role, exit 1
        const refused = await runCli(["--json", "admin", "bureau", "add", "Intruder", "--account", "5"], { env, cwd: dir })
        expect(refused.code).toBe(1)
        expect(jsonError(refused)).toMatchObject({ code: "CONTRACT_REVERT", revert: { name: "AccessControlUnauthorizedAccount", args: { neededRole: id("zkcredit.BureauRegistry.ADMIN_ROLE") } } })
        expect(jsonError(refused).message).toContain("does not have BUREAU_ADMIN_ROLE")
        const list = await runJson(["admin", "bureau", "list"], { env, cwd: dir })
        expect(list.bureaus).toEqual([{ bureauId: 1, name: "Remote Bureau" }])
    })

    it("a missing deployment file is bad input (2); a chain without the contracts is exit 3", async () => {
        const none = await runCli(["--json", "borrower", "offers"], { env: { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYMENT: `${dir}/nothing.json` }, cwd: dir })
        expect(none.code).toBe(2)
        expect(jsonError(none).message).toContain("nothing.json does not exist")
        // a deployment whose contracts are not on this chain (e.g. the node was restarted)
        const other = { ...JSON.parse(await readFile(`${dir}/deployment.json`, "utf8")), contracts: { trustRegistry: deployer, creditVerifier: deployer, loanMarket: deployer } }
        await writeFile(`${dir}/stale.json`, JSON.stringify(other))
        const stale = await runCli(["--json", "borrower", "offers"], { env: { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYMENT: `${dir}/stale.json` }, cwd: dir })
        expect(stale.code).toBe(3)
        expect(jsonError(stale).code).toBe("NO_DEPLOYMENT")
    })
})
