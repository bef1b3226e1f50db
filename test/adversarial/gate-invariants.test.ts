/**
 * The real gate under random sequences: KYC additions and removals (normal and immediate), root
 * validity changes, root revocations, bureau key revocations, verifier pauses, time, borrows,
 * repayments, defaults, recovery after default and the lender's books attack, all against the real
 * `TrustRegistry` (its KYC and bureau parts), `LoanMarket` and the real `CreditVerifier` checks.
 *
 * Proofs: a MODEL of the Groth16 check, not real proofs (about 1.5 s each would allow a handful
 * of borrows per run). `contracts/test/ModelProofCreditVerifier.sol` is the real `CreditVerifier`
 * with only the pairing check replaced: a model proof is valid iff its first point is
 * `keccak256(abi.encode(publicSignals)) >> 8`, so it binds every public signal as a real one does.
 * The harness makes a valid model proof only when the statement is true off chain (the pseudonym's
 * commitment is a leaf of the real Poseidon tree under the chosen root); a non-member's proof is
 * forged (one off) and must fail. Everything else the verifier checks runs for real: pause, field
 * range, time window, root record (unknown, revoked, older than an immediate removal, expired with
 * the expiry fixed at replacement) and bureau key. Real proofs against the same rules are in
 * test/adversarial/kyc-attacks.test.ts and test/contracts/.
 *
 * After every operation the outcome (success, or the exact custom error) equals the model's, every
 * root's `isRootValid` equals the model's, the market holds exactly the offers' available plus
 * surplus, and a defaulted loan stays defaulted. CI: 80 sequences of up to 25 operations (about
 * 30 s); `ZKCREDIT_FULL=1`: 1,000 (`ZKCREDIT_GATE_RUNS` overrides).
 */
import { AbiCoder, keccak256 } from "ethers"
import fc from "fast-check"
import { network } from "hardhat"
import { describe, expect, it } from "vitest"
import { KycTree, packContext } from "../../prover/src/index.ts"
import { PUBLIC_SIGNALS } from "../../prover/src/constants.ts"
import { encryptCommitment } from "../../prover/src/escrow/index.ts"
import { as, deploy, deployTrustRegistry, PLATFORM_START, registerTestCommittee, TERMS, TIERS, USD, type Deployed, type Signer } from "../helpers/contracts.ts"
import { COMMITTEE_KEY } from "../helpers/fixtures.ts"
import { revertName } from "../helpers/reverts.ts"

const FULL = process.env.ZKCREDIT_FULL === "1"
const RUNS = Number(process.env.ZKCREDIT_GATE_RUNS ?? (FULL ? 1000 : 80))

const { ethers, networkHelpers } = await network.create()
const { loadFixture, time } = networkHelpers

const UINT128_MAX = (1n << 128n) - 1n
const ROOT_VALIDITY = 600n
const MAX_PROOF_AGE = 3600
const PRINCIPAL = 100n * USD
const CAPACITY = 10_000n * USD
/** Pseudonyms: commitment (a KYC leaf) and nullifier, as the circuit would bind them. */
const PEOPLE = [0, 1, 2, 3].map((i) => ({ commitment: 0xc0de00n + BigInt(i), nullifier: 0x5eed00n + BigInt(i) }))
const KEYS = [0xb0001n, 0xb0002n]
const ESCROW = encryptCommitment(0xc0ffeen, COMMITTEE_KEY, { ephemeralSecret: 0xe5c2n }).escrow

type Op =
    | { kind: "add"; who: number }
    | { kind: "remove"; who: number; immediate: boolean }
    | { kind: "setRootValidity"; seconds: number }
    | { kind: "revokeRoot"; back: number }
    | { kind: "revokeKey"; key: number }
    | { kind: "pauseVerifier"; pause: boolean }
    | { kind: "wait"; seconds: number }
    | { kind: "borrow"; who: number; back: number; key: number }
    | { kind: "repay"; loan: number; all: boolean }
    | { kind: "markDefault"; loan: number }
    | { kind: "fillBooks" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("add" as const), who: fc.nat(3) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), who: fc.nat(3), immediate: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("setRootValidity" as const), seconds: fc.constantFrom(0, 60, 600, 3000) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeRoot" as const), back: fc.nat(2) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeKey" as const), key: fc.nat(1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("pauseVerifier" as const), pause: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.oneof(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 40 * 86_400 })) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("borrow" as const), who: fc.nat(3), back: fc.nat(2), key: fc.nat(1) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("repay" as const), loan: fc.nat(5), all: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("markDefault" as const), loan: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fillBooks" as const) }) }
)

