/**
 * `zkcredit officer record-default` and `zkcredit officer readmit`: the default follows the
 * person. Once the escrow committee opened a defaulted loan's escrow, the officer removes the
 * identity it named, as a removal marked "default" that names the market and the loan; once the
 * market shows that loan paid in full, the officer readmits it. Every check is made before
 * anything is sent; the contract makes the same checks (IKycRegistry).
 */
import type { Command } from "commander"
import type { Contract as EthersContract } from "ethers"
import { CreditVerifierAbi, LoanMarketAbi } from "../../client/src/generated/abis.ts"
import { LOAN_STATUS } from "../../client/src/views.ts"
import { KYC_TREE_CAPACITY } from "../../prover/src/constants.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { syncKycTree } from "../lib/kyc-sync.ts"
import { requireMatch, requireOfficer, TREE_OPTION, treePath } from "../lib/officer-tree.ts"
import { parseAddress, parseCommitment, parseInteger } from "../lib/parse.ts"
import { saveTreeFile } from "../lib/tree-file.ts"
import { send } from "../lib/tx.ts"
import { NO_ANCHORS_OPTION, publishAnchorsHelp, reportPublishedRoot } from "./anchors.ts"

/** Registers `record-default` and `readmit` under `officer`. */
export function registerDefaultCommands(officer: Command): void {
    officer
        .command("record-default")
        .description("remove the identity an escrow opening named, as a removal marked \"default\" that names the loan")
        .requiredOption("--commitment <c>", "the identity commitment the committee's opening yielded (`zkcredit committee open`)")
        .requiredOption("--loan <id>", "the defaulted loan's id in the market")
        .option("--market <address>", "the loan's market (default: the deployment's LoanMarket)")
        .option("--immediate", "also invalidate every older root at once (every other borrower must re-prove)")
        .option(...TREE_OPTION)
        .option(...NO_ANCHORS_OPTION)
        .addHelpText(
            "after",
            `
The market must show the loan Defaulted and not paid in full, and its credit verifier must check
this deployment's TrustRegistry. The identity must be a member and have no open default.
From the new root on, it cannot prove KYC membership in any market. Without --immediate the root
it replaces (which still holds the member) stays valid for the registry's rootValidity, as after
any removal; with it, every older root is invalid at once.
Re-admission is \`zkcredit officer readmit --commitment <c>\`, once the loan is paid in full.
${publishAnchorsHelp()}`
        )
        .action(action<RecordOptions>(async (ctx, options) => recordDefault(ctx, options)))

    officer
        .command("readmit")
        .description("readmit an identity removed for a default, once its market shows the loan paid in full")
        .requiredOption("--commitment <c>", "the identity commitment removed by `officer record-default`")
        .option(...TREE_OPTION)
        .option(...NO_ANCHORS_OPTION)
        .addHelpText(
            "after",
            `
The registry readmits only on the market's word: the defaulted loan must be paid in full (anyone may
repay a defaulted loan, so a settlement is paid through the market). The identity comes back at the
next index; the record of the default stays on the chain.
${publishAnchorsHelp()}`
        )
        .action(action<{ commitment: string; tree?: string; anchors: boolean }>(async (ctx, options) => readmit(ctx, options)))
}

interface RecordOptions {
    commitment: string
    loan: string
    market?: string
    immediate?: boolean
    tree?: string
    /** False with `--no-anchors`. */
    anchors: boolean
}

/** The market at an address, refused unless it is a market of this deployment's KYC registry. */
async function marketOf(ctx: CliContext, text: string | undefined): Promise<EthersContract> {
    const deployment = await ctx.deployment()
    const address = text !== undefined ? parseAddress(text, "--market") : deployment.contracts.loanMarket
    const provider = await ctx.provider()
    if ((await provider.getCode(address)) === "0x") throw badInput("NO_CONTRACT", `--market ${address}: no contract at this address on chain ${await ctx.chainId()}`)
    const market = await ctx.contract(address, LoanMarketAbi)
    let registry: string
    try {
        const verifier = await ctx.contract(String(await market.getFunction("creditVerifier")()), CreditVerifierAbi)
        registry = String(await verifier.getFunction("trustRegistry")())
    } catch {
        throw badInput("NOT_A_MARKET", `--market ${address} is not a LoanMarket (it has no credit verifier with a trust registry)`)
    }
    if (registry.toLowerCase() !== deployment.contracts.trustRegistry.toLowerCase()) {
        throw failed("MARKET_NOT_ON_REGISTRY", `the market ${address} checks the trust registry ${registry}, not this deployment's ${deployment.contracts.trustRegistry}: its defaults are not this registry's to record`)
    }
    return market
}

/** What a loan still owes toward principal + interest. */
async function outstanding(market: EthersContract, loanId: bigint): Promise<bigint> {
    const position = await market.getFunction("loanPosition")(loanId)
    return BigInt(position.totalDue) - BigInt(position.repaid)
}

