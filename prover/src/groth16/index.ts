export type { Bn128Curve } from "./curve.ts"
export { proveGroth16, witnessOf } from "./prove.ts"
export { readProvingKey, type ProvingKey } from "./proving-key.ts"
