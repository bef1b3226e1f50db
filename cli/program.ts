/**
 * The `zkcredit` command: global options, one subcommand per role, and the mapping of every
 * failure to an exit code (see lib/exit-codes.ts).
 */
import { Command, CommanderError, Option } from "commander"
import { registerAdmin } from "./commands/admin.ts"
import { registerAnchors } from "./commands/anchors.ts"
import { registerBorrower } from "./commands/borrower.ts"
import { registerBureau } from "./commands/bureau.ts"
import { registerCommittee } from "./commands/committee.ts"
import { registerLender } from "./commands/lender.ts"
import { registerOfficer } from "./commands/officer.ts"
import { registerProvider } from "./commands/provider.ts"
import { registerPosition, registerRequest } from "./commands/request.ts"
import { DEFAULT_RPC_URL, ENV } from "./lib/context.ts"
import { toCliError } from "./lib/errors.ts"
import { CliError, EXIT, EXIT_CODES_HELP } from "./lib/exit-codes.ts"
import { KDF_ITERATIONS_ENV } from "./lib/identity-file.ts"
import { Output } from "./lib/output.ts"
import { PASSWORD_ENV } from "./lib/password.ts"

const ROOT_HELP_AFTER = `
Roles:
  officer   compliance officer: KYC members in batches, sync, audit, export
  bureau    credit bureau: keys, scoring, signing attestations, the HTTP service
  borrower  identity, attestation, offers, prove and borrow, repay, status
  lender    offers, deposits and withdrawals, loans and pseudonyms' records
  request   loan requests funded by many lenders: create, list, fund, cancel, refund, close, repay
  position  lenders' positions (ERC-721) in requests' loans: list, claim, transfer
  admin     (deployer) bureaus and their keys, officer roles, pauses
  anchors   (anyone) proof anchors of the current KYC root and keys: cheaper borrows

Environment:
  ${ENV.rpc.padEnd(24)}JSON-RPC URL when --rpc is not given (default ${DEFAULT_RPC_URL})
  ${ENV.deployment.padEnd(24)}deployment file when --deployment is not given
  ${ENV.privateKey.padEnd(24)}private key that signs (when --account is not given); never printed
  ${PASSWORD_ENV.current.padEnd(24)}password of an identity backup (else a hidden prompt on a terminal)
  ${PASSWORD_ENV.new.padEnd(24)}new password when an identity is re-encrypted
  ${KDF_ITERATIONS_ENV.padEnd(24)}PBKDF2 iterations of new identity backups (default 600000)
  ${ENV.bureau.padEnd(24)}bureau service URL for \`borrower attest\` (default http://127.0.0.1:8787)

${EXIT_CODES_HELP}

Examples:
  zkcredit officer add members.csv --account 1
  zkcredit borrower identity new --out me.json
  zkcredit borrower borrow --identity me.json --offer 0 --amount 1000 --account 4
  zkcredit --json lender loans --account 2`

/**
 * Builds the program.
 * @param options.json Whether --json is on (commander's own messages are then replaced by JSON).
 */
export function buildProgram(options: { json?: boolean } = {}): Command {
    const program = new Command("zkcredit")
    program
        .description("zkcredit: privacy-preserving credit lending on any EVM chain, from the command line.\nEach role has its subcommands; every command has --help.")
        .option("--rpc <url>", `JSON-RPC URL of the chain (env ${ENV.rpc}, default ${DEFAULT_RPC_URL})`)
        .option("--deployment <file>", "deployment file (default: deployments/<chainId>.json)")
        .option("--account <index|address>", `an unlocked account of the node (local chain); otherwise ${ENV.privateKey}, otherwise account 0`)
        .option("--json", "machine output: one JSON document on stdout; errors as JSON on stderr")
        .addOption(new Option("-y, --yes", "do not ask for confirmation"))
        .showHelpAfterError("(add --help for usage)")
        .exitOverride()
        .addHelpText("after", ROOT_HELP_AFTER)
    // in --json mode commander's own text stays off stderr: the error is reported as JSON
    if (options.json) program.configureOutput({ outputError: () => {}, writeErr: () => {} })
    registerOfficer(program.command("officer").description("compliance officer: add, remove and replace KYC members; sync, audit and export the tree"))
    registerBureau(program.command("bureau").description("credit bureau: create keys, score applicants, sign attestations, serve the HTTP API"))
    registerProvider(program.command("provider").description("data provider (bank, tax office, utility, e-commerce): keys, registration, signed records"))
    registerBorrower(program.command("borrower").description("borrower: identity, attestation, offers, prove and borrow, repay, status"))
    registerLender(program.command("lender").description("lender: create and fund offers, withdraw, pause, list loans with pseudonyms' records"))
    registerAdmin(program.command("admin").description("admin: register bureaus and their keys, grant officer roles, pause"))
    registerRequest(program.command("request").description("loan requests funded by many lenders: a borrower proves a band and lists; lenders fund parts"))
    registerPosition(program.command("position").description("lenders' positions in requests' loans (ERC-721): list, claim repayments, transfer"))
    registerCommittee(program.command("committee").description("escrow committee: dealerless key generation, key registration, opening defaulted loans' escrows"))
    registerAnchors(program.command("anchors").description("proof anchors (anyone): prepare those of the current KYC root with every active key and market, so borrows cost about 27,000 gas less"))
    for (const command of program.commands) command.showHelpAfterError("(add --help for usage)")
    return program
}

/** What to say when a command that groups others is given without one: `zkcredit lender offer`. */
function missingCommand(program: Command, argv: string[]): string {
    let command = program
    const path = ["zkcredit"]
    for (const word of argv) {
        const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word))
        if (!sub) continue
        command = sub
        path.push(word)
    }
    const names = command.commands.map((c) => c.name()).filter((n) => n !== "help")
    return `${path.join(" ")} needs a command: ${names.join(", ")} (add --help for usage)`
}

/**
 * Runs the CLI on `argv` (without node and the script).
 * @returns The exit code.
 */
export async function runCli(argv: string[]): Promise<number> {
    const json = argv.includes("--json")
    const out = new Output(json)
    const program = buildProgram({ json })
    try {
        await program.parseAsync(argv, { from: "user" })
        return EXIT.OK
    } catch (error) {
        if (error instanceof CommanderError) {
            if (error.exitCode === 0) return EXIT.OK
            if (error.code === "commander.help") {
                // a role or group without its command: commander showed the help (not in --json mode) and says only "(outputHelp)"
                out.error(new CliError(EXIT.USAGE, "USAGE", missingCommand(program, argv)))
                return EXIT.USAGE
            }
            // commander printed its message already unless --json
            if (json) out.error(new CliError(EXIT.USAGE, "USAGE", error.message.replace(/^error: /, "")))
            return EXIT.USAGE
        }
        const cliError = toCliError(error)
        out.error(cliError)
        return cliError.exitCode
    }
}
