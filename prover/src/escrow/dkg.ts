/**
 * The committee's key without a dealer: Pedersen's distributed key generation (Joint-Feldman)
 * on Baby Jubjub, in rounds of files that the authorities exchange in the open.
 *
 * 0. Each authority makes a transport key ({@link createAuthorityKey}); a roster lists the n
 *    authorities, their transport keys and the threshold t ({@link createRoster}).
 * 1. Deal: authority i draws a random polynomial f_i of degree t - 1, publishes Feldman
 *    commitments `A_ik = a_ik·B8` and, for every j, `f_i(j)` encrypted to j's transport key
 *    ({@link createDealing}). One public file per dealer.
 * 2. Verify: authority j decrypts its share of every dealing and checks
 *    `f_i(j)·B8 = Σ_k j^k·A_ik`; for each that fails it publishes a complaint that reveals the
 *    transport key it derived, with a Chaum-Pedersen proof that it is the right one, so anyone
 *    can decrypt that one share and see it fail ({@link verifyDealings}).
 * 3. Finalize: anyone replays the transcript ({@link finalizeCommittee}); a dealer named by a
 *    valid complaint, or whose file is malformed, is disqualified and named; a complaint that
 *    does not hold names its complainer. The joint key is `PK = Σ_{i in QUAL} A_i0`; authority j
 *    keeps `s_j = Σ f_i(j)` and everyone can compute its public share `Y_j = s_j·B8`.
 *
 * The joint secret `Σ f_i(0)` is never computed anywhere: fewer than t shares say nothing about
 * it (Shamir), and only its products with escrow points are ever combined (./threshold.ts).
 */
import { keccak256, toUtf8Bytes } from "ethers"
import { poseidon5 } from "poseidon-lite/poseidon5"
import { describe, requireArray, requireFieldElement, requireObject, toBigInt } from "../checks.ts"
import { SNARK_SCALAR_FIELD } from "../constants.ts"
import { ZkCreditError } from "../errors.ts"
import { addPoints, GENERATOR, mod, multiply, multiplyGenerator, NEUTRAL, pointsEqual, pointToJson, randomScalar, requirePoint, SUBGROUP_ORDER, type Point, type PointJson } from "./curve.ts"
import { dleqProofToJson, parseDleqProof, proveDleq, verifyDleq, type DleqProofJson } from "./dleq.ts"

/** Domain tag of the share encryption pads ("zkcredit.dkg.v1" as an integer). */
export const DKG_DOMAIN = 0x7a6b6372656469742e646b672e7631n

/** At most this many authorities: the roster, dealings and public shares grow with n². */
export const MAX_AUTHORITIES = 64

/** An authority's transport key pair: how the others send it its shares. Private. */
export interface AuthorityKeyFile {
    format: "zkcredit-committee-authority"
    version: 1
    name: string
    /** Decrypts the shares dealt to this authority. Never shared. */
    transportSecret: string
    transportKey: PointJson
}

/** The committee before its key exists: who takes part and the threshold. Public. */
export interface CommitteeRoster {
    format: "zkcredit-committee-roster"
    version: 1
    threshold: number
    /** Authorities in index order, counting from 1. */
    members: { index: number; name: string; transportKey: PointJson }[]
}

/** Round 1: one dealer's public file. */
export interface Dealing {
    format: "zkcredit-dkg-dealing"
    version: 1
    /** {@link rosterId} of the roster it was dealt for. */
    committee: string
    dealer: number
    /** Feldman commitments `a_k·B8`, k = 0..t-1. */
    commitments: PointJson[]
    /** `f(recipient)` encrypted to each recipient's transport key. */
    shares: { recipient: number; ephemeralKey: PointJson; ciphertext: string }[]
}

/** One complaint: the transport key the complainer derived for a dealer's share, proven. */
export interface Complaint {
    dealer: number
    /** `transportSecret·E` for the share's ephemeral key E. */
    sharedKey: PointJson
    /** Chaum-Pedersen: the same secret makes the transport key (from B8) and `sharedKey` (from E). */
    proof: DleqProofJson
}

/** Round 2: one authority's complaints (an empty list says every share verified). Public. */
export interface ComplaintsFile {
    format: "zkcredit-dkg-complaints"
    version: 1
    committee: string
    complainer: number
    complaints: Complaint[]
}

/** A dealer left out of the key, and why. */
export interface Disqualification {
    dealer: number
    reason: string
}

