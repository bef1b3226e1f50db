/**
 * Runs the bureau service from the command line against a deployment:
 *
 *   npx node bureau/src/main.ts --rpc http://127.0.0.1:8545 --deployment deployments/31337.json
 *
 * The same as `zkcredit bureau serve` (which also finds the deployment by itself); see its --help.
 * Options: --port (8787), --host (127.0.0.1), --key-file (.zkcredit/bureau-key.json, made if
 * missing), --validity-seconds (30 days), --cors-origin (repeatable), --data-dir
 * (.zkcredit/bureau-db), --admin-token-file (.zkcredit/bureau-admin-token); a PostgreSQL server
 * instead of the embedded database with ZKCREDIT_BUREAU_DATABASE_URL. Stops cleanly on Ctrl-C.
 */
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { JsonRpcProvider } from "ethers"
import { parseDeployment } from "../../client/src/deployments.ts"
import { loadOrCreateBureauKeyFile } from "./key-file.ts"
import { DATABASE_URL_ENV, startDeployedBureau } from "./server.ts"

/** Default attestation validity of the command: 30 days. */
const DEFAULT_VALIDITY_SECONDS = 30 * 86_400

const USAGE = `usage: npx node bureau/src/main.ts --deployment deployments/<chainId>.json [--rpc http://127.0.0.1:8545] [--port 8787] [--host 127.0.0.1]
                                  [--key-file .zkcredit/bureau-key.json] [--validity-seconds ${DEFAULT_VALIDITY_SECONDS}] [--cors-origin http://localhost:5173 ...]
                                  [--data-dir .zkcredit/bureau-db] [--admin-token-file .zkcredit/bureau-admin-token]   (${DATABASE_URL_ENV}=postgres://... for a server)`

async function main(argv: string[]): Promise<void> {
    const { values } = parseArgs({
        args: argv,
        options: {
            rpc: { type: "string", default: "http://127.0.0.1:8545" },
            deployment: { type: "string" },
            port: { type: "string", default: "8787" },
            host: { type: "string", default: "127.0.0.1" },
            "key-file": { type: "string", default: ".zkcredit/bureau-key.json" },
            "validity-seconds": { type: "string", default: String(DEFAULT_VALIDITY_SECONDS) },
            "cors-origin": { type: "string", multiple: true },
            "data-dir": { type: "string", default: ".zkcredit/bureau-db" },
            "admin-token-file": { type: "string", default: ".zkcredit/bureau-admin-token" },
            help: { type: "boolean", short: "h" }
        },
        strict: true
    })
    if (values.help) {
        console.log(USAGE)
        return
    }
    if (values.deployment === undefined) throw new Error("--deployment is required: the deployment file of the chain the bureau reads")
    const port = parseInteger(values.port, "--port")
    const validitySeconds = parseInteger(values["validity-seconds"], "--validity-seconds")
    const deployment = parseDeployment(JSON.parse(await readFile(values.deployment, "utf8")))
    const provider = new JsonRpcProvider(values.rpc, deployment.chainId, { staticNetwork: true })
    const { key, created } = await loadOrCreateBureauKeyFile(values["key-file"])
    if (created) console.log(`created a new bureau key in ${values["key-file"]} (register keyHash ${key.keyHash} in the TrustRegistry: zkcredit admin bureau-key add)`)
    const databaseUrl = process.env[DATABASE_URL_ENV]
    const { service, store } = await startDeployedBureau({
        provider,
        deployment,
        ...(databaseUrl ? { databaseUrl } : {}),
        dataDir: values["data-dir"],
        adminTokenFile: values["admin-token-file"],
        privateKey: key.privateKey,
        validitySeconds,
        corsOrigins: values["cors-origin"] ?? "*"
    })
    const url = await service.listen(port, values.host)
    console.log(`zkcredit bureau listening on ${url} (key hash ${key.keyHash}; database ${databaseUrl ? "PostgreSQL server" : values["data-dir"]})`)
    const stop = (): void => {
        console.log("stopping the bureau...")
        void service
            .close()
            .then(() => store.close())
            .then(() => process.exit(0))
    }
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
}

function parseInteger(text: string, option: string): number {
    if (!/^[0-9]+$/.test(text)) throw new Error(`${option} must be a whole number, got ${JSON.stringify(text)}`)
    return Number(text)
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    console.error(USAGE)
    process.exit(1)
})
