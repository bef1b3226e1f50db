// The part of circomlibjs (no types published) that the fast Poseidon uses.
declare module "circomlibjs" {
    /** circomlib's Poseidon in WebAssembly; returns the hash in the field's internal form. */
    export interface WasmPoseidon {
        (inputs: bigint[]): Uint8Array
        F: { toObject(element: Uint8Array): bigint }
    }
    export function buildPoseidon(): Promise<WasmPoseidon>
    /** circomlib's reference Poseidon in JavaScript (the tests compare the others with it). */
    export function buildPoseidonReference(): Promise<WasmPoseidon>
}
