import { defineConfig } from "vitest/config"

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // builds the circuits (if their sources changed) and compiles the contracts, once
        globalSetup: ["test/helpers/global-setup.ts"],
        testTimeout: 120_000,
        hookTimeout: 300_000,
        pool: "forks",
        reporters: ["default"]
    }
})
