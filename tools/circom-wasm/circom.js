#!/usr/bin/env node
// `circom` for circom_tester and circomkit: forwards to the circom2 WASM compiler (no native
// circom here).
import { createRequire } from "node:module"
import { setFlagsFromString } from "node:v8"

// Node 24 can deadlock in process.exit() while V8 compiles baseline code on a worker thread;
// circom2 ends with process.exit and hung in about 3% of runs. Without concurrent Sparkplug: none
// in 750 runs.
setFlagsFromString("--no-concurrent-sparkplug")

const require = createRequire(import.meta.url)
// resolved from the project, where circom2 is installed
require(require.resolve("circom2/cli.js", { paths: [process.cwd()] }))
