/**
 * Runs the bureau service from the command line:
 *
 *   npx node bureau/src/main.ts --port 8787 --key-file .zkcredit/bureau-key.json
 *
 * Options: --port (default 8787), --host (default 127.0.0.1), --key-file (default
 * .zkcredit/bureau-key.json; created with a new key if missing), --validity-seconds (default
 * 30 days), --cors-origin (repeatable; any origin if omitted). Stops cleanly on Ctrl-C.
 * It reads no on-chain records: requests naming a pseudonym get 501 (the `zkcredit` CLI wires a
 * reader to the LoanMarket).
 */
import { parseArgs } from "node:util"
import { loadOrCreateBureauKeyFile } from "./key-file.ts"
import { createBureauService } from "./service.ts"

/** Default attestation validity of the command: 30 days. */
const DEFAULT_VALIDITY_SECONDS = 30 * 86_400

const USAGE = `usage: npx node bureau/src/main.ts [--port 8787] [--host 127.0.0.1] [--key-file .zkcredit/bureau-key.json]
                                  [--validity-seconds ${DEFAULT_VALIDITY_SECONDS}] [--cors-origin http://localhost:5173 ...]`

async function main(argv: string[]): Promise<void> {
    const { values } = parseArgs({
        args: argv,
        options: {
            port: { type: "string", default: "8787" },
            host: { type: "string", default: "127.0.0.1" },
            "key-file": { type: "string", default: ".zkcredit/bureau-key.json" },
            "validity-seconds": { type: "string", default: String(DEFAULT_VALIDITY_SECONDS) },
            "cors-origin": { type: "string", multiple: true },
            help: { type: "boolean", short: "h" }
        },
        strict: true
    })
    if (values.help) {
        console.log(USAGE)
        return
    }
    const port = parseInteger(values.port, "--port")
    const validitySeconds = parseInteger(values["validity-seconds"], "--validity-seconds")
    const { key, created } = await loadOrCreateBureauKeyFile(values["key-file"])
    if (created) console.log(`created a new bureau key in ${values["key-file"]} (register keyHash ${key.keyHash} in BureauRegistry)`)
    const service = createBureauService({ privateKey: key.privateKey, validitySeconds, corsOrigins: values["cors-origin"] ?? "*" })
    const url = await service.listen(port, values.host)
    console.log(`zkcredit bureau listening on ${url} (key hash ${key.keyHash})`)
    const stop = (): void => {
        console.log("stopping the bureau...")
        void service.close().then(() => process.exit(0))
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
