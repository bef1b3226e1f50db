/**
 * The CLI run in this process (a child per command would cost seconds each), with an
 * environment: for tests that run many commands against one chain.
 */
import { runInProcess } from "../adversarial/lib/cli-harness.ts"
import type { CliResult } from "./helpers.ts"

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
