import { AbiCoder, getAddress, keccak256 } from "ethers"
import { describe, toBigInt, type BigNumberish } from "./checks.ts"
import { MESSAGE_BITS } from "./constants.ts"
import { ZkCreditError } from "./errors.ts"

const abi = AbiCoder.defaultAbiCoder()

/**
 * The scope of a market: `keccak256(abi.encode(chainId, market)) >> 8`. A borrower's
 * nullifier is `Poseidon(secret, scope)`, so each market (on each chain) sees another pseudonym.
 * The shift keeps the value below the SNARK field.
 * @param chainId The chain id.
 * @param market The LoanMarket contract address.
 */
export function computeScope(chainId: BigNumberish, market: string): bigint {
    const id = requireUint256(chainId, "chainId")
    const address = requireAddress(market, "market")
    return BigInt(keccak256(abi.encode(["uint256", "address"], [id, address]))) >> 8n
}

/** What a borrow binds a credit proof to. */
export interface BorrowMessage {
    chainId: BigNumberish
    /** The LoanMarket address. */
    market: string
    /** The address that sends `borrow` and receives the principal. */
    borrower: string
    offerId: BigNumberish
    tier: BigNumberish
    /** In the token's smallest unit. */
    principal: BigNumberish
}

/**
 * The message of a borrow: `keccak256(abi.encode(chainId, market, borrower, offerId, tier,
 * principal)) >> (256 - MESSAGE_BITS)`, the hash's top 160 bits (the proof packs it with the
 * threshold and the time into one signal). The contract recomputes it from the call, so a proof
 * seen in the mempool cannot be replayed by another address or for another offer, tier or
 * amount: that would take a second preimage of 160 bits.
 */
export function computeMessage(message: BorrowMessage): bigint {
    if (typeof message !== "object" || message === null) {
        throw new ZkCreditError("INVALID_ARGUMENT", "message must be an object { chainId, market, borrower, offerId, tier, principal }", "message")
    }
    const encoded = abi.encode(
        ["uint256", "address", "address", "uint256", "uint256", "uint256"],
        [
            requireUint256(message.chainId, "chainId"),
            requireAddress(message.market, "market"),
            requireAddress(message.borrower, "borrower"),
            requireUint256(message.offerId, "offerId"),
            requireUint256(message.tier, "tier"),
            requireUint256(message.principal, "principal")
        ]
    )
    return messageOf(keccak256(encoded))
}

/** A call's hash as a proof's message: its top MESSAGE_BITS bits. */
export function messageOf(hash: string): bigint {
    return BigInt(hash) >> BigInt(256 - MESSAGE_BITS)
}

function requireUint256(value: unknown, name: string): bigint {
    const n = toBigInt(value, name)
    if (n < 0n || n >= 1n << 256n) throw new ZkCreditError("OUT_OF_RANGE", `${name} must be an integer in [0, 2^256), got ${n}`, name)
    return n
}

function requireAddress(value: unknown, name: string): string {
    try {
        return getAddress(value as string)
    } catch {
        // a string is shown (shortened); anything else only by its type: String() can throw (Object.create(null))
        const got = typeof value === "string" ? JSON.stringify(value.slice(0, 60)) : describe(value)
        throw new ZkCreditError("INVALID_ARGUMENT", `${name} must be a 20-byte 0x address, got ${got}`, name)
    }
}
