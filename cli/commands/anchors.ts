/**
 * `zkcredit anchors`: the proof anchors (kept by the loan market for its borrows, by the credit
 * verifier for the request market), which anyone may prepare. An anchor
 * keeps the part of the proof check that a KYC root, a bureau key, an escrow committee key and a
 * market's scope make, so each borrow under those four costs less. The officer's commands that
 * publish a root prepare its anchors too ({@link reportPublishedRoot}), and so do the commands
 * that register a bureau key or a committee key ({@link reportRegisteredKey}).
 */
import type { Command } from "commander"
import { listAnchors, prepareAnchors, type AnchorPlan, type AnchorState, type PreparedAnchor, type PreparedAnchors } from "../../client/src/anchors.ts"
import { isZkCreditError } from "../../prover/src/errors.ts"
import { action } from "../lib/command.ts"
import type { CliContext } from "../lib/context.ts"
import { toCliError } from "../lib/errors.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { parseFieldElement } from "../lib/parse.ts"
import { isoTime } from "../lib/table.ts"

/** What an anchor saves and costs, for the help texts. */
const ANCHORS_HELP = `An anchor is the part of the credit proof check that four public values make: a KYC root, a bureau
key, an escrow committee key and a market's scope. Prepared once on chain (one transaction of about
109,000 gas, by anyone), it makes every later borrow and loan request under those four about 27,000
gas cheaper, so it pays for itself from about the fifth; without it they still work, at the higher cost.
Anchors are needed again after every KYC root change (each officer add, remove or replace) and for
every new bureau or committee key.`

/** `--no-anchors` of the officer's commands that publish a root. */
export const NO_ANCHORS_OPTION = ["--no-anchors", "do not prepare the new root's proof anchors (`zkcredit anchors prepare` does it later)"] as const

/** `--no-anchors` of the commands that register a bureau or committee key. */
export const NO_KEY_ANCHORS_OPTION = ["--no-anchors", "do not prepare the current root's proof anchors with the new key (`zkcredit anchors prepare` does it later)"] as const

/** The help lines of the commands that register a bureau or committee key. */
export const KEY_ANCHORS_HELP = `Once it is registered, and if it is active now, the current root's proof anchors with the new key are
prepared, one transaction each (\`zkcredit anchors --help\`), unless --no-anchors; a failure there is a
warning after the result: the key stays registered.`

/**
 * The help lines of the officer's commands that publish a root.
 * @param when When the anchors are prepared, e.g. "After the last batch".
 */
export function publishAnchorsHelp(when = "Once it is published"): string {
    return `${when}, the new root's proof anchors are prepared, one transaction each (\`zkcredit anchors --help\`), unless\n--no-anchors; a failure there is a warning after the result: the root stays published.`
}

/** Registers `anchors prepare`. */
export function registerAnchors(anchors: Command): void {
    anchors.addHelpText("after", `\n${ANCHORS_HELP}`)
    anchors
        .command("prepare")
        .description("(anyone) prepare the proof anchors of the current KYC root with every active bureau key, committee key and market")
        .option("--root <root>", "a root to anchor instead of the current one (decimal or 0x-hex); it must be one proofs can use now")
        .addHelpText(
            "after",
            `\n${ANCHORS_HELP}\n\nThe anchors prepared already are read first and not sent again: a second run sends nothing.\nA --root that is not a field element, or one the registry never published (or revoked, or that expired), is refused (exit 2).`
        )
        .action(action<{ root?: string }>(async (ctx, options) => prepare(ctx, options)))
}

/** An anchor for output: its values and, when sent now, its transaction. */
function anchorJson(anchor: AnchorState | PreparedAnchor) {
    return {
        anchorId: anchor.anchorId,
        kycRoot: anchor.kycRoot.toString(),
        bureauKeyHash: anchor.bureauKeyHash.toString(),
        committeeKeyY: anchor.committeeKeyY.toString(),
        market: anchor.market,
        scope: anchor.scope.toString(),
        ...("transactionHash" in anchor ? { transactionHash: anchor.transactionHash, blockNumber: anchor.blockNumber } : {})
    }
}

/** One line per anchor, sent or found. */
function anchorLines(done: PreparedAnchors): string[] {
    const line = (a: AnchorState, what: string) => `  ${what} ${a.market}, bureau key ${a.bureauKeyHash}, committee key ${a.committeeKeyY}`
    return [...done.prepared.map((a) => `${line(a, "prepared        ")} (tx ${a.transactionHash})`), ...done.alreadyPrepared.map((a) => line(a, "prepared already"))]
}

/** Why a plan has no anchor, or undefined when it has some. */
function nothingToAnchor(plan: AnchorPlan): string | undefined {
    if (plan.bureauKeyHashes.length === 0) return "no bureau key is active"
    if (plan.committeeKeyYs.length === 0) return "no escrow committee key is active"
    return undefined
}

/** Lists the anchors of `kycRoot` (the current root when undefined) and prepares the missing ones, with a note per transaction. */
async function prepareRoot(ctx: CliContext, kycRoot: bigint | undefined): Promise<{ plan: AnchorPlan; done: PreparedAnchors }> {
    const plan = await listAnchors({ provider: await ctx.provider(), deployment: await ctx.deployment(), contracts: await ctx.readContracts(), ...(kycRoot !== undefined ? { kycRoot } : {}) })
    const done = await prepareAnchors({
        contracts: await ctx.writeContracts(),
        anchors: plan.anchors,
        onPrepared: (a, sent, toSend) => ctx.out.note(`prepared anchor ${sent}/${toSend} (${a.market}, bureau key ${a.bureauKeyHash}, committee key ${a.committeeKeyY}) in block ${a.blockNumber} (tx ${a.transactionHash})`)
    })
    return { plan, done }
}

