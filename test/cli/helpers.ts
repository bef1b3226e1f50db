/**
 * Helpers of the CLI tests: run `zkcredit` as a child process (the way users run it) and start
 * a real local chain with zkcredit deployed on a port of the test file's own range.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"
import { JsonRpcProvider } from "ethers"
import type { Deployment } from "../../client/src/deployments.ts"
import { deployZkCredit } from "../../scripts/lib/deploy.ts"
import { GOOD_PERSON } from "../bureau/examples.ts"
import { runCommittee } from "../helpers/committee.ts"
import { isPortTaken, startLocalNode, waitFor, type LocalNode } from "../../scripts/lib/local-node.ts"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))
export const CLI = `${ROOT}cli/zkcredit.ts`
/** The deployment script, `npm run deploy`. */
export const DEPLOY_SCRIPT = `${ROOT}scripts/deploy.ts`

/** What a CLI run gave. */
export interface CliResult {
    code: number
    stdout: string
    stderr: string
}

/** The environment of a CLI run: the parent's without any ZKCREDIT_* variable, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ZKCREDIT_")))
    return { ...clean, ...env }
}

/**
 * Runs `node cli/zkcredit.ts ...args` and waits for it.
 * @param options.env ZKCREDIT_* variables (others come from the test process).
 * @param options.cwd Working folder (where `.zkcredit/` goes).
 */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
    return runScript(CLI, args, options)
}

/**
 * Runs `node scripts/deploy.ts ...args` (what `npm run deploy` runs) from the repository and waits for it.
 * @param env ZKCREDIT_* variables (others come from the test process).
 */
export function runDeploy(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runScript(DEPLOY_SCRIPT, args, { env, timeoutMs: 300_000 })
}

/** Runs a script of the repository with the test's Node, collecting its output; killed after `timeoutMs`. */
function runScript(script: string, args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env), stdio: ["ignore", "pipe", "pipe"] })
        let stdout = ""
        let stderr = ""
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000)
        child.once("error", reject)
        child.once("close", (code) => {
            clearTimeout(timer)
            resolve({ code: code ?? -1, stdout, stderr })
        })
    })
}