/** Runs that always go first: each path the issue names meets a borrow. */
const EXAMPLES: [Op[]][] = [
    [[{ kind: "remove", who: 0, immediate: false }, { kind: "wait", seconds: 700 }, { kind: "setRootValidity", seconds: 3000 }, { kind: "borrow", who: 0, back: 1, key: 0 }, { kind: "borrow", who: 1, back: 0, key: 0 }]],
    [[{ kind: "remove", who: 2, immediate: true }, { kind: "borrow", who: 1, back: 1, key: 0 }, { kind: "borrow", who: 2, back: 0, key: 0 }, { kind: "revokeRoot", back: 0 }, { kind: "borrow", who: 3, back: 0, key: 0 }]],
    [[{ kind: "revokeKey", key: 1 }, { kind: "borrow", who: 0, back: 0, key: 1 }, { kind: "pauseVerifier", pause: true }, { kind: "borrow", who: 0, back: 0, key: 0 }, { kind: "pauseVerifier", pause: false }, { kind: "borrow", who: 0, back: 0, key: 0 }]],
    [[{ kind: "borrow", who: 1, back: 0, key: 0 }, { kind: "fillBooks" }, { kind: "wait", seconds: 70 * 86_400 }, { kind: "markDefault", loan: 0 }, { kind: "repay", loan: 0, all: false }, { kind: "repay", loan: 0, all: true }, { kind: "repay", loan: 0, all: true }, { kind: "borrow", who: 1, back: 0, key: 0 }]]
]

interface RootModel {
    members: Set<number>
    replacedAt: bigint
    expiresAt: bigint
    sequence: number
    revoked: boolean
}

async function deployGate() {
    if ((await time.latest()) < PLATFORM_START) await time.increaseTo(PLATFORM_START)
    const [admin, officer, lender, borrower] = (await ethers.getSigners()) as [Signer, Signer, Signer, Signer]
    // one trust registry: the KYC part (`kyc`) and the bureau part (`bureaus`) are the same contract
    const kyc = await deployTrustRegistry(ethers, admin.address, Number(ROOT_VALIDITY))
    const bureaus = kyc
    await (await kyc.grantRole(await kyc.OFFICER_ROLE(), officer.address)).wait()
    await (await bureaus.addBureau("Acme Credit Bureau")).wait()
    const now = await time.latest()
    for (const [i, hash] of KEYS.entries()) await (await bureaus.addKey(1, 7n + BigInt(i), 9n, hash, now - 86_400, now + 3650 * 86_400)).wait()
    await registerTestCommittee(kyc, admin.address)
    const verifier = await deploy(ethers, "ModelProofCreditVerifier", [admin.address, await kyc.getAddress(), MAX_PROOF_AGE, 300])
    const market = await deploy(ethers, "ExternalVerifierLoanMarket", [admin.address, await verifier.getAddress(), 1])
    const token = await deploy(ethers, "MockERC20", ["Lender Mint", "LMT", 6])
    await (await market.setTokenAllowed(await token.getAddress(), true)).wait()
    for (const account of [lender, borrower]) {
        await (await token.mint(account.address, 1_000_000n * USD)).wait()
        await (await as(token, account).approve(await market.getAddress(), ethers.MaxUint256)).wait()
    }
    await (await as(market, lender).createOffer(await token.getAddress(), CAPACITY, TIERS, TERMS)).wait()
    const group = new KycTree(PEOPLE.map((p) => p.commitment))
    await (await as(kyc, officer).addMembers(PEOPLE.map((p) => p.commitment), group.root)).wait()
    return { admin, officer, lender, borrower, kyc, bureaus, verifier, market, token, root: group.root }
}

/** A model proof: valid iff `honest`; see the file header. */
function modelPoints(signals: bigint[], honest: boolean): bigint[] {
    const digest = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode([`uint256[${PUBLIC_SIGNALS.length}]`], [signals]))) >> 8n
    return [honest ? digest : digest + 1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]
}

const seen = { borrowed: 0, refused: new Map<string, number>(), recovered: 0, surplus: 0 }

