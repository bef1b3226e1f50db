/// <reference path="./circomlibjs.d.ts" />
/**
 * The fast Poseidon of the KYC tree: circomlib's own Poseidon compiled to WebAssembly
 * (circomlibjs `buildPoseidon`), in Node, browsers and Web Workers. Chosen after measuring the
 * candidates on npm here (bench/registry.ts, README Specs): it was the fastest with output
 * identical to circomlib's and poseidon-lite's (tested), about 3-4x poseidon-lite; the Rust
 * WASM builds (@railgun-community/poseidon-hash-wasm, @lightprotocol/hasher.rs) pay for a string
 * or BN conversion on each call and were slower, @iden3/js-crypto is pure JavaScript.
 */
import { ZkCreditError } from "./errors.ts"
import type { KycHash } from "./kyc-tree.ts"

let loading: Promise<KycHash> | undefined

/**
 * Loads the WebAssembly Poseidon once (about 50 ms) and returns it as a {@link KycHash}.
 * Later calls return the same function.
 * @throws ZkCreditError `ARTIFACT_UNAVAILABLE` when WebAssembly cannot be instantiated here.
 */
export function loadFastPoseidon(): Promise<KycHash> {
    // imported on first use: circomlibjs loads ethers v5 and more, which no other caller needs
    loading ??= import("circomlibjs").then(({ buildPoseidon }) => buildPoseidon()).then(
        (poseidon) => {
            const F = poseidon.F
            const pair: bigint[] = [0n, 0n]
            return (left: bigint, right: bigint): bigint => {
                pair[0] = left
                pair[1] = right
                return F.toObject(poseidon(pair))
            }
        },
        (error: unknown) => {
            loading = undefined
            throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `the WebAssembly Poseidon could not be loaded (${error instanceof Error ? error.message : String(error)}): use poseidonLiteHash instead`)
        }
    )
    return loading
}
