import { fileURLToPath } from "node:url"
import { sveltekit } from "@sveltejs/kit/vite"
import { defineConfig } from "vite"

export default defineConfig({
    plugins: [sveltekit()],
    resolve: {
        // the KYC tree's WebAssembly Poseidon only: circomlibjs's index pulls Node-only modules
        // (events, ethers 5) into the bundle; its package exports hide the file from Node, not from Vite
        alias: { circomlibjs: fileURLToPath(new URL("../node_modules/circomlibjs/src/poseidon_wasm.js", import.meta.url)) }
    },
    server: { fs: { allow: [".."] } },
    worker: { format: "es" }
})