async function prepare(ctx: CliContext, options: { root?: string }): Promise<void> {
    const given = options.root !== undefined ? parseFieldElement(options.root, "--root") : undefined
    let result: { plan: AnchorPlan; done: PreparedAnchors }
    try {
        result = await prepareRoot(ctx, given)
    } catch (error) {
        // the root's state is checked before anything is sent
        if (isZkCreditError(error) && error.parameter === "kycRoot") {
            throw given !== undefined ? badInput("INVALID_ROOT", `--root: ${error.message}`, { root: given.toString() }) : failed("NO_USABLE_ROOT", error.message)
        }
        throw error
    }
    const { plan, done } = result
    const data = {
        kycRoot: plan.kycRoot.toString(),
        time: plan.time,
        bureauKeyHashes: plan.bureauKeyHashes.map(String),
        committeeKeyYs: plan.committeeKeyYs.map(String),
        markets: plan.markets.map((m) => ({ market: m.market, address: m.address, scope: m.scope.toString() })),
        prepared: done.prepared.map(anchorJson),
        alreadyPrepared: done.alreadyPrepared.map(anchorJson)
    }
    const none = nothingToAnchor(plan)
    if (none !== undefined) {
        ctx.out.result(data, `nothing to anchor for root ${plan.kycRoot}: ${none}`)
        return
    }
    ctx.out.result(data, [
        `root ${plan.kycRoot}: ${plan.bureauKeyHashes.length} bureau key(s) x ${plan.committeeKeyYs.length} committee key(s) x ${plan.markets.length} market(s); prepared ${done.prepared.length}, prepared already ${done.alreadyPrepared.length}`,
        ...anchorLines(done)
    ])
}

/**
 * Writes the result of an officer's command that published `root` (`data`, `lines`), after
 * preparing the root's anchors unless `anchors` is false. The publish is never lost to the
 * anchors: a failure there goes into the result (`anchors.error`) and a warning after it.
 */
export async function reportPublishedRoot(ctx: CliContext, root: bigint, anchors: boolean, data: Record<string, unknown>, lines: string[]): Promise<void> {
    await reportWithAnchors(ctx, { root, what: `the root ${root} is published`, notPrepared: "borrows under it cost" }, anchors, data, lines)
}

/**
 * Writes the result of a command that registered a bureau key or an escrow committee key
 * (`data`, `lines`), after preparing the current root's anchors with it unless `anchors` is false
 * (every missing anchor of the current root is prepared, so the new key's). A key active only
 * later (`activeFrom` after the chain's time) gets none yet: `prepareAnchor` accepts only a key
 * active at its block. With no usable root yet there is nothing to anchor, which is no failure:
 * the first root's publish prepares them. Any other failure is a warning after the result.
 * @param key What was registered, for the messages, e.g. "the bureau key 123".
 * @param activeFrom The key's first active second (unix).
 */
export async function reportRegisteredKey(ctx: CliContext, key: string, activeFrom: number, anchors: boolean, data: Record<string, unknown>, lines: string[]): Promise<void> {
    const now = (await (await ctx.provider()).getBlock("latest"))!.timestamp
    if (anchors && activeFrom > now) {
        ctx.out.result({ ...data, anchors: { kycRoot: null, prepared: [], alreadyPrepared: [], none: "the key is not active yet" } }, [
            ...lines,
            `proof anchors: none yet (${key} is active from ${isoTime(activeFrom)}; run \`zkcredit anchors prepare\` then)`
        ])
        return
    }
    await reportWithAnchors(ctx, { what: `${key} is registered`, notPrepared: "borrows with it cost" }, anchors, data, lines)
}

/** The common part of {@link reportPublishedRoot} and {@link reportRegisteredKey}: `root` undefined is the current root. */
async function reportWithAnchors(ctx: CliContext, subject: { root?: bigint; what: string; notPrepared: string }, anchors: boolean, data: Record<string, unknown>, lines: string[]): Promise<void> {
    const { root } = subject
    if (!anchors) {
        ctx.out.result({ ...data, anchors: null }, [...lines, "proof anchors not prepared (--no-anchors): `zkcredit anchors prepare` prepares them"])
        return
    }
    let done: { plan: AnchorPlan; done: PreparedAnchors }
    try {
        done = await prepareRoot(ctx, root)
    } catch (error) {
        // for a new key: no root a proof could use yet (none published, or the current one revoked) is nothing to anchor
        if (root === undefined && isZkCreditError(error) && error.parameter === "kycRoot") {
            ctx.out.result({ ...data, anchors: { kycRoot: null, prepared: [], alreadyPrepared: [], none: error.message } }, [...lines, `proof anchors: none to prepare (${error.message})`])
            return
        }
        const cause = toCliError(error)
        ctx.out.result({ ...data, anchors: { kycRoot: root?.toString() ?? null, error: { code: cause.code, message: cause.message } } }, [...lines, "proof anchors: not prepared (see the warning)"])
        ctx.out.warn(`${subject.what}, but its proof anchors were not prepared, so ${subject.notPrepared} about 27,000 gas more until someone runs \`zkcredit anchors prepare\`: ${cause.message}`)
        return
    }
    const none = nothingToAnchor(done.plan)
    ctx.out.result(
        { ...data, anchors: { kycRoot: done.plan.kycRoot.toString(), prepared: done.done.prepared.map(anchorJson), alreadyPrepared: done.done.alreadyPrepared.map(anchorJson) } },
        [...lines, none !== undefined ? `proof anchors: none to prepare (${none})` : `proof anchors: prepared ${done.done.prepared.length}, prepared already ${done.done.alreadyPrepared.length}`]
    )
}