/** Round 3: the committee's public key and everyone's public share. Public, the same for all. */
export interface CommitteeKeyFile {
    format: "zkcredit-committee-key"
    version: 1
    committee: string
    threshold: number
    members: { index: number; name: string }[]
    /** Dealers whose polynomials make up the key. */
    qualified: number[]
    disqualified: Disqualification[]
    /** Complainers whose complaint did not hold. */
    falseComplaints: { complainer: number; dealer: number }[]
    /** The joint key `PK = sk·B8`; register it in the TrustRegistry (`addCommitteeKey`). */
    publicKey: PointJson
    /** `Y_j = s_j·B8`: what a partial decryption of authority j is checked against. */
    publicShares: { index: number; publicShare: PointJson }[]
}

/** Round 3: one authority's share of the joint secret. Private to that authority. */
export interface AuthorityShareFile {
    format: "zkcredit-committee-share"
    version: 1
    committee: string
    index: number
    name: string
    /** s_j. With t - 1 others it opens any escrow: keep it offline. */
    share: string
    publicShare: PointJson
    publicKey: PointJson
}

function fileError(message: string, parameter: string): ZkCreditError {
    return new ZkCreditError("INVALID_COMMITTEE_FILE", message, parameter)
}

function requireFormat<T extends string>(value: unknown, format: T, name: string): Record<string, unknown> {
    const file = requireObject(value, name)
    if (file.format !== format || file.version !== 1) throw fileError(`${name} must be a ${format} version 1 file, got ${typeof file.format === "string" ? `format ${JSON.stringify(file.format.slice(0, 40))}` : "no format field"}`, name)
    return file
}

/** A number as itself, anything else by its type: a message never says "undefined" or echoes a string. */
export function shown(value: unknown): string {
    return typeof value === "number" ? String(value) : describe(value)
}

function requireName(value: unknown, name: string): string {
    if (typeof value !== "string" || value.trim() === "" || value.length > 100) throw fileError(`${name} must be a non-empty name of at most 100 characters`, name)
    return value
}

function requireIndex(value: unknown, n: number, name: string): number {
    if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > n) throw fileError(`${name} must be an authority index from 1 to ${n}, got ${shown(value)}`, name)
    return value as number
}

/**
 * Makes an authority's transport key pair.
 * @param name The authority's name as the roster shows it (e.g. "regulator").
 */
export function createAuthorityKey(name: string): AuthorityKeyFile {
    requireName(name, "name")
    const secret = randomScalar()
    return { format: "zkcredit-committee-authority", version: 1, name, transportSecret: secret.toString(), transportKey: pointToJson(multiplyGenerator(secret)) }
}

/** An authority key file, checked: the transport key is the secret's. */
export function parseAuthorityKey(value: unknown): { name: string; transportSecret: bigint; transportKey: Point } {
    const file = requireFormat(value, "zkcredit-committee-authority", "authority")
    const name = requireName(file.name, "authority.name")
    const transportSecret = toBigInt(file.transportSecret, "authority.transportSecret")
    if (transportSecret <= 0n || transportSecret >= SUBGROUP_ORDER) throw fileError("authority.transportSecret must be a scalar in [1, l)", "authority.transportSecret")
    const transportKey = requirePoint(file.transportKey, "authority.transportKey")
    if (!pointsEqual(multiplyGenerator(transportSecret), transportKey)) throw fileError("authority.transportKey is not the key of authority.transportSecret: the file was altered", "authority.transportKey")
    return { name, transportSecret, transportKey }
}

/**
 * Makes the roster: the authorities, in the order given (indices 1..n), and the threshold.
 * @param threshold t: any t authorities can open an escrow, t - 1 cannot. 1 <= t <= n.
 * @param members The authorities' names and public transport keys.
 */
export function createRoster(threshold: number, members: readonly { name: string; transportKey: PointJson }[]): CommitteeRoster {
    const roster: CommitteeRoster = {
        format: "zkcredit-committee-roster",
        version: 1,
        threshold,
        members: requireArray(members, "members").map((m, i) => {
            const member = requireObject(m, `members[${i}]`)
            return { index: i + 1, name: member.name as string, transportKey: member.transportKey as PointJson }
        })
    }
    parseRoster(roster)
    return roster
}

/** A roster, checked. */
export interface ParsedRoster {
    id: string
    threshold: number
    members: { index: number; name: string; transportKey: Point }[]
}

