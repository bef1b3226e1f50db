/**
 * The bureau operator's admin token (provider and lender administration), kept in a file with
 * mode 0600 next to the bureau key; made on first start.
 */
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { dirname } from "node:path"

/**
 * Reads the token from `file`, or makes a new one there.
 * @returns The token (64 hex digits).
 */
export async function loadOrCreateAdminToken(file: string): Promise<string> {
    if (existsSync(file)) {
        const token = (await readFile(file, "utf8")).trim()
        if (token.length < 16) throw new Error(`${file} holds no admin token (at least 16 characters): delete it to make a new one`)
        return token
    }
    const token = randomBytes(32).toString("hex")
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, `${token}\n`, { mode: 0o600 })
    return token
}
