import type { Groth16Proof } from "snarkjs"
import { requireArray, requireFieldElement, requireObject, requireUint } from "./checks.ts"

/** A Groth16 proof as the eight uint256 the Solidity verifier takes, in its order. */
export type PackedGroth16Proof = [string, string, string, string, string, string, string, string]

/**
 * Packs a snarkjs Groth16 proof into the verifier's eight words:
 * `[a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y]` (G2 coordinates swapped, as the EVM pairing
 * precompile expects).
 */
export function packGroth16Proof(proof: Groth16Proof): PackedGroth16Proof {
    const p = requireObject(proof, "proof")
    const a = requireArray(p.pi_a, "proof.pi_a")
    const b = requireArray(p.pi_b, "proof.pi_b")
    const c = requireArray(p.pi_c, "proof.pi_c")
    const b0 = requireArray(b[0], "proof.pi_b[0]")
    const b1 = requireArray(b[1], "proof.pi_b[1]")
    const words: [unknown, string][] = [
        [a[0], "proof.pi_a[0]"],
        [a[1], "proof.pi_a[1]"],
        [b0[1], "proof.pi_b[0][1]"],
        [b0[0], "proof.pi_b[0][0]"],
        [b1[1], "proof.pi_b[1][1]"],
        [b1[0], "proof.pi_b[1][0]"],
        [c[0], "proof.pi_c[0]"],
        [c[1], "proof.pi_c[1]"]
    ]
    // coordinates of the base field, which is larger than the scalar field: checked as words
    return words.map(([value, name]) => requireUint(value, name, 256).toString()) as PackedGroth16Proof
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
