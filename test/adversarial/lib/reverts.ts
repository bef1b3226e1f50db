/**
 * Decodes reverts with their arguments, from the errors of every contract the adversarial suites
 * touch (ours, OpenZeppelin's inherited ones, and the test tokens), so a model can predict the
 * exact error and its arguments, not only a name.
 */
import { Interface, type InterfaceAbi } from "ethers"
import { abiOf } from "../../helpers/contracts.ts"

const SOURCES: [string, string][] = [
    ["LoanMarket.sol", "LoanMarket"],
    ["KycRegistry.sol", "KycRegistry"],
    ["BureauRegistry.sol", "BureauRegistry"],
    ["CreditVerifier.sol", "CreditVerifier"],
    ["TestStablecoin.sol", "TestStablecoin"],
    ["test/MockERC20.sol", "MockERC20"],
    ["test/MockHostileToken.sol", "MockHostileToken"],
    ["test/MockReentrantToken.sol", "MockReentrantToken"]
]

let errorInterface: Interface | undefined

function errors(): Interface {
    if (errorInterface) return errorInterface
    const seen = new Map<string, unknown>()
    for (const [source, name] of SOURCES) {
        for (const fragment of abiOf(source, name) as { type: string; name: string; inputs: { type: string }[] }[]) {
            if (fragment.type === "error") seen.set(`${fragment.name}(${fragment.inputs.map((i) => i.type).join(",")})`, fragment)
        }
    }
    errorInterface = new Interface([...seen.values()] as InterfaceAbi)
    return errorInterface
}

/** A decoded revert: the error's name and its arguments (addresses lower-case, numbers as bigint). */
export interface Revert {
    name: string
    args: unknown[]
}

/** The revert data of an ethers / Hardhat error, wherever it sits. */
export function revertData(error: unknown): string | undefined {
    const e = error as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } } }
    for (const candidate of [e?.data, e?.error?.data, e?.info?.error?.data]) {
        if (typeof candidate === "string" && candidate.startsWith("0x")) return candidate
        const nested = (candidate as { data?: unknown } | undefined)?.data
        if (typeof nested === "string" && nested.startsWith("0x")) return nested
    }
    return undefined
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

/** Numbers as bigints, addresses lower-case, arrays element-wise: comparable with `toEqual`. */
export function normalise(value: unknown): unknown {
    if (typeof value === "number") return BigInt(value)
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase()
    if (Array.isArray(value)) return value.map(normalise)
    return value
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
