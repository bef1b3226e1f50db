/**
 * The bureau keys and escrow committee keys active at a time, from chain data alone: the trust
 * registry's key-added events of each part since the deployment block, each key then asked
 * whether it is active (`isKeyActive` for a bureau key, `isCommitteeKeyActive` for a committee
 * key). Both parts name a key by an indexed event argument (the bureau key's hash, the committee
 * key's y) and answer `(key, time)`, so one reading serves both. The logs are read by the one
 * event's topic: the same address also logs the other parts' events.
 */
import { Contract, Interface, type Provider } from "ethers"
import { ZkCreditError } from "../../prover/src/errors.ts"
import type { ZkCreditContracts } from "./contracts.ts"
import type { Deployment } from "./deployments.ts"
import { BureauRegistryAbi, EscrowCommitteeRegistryAbi } from "./generated/abis.ts"
import { getLogsInRanges } from "./logs.ts"

/** Where keys are read from, and the time they must be active at (unix seconds). */
export interface ActiveKeysParams {
    provider: Provider
    deployment: Deployment
    contracts: ZkCreditContracts
    time: number
}

/** An escrow committee key active at the time asked: its point and the start of its window. */
export interface ActiveCommitteeKey {
    x: bigint
    y: bigint
    validFrom: bigint
}

const bureauInterface = new Interface(BureauRegistryAbi)
const committeeInterface = new Interface(EscrowCommitteeRegistryAbi)

/**
 * Checks a `time` argument: a unix time in whole seconds.
 * @throws ZkCreditError `INVALID_ARGUMENT` naming `time` otherwise.
 */
export function requireUnixTime(time: unknown): number {
    if (!Number.isSafeInteger(time) || (time as number) < 0) throw new ZkCreditError("INVALID_ARGUMENT", `time must be a unix time in whole seconds, got ${String(time)}`, "time")
    return time as number
}

/**
 * The keys of `registry` named by the events `eventName` since the deployment block (argument
 * `keyArgument`, in chain order) that `isActive(key, time)` holds for.
 */
async function activeKeysOf(params: ActiveKeysParams, registry: Contract, iface: Interface, eventName: string, keyArgument: string, isActive: string): Promise<bigint[]> {
    const { provider, deployment, time } = params
    const toBlock = await provider.getBlockNumber()
    const logs = await getLogsInRanges(provider, { address: await registry.getAddress(), topics: [iface.getEvent(eventName)!.topicHash] }, deployment.deployBlock, toBlock)
    const keys = logs.flatMap((log) => {
        const parsed = iface.parseLog(log)
        return parsed?.name === eventName ? [parsed.args.getValue(keyArgument) as bigint] : []
    })
    const active = await Promise.all(keys.map((key) => registry.getFunction(isActive)(key, time) as Promise<boolean>))
    return keys.filter((_, i) => active[i])
}

/**
 * The hashes (`Poseidon(Ax, Ay)`) of every bureau key in the deployment's trust registry that is
 * active at `time`, in the order they were added.
 * @throws ZkCreditError `INVALID_ARGUMENT` for a `time` that is not a unix time.
 */
export async function activeBureauKeys(params: ActiveKeysParams): Promise<bigint[]> {
    requireUnixTime(params.time)
    return activeKeysOf(params, params.contracts.bureauRegistry, bureauInterface, "BureauKeyAdded", "keyHash", "isKeyActive")
}

/**
 * Every escrow committee key active at `time` in the trust registry the credit verifier checks
 * (`trustRegistry()`), in the order they were added. During a rotation two are active.
 * @returns The keys and the trust registry's address.
 * @throws ZkCreditError `INVALID_ARGUMENT` for a `time` that is not a unix time.
 */
export async function activeCommitteeKeys(params: ActiveKeysParams): Promise<{ registry: string; keys: ActiveCommitteeKey[] }> {
    requireUnixTime(params.time)
    const address = (await params.contracts.creditVerifier.getFunction("trustRegistry")()) as string
    const registry = new Contract(address, EscrowCommitteeRegistryAbi, params.provider)
    const ys = await activeKeysOf(params, registry, committeeInterface, "CommitteeKeyAdded", "keyY", "isCommitteeKeyActive")
    const keys = await Promise.all(
        ys.map(async (y) => {
            const key = (await registry.getFunction("committeeKeyOf")(y)) as { x: bigint; validFrom: bigint }
            return { x: key.x, y, validFrom: key.validFrom }
        })
    )
    return { registry: address, keys }
}

/**
 * The escrow committee key a proof made at `time` must encrypt under: of the keys
 * {@link activeCommitteeKeys} finds, the one with the latest `validFrom` (during a rotation both
 * are active; the newer one is taken, as the borrower page's escrow statement shows it).
 * @returns The key `[x, y]`, for `CreditProofRequest.committeeKey`.
 * @throws ZkCreditError `INVALID_POINT` when no committee key is active at `time` (the platform
 *   cannot accept proofs until its committee registers one), `INVALID_ARGUMENT` for a bad `time`.
 */
export async function activeCommitteeKey(params: ActiveKeysParams): Promise<[bigint, bigint]> {
    const { registry, keys } = await activeCommitteeKeys(params)
    const newest = keys.reduce<ActiveCommitteeKey | undefined>((best, key) => (!best || key.validFrom > best.validFrom ? key : best), undefined)
    if (newest) return [newest.x, newest.y]
    throw new ZkCreditError(
        "INVALID_POINT",
        `no escrow committee key is active in the trust registry ${registry} at ${params.time}: the committee must register one (\`zkcredit committee register\`) before anyone can borrow`,
        "committeeKey"
    )
}
