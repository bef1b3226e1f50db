// Browser entry of EdDSA-Poseidon: bundlers handle the package's ESM build.
export { derivePublicKey, signMessage, verifySignature, deriveSecretScalar } from "@zk-kit/eddsa-poseidon"
