/**
 * Decodes reverts with their arguments, from the errors of every contract the adversarial suites
 * touch (ours, OpenZeppelin's inherited ones, and the test tokens), so a model can predict the
 * exact error and its arguments, not only a name.
 */
import { Interface } from "ethers"
import { ERROR_SOURCES, errorInterface, normalise, revertData } from "../../helpers/reverts.ts"

/** Ours, plus the hostile test tokens. */
const SOURCES: readonly [string, string][] = [...ERROR_SOURCES, ["test/MockERC20.sol", "MockERC20"], ["test/MockHostileToken.sol", "MockHostileToken"]]

const errors = (): Interface => errorInterface(SOURCES)

export { normalise, revertData }

/** A decoded revert: the error's name and its arguments (addresses lower-case, numbers as bigint). */
export interface Revert {
    name: string
    args: unknown[]
}

/** Decodes revert data (or a thrown error carrying it). */
export function decodeRevert(errorOrData: unknown): Revert {
    const data = typeof errorOrData === "string" ? errorOrData : revertData(errorOrData)
    if (data === undefined) return { name: `<no revert data: ${String(errorOrData).slice(0, 200)}>`, args: [] }
    if (data === "0x") return { name: "<empty revert>", args: [] }
    const parsed = errors().parseError(data)
    if (parsed) return { name: parsed.name, args: parsed.args.map(normalise) }
    if (data.startsWith("0x08c379a0")) return { name: "Error", args: [Interface.from(["function Error(string)"]).decodeFunctionData("Error", data)[0]] }
    if (data.startsWith("0x4e487b71")) return { name: "Panic", args: [BigInt(`0x${data.slice(10)}`)] }
    return { name: `<unknown revert ${data.slice(0, 10)}>`, args: [] }
}

/** Runs a transaction; returns `undefined` when it succeeded, its decoded revert otherwise. */
export async function attempt(send: () => Promise<{ wait(): Promise<unknown> }>): Promise<Revert | undefined> {
    try {
        await (await send()).wait()
        return undefined
    } catch (error) {
        return decodeRevert(error)
    }
}
