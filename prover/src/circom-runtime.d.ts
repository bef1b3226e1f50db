// The part of circom_runtime (no types published) the warm prover uses: the witness calculator
// that snarkjs's `wtns.calculate` builds anew on every call.
declare module "circom_runtime" {
    /** A compiled and instantiated circom witness generator. */
    export interface WitnessCalculator {
        /** The witness as a `.wtns` file, what `groth16.prove` reads. */
        calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>
        circom_version(): number
    }
    /** Compiles and instantiates a circom wasm (bytes or an instance). */
    export function WitnessCalculatorBuilder(code: Uint8Array | WebAssembly.Instance, options?: { memorySize?: number }): Promise<WitnessCalculator>
}
