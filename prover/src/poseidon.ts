/// <reference path="./circomlibjs.d.ts" />
/**
 * The fast Poseidon of the KYC tree: circomlib's own Poseidon compiled to WebAssembly
 * (circomlibjs `buildPoseidon`), in Node, browsers and Web Workers. Chosen after measuring the
 * candidates on npm here (bench/registry.ts, README Specs): it was the fastest with output
 * identical to circomlib's and poseidon-lite's (tested), about 2.5x poseidon-lite for the tree's Poseidon(4) (3-4x for Poseidon(2)); the Rust
 * WASM builds (@railgun-community/poseidon-hash-wasm, @lightprotocol/hasher.rs) pay for a string
 * or BN conversion on each call and were slower, @iden3/js-crypto is pure JavaScript.
 */
import { ZkCreditError } from "./errors.ts"
import type { KycHash } from "./kyc-tree.ts"

let loading: Promise<KycHash> | undefined

/**
 * Loads the WebAssembly Poseidon once (about 50 ms) and returns it as a {@link KycHash}, Poseidon
 * of 4 (the same as poseidon-lite's `poseidon4` and circomlib's `Poseidon(4)`).
 * Later calls return the same function.
 * @throws ZkCreditError `ARTIFACT_UNAVAILABLE` when WebAssembly cannot be instantiated here.
 */
export function loadFastPoseidon(): Promise<KycHash> {
    // imported on first use: circomlibjs loads ethers v5 and more, which no other caller needs
    loading ??= import("circomlibjs").then(({ buildPoseidon }) => buildPoseidon()).then(
        (poseidon) => {
            const F = poseidon.F
            // one input array, reused: the tree calls this about a third of a million times a build
            const children: bigint[] = [0n, 0n, 0n, 0n]
            return (c0: bigint, c1: bigint, c2: bigint, c3: bigint): bigint => {
                children[0] = c0
                children[1] = c1
                children[2] = c2
                children[3] = c3
                return F.toObject(poseidon(children))
            }
        },
        (error: unknown) => {
            loading = undefined
            throw new ZkCreditError("ARTIFACT_UNAVAILABLE", `the WebAssembly Poseidon could not be loaded (${error instanceof Error ? error.message : String(error)}): use poseidonLiteHash instead`)
        }
    )
    return loading
}
