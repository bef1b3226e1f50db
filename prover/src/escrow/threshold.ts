/**
 * Opening an escrow with t of n shares. Each authority j publishes `D_j = s_j·R` and a
 * Chaum-Pedersen proof that log_B8(Y_j) = log_R(D_j); anyone checks the proofs against the
 * public shares of the committee key file and combines any t of them with Lagrange
 * coefficients at 0, in the exponent: `Σ λ_j·D_j = (Σ λ_j·s_j)·R = sk·R = S`. The shares
 * themselves, and sk, are never combined.
 */
import { requireArray, requireObject, toBigInt } from "../checks.ts"
import { ZkCreditError } from "../errors.ts"
import { addPoints, GENERATOR, invert, mod, multiply, NEUTRAL, pointToJson, requirePoint, SUBGROUP_ORDER, type Point, type PointJson } from "./curve.ts"
import { parseAuthorityShare, parseCommitteeKey, shown, type ParsedCommitteeKey } from "./dkg.ts"
import { dleqProofToJson, parseDleqProof, proveDleq, verifyDleq, type DleqProofJson } from "./dleq.ts"
import { openEscrow, parseEscrow } from "./encrypt.ts"

/** One authority's partial decryption of one escrow. Public: it goes on chain. */
export interface PartialDecryption {
    /** The authority's index in the committee. */
    index: number
    /** `D = s_index·R`. */
    partial: PointJson
    /** Chaum-Pedersen: the share behind the authority's public share made `partial`. */
    proof: DleqProofJson
}

/**
 * The Lagrange coefficient at 0 of `index` among `indices`: `Π_{j != i} j / (j - i) mod l`.
 * @param indices Distinct authority indices.
 */
export function lagrangeAtZero(index: number, indices: readonly number[]): bigint {
    let numerator = 1n
    let denominator = 1n
    for (const j of indices) {
        if (j === index) continue
        numerator = mod(numerator * BigInt(j), SUBGROUP_ORDER)
        denominator = mod(denominator * BigInt(j - index), SUBGROUP_ORDER)
    }
    return mod(numerator * invert(denominator, SUBGROUP_ORDER), SUBGROUP_ORDER)
}

function requireContext(value: unknown): bigint {
    const context = toBigInt(value, "context")
    if (context < 0n || context >= 1n << 253n) throw new ZkCreditError("OUT_OF_RANGE", "context must be an integer in [0, 2^253): the opening's loan id", "context")
    return context
}

/**
 * An authority's partial decryption of an escrow, with its proof. The ephemeral key is
 * checked first: a point outside the prime-order subgroup would leak the share modulo 8.
 * @param escrow `{ ephemeralKeyY, ciphertext }` of the loan to open.
 * @param share The authority's share file.
 * @param context What the proof is bound to: the loan id of the opening request.
 * @throws ZkCreditError `INVALID_POINT` for a malformed escrow, `INVALID_COMMITTEE_FILE` for a bad share file.
 */
export function partialDecrypt(escrow: unknown, share: unknown, context: unknown): PartialDecryption {
    const { ephemeralKey } = parseEscrow(escrow)
    const s = parseAuthorityShare(share)
    const c = requireContext(context)
    const partial = multiply(ephemeralKey, s.share)
    const proof = proveDleq(s.share, { G: GENERATOR, Y: s.publicShare, H: ephemeralKey, D: partial, context: c })
    return { index: s.index, partial: pointToJson(partial), proof: dleqProofToJson(proof) }
}

function parsePartial(value: unknown, name: string, key: ParsedCommitteeKey): { index: number; partial: Point; proof: ReturnType<typeof parseDleqProof> } {
    const p = requireObject(value, name)
    const index = p.index
    if (!Number.isSafeInteger(index) || !key.publicShares.has(index as number)) {
        throw new ZkCreditError("INVALID_DECRYPTION_SHARE", `${name}.index must be an authority of the committee (1 to ${key.publicShares.size}), got ${shown(index)}`, `${name}.index`)
    }
    return { index: index as number, partial: requirePoint(p.partial, `${name}.partial`), proof: parseDleqProof(p.proof, `${name}.proof`) }
}

/**
 * Whether a partial decryption is authority `index`'s, made with its share, for this escrow
 * and context. Never throws on a forged or malformed partial: it returns false.
 */
export function verifyPartialDecryption(escrow: unknown, partial: unknown, committeeKey: unknown, context: unknown): boolean {
    const { ephemeralKey } = parseEscrow(escrow)
    const key = parseCommitteeKey(committeeKey)
    const c = requireContext(context)
    try {
        const p = parsePartial(partial, "partial", key)
        return verifyDleq(p.proof, { G: GENERATOR, Y: key.publicShares.get(p.index)!, H: ephemeralKey, D: p.partial, context: c })
    } catch {
        return false
    }
}

/**
 * Opens an escrow from at least t partial decryptions, each verified first.
 * @returns The identity commitment, and the authorities whose partials were combined.
 * @throws ZkCreditError `INVALID_DECRYPTION_SHARE` naming the first partial that does not
 *   verify (forged, of another escrow or context, or a duplicate authority),
 *   `NOT_ENOUGH_SHARES` with fewer than t.
 */
export function combinePartialDecryptions(escrow: unknown, partials: readonly unknown[], committeeKey: unknown, context: unknown): { commitment: bigint; authorities: number[] } {
    const { escrow: parsed, ephemeralKey } = parseEscrow(escrow)
    const key = parseCommitteeKey(committeeKey)
    const c = requireContext(context)
    const valid = new Map<number, Point>()
    for (const [k, raw] of requireArray(partials, "partials").entries()) {
        const name = `partials[${k}]`
        const p = parsePartial(raw, name, key)
        if (valid.has(p.index)) throw new ZkCreditError("INVALID_DECRYPTION_SHARE", `${name} is a second partial of authority ${p.index}`, name)
        if (!verifyDleq(p.proof, { G: GENERATOR, Y: key.publicShares.get(p.index)!, H: ephemeralKey, D: p.partial, context: c })) {
            throw new ZkCreditError("INVALID_DECRYPTION_SHARE", `${name} (authority ${p.index}) does not verify: its Chaum-Pedersen proof fails against the authority's public share for this escrow and loan; leave it out`, name)
        }
        valid.set(p.index, p.partial)
    }
    if (valid.size < key.threshold) {
        throw new ZkCreditError("NOT_ENOUGH_SHARES", `${valid.size} valid partial decryption(s), the committee needs ${key.threshold}`, "partials")
    }
    const indices = [...valid.keys()].sort((a, b) => a - b).slice(0, key.threshold)
    const shared = indices.reduce<Point>((acc, i) => addPoints(acc, multiply(valid.get(i)!, lagrangeAtZero(i, indices))), NEUTRAL)
    return { commitment: openEscrow(parsed, shared), authorities: indices }
}
