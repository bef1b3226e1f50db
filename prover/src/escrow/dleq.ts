/**
 * Chaum-Pedersen proofs of discrete-log equality on Baby Jubjub, made non-interactive with
 * Fiat-Shamir over Poseidon: "the same secret s gives Y = s·G and D = s·H". An authority
 * proves with it that its partial decryption `D = s_i·R` used the share behind its public
 * share `Y_i = s_i·B8`; a DKG complaint proves with it that the key it reveals is the one its
 * transport key makes.
 */
import { poseidon14 } from "poseidon-lite/poseidon14"
import { requireFieldElement, requireObject, toBigInt } from "../checks.ts"
import { ZkCreditError } from "../errors.ts"
import { addPoints, mod, multiply, negate, pointsEqual, randomScalar, SUBGROUP_ORDER, type Point } from "./curve.ts"

/** Domain tag of the challenge ("zkcredit.dleq.v1" as an integer). */
export const DLEQ_DOMAIN = 0x7a6b6372656469742e646c65712e7631n

/** A proof `(c, z)`: the commitments `z·G - c·Y`, `z·H - c·D` hash back to c. */
export interface DleqProof {
    challenge: bigint
    response: bigint
}

/** A proof as written to files and events: decimal strings. */
export interface DleqProofJson {
    challenge: string
    response: string
}

/** The statement: `Y = s·G` and `D = s·H` for one s. */
export interface DleqStatement {
    G: Point
    Y: Point
    H: Point
    D: Point
    /** Binds the proof to its use (e.g. a loan id), so it proves nothing elsewhere. */
    context: bigint
}

function challengeOf(statement: DleqStatement, a1: Point, a2: Point): bigint {
    const { G, Y, H, D, context } = statement
    return poseidon14([DLEQ_DOMAIN, context, G[0], G[1], Y[0], Y[1], H[0], H[1], D[0], D[1], a1[0], a1[1], a2[0], a2[1]])
}

/**
 * Proves that `statement.Y = secret·G` and `statement.D = secret·H`.
 * @param secret s, modulo the subgroup order.
 * @throws ZkCreditError `INVALID_ARGUMENT` when the statement is not made by `secret`.
 */
export function proveDleq(secret: bigint, statement: DleqStatement): DleqProof {
    const s = mod(secret, SUBGROUP_ORDER)
    if (!pointsEqual(multiply(statement.G, s), statement.Y) || !pointsEqual(multiply(statement.H, s), statement.D)) {
        throw new ZkCreditError("INVALID_ARGUMENT", "the secret does not make Y = s·G and D = s·H: it is not the secret of this statement", "secret")
    }
    const w = randomScalar()
    const challenge = challengeOf(statement, multiply(statement.G, w), multiply(statement.H, w))
    return { challenge, response: mod(w + mod(challenge, SUBGROUP_ORDER) * s, SUBGROUP_ORDER) }
}

/**
 * Verifies a proof. The points of the statement must be checked (prime-order subgroup) by the
 * caller; this never throws on a wrong proof, it returns false.
 */
export function verifyDleq(proof: DleqProof, statement: DleqStatement): boolean {
    const { challenge, response } = proof
    if (response < 0n || response >= SUBGROUP_ORDER || challenge < 0n) return false
    const c = mod(challenge, SUBGROUP_ORDER)
    const a1 = addPoints(multiply(statement.G, response), negate(multiply(statement.Y, c)))
    const a2 = addPoints(multiply(statement.H, response), negate(multiply(statement.D, c)))
    return challengeOf(statement, a1, a2) === challenge
}

/** A proof as decimal strings. */
export function dleqProofToJson(proof: DleqProof): DleqProofJson {
    return { challenge: proof.challenge.toString(), response: proof.response.toString() }
}

/**
 * Parses a proof from a file or an event.
 * @throws ZkCreditError `INVALID_ARGUMENT` or `NOT_A_FIELD_ELEMENT`, naming the field.
 */
export function parseDleqProof(value: unknown, name: string): DleqProof {
    const proof = requireObject(value, name)
    const challenge = requireFieldElement(proof.challenge, `${name}.challenge`)
    const response = toBigInt(proof.response, `${name}.response`)
    if (response < 0n || response >= SUBGROUP_ORDER) {
        throw new ZkCreditError("OUT_OF_RANGE", `${name}.response must be below the subgroup order`, `${name}.response`)
    }
    return { challenge, response }
}
