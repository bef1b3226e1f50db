import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { describe, expect, it } from "vitest"
import { CIRCUIT_NAMES, circuitArtifacts, CREDIT_PROOF_ARTIFACTS as A } from "../../circuits/artifacts.ts"
import { circuitFingerprint, sha256 } from "../../scripts/lib/circuit-fingerprint.ts"
import { DEV_PTAU } from "../../scripts/lib/dev-setup.ts"

const manifest = JSON.parse(readFileSync(A.manifest, "utf8")) as { fingerprint: string; circuits: Record<string, { constraints: number }>; files: Record<string, string> }
const root = process.cwd()

describe("reproducible circuit build", () => {
    it("the committed manifest was made from the current sources (rebuild and commit it after a circuit change)", async () => {
        expect(manifest.fingerprint).toBe(await circuitFingerprint())
    })

    it("every built artifact of every circuit is byte-identical to the committed manifest", () => {
        const perCircuit = CIRCUIT_NAMES.flatMap((name) => [circuitArtifacts(name).wasm, circuitArtifacts(name).zkey, circuitArtifacts(name).vkey])
        const paths = [...perCircuit, A.solidityVerifier, A.solidityVerificationKey, A.solidityConstants]
        expect(Object.keys(manifest.files).sort()).toEqual(paths.map((p) => relative(root, p)).sort())
        for (const path of paths) expect(sha256(readFileSync(path)), relative(root, path)).toBe(manifest.files[relative(root, path)])
    })

    it("the verification key library (LoanMarket, CreditVerifier's checks) holds the generated verifier's key, point for point", () => {
        const generated = Object.fromEntries([...readFileSync(A.solidityVerifier, "utf8").matchAll(/uint256 constant (\w+)\s*=\s*(\d+);/g)].map((m) => [m[1]!, m[2]!]))
        const library = readFileSync(A.solidityVerificationKey, "utf8")
        const constants = Object.fromEntries([...library.matchAll(/uint256 internal constant (\w+) = (\d+);/g)].map((m) => [m[1]!, m[2]!]))
        // snarkjs names a G2 point's coordinates x1, x2, y1, y2 in the precompile's order: x2 is x0
        const names: Record<string, string> = { ALPHA_X: "alphax", ALPHA_Y: "alphay" }
        for (const point of ["beta", "gamma", "delta"]) {
            Object.assign(names, { [`${point.toUpperCase()}_X1`]: `${point}x1`, [`${point.toUpperCase()}_X0`]: `${point}x2`, [`${point.toUpperCase()}_Y1`]: `${point}y1`, [`${point.toUpperCase()}_Y0`]: `${point}y2` })
        }
        expect(Object.keys(constants).sort()).toEqual(Object.keys(names).sort())
        for (const [name, snarkjsName] of Object.entries(names)) expect(constants[name], name).toBe(generated[snarkjsName])
        const ic = [...library.slice(library.indexOf("function icPoints")).matchAll(/(\d{20,})/g)].map((m) => m[1])
        const icCount = Object.keys(generated).filter((k) => /^IC\d+x$/.test(k)).length
        expect(ic).toEqual(Array.from({ length: icCount }, (_, i) => [generated[`IC${i}x`], generated[`IC${i}y`]]).flat())
    })

    it("the committed development ptau is the one the beacon recipe gives", () => {
        expect(sha256(readFileSync(DEV_PTAU.path))).toBe(DEV_PTAU.sha256)
    })

    it("lists every circuit of circuits.json, and no other", () => {
        expect(Object.keys(manifest.circuits).sort()).toEqual([...CIRCUIT_NAMES].sort())
    })

    it("the credit proof, with its identity escrow, stays within 16,000 constraints with the 4-ary KYC tree of depth 10 (the 2^14 domain)", () => {
        const constraints = manifest.circuits["credit-proof"]?.constraints ?? 0
        expect(constraints).toBeGreaterThan(5_000 + 3_301) // a gutted circuit would also be "small"; the escrow alone is 3,301
        expect(constraints).toBeLessThanOrEqual(16_000)
    })

    it("the history proof stays within 3,000 constraints for 8 pseudonyms", () => {
        const constraints = manifest.circuits["history-proof"]?.constraints ?? 0
        expect(constraints).toBeGreaterThan(8 * 240) // 8 Poseidon(2) and a Poseidon(1) at least
        expect(constraints).toBeLessThanOrEqual(3_000)
    })

    it("labels everything from the development setup as insecure", () => {
        for (const name of CIRCUIT_NAMES) expect(JSON.parse(readFileSync(circuitArtifacts(name).vkey, "utf8")).zkcreditSetup, name).toMatch(/INSECURE/)
        expect(readFileSync(A.solidityVerifier, "utf8")).toMatch(/INSECURE/)
        expect(readFileSync(A.zkey).includes(Buffer.from("INSECURE"))).toBe(true)
    })
})
