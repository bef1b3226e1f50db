/**
 * Escrow committee benchmark: the whole dealerless key generation (3 authorities, t = 2, every
 * round through JSON), one authority's partial decryption with its Chaum-Pedersen proof, the
 * combination of 2 partials (both proofs verified), and the gas of an opening request and of
 * publishing a share on the in-process Hardhat chain. Times are medians; gas is deterministic.
 * Prints a table and writes bench/results/escrow.json.
 *
 * Usage: npx node bench/escrow.ts   (or npm run bench -- --only escrow)
 */
import hre, { network } from "hardhat"
import { combinePartialDecryptions, encryptCommitment, partialDecrypt, requirePoint } from "../prover/src/escrow/index.ts"
import { deployEscrowOpenings, ESCROW_GAS_CEILINGS, partialCalldata, runCommittee } from "../test/helpers/committee.ts"
import { as } from "../test/helpers/contracts.ts"
import { machine, median, printTable, RESULTS_DIR, timeRuns, writeResult } from "./lib/report.ts"

const RUNS = { dkg: 7, partial: 21, combine: 21 }

async function main(): Promise<void> {
    const dkgTimes = await timeRuns(RUNS.dkg, async () => runCommittee())
    const committee = runCommittee()
    const { escrow } = encryptCommitment(0xc0ffeen, requirePoint(committee.committeeKey.publicKey, "publicKey"))
    const escrowJson = { ephemeralKeyY: escrow.ephemeralKeyY.toString(), ciphertext: escrow.ciphertext.toString() }
    const partialTimes = await timeRuns(RUNS.partial, async () => partialDecrypt(escrowJson, committee.shares[0], 0n))
    const partials = committee.shares.slice(0, 2).map((share) => partialDecrypt(escrowJson, share, 0n))
    const combineTimes = await timeRuns(RUNS.combine, async () => {
        if (combinePartialDecryptions(escrowJson, partials, committee.committeeKey, 0n).commitment !== 0xc0ffeen) throw new Error("the combination did not open the escrow")
    })

    await hre.tasks.getTask("build").run({ quiet: true })
    const connection = await network.create()
    const f = await deployEscrowOpenings(connection)
    const request = await (await f.requester.requestOpening(0n, f.nullifiers[0], f.key[1], f.escrow.ephemeralKeyY, f.escrow.ciphertext)).wait()
    const share = await (await as(f.openings, f.authorities[0]!).publishPartialDecryption(0n, ...partialCalldata(f, 0))).wait()
    const quorum = await (await as(f.openings, f.authorities[1]!).publishPartialDecryption(0n, ...partialCalldata(f, 1))).wait()
    const gas = { openRequestGas: Number(request!.gasUsed), publishShareGas: Number(share!.gasUsed), publishQuorumShareGas: Number(quorum!.gasUsed) }
    if (gas.openRequestGas > ESCROW_GAS_CEILINGS.openRequest) throw new Error(`requestOpening used ${gas.openRequestGas} gas, above ${ESCROW_GAS_CEILINGS.openRequest}`)
    if (gas.publishQuorumShareGas > ESCROW_GAS_CEILINGS.publishShare) throw new Error(`publishPartialDecryption used ${gas.publishQuorumShareGas} gas, above ${ESCROW_GAS_CEILINGS.publishShare}`)

    const result = {
        dkgMs: median(dkgTimes),
        partialDecryptMs: median(partialTimes),
        combineMs: median(combineTimes),
        ...gas,
        runs: { dkgMs: dkgTimes, partialDecryptMs: partialTimes, combineMs: combineTimes },
        ceilings: ESCROW_GAS_CEILINGS,
        notes: {
            dkgMs: "3 authorities, t = 2: authority keys, roster, 3 dealings, 3 verifications, 3 finalizations, every file through JSON, in one process (each authority runs its own part in practice)",
            partialDecryptMs: "one authority: R from R.y with the subgroup check, s_i·R and the Chaum-Pedersen proof",
            combineMs: "2 partials: both proofs verified against the public shares, Lagrange in the exponent, the mask, the commitment",
            openRequestGas: "EscrowOpenings.requestOpening for a defaulted loan (the market's loan read, the registry's window check)",
            publishShareGas: "the first partial decryption of a loan; publishQuorumShareGas: the t-th, which also emits OpeningQuorumReached"
        },
        machine: machine(),
        measuredAt: new Date().toISOString()
    }
    printTable("escrow committee (medians; gas deterministic)", [
        ["dkgMs", result.dkgMs],
        ["partialDecryptMs", result.partialDecryptMs],
        ["combineMs", result.combineMs],
        ["openRequestGas", result.openRequestGas],
        ["publishShareGas", result.publishShareGas],
        ["publishQuorumShareGas", result.publishQuorumShareGas]
    ])
    writeResult(`${RESULTS_DIR}/escrow.json`, result)
    await connection.close()
}

await main()
