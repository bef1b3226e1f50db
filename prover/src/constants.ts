/**
 * The one source of truth for what crosses layers: tree depth, bit widths, the attestation
 * domain and the order of the public signals all come from `circuits/circuits.json`, which is
 * also what circomkit compiles the circuit from. The contracts get the same values from
 * `contracts/generated/CreditCircuit.sol`, written by `npm run build:circuits` from this module.
 */
import circuits from "../../circuits/circuits.json" with { type: "json" }

const creditProof = circuits["credit-proof"]

/** Name of the credit proof circuit in `circuits/circuits.json` and in `circuits/build/`. */
export const CREDIT_PROOF_CIRCUIT = "credit-proof"

/** Depth of the KYC Merkle tree (4-ary, Poseidon, zero leaf 0): 4^10 = 2^20 members. */
export const KYC_TREE_DEPTH = Number(creditProof.params[0])

/** Children of each node of the KYC tree: every node is Poseidon(4) of its children. */
export const KYC_TREE_ARITY = Number(creditProof.params[6])

/** Members the KYC tree can hold: arity^depth. */
export const KYC_TREE_CAPACITY = KYC_TREE_ARITY ** KYC_TREE_DEPTH

/** Bit width of scores and thresholds; the circuit range-checks both to it. */
export const SCORE_BITS = Number(creditProof.params[1])

/** Bit width of unix times (seconds); the circuit range-checks every time to it. */
export const TIME_BITS = Number(creditProof.params[2])

/** Domain tag hashed into every attestation message ("zkcredit.attestation.v1" as an integer). */
export const ATTESTATION_DOMAIN = BigInt(creditProof.params[3] as string)

/** Domain tag of the identity escrow's mask ("zkcredit.escrow.v1" as an integer). */
export const ESCROW_DOMAIN = BigInt(creditProof.params[4] as string)

/** Bit width of a proof's message (the call it is bound to); the circuit range-checks it. */
export const MESSAGE_BITS = Number(creditProof.params[5])

/**
 * Bit width of a bureau signature's challenge: the low bits of its Poseidon hash (see
 * `signature.ts` and ShortSchnorrVerifier in circuits/src/lib/attestation.circom).
 */
export const SIGNATURE_CHALLENGE_BITS = Number(creditProof.params[7])

/**
 * The circuit's outputs, in their declaration order in circuits/src/credit-proof.circom (circom
 * puts them first among the public signals): the pseudonym, then the identity escrow.
 */
export const CREDIT_PROOF_OUTPUTS = ["nullifier", "ephemeralKeyY", "ciphertext"] as const

/** Names of the public signals in the order the verifier takes them: outputs first, then public inputs. */
export const PUBLIC_SIGNALS = [...CREDIT_PROOF_OUTPUTS, ...creditProof.pubs] as readonly PublicSignalName[]

/** A public signal of the credit proof. */
export type PublicSignalName = (typeof CREDIT_PROOF_OUTPUTS)[number] | "kycRoot" | "bureauKeyHash" | "context" | "scope" | "committeeKeyY"

/**
 * The values packed into the `context` signal, most significant first (see `packContext`): the
 * verifier knows each, and one signal for three saves two verifier multiplications.
 */
export const CONTEXT_PARTS = ["message", "threshold", "currentTime"] as const

/** A value a credit proof proves and names: each public signal but `context`, and the parts of `context`. */
export type CreditProofValueName = Exclude<PublicSignalName, "context"> | (typeof CONTEXT_PARTS)[number]

/** The values a credit proof names (its fields besides `points`), in signal order, `context` split into its parts. */
export const CREDIT_PROOF_VALUES: readonly CreditProofValueName[] = PUBLIC_SIGNALS.flatMap((name) => (name === "context" ? [...CONTEXT_PARTS] : [name]))

/** Order of BN254's scalar field: every signal is an integer in [0, SNARK_SCALAR_FIELD). */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** Order of Baby Jubjub's prime subgroup; a signature's `S` must be below it. */
export const BABYJUB_SUBORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n

/** The zero leaf: an empty or removed slot of the KYC tree. */
export const KYC_ZERO_LEAF = 0n
