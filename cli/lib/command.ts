/**
 * Wiring between commander and the commands: an action gets a {@link CliContext} built from the
 * global options, and the provider is closed after it, whatever happens.
 */
import type { Command } from "commander"
import { CliContext, type GlobalOptions } from "./context.ts"

/**
 * Wraps a command body as a commander action.
 * @param body Gets the context, the command's options and its positional arguments.
 */
export function action<O extends object>(body: (ctx: CliContext, options: O, args: string[]) => Promise<void>): (...args: unknown[]) => Promise<void> {
    return async (...received: unknown[]) => {
        const command = received[received.length - 1] as Command
        const options = received[received.length - 2] as O
        const positional = received.slice(0, -2) as string[]
        const ctx = new CliContext(command.optsWithGlobals<GlobalOptions>())
        try {
            await body(ctx, options, positional)
        } finally {
            ctx.close()
        }
    }
}
