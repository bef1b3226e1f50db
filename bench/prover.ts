/**
 * Prover benchmark: constraints, witness / prove / verify medians in Node, artifact sizes
 * (raw and brotli, what a browser downloads), and the credit proof against a reference:
 * Semaphore v4 at depth 20 (bench/lib/semaphore.ts), proved alternately with the credit proof
 * in this one process (`fullProve`, same snarkjs, same machine load), so the ratio of the two
 * medians holds even when the machine is busy. The same pair again warm (each witness generator
 * compiled once, as the app's and the CLI's `CreditProver` keeps it), once more with the prover
 * `CreditProver` runs (`proveGroth16` over a key read once) on both sides, and the `CreditProver` end to
 * end (input checks, witness, proof, self-check) with its breakdown. Writes bench/results/prover.json and saves one
 * proof as snarkjs JSON (bench/results/proof.json, public.json) for `snarkjs groth16 verify`.
 *
 * Also the constraint budget by part (bench/lib/constraint-budget.ts).
 *
 * Usage: npx node bench/prover.ts [--runs N]   (default 7)
 */
import { readFileSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { brotliCompressSync, constants as zlib } from "node:zlib"
import { WitnessCalculatorBuilder } from "circom_runtime"
import * as snarkjs from "snarkjs"
import { CREDIT_PROOF_ARTIFACTS as A } from "../circuits/artifacts.ts"
import { proveGroth16, readProvingKey } from "../prover/src/groth16/index.ts"
import { buildCreditProofInput, CreditProver, unpackGroth16Proof, type ProofTimings } from "../prover/src/index.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { proverWorld } from "../test/helpers/fixtures.ts"
import { machine, median, printTable, RESULTS_DIR, ROOT, timeRuns, writeResult } from "./lib/report.ts"
import { alternate, type Contender, type Groth16Result, verifiesAgainst } from "./lib/alternate.ts"
import { constraintBudget } from "./lib/constraint-budget.ts"
import { buildSemaphore, SEMAPHORE_ARTIFACTS as S, SEMAPHORE_DEPTH, semaphoreBenchCase, semaphoreCheck } from "./lib/semaphore.ts"

const runsArg = process.argv.indexOf("--runs")
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7
if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error("--runs must be an integer >= 5 (medians of 5 or more runs)")

const brotli = (bytes: Buffer) => brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length
type R1csInfo = { nConstraints: number; nPubInputs: number; nOutputs: number }

/** log2 of snarkjs's Groth16 domain: the next power of two of constraints + public signals + 1. */
const domainLog2 = (info: R1csInfo) => Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1))

/** `groth16.fullProve` in this process, timed around the call. */
const fullProve = (input: Parameters<typeof snarkjs.groth16.fullProve>[0], wasm: Buffer, zkey: Buffer) => async () => {
    const start = performance.now()
    const result = await snarkjs.groth16.fullProve(input, wasm, zkey)
    return { ...result, ms: performance.now() - start }
}

