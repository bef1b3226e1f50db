/**
 * Two circuits proved alternately (a b a b ...) in one run, so both see the same machine load and
 * their ratio holds on a busy machine even when their absolute times do not.
 */
import * as snarkjs from "snarkjs"

/** A Groth16 proof and its public signals, as snarkjs gives them. */
export type Groth16Result = Awaited<ReturnType<typeof snarkjs.groth16.fullProve>>

/** One side of an alternating run. */
export interface Contender {
    name: string
    /** Proves once; `ms` is the time of the proof alone, as the caller measures it. */
    prove(): Promise<Groth16Result & { ms: number }>
    /** Throws if `result` is not a valid proof of what was asked: a wrong proof measures nothing. */
    check(result: Groth16Result): Promise<void>
}

/** A check that the proof verifies against `vkey` (snarkjs JSON). */
export function verifiesAgainst(vkey: unknown, name: string): Contender["check"] {
    return async ({ proof, publicSignals }) => {
        if (!(await snarkjs.groth16.verify(vkey as object, publicSignals, proof))) throw new Error(`a ${name} proof does not verify against its verification key`)
    }
}

/**
 * Proves `a` and `b` alternately `runs` times each, after one warm-up proof of each, and checks
 * every proof after its timing. Returns the times of `a` and of `b`, in ms (rounded to 0.1 ms).
 */
export async function alternate(runs: number, a: Contender, b: Contender): Promise<[number[], number[]]> {
    const times: [number[], number[]] = [[], []]
    const once = async (contender: Contender, into?: number[]) => {
        const result = await contender.prove()
        into?.push(Math.round(result.ms * 10) / 10)
        await contender.check(result)
    }
    await once(a)
    await once(b)
    for (let i = 0; i < runs; i++) {
        await once(a, times[0])
        await once(b, times[1])
    }
    return times
}
