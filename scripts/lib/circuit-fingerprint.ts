import { createHash } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { DEV_PTAU } from "./dev-setup.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))

/**
 * Version of the build recipe in scripts/build-circuits.ts. Bump it when a change there alters
 * the bytes of an artifact (e.g. how the verifier is post-processed), so builds redo.
 */
export const BUILD_RECIPE_VERSION = 1

/** sha256 as hex. */
export const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex")

/**
 * Fingerprint of everything the circuit artifacts depend on: circom sources, circuits.json,
 * circomkit.json, the development setup parameters, tool versions and the build recipe.
 */
export async function circuitFingerprint(): Promise<string> {
    const hash = createHash("sha256")
    const entries = await readdir(`${root}circuits/src`, { withFileTypes: true, recursive: true })
    const sources = entries
        .filter((e) => e.isFile() && e.name.endsWith(".circom"))
        .map((e) => `${e.parentPath}/${e.name}`)
        // generated mains (circomkit) are outputs, not sources
        .filter((f) => !/\/src\/(main|test)\//.test(f))
        .sort()
    for (const file of [...sources, `${root}circuits/circuits.json`, `${root}scripts/lib/dev-setup.ts`]) {
        hash.update(relative(root, file)).update(await readFile(file))
    }
    // the compiler settings that shape the output; not how the compiler is started (circomPath)
    const { circomPath: _, ...circomkit } = JSON.parse(await readFile(`${root}circomkit.json`, "utf8")) as Record<string, unknown>
    hash.update(JSON.stringify(circomkit))
    for (const pkg of ["circom2", "circomlib", "circomkit", "snarkjs"]) {
        const json = JSON.parse(await readFile(`${root}node_modules/${pkg}/package.json`, "utf8")) as { version: string }
        hash.update(`${pkg}@${json.version}`)
    }
    hash.update(`recipe ${BUILD_RECIPE_VERSION}`).update(DEV_PTAU.sha256)
    return hash.digest("hex")
}
