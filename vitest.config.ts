import { defineConfig } from "vitest/config"

// Most files wait on a chain, a bureau or a child process more than they compute, so on a 2-core
// CI machine two at a time finish sooner than one (vitest's default there). The browser files
// each drive Chromium and prove in it: they run afterwards, one at a time, so no proof's timing
// competes with another browser's. Every file keeps its own ports (test/helpers/ports.ts).
const BROWSER_FILES = ["test/e2e/**/*.test.ts"]

export default defineConfig({
    test: {
        // builds the circuits (if their sources changed), compiles the contracts and builds the app, once
        globalSetup: ["test/helpers/global-setup.ts"],
        testTimeout: 120_000,
        hookTimeout: 300_000,
        pool: "forks",
        reporters: ["default"],
        projects: [
            {
                extends: true,
                test: { name: "node", include: ["test/**/*.test.ts"], exclude: BROWSER_FILES, maxWorkers: 2, sequence: { groupOrder: 0 } }
            },
            {
                extends: true,
                test: { name: "browser", include: BROWSER_FILES, maxWorkers: 1, sequence: { groupOrder: 1 } }
            }
        ]
    }
})
