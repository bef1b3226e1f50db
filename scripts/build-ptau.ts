/**
 * Regenerates the development powers-of-tau file `circuits/ptau/dev-14.ptau` and checks its hash.
 *
 * INSECURE: every step is a public, deterministic beacon, so anyone can recompute the toxic
 * waste. That is the point for development (byte-identical builds everywhere) and the reason it
 * must never secure real funds. Production uses a public ceremony's ptau (see README).
 *
 * The preparation step takes about 5-6 minutes on two cores, which is why the result is
 * committed and a fresh clone never runs this script.
 *
 * Usage: node scripts/build-ptau.ts [--check]   (--check: rebuild to a temp dir and compare)
 */
import { createHash } from "node:crypto"
import { mkdtemp, readFile, rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as snarkjs from "snarkjs"
import { DEV_PTAU } from "./lib/dev-setup.ts"

const logger = {
    debug: () => {},
    info: (msg: string) => console.log(`  ${msg}`),
    warn: (msg: string) => console.warn(`  ${msg}`),
    error: (msg: string) => console.error(`  ${msg}`)
}

async function sha256File(path: string): Promise<string> {
    return createHash("sha256").update(await readFile(path)).digest("hex")
}

async function main(): Promise<void> {
    const checkOnly = process.argv.includes("--check")
    const work = await mkdtemp(join(tmpdir(), "zkcredit-ptau-"))
    try {
        const curve = await snarkjs.curves.getCurveFromName("bn128")
        const p0 = join(work, "0.ptau")
        const p1 = join(work, "1.ptau")
        const p2 = join(work, "final.ptau")
        console.log(`[1/3] new accumulator 2^${DEV_PTAU.power}`)
        await snarkjs.powersOfTau.newAccumulator(curve, DEV_PTAU.power, p0, logger)
        console.log("[2/3] beacon (deterministic, INSECURE)")
        await snarkjs.powersOfTau.beacon(p0, p1, DEV_PTAU.beaconName, DEV_PTAU.beaconHash, DEV_PTAU.beaconIterationsExp, logger)
        console.log("[3/3] prepare phase 2 (about 5-6 minutes)")
        await snarkjs.powersOfTau.preparePhase2(p1, p2, logger)
        await curve.terminate()
        const hash = await sha256File(p2)
        console.log(`sha256 ${hash}`)
        if (hash !== DEV_PTAU.sha256 && !process.argv.includes("--accept-new-hash")) {
            console.error(`expected ${DEV_PTAU.sha256}: the development ptau is not reproducible`)
            process.exitCode = 1
            return
        }
        if (!checkOnly) await rename(p2, DEV_PTAU.path)
        console.log(checkOnly ? "reproduced: hash matches" : `wrote ${DEV_PTAU.path}`)
    } finally {
        await rm(work, { recursive: true, force: true })
    }
}

await main()
