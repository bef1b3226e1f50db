/**
 * `zkcredit officer`: the compliance officer's commands. The officer keeps the KYC tree in a
 * local file (a cache of the chain: --tree, default .zkcredit/<chainId>/kyc-tree.json), brought
 * up to date from the registry's events before every change, and publishes each new root with
 * the change. Nothing is sent when any input is wrong.
 */
import { resolve } from "node:path"
import type { Command } from "commander"
import { signBinding } from "../../bureau/src/binding.ts"
import { auditKycDefaults, fetchKycDefaultEvents, kycDefaultRecords, openDefaultOf } from "../../client/src/kyc-defaults.ts"
import { auditKycEvents } from "../../client/src/kyc-tree.ts"
import { KYC_TREE_CAPACITY } from "../../prover/src/constants.ts"
import { loadFastPoseidon } from "../../prover/src/poseidon.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { readText, writeTextFile } from "../lib/files.ts"
import { treeAtBlock, writeSnapshotDir } from "../lib/kyc-snapshot-files.ts"
import { readEvents, syncKycTree } from "../lib/kyc-sync.ts"
import { parseMembersFile } from "../lib/members-file.ts"
import { parseCommitment, parseFieldElement, parseInteger } from "../lib/parse.ts"
import { startProgress } from "../lib/progress.ts"
import { saveTreeFile } from "../lib/tree-file.ts"
import { send } from "../lib/tx.ts"
import { requireMatch, requireOfficer, TREE_OPTION, treePath } from "../lib/officer-tree.ts"
import { NO_ANCHORS_OPTION, publishAnchorsHelp, reportPublishedRoot } from "./anchors.ts"
import { computeRef } from "./provider.ts"
import { registerDefaultCommands } from "./officer-defaults.ts"

