/**
 * Bureau signatures: Schnorr over Baby Jubjub with a Poseidon challenge cut to
 * {@link SIGNATURE_CHALLENGE_BITS} bits, what ShortSchnorrVerifier in
 * circuits/src/lib/attestation.circom checks.
 *
 * For a key `A = a·B8`, a signature of a message `m` (one to four field elements) is `R8 = r·B8`
 * and `S = r + 8·e·a mod l`, where `e` is the low bits of `Poseidon(R8x, R8y, keyHash, ...m)` and
 * `keyHash = Poseidon(Ax, Ay)`; it verifies when `S·B8 == R8 + e·(8·A)`. The
 * keys are EdDSA-Poseidon's (`@zk-kit/eddsa-poseidon` derives `a` and `A`), so a bureau keeps
 * its registered key. A 128-bit challenge keeps Schnorr at the curve's security level (about 126
 * bits) and halves the circuit's variable-base multiplication against full-width EdDSA.
 *
 * The nonce is derived, not drawn: `r = Poseidon(NONCE_DOMAIN, a, ...m) mod l` (Poseidon keyed by
 * the secret scalar; a field element reduced mod l is within 2^-124 of uniform). Its own derivation
 * keeps it independent of the nonce EdDSA-Poseidon takes (a hash of the key bytes) for the same
 * key and message: two signatures under one nonce with different challenges would give the key
 * away.
 */
import { deriveSecretScalar } from "#eddsa-poseidon"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { poseidon3 } from "poseidon-lite/poseidon3"
import { poseidon4 } from "poseidon-lite/poseidon4"
import { poseidon5 } from "poseidon-lite/poseidon5"
import { poseidon6 } from "poseidon-lite/poseidon6"
import { poseidon7 } from "poseidon-lite/poseidon7"
import { SIGNATURE_CHALLENGE_BITS } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"
import { addPoints, GENERATOR, isOnCurve, mod, multiply, multiplyGenerator, pointsEqual, SUBGROUP_ORDER, type Point } from "./escrow/curve.ts"

/** The name attestations carry for this scheme (`signature.scheme`), so older ones are told apart. */
export const SIGNATURE_SCHEME = `schnorr-poseidon-${SIGNATURE_CHALLENGE_BITS}`

/** A bureau signature: the nonce point and the scalar, below the subgroup order. */
export interface SchnorrSignature {
    R8: Point
    S: bigint
}

/** "zkcredit.signature.nonce.v1" as an integer: the domain of derived nonces. */
const NONCE_DOMAIN = BigInt(`0x${Array.from(new TextEncoder().encode("zkcredit.signature.nonce.v1"), (b) => b.toString(16).padStart(2, "0")).join("")}`)

const CHALLENGE_MASK = (1n << BigInt(SIGNATURE_CHALLENGE_BITS)) - 1n

/** Poseidon by number of inputs, for the 3 + 1..4 inputs of a challenge and the 2 + 1..4 of a nonce. */
const POSEIDON: Record<number, (inputs: bigint[]) => bigint> = { 3: poseidon3, 4: poseidon4, 5: poseidon5, 6: poseidon6, 7: poseidon7 }

/** A message: one to four field elements (the caller checks they are field elements). */
export type SignedMessage = readonly bigint[]

function requireMessage(message: SignedMessage): void {
    if (!Array.isArray(message) || message.length < 1 || message.length > 4) {
        throw new ZkCreditError("INVALID_ARGUMENT", "message must be an array of one to four field elements", "message")
    }
}

/** A key's name, `Poseidon(Ax, Ay)`: in the challenge, and how the chain and the circuit name a bureau key. */
export function publicKeyHash(publicKey: Point): bigint {
    return poseidon2([publicKey[0], publicKey[1]])
}

/** The challenge `e`: the low {@link SIGNATURE_CHALLENGE_BITS} bits of `Poseidon(R8x, R8y, publicKeyHash(A), ...message)`. */
export function signatureChallenge(R8: Point, publicKey: Point, message: SignedMessage): bigint {
    requireMessage(message)
    return POSEIDON[3 + message.length]!([R8[0], R8[1], publicKeyHash(publicKey), ...message]) & CHALLENGE_MASK
}

/**
 * Signs a message with a bureau's private key.
 * @param privateKey The 32 key bytes (EdDSA-Poseidon's private key).
 * @param publicKey The key's public point, `a·B8`.
 * @param message One to four field elements.
 */
export function signSchnorr(privateKey: Uint8Array, publicKey: Point, message: SignedMessage): SchnorrSignature {
    requireMessage(message)
    const a = deriveSecretScalar(privateKey)
    const r = mod(POSEIDON[2 + message.length]!([NONCE_DOMAIN, a, ...message]), SUBGROUP_ORDER)
    const R8 = multiplyGenerator(r)
    const e = signatureChallenge(R8, publicKey, message)
    return { R8, S: mod(r + 8n * e * a, SUBGROUP_ORDER) }
}

/**
 * Whether a signature verifies: `S < l`, both points on the curve, `8·A` not the neutral point
 * (a key of small order would accept any message) and `S·B8 == R8 + e·(8·A)`.
 * @param message One to four field elements, as signed.
 * @param signature Parsed signature values.
 * @param publicKey The bureau's public key.
 */
export function verifySchnorr(message: SignedMessage, signature: SchnorrSignature, publicKey: Point): boolean {
    const { R8, S } = signature
    if (S < 0n || S >= SUBGROUP_ORDER || !isOnCurve(R8) || !isOnCurve(publicKey)) return false
    const eightA = multiply(publicKey, 8n)
    if (eightA[0] === 0n) return false
    const e = signatureChallenge(R8, publicKey, message)
    return pointsEqual(multiply(GENERATOR, S), addPoints(R8, multiply(eightA, e)))
}
