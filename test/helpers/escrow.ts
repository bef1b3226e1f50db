/**
 * Assertions shared by the escrow and committee tests. Fixtures without test-runner imports
 * (the benchmark uses them too) are in committee.ts.
 */
import { expect } from "vitest"
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
