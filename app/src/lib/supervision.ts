/**
 * The supervision overview of this deployment: its markets' events (the loan offers' market and,
 * where deployed, the request market) and each one's escrow openings, read through
 * $client/supervision.ts and aggregated per market and period.
 */
import { escrowOpeningsOf } from "$client/deployments.ts"
import { aggregateSupervision, fetchSupervisionEvents, type PeriodUnit, type SupervisionOverview } from "$client/supervision.ts"
import { app } from "./app.svelte.ts"

/** The overview, and whether the deployment has the escrow contracts (openings are counted only then). */
export async function readSupervision(unit?: PeriodUnit): Promise<{ overview: SupervisionOverview; escrowDeployed: boolean }> {
    const { deployment } = app.config!
    const { contracts: c, deployBlock } = deployment
    const openings = escrowOpeningsOf(deployment)
    const requestMarkets = c.requestMarket ? [c.requestMarket] : []
    const markets = [c.loanMarket]
    const { events, now } = await fetchSupervisionEvents(app.provider!, { markets, requestMarkets, openings, fromBlock: deployBlock })
    return { overview: aggregateSupervision(events, { now, markets: [...markets, ...requestMarkets], ...(unit ? { unit } : {}) }), escrowDeployed: openings.length > 0 }
}