/** Registers the officer's subcommands. */
export function registerOfficer(officer: Command): void {
    officer.addHelpText(
        "after",
        `
The officer's account needs OFFICER_ROLE on the TrustRegistry (\`zkcredit admin officer grant <address>\`).
Before each change the local tree is synced from the chain's events; if the registry's current root
does not match its events (see \`officer audit\`), changes are refused (exit 1).`
    )

    officer
        .command("bind")
        .description("sign a member's KYC binding (person reference + identity commitment) for the bureau; give the file to the member")
        .requiredOption("--commitment <c>", "the member's identity commitment")
        .option("--person-ref <ref>", "the person reference (0x + 64 hex), as the providers know the member")
        .option("--national-id <id>", "or: the national ID / business credit code, hashed here with --salt-file")
        .option("--salt-file <file>", "the reference salt shared with the providers")
        .option("--kind <kind>", "person or sme", "person")
        .requiredOption("--out <file>", "the binding file to write")
        .addHelpText("after", "\nThe bureau accepts a binding only from an account holding OFFICER_ROLE on this deployment's TrustRegistry.\nThe national ID never leaves this machine: only its salted hash is signed.")
        .action(
            action<{ commitment: string; personRef?: string; nationalId?: string; saltFile?: string; kind: string; out: string }>(async (ctx, options) => {
                const commitment = parseCommitment(options.commitment, "--commitment")
                if (options.kind !== "person" && options.kind !== "sme") throw badInput("INVALID_KIND", '--kind must be "person" or "sme"')
                let personRef: string
                if (options.personRef !== undefined) {
                    if (!/^0x[0-9a-f]{64}$/.test(options.personRef)) throw badInput("INVALID_PERSON_REF", "--person-ref must be 0x followed by 64 lower-case hex digits")
                    personRef = options.personRef
                } else if (options.nationalId !== undefined && options.saltFile !== undefined) {
                    personRef = await computeRef(options.nationalId, options.kind, options.saltFile)
                } else throw badInput("MISSING_PERSON_REF", "give --person-ref, or --national-id with --salt-file")
                const deployment = await ctx.deployment()
                const binding = await signBinding(await ctx.signer(), { personRef, commitment: commitment.toString(), subjectKind: options.kind, issuedAt: Math.floor(Date.now() / 1000) }, { chainId: Number(deployment.chainId), kycRegistry: deployment.contracts.trustRegistry })
                await writeTextFile(options.out, `${JSON.stringify(binding, null, 2)}\n`, { mode: 0o600 })
                ctx.out.result({ bindingFile: options.out, personRef, officer: binding.officer }, `signed the KYC binding of ${personRef} to commitment ${commitment}; written to ${options.out}`)
            })
        )

    officer
        .command("add")
        .description("add identity commitments from a CSV or JSON file, in batches (one transaction per batch)")
        .argument("<file>", "CSV (one commitment per line, or a header with a \"commitment\" column) or JSON (array of commitments)")
        .option(...TREE_OPTION)
        .option("--batch-size <n>", "members per transaction (1 to 1000)", "100")
        .option("--dry-run", "check the file and compute the roots; send nothing")
        .option("--resume", "skip the file's members that the chain already has (after a crash or Ctrl-C) and add the rest")
        .option(...NO_ANCHORS_OPTION)
        .addHelpText(
            "after",
            `\nThe whole file is checked first (field elements, no zero, no repeats, none already a member): one bad row and nothing is sent (exit 2).\nAn interrupted add is continued with --resume: the tree is synced from the chain first, so no member is added twice.\n${publishAnchorsHelp("After the last batch")}`
        )
        .action(action<{ tree?: string; batchSize: string; dryRun?: boolean; resume?: boolean; anchors: boolean }>(async (ctx, options, [file]) => add(ctx, file!, options)))

    officer
        .command("remove")
        .description("remove the member at an index (its leaf becomes 0) and publish the new root")
        .argument("[index]", "the member's index in the tree")
        .option("--commitment <c>", "find the member by commitment instead of index")
        .option("--immediate", "sanctions-grade: every older root is invalid at once (every other borrower must re-prove)")
        .option(...TREE_OPTION)
        .option(...NO_ANCHORS_OPTION)
        .addHelpText("after", `\nWithout --immediate the old root stays valid for the registry's rootValidity, so proofs in flight land.\nWith it, proofs against any older root fail at once, also other members' (they must prove again).\n${publishAnchorsHelp()}`)
        .action(action<{ tree?: string; commitment?: string; immediate?: boolean; anchors: boolean }>(async (ctx, options, [index]) => change(ctx, "remove", { index, ...options })))

    officer
        .command("replace")
        .description("replace the member at an index with a new commitment (a re-issued identity)")
        .argument("<index>", "the member's index in the tree")
        .argument("<commitment>", "the new identity commitment")
        .option(...TREE_OPTION)
        .option(...NO_ANCHORS_OPTION)
        .addHelpText("after", `\n${publishAnchorsHelp()}`)
        .action(action<{ tree?: string; anchors: boolean }>(async (ctx, options, [index, commitment]) => change(ctx, "replace", { index, commitment, ...options })))

    registerDefaultCommands(officer)

    officer
        .command("sync")
        .description("bring the local tree file up to date from the chain's events (incremental; --full rebuilds)")
        .option(...TREE_OPTION)
        .option("--full", "rebuild from the deployment block, ignoring the file")
        .action(action<{ tree?: string; full?: boolean }>(async (ctx, options) => sync(ctx, options)))

    officer
        .command("audit")
        .description("rebuild the tree from every event and check every published root; exit 1 if any does not match")
        .action(action(async (ctx) => audit(ctx)))

    officer
        .command("snapshot")
        .description("write a verifiable snapshot of the registry at a block: a folder of static files (manifest.json + chunks) for the app server or a CDN")
        .requiredOption("--out <dir>", "the folder to write (an older snapshot in it is replaced)")
        .option("--block <n>", "the block whose state to snapshot (default: latest)")
        .addHelpText("after", "\nClients check the snapshot's root against the registry's on-chain root history before using it, then apply the events after its block.")
        .action(action<{ out: string; block?: string }>(async (ctx, options) => snapshot(ctx, options)))

    officer
        .command("export")
        .description("write the KYC tree (synced first) as JSON { depth, arity, leaves } or CSV index,commitment")
        .requiredOption("--out <file>", "where to write")
        .option("--format <format>", "json or csv (default: from the file name, else json)")
        .option(...TREE_OPTION)
        .option("--force", "replace an existing file")
        .action(action<{ out: string; format?: string; tree?: string; force?: boolean }>(async (ctx, options) => exportTree(ctx, options)))

    officer
        .command("revoke-root")
        .description("revoke a published KYC root at once (e.g. one published with a stolen key): no proof against it lands")
        .argument("<root>", "the root (decimal or 0x-hex)")
        .action(action(async (ctx, _options, [root]) => revokeRoot(ctx, root)))

    officer
        .command("pause")
        .description("freeze membership changes (only the admin can unpause); proofs against existing roots still land")
        .action(
            action(async (ctx) => {
                const { kycRegistry } = await ctx.writeContracts()
                const receipt = await send(ctx.out, "pausing the KYC registry", () => kycRegistry.getFunction("pause")())
                ctx.out.result({ paused: true, transactionHash: receipt.hash }, "the KYC registry is paused")
            })
        )
}