/**
 * Checks a roster: 1 <= t <= n <= {@link MAX_AUTHORITIES}, indices 1..n in order, distinct
 * names and transport keys, every key a prime-order point.
 */
export function parseRoster(value: unknown): ParsedRoster {
    const file = requireFormat(value, "zkcredit-committee-roster", "roster")
    const members = requireArray(file.members, "roster.members")
    const n = members.length
    if (n < 1 || n > MAX_AUTHORITIES) throw fileError(`roster.members must list 1 to ${MAX_AUTHORITIES} authorities, got ${n}`, "roster.members")
    const threshold = file.threshold
    if (!Number.isSafeInteger(threshold) || (threshold as number) < 1 || (threshold as number) > n) {
        throw fileError(`roster.threshold must be an integer from 1 to the number of authorities (${n}), got ${shown(threshold)}`, "roster.threshold")
    }
    const parsed = members.map((m, i) => {
        const member = requireObject(m, `roster.members[${i}]`)
        if (member.index !== i + 1) throw fileError(`roster.members[${i}].index must be ${i + 1}`, `roster.members[${i}].index`)
        return { index: i + 1, name: requireName(member.name, `roster.members[${i}].name`), transportKey: requirePoint(member.transportKey, `roster.members[${i}].transportKey`) }
    })
    if (new Set(parsed.map((m) => m.name)).size !== n) throw fileError("roster.members must have distinct names", "roster.members")
    if (new Set(parsed.map((m) => m.transportKey[1])).size !== n) throw fileError("roster.members must have distinct transport keys", "roster.members")
    return { id: rosterId(file as unknown as CommitteeRoster), threshold: threshold as number, members: parsed }
}

/** The id of a roster, which every later file carries: keccak256 of its canonical JSON. */
export function rosterId(roster: CommitteeRoster): string {
    return keccak256(toUtf8Bytes(JSON.stringify([roster.threshold, roster.members.map((m) => [m.index, m.name, m.transportKey[0], m.transportKey[1]])])))
}

function sharePad(committee: string, sharedKey: Point, dealer: number, recipient: number): bigint {
    return poseidon5([DKG_DOMAIN, BigInt(committee) >> 8n, sharedKey[1], BigInt(dealer), BigInt(recipient)])
}

/** `Σ_k x^k·C_k`: the Feldman commitment to f(x). */
function evaluateCommitments(commitments: readonly Point[], x: number): Point {
    let acc: Point = NEUTRAL
    let power = 1n
    for (const c of commitments) {
        acc = addPoints(acc, multiply(c, power))
        power = mod(power * BigInt(x), SUBGROUP_ORDER)
    }
    return acc
}

/**
 * Round 1: deals a random polynomial of degree t - 1. The polynomial is not returned: what
 * the dealer must not keep, it never gets.
 * @param roster The roster.
 * @param authority The dealer's authority key file (it must be in the roster).
 */
export function createDealing(roster: CommitteeRoster, authority: AuthorityKeyFile): Dealing {
    const r = parseRoster(roster)
    const me = memberOf(r, parseAuthorityKey(authority))
    const coefficients = Array.from({ length: r.threshold }, () => randomScalar())
    const shares = r.members.map((member) => {
        const x = BigInt(member.index)
        const value = coefficients.reduceRight((acc, a) => mod(acc * x + a, SUBGROUP_ORDER), 0n)
        const e = randomScalar()
        const pad = sharePad(r.id, multiply(member.transportKey, e), me, member.index)
        return { recipient: member.index, ephemeralKey: pointToJson(multiplyGenerator(e)), ciphertext: mod(value + pad, SNARK_SCALAR_FIELD).toString() }
    })
    return { format: "zkcredit-dkg-dealing", version: 1, committee: r.id, dealer: me, commitments: coefficients.map((a) => pointToJson(multiplyGenerator(a))), shares }
}

function memberOf(roster: ParsedRoster, authority: { name: string; transportKey: Point }): number {
    const member = roster.members.find((m) => pointsEqual(m.transportKey, authority.transportKey))
    if (member === undefined) throw fileError(`authority "${authority.name}" is not in the roster (its transport key is not listed)`, "authority")
    return member.index
}

interface ParsedDealing {
    dealer: number
    commitments: Point[]
    shares: Map<number, { ephemeralKey: Point; ciphertext: bigint }>
}

