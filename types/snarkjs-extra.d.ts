// snarkjs exports more than @types/snarkjs declares; these are the parts the build scripts and the prover use.
import "snarkjs"
import type { Bn128Curve } from "../prover/src/groth16/curve.ts"

declare module "snarkjs" {
    export namespace curves {
        /** snarkjs's curve (ffjavascript's, a process-wide singleton with its thread pool). */
        function getCurveFromName(name: "bn128"): Promise<Bn128Curve>
    }
}