async function add(ctx: CliContext, file: string, options: { tree?: string; batchSize: string; dryRun?: boolean; resume?: boolean; anchors: boolean }): Promise<void> {
    const batchSize = parseInteger(options.batchSize, "--batch-size", { min: 1, max: 1000 })
    const allRows = parseMembersFile(await readText(file, "members file"), file)
    if (!options.dryRun) await requireOfficer(ctx)
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path })
    requireMatch(synced)
    const { tree } = synced

    // what the chain already has of this file: skipped on --resume, refused otherwise
    const rows = options.resume ? allRows.filter((r) => tree.indexOf(r.commitment) === -1) : allRows
    const skipped = allRows.length - rows.length
    if (options.resume && rows.length === 0) {
        ctx.out.result({ added: 0, skipped, root: tree.root.toString(), size: tree.size }, `all ${skipped} members of ${file} are in the registry already: nothing to add`)
        return
    }
    if (skipped > 0) ctx.out.note(`resuming: ${skipped} of ${allRows.length} members of ${file} are in the registry already and are skipped`)
    const already = rows.filter((r) => tree.indexOf(r.commitment) !== -1)
    if (already.length > 0) {
        const listed = already.slice(0, 10).map((r) => `  ${file} ${r.where}: already a member, at index ${tree.indexOf(r.commitment)}`)
        throw badInput("ALREADY_MEMBER", `${already.length} commitment(s) of ${file} are members already; nothing was sent (to continue an interrupted add, pass --resume):\n${listed.join("\n")}`, { file, count: already.length })
    }
    await refuseOpenDefaults(ctx, rows.map((r) => ({ commitment: r.commitment, where: `${file} ${r.where}` })))
    if (tree.size + rows.length > KYC_TREE_CAPACITY) {
        throw badInput("TREE_FULL", `the KYC tree has ${KYC_TREE_CAPACITY - tree.size} free slots, ${file} has ${rows.length} members`)
    }

    // the roots of every batch, before any transaction
    const batches: { startIndex: number; commitments: bigint[]; root: bigint }[] = []
    const bar = startProgress(ctx.out, "computing roots", rows.length, "members")
    for (let i = 0; i < rows.length; i += batchSize) {
        const commitments = rows.slice(i, i + batchSize).map((r) => r.commitment)
        const startIndex = tree.size
        batches.push({ startIndex, commitments, root: tree.appendLeaves(commitments) })
        bar.update(i + commitments.length)
    }
    bar.stop()

    if (options.dryRun) {
        ctx.out.result(
            { dryRun: true, members: rows.length, batches: batches.map((b) => ({ startIndex: b.startIndex, count: b.commitments.length, root: b.root.toString() })), root: tree.root.toString() },
            `${rows.length} members are valid; ${batches.length} batch(es) would be sent; final root ${tree.root}`
        )
        return
    }
    await confirm(ctx, `add ${rows.length} members in ${batches.length} transaction(s)?`)

    const { kycRegistry } = await ctx.writeContracts()
    const sent: { startIndex: number; count: number; root: string; transactionHash: string; blockNumber: number }[] = []
    const sending = startProgress(ctx.out, "sending batches", batches.length, "batches")
    const started = Date.now()
    let membersSent = 0
    try {
        for (const [n, batch] of batches.entries()) {
            const receipt = await send(ctx.out, `addMembers batch ${n + 1}/${batches.length} (${batch.commitments.length} members)`, () =>
                kycRegistry.getFunction("addMembers")(batch.commitments, batch.root)
            )
            const event = receipt.logs.map((log) => kycRegistry.interface.parseLog(log)).find((e) => e?.name === "MembersAdded")
            const startIndex = Number(event?.args.startIndex ?? -1)
            sent.push({ startIndex, count: batch.commitments.length, root: batch.root.toString(), transactionHash: receipt.hash, blockNumber: receipt.blockNumber })
            membersSent += batch.commitments.length
            const rate = membersSent / Math.max(0.001, (Date.now() - started) / 1000)
            sending.update(n + 1, { stage: `${Math.round(rate)} members/s, ETA ${formatSeconds((rows.length - membersSent) / rate)}` })
            if (startIndex !== batch.startIndex) {
                throw failed("CONCURRENT_CHANGE", `batch ${n + 1} landed at index ${startIndex}, not ${batch.startIndex}: another officer changed the tree at the same time; its root is wrong. Stopped: run \`zkcredit officer sync\` and \`zkcredit officer audit\``, { sent })
            }
        }
    } catch (error) {
        if (sent.length > 0) ctx.out.warn(`${sent.length} of ${batches.length} batches were added before the failure; run the same command with --resume to add the rest`)
        throw error
    } finally {
        sending.stop()
    }
    const last = sent[sent.length - 1]!
    await saveTreeFile(path, { ...synced.meta, syncedBlock: last.blockNumber }, tree)
    await reportPublishedRoot(
        ctx,
        tree.root,
        options.anchors,
        { added: rows.length, skipped, batches: sent, root: tree.root.toString(), size: tree.size, treeFile: path },
        [`added ${rows.length} members in ${sent.length} transaction(s)${skipped > 0 ? ` (${skipped} were in already)` : ""}`, `root ${tree.root} (${tree.size} slots); tree saved in ${path}`]
    )
}

