/**
 * A test-only attack artifact: the credit proof circuit with one line changed so that its
 * `nullifier` output is the identity secret, compiled with circom2 into a temp folder. It has
 * the real circuit's wires and constraints, so the real zkey proves with it; only the leaked
 * public signal differs. Used to show that the prover refuses it before anything is sent.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import circuits from "../../circuits/circuits.json" with { type: "json" }

const root = fileURLToPath(new URL("../../", import.meta.url))
const HONEST = "nullifier <== Nullifier()(secret, scope);"
// same wires as the honest line (the Poseidon is still computed), but the output is the secret
const LEAKY = "signal pseudonym <== Nullifier()(secret, scope);\n    nullifier <== secret + 0 * pseudonym;"

let built: string | undefined
let builtDir: string | undefined

/** Compiles the leaking circuit once per test file; returns the path of its wasm. */
export function buildLeakyWasm(): string {
    if (built && existsSync(built)) return built
    const dir = mkdtempSync(join(tmpdir(), "zkcredit-leaky-circuit-"))
    cpSync(`${root}circuits/src`, dir, { recursive: true })
    // circom2 runs under WASI and reaches only paths below its working directory, without symlinks
    cpSync(`${root}node_modules/circomlib/circuits`, join(dir, "circomlib"), { recursive: true })
    const source = readFileSync(join(dir, "credit-proof.circom"), "utf8")
    if (!source.includes(HONEST)) throw new Error("the credit proof no longer derives its nullifier in one line: update the leaky copy in test/prover/leaky-circuit.ts")
    writeFileSync(join(dir, "leaky-credit-proof.circom"), source.replace(HONEST, LEAKY))
    const c = circuits["credit-proof"]
    const params = c.params.map(String).join(", ")
    writeFileSync(join(dir, "main.circom"), `pragma circom 2.1.5;\ninclude "leaky-credit-proof.circom";\ncomponent main {public [${c.pubs.join(", ")}]} = ${c.template}(${params});\n`)
    execFileSync(process.execPath, ["--no-concurrent-sparkplug", `${root}node_modules/circom2/cli.js`, "main.circom", "--wasm", "--O2", "-l", "circomlib", "-o", "."], { cwd: dir, stdio: "pipe" })
    builtDir = dir
    built = join(dir, "main_js", "main.wasm")
    return built
}

/** Deletes the temp folder of {@link buildLeakyWasm} (call it in `afterAll`). */
export function removeLeakyWasm(): void {
    if (builtDir) rmSync(builtDir, { recursive: true, force: true })
    built = builtDir = undefined
}
