#!/usr/bin/env node
// `circom` for circom_tester: forwards to the circom2 WASM compiler (no native circom here).
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
// resolved from the project, where circom2 is installed
require(require.resolve("circom2/cli.js", { paths: [process.cwd()] }))
