/**
 * The borrower's KYC sync in Chromium at province scale, for bench/registry.ts:
 * 1. the platform on a local chain (demo world: a dozen members with identities), then the rest
 *    of the registry added as the officer's CLI adds it (`TrustRegistry.addMembers` with the root the
 *    tree module computes for each batch, from the officer's account), but in batches of
 *    {@link LOAD_BATCH} with the next batch hashed while the last one is mined: `zkcredit officer
 *    add` (batches of at most 1,000, each awaited) would take most of the benchmark at 1M;
 * 2. a snapshot of that tree at the last block, written as `zkcredit officer snapshot` writes it
 *    and served by the app server under /kyc-snapshot/ (the page checks its root on chain);
 * 3. a fresh Chromium profile opens the borrower page with a member's identity: from the restored
 *    identity until the page says "member" (`kyc-status[data-member=true]`, set when the sync
 *    worker has the tree and the page holds this identity's Merkle proof: ready to prove);
 * 4. a few members added the same way, then a reload, timed until the page is ready again; then
 *    a reload with nothing new.
 * The page's own record of each sync (`window.__zkcredit.kycSyncs`) gives the stages.
 */
import { buildApp, startPlatform } from "../../scripts/lib/platform.ts"
import { startStaticServer } from "../../scripts/lib/static-server.ts"
import { Contract, JsonRpcProvider, toQuantity } from "ethers"
import { snapshotFiles, treeAtBlock, writeSnapshotDir } from "../../cli/lib/kyc-snapshot-files.ts"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { CHROMIUM_LOOKUP, connectDevAccount, launchBrowser, open, restoreIdentity } from "../../test/e2e/helpers.ts"
import type { KycTree } from "../../prover/src/kyc-tree.ts"
import { ROOT } from "./report.ts"

/** Members per `addMembers` transaction when loading the registry (32 bytes each of calldata). */
export const LOAD_BATCH = 5_000

/** What {@link measureBrowserSync} measured. */
export interface BrowserSyncFigures {
    members: number
    /** Loading the members beyond the demo world's on chain (roots computed, batches mined), seconds. */
    loadSeconds: number
    loadedMembers: number
    loadBatch: number
    /** Gas per member of a full load batch. */
    loadGasPerMember: number
    snapshotSeconds: number
    snapshotBytes: number
    /** Fresh profile: from the restored identity until the page is ready to prove, seconds. */
    firstSyncSeconds: number
    /** The worker's own time for that sync (request to done), ms, and where its tree came from. */
    firstSyncWorkerMs: number
    firstSyncFrom: string
    /** When each of the worker's stages began, ms into the sync. */
    firstSyncStagesMs: Record<string, number>
    /** Members added on chain between the two visits. */
    returnNewMembers: number
    /** Reload: from `page.reload()` until the page is ready to prove again, ms. */
    returnSyncMs: number
    returnSyncWorkerMs: number
    returnSyncFrom: string
    returnSyncStagesMs: Record<string, number>
    returnEventsApplied: number
    /** A further reload with nothing new on chain, ms (page) and the worker's ms. */
    returnNothingNewMs: number
    returnNothingNewWorkerMs: number
    browser: string
}

interface SyncDone {
    from: string
    eventsApplied: number
    leavesHashed: number
    size: number
    root: string
    totalMs: number
    stagesMs: Record<string, number>
}

/**
 * Runs the measurement; stops everything it started.
 * @param options.members Registry size (demo world included).
 * @param options.leafOf The commitment of the i-th added member.
 */
