/**
 * The identity escrow, the TypeScript twin of `IdentityEscrow` (circuits/src/lib/escrow.circom):
 * the borrower encrypts its identity commitment under the committee's key with a fresh
 * ephemeral scalar, and the committee opens it with `sk·R` (combined from t partial
 * decryptions, see ./threshold.ts). The scheme and why it is safe: docs/escrow.md.
 */
import { poseidon2 } from "poseidon-lite/poseidon2"
import { requireFieldElement, requireObject, toBigInt } from "../checks.ts"
import { ESCROW_DOMAIN, SNARK_SCALAR_FIELD } from "../constants.ts"
import { ZkCreditError } from "../errors.ts"
import { mod, multiply, multiplyGenerator, pointFromY, randomBelow, requirePoint, SUBGROUP_ORDER, type Point } from "./curve.ts"

export { ESCROW_DOMAIN }

/** Bit width of the ephemeral scalar r: 1 <= r < 2^250, below the subgroup order l ~ 2^251.6. */
export const EPHEMERAL_SECRET_BITS = 250

/** An escrow as it goes public: the ephemeral key's y and the ciphertext. */
export interface Escrow {
    /** `R.y`, with `R = r·B8`. */
    ephemeralKeyY: bigint
    /** `commitment + Poseidon(ESCROW_DOMAIN, (r·PK).y) mod p`. */
    ciphertext: bigint
}

/** The escrow's private inputs and its public signals, as the circuit takes them. */
// a type, not an interface: it is passed where a record of signals is expected
export type EscrowCircuitInput = {
    commitment: bigint
    /** r: whoever learns it can open the escrow. It never leaves the borrower's device. */
    ephemeralSecret: bigint
    committeeKeyX: bigint
    committeeKeyY: bigint
}

/** What {@link encryptCommitment} returns. */
export interface EncryptedCommitment {
    escrow: Escrow
    circuitInput: EscrowCircuitInput
}

/**
 * The mask of a shared point's y: `Poseidon(ESCROW_DOMAIN, S.y)`.
 * @param sharedY `S.y`, the same for S and -S.
 */
export function escrowMask(sharedY: bigint): bigint {
    return poseidon2([ESCROW_DOMAIN, requireFieldElement(sharedY, "sharedY")])
}

/**
 * Encrypts an identity commitment under the committee key: `R = r·B8`, `S = r·PK`,
 * `c = commitment + Poseidon(domain, S.y)`. Each call draws a fresh r, so two escrows of one
 * commitment are unlinkable.
 * @param commitment The identity commitment (the KYC leaf).
 * @param committeeKey The committee's joint public key `[x, y]`, as registered.
 * @param options.ephemeralSecret r, for tests and reproducible fixtures only; random when omitted.
 * @throws ZkCreditError `INVALID_POINT` for a key that is not a prime-order point,
 *   `OUT_OF_RANGE` for an ephemeral secret outside [1, 2^250).
 */
export function encryptCommitment(commitment: unknown, committeeKey: unknown, options: { ephemeralSecret?: unknown } = {}): EncryptedCommitment {
    const m = requireFieldElement(commitment, "commitment")
    const key = requirePoint(committeeKey, "committeeKey")
    const given = requireObject(options, "options").ephemeralSecret
    const r = given === undefined ? randomBelow(1n << BigInt(EPHEMERAL_SECRET_BITS)) : toBigInt(given, "ephemeralSecret")
    if (r < 1n || r >= 1n << BigInt(EPHEMERAL_SECRET_BITS)) {
        throw new ZkCreditError("OUT_OF_RANGE", `ephemeralSecret must be in [1, 2^${EPHEMERAL_SECRET_BITS}): the circuit range-checks it`, "ephemeralSecret")
    }
    const ephemeralKey = multiplyGenerator(r)
    const shared = multiply(key, r)
    return {
        escrow: { ephemeralKeyY: ephemeralKey[1], ciphertext: mod(m + escrowMask(shared[1]), SNARK_SCALAR_FIELD) },
        circuitInput: { commitment: m, ephemeralSecret: r, committeeKeyX: key[0], committeeKeyY: key[1] }
    }
}

/**
 * Checks an escrow from outside (an event, a file): the ciphertext is a field element and
 * `ephemeralKeyY` is the y of a prime-order point.
 * @returns The escrow and its ephemeral point R (either sign).
 * @throws ZkCreditError `NOT_A_FIELD_ELEMENT`, `INVALID_ARGUMENT` or `INVALID_POINT`.
 */
export function parseEscrow(value: unknown): { escrow: Escrow; ephemeralKey: Point } {
    const e = requireObject(value, "escrow")
    const ciphertext = requireFieldElement(e.ciphertext, "escrow.ciphertext")
    const ephemeralKey = pointFromY(e.ephemeralKeyY, "escrow.ephemeralKeyY")
    return { escrow: { ephemeralKeyY: ephemeralKey[1], ciphertext }, ephemeralKey }
}

/**
 * Opens an escrow with the shared point `S = sk·R` (or -S).
 * @returns The identity commitment.
 */
export function openEscrow(escrow: Escrow, shared: Point): bigint {
    return mod(escrow.ciphertext - escrowMask(shared[1]), SNARK_SCALAR_FIELD)
}

/**
 * Opens an escrow with the whole committee secret. For tests and simulations only: in the
 * platform nobody holds the whole key (it exists only as shares, see ./dkg.ts).
 * @param secretKey sk, with `PK = sk·B8`.
 */
export function decryptWithSecretKey(escrow: unknown, secretKey: unknown): bigint {
    const { escrow: parsed, ephemeralKey } = parseEscrow(escrow)
    return openEscrow(parsed, multiply(ephemeralKey, mod(toBigInt(secretKey, "secretKey"), SUBGROUP_ORDER)))
}
