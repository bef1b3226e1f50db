import type { Groth16Proof } from "snarkjs"
import { requireArray, requireFieldElement } from "./checks.ts"

/** A Groth16 proof as the eight uint256 the Solidity verifier takes, in its order. */
export type PackedGroth16Proof = [string, string, string, string, string, string, string, string]

/**
 * Packs a snarkjs Groth16 proof into the verifier's eight words:
 * `[a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y]` (G2 coordinates swapped, as the EVM pairing
 * precompile expects).
 */
export function packGroth16Proof(proof: Groth16Proof): PackedGroth16Proof {
    const { pi_a: a, pi_b: b, pi_c: c } = proof
    const [b0, b1] = b as [string[], string[]]
    return [a[0], a[1], b0[1], b0[0], b1[1], b1[0], c[0], c[1]].map(String) as PackedGroth16Proof
}

/** Unpacks {@link packGroth16Proof}'s eight words into a snarkjs proof object. */
export function unpackGroth16Proof(points: readonly (string | bigint)[]): Groth16Proof {
    const p = requireArray(points, "points", 8).map((v, i) => requireFieldElement(v, `points[${i}]`).toString())
    return {
        pi_a: [p[0], p[1], "1"],
        pi_b: [[p[3], p[2]], [p[5], p[4]], ["1", "0"]],
        pi_c: [p[6], p[7], "1"],
        protocol: "groth16",
        curve: "bn128"
    } as Groth16Proof
}
