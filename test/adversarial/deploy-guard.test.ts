/**
 * The deployment guard: `node scripts/deploy.ts` refuses to send the INSECURE development verifier
 * (public trusted setup: anyone can forge proofs) to a chain other than the local one (31337)
 * unless the operator passes `--allow-insecure-dev-verifier`. Against a real `hardhat node` started
 * with another chain id, on port 8960 (+ ZKCREDIT_TEST_PORT_OFFSET).
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { isDevelopmentVerifier, LOCAL_CHAIN_ID, requireVerifierAllowed, InsecureVerifierError } from "../../scripts/lib/deploy.ts"
import { killProcessGroup, rpcChainId, waitFor } from "../../scripts/lib/local-node.ts"
import { ROOT, runDeploy, type CliResult } from "../cli/helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORT = testPort(8960)
const URL_ = `http://127.0.0.1:${PORT}`
const CHAIN_ID = 11155111n
const DEPLOYMENT_ID = `guard-${PORT}`
// Hardhat's well-known development account #1: worthless, on a local node only
const DEPLOYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

let node: ChildProcess
let dir: string
let provider: JsonRpcProvider

/** `scripts/deploy.ts` to the test chain, with `args` after the fixed ones. */
function deploy(args: string[]): Promise<CliResult> {
    const fixed = ["--network", "remote", "--deployment-id", DEPLOYMENT_ID, "--out", `${dir}/deployment.json`, "--fresh"]
    return runDeploy([...fixed, ...args], { ZKCREDIT_RPC_URL: URL_, ZKCREDIT_DEPLOYER_KEY: DEPLOYER_KEY })
}

beforeAll(async () => {
    dir = await mkdtemp(`${tmpdir()}/zkcredit-guard-`)
    node = spawn(process.execPath, [`${ROOT}node_modules/hardhat/dist/src/cli.js`, "node", "--hostname", "127.0.0.1", "--port", String(PORT), "--chain-id", String(CHAIN_ID)], { cwd: ROOT, detached: true, stdio: "ignore" })
    await waitFor(async () => (await rpcChainId(URL_)) !== undefined, 60_000, `the chain on ${URL_}`)
    provider = new JsonRpcProvider(URL_, Number(CHAIN_ID), { cacheTimeout: -1, staticNetwork: true })
})

afterAll(async () => {
    provider?.destroy()
    if (node) await killProcessGroup(node)
    await rm(dir, { recursive: true, force: true })
    await rm(`${ROOT}ignition/deployments/${DEPLOYMENT_ID}`, { recursive: true, force: true })
})

describe("deploying the development verifier", () => {
    it("the committed verifier is the development one, and the guard passes only the local chain without the flag", () => {
        expect(isDevelopmentVerifier()).toBe(true)
        expect(() => requireVerifierAllowed(LOCAL_CHAIN_ID)).not.toThrow()
        expect(() => requireVerifierAllowed(1n)).toThrow(InsecureVerifierError)
        expect(() => requireVerifierAllowed(1n, { allowInsecureDevVerifier: true })).not.toThrow()
        // a ceremony's verifier goes anywhere
        expect(() => requireVerifierAllowed(1n, { developmentVerifier: false })).not.toThrow()
        expect(isDevelopmentVerifier("// Groth16 verifier from a public ceremony")).toBe(false)
    })

    it("to another chain without --allow-insecure-dev-verifier: exit 2 naming the flag, nothing sent", async () => {
        expect(await rpcChainId(URL_)).toBe(CHAIN_ID)
        const result = await deploy([])
        expect(result.code, result.stderr).toBe(2)
        expect(result.stderr).toMatch(/INSECURE development verifier to chain 11155111/)
        expect(result.stderr).toContain("--allow-insecure-dev-verifier")
        expect(await provider.getBlockNumber()).toBe(0)
    })

    it("with the flag: deploys, warning loudly", async () => {
        const result = await deploy(["--allow-insecure-dev-verifier"])
        expect(result.code, result.stderr).toBe(0)
        expect(result.stderr).toMatch(/WARNING: deploying the INSECURE development verifier to chain 11155111/)
        expect(JSON.parse(result.stdout)).toMatchObject({ chainId: Number(CHAIN_ID) })
    })
})
