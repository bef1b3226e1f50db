/**
 * The sha256 of every proving artifact, pinned at build time from the committed
 * `circuits/artifacts.manifest.json` (`npm run build:circuits` writes it; a test checks it
 * against the build). Node reads the manifest as a JSON module; the app's bundler inlines the
 * same JSON into the bundle, so a served file can never move the pin. Generic per circuit: every
 * circuit the manifest lists under `circuits/build/<name>/` is pinned, without code changes.
 */
import manifest from "../../circuits/artifacts.manifest.json" with { type: "json" }
import { ZkCreditError } from "./errors.ts"

/** The three files a circuit's proofs depend on. */
export type ArtifactKind = "wasm" | "zkey" | "vkey"

/** The pinned sha256 (lowercase hex) of a circuit's witness generator, proving key and verification key. */
export type CircuitPins = Readonly<Record<ArtifactKind, string>>

/** Where each pinned file sits in the repository (paths relative to its root). */
export type CircuitFiles = Readonly<Record<ArtifactKind, string>>

const SHA256_HEX = /^[0-9a-f]{64}$/

/** The file name of each kind inside `circuits/build/<name>/`, as circomkit writes it. */
function kindOf(name: string, file: string): ArtifactKind | undefined {
    if (file === `${name}_js/${name}.wasm`) return "wasm"
    if (file === `${name}.zkey`) return "zkey"
    if (file === "verification_key.json") return "vkey"
    return undefined
}

/**
 * Reads the pins out of a manifest: every `"circuits/build/<name>/<file>": "<sha256>"` entry at
 * any depth (so a manifest that groups its files per circuit reads the same).
 * @returns Per circuit name, its pins and file paths; a circuit missing one of the three files is left out.
 */
export function pinsFromManifest(value: unknown): Record<string, { pins: CircuitPins; files: CircuitFiles }> {
    const found: Record<string, { pins: Partial<Record<ArtifactKind, string>>; files: Partial<Record<ArtifactKind, string>> }> = {}
    const visit = (node: unknown) => {
        if (typeof node !== "object" || node === null) return
        for (const [key, entry] of Object.entries(node)) {
            const match = /^circuits\/build\/([^/]+)\/(.+)$/.exec(key)
            if (match && typeof entry === "string" && SHA256_HEX.test(entry)) {
                const kind = kindOf(match[1]!, match[2]!)
                if (!kind) continue
                const circuit = (found[match[1]!] ??= { pins: {}, files: {} })
                circuit.pins[kind] = entry
                circuit.files[kind] = key
            } else visit(entry)
        }
    }
    visit(value)
    const complete = Object.entries(found).filter(([, c]) => c.pins.wasm && c.pins.zkey && c.pins.vkey)
    return Object.fromEntries(complete.map(([name, c]) => [name, { pins: Object.freeze(c.pins) as CircuitPins, files: Object.freeze(c.files) as CircuitFiles }]))
}

const PINNED = pinsFromManifest(manifest)

/** The pinned sha256 of each circuit's artifacts, by circuit name (as in `circuits/circuits.json`). */
export const ARTIFACT_PINS: Readonly<Record<string, CircuitPins>> = Object.freeze(Object.fromEntries(Object.entries(PINNED).map(([name, c]) => [name, c.pins])))

/** The repository paths of each circuit's pinned artifacts (Node: resolve against the repository root). */
export const PINNED_FILES: Readonly<Record<string, CircuitFiles>> = Object.freeze(Object.fromEntries(Object.entries(PINNED).map(([name, c]) => [name, c.files])))

/**
 * The pins of one circuit.
 * @throws ZkCreditError `INVALID_ARGUMENT` when the manifest has no complete entry for it.
 */
export function pinsOf(circuit: string): CircuitPins {
    const pins = typeof circuit === "string" ? ARTIFACT_PINS[circuit] : undefined
    if (!pins) {
        throw new ZkCreditError("INVALID_ARGUMENT", `circuit must be one of ${Object.keys(ARTIFACT_PINS).join(", ")} (the circuits pinned in circuits/artifacts.manifest.json), got ${JSON.stringify(String(circuit).slice(0, 60))}`, "circuit")
    }
    return pins
}

/**
 * Checks caller-given pins (a deployment with its own build pins its own hashes).
 * @param name The parameter name, for errors.
 */
export function requirePins(value: unknown, name: string): CircuitPins {
    if (typeof value !== "object" || value === null) throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be { wasm, zkey, vkey } sha256 hex strings`, name)
    const v = value as Record<string, unknown>
    for (const kind of ["wasm", "zkey", "vkey"] as const) {
        if (typeof v[kind] !== "string" || !SHA256_HEX.test(v[kind])) {
            throw new ZkCreditError("INVALID_ARGUMENT", `${name}.${kind} must be a sha256 as 64 lowercase hex digits`, `${name}.${kind}`)
        }
    }
    return { wasm: v.wasm as string, zkey: v.zkey as string, vkey: v.vkey as string }
}
