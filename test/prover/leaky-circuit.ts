/**
 * Test-only attack artifacts: the credit proof circuit with one line changed so that a public
 * output leaks (the `nullifier` output is the identity secret, or the escrow's `ciphertext` is
 * the identity commitment in the clear, which would link the borrower across markets), compiled
 * with circom2 into a temp folder. Each has the real circuit's wires and constraints, so the real
 * zkey proves with it; only the leaked public signal differs. Used to show that the prover
 * refuses them before anything is sent.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import circuits from "../../circuits/circuits.json" with { type: "json" }

const root = fileURLToPath(new URL("../../", import.meta.url))
/** Which output a leaky circuit leaks: the file and line changed, and the line put instead. */
const LEAKS = {
    // same wires as the honest line (the Poseidon is still computed), but the output is the secret
    nullifier: {
        file: "credit-proof.circom",
        honest: "nullifier <== Nullifier()(secret, scope);",
        leaky: "signal pseudonym <== Nullifier()(secret, scope);\n    nullifier <== secret + 0 * pseudonym;"
    },
    // the mask is still computed, but not applied: the "ciphertext" is the KYC leaf itself
    ciphertext: { file: "lib/escrow.circom", honest: "ciphertext <== commitment + mask;", leaky: "ciphertext <== commitment + 0 * mask;" }
} as const

/** An output a leaky circuit can leak. */
export type LeakedOutput = keyof typeof LEAKS

const built = new Map<LeakedOutput, { wasm: string; dir: string }>()

/** Compiles the circuit leaking `output` once per test file; returns the path of its wasm. */
export function buildLeakyWasm(output: LeakedOutput = "nullifier"): string {
    const cached = built.get(output)
    if (cached && existsSync(cached.wasm)) return cached.wasm
    const leak = LEAKS[output]
    const dir = mkdtempSync(join(tmpdir(), "zkcredit-leaky-circuit-"))
    cpSync(`${root}circuits/src`, dir, { recursive: true })
    // circom2 runs under WASI and reaches only paths below its working directory, without symlinks
    cpSync(`${root}node_modules/circomlib/circuits`, join(dir, "circomlib"), { recursive: true })
    const source = readFileSync(join(dir, leak.file), "utf8")
    if (!source.includes(leak.honest)) throw new Error(`circuits/src/${leak.file} no longer derives its ${output} in one line: update the leaky copy in test/prover/leaky-circuit.ts`)
    writeFileSync(join(dir, leak.file), source.replace(leak.honest, leak.leaky))
    const c = circuits["credit-proof"]
    const params = c.params.map(String).join(", ")
    writeFileSync(join(dir, "main.circom"), `pragma circom 2.1.5;\ninclude "credit-proof.circom";\ncomponent main {public [${c.pubs.join(", ")}]} = ${c.template}(${params});\n`)
    execFileSync(process.execPath, ["--no-concurrent-sparkplug", `${root}node_modules/circom2/cli.js`, "main.circom", "--wasm", "--O2", "-l", "circomlib", "-o", "."], { cwd: dir, stdio: "pipe" })
    const wasm = join(dir, "main_js", "main.wasm")
    built.set(output, { wasm, dir })
    return wasm
}

/** Deletes the temp folders of {@link buildLeakyWasm} (call it in `afterAll`). */
export function removeLeakyWasm(): void {
    for (const { dir } of built.values()) rmSync(dir, { recursive: true, force: true })
    built.clear()
}
