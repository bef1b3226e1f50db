import { sveltekit } from "@sveltejs/kit/vite"
import { defineConfig } from "vite"
import { bundledCircuits } from "../scripts/lib/app-build.ts"

export default defineConfig({
    plugins: [sveltekit()],
    server: { fs: { allow: [".."] } },
    worker: { format: "es" },
    // each pinned circuit's verification key and artifact sizes, read and checked against the
    // manifest at build time (the pins themselves come with the prover, from the same manifest)
    define: { __ZKCREDIT_CIRCUITS__: JSON.stringify(bundledCircuits()) }
})
