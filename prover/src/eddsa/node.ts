// Node entry of EdDSA-Poseidon. The package's ESM build imports a named export from the
// CommonJS `blakejs`, which Node cannot resolve; its CommonJS build loads fine.
import { createRequire } from "node:module"
import type * as EdDSAPoseidon from "@zk-kit/eddsa-poseidon"

const require = createRequire(import.meta.url)
const eddsa = require("@zk-kit/eddsa-poseidon") as typeof EdDSAPoseidon

export const { derivePublicKey, signMessage, verifySignature, deriveSecretScalar } = eddsa
