/**
 * Parameters of the deterministic, INSECURE development trusted setup. Every value here is
 * public, so anyone can recompute the toxic waste: development and tests only.
 */
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** The development powers-of-tau (phase 1), prepared for phase 2. */
export const DEV_PTAU = {
    power: 14,
    path: `${root}circuits/ptau/dev-14.ptau`,
    beaconName: "zkcredit development phase 1 beacon (INSECURE)",
    /** sha256("zkcredit development beacon, insecure, do not use for real funds") */
    beaconHash: "9f902a2d0c7954fa36df176dfbdf5e099bdc9d71bbb58d896d4298fd8457c8db",
    beaconIterationsExp: 10,
    sha256: "451e351c5a3f6ae52bded98a7da7a2f5cd29afca2f25a2a1558fcb639b956e2c"
} as const

/** The development phase-2 beacon applied to every circuit's zkey. */
export const DEV_PHASE2_BEACON = {
    name: "zkcredit development phase 2 beacon (INSECURE)",
    /** sha256("zkcredit development phase 2 beacon, insecure, do not use for real funds") */
    hash: "315f868d3e5cbc1ce204dd7c37f0f3f2564b8f1585dfcc6ffdf3c60d9bdf88d5",
    iterationsExp: 10
} as const