/** Runs the CLI with `--json` and parses stdout; throws with stderr when it did not exit 0. */
export async function runJson<T = Record<string, any>>(args: string[], options: Parameters<typeof runCli>[1] = {}): Promise<T> {
    const result = await runCli(["--json", ...args], options)
    if (result.code !== 0) throw new Error(`zkcredit ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
    return JSON.parse(result.stdout) as T
}

/** The JSON error a `--json` run wrote to stderr. */
export function jsonError(result: CliResult): { code: string; message: string; exitCode: number; [key: string]: unknown } {
    return JSON.parse(result.stderr).error
}

/** A local chain with zkcredit deployed, and a scratch folder. */
export interface TestChain {
    node: LocalNode
    deployment: Deployment
    deploymentFile: string
    dir: string
    /** The variables that point the CLI at this chain. */
    env: Record<string, string>
    provider: JsonRpcProvider
    stop(): Promise<void>
}

/**
 * Starts `hardhat node` on `port`, deploys zkcredit (with the test stablecoin) and writes the
 * deployment into a scratch folder (never deployments/, which `npm start` owns).
 */
export async function startTestChain(port: number): Promise<TestChain> {
    const dir = await mkdtemp(`${tmpdir()}/zkcredit-cli-`)
    const node = await startLocalNode({ port })
    const deploymentId = `localhost-cli-${port}`
    const deploymentFile = `${dir}/deployment.json`
    try {
        const deployment = await deployZkCredit({ networkName: "localhost", rpcUrl: node.url, withStablecoin: true, freshChain: true, deploymentId, outFile: deploymentFile })
        const provider = new JsonRpcProvider(node.url, deployment.chainId, { cacheTimeout: -1, staticNetwork: true })
        return {
            node,
            deployment,
            deploymentFile,
            dir,
            env: { ZKCREDIT_RPC_URL: node.url, ZKCREDIT_DEPLOYMENT: deploymentFile, ZKCREDIT_PASSWORD: "test-password-1", ZKCREDIT_KDF_ITERATIONS: "10000" },
            provider,
            async stop() {
                provider.destroy()
                await node.stop()
                await rm(dir, { recursive: true, force: true })
                await rm(`${ROOT}ignition/deployments/${deploymentId}`, { recursive: true, force: true })
            }
        }
    } catch (error) {
        await node.stop()
        throw error
    }
}

/**
 * Starts a long-running CLI command (e.g. `bureau serve`) and waits until `ready()` holds. The
 * wait is generous: a bureau opening its database and reading the chain can take half a minute
 * while other test files share the two cores.
 */
export async function startCliProcess(args: string[], options: { env: Record<string, string>; cwd: string; ready: () => Promise<boolean> }): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<number | null> }> {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    try {
        await waitFor(async () => {
            if (child.exitCode !== null) throw new Error(`zkcredit ${args.join(" ")} exited early: ${output}`)
            return options.ready()
        }, 100_000, `zkcredit ${args[0]} ${args[1]}`)
    } catch (error) {
        // a command left running after a failed start would hold its port for the next run
        child.kill("SIGKILL")
        await exited
        throw error
    }
    return {
        child,
        output: () => output,
        async stop() {
            child.kill("SIGTERM")
            return exited
        }
    }
}

export { isPortTaken }

/**
 * The common start of a CLI test on a fresh chain: a bureau key and bureau, an officer, a borrower
 * identity (`me.json`) in the KYC tree with a signed attestation (`me.attestation.json`) of
 * `GOOD_PERSON`, and 10,000 tUSD from the faucet for each of `funded`.
 */
export async function prepareBorrowerPlatform(
    chain: TestChain,
    json: (args: string[]) => Promise<Record<string, any>>,
    accounts: { admin: string; officer: string; funded: string[] }
): Promise<void> {
    const officer = (await chain.provider.getSigner(Number(accounts.officer))).address
    await json(["bureau", "key", "create", "--out", "bureau-key.json"])
    await json(["admin", "bureau", "add", "Pearl River Credit", "--account", accounts.admin])
    await json(["admin", "bureau-key", "add", "--bureau", "1", "--key", "bureau-key.json", "--valid-days", "30", "--account", accounts.admin])
    await json(["admin", "officer", "grant", officer, "--account", accounts.admin])
    const { commitment } = await json(["borrower", "identity", "new", "--out", "me.json"])
    await writeFile(`${chain.dir}/members.csv`, `commitment\n${commitment}\n1001\n1002\n`)
    await json(["officer", "add", "members.csv", "--account", accounts.officer])
    await writeFile(`${chain.dir}/person.json`, JSON.stringify(GOOD_PERSON))
    await json(["bureau", "sign", "--key", "bureau-key.json", "--commitment", commitment, "--applicant", "person.json", "--out", "me.attestation.json"])
    for (const account of accounts.funded) await json(["lender", "faucet", "--amount", "10000", "--account", account])
    // the escrow committee's key (a real DKG, 2 of 3), without which no credit proof is accepted
    const committee = runCommittee()
    await writeFile(`${chain.dir}/committee-key.json`, JSON.stringify(committee.committeeKey))
    const authorities = await Promise.all([accounts.admin, accounts.officer, accounts.funded[0] ?? accounts.admin].map(async (i) => (await chain.provider.getSigner(Number(i))).address))
    // no --registry: the deployment's TrustRegistry
    await json(["committee", "register", "--committee-key", "committee-key.json", "--accounts", authorities.join(","), "--account", accounts.admin])
}

/** `zkcredit` runners bound to a test chain started later (`chain()` is read at each call). */
export function chainRunners(chain: () => TestChain, timeoutMs = 180_000) {
    const options = () => ({ env: chain().env, cwd: chain().dir, timeoutMs })
    return {
        /** Runs the CLI. */
        cli: (args: string[]) => runCli(args, options()),
        /** Runs the CLI with `--json` and parses its result. */
        json: <T = Record<string, any>>(args: string[]) => runJson<T>(args, options()),
        /** The address of a node account. */
        address: async (account: string) => (await chain().provider.getSigner(Number(account))).address
    }
}
