import { fileURLToPath } from "node:url"
import { sveltekit } from "@sveltejs/kit/vite"
import { defineConfig } from "vite"
import { bundledCircuits } from "../scripts/lib/app-build.ts"

export default defineConfig({
    plugins: [sveltekit()],
    resolve: {
        // the KYC tree's WebAssembly Poseidon only: circomlibjs's index pulls Node-only modules
        // (events, ethers 5) into the bundle; its package exports hide the file from Node, not from Vite
        alias: { circomlibjs: fileURLToPath(new URL("../node_modules/circomlibjs/src/poseidon_wasm.js", import.meta.url)) }
    },
    server: { fs: { allow: [".."] } },
    worker: { format: "es" },
    // each pinned circuit's verification key and artifact sizes, read and checked against the
    // manifest at build time (the pins themselves come with the prover, from the same manifest)
    define: { __ZKCREDIT_CIRCUITS__: JSON.stringify(bundledCircuits()) }
})