/**
 * Refuses commitments removed for a default that is still open: they come back only through
 * `officer readmit`, once the loan is paid (a plain add would fail the audit). The default events
 * are read by block range, so no request names a commitment.
 */
async function refuseOpenDefaults(ctx: CliContext, rows: readonly { commitment: bigint; where: string }[]): Promise<void> {
    const deployment = await ctx.deployment()
    const records = kycDefaultRecords(await fetchKycDefaultEvents(await ctx.provider(), deployment.contracts.trustRegistry, { fromBlock: deployment.deployBlock }))
    if (records.length === 0) return
    const out = rows.map((r) => ({ ...r, open: openDefaultOf(records, r.commitment) })).filter((r) => r.open !== undefined)
    if (out.length === 0) return
    const listed = out.slice(0, 10).map((r) => `  ${r.where}: out for the default of loan ${r.open!.loanId} of market ${r.open!.market}`)
    throw badInput("OPEN_DEFAULT", `${out.length} commitment(s) were removed for a default that is still open; nothing was sent: readmit with \`zkcredit officer readmit --commitment <c>\` once the loan is paid in full:\n${listed.join("\n")}`, { count: out.length })
}

/** Seconds as "1h02m", "3m05s" or "12s". */
function formatSeconds(seconds: number): string {
    const s = Math.max(0, Math.round(seconds))
    if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
    return `${s}s`
}

/**
 * Revokes a KYC root (an officer or the admin). Refuses, before sending, a caller with neither
 * role, a root never published and one revoked already.
 */
