/**
 * A bureau service wired to a deployment: its database (embedded in a folder, or a PostgreSQL
 * server), the TrustRegistry's officers, the LoanMarket's history and the history proof's key.
 * Used by `zkcredit bureau serve` and `bureau/src/main.ts`.
 */
import { readFile } from "node:fs/promises"
import type { Provider } from "ethers"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import type { Deployment } from "../../client/src/deployments.ts"
import { loadOrCreateAdminToken } from "./admin-token.ts"
import { chainHistory, officersFromChain, recordedDefaultsFromChain } from "./chain.ts"
import { openDatabase } from "./db/database.ts"
import { BureauStore } from "./db/store.ts"
import { createBureauService, type BureauService, type BureauServiceOptions } from "./service.ts"

/** The environment variable naming a PostgreSQL server for the bureau's data. */
export const DATABASE_URL_ENV = "ZKCREDIT_BUREAU_DATABASE_URL"

/** Options of {@link startDeployedBureau}. */
export interface DeployedBureauOptions extends Pick<BureauServiceOptions, "privateKey" | "validitySeconds" | "corsOrigins" | "logger"> {
    provider: Provider
    deployment: Deployment
    /** A PostgreSQL server URL; when absent, the embedded database in `dataDir`. */
    databaseUrl?: string
    dataDir: string
    /** Where the admin token is kept (made if missing). */
    adminTokenFile: string
    /** Other LoanMarkets whose history the bureau also reads, besides the deployment's. */
    extraMarkets?: readonly string[]
}

/** Opens the database and builds the service (not yet listening). */
export async function startDeployedBureau(options: DeployedBureauOptions): Promise<{ service: BureauService; store: BureauStore; adminToken: string }> {
    const store = await BureauStore.open(await openDatabase(options.databaseUrl ? { url: options.databaseUrl } : { dataDir: options.dataDir }))
    try {
        const adminToken = await loadOrCreateAdminToken(options.adminTokenFile)
        const service = createBureauService({
            privateKey: options.privateKey,
            validitySeconds: options.validitySeconds,
            ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
            ...(options.logger ? { logger: options.logger } : {}),
            store,
            officers: officersFromChain(options.provider, Number(options.deployment.chainId), options.deployment.contracts.trustRegistry),
            historyVerificationKey: JSON.parse(await readFile(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object,
            chain: await chainHistory(options.provider, [options.deployment.contracts.loanMarket, ...(options.extraMarkets ?? [])].map((address) => ({ address }))),
            recordedDefaults: recordedDefaultsFromChain(options.provider, options.deployment.contracts.trustRegistry, options.deployment.deployBlock),
            adminToken
        })
        return { service, store, adminToken }
    } catch (error) {
        await store.close()
        throw error
    }
}