/** The public checks of a dealing; throws INVALID_COMMITTEE_FILE naming what is wrong. */
function parseDealing(value: unknown, roster: ParsedRoster, name: string): ParsedDealing {
    const file = requireFormat(value, "zkcredit-dkg-dealing", name)
    if (file.committee !== roster.id) throw fileError(`${name} was dealt for another roster (its committee is not this roster's id)`, `${name}.committee`)
    const n = roster.members.length
    const dealer = requireIndex(file.dealer, n, `${name}.dealer`)
    const commitments = requireArray(file.commitments, `${name}.commitments`).map((c, k) => requirePoint(c, `${name}.commitments[${k}]`))
    if (commitments.length !== roster.threshold) throw fileError(`${name}.commitments must hold t = ${roster.threshold} points (a polynomial of degree t - 1), got ${commitments.length}`, `${name}.commitments`)
    const list = requireArray(file.shares, `${name}.shares`, n)
    const shares = new Map<number, { ephemeralKey: Point; ciphertext: bigint }>()
    list.forEach((s, k) => {
        const share = requireObject(s, `${name}.shares[${k}]`)
        const recipient = requireIndex(share.recipient, n, `${name}.shares[${k}].recipient`)
        if (shares.has(recipient)) throw fileError(`${name}.shares has two shares for authority ${recipient}`, `${name}.shares`)
        shares.set(recipient, { ephemeralKey: requirePoint(share.ephemeralKey, `${name}.shares[${k}].ephemeralKey`), ciphertext: requireFieldElement(share.ciphertext, `${name}.shares[${k}].ciphertext`) })
    })
    return { dealer, commitments, shares }
}

/** Decrypts a share with the transport key's product; undefined when it is not a scalar below l. */
function decryptShare(committee: string, dealing: ParsedDealing, recipient: number, sharedKey: Point): bigint | undefined {
    const share = dealing.shares.get(recipient)!
    const value = mod(share.ciphertext - sharePad(committee, sharedKey, dealing.dealer, recipient), SNARK_SCALAR_FIELD)
    return value < SUBGROUP_ORDER ? value : undefined
}

function shareVerifies(dealing: ParsedDealing, recipient: number, value: bigint | undefined): boolean {
    return value !== undefined && pointsEqual(multiplyGenerator(value), evaluateCommitments(dealing.commitments, recipient))
}

/**
 * Round 2: checks this authority's share of every dealing and writes a complaint for each that
 * fails. Dealings that fail the public checks need no complaint: finalize names their dealers.
 * @param dealings The dealings received (its own included).
 * @returns The complaints file to publish, and the dealers whose share verified.
 */
export function verifyDealings(roster: CommitteeRoster, authority: AuthorityKeyFile, dealings: readonly unknown[]): { complaints: ComplaintsFile; verified: number[] } {
    const r = parseRoster(roster)
    const me = parseAuthorityKey(authority)
    const index = memberOf(r, me)
    const complaints: Complaint[] = []
    const verified: number[] = []
    for (const [k, d] of requireArray(dealings, "dealings").entries()) {
        let dealing: ParsedDealing
        try {
            dealing = parseDealing(d, r, `dealings[${k}]`)
        } catch {
            continue // publicly malformed: everyone sees it
        }
        const share = dealing.shares.get(index)!
        const sharedKey = multiply(share.ephemeralKey, me.transportSecret)
        if (shareVerifies(dealing, index, decryptShare(r.id, dealing, index, sharedKey))) {
            verified.push(dealing.dealer)
            continue
        }
        const proof = proveDleq(me.transportSecret, { G: GENERATOR, Y: me.transportKey, H: share.ephemeralKey, D: sharedKey, context: complaintContext(r.id, dealing.dealer) })
        complaints.push({ dealer: dealing.dealer, sharedKey: pointToJson(sharedKey), proof: dleqProofToJson(proof) })
    }
    return { complaints: { format: "zkcredit-dkg-complaints", version: 1, committee: r.id, complainer: index, complaints }, verified }
}

function complaintContext(committee: string, dealer: number): bigint {
    return mod((BigInt(committee) >> 8n) + BigInt(dealer), SNARK_SCALAR_FIELD)
}

