/**
 * The supervision overview of this deployment: its market's and its escrow openings' events,
 * read through $client/supervision.ts and aggregated per market and period.
 */
import { aggregateSupervision, fetchSupervisionEvents, type PeriodUnit, type SupervisionOverview } from "$client/supervision.ts"
import { app } from "./app.svelte.ts"

/** The overview, and whether the deployment has the escrow contracts (openings are counted only then). */
export async function readSupervision(unit?: PeriodUnit): Promise<{ overview: SupervisionOverview; escrowDeployed: boolean }> {
    const { deployment } = app.config!
    const openings = deployment.contracts.escrowOpenings
    const markets = [deployment.contracts.loanMarket]
    const { events, now } = await fetchSupervisionEvents(app.provider!, { markets, openings: openings ? [openings] : [], fromBlock: deployment.deployBlock })
    return { overview: aggregateSupervision(events, { now, markets, ...(unit ? { unit } : {}) }), escrowDeployed: openings !== undefined }
}
