/**
 * The credit proof's constraint budget by part: each template its main instantiates, compiled
 * alone with the circuit's parameters from circuits/circuits.json (circom2 --O2, as circomkit
 * builds the circuit), beside the whole circuit's count. bench/prover.ts prints it and writes it
 * to bench/results/prover.json (`constraintBudget`); README Specs shows it.
 */
import { execFile } from "node:child_process"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { promisify } from "node:util"
import circuits from "../../circuits/circuits.json" with { type: "json" }
import { ROOT } from "./report.ts"

/** One part of the circuit: a template of circuits/src/lib as the main instantiates it. */
export interface BudgetPart {
    part: string
    /** The instantiation, with the circuit's parameters. */
    template: string
    constraints: number
}

const [depth, scoreBits, timeBits, attestationDomain, escrowDomain, messageBits, arity, challengeBits] = circuits["credit-proof"].params

/** The main's parts, in its order (circuits/src/credit-proof.circom). */
const PARTS: { part: string; file: string; template: string }[] = [
    { part: "identity commitment", file: "identity", template: "IdentityCommitment()" },
    { part: `signature (claims packed, curve checks, key hash, Schnorr with a ${challengeBits}-bit challenge)`, file: "attestation", template: `AttestationCheck(${attestationDomain}, ${timeBits}, ${challengeBits})` },
    { part: "KYC tree path", file: "merkle-inclusion", template: `MerkleInclusion(${depth}, ${arity})` },
    { part: "score >= threshold", file: "range", template: `AssertGreaterEq(${scoreBits})` },
    { part: "issuedAt <= currentTime < expiresAt", file: "range", template: `AssertInWindow(${timeBits})` },
    { part: "nullifier", file: "identity", template: "Nullifier()" },
    { part: "message range check", file: "range", template: `RangeCheck(${messageBits})` },
    { part: "identity escrow", file: "escrow", template: `IdentityEscrow(${escrowDomain})` }
]

const run = promisify(execFile)

async function constraintsOf(dir: string, name: string, source: string): Promise<number> {
    const main = `${dir}/${name}.circom`
    await writeFile(main, source)
    const includes = [`${ROOT}node_modules/circomlib/circuits`, `${ROOT}circuits/src`].flatMap((d) => ["-l", d])
    const { stdout } = await run(process.execPath, ["--no-concurrent-sparkplug", `${ROOT}node_modules/circom2/cli.js`, "--r1cs", "--O2", "-p", "bn128", ...includes, "-o", dir, main], { cwd: ROOT })
    const match = /non-linear constraints: (\d+)/.exec(stdout)
    if (!match) throw new Error(`circom2 printed no constraint count for ${name}:\n${stdout}`)
    return Number(match[1])
}

/**
 * Compiles each part alone (a few seconds each) and returns their constraint counts.
 * @param total The whole circuit's constraint count, to compare the sum with.
 */
export async function constraintBudget(total: number): Promise<{ parts: BudgetPart[]; sum: number; total: number }> {
    const dir = `${ROOT}bench/build/constraint-budget`
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    const parts: BudgetPart[] = []
    for (const [i, p] of PARTS.entries()) {
        const source = `pragma circom 2.1.5;\n\ninclude "lib/${p.file}.circom";\n\ncomponent main = ${p.template};\n`
        parts.push({ part: p.part, template: p.template, constraints: await constraintsOf(dir, `part${i}`, source) })
    }
    return { parts, sum: parts.reduce((s, p) => s + p.constraints, 0), total }
}
