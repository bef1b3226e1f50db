/**
 * Semaphore v4 as the benchmark's reference circuit: its circuit from the npm package
 * `@semaphore-protocol/circuits` at depth 20, compiled with circom2 at --O2 and set up with the
 * project's deterministic development setup (INSECURE, bench only), and a valid input from
 * `@semaphore-protocol/identity` and `@semaphore-protocol/group` built the way Semaphore's own
 * prover (`@semaphore-protocol/proof`) builds it.
 *
 * The build lands in bench/build/semaphore (git-ignored) and is redone only when what it is made
 * from changes: the circom sources, the package and tool versions, the setup parameters.
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { promisify } from "node:util"
import { Group } from "@semaphore-protocol/group"
import { Identity } from "@semaphore-protocol/identity"
import { keccak256, toBeHex } from "ethers"
import { poseidon2 } from "poseidon-lite/poseidon2"
import * as snarkjs from "snarkjs"
import { sha256 } from "../../scripts/lib/circuit-fingerprint.ts"
import { DEV_PHASE2_BEACON, DEV_PTAU } from "../../scripts/lib/dev-setup.ts"
import { type Contender, verifiesAgainst } from "./alternate.ts"
import { ROOT } from "./report.ts"

/** Depth of the Semaphore tree compared with the credit proof's depth-20 KYC tree. */
export const SEMAPHORE_DEPTH = 20

/** Bump when a change here alters the bytes of an artifact, so the build redoes. */
const RECIPE_VERSION = 1
const SOURCES = `${ROOT}node_modules/@semaphore-protocol/circuits/src`
const INCLUDES = [SOURCES, `${ROOT}node_modules/circomlib/circuits`, `${ROOT}node_modules/@zk-kit/binary-merkle-root.circom/src`]
/** The packages whose files or behaviour shape the artifacts. */
const PACKAGES = ["@semaphore-protocol/circuits", "@zk-kit/binary-merkle-root.circom", "circomlib", "circom2", "snarkjs"]
/** Semaphore's own main: `message` and `scope` public, outputs `merkleRoot` and `nullifier`. */
const MAIN = `pragma circom 2.1.5;\n\ninclude "semaphore.circom";\n\ncomponent main {public [message, scope]} = Semaphore(${SEMAPHORE_DEPTH});\n`
const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error }

const build = `${ROOT}bench/build/semaphore`

/** Paths of the Semaphore reference artifacts (git-ignored bench artifacts). INSECURE setup. */
export const SEMAPHORE_ARTIFACTS = {
    dir: build,
    /** The main component (not named semaphore.circom: it would include itself). */
    main: `${build}/main.circom`,
    r1cs: `${build}/main.r1cs`,
    wasm: `${build}/main_js/main.wasm`,
    zkey: `${build}/semaphore.zkey`,
    vkey: `${build}/verification_key.json`,
    fingerprint: `${build}/fingerprint`
} as const

/** Fingerprint of everything the artifacts are made from. */
async function fingerprint(): Promise<string> {
    const parts = [`recipe ${RECIPE_VERSION}`, MAIN, JSON.stringify({ DEV_PTAU, DEV_PHASE2_BEACON })]
    for (const file of [`${SOURCES}/semaphore.circom`, `${INCLUDES[2]}/binary-merkle-root.circom`]) parts.push(await readFile(file, "utf8"))
    for (const pkg of PACKAGES) parts.push(`${pkg}@${(JSON.parse(await readFile(`${ROOT}node_modules/${pkg}/package.json`, "utf8")) as { version: string }).version}`)
    return sha256(parts.join("\n"))
}

/**
 * Builds the Semaphore reference circuit and its development setup unless an up-to-date build
 * is there. Returns whether it built.
 */