export async function revokeRoot(ctx: CliContext, text: string | undefined): Promise<void> {
    const root = parseFieldElement(text!, "root")
    const { kycRegistry } = await ctx.readContracts()
    const address = await ctx.address()
    const [officerRole, adminRole] = await Promise.all([kycRegistry.getFunction("OFFICER_ROLE")(), kycRegistry.getFunction("DEFAULT_ADMIN_ROLE")()])
    const [isOfficer, isAdmin] = await Promise.all([kycRegistry.getFunction("hasRole")(officerRole, address), kycRegistry.getFunction("hasRole")(adminRole, address)])
    if (!isOfficer && !isAdmin) throw failed("NOT_AN_OFFICER", `${address} is neither an officer nor the KYC admin (DEFAULT_ADMIN_ROLE) of the TrustRegistry: pick another --account`)
    const record = await kycRegistry.getFunction("rootRecord")(root)
    if (BigInt(record.createdAt) === 0n) throw badInput("UNKNOWN_ROOT", `root ${root} was never published by the KYC registry`)
    if (record.revoked) throw badInput("ALREADY_REVOKED", `root ${root} is revoked already`)
    await confirm(ctx, `revoke KYC root ${root}? Proofs against it stop working at once.`)
    const writable = (await ctx.writeContracts()).kycRegistry
    const receipt = await send(ctx.out, `revokeRoot(${root})`, () => writable.getFunction("revokeRoot")(root))
    ctx.out.result({ revokedRoot: root.toString(), transactionHash: receipt.hash }, `revoked KYC root ${root}`)
}

async function change(ctx: CliContext, kind: "remove" | "replace", options: { index?: string; commitment?: string; tree?: string; immediate?: boolean; anchors: boolean }): Promise<void> {
    // check the arguments before anything else
    const newCommitment = kind === "replace" ? parseCommitment(options.commitment, "commitment") : undefined
    const byCommitment = kind === "remove" && options.commitment !== undefined ? parseCommitment(options.commitment, "--commitment") : undefined
    if (kind === "remove" && (options.index === undefined) === (byCommitment === undefined)) {
        throw badInput("USAGE", "give either the member's <index> or --commitment <c>")
    }
    let index = options.index !== undefined ? parseInteger(options.index, "index") : -1
    await requireOfficer(ctx)
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path })
    requireMatch(synced)
    const { tree } = synced
    if (byCommitment !== undefined) {
        index = tree.indexOf(byCommitment)
        if (index < 0) throw badInput("NOT_A_MEMBER", "that commitment is not a member of the KYC tree")
    }
    if (index >= tree.size) throw badInput("UNKNOWN_INDEX", `index ${index} is not in the tree: it has ${tree.size} slots (0 to ${tree.size - 1})`)
    if (tree.leafAt(index) === 0n) throw badInput("REMOVED_MEMBER", `the member at index ${index} was removed already`)
    if (newCommitment !== undefined && tree.indexOf(newCommitment) !== -1) {
        throw badInput("ALREADY_MEMBER", `the new commitment is a member already, at index ${tree.indexOf(newCommitment)}`)
    }
    if (newCommitment !== undefined) await refuseOpenDefaults(ctx, [{ commitment: newCommitment, where: "the new commitment" }])
    const immediate = kind === "remove" && options.immediate === true
    await confirm(ctx, immediate ? `remove the member at index ${index} immediately? Every older root stops working: every other borrower must prove again.` : `${kind} the member at index ${index}?`)
    const root = tree.setLeaf(index, newCommitment ?? 0n)
    const { kycRegistry } = await ctx.writeContracts()
    const method = kind === "replace" ? "replaceMember" : immediate ? "removeMemberImmediately" : "removeMember"
    const receipt = await send(ctx.out, `${method}(${index})`, () =>
        kind === "remove" ? kycRegistry.getFunction(method)(index, root) : kycRegistry.getFunction("replaceMember")(index, newCommitment, root)
    )
    await saveTreeFile(path, { ...synced.meta, syncedBlock: receipt.blockNumber }, tree)
    await reportPublishedRoot(
        ctx,
        root,
        options.anchors,
        { [kind === "remove" ? "removed" : "replaced"]: index, ...(kind === "remove" ? { immediate } : {}), root: root.toString(), transactionHash: receipt.hash, treeFile: path },
        [`${kind === "remove" ? "removed" : "replaced"} the member at index ${index}${immediate ? " immediately (every older root is invalid)" : ""}; new root ${root}`]
    )
}