/**
 * Round 3: replays the transcript and derives the committee key; with an authority key file,
 * also that authority's share. Anyone can run it (without an authority) and must get the same
 * key file as every authority.
 * @param dealings Every dealing published (a missing dealer is disqualified as absent).
 * @param complaintFiles Every complaints file published.
 * @param authority This authority's key file, to compute its share.
 * @throws ZkCreditError `DKG_FAILED` when fewer than t dealers remain qualified, or when this
 *   authority's own share of a qualified dealing does not verify (it should have complained);
 *   `INVALID_COMMITTEE_FILE` for a file of another committee or malformed complaints.
 */
export function finalizeCommittee(
    roster: CommitteeRoster,
    dealings: readonly unknown[],
    complaintFiles: readonly unknown[],
    authority?: AuthorityKeyFile
): { committeeKey: CommitteeKeyFile; share?: AuthorityShareFile } {
    const r = parseRoster(roster)
    const n = r.members.length
    const disqualified = new Map<number, string>()
    const parsed = new Map<number, ParsedDealing>()
    const texts = new Map<number, string>()
    for (const [k, d] of requireArray(dealings, "dealings").entries()) {
        let dealing: ParsedDealing
        try {
            dealing = parseDealing(d, r, `dealings[${k}]`)
        } catch (error) {
            const dealer = (d as { dealer?: unknown } | null)?.dealer
            if (Number.isSafeInteger(dealer) && (dealer as number) >= 1 && (dealer as number) <= n && (d as { committee?: unknown }).committee === r.id) {
                disqualified.set(dealer as number, `malformed dealing: ${(error as Error).message}`)
                continue
            }
            throw error
        }
        // a dealer who shows different polynomials to different authorities is out
        const text = JSON.stringify(d)
        const earlier = texts.get(dealing.dealer)
        if (earlier !== undefined && earlier !== text) disqualified.set(dealing.dealer, "published two different dealings")
        texts.set(dealing.dealer, text)
        parsed.set(dealing.dealer, dealing)
    }
    for (const m of r.members) if (!parsed.has(m.index) && !disqualified.has(m.index)) disqualified.set(m.index, "published no dealing")

    const falseComplaints: { complainer: number; dealer: number }[] = []
    for (const [k, c] of requireArray(complaintFiles, "complaintFiles").entries()) {
        const file = requireFormat(c, "zkcredit-dkg-complaints", `complaintFiles[${k}]`)
        if (file.committee !== r.id) throw fileError(`complaintFiles[${k}] was made for another roster`, `complaintFiles[${k}].committee`)
        const complainer = requireIndex(file.complainer, n, `complaintFiles[${k}].complainer`)
        const member = r.members[complainer - 1]!
        for (const [q, raw] of requireArray(file.complaints, `complaintFiles[${k}].complaints`).entries()) {
            const name = `complaintFiles[${k}].complaints[${q}]`
            const complaint = requireObject(raw, name)
            const dealer = requireIndex(complaint.dealer, n, `${name}.dealer`)
            const dealing = parsed.get(dealer)
            if (dealing === undefined || disqualified.has(dealer)) continue
            const sharedKey = requirePoint(complaint.sharedKey, `${name}.sharedKey`)
            const proof = parseDleqProof(complaint.proof, `${name}.proof`)
            const ephemeralKey = dealing.shares.get(complainer)!.ephemeralKey
            const honest = verifyDleq(proof, { G: GENERATOR, Y: member.transportKey, H: ephemeralKey, D: sharedKey, context: complaintContext(r.id, dealer) })
            if (honest && !shareVerifies(dealing, complainer, decryptShare(r.id, dealing, complainer, sharedKey))) {
                disqualified.set(dealer, `dealt authority ${complainer} (${member.name}) a share that fails the Feldman check`)
            } else {
                falseComplaints.push({ complainer, dealer })
            }
        }
    }

    const qualified = [...parsed.keys()].filter((i) => !disqualified.has(i)).sort((a, b) => a - b)
    if (qualified.length < r.threshold) {
        throw new ZkCreditError("DKG_FAILED", `only ${qualified.length} dealer(s) qualified, fewer than the threshold ${r.threshold}: ${[...disqualified].map(([d, why]) => `authority ${d} ${why}`).join("; ")}. Start again with a new roster without them`, "dealings")
    }
    const publicKey = qualified.reduce<Point>((acc, i) => addPoints(acc, parsed.get(i)!.commitments[0]!), NEUTRAL)
    const publicShares = r.members.map((m) => ({
        index: m.index,
        publicShare: pointToJson(qualified.reduce<Point>((acc, i) => addPoints(acc, evaluateCommitments(parsed.get(i)!.commitments, m.index)), NEUTRAL))
    }))
    const committeeKey: CommitteeKeyFile = {
        format: "zkcredit-committee-key",
        version: 1,
        committee: r.id,
        threshold: r.threshold,
        members: r.members.map((m) => ({ index: m.index, name: m.name })),
        qualified,
        disqualified: [...disqualified].sort(([a], [b]) => a - b).map(([dealer, reason]) => ({ dealer, reason })),
        falseComplaints,
        publicKey: pointToJson(publicKey),
        publicShares
    }
    if (authority === undefined) return { committeeKey }

    const me = parseAuthorityKey(authority)
    const index = memberOf(r, me)
    let share = 0n
    for (const i of qualified) {
        const dealing = parsed.get(i)!
        const value = decryptShare(r.id, dealing, index, multiply(dealing.shares.get(index)!.ephemeralKey, me.transportSecret))
        if (!shareVerifies(dealing, index, value)) {
            throw new ZkCreditError("DKG_FAILED", `the share dealt to you by authority ${i} does not verify and no valid complaint of yours names it: run the verify round and publish its complaints first`, "complaintFiles")
        }
        share = mod(share + value!, SUBGROUP_ORDER)
    }
    const publicShare = publicShares[index - 1]!.publicShare
    return {
        committeeKey,
        share: { format: "zkcredit-committee-share", version: 1, committee: r.id, index, name: me.name, share: share.toString(), publicShare, publicKey: committeeKey.publicKey }
    }
}

