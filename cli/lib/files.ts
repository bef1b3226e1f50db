/**
 * Reading and writing the CLI's files. A missing or malformed file is bad input (exit 2) with
 * a message naming the file; writes are atomic (a temporary file renamed into place) and never
 * replace an existing file unless asked.
 */
import { constants } from "node:fs"
import { access, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { badInput, CliError } from "./exit-codes.ts"

/** The largest file the CLI reads (a full KYC tree file of 2^20 leaves is about 80 MB). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024

/**
 * Reads a text file; `what` names it in errors ("members file"). Only regular files and pipes
 * (`<(...)`) are read: a device such as /dev/zero would never end.
 */
export async function readText(path: string, what: string): Promise<string> {
    try {
        const info = await stat(path)
        if (info.isDirectory()) throw badInput("FILE_NOT_FOUND", `${what} ${path} is a folder, not a file`, { file: path })
        if (!info.isFile() && !info.isFIFO()) throw badInput("FILE_UNREADABLE", `${what} ${path} is not a regular file`, { file: path })
        if (info.size > MAX_FILE_BYTES) throw badInput("FILE_TOO_LARGE", `${what} ${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`, { file: path })
        return await readFile(path, "utf8")
    } catch (error) {
        if (error instanceof CliError) throw error
        const code = (error as { code?: string }).code
        if (code === "ENOENT") throw badInput("FILE_NOT_FOUND", `${what} ${path} does not exist: check the path`, { file: path })
        if (code === "EISDIR") throw badInput("FILE_NOT_FOUND", `${what} ${path} is a folder, not a file`, { file: path })
        throw badInput("FILE_UNREADABLE", `${what} ${path} cannot be read (${code ?? "error"})`, { file: path })
    }
}

/** Reads and parses a JSON file (a UTF-8 byte order mark, as Windows editors write, is ignored: RFC 8259, 8.1). */
export async function readJson(path: string, what: string): Promise<unknown> {
    const text = await readText(path, what)
    try {
        return JSON.parse(text.replace(/^\uFEFF/, ""))
    } catch (error) {
        throw badInput("INVALID_JSON", `${what} ${path} is not valid JSON (${(error as Error).message})`, { file: path })
    }
}

/** What went wrong with a file system call, for people ("the name is too long"). */
function fsProblem(error: unknown): string {
    const code = (error as { code?: unknown }).code
    const known: Record<string, string> = {
        ENAMETOOLONG: "the name is too long",
        EACCES: "permission denied",
        EPERM: "not permitted",
        EISDIR: "it is a folder",
        ENOTDIR: "a part of the path is not a folder",
        EROFS: "the file system is read-only",
        ENOSPC: "no space left on the device",
        EEXIST: "something is in the way",
        ENOENT: "the folder cannot be created there",
        EBUSY: "it is busy or a mount point",
        ELOOP: "too many symbolic links",
        ERR_INVALID_ARG_VALUE: "not a valid path",
        ERR_INVALID_ARG_TYPE: "not a valid path"
    }
    return typeof code === "string" ? (known[code] ?? code) : "it cannot be written"
}

/**
 * Checks that a folder is there or can be made: it, or its nearest existing ancestor, is a folder
 * this process may write in. With `create`, creates it and its parents (fs.mkdir's own `recursive`
 * never returns for some paths, e.g. under /proc).
 */
async function prepareFolder(path: string, fail: (why: string) => Error, create: boolean): Promise<void> {
    let exists = true
    try {
        if (!(await stat(path)).isDirectory()) throw fail(`${path} is not a folder`)
    } catch (error) {
        if (error instanceof CliError) throw error
        if ((error as { code?: unknown }).code !== "ENOENT") throw fail(fsProblem(error))
        exists = false
    }
    if (exists) {
        try {
            await access(path, constants.W_OK)
        } catch (error) {
            throw fail(`the folder ${path} cannot be written in (${fsProblem(error)})`)
        }
        return
    }
    const parent = dirname(path)
    if (parent !== path) await prepareFolder(parent, fail, create)
    if (!create) return
    try {
        await mkdir(path)
    } catch (error) {
        if ((error as { code?: unknown }).code !== "EEXIST") throw fail(`the folder ${path} cannot be created (${fsProblem(error)})`)
    }
}

/** The error of a file that cannot be written. */
function unwritable(path: string): (why: string) => CliError {
    return (why) => badInput("FILE_UNWRITABLE", `${path === "" ? "the file" : path} cannot be written: ${why}`, { file: path })
}

/**
 * Checks, writing nothing, that {@link writeTextFile} with the same `options` can write `path`:
 * for a command to refuse a bad output path before slow or remote work whose result goes there.
 * @throws The errors writeTextFile throws for the path (exit 2, naming the file).
 */
export async function checkWritable(path: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const fail = unwritable(path)
    if (path === "") throw fail("the path is empty")
    if (path.includes("\u0000")) throw fail("a path cannot hold a NUL character")
    if (path.endsWith("/")) throw fail("it names a folder, not a file")
    let existing: Awaited<ReturnType<typeof stat>> | undefined
    try {
        existing = await stat(path)
    } catch (error) {
        const code = (error as { code?: unknown }).code
        if (code !== "ENOENT" && code !== "ENOTDIR") throw fail(fsProblem(error))
    }
    if (existing) {
        if (!options.overwrite) throw badInput("FILE_EXISTS", `${path} exists already: pick another path, or pass --force to replace it`, { file: path })
        if (!existing.isFile()) throw fail(existing.isDirectory() ? "it is a folder" : "it is not a regular file")
    }
    await prepareFolder(dirname(path), fail, false)
}

/**
 * Writes a file atomically (a temporary file beside it, renamed into place, removed if anything
 * fails), creating its folder. Only a regular file is ever replaced. Every failure is bad input
 * (exit 2) naming the file.
 * @param options.overwrite Replace an existing file (default false: refuse with exit 2).
 * @param options.mode File mode, e.g. 0o600 for secrets.
 */
export async function writeTextFile(path: string, text: string, options: { overwrite?: boolean; mode?: number } = {}): Promise<void> {
    await checkWritable(path, options)
    const fail = unwritable(path)
    await prepareFolder(dirname(path), fail, true)
    const temporary = `${path}.${process.pid}.tmp`
    try {
        await writeFile(temporary, text, { mode: options.mode ?? 0o644 })
        await rename(temporary, path)
    } catch (error) {
        await rm(temporary, { force: true }).catch(() => {})
        throw fail(fsProblem(error))
    }
}