export async function buildSemaphore(log: (line: string) => void = console.log): Promise<boolean> {
    const A = SEMAPHORE_ARTIFACTS
    const print = await fingerprint()
    const outputs = [A.r1cs, A.wasm, A.zkey, A.vkey]
    if (existsSync(A.fingerprint) && (await readFile(A.fingerprint, "utf8")).trim() === print && outputs.every(existsSync)) return false

    const ptauHash = sha256(await readFile(DEV_PTAU.path))
    if (ptauHash !== DEV_PTAU.sha256) throw new Error(`${DEV_PTAU.path} has sha256 ${ptauHash}, expected ${DEV_PTAU.sha256}: restore it from git`)
    await rm(A.dir, { recursive: true, force: true })
    await mkdir(A.dir, { recursive: true })
    await writeFile(A.main, MAIN)
    log(`semaphore: compiling Semaphore(${SEMAPHORE_DEPTH}) from @semaphore-protocol/circuits with circom2 --O2`)
    // the same compiler and flags as circomkit.json's circomPath (sparkplug off: circom2's WASM)
    const includes = INCLUDES.flatMap((dir) => ["-l", dir])
    await promisify(execFile)(process.execPath, ["--no-concurrent-sparkplug", `${ROOT}node_modules/circom2/cli.js`, "--r1cs", "--wasm", "--O2", "-p", "bn128", ...includes, "-o", A.dir, A.main], { cwd: ROOT })

    log("semaphore: groth16 setup from the development ptau, phase-2 beacon (deterministic, INSECURE)")
    const zkey0 = `${A.dir}/semaphore_0000.zkey`
    await snarkjs.zKey.newZKey(A.r1cs, DEV_PTAU.path, zkey0, quiet)
    await snarkjs.zKey.beacon(zkey0, A.zkey, DEV_PHASE2_BEACON.name, DEV_PHASE2_BEACON.hash, DEV_PHASE2_BEACON.iterationsExp, quiet)
    await rm(zkey0)
    await writeFile(A.vkey, `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(A.zkey, quiet), null, 1)}\n`)
    await writeFile(A.fingerprint, `${print}\n`)
    return true
}

/** Semaphore's hash of a scope or message: keccak256 of the 32-byte value, shifted into the field. */
export function semaphoreHash(value: bigint): bigint {
    return BigInt(keccak256(toBeHex(value, 32))) >> 8n
}

/** A Semaphore circuit input, and what its proof's public signals must be. */
export interface SemaphoreCase {
    input: { secret: bigint; merkleProofLength: number; merkleProofIndex: number; merkleProofSiblings: bigint[]; scope: bigint; message: bigint }
    /** Public signals in circuit order: merkleRoot, nullifier (outputs), message, scope. */
    expectedPublicSignals: string[]
    groupSize: number
}

/**
 * The circuit input for `identity`'s membership in `group`, as `@semaphore-protocol/proof`
 * builds it: the secret scalar, the lean-IMT proof with its siblings padded with 0 to the depth,
 * and the scope and message hashed.
 */
export function semaphoreInput(identity: Identity, group: Group, scope: bigint, message: bigint): SemaphoreCase {
    const index = group.indexOf(identity.commitment)
    if (index < 0) throw new Error("semaphoreInput: identity is not a member of group")
    if (group.depth > SEMAPHORE_DEPTH) throw new Error(`semaphoreInput: group has depth ${group.depth}, the circuit at most ${SEMAPHORE_DEPTH}`)
    const proof = group.generateMerkleProof(index)
    const siblings = [...proof.siblings, ...Array<bigint>(SEMAPHORE_DEPTH - proof.siblings.length).fill(0n)]
    const input = { secret: identity.secretScalar, merkleProofLength: proof.siblings.length, merkleProofIndex: proof.index, merkleProofSiblings: siblings, scope: semaphoreHash(scope), message: semaphoreHash(message) }
    return { input, expectedPublicSignals: [group.root, semaphoreNullifier(identity, input.scope), input.message, input.scope].map(String), groupSize: group.size }
}

/**
 * The check of every Semaphore proof the bench makes: it verifies against the Semaphore
 * verification key and its public signals are the group's root, the nullifier, the message and
 * the scope of `reference`.
 */
export function semaphoreCheck(reference: SemaphoreCase, vkey: unknown): Contender["check"] {
    const verifies = verifiesAgainst(vkey, "Semaphore")
    return async (result) => {
        await verifies(result)
        const got = result.publicSignals.join(", ")
        if (got !== reference.expectedPublicSignals.join(", ")) throw new Error(`a Semaphore proof has public signals ${got}, expected ${reference.expectedPublicSignals.join(", ")} (root, nullifier, message, scope)`)
    }
}

/** The nullifier Semaphore's circuit outputs: Poseidon(scope, secret). */
function semaphoreNullifier(identity: Identity, hashedScope: bigint): bigint {
    return poseidon2([hashedScope, identity.secretScalar])
}

/**
 * The reference case: a group shaped like the credit proof's bench world (members 11, 22, the
 * prover and one other identity), scope and message fixed.
 */
export function semaphoreBenchCase(): SemaphoreCase {
    const identity = new Identity("zkcredit semaphore bench member")
    const group = new Group([11n, 22n, identity.commitment, new Identity("zkcredit semaphore bench other").commitment])
    return semaphoreInput(identity, group, 31337n, 42n)
}
