import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { describe, expect, it } from "vitest"
import { CREDIT_PROOF_ARTIFACTS as A } from "../../circuits/artifacts.ts"
import { circuitFingerprint, sha256 } from "../../scripts/lib/circuit-fingerprint.ts"
import { DEV_PTAU } from "../../scripts/lib/dev-setup.ts"

const manifest = JSON.parse(readFileSync(A.manifest, "utf8")) as { fingerprint: string; constraints: number; files: Record<string, string> }
const root = process.cwd()

describe("reproducible circuit build", () => {
    it("the committed manifest was made from the current sources (rebuild and commit it after a circuit change)", async () => {
        expect(manifest.fingerprint).toBe(await circuitFingerprint())
    })

    it("every built artifact is byte-identical to the committed manifest", () => {
        const paths = [A.wasm, A.zkey, A.vkey, A.solidityVerifier, A.solidityConstants]
        expect(Object.keys(manifest.files).sort()).toEqual(paths.map((p) => relative(root, p)).sort())
        for (const path of paths) expect(sha256(readFileSync(path)), relative(root, path)).toBe(manifest.files[relative(root, path)])
    })

    it("the committed development ptau is the one the beacon recipe gives", () => {
        expect(sha256(readFileSync(DEV_PTAU.path))).toBe(DEV_PTAU.sha256)
    })

    it("stays within 11,000 constraints at depth 20", () => {
        expect(manifest.constraints).toBeGreaterThan(5_000) // a gutted circuit would also be "small"
        expect(manifest.constraints).toBeLessThanOrEqual(11_000)
    })

    it("labels everything from the development setup as insecure", () => {
        expect(JSON.parse(readFileSync(A.vkey, "utf8")).zkcreditSetup).toMatch(/INSECURE/)
        expect(readFileSync(A.solidityVerifier, "utf8")).toMatch(/INSECURE/)
        expect(readFileSync(A.zkey).includes(Buffer.from("INSECURE"))).toBe(true)
    })
})
