/**
 * Shared by the escrow and committee tests (prover, contracts, CLI, flow).
 */
import { expect } from "vitest"
import {
    createAuthorityKey,
    createDealing,
    createRoster,
    finalizeCommittee,
    verifyDealings,
    type AuthorityKeyFile,
    type AuthorityShareFile,
    type CommitteeKeyFile,
    type CommitteeRoster,
    type Dealing
} from "../../prover/src/escrow/index.ts"
import { isZkCreditError, type ZkCreditErrorCode } from "../../prover/src/index.ts"

/** Runs `fn` and checks that it throws a ZkCreditError of `code`, naming `parameter` when given. */
export function expectZkCreditError(fn: () => unknown, code: ZkCreditErrorCode, parameter?: string): void {
    let caught: unknown
    try {
        fn()
    } catch (error) {
        caught = error
    }
    expect(isZkCreditError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true)
    if (parameter !== undefined) expect((caught as { parameter?: string }).parameter).toBe(parameter)
}

/** JSON round trip: what a file or an event carries. */
export const viaFile = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** A committee after a real DKG: its authorities' files, the public key file and every share. */
export interface TestCommittee {
    authorities: AuthorityKeyFile[]
    roster: CommitteeRoster
    dealings: Dealing[]
    committeeKey: CommitteeKeyFile
    shares: AuthorityShareFile[]
}

/** The authorities of the demo world: the regulator, the bureau and the compliance desk. */
export const AUTHORITY_NAMES = ["regulator", "bureau", "compliance"] as const

/** Runs the three DKG rounds among `names` with threshold t, every message through JSON. */
export function runCommittee(threshold = 2, names: readonly string[] = AUTHORITY_NAMES): TestCommittee {
    const authorities = names.map((name) => createAuthorityKey(name))
    const roster = viaFile(createRoster(threshold, authorities.map((a) => ({ name: a.name, transportKey: a.transportKey }))))
    const dealings = authorities.map((a) => viaFile(createDealing(roster, a)))
    const complaints = authorities.map((a) => viaFile(verifyDealings(roster, a, dealings).complaints))
    const results = authorities.map((a) => finalizeCommittee(roster, dealings, complaints, a))
    return { authorities, roster, dealings, committeeKey: results[0]!.committeeKey, shares: results.map((r) => r.share!) }
}