async function sync(ctx: CliContext, options: { tree?: string; full?: boolean }): Promise<void> {
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path, full: options.full ?? false })
    const members = synced.tree.memberCount
    const data = {
        treeFile: path,
        mode: synced.mode,
        eventsRead: synced.eventsRead,
        syncedBlock: synced.meta.syncedBlock,
        size: synced.tree.size,
        members,
        root: synced.tree.root.toString(),
        chainRoot: synced.chainRoot.toString(),
        matchesChain: synced.matchesChain
    }
    requireMatch(synced)
    ctx.out.result(data, [`synced ${path} to block ${data.syncedBlock} (${synced.mode}, ${synced.eventsRead} events read)`, `${members} members in ${data.size} slots; root ${data.root} matches the registry`])
}

async function audit(ctx: CliContext): Promise<void> {
    const deployment = await ctx.deployment()
    const provider = await ctx.provider()
    const { kycRegistry } = await ctx.readContracts()
    const latest = await provider.getBlockNumber()
    const events = await readEvents(ctx, deployment.contracts.trustRegistry, deployment.deployBlock, latest)
    const records = kycDefaultRecords(await fetchKycDefaultEvents(provider, deployment.contracts.trustRegistry, { fromBlock: deployment.deployBlock, toBlock: latest }))
    const result = auditKycEvents(events, { hash: await loadFastPoseidon() })
    const currentRoot = BigInt(await kycRegistry.getFunction("currentRoot")({ blockTag: latest }))
    const currentMatches = events.length === 0 ? currentRoot === 0n : result.tree.root === currentRoot
    const findings = result.findings.map((f) => ({
        eventIndex: f.eventIndex,
        kind: f.event.kind,
        blockNumber: f.event.blockNumber,
        transactionHash: f.event.transactionHash,
        publishedRoot: f.event.newRoot.toString(),
        expectedRoot: f.expectedRoot.toString(),
        ...(f.problem ? { problem: f.problem } : {})
    }))
    const defaultFindings = auditKycDefaults(events, records).map((f) => ({ kind: "default", commitment: f.record.commitment.toString(), market: f.record.market, loanId: Number(f.record.loanId), blockNumber: f.record.recorded.blockNumber, transactionHash: f.record.recorded.transactionHash, problem: f.problem }))
    const defaults = records.map((r) => ({
        commitment: r.commitment.toString(),
        market: r.market,
        loanId: Number(r.loanId),
        index: r.index,
        blockNumber: r.recorded.blockNumber,
        transactionHash: r.recorded.transactionHash,
        readmitted: r.readmitted ? { index: r.readmitted.index, blockNumber: r.readmitted.blockNumber, transactionHash: r.readmitted.transactionHash } : null
    }))
    const defaultLines = defaults.map(
        (d) => `  index ${d.index} removed for the default of loan ${d.loanId} of market ${d.market} (block ${d.blockNumber}, tx ${d.transactionHash})${d.readmitted ? `; readmitted at index ${d.readmitted.index} once repaid (block ${d.readmitted.blockNumber})` : "; not readmitted"}`
    )
    const ok = result.ok && currentMatches && defaultFindings.length === 0
    const data = { ok, rootsChecked: result.rootsChecked, toBlock: latest, members: result.tree.memberCount, currentRoot: currentRoot.toString(), currentRootMatches: currentMatches, findings: [...findings, ...defaultFindings], defaults }
    const defaultsText = defaults.length > 0 ? [`${defaults.length} removal(s) for a default:`, ...defaultLines] : []
    if (!ok) {
        const lines = findings.map((f) => `  event ${f.eventIndex} (${f.kind}, block ${f.blockNumber}, tx ${f.transactionHash}): published root ${f.publishedRoot}, the members give ${f.expectedRoot}${f.problem ? ` (${f.problem})` : ""}`)
        lines.push(...defaultFindings.map((f) => `  default of loan ${f.loanId} (block ${f.blockNumber}, tx ${f.transactionHash}): ${f.problem}`))
        if (!currentMatches) lines.push(`  the registry's current root ${currentRoot} is not the root of the rebuilt tree ${result.tree.root}`)
        ctx.out.result(data, [`AUDIT FAILED: ${findings.length} of ${result.rootsChecked} published roots do not match the members${defaultFindings.length > 0 ? `, ${defaultFindings.length} default record(s) do not match the leaves` : ""}`, ...lines, ...defaultsText])
        throw failed("AUDIT_MISMATCH", `${findings.length} published root(s) and ${defaultFindings.length} default record(s) do not match the tree rebuilt from the events`)
    }
    ctx.out.result(data, [`audit ok: all ${result.rootsChecked} published roots match the tree rebuilt from the events (${data.members} members, to block ${latest})`, ...defaultsText])
}

