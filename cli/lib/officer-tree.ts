/**
 * What the officer's commands share: the local tree file option, checking the signer is an
 * officer, and refusing to build on a tree the chain does not publish.
 */
import { resolve } from "node:path"
import type { CliContext } from "./context.ts"
import { badInput, failed } from "./exit-codes.ts"
import type { SyncedTree } from "./kyc-sync.ts"
import { defaultTreePath } from "./tree-file.ts"

/** The `--tree` option of the commands that change members. */
export const TREE_OPTION = ["--tree <file>", "the local KYC tree file (default .zkcredit/<chainId>/kyc-tree.json)"] as const

/** The officer's tree file: the option's path, or the default one of the chain. */
export async function treePath(ctx: CliContext, option?: string): Promise<string> {
    if (option === "") throw badInput("FILE_NOT_FOUND", "--tree is empty: give the tree file, or leave the option out for the default")
    return option !== undefined ? resolve(option) : defaultTreePath(await ctx.chainId())
}

/** Refuses to work on a tree the chain does not publish (exit 1). */
export function requireMatch(synced: SyncedTree): void {
    if (!synced.matchesChain) {
        throw failed(
            "TREE_MISMATCH",
            `the KYC tree rebuilt from the registry's events (root ${synced.tree.root}, ${synced.tree.size} slots) does not match the registry (root ${synced.chainRoot}, ${synced.chainSize} slots): a published root is wrong; run \`zkcredit officer audit\``,
            { treeRoot: synced.tree.root.toString(), chainRoot: synced.chainRoot.toString() }
        )
    }
}

/** Checks the signer may change members before anything is computed or sent. */
export async function requireOfficer(ctx: CliContext): Promise<void> {
    const { kycRegistry } = await ctx.readContracts()
    const address = await ctx.address()
    const role = await kycRegistry.getFunction("OFFICER_ROLE")()
    if (!(await kycRegistry.getFunction("hasRole")(role, address))) {
        throw failed("NOT_AN_OFFICER", `${address} does not have OFFICER_ROLE on the TrustRegistry: ask the admin to run \`zkcredit admin officer grant ${address}\`, or pick another --account`)
    }
    if (await kycRegistry.getFunction("paused")()) throw failed("PAUSED", "the KYC registry is paused: the admin must unpause it (`zkcredit admin unpause kyc`)")
}