export async function measureBrowserSync(options: { members: number; newMembers: number; ports: { chain: number; bureau: number; app: number }; stateDir: string; leafOf: (i: number) => bigint; log: (text: string) => void }): Promise<BrowserSyncFigures> {
    const { log, stateDir } = options
    if (!CHROMIUM_LOOKUP.found) throw new Error(`browser figures: ${CHROMIUM_LOOKUP.problem}`)
    const platform = await startPlatform({ ports: options.ports, stateDir, serveApp: false, build: false, onStep: (n, total, text) => log(`[${n}/${total}] ${text}`) })
    let provider: JsonRpcProvider | undefined
    let server: Awaited<ReturnType<typeof startStaticServer>> | undefined
    let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined
    try {
        provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { staticNetwork: true, cacheTimeout: -1 })
        const demo = platform.world.borrowers.length
        const toAdd = options.members - demo
        log(`loading ${toAdd} members in batches of ${LOAD_BATCH} onto the demo world's ${demo}`)
        let t = performance.now()
        const { deployment } = platform
        const registry = new Contract(deployment.contracts.trustRegistry, KycRegistryAbi, provider)
        const { tree } = await treeAtBlock({ provider, chainId: deployment.chainId, kycRegistry: deployment.contracts.trustRegistry, deployBlock: deployment.deployBlock })
        const loaded = await loadMembers(registry, platform.world.officer, tree, Array.from({ length: toAdd }, (_, i) => options.leafOf(i)), log)
        const loadSeconds = (performance.now() - t) / 1000
        log(`loaded in ${loadSeconds.toFixed(1)} s (${loaded.gasPerMember} gas a member); writing the snapshot`)
        t = performance.now()
        const snapshotDir = `${stateDir}/kyc-snapshot`
        const { manifest, bytes: snapshotBytes } = await writeSnapshotDir(snapshotDir, tree, { chainId: platform.deployment.chainId, kycRegistry: platform.deployment.contracts.trustRegistry, block: loaded.block })
        const snapshotSeconds = (performance.now() - t) / 1000
        if (manifest.size !== options.members) throw new Error(`the snapshot has ${manifest.size} members, expected ${options.members}`)

        await buildApp((text) => log(text))
        server = await startStaticServer({ dir: `${ROOT}app/build`, port: options.ports.app, files: snapshotFiles(snapshotDir, manifest), json: { "/config.json": () => platform.config } })
        browser = await launchBrowser()
        const { page } = browser
        const syncs = () => page.evaluate(() => ((globalThis as unknown as { __zkcredit?: { kycSyncs?: unknown[] } }).__zkcredit?.kycSyncs ?? []) as SyncDone[])
        const ready = () => page.locator('[data-testid="kyc-status"][data-member="true"]').waitFor({ timeout: 30 * 60_000 })
        const borrower = platform.world.borrowers[0]!

        log("fresh profile: the borrower page, the identity restored, until ready to prove")
        await open(page, `${server.url}/borrower`)
        await connectDevAccount(page, borrower.address)
        const firstStart = performance.now()
        await restoreIdentity(page, stateDir, borrower)
        await ready()
        const firstSyncSeconds = (performance.now() - firstStart) / 1000
        const first = (await syncs()).at(-1)
        if (!first || first.size !== options.members) throw new Error(`the first sync did not end with the ${options.members}-member tree: ${JSON.stringify(first)}`)
        log(`first sync: ${firstSyncSeconds.toFixed(1)} s (worker ${Math.round(first.totalMs)} ms, from the ${first.from})`)

        log(`${options.newMembers} new members on chain, then a reload`)
        await loadMembers(registry, platform.world.officer, tree, Array.from({ length: options.newMembers }, (_, i) => options.leafOf(toAdd + i)), log)
        const returnStart = performance.now()
        await page.reload()
        await ready()
        const returnSyncMs = performance.now() - returnStart
        const back = (await syncs()).at(-1)
        if (!back || back.size !== options.members + options.newMembers || back.eventsApplied < 1) throw new Error(`the return sync did not apply the new members: ${JSON.stringify(back)}`)
        log(`return sync: ${Math.round(returnSyncMs)} ms (worker ${Math.round(back.totalMs)} ms, from ${back.from}, ${back.eventsApplied} event(s))`)
        const idleStart = performance.now()
        await page.reload()
        await ready()
        const returnNothingNewMs = performance.now() - idleStart
        const idle = (await syncs()).at(-1)
        // a return visit writes its copy just after the page has its answer, so a reload right
        // after it may find the copy from before and apply the same new events again: by design
        if (!idle || idle.from !== "stored" || idle.eventsApplied > back.eventsApplied) throw new Error(`the reload with nothing new did not use the stored tree: ${JSON.stringify(idle)}`)
        log(`reload with nothing new: ${Math.round(returnNothingNewMs)} ms (worker ${Math.round(idle.totalMs)} ms, ${idle.eventsApplied} event(s) applied again)`)
        if (browser.problems.length > 0) log(`page problems: ${browser.problems.join("; ")}`)
        return {
            members: options.members,
            loadSeconds,
            loadedMembers: toAdd,
            loadBatch: LOAD_BATCH,
            loadGasPerMember: loaded.gasPerMember,
            snapshotSeconds,
            snapshotBytes,
            firstSyncSeconds,
            firstSyncWorkerMs: first.totalMs,
            firstSyncFrom: first.from,
            firstSyncStagesMs: first.stagesMs,
            returnNewMembers: options.newMembers,
            returnSyncMs,
            returnSyncWorkerMs: back.totalMs,
            returnSyncFrom: back.from,
            returnSyncStagesMs: back.stagesMs,
            returnEventsApplied: back.eventsApplied,
            returnNothingNewMs,
            returnNothingNewWorkerMs: idle.totalMs,
            browser: `Chromium ${browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))} (headless)`
        }
    } finally {
        await browser?.close()
        await server?.close()
        provider?.destroy()
        await platform.stop()
    }
}