async function run(ops: Op[]): Promise<void> {
    const w = await loadFixture(deployGate)
    const officer = as(w.kyc, w.officer)
    const marketAs = (s: Signer): Deployed => as(w.market, s)
    const scope: bigint = await w.market.scope()
    const message: bigint = await w.market.borrowMessage(w.borrower.address, 0n, 0n, PRINCIPAL)
    const leaves = PEOPLE.map((p) => p.commitment)
    const group = new KycTree(leaves)
    const indexOf = PEOPLE.map((_, i) => i)
    const history: bigint[] = [w.root]
    const roots = new Map<bigint, RootModel>([[w.root, { members: new Set([0, 1, 2, 3]), replacedAt: 0n, expiresAt: 0n, sequence: 0, revoked: false }]])
    let sequence = 1
    let validFrom = 0
    let rootValidity = ROOT_VALIDITY
    const keyRevoked = [false, false]
    let verifierPaused = false
    const loans: { who: number; status: bigint }[] = []
    const defaulted = new Set<number>()
    const active = new Set<number>()
    let now = BigInt(await time.latest())

    /** Sends at the next second; returns the revert name, or "" on success. */
    const send = async (tx: () => Promise<{ wait(): Promise<unknown> }>): Promise<string> => {
        now += 1n
        await time.setNextBlockTimestamp(now)
        try {
            await (await tx()).wait()
            return ""
        } catch (error) {
            // the failed call was not mined: its second is free again
            now -= 1n
            return revertName(error)
        }
    }
    const publish = async (change: () => Promise<{ wait(): Promise<unknown> }>, members: Set<number>, immediate: boolean, root: bigint): Promise<string | undefined> => {
        const known = roots.get(root)
        const expected = known?.revoked ? "RootIsRevoked" : ""
        const got = await send(change)
        expect(got).toBe(expected)
        if (got) return got
        const old = roots.get(history[history.length - 1]!)!
        old.replacedAt = now
        old.expiresAt = now + rootValidity
        roots.set(root, { members, replacedAt: 0n, expiresAt: 0n, sequence, revoked: false })
        if (immediate) validFrom = sequence
        sequence++
        history.push(root)
        return undefined
    }
    const valid = (root: bigint, at: bigint): string => {
        const r = roots.get(root)
        if (!r) return "UnknownRoot"
        if (r.revoked) return "RevokedRoot"
        if (r.replacedAt !== 0n && r.sequence < validFrom) return "InvalidatedRoot"
        if (r.replacedAt !== 0n && at >= r.expiresAt) return "ExpiredRoot"
        return ""
    }

    for (const op of ops) {
        switch (op.kind) {
            case "add":
            case "remove": {
                const member = indexOf[op.who]! >= 0
                if ((op.kind === "add") === member) break
                const members = new Set(roots.get(history[history.length - 1]!)!.members)
                let change: () => Promise<{ wait(): Promise<unknown> }>
                if (op.kind === "add") {
                    group.addMember(PEOPLE[op.who]!.commitment)
                    const root = group.root
                    members.add(op.who)
                    change = () => officer.addMembers([PEOPLE[op.who]!.commitment], root)
                    if (await publish(change, members, false, root)) group.removeMember(group.size - 1)
                    else indexOf[op.who] = group.size - 1
                } else {
                    const index = indexOf[op.who]!
                    group.removeMember(index)
                    const root = group.root
                    members.delete(op.who)
                    change = () => (op.immediate ? officer.removeMemberImmediately(index, root) : officer.removeMember(index, root))
                    if (await publish(change, members, op.immediate, root)) group.updateMember(index, PEOPLE[op.who]!.commitment)
                    else indexOf[op.who] = -1
                }
                break
            }
            case "setRootValidity":
                expect(await send(() => w.kyc.setRootValidity(op.seconds))).toBe("")
                rootValidity = BigInt(op.seconds)
                break
            case "revokeRoot": {
                const root = history[Math.max(0, history.length - 1 - op.back)]!
                const r = roots.get(root)!
                expect(await send(() => officer.revokeRoot(root))).toBe(r.revoked ? "RootAlreadyRevoked" : "")
                r.revoked = true
                break
            }
            case "revokeKey":
                expect(await send(() => w.bureaus.revokeKey(KEYS[op.key]!))).toBe(keyRevoked[op.key] ? "KeyAlreadyRevoked" : "")
                keyRevoked[op.key] = true
                break
            case "pauseVerifier": {
                const expected = op.pause === verifierPaused ? (op.pause ? "EnforcedPause" : "ExpectedPause") : ""
                expect(await send(() => (op.pause ? w.verifier.pause() : w.verifier.unpause()))).toBe(expected)
                verifierPaused = op.pause
                break
            }
            case "wait":
                now += BigInt(op.seconds)
                await time.increaseTo(now)
                break
            case "borrow": {
                const root = history[Math.max(0, history.length - 1 - op.back)]!
                const person = PEOPLE[op.who]!
                const at = now + 1n
                // a fixed escrow: the model proof binds it like every signal (the circuit is the escrow's test)
                const context = packContext({ message, threshold: BigInt(TIERS[0]!.minScore), currentTime: at })
                const signals = [person.nullifier, ESCROW.ephemeralKeyY, ESCROW.ciphertext, root, KEYS[op.key]!, context, scope, COMMITTEE_KEY[1]]
                // the prover can only prove a true statement: membership under that root
                const honest = roots.get(root)!.members.has(op.who)
                const proof = { nullifier: person.nullifier, kycRoot: root, bureauKeyHash: KEYS[op.key]!, currentTime: at, committeeKeyY: COMMITTEE_KEY[1], ...ESCROW, points: modelPoints(signals, honest) }
                const expected = defaulted.has(op.who)
                    ? "PseudonymDefaulted"
                    : [...active].some((l) => loans[l]!.who === op.who)
                      ? "TooManyActiveLoans"
                      : verifierPaused
                        ? "VerifierPaused"
                        : valid(root, at) || (keyRevoked[op.key] ? "InactiveBureauKey" : honest ? "" : "InvalidProof")
                const got = await send(() => marketAs(w.borrower).borrow(0n, 0n, PRINCIPAL, proof))
                expect(got, `borrow by ${op.who} on root -${op.back} with key ${op.key}`).toBe(expected)
                if (got === "") {
                    active.add(loans.length)
                    loans.push({ who: op.who, status: 1n })
                    seen.borrowed++
                } else seen.refused.set(got, (seen.refused.get(got) ?? 0) + 1)
                break
            }
            case "repay": {
                if (loans.length === 0) break
                const id = op.loan % loans.length
                const loan = await w.market.loan(id)
                const position = await w.market.loanPosition(id)
                const owed = BigInt(position.totalDue) - BigInt(loan.repaid)
                const expected = loan.status === 2n ? "LoanNotActive" : owed === 0n ? "NothingOwed" : ""
                const got = await send(() => (op.all ? marketAs(w.borrower).repayAll(id) : marketAs(w.borrower).repay(id, owed < USD ? owed || 1n : USD)))
                expect(got, `repay ${id}`).toBe(expected)
                const after = await w.market.loan(id)
                if (loan.status === 3n) {
                    // recovery: the default stays
                    expect(after.status).toBe(3n)
                    if (got === "" && after.repaid === position.totalDue) seen.recovered++
                } else if (got === "" && after.status === 2n) active.delete(id)
                break
            }
            case "markDefault": {
                if (loans.length === 0) break
                const id = op.loan % loans.length
                const loan = await w.market.loan(id)
                const position = await w.market.loanPosition(id)
                const expected = loan.status !== 1n ? "LoanNotActive" : now + 1n < position.defaultableAt ? "LoanNotInDefault" : ""
                expect(await send(() => marketAs(w.admin).markDefault(id))).toBe(expected)
                if (expected === "") {
                    defaulted.add(loans[id]!.who)
                    active.delete(id)
                }
                break
            }
            case "fillBooks": {
                // the lender's attack: available at the uint128 maximum, with a token it mints
                const room = UINT128_MAX - (await w.market.offer(0n)).available
                if (room === 0n) break
                expect(await send(() => w.token.mint(w.lender.address, room))).toBe("")
                expect(await send(() => marketAs(w.lender).deposit(0n, room))).toBe("")
                seen.surplus++
                break
            }
        }

        // invariants, on the chain's data
        const latest = BigInt(await time.latest())
        for (const root of new Set(history)) expect(await w.kyc.isRootValid(root), `root ${history.indexOf(root)}`).toBe(valid(root, latest) === "")
        const offer = await w.market.offer(0n)
        expect(await w.token.balanceOf(await w.market.getAddress())).toBe(offer.available + (await w.market.surplus(0n)))
        for (const [id] of loans.entries()) {
            const status = (await w.market.loan(id)).status
            if (loans[id]!.status === 3n) expect(status).toBe(3n)
            loans[id]!.status = status
        }
        for (const [who, person] of PEOPLE.entries()) expect((await w.market.record(person.nullifier)).defaults > 0n).toBe(defaulted.has(who))
    }
}

describe("the real gate under random sequences (model of the Groth16 check, every other verifier check real)", () => {
    it("KYC removals, validity changes, revocations, immediate removals, key revocations, verifier pauses, defaults, recovery and the lender's books attack meet real borrows (80 sequences in CI, 1,000 with ZKCREDIT_FULL=1)", { timeout: FULL ? 3_600_000 : 600_000 }, async () => {
        await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), run), { numRuns: RUNS, examples: EXAMPLES })
        // the runs reached what matters (the examples make sure of it)
        expect(seen.borrowed).toBeGreaterThan(3)
        for (const name of ["ExpiredRoot", "InvalidatedRoot", "RevokedRoot", "InactiveBureauKey", "VerifierPaused", "InvalidProof", "PseudonymDefaulted"]) {
            expect(seen.refused.get(name) ?? 0, name).toBeGreaterThan(0)
        }
        expect(seen.recovered).toBeGreaterThan(0)
        expect(seen.surplus).toBeGreaterThan(0)
    })
})