async function recordDefault(ctx: CliContext, options: RecordOptions): Promise<void> {
    const commitment = parseCommitment(options.commitment, "--commitment")
    const loanId = BigInt(parseInteger(options.loan, "--loan"))
    await requireOfficer(ctx)
    const market = await marketOf(ctx, options.market)
    const marketAddress = await market.getAddress()
    const status = Number((await market.getFunction("loan")(loanId)).status)
    if (status !== 3) {
        const name = LOAN_STATUS[status] ?? `status ${status}`
        throw failed("LOAN_NOT_DEFAULTED", `loan ${loanId} of market ${marketAddress} is ${name === "None" ? "unknown" : name.toLowerCase()}, not defaulted: only a defaulted loan's default can be recorded`, { status: name })
    }
    if ((await outstanding(market, loanId)) === 0n) throw failed("DEFAULT_RECOVERED", `loan ${loanId} of market ${marketAddress} was paid in full after its default: there is no default to record`)
    const { kycRegistry } = await ctx.readContracts()
    const open = await kycRegistry.getFunction("openDefaultOf")(commitment)
    if (BigInt(open.recordedAt) !== 0n) {
        throw failed("DEFAULT_OPEN", `the identity is out already for the default of loan ${open.loanId} of market ${open.market} (recorded at ${new Date(Number(open.recordedAt) * 1000).toISOString()}): readmit it once that loan is paid, then record this one`)
    }
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path })
    requireMatch(synced)
    const { tree } = synced
    const index = tree.indexOf(commitment)
    if (index < 0) throw badInput("NOT_A_MEMBER", "that commitment is not a member of the KYC tree: check the opening's result (`zkcredit committee open`)")
    const immediate = options.immediate === true
    await confirm(ctx, `remove the member at index ${index} for the default of loan ${loanId} of market ${marketAddress}${immediate ? ", invalidating every older root at once" : ""}?`)
    const root = tree.setLeaf(index, 0n)
    const writable = (await ctx.writeContracts()).kycRegistry
    const receipt = await send(ctx.out, `recordDefault(${index}, loan ${loanId})`, () => writable.getFunction("recordDefault")(index, commitment, marketAddress, loanId, root, immediate))
    await saveTreeFile(path, { ...synced.meta, syncedBlock: receipt.blockNumber }, tree)
    await reportPublishedRoot(
        ctx,
        root,
        options.anchors,
        { removedForDefault: index, commitment: commitment.toString(), market: marketAddress, loanId: Number(loanId), immediate, root: root.toString(), transactionHash: receipt.hash, treeFile: path },
        [
            `removed the member at index ${index} for the default of loan ${loanId} of market ${marketAddress}${immediate ? " (every older root is invalid)" : ""}; new root ${root}`,
            "it cannot prove KYC membership in any market until `zkcredit officer readmit` (once the loan is paid in full)"
        ]
    )
}

async function readmit(ctx: CliContext, options: { commitment: string; tree?: string; anchors: boolean }): Promise<void> {
    const commitment = parseCommitment(options.commitment, "--commitment")
    await requireOfficer(ctx)
    const { kycRegistry } = await ctx.readContracts()
    const open = await kycRegistry.getFunction("openDefaultOf")(commitment)
    if (BigInt(open.recordedAt) === 0n) throw failed("NO_OPEN_DEFAULT", "that commitment has no open default: only an identity removed by `officer record-default` is readmitted this way")
    const marketAddress = String(open.market)
    const loanId = BigInt(open.loanId)
    const market = await ctx.contract(marketAddress, LoanMarketAbi)
    const owed = await outstanding(market, loanId)
    if (owed !== 0n) {
        throw failed("DEFAULT_NOT_RECOVERED", `loan ${loanId} of market ${marketAddress} still owes ${owed} (token units): readmission waits until it is paid in full (anyone may repay it)`, { outstanding: owed.toString() })
    }
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path })
    requireMatch(synced)
    const { tree } = synced
    if (tree.indexOf(commitment) !== -1) throw failed("ALREADY_MEMBER", `the commitment is a member already, at index ${tree.indexOf(commitment)}: run \`zkcredit officer audit\``)
    if (tree.size >= KYC_TREE_CAPACITY) throw failed("TREE_FULL", "the KYC tree is full")
    await confirm(ctx, `readmit the identity removed for the default of loan ${loanId} of market ${marketAddress}?`)
    const index = tree.size
    const root = tree.appendLeaves([commitment])
    const writable = (await ctx.writeContracts()).kycRegistry
    const receipt = await send(ctx.out, `readmit(loan ${loanId})`, () => writable.getFunction("readmit")(commitment, root))
    await saveTreeFile(path, { ...synced.meta, syncedBlock: receipt.blockNumber }, tree)
    await reportPublishedRoot(
        ctx,
        root,
        options.anchors,
        { readmitted: index, commitment: commitment.toString(), market: marketAddress, loanId: Number(loanId), root: root.toString(), transactionHash: receipt.hash, treeFile: path },
        [`readmitted the identity at index ${index} (loan ${loanId} of market ${marketAddress} is paid in full); new root ${root}`]
    )
}
