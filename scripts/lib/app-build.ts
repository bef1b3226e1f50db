/**
 * Builds the app (app/build) once per source change: a fingerprint of every file the bundle
 * depends on is kept next to the build.
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

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
    for (const file of ["app/svelte.config.js", "app/vite.config.ts", "package-lock.json", "circuits/circuits.json"]) {
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
    await writeFile(stamp, `${fingerprint}\n`)
}

