/** Sending a transaction and waiting for it, with a note of what is sent. */
import type { ContractTransactionResponse, TransactionReceipt } from "ethers"
import { failed } from "./exit-codes.ts"
import type { Output } from "./output.ts"

/**
 * Sends a contract call and waits for its receipt. Reverts surface as ethers errors (decoded by
 * the entry point into the contract's custom error and a hint).
 * @param what What the transaction does, for the note ("addMembers batch 2/10").
 */
export async function send(out: Output, what: string, call: () => Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
    out.note(`${what}...`)
    const tx = await call()
    const receipt = await tx.wait()
    if (!receipt || receipt.status !== 1) throw failed("TX_FAILED", `${what}: transaction ${tx.hash} failed`, { transactionHash: tx.hash })
    out.note(`  done in block ${receipt.blockNumber} (tx ${receipt.hash})`)
    return receipt
}
