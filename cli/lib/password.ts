/**
 * The password of an identity backup: from the environment (`ZKCREDIT_PASSWORD`, and
 * `ZKCREDIT_NEW_PASSWORD` where a second one is asked), else typed at a hidden prompt when
 * stdin is a terminal. Never a command-line argument (shells keep history, `ps` shows them).
 */
import { badInput } from "./exit-codes.ts"

/** Environment variables that hold passwords. */
export const PASSWORD_ENV = { current: "ZKCREDIT_PASSWORD", new: "ZKCREDIT_NEW_PASSWORD" } as const

/**
 * Gets a password.
 * @param options.env The variable to read first.
 * @param options.prompt What the prompt says.
 * @param options.confirm Ask twice at the prompt (for a new password).
 */
export async function readPassword(options: { env: string; prompt: string; confirm?: boolean }): Promise<string> {
    const fromEnv = process.env[options.env]
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv
    if (!process.stdin.isTTY) {
        throw badInput("PASSWORD_REQUIRED", `a password is needed: set ${options.env}, or run the command in a terminal to type it`, { env: options.env })
    }
    const first = await promptHidden(`${options.prompt}: `)
    if (options.confirm) {
        const second = await promptHidden("again, to confirm: ")
        if (first !== second) throw badInput("PASSWORD_MISMATCH", "the two passwords differ: run the command again")
    }
    return first
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const stdin = process.stdin
        process.stderr.write(prompt)
        let text = ""
        stdin.setRawMode(true)
        stdin.resume()
        stdin.setEncoding("utf8")
        const done = (error?: Error) => {
            stdin.setRawMode(false)
            stdin.pause()
            stdin.off("data", onData)
            process.stderr.write("\n")
            if (error) reject(error)
            else resolve(text)
        }
        const onData = (chunk: string) => {
            for (const char of chunk) {
                if (char === "\r" || char === "\n") return done()
                if (char === "\u0003") return done(badInput("CANCELLED", "cancelled"))
                if (char === "\u007f" || char === "\b") text = text.slice(0, -1)
                else text += char
            }
        }
        stdin.on("data", onData)
    })
}
