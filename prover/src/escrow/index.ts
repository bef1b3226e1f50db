/**
 * @module zkcredit/prover/escrow
 * The identity escrow of the credit proof and the committee that can open it: the encryption
 * (the circuit's twin), Baby Jubjub arithmetic, a dealerless key generation (Pedersen's DKG
 * with Feldman-verified shares), Chaum-Pedersen proofs, and threshold opening.
 * The scheme, what each party learns, and the committee's procedures: docs/escrow.md.
 */
export * from "./curve.ts"
export * from "./encrypt.ts"
export * from "./dkg.ts"
export * from "./dleq.ts"
export * from "./threshold.ts"
