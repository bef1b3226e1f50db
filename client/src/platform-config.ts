import { ZkCreditError } from "../../prover/src/errors.ts"
import { parseDeployment, type Deployment } from "./deployments.ts"

/**
 * What the app needs to know at run time, served as /config.json next to the static app (by
 * `npm start` locally; by whoever hosts the app elsewhere). Nothing secret goes here.
 */
export interface PlatformConfig {
    /** JSON-RPC URL the app reads the chain through (writes go through the wallet). */
    rpcUrl: string
    deployment: Deployment
    /** The bureau service's base URL, e.g. http://127.0.0.1:8787. */
    bureauUrl: string
    /** Where the proving artifacts are (relative URLs are resolved against the app). */
    artifacts: { wasm: string; zkey: string }
    /** Local chain only: the node's unlocked accounts, for use without an injected wallet. */
    devAccounts?: { address: string; label: string }[]
    /** Token display facts of the stablecoin, when there is one. */
    token?: { symbol: string; decimals: number }
}

/**
 * Checks a platform config (e.g. fetched /config.json).
 * @throws ZkCreditError naming the bad field.
 */
export function parsePlatformConfig(value: unknown): PlatformConfig {
    if (typeof value !== "object" || value === null) throw new ZkCreditError("INVALID_ARGUMENT", "config must be an object", "config")
    const c = value as Record<string, unknown>
    const url = (name: string): string => {
        const v = c[name]
        if (typeof v !== "string" || !/^https?:\/\//.test(v)) throw new ZkCreditError("INVALID_ARGUMENT", `config.${name} must be an http(s) URL`, `config.${name}`)
        return v
    }
    const artifacts = c.artifacts as Record<string, unknown> | undefined
    if (typeof artifacts?.wasm !== "string" || typeof artifacts?.zkey !== "string") {
        throw new ZkCreditError("INVALID_ARGUMENT", "config.artifacts must be { wasm, zkey } URLs", "config.artifacts")
    }
    return {
        rpcUrl: url("rpcUrl"),
        bureauUrl: url("bureauUrl"),
        deployment: parseDeployment(c.deployment),
        artifacts: { wasm: artifacts.wasm, zkey: artifacts.zkey },
        ...(Array.isArray(c.devAccounts) ? { devAccounts: c.devAccounts as PlatformConfig["devAccounts"] } : {}),
        ...(typeof c.token === "object" && c.token !== null ? { token: c.token as PlatformConfig["token"] } : {})
    }
}
