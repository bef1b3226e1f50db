/**
 * Asks "proceed? [y/N]" before an action that is hard to undo, only when a person is there:
 * stdin is a terminal and neither `--yes` nor `--json` was given. Scripts and pipes never block.
 */
import { createInterface } from "node:readline/promises"
import type { CliContext } from "./context.ts"
import { failed } from "./exit-codes.ts"

/** Resolves when the user agrees; throws a failure (exit 1) when they decline. */
export async function confirm(ctx: CliContext, question: string): Promise<void> {
    if (ctx.options.yes || ctx.options.json || !process.stdin.isTTY) return
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    try {
        const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase()
        if (answer !== "y" && answer !== "yes") throw failed("DECLINED", "nothing was done")
    } finally {
        rl.close()
    }
}