async function snapshot(ctx: CliContext, options: { out: string; block?: string }): Promise<void> {
    if (options.out === "") throw badInput("USAGE", "--out is empty: give the folder to write the snapshot to")
    const provider = await ctx.provider()
    const deployment = await ctx.deployment()
    const latest = await provider.getBlockNumber()
    const block = options.block !== undefined ? parseInteger(options.block, "--block", { min: deployment.deployBlock, max: latest }) : latest
    let bar = startProgress(ctx.out, "reading KYC events", block - deployment.deployBlock + 1, "blocks")
    let stage = "events"
    const { tree } = await treeAtBlock({ provider, chainId: deployment.chainId, kycRegistry: deployment.contracts.trustRegistry, deployBlock: deployment.deployBlock }, block, (s, done, total) => {
        if (s !== stage) {
            bar.stop()
            bar = startProgress(ctx.out, "building the KYC tree", total, "leaves")
            stage = s
        }
        bar.update(done, { total })
    })
    bar.stop()
    const { kycRegistry } = await ctx.readContracts()
    const published = tree.size === 0 || BigInt((await kycRegistry.getFunction("rootRecord")(tree.root)).createdAt) !== 0n
    if (!published) throw failed("TREE_MISMATCH", `the tree the events give at block ${block} (root ${tree.root}) is not a root the registry published: a published root is wrong; run \`zkcredit officer audit\``)
    const dir = resolve(options.out)
    const { manifest, bytes } = await writeSnapshotDir(dir, tree, { chainId: deployment.chainId, kycRegistry: deployment.contracts.trustRegistry, block })
    ctx.out.result(
        { dir, block, size: manifest.size, root: manifest.root, chunks: manifest.chunks.length, bytes },
        `wrote the KYC snapshot at block ${block} (${manifest.size} slots, root ${manifest.root}) to ${dir}: ${manifest.chunks.length} chunk(s), ${bytes} bytes`
    )
}

async function exportTree(ctx: CliContext, options: { out: string; format?: string; tree?: string; force?: boolean }): Promise<void> {
    const format = (options.format ?? (/\.csv$/i.test(options.out) ? "csv" : "json")).toLowerCase()
    if (format !== "json" && format !== "csv") throw badInput("INVALID_FORMAT", `--format must be json or csv, got ${JSON.stringify(options.format)}`)
    const path = await treePath(ctx, options.tree)
    const synced = await syncKycTree(ctx, { treePath: path })
    const { tree } = synced
    const text = format === "json" ? `${tree.export()}\n` : `index,commitment\n${tree.level(0).map((l, i) => `${i},${l}`).join("\n")}\n`
    await writeTextFile(options.out, text, { overwrite: options.force ?? false })
    ctx.out.result({ file: resolve(options.out), format, size: tree.size, root: tree.root.toString(), syncedBlock: synced.meta.syncedBlock, matchesChain: synced.matchesChain }, `wrote ${tree.size} leaves (root ${tree.root}) to ${options.out}`)
}
