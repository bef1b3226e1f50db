/**
 * Revert assertions for the contract tests: decode custom errors with the errors of all our
 * contracts, so an error that bubbles up from a called contract (the verifier's, through the
 * market) decodes too.
 */
import { ErrorDescription, Interface, type InterfaceAbi } from "ethers"
import { expect } from "vitest"
import { abiOf } from "./contracts.ts"

/** Every contract whose errors a test may see: [source path under contracts/, contract name]. */
export const ERROR_SOURCES: readonly [string, string][] = [
    // the deployed registry: its KYC, bureau and committee parts are abstract
    ["TrustRegistry.sol", "TrustRegistry"],
    ["CreditVerifier.sol", "CreditVerifier"],
    ["LoanMarket.sol", "LoanMarket"],
    ["RequestMarket.sol", "RequestMarket"],
    ["OfferPositions.sol", "OfferPositions"],
    ["TestStablecoin.sol", "TestStablecoin"],
    ["EscrowOpenings.sol", "EscrowOpenings"],
    ["test/MockReentrantToken.sol", "MockReentrantToken"]
]

const interfaces = new Map<string, Interface>()

/**
 * One interface with the errors of the given contracts (all of ours by default), so an error
 * that bubbles up from a called contract decodes too.
 */
export function errorInterface(sources: readonly (readonly [string, string])[] = ERROR_SOURCES): Interface {
    const key = sources.map(([source, name]) => `${source}:${name}`).join("|")
    const cached = interfaces.get(key)
    if (cached) return cached
    const seen = new Map<string, unknown>()
    for (const [source, name] of sources) {
        for (const fragment of abiOf(source, name) as { type: string; name: string; inputs: { type: string }[] }[]) {
            if (fragment.type !== "error") continue
            seen.set(`${fragment.name}(${fragment.inputs.map((i) => i.type).join(",")})`, fragment)
        }
    }
    const built = new Interface([...seen.values()] as InterfaceAbi)
    interfaces.set(key, built)
    return built
}

const errors = (): Interface => errorInterface()

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

/** Describes revert data for a failure message. */
function describeRevert(data: string): string {
    const parsed = errors().parseError(data)
    if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`
    if (data.startsWith("0x4e487b71")) return `Panic(0x${BigInt(`0x${data.slice(10)}`).toString(16)})`
    if (data.startsWith("0x08c379a0")) return `Error(${Interface.from(["function Error(string)"]).decodeFunctionData("Error", data)[0]})`
    return data === "0x" ? "a revert without data" : `unknown revert data ${data}`
}

/**
 * Asserts that `action` reverts with the custom error `name` (and, when given, exactly these
 * arguments), decoding it with the errors of every contract of ours. Returns the decoded error.
 *
 * The error-coverage test finds the error names given to this function in the test sources: pass
 * the name as a string literal.
 */
export async function expectRevert(action: Promise<unknown> | (() => Promise<unknown>), name: string, args?: readonly unknown[]): Promise<ErrorDescription> {
    let outcome: unknown
    try {
        outcome = await (typeof action === "function" ? action() : action)
    } catch (error) {
        const data = revertData(error)
        if (data === undefined) throw new Error(`expected a revert with ${name}, got an error without revert data: ${String(error)}`)
        const parsed = errors().parseError(data)
        if (!parsed || parsed.name !== name) throw new Error(`expected a revert with ${name}, got ${describeRevert(data)}`)
        if (args !== undefined) {
            expect(parsed.args.map(normalise), `arguments of ${name}`).toEqual(args.map(normalise))
        }
        return parsed
    }
    throw new Error(`expected a revert with ${name}, but it succeeded (${String(outcome).slice(0, 80)})`)
}

/** Numbers as bigints, addresses lower-case, arrays element-wise: comparable with `toEqual`. */
export function normalise(value: unknown): unknown {
    if (typeof value === "number") return BigInt(value)
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase()
    if (Array.isArray(value)) return value.map(normalise)
    return value
}


/** The name of the custom error an ethers / Hardhat error carries, or a description if it is none of ours. */
export function revertName(error: unknown): string {
    const data = revertData(error)
    if (data === undefined) return `no revert data: ${String(error)}`
    return errors().parseError(data)?.name ?? describeRevert(data)
}
