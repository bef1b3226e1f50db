/**
 * Prover benchmark: constraints, witness / prove / verify medians in Node, artifact sizes
 * (raw and brotli, what a browser downloads). Writes bench/results/prover.json and saves one
 * proof as snarkjs JSON (bench/results/proof.json, public.json) for `snarkjs groth16 verify`.
 *
 * Usage: npx node bench/prover.ts [--runs N]   (default 7)
 */
import { readFileSync, writeFileSync } from "node:fs"
import { brotliCompressSync, constants as zlib } from "node:zlib"
import * as snarkjs from "snarkjs"
import { CREDIT_PROOF_ARTIFACTS as A } from "../circuits/artifacts.ts"
import { buildCreditProofInput, unpackGroth16Proof } from "../prover/src/index.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { proverWorld } from "../test/helpers/fixtures.ts"
import { machine, median, printTable, RESULTS_DIR, ROOT, timeRuns, writeResult } from "./lib/report.ts"

const runsArg = process.argv.indexOf("--runs")
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7
if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error("--runs must be an integer >= 5 (medians of 5 or more runs)")

const brotli = (bytes: Buffer) => brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length

async function main(): Promise<void> {
    const wasm = readFileSync(A.wasm)
    const zkey = readFileSync(A.zkey)
    const vkey = JSON.parse(readFileSync(A.vkey, "utf8"))
    const info = (await snarkjs.r1cs.info(A.r1cs, undefined)) as { nConstraints: number }
    const input = buildCreditProofInput(proverWorld().request)

    // one warm-up: the first run pays for curve and worker start-up
    const warm = { type: "mem" } as unknown as Uint8Array
    await snarkjs.wtns.calculate(input, wasm, warm)
    await snarkjs.groth16.prove(zkey, warm)

    const witnessTimes = await timeRuns(RUNS, () => snarkjs.wtns.calculate(input, wasm, { type: "mem" } as unknown as Uint8Array))
    let last: Awaited<ReturnType<typeof snarkjs.groth16.prove>> | undefined
    const proveTimes = await timeRuns(RUNS, async () => {
        last = await snarkjs.groth16.prove(zkey, warm)
    })
    const { proof, publicSignals } = last!
    const verifyTimes = await timeRuns(RUNS, () => snarkjs.groth16.verify(vkey, publicSignals, proof))
    const fullProveTimes = await timeRuns(RUNS, () => snarkjs.groth16.fullProve(input, wasm, zkey))

    // the proof and the key it verifies against, saved side by side as snarkjs JSON
    const vkeyPath = `${RESULTS_DIR}/verification_key.json`
    writeFileSync(vkeyPath, readFileSync(A.vkey))
    const proofPath = `${RESULTS_DIR}/proof.json`
    const publicPath = `${RESULTS_DIR}/public.json`
    writeFileSync(proofPath, `${JSON.stringify(proof, null, 1)}\n`)
    writeFileSync(publicPath, `${JSON.stringify(publicSignals, null, 1)}\n`)
    // the packed form round-trips to what snarkjs writes
    const packedBack = unpackGroth16Proof([proof.pi_a[0], proof.pi_a[1], proof.pi_b[0]![1], proof.pi_b[0]![0], proof.pi_b[1]![1], proof.pi_b[1]![0], proof.pi_c[0], proof.pi_c[1]] as string[])
    if (!(await snarkjs.groth16.verify(vkey, publicSignals, packedBack))) throw new Error("packed proof does not verify")

    const result = {
        circuit: "credit-proof",
        constraints: info.nConstraints,
        runs: RUNS,
        witnessMsMedian: median(witnessTimes),
        proveMsMedian: median(proveTimes),
        fullProveMsMedian: median(fullProveTimes),
        verifyMsMedian: median(verifyTimes),
        wasmBytes: wasm.length,
        zkeyBytes: zkey.length,
        wasmBrotliBytes: brotli(wasm),
        zkeyBrotliBytes: brotli(zkey),
        verificationKey: vkeyPath.replace(ROOT, ""),
        proof: proofPath.replace(ROOT, ""),
        publicSignals: publicPath.replace(ROOT, ""),
        samples: { witnessMs: witnessTimes, proveMs: proveTimes, fullProveMs: fullProveTimes, verifyMs: verifyTimes },
        machine: machine(),
        measuredAt: new Date().toISOString()
    }
    printTable(`credit-proof prover (Node, median of ${RUNS})`, [
        ["constraints", result.constraints],
        ["witness ms", result.witnessMsMedian],
        ["prove ms (from witness)", result.proveMsMedian],
        ["fullProve ms", result.fullProveMsMedian],
        ["verify ms", result.verifyMsMedian],
        ["wasm bytes (brotli)", `${result.wasmBytes.toLocaleString("en-US")} (${result.wasmBrotliBytes.toLocaleString("en-US")})`],
        ["zkey bytes (brotli)", `${result.zkeyBytes.toLocaleString("en-US")} (${result.zkeyBrotliBytes.toLocaleString("en-US")})`]
    ])
    writeResult(`${RESULTS_DIR}/prover.json`, result)
    console.log(`check: npx snarkjs groth16 verify ${result.verificationKey} ${result.publicSignals} ${result.proof}`)
}

try {
    await main()
} finally {
    await releaseSnarkCurve()
}
