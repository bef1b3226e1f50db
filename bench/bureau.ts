/**
 * `npm run bench -- --only bureau`: the bureau's figures, written to bench/results/bureau.json.
 * - historyProofConstraints (the manifest) and historyProofMsMedian (Node, full prove);
 * - attestationMsMedian: one `POST /v1/attestations` end to end over HTTP on loopback, with the
 *   binding check, the history proof's verification, the challenge's use and the records read
 *   from the embedded database (the proof is made beforehand: that is the applicant's time);
 * - attestationsPerSecond: 50 concurrent clients against the running service, each with its own
 *   person and proofs made beforehand, counting errors (there must be none).
 * The officer is a local wallet, no chain is read and the bureau's clock is frozen so the proofs
 * made beforehand keep their challenges (the test harness, test/bureau/harness.ts).
 */
import { readFileSync } from "node:fs"
import { ARTIFACTS_MANIFEST } from "../circuits/artifacts.ts"
import type { KycBinding } from "../bureau/src/binding.ts"
import { generateHistoryProof, type HistoryProof } from "../prover/src/history-proof.ts"
import { Identity } from "../prover/src/identity.ts"
import { releaseSnarkCurve } from "../scripts/lib/snark-curve.ts"
import { asApplicant, HISTORY_ARTIFACTS, post, provenRequest } from "../test/bureau/applicant-client.ts"
import { startTestBureau } from "../test/bureau/harness.ts"
import { BUREAU_PRIVATE_KEY } from "../test/helpers/fixtures.ts"
import { machine, median, printTable, RESULTS_DIR, timeRuns, writeResult } from "./lib/report.ts"

const PROOF_RUNS = 5
const LATENCY_RUNS = 10
const CLIENTS = 50
const REQUESTS_PER_CLIENT = 2

async function main(): Promise<void> {
    const manifest = JSON.parse(readFileSync(ARTIFACTS_MANIFEST, "utf8")) as { circuits: Record<string, { constraints: number }> }
    const identity = new Identity()
    console.log(`bureau: ${PROOF_RUNS} history proofs`)
    const proveTimes = await timeRuns(PROOF_RUNS, () => generateHistoryProof({ identity, scopes: [1n, 2n], challenge: 42n }, HISTORY_ARTIFACTS))

    // a frozen clock: the proofs are all made before the requests, and on a busy machine that takes longer than a challenge lives
    const frozen = Math.floor(Date.now() / 1000)
    const bureau = await startTestBureau({ privateKey: BUREAU_PRIVATE_KEY, validitySeconds: 30 * 86_400, now: () => frozen, logger: () => {} })
    try {
        const binding = await bureau.enrol(identity)
        const proofs: HistoryProof[] = []
        for (let i = 0; i < LATENCY_RUNS + 1; i++) proofs.push(await provenRequest(bureau.url, identity))
        // one warm-up request, then the measured ones
        await asApplicant(bureau.url, "/v1/attestations", binding, proofs.pop()!)
        const latencies: number[] = []
        for (const proof of proofs) {
            const started = performance.now()
            const answer = await asApplicant(bureau.url, "/v1/attestations", binding, proof)
            latencies.push(performance.now() - started)
            if (answer.status !== 200) throw new Error(`attestation answered ${answer.status}: ${JSON.stringify(answer.body)}`)
        }

        console.log(`bureau: ${CLIENTS} clients, ${REQUESTS_PER_CLIENT} proofs each, made beforehand`)
        // 50 clients, each a person of its own with proofs made beforehand
        const clients: { binding: KycBinding; proofs: HistoryProof[] }[] = []
        for (let c = 0; c < CLIENTS; c++) {
            const person = new Identity()
            const bound = await bureau.enrol(person, `4401019900${String(c).padStart(8, "0")}`)
            const own: HistoryProof[] = []
            for (let r = 0; r < REQUESTS_PER_CLIENT; r++) own.push(await provenRequest(bureau.url, person))
            clients.push({ binding: bound, proofs: own })
        }
        let errors = 0
        const started = performance.now()
        await Promise.all(
            clients.map(async (client) => {
                for (const proof of client.proofs) {
                    const answer = await post(`${bureau.url}/v1/attestations`, { binding: client.binding, proof }).catch(() => ({ status: 0 }))
                    if (answer.status !== 200) errors++
                }
            })
        )
        const seconds = (performance.now() - started) / 1000
        const total = CLIENTS * REQUESTS_PER_CLIENT
        const result = {
            historyProofConstraints: manifest.circuits["history-proof"]?.constraints,
            historyProofMsMedian: Math.round(median(proveTimes)),
            attestationMsMedian: Math.round(median(latencies) * 10) / 10,
            attestationsPerSecond: Math.round((total / seconds) * 10) / 10,
            concurrentClients: CLIENTS,
            requests: total,
            errors,
            database: "embedded (PGlite, in memory)",
            samples: { historyProofMs: proveTimes.map(Math.round), attestationMs: latencies.map((v) => Math.round(v * 10) / 10) },
            machine: machine(),
            measuredAt: new Date().toISOString()
        }
        printTable("bureau", [
            ["history proof constraints", String(result.historyProofConstraints)],
            [`history proof ms (Node, median of ${PROOF_RUNS})`, result.historyProofMsMedian],
            [`attestation ms over HTTP (median of ${LATENCY_RUNS})`, result.attestationMsMedian],
            [`attestations/s, ${CLIENTS} concurrent clients`, result.attestationsPerSecond],
            ["errors", errors]
        ])
        writeResult(`${RESULTS_DIR}/bureau.json`, result)
        if (errors > 0) throw new Error(`${errors} of ${total} attestations failed under load`)
    } finally {
        await bureau.close()
    }
}

try {
    await main()
} finally {
    await releaseSnarkCurve()
}
