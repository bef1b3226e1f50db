/**
 * Deploys zkcredit to any network of hardhat.config.ts with the Ignition modules and writes the
 * addresses to deployments/<chainId>.json, which the CLI (`zkcredit`) and the app read.
 *
 *   node scripts/deploy.ts --network remote [--parameters ignition/parameters/<name>.json] [--with-stablecoin] [--allow-token <address>]...
 *
 * The `remote` network takes its URL and deployer key from ZKCREDIT_RPC_URL and
 * ZKCREDIT_DEPLOYER_KEY, in the environment or in Hardhat's keystore
 * (`npx hardhat keystore set ZKCREDIT_DEPLOYER_KEY`); keys are never written to a file here.
 * A deployment interrupted half-way resumes from Ignition's journal (ignition/deployments/<id>).
 *
 * Options:
 *   --network <name>        a network of hardhat.config.ts (localhost, remote, ...) (required)
 *   --parameters <file>     Ignition parameters: { "ZkCredit": { admin, rootValidity, maxProofAge,
 *                           maxFutureSkew, maxActiveLoans } } (see ignition/modules/zkcredit.ts)
 *   --with-stablecoin       also deploy the worthless test stablecoin (test networks only); it is
 *                           allowed in the market
 *   --allow-token <address> a token offers may use (the market's allowlist); repeat for several.
 *                           The deployer must be the admin; later: `zkcredit admin allow-token`
 *   --rpc-url <url>         override the network's URL
 *   --deployment-id <id>    Ignition deployment id (default chain-<chainId>)
 *   --out <file>            where to write the deployment (default deployments/<chainId>.json)
 *   --fresh                 forget Ignition's journal first (only for a chain that starts empty)
 *   --allow-insecure-dev-verifier
 *                           deploy the INSECURE development verifier (public trusted setup: anyone
 *                           can forge proofs) to a chain other than the local one (31337); refused
 *                           without it
 *
 * Exit codes: 0 deployed; 1 the deployment failed; 2 bad usage, missing configuration, a token to
 * allow that is not an address or not a contract here, or the development verifier refused for
 * this chain.
 */
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import { ALLOW_INSECURE_DEV_VERIFIER_FLAG, DeployInputError, deployZkCredit, InsecureVerifierError, parseAllowTokens } from "./lib/deploy.ts"

const USAGE = `usage: node scripts/deploy.ts --network <name> [--parameters <file>] [--with-stablecoin] [--allow-token <address>]... [--rpc-url <url>] [--deployment-id <id>] [--out <file>] [--fresh] [${ALLOW_INSECURE_DEV_VERIFIER_FLAG}]`

function usage(message: string): never {
    console.error(`error: ${message}\n${USAGE}`)
    process.exit(2)
}

let values: Record<string, string | boolean | string[] | undefined>
try {
    values = parseArgs({
        options: {
            network: { type: "string" },
            parameters: { type: "string" },
            "with-stablecoin": { type: "boolean" },
            "allow-token": { type: "string", multiple: true },
            "rpc-url": { type: "string" },
            "deployment-id": { type: "string" },
            out: { type: "string" },
            fresh: { type: "boolean" },
            "allow-insecure-dev-verifier": { type: "boolean" },
            help: { type: "boolean", short: "h" }
        },
        strict: true
    }).values
} catch (error) {
    usage((error as Error).message)
}
if (values.help) {
    console.log(USAGE)
    process.exit(0)
}
if (typeof values.network !== "string") usage("--network is required")

let allowTokens: string[] = []
try {
    allowTokens = parseAllowTokens((values["allow-token"] as string[] | undefined) ?? [])
} catch (error) {
    usage((error as Error).message)
}

let parameters: Record<string, string | number | boolean> | undefined
if (typeof values.parameters === "string") {
    let data: unknown
    try {
        data = JSON.parse(await readFile(values.parameters, "utf8"))
    } catch (error) {
        usage(`--parameters ${values.parameters}: ${(error as Error).message}`)
    }
    const module = (data as { ZkCredit?: unknown })?.ZkCredit
    if (typeof module !== "object" || module === null) usage(`--parameters ${values.parameters} must hold { "ZkCredit": { ... } }`)
    parameters = module as Record<string, string | number | boolean>
}

try {
    const deployment = await deployZkCredit({
        networkName: values.network,
        ...(parameters ? { parameters } : {}),
        withStablecoin: values["with-stablecoin"] === true,
        allowTokens,
        ...(typeof values["rpc-url"] === "string" ? { rpcUrl: values["rpc-url"] } : {}),
        ...(typeof values["deployment-id"] === "string" ? { deploymentId: values["deployment-id"] } : {}),
        ...(typeof values.out === "string" ? { outFile: values.out } : {}),
        freshChain: values.fresh === true,
        allowInsecureDevVerifier: values["allow-insecure-dev-verifier"] === true
    })
    console.log(JSON.stringify(deployment, null, 2))
    console.error(`deployed to chain ${deployment.chainId} (${deployment.network}); addresses written to ${typeof values.out === "string" ? values.out : `deployments/${deployment.chainId}.json`}`)
    process.exit(0)
} catch (error) {
    if (error instanceof InsecureVerifierError || error instanceof DeployInputError) {
        console.error(`error: ${error.message}`)
        process.exit(2)
    }
    const message = (error as Error).message ?? String(error)
    // a configuration variable that is neither in the environment nor in the keystore
    if (/configuration variable|ZKCREDIT_RPC_URL|ZKCREDIT_DEPLOYER_KEY|HHE7|network .* not (found|defined)/i.test(message)) {
        console.error(`error: ${message}\nset ZKCREDIT_RPC_URL and ZKCREDIT_DEPLOYER_KEY in the environment, or \`npx hardhat keystore set <NAME>\``)
        process.exit(2)
    }
    console.error(`deployment failed: ${message}`)
    process.exit(1)
}
