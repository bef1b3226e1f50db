/**
 * The CLI run in this process (a child per command would cost seconds each), with an
 * environment: for tests that run many commands against one chain.
 */
import { runInProcess } from "../adversarial/lib/cli-harness.ts"
import { runCli, runJson, type CliResult, type TestChain } from "./helpers.ts"

/** `cli(args)` and `json(args)` bound to an environment (read when each command runs). */
export function inProcessCli(env: () => Record<string, string>): { cli: (args: string[]) => Promise<CliResult>; json: <T = Record<string, any>>(args: string[]) => Promise<T> } {
    async function cli(args: string[]): Promise<CliResult> {
        const run = await runInProcess(args, env())
        if (typeof run.exit !== "number") throw new Error(`zkcredit ${args.join(" ")}: ${run.exit} ${String(run.thrown)}`)
        return { code: run.exit, stdout: run.stdout, stderr: run.stderr }
    }
    async function json<T = Record<string, any>>(args: string[]): Promise<T> {
        const result = await cli(["--json", ...args])
        if (result.code !== 0) throw new Error(`zkcredit ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
        return JSON.parse(result.stdout) as T
    }
    return { cli, json }
}

/** Commands that make a proof with snarkjs: these run as child processes (see {@link inProcessRunners}). */
const PROVING = [
    ["borrower", "borrow"],
    ["borrower", "attest"],
    ["request", "create"]
]

/** Whether `args` run a command that proves. */
export function proves(args: string[]): boolean {
    const words = args.filter((a) => !a.startsWith("-"))
    return PROVING.some(([role, command]) => words.some((w, i) => w === role && words[i + 1] === command))
}

/**
 * `zkcredit` runners like chainRunners (helpers.ts), in this process: each command runs with
 * `runCli(argv)` in the folder `dir()` with exactly the ZKCREDIT_* variables of `env()` (as a
 * child would get them), one command at a time (stdout and stderr are captured process-wide, so
 * concurrent calls are queued). Commands that prove (`borrower borrow` and `attest`, `request create`) run as
 * real child processes, `node cli/zkcredit.ts`: proving leaves snarkjs's worker threads behind,
 * and they keep the tests on the real binary as well.
 */
export function inProcessRunners(options: { env: () => Record<string, string>; dir: () => string; timeoutMs?: number }) {
    let queue: Promise<unknown> = Promise.resolve()
    function serial<T>(task: () => Promise<T>): Promise<T> {
        const result = queue.then(task, task)
        queue = result.catch(() => undefined)
        return result
    }
    async function inProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
        // the parent's other ZKCREDIT_* variables are unset for the run, as cliEnv does for a child
        const cleared = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith("ZKCREDIT_") && !(k in env)).map((k) => [k, undefined]))
        const cwd = process.cwd()
        process.chdir(options.dir())
        try {
            const run = await runInProcess(args, { ...cleared, ...env }, { timeoutMs: options.timeoutMs ?? 180_000 })
            if (typeof run.exit !== "number") throw new Error(`zkcredit ${args.join(" ")}: ${run.exit} ${String(run.thrown)}`)
            return { code: run.exit, stdout: run.stdout, stderr: run.stderr }
        } finally {
            process.chdir(cwd)
        }
    }
    /** Runs `zkcredit ...args`; `extra` adds variables to `env()` for this command. */
    function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
        const env = { ...options.env(), ...extra }
        if (proves(args)) return runCli(args, { env, cwd: options.dir(), timeoutMs: options.timeoutMs ?? 180_000 })
        return serial(() => inProcess(args, env))
    }
    async function json<T = Record<string, any>>(args: string[]): Promise<T> {
        if (proves(args)) return runJson<T>(args, { env: options.env(), cwd: options.dir(), timeoutMs: options.timeoutMs ?? 180_000 })
        const result = await cli(["--json", ...args])
        if (result.code !== 0) throw new Error(`zkcredit ${args.join(" ")} exited ${result.code}: ${result.stderr}`)
        return JSON.parse(result.stdout) as T
    }
    return { cli, json }
}

/** {@link inProcessRunners} bound to a test chain started later (`chain()` is read at each call), with `address` as chainRunners has it. */
export function inProcessChainRunners(chain: () => TestChain, timeoutMs = 180_000) {
    return {
        ...inProcessRunners({ env: () => chain().env, dir: () => chain().dir, timeoutMs }),
        /** The address of a node account. */
        address: async (account: string) => (await chain().provider.getSigner(Number(account))).address
    }
}
