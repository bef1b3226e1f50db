/**
 * The KYC registry's events, read from the chain by this browser (no server is asked which leaf
 * is whose). Kept for the page's life and extended with new blocks on each sync.
 */
import { fetchKycEvents, type KycEvent } from "$client/kyc-tree.ts"
import { app } from "./app.svelte.ts"

let cache: { toBlock: number; events: KycEvent[] } | undefined

/** Every leaf change up to the latest block, oldest first. */
export async function syncKycEvents(): Promise<KycEvent[]> {
    const provider = app.provider
    const config = app.config
    if (!provider || !config) return []
    const latest = await provider.getBlockNumber()
    const from = cache ? cache.toBlock + 1 : config.deployment.deployBlock
    if (cache && from > latest) return cache.events
    const fresh = await fetchKycEvents(provider, config.deployment.contracts.kycRegistry, { fromBlock: from, toBlock: latest })
    cache = { toBlock: latest, events: [...(cache?.events ?? []), ...fresh] }
    return cache.events
}