/**
 * Adds members as the officer does (the tree module's root for each batch, `addMembers` from the
 * officer's account), hashing each next batch while the last one is mined.
 * @param tree The registry's tree, brought up to date here.
 * @returns The last batch's block and the gas per member of a full batch.
 */
async function loadMembers(registry: Contract, officer: string, tree: KycTree, members: bigint[], log: (text: string) => void): Promise<{ block: number; gasPerMember: number }> {
    const provider = registry.runner!.provider as JsonRpcProvider
    const to = await registry.getAddress()
    const started = performance.now()
    // eth_sendTransaction from the node's unlocked officer account, with a gas limit above the
    // registry's ~900 a member (no estimate, which would run each batch twice), and the receipt
    // read at once (the node mines each transaction as it comes; no receipt polling)
    const send = async (batch: bigint[], root: bigint, startIndex: number) => {
        const data = registry.interface.encodeFunctionData("addMembers", [batch, root])
        const hash = (await provider.send("eth_sendTransaction", [{ from: officer, to, data, gas: toQuantity(200_000 + 1_500 * batch.length) }])) as string
        const receipt = await provider.getTransactionReceipt(hash)
        if (!receipt || receipt.status !== 1) throw new Error(`addMembers at ${startIndex} failed: ${JSON.stringify(receipt)}`)
        const event = receipt.logs.map((l) => registry.interface.parseLog(l)).find((e) => e?.name === "MembersAdded")
        if (Number(event?.args.startIndex ?? -1) !== startIndex) throw new Error(`a batch landed at ${event?.args.startIndex}, not ${startIndex}`)
        return { gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber, count: batch.length }
    }
    let pending: ReturnType<typeof send> | undefined
    let gasPerMember = 0
    let block = 0
    const settle = async () => {
        const r = await pending!
        block = r.blockNumber
        if (r.count === LOAD_BATCH && gasPerMember === 0) gasPerMember = Math.round(Number(r.gasUsed) / r.count)
    }
    for (let at = 0; at < members.length; at += LOAD_BATCH) {
        const batch = members.slice(at, at + LOAD_BATCH)
        const startIndex = tree.size
        // this batch is hashed while the last one is mined
        const root = tree.appendLeaves(batch)
        if (pending) await settle()
        pending = send(batch, root, startIndex)
        pending.catch(() => {})
        if ((at / LOAD_BATCH) % 20 === 19) log(`  ${at + batch.length} of ${members.length} members sent, ${Math.round((at + batch.length) / ((performance.now() - started) / 1000))} a second`)
    }
    if (pending) await settle()
    const onChain = BigInt(await registry.getFunction("currentRoot")())
    if (onChain !== tree.root) throw new Error(`the registry's root ${onChain} is not the loaded tree's ${tree.root}`)
    return { block, gasPerMember }
}
