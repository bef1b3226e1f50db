/**
 * The borrower's KYC sync in Chromium: a fresh profile starts from the app server's snapshot
 * (checked against the chain) in the sync worker; a reload with nothing new on chain uses the
 * IndexedDB copy and hashes nothing; a member added on chain since is applied from its event
 * alone, and its copy is written after the page has its answer. Ports 8860-8862.
 */
import { Contract, JsonRpcProvider } from "ethers"
import { afterAll, beforeAll, expect, it } from "vitest"
import { KycRegistryAbi } from "../../client/src/generated/abis.ts"
import { kycTreeFromEvents, fetchKycEvents } from "../../client/src/kyc-tree.ts"
import type { Platform } from "../../scripts/lib/platform.ts"
import { connectDevAccount, launchBrowser, ensureIdentity, open, startTestPlatform, type TestBrowser, describeInBrowser } from "./helpers.ts"
import { testPort } from "../helpers/ports.ts"

const PORTS = { chain: testPort(8860), bureau: testPort(8861), app: testPort(8862) }

let platform: Platform
let stateDir: string
let url: string
let browser: TestBrowser

interface SyncDone {
    syncedBlock: number
    from: string
    eventsApplied: number
    leavesHashed: number
    size: number
    root: string
}

beforeAll(async () => {
    ;({ platform, stateDir, url } = await startTestPlatform(PORTS, "kyc-sync"))
    browser = await launchBrowser()
})

afterAll(async () => {
    await browser?.close()
    await platform?.stop()
})

const syncs = () => browser.page.evaluate(() => ((globalThis as unknown as { __zkcredit?: { kycSyncs?: unknown[] } }).__zkcredit?.kycSyncs ?? []) as SyncDone[])

/** The last synced block of this browser's IndexedDB copy of the tree. */
const storedBlock = () =>
    browser.page.evaluate(
        () =>
            new Promise<number | undefined>((resolve, reject) => {
                const open = indexedDB.open("zkcredit-kyc")
                open.onerror = () => reject(open.error)
                open.onsuccess = () => {
                    const all = open.result.transaction("trees").objectStore("trees").getAll()
                    all.onerror = () => reject(all.error)
                    all.onsuccess = () => resolve((all.result as { syncedBlock: number }[])[0]?.syncedBlock)
                }
            })
    )

async function visit(): Promise<SyncDone> {
    const { page } = browser
    await open(page, `${url}/borrower`)
    const borrower = platform.world.borrowers[0]!
    await connectDevAccount(page, borrower.address)
    await ensureIdentity(page, stateDir, borrower)
    await expect.poll(async () => (await syncs()).length, { timeout: 60_000 }).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId("kyc-status").getAttribute("data-member"), { timeout: 30_000 }).toBe("true")
    return (await syncs()).at(-1)!
}

describeInBrowser("borrower KYC sync", () => {
    it("a fresh profile starts from the snapshot and finds its membership", async () => {
        const first = await visit()
        expect(first.from).toBe("snapshot")
        expect(first.leavesHashed).toBe(0)
        expect(first.size).toBe(platform.world.borrowers.length)
    })

    it("a reload with nothing new on chain uses the stored tree and hashes nothing", async () => {
        const again = await visit()
        expect(again).toMatchObject({ from: "stored", eventsApplied: 0, leavesHashed: 0 })
    })

    it("a member added on chain since is applied from its event, and the root is the registry's", async () => {
        const provider = new JsonRpcProvider(platform.rpcUrl, platform.deployment.chainId, { staticNetwork: true, cacheTimeout: -1 })
        try {
            const events = await fetchKycEvents(provider, platform.deployment.contracts.trustRegistry, { fromBlock: platform.deployment.deployBlock })
            const tree = kycTreeFromEvents(events)
            tree.addMember(123_456_789n)
            const registry = new Contract(platform.deployment.contracts.trustRegistry, KycRegistryAbi, await provider.getSigner(platform.world.officer))
            await (await registry.getFunction("addMembers")([123_456_789n], tree.root)).wait()
            const after = await visit()
            expect(after).toMatchObject({ from: "stored", eventsApplied: 1, root: tree.root.toString(), size: tree.size })
            // the page had its answer before the copy was written; the copy lands just after, and the next visit applies nothing again
            await expect.poll(() => storedBlock(), { timeout: 10_000 }).toBe(after.syncedBlock)
            expect(await visit()).toMatchObject({ from: "stored", eventsApplied: 0, root: tree.root.toString() })
        } finally {
            provider.destroy()
        }
    })
})
