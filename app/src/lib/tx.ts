/**
 * Transactions, one at a time: each step is sent through the wallet and waited for; every write
 * button is disabled meanwhile (app.pending). When a later step fails after earlier ones went
 * through (an approval, then a repayment), the message says exactly what was done and what was
 * not, and the page reloads its state from the chain: nothing is left half-done unnoticed.
 */
import type { ConfirmRequest } from "./components/ConfirmDialog.svelte"
import { t, type MessageKey } from "./i18n/index.svelte.ts"
import { app } from "./app.svelte.ts"
import { AppError, type MessageParam } from "./errors.ts"
import { wallet } from "./wallet.svelte.ts"

/** One step: a transaction (waited for) or other async work. */
export interface Step {
    label: MessageKey
    run: () => Promise<unknown>
}

interface Waitable {
    wait: () => Promise<{ status: number | null } | null>
}

function isWaitable(value: unknown): value is Waitable {
    return typeof value === "object" && value !== null && typeof (value as Waitable).wait === "function"
}

/**
 * Runs steps in order; on success shows `success`, on failure the translated error with the
 * steps done. Always calls `reload` after (state from the chain) and refreshes balances.
 * @returns Whether every step went through.
 */
export async function runSteps(steps: Step[], options: { success?: [MessageKey, Record<string, MessageParam>?]; reload?: () => Promise<unknown> } = {}): Promise<boolean> {
    if (app.pending) return false
    const done: MessageKey[] = []
    let failure: { error: unknown } | undefined
    app.clearNotice()
    try {
        for (const step of steps) {
            app.pending = step.label
            const result = await step.run()
            if (isWaitable(result)) {
                const receipt = await result.wait()
                if (!receipt || receipt.status !== 1) throw new Error("transaction failed")
            }
            done.push(step.label)
        }
    } catch (error) {
        failure = { error }
    }
    // the message comes once the page shows the chain's state after what happened
    try {
        await Promise.all([options.reload?.(), wallet.refresh()])
    } catch (error) {
        failure ??= { error }
    } finally {
        app.pending = undefined
    }
    if (failure) app.fail(failure.error, done)
    else if (options.success) app.notify("success", options.success[0], options.success[1])
    return failure === undefined
}

/** The connected account, ready to send on the app's chain; else the AppError that says what is missing. */
export function requireAccount(): string {
    if (wallet.wrongChain) throw new AppError("error.wrongChain", { expected: app.chainId, actual: wallet.chainId ?? 0 })
    if (!wallet.ready || !wallet.address) throw new AppError("error.noWallet")
    return wallet.address
}

/** The confirmation's note for a local chain's account, which signs without a wallet prompt. */
export function devNote(): string[] {
    return wallet.kind === "dev" ? [t("confirm.devNote")] : []
}

/**
 * What the confirmation dialog asks before `steps` run (its notes end with the dev account's),
 * once a ready account is connected; then, once confirmed, the steps as `runSteps` runs them,
 * and `after` when every one went through. Without such an account, the notice says what is
 * missing and nothing is asked (undefined).
 */
export function confirmSteps(request: { title: string; lines: ConfirmRequest["lines"]; notes?: string[]; steps: Step[]; success: [MessageKey, Record<string, MessageParam>?]; reload: () => Promise<unknown>; after?: () => void }): ConfirmRequest | undefined {
    app.clearNotice()
    try {
        requireAccount()
    } catch (error) {
        app.fail(error)
        return undefined
    }
    const { title, lines, notes = [], steps, success, reload, after } = request
    return {
        title,
        lines,
        notes: [...notes, ...devNote()],
        run: async () => {
            if (await runSteps(steps, { success, reload })) after?.()
        }
    }
}
