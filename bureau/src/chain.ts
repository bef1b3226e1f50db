/**
 * The bureau's chain access: which officers' bindings count (the TrustRegistry's officer role) and
 * the loans of proven pseudonyms in the LoanMarkets it reads (through client/).
 */
import { Contract, type Provider } from "ethers"
import { KycRegistryAbi, LoanMarketAbi } from "../../client/src/generated/abis.ts"
import { readPseudonymLoans } from "../../client/src/history.ts"
import { fetchKycDefaultEvents, kycDefaultRecords, type KycDefaultEvent } from "../../client/src/kyc-defaults.ts"
import type { ChainHistory, OfficerCheck, RecordedDefaultsReader } from "./bureau.ts"

/**
 * Officers are the holders of `OFFICER_ROLE` in the TrustRegistry (answers are cached for a minute:
 * a revoked officer's bindings stop counting within it).
 */
export function officersFromChain(provider: Provider, chainId: number, kycRegistry: string): OfficerCheck {
    const registry = new Contract(kycRegistry, KycRegistryAbi, provider)
    let role: Promise<string> | undefined
    const cache = new Map<string, { at: number; answer: Promise<boolean> }>()
    return {
        chainId,
        kycRegistry,
        isOfficer(address) {
            const key = address.toLowerCase()
            const hit = cache.get(key)
            if (hit && Date.now() - hit.at < 60_000) return hit.answer
            role ??= registry.getFunction("OFFICER_ROLE")() as Promise<string>
            const answer = role.then((r) => registry.getFunction("hasRole")(r, address) as Promise<boolean>)
            answer.catch(() => cache.delete(key))
            cache.set(key, { at: Date.now(), answer })
            return answer
        }
    }
}

/**
 * The markets the bureau reads: each LoanMarket's scope (read from the contract) and a reader of
 * a pseudonym's loans there.
 * @param markets LoanMarket addresses, with the block each was deployed in.
 */
export async function chainHistory(provider: Provider, markets: readonly { address: string; fromBlock?: number }[]): Promise<ChainHistory> {
    const handles = await Promise.all(
        markets.map(async (m) => {
            const contract = new Contract(m.address, LoanMarketAbi, provider)
            return { scope: BigInt(await contract.getFunction("scope")()), contract, address: m.address, fromBlock: m.fromBlock ?? 0 }
        })
    )
    return {
        scopes: handles.map((h) => h.scope),
        async readLoans(scope, nullifier) {
            const market = handles.find((h) => h.scope === scope)
            if (!market) throw new Error("unknown scope")
            const loans = await readPseudonymLoans(market.contract, nullifier, market.fromBlock)
            return loans.map((l) => ({ scope: scope.toString(), market: market.address, loanId: l.loanId, lender: l.lender, status: l.status, lateInstalments: l.lateInstalments }))
        }
    }
}

/**
 * The KYC registry's default records, read from its events: every `MemberRemovedForDefault` and
 * `MemberReadmitted` (the requests name no commitment; the bureau keeps the applicant's), read
 * incrementally from the block after the last one read. The requests filter by those events'
 * topics: the bureau and committee parts' events at the same address are not read.
 * @param kycRegistry The TrustRegistry address.
 * @param fromBlock Its deployment block.
 */
export function recordedDefaultsFromChain(provider: Provider, kycRegistry: string, fromBlock = 0): RecordedDefaultsReader {
    const events: KycDefaultEvent[] = []
    let next = fromBlock
    let reading: Promise<void> | undefined
    async function catchUp(): Promise<void> {
        const latest = await provider.getBlockNumber()
        if (latest < next) return
        events.push(...(await fetchKycDefaultEvents(provider, kycRegistry, { fromBlock: next, toBlock: latest })))
        next = latest + 1
    }
    return async (commitment) => {
        // one read at a time: concurrent applicants share it
        reading ??= catchUp().finally(() => (reading = undefined))
        await reading
        return kycDefaultRecords(events)
            .filter((r) => r.commitment === commitment)
            .map((r) => ({ market: r.market, loanId: Number(r.loanId), readmitted: r.readmitted !== undefined }))
    }
}