async function main(): Promise<void> {
    const loadBefore = loadavg()[0]!
    if (await buildSemaphore()) console.log("semaphore: built")
    const wasm = readFileSync(A.wasm)
    const zkey = readFileSync(A.zkey)
    const vkey = JSON.parse(readFileSync(A.vkey, "utf8"))
    const info = (await snarkjs.r1cs.info(A.r1cs, undefined)) as R1csInfo
    const input = buildCreditProofInput(proverWorld().request)

    // one warm-up: the first run pays for curve and worker start-up
    const warm = { type: "mem" } as unknown as Uint8Array
    await snarkjs.wtns.calculate(input, wasm, warm)
    await snarkjs.groth16.prove(zkey, warm)

    const witnessTimes = await timeRuns(RUNS, () => snarkjs.wtns.calculate(input, wasm, { type: "mem" } as unknown as Uint8Array))
    let last: Groth16Result | undefined
    const proveFromWitnessTimes = await timeRuns(RUNS, async () => {
        last = await snarkjs.groth16.prove(zkey, warm)
    })
    const { proof, publicSignals } = last!
    const verifyTimes = await timeRuns(RUNS, () => snarkjs.groth16.verify(vkey, publicSignals, proof))

    // the credit proof and Semaphore, alternately: both see the same machine load
    const semaphore = semaphoreBenchCase()
    const semaphoreVkey = JSON.parse(readFileSync(S.vkey, "utf8"))
    const semaphoreInfo = (await snarkjs.r1cs.info(S.r1cs, undefined)) as R1csInfo
    const semaphoreWasm = readFileSync(S.wasm)
    const semaphoreZkey = readFileSync(S.zkey)
    const credit: Contender = { name: "credit-proof", prove: fullProve(input, wasm, zkey), check: verifiesAgainst(vkey, "credit") }
    const reference: Contender = { name: "semaphore", prove: fullProve(semaphore.input, semaphoreWasm, semaphoreZkey), check: semaphoreCheck(semaphore, semaphoreVkey) }
    const [fullProveTimes, semaphoreTimes] = await alternate(RUNS, credit, reference)
    const proveMsMedian = median(fullProveTimes)
    const semaphoreProveMsMedian = median(semaphoreTimes)

    // warm: each side's witness generator compiled once, then witness + proof per run
    const warmProve = async (wasmBytes: Buffer, zkeyBytes: Buffer, circuitInput: object) => {
        const calculator = await WitnessCalculatorBuilder(wasmBytes)
        return async () => {
            const start = performance.now()
            const result = await snarkjs.groth16.prove(zkeyBytes, await calculator.calculateWTNSBin(circuitInput as Record<string, unknown>))
            return { ...result, ms: performance.now() - start }
        }
    }
    const [warmCreditTimes, warmSemaphoreTimes] = await alternate(
        RUNS,
        { ...credit, prove: await warmProve(wasm, zkey, input) },
        { ...reference, prove: await warmProve(semaphoreWasm, semaphoreZkey, semaphore.input) }
    )

    // the same, with the prover `CreditProver` uses (proveGroth16, each key read once) on both sides
    const curve = await snarkjs.curves.getCurveFromName("bn128")
    const ownProve = async (wasmBytes: Buffer, zkeyBytes: Buffer, circuitInput: object) => {
        const calculator = await WitnessCalculatorBuilder(wasmBytes)
        const key = readProvingKey(curve, new Uint8Array(zkeyBytes))
        return async () => {
            const start = performance.now()
            const result = await proveGroth16(curve, key, await calculator.calculateWTNSBin(circuitInput as Record<string, unknown>))
            return { ...result, ms: performance.now() - start }
        }
    }
    const [ownCreditTimes, ownSemaphoreTimes] = await alternate(
        RUNS,
        { ...credit, prove: await ownProve(wasm, zkey, input) },
        { ...reference, prove: await ownProve(semaphoreWasm, semaphoreZkey, semaphore.input) }
    )

    // the prover the app worker, the CLI and the load test keep: end to end, with its parts
    const prover = new CreditProver({ wasm: A.wasm, zkey: A.zkey })
    await prover.prove(proverWorld().request)
    const warmUp = prover.warmUpTimings!
    const proverRuns: ProofTimings[] = []
    for (let i = 0; i < RUNS; i++) {
        await prover.prove(proverWorld().request)
        proverRuns.push(prover.lastProofTimings!)
    }
    const part = (key: keyof ProofTimings) => Math.round(median(proverRuns.map((t) => t[key])) * 10) / 10

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

    // after the timings: compiling the parts would load the machine under them
    const budget = await constraintBudget(info.nConstraints)

    const version = (pkg: string) => (JSON.parse(readFileSync(`${ROOT}node_modules/${pkg}/package.json`, "utf8")) as { version: string }).version
    const result = {
        circuit: "credit-proof",
        constraints: info.nConstraints,
        domainLog2: domainLog2(info),
        constraintBudget: budget,
        runs: RUNS,
        witnessMsMedian: median(witnessTimes),
        proveMsMedian,
        semaphoreProveMsMedian,
        ratioToSemaphore: Math.round((proveMsMedian / semaphoreProveMsMedian) * 100) / 100,
        compared: `groth16.fullProve (witness + proof, artifacts in memory) of the credit proof and of Semaphore v4 at depth ${SEMAPHORE_DEPTH}, alternately in one process after a warm-up of each; medians of ${RUNS} each`,
        fullProveMsMedian: proveMsMedian,
        warm: {
            proveMsMedian: median(warmCreditTimes),
            semaphoreProveMsMedian: median(warmSemaphoreTimes),
            ratioToSemaphore: Math.round((median(warmCreditTimes) / median(warmSemaphoreTimes)) * 100) / 100,
            compared: "witness (generator compiled once) + groth16.prove, alternately, both circuits the same way"
        },
        proveGroth16: {
            proveMsMedian: median(ownCreditTimes),
            semaphoreProveMsMedian: median(ownSemaphoreTimes),
            ratioToSemaphore: Math.round((median(ownCreditTimes) / median(ownSemaphoreTimes)) * 100) / 100,
            compared: "witness (generator compiled once) + proveGroth16 over a proving key read once (prover/src/groth16, what CreditProver runs), alternately, both circuits the same way"
        },
        creditProver: {
            totalMsMedian: part("totalMs"),
            breakdownMsMedian: { inputs: part("inputsMs"), witness: part("witnessMs"), prove: part("proveMs"), selfCheck: part("selfCheckMs") },
            warmUpMs: Object.fromEntries(Object.entries(warmUp).map(([k, v]) => [k, Math.round(v * 10) / 10])),
            measured: "CreditProver.prove after one warm-up proof: input checks (attestation signature, Merkle path), witness, proof, self-check (public signals and a verification under the pinned key); warmUpMs once per prover"
        },
        proveFromWitnessMsMedian: median(proveFromWitnessTimes),
        verifyMsMedian: median(verifyTimes),
        wasmBytes: wasm.length,
        zkeyBytes: zkey.length,
        wasmBrotliBytes: brotli(wasm),
        zkeyBrotliBytes: brotli(zkey),
        verificationKey: vkeyPath.replace(ROOT, ""),
        proof: proofPath.replace(ROOT, ""),
        publicSignals: publicPath.replace(ROOT, ""),
        semaphore: {
            circuit: `Semaphore(${SEMAPHORE_DEPTH}) from @semaphore-protocol/circuits ${version("@semaphore-protocol/circuits")}, circom2 --O2, development setup (INSECURE)`,
            constraints: semaphoreInfo.nConstraints,
            domainLog2: domainLog2(semaphoreInfo),
            groupSize: semaphore.groupSize,
            merkleProofLength: semaphore.input.merkleProofLength,
            wasmBytes: semaphoreWasm.length,
            zkeyBytes: semaphoreZkey.length,
            verified: "every proof against the Semaphore verification key, public signals equal to the group's root, the nullifier, the message and the scope"
        },
        samples: { witnessMs: witnessTimes, proveFromWitnessMs: proveFromWitnessTimes, fullProveMs: fullProveTimes, semaphoreFullProveMs: semaphoreTimes, warmProveMs: warmCreditTimes, semaphoreWarmProveMs: warmSemaphoreTimes, proveGroth16Ms: ownCreditTimes, semaphoreProveGroth16Ms: ownSemaphoreTimes, verifyMs: verifyTimes, creditProverMs: proverRuns.map((t) => Math.round(t.totalMs * 10) / 10) },
        machine: machine(),
        loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
        measuredAt: new Date().toISOString()
    }
    printTable(`credit-proof prover (Node, median of ${RUNS})`, [
        ["constraints (domain)", `${result.constraints.toLocaleString("en-US")} (2^${result.domainLog2})`],
        ["witness ms", result.witnessMsMedian],
        ["prove ms (from witness)", result.proveFromWitnessMsMedian],
        ["verify ms", result.verifyMsMedian],
        ["wasm bytes (brotli)", `${result.wasmBytes.toLocaleString("en-US")} (${result.wasmBrotliBytes.toLocaleString("en-US")})`],
        ["zkey bytes (brotli)", `${result.zkeyBytes.toLocaleString("en-US")} (${result.zkeyBrotliBytes.toLocaleString("en-US")})`]
    ])
    printTable("credit-proof constraints by part (each template compiled alone, O2)", [
        ...budget.parts.map((p): [string, string] => [p.part, p.constraints.toLocaleString("en-US")]),
        ["sum of the parts / whole circuit", `${budget.sum.toLocaleString("en-US")} / ${budget.total.toLocaleString("en-US")}`]
    ])
    printTable(`credit proof vs Semaphore v4 depth ${SEMAPHORE_DEPTH} (fullProve, alternating, median of ${RUNS} each)`, [
        ["credit proof ms (proveMsMedian)", result.proveMsMedian],
        [`Semaphore ms (${result.semaphore.constraints.toLocaleString("en-US")} constraints, 2^${result.semaphore.domainLog2})`, result.semaphoreProveMsMedian],
        ["ratioToSemaphore", result.ratioToSemaphore],
        ["warm (witness generator kept): credit / Semaphore ms, ratio", `${result.warm.proveMsMedian} / ${result.warm.semaphoreProveMsMedian}, ${result.warm.ratioToSemaphore}`],
        ["proveGroth16, key read once: credit / Semaphore ms, ratio", `${result.proveGroth16.proveMsMedian} / ${result.proveGroth16.semaphoreProveMsMedian}, ${result.proveGroth16.ratioToSemaphore}`],
        ["CreditProver.prove ms (inputs / witness / prove / self-check)", `${result.creditProver.totalMsMedian} (${Object.values(result.creditProver.breakdownMsMedian).join(" / ")})`],
        ["load average (1 min) before / after", `${result.loadAverage1m.before} / ${result.loadAverage1m.after}`]
    ])
    writeResult(`${RESULTS_DIR}/prover.json`, result)
    console.log(`check: npx snarkjs groth16 verify ${result.verificationKey} ${result.publicSignals} ${result.proof}`)
}

try {
    await main()
} finally {
    await releaseSnarkCurve()
}
