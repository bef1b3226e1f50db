#!/usr/bin/env node
/**
 * `zkcredit`: the command-line client of zkcredit. `zkcredit --help` lists the roles; every
 * command has `--help`, `--json` output and the exit codes of lib/exit-codes.ts.
 */
import { enableCompileCache } from "node:module"

// Node's on-disk compile cache (in the OS temp folder) spares every later run the parsing and
// type stripping of the CLI's modules: about a third of its start-up. It must be on before the
// program is imported, hence the dynamic import.
enableCompileCache()
const { runCli } = await import("./program.ts")

const code = await runCli(process.argv.slice(2))
// proving leaves worker threads and HTTP keep-alive sockets behind: exit now (stdout and stderr
// are synchronous for files and pipes on POSIX, nothing written is lost)
process.exit(code)
