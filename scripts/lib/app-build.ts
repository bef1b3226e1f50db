/**
 * Builds the app (app/build) once per source change: a fingerprint of every file the bundle
 * depends on is kept next to the build. The build also ships the proving artifacts: each
 * circuit pinned in circuits/artifacts.manifest.json gets `app/build/artifacts/<name>.wasm` and
 * `<name>.zkey`, each with a precompressed `.br` beside it for the static server, after checking
 * that the files are the pinned build (the bundle carries the same pins, so anything else would
 * be refused in the browser anyway: better to fail here, with the fix).
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { brotliCompress, constants } from "node:zlib"
import { ARTIFACT_PINS, PINNED_FILES, type ArtifactKind } from "../../prover/src/pins.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const compress = promisify(brotliCompress)

/** Where the built app serves the artifacts from (the platform config's URLs point here). */
export const APP_ARTIFACTS_DIR = `${root}app/build/artifacts`

/** What the app bundle carries of each pinned circuit, next to its pins (see app/src/lib/artifacts.ts). */
export interface BundledCircuit {
    /** The verification key file's text: small, so it ships in the bundle instead of being served. */
    vkey: string
    /** Sizes in bytes of the decompressed wasm and zkey: the total of the download progress. */
    sizes: { wasm: number; zkey: number }
}

/** Reads a pinned artifact of this repository's build, refusing any other bytes. */
function readPinned(circuit: string, kind: ArtifactKind): Buffer {
    const file = `${root}${PINNED_FILES[circuit]![kind]}`
    if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing: run \`npm run build:circuits\` before building the app`)
    const bytes = readFileSync(file)
    const actual = createHash("sha256").update(bytes).digest("hex")
    if (actual !== ARTIFACT_PINS[circuit]![kind]) {
        throw new Error(`${relative(root, file)} has sha256 ${actual}, but circuits/artifacts.manifest.json pins ${ARTIFACT_PINS[circuit]![kind]}: rebuild the circuits (\`npm run build:circuits\`), or update and commit the manifest after a circuit change`)
    }
    return bytes
}

/** Per pinned circuit, what goes into the bundle (app/vite.config.ts defines it as `__ZKCREDIT_CIRCUITS__`). */
export function bundledCircuits(): Record<string, BundledCircuit> {
    return Object.fromEntries(
        Object.keys(ARTIFACT_PINS).map((circuit) => [
            circuit,
            { vkey: readPinned(circuit, "vkey").toString("utf8"), sizes: { wasm: readPinned(circuit, "wasm").length, zkey: readPinned(circuit, "zkey").length } }
        ])
    )
}

/**
 * Copies every pinned circuit's wasm and zkey into app/build/artifacts with a brotli copy each.
 * Quality 9, not 11: 11 took about 90 s here for 1% smaller files.
 */
async function publishArtifacts(): Promise<void> {
    await mkdir(APP_ARTIFACTS_DIR, { recursive: true })
    await Promise.all(
        Object.keys(ARTIFACT_PINS).flatMap((circuit) =>
            (["wasm", "zkey"] as const).map(async (kind) => {
                const bytes = readPinned(circuit, kind)
                const brotli = await compress(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
                await writeFile(`${APP_ARTIFACTS_DIR}/${circuit}.${kind}`, bytes)
                await writeFile(`${APP_ARTIFACTS_DIR}/${circuit}.${kind}.br`, brotli)
            })
        )
    )
}

/** Hash of everything the app build depends on. */
async function appFingerprint(): Promise<string> {
    const hash = createHash("sha256")
    for (const dir of ["app/src", "app/static", "prover/src", "client/src", "bureau/src"]) {
        if (!existsSync(`${root}${dir}`)) continue
        const entries = await readdir(`${root}${dir}`, { withFileTypes: true, recursive: true })
        for (const file of entries.filter((e) => e.isFile()).map((e) => `${e.parentPath}/${e.name}`).sort()) {
            hash.update(relative(root, file)).update(await readFile(file))
        }
    }
    for (const file of ["app/svelte.config.js", "app/vite.config.ts", "package-lock.json", "circuits/circuits.json", "circuits/artifacts.manifest.json", "scripts/lib/app-build.ts"]) {
        if (existsSync(`${root}${file}`)) hash.update(file).update(await readFile(`${root}${file}`))
    }
    return hash.digest("hex")
}

/** Builds the app into app/build unless its sources are unchanged since the last build. */
export async function buildApp(onDetail: (text: string) => void = () => {}): Promise<void> {
    const fingerprint = await appFingerprint()
    const stamp = `${root}app/build/.fingerprint`
    const current = existsSync(stamp) ? (await readFile(stamp, "utf8")).trim() : ""
    if (current === fingerprint) {
        onDetail("app build is up to date")
        return
    }
    onDetail("building the app (once per source change)")
    const result = spawnSync(process.execPath, [`${root}node_modules/vite/bin/vite.js`, "build", "--logLevel", "error"], { cwd: `${root}app`, stdio: "inherit" })
    if (result.status !== 0) throw new Error(`building the app failed (exit code ${result.status})`)
    onDetail("compressing the proving artifacts (brotli)")
    await publishArtifacts()
    await writeFile(stamp, `${fingerprint}\n`)
}

