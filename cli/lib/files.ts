/**
 * Reading and writing the CLI's files. A missing or malformed file is bad input (exit 2) with
 * a message naming the file; writes are atomic (a temporary file renamed into place) and never
 * replace an existing file unless asked.
 */
import { existsSync } from "node:fs"
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { badInput } from "./exit-codes.ts"

/** Reads a text file; `what` names it in errors ("members file"). */
export async function readText(path: string, what: string): Promise<string> {
    try {
        return await readFile(path, "utf8")
    } catch (error) {
        const code = (error as { code?: string }).code
        if (code === "ENOENT") throw badInput("FILE_NOT_FOUND", `${what} ${path} does not exist: check the path`, { file: path })
        if (code === "EISDIR") throw badInput("FILE_NOT_FOUND", `${what} ${path} is a folder, not a file`, { file: path })
        throw badInput("FILE_UNREADABLE", `${what} ${path} cannot be read (${code ?? "error"})`, { file: path })
    }
}

/** Reads and parses a JSON file. */
export async function readJson(path: string, what: string): Promise<unknown> {
    const text = await readText(path, what)
    try {
        return JSON.parse(text)
    } catch (error) {
        throw badInput("INVALID_JSON", `${what} ${path} is not valid JSON (${(error as Error).message})`, { file: path })
    }
}

/**
 * Writes a file atomically, creating its folder.
 * @param options.overwrite Replace an existing file (default false: refuse with exit 2).
 * @param options.mode File mode, e.g. 0o600 for secrets.
 */
export async function writeTextFile(path: string, text: string, options: { overwrite?: boolean; mode?: number } = {}): Promise<void> {
    if (!options.overwrite && existsSync(path)) {
        throw badInput("FILE_EXISTS", `${path} exists already: pick another path, or pass --force to replace it`, { file: path })
    }
    await mkdir(dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.tmp`
    await writeFile(temporary, text, { mode: options.mode ?? 0o644 })
    await rename(temporary, path)
}
