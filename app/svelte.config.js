import adapter from "@sveltejs/adapter-static"
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte"

/** @type {import('@sveltejs/kit').Config} */
export default {
    preprocess: vitePreprocess(),
    kit: {
        // a static site: no server ever holds a secret
        adapter: adapter({ pages: "build", assets: "build", fallback: "index.html", strict: true }),
        alias: { $prover: "../prover/src", $client: "../client/src", $bureau: "../bureau/src" },
        typescript: {
            // the tree library's types are not reachable through its package.json "exports"
            config: (config) => {
                config.compilerOptions.paths["@zk-kit/incremental-merkle-tree"] = ["../../node_modules/@zk-kit/incremental-merkle-tree/dist/types/index.d.ts"]
                return config
            }
        }
    }
}