/** A committee key file, checked: t, members, the public key and every public share are valid points. */
export interface ParsedCommitteeKey {
    committee: string
    threshold: number
    publicKey: Point
    publicShares: Map<number, Point>
}

/** Checks a committee key file. */
export function parseCommitteeKey(value: unknown): ParsedCommitteeKey {
    const file = requireFormat(value, "zkcredit-committee-key", "committeeKey")
    if (typeof file.committee !== "string" || !/^0x[0-9a-f]{64}$/.test(file.committee)) throw fileError("committeeKey.committee must be a roster id (0x and 64 hex digits)", "committeeKey.committee")
    const shares = requireArray(file.publicShares, "committeeKey.publicShares")
    const n = shares.length
    if (n < 1 || n > MAX_AUTHORITIES) throw fileError(`committeeKey.publicShares must list 1 to ${MAX_AUTHORITIES} authorities`, "committeeKey.publicShares")
    const threshold = file.threshold
    if (!Number.isSafeInteger(threshold) || (threshold as number) < 1 || (threshold as number) > n) throw fileError(`committeeKey.threshold must be from 1 to ${n}`, "committeeKey.threshold")
    const publicShares = new Map<number, Point>()
    shares.forEach((s, k) => {
        const entry = requireObject(s, `committeeKey.publicShares[${k}]`)
        const index = requireIndex(entry.index, n, `committeeKey.publicShares[${k}].index`)
        if (publicShares.has(index)) throw fileError(`committeeKey.publicShares lists authority ${index} twice`, "committeeKey.publicShares")
        publicShares.set(index, requirePoint(entry.publicShare, `committeeKey.publicShares[${k}].publicShare`))
    })
    return { committee: file.committee, threshold: threshold as number, publicKey: requirePoint(file.publicKey, "committeeKey.publicKey"), publicShares }
}

/** Checks a share file: its share makes its public share. */
export function parseAuthorityShare(value: unknown): { committee: string; index: number; share: bigint; publicShare: Point; publicKey: Point } {
    const file = requireFormat(value, "zkcredit-committee-share", "share")
    const index = requireIndex(file.index, MAX_AUTHORITIES, "share.index")
    const share = toBigInt(file.share, "share.share")
    if (share <= 0n || share >= SUBGROUP_ORDER) throw fileError("share.share must be a scalar in [1, l)", "share.share")
    const publicShare = requirePoint(file.publicShare, "share.publicShare")
    if (!pointsEqual(multiplyGenerator(share), publicShare)) throw fileError("share.publicShare is not the point of share.share: the file was altered", "share.publicShare")
    if (typeof file.committee !== "string") throw fileError("share.committee must be a roster id", "share.committee")
    return { committee: file.committee, index, share, publicShare, publicKey: requirePoint(file.publicKey, "share.publicKey") }
}
