/**
 * The committee's distributed key generation and threshold opening
 * (prover/src/escrow/{dkg,threshold}.ts): 3 authorities, t = 2, rounds as JSON files; a bad
 * dealer is named; nobody holds the key; any 2 partials open an escrow, 1 does not, a forged
 * one is refused.
 */
import { beforeAll, describe, expect, it } from "vitest"
import {
    combinePartialDecryptions,
    createAuthorityKey,
    createDealing,
    createRoster,
    encryptCommitment,
    finalizeCommittee,
    lagrangeAtZero,
    mod,
    multiply,
    multiplyGenerator,
    openEscrow,
    parseAuthorityKey,
    parseCommitteeKey,
    parseRoster,
    partialDecrypt,
    pointFromY,
    pointsEqual,
    pointToJson,
    requirePoint,
    SUBGROUP_ORDER as L,
    verifyDealings,
    verifyPartialDecryption,
    type AuthorityKeyFile,
    type AuthorityShareFile,
    type CommitteeKeyFile,
    type CommitteeRoster,
    type Dealing,
    type PartialDecryption
} from "../../prover/src/escrow/index.ts"
import { runCommittee, viaFile, type TestCommittee } from "../helpers/committee.ts"
import { expectZkCreditError } from "../helpers/escrow.ts"



type Committee = TestCommittee
const runDkg = runCommittee

/** The joint secret, which the platform never computes: only a test may, to check the shares. */
function jointSecretOf(shares: readonly AuthorityShareFile[], indices: readonly number[]): bigint {
    return indices.reduce((acc, i) => mod(acc + BigInt(shares[i - 1]!.share) * lagrangeAtZero(i, indices), L), 0n)
}

describe("dealerless key generation", () => {
    let committee: Committee
    beforeAll(() => {
        committee = runDkg()
    })

    it("every authority and any outsider derive the same committee key; every share matches its public share", () => {
        const { roster, dealings, authorities, committeeKey, shares } = committee
        const complaints = authorities.map((a) => verifyDealings(roster, a, dealings).complaints)
        expect(complaints.every((c) => c.complaints.length === 0)).toBe(true)
        expect(finalizeCommittee(roster, dealings, complaints).committeeKey).toEqual(committeeKey)
        expect(committeeKey.qualified).toEqual([1, 2, 3])
        expect(committeeKey.disqualified).toEqual([])
        for (const share of shares) {
            expect(share.publicKey).toEqual(committeeKey.publicKey)
            expect(pointToJson(multiplyGenerator(BigInt(share.share)))).toEqual(committeeKey.publicShares[share.index - 1]!.publicShare)
        }
    })

    it("the joint key is sk·B8 for the secret any t shares interpolate to, and the same for every pair", () => {
        const { shares, committeeKey } = committee
        const pk = requirePoint(committeeKey.publicKey, "pk")
        const secrets = [[1, 2], [1, 3], [2, 3]].map((pair) => jointSecretOf(shares, pair))
        expect(new Set(secrets).size).toBe(1)
        expect(pointsEqual(multiplyGenerator(secrets[0]!), pk)).toBe(true)
    })

    it("no party holds the whole key: no file of any round contains sk, and each share alone is not it", () => {
        const { roster, dealings, authorities, committeeKey, shares } = committee
        const sk = jointSecretOf(shares, [1, 2]).toString()
        const everything = JSON.stringify({ roster, dealings, authorities, committeeKey, shares, complaints: authorities.map((a) => verifyDealings(roster, a, dealings).complaints) })
        expect(everything.includes(sk)).toBe(false)
        for (const share of shares) expect(share.share).not.toBe(sk)
    })

    it("a second run gives another key (fresh polynomials)", () => {
        expect(runDkg().committeeKey.publicKey).not.toEqual(committee.committeeKey.publicKey)
    })

    it("a dealer that deals a bad share is detected, named, and left out; the key still works with the others", () => {
        const { roster, authorities } = committee
        const dealings = authorities.map((a) => viaFile(createDealing(roster, a)))
        // the bureau (2) deals the compliance desk (3) a share off its polynomial
        const bad = dealings[1]!
        const share = bad.shares.find((s) => s.recipient === 3)!
        share.ciphertext = (BigInt(share.ciphertext) + 1n).toString()
        const rounds = authorities.map((a) => verifyDealings(roster, a, dealings))
        expect(rounds.map((r) => r.complaints.complaints.map((c) => c.dealer))).toEqual([[], [], [2]])
        expect(rounds[2]!.verified).toEqual([1, 3])
        const complaints = rounds.map((r) => viaFile(r.complaints))
        const result = finalizeCommittee(roster, dealings, complaints, authorities[0])
        expect(result.committeeKey.qualified).toEqual([1, 3])
        expect(result.committeeKey.disqualified).toEqual([{ dealer: 2, reason: "dealt authority 3 (compliance) a share that fails the Feldman check" }])
        // the key is the sum of the qualified dealers' polynomials and still opens with any 2
        const shares = authorities.map((a) => finalizeCommittee(roster, dealings, complaints, a).share!)
        const sk = jointSecretOf(shares, [2, 3])
        expect(pointToJson(multiplyGenerator(sk))).toEqual(result.committeeKey.publicKey)
    })

    it("a false complaint (against an honest dealer, or with a forged key) names the complainer and disqualifies nobody", () => {
        const { roster, dealings, authorities } = committee
        const complaints = authorities.map((a) => viaFile(verifyDealings(roster, a, dealings).complaints))
        // the compliance desk makes up a complaint against the regulator
        const tampered = viaFile(createDealing(roster, authorities[0]!))
        tampered.shares[2]!.ciphertext = "1"
        const real = verifyDealings(roster, authorities[2]!, [tampered]).complaints.complaints[0]!
        complaints[2]!.complaints.push({ ...real, dealer: 1 })
        const result = finalizeCommittee(roster, dealings, complaints)
        expect(result.committeeKey.qualified).toEqual([1, 2, 3])
        expect(result.committeeKey.falseComplaints).toEqual([{ complainer: 3, dealer: 1 }])
    })

    it("a malformed dealing, a missing dealing and two different dealings disqualify their dealer", () => {
        const { roster, authorities } = committee
        const dealings = authorities.map((a) => viaFile(createDealing(roster, a)))
        const malformed = viaFile(dealings[0]!)
        malformed.commitments = malformed.commitments.slice(0, 1)
        const twice = viaFile(createDealing(roster, authorities[1]!))
        const result = finalizeCommittee(roster, [malformed, ...dealings.slice(1)], [])
        expect(result.committeeKey.qualified).toEqual([2, 3])
        expect(result.committeeKey.disqualified.map((d) => d.dealer)).toEqual([1])
        expect(result.committeeKey.disqualified[0]!.reason).toMatch(/^malformed dealing: .*commitments must hold t = 2 points/)
        const equivocating = finalizeCommittee(roster, [dealings[0]!, dealings[1]!, twice, dealings[2]!], [])
        expect(equivocating.committeeKey.disqualified).toEqual([{ dealer: 2, reason: "published two different dealings" }])
        expect(equivocating.committeeKey.qualified).toEqual([1, 3])
        expect(() => finalizeCommittee(roster, [malformed, dealings[1]!, twice, dealings[2]!], [])).toThrow(/authority 1 malformed dealing: .*; authority 2 published two different dealings/)
    })

    it("fails with DKG_FAILED when fewer than t dealers qualify (an absent dealer counts against)", () => {
        const { roster, dealings } = committee
        expect(() => finalizeCommittee(roster, [dealings[0]!], [])).toThrow(/only 1 dealer\(s\) qualified, fewer than the threshold 2: authority 2 published no dealing; authority 3 published no dealing/)
        expectZkCreditError(() => finalizeCommittee(roster, [dealings[0]!], []), "DKG_FAILED")
    })

    it("an authority whose share does not verify and that did not complain is told to complain first", () => {
        const { roster, authorities } = committee
        const dealings = authorities.map((a) => viaFile(createDealing(roster, a)))
        dealings[0]!.shares[1]!.ciphertext = "5"
        expectZkCreditError(() => finalizeCommittee(roster, dealings, [], authorities[1]), "DKG_FAILED", "complaintFiles")
    })

    it("refuses files of another roster, bad rosters, and altered authority files, naming the field", () => {
        const { roster, authorities } = committee
        const other = runDkg()
        expectZkCreditError(() => finalizeCommittee(roster, [other.dealings[0]!], []), "INVALID_COMMITTEE_FILE", "dealings[0].committee")
        expectZkCreditError(() => createDealing(other.roster, authorities[0]!), "INVALID_COMMITTEE_FILE", "authority")
        expectZkCreditError(() => createRoster(0, roster.members), "INVALID_COMMITTEE_FILE", "roster.threshold")
        expectZkCreditError(() => createRoster(4, roster.members), "INVALID_COMMITTEE_FILE", "roster.threshold")
        expectZkCreditError(() => createRoster(2, [roster.members[0]!, roster.members[0]!]), "INVALID_COMMITTEE_FILE", "roster.members")
        expectZkCreditError(() => parseRoster({ ...roster, format: "x" }), "INVALID_COMMITTEE_FILE", "roster")
        expectZkCreditError(() => parseRoster({ ...roster, members: [{ ...roster.members[0]!, transportKey: ["0", "1"] }, ...roster.members.slice(1)] }), "INVALID_POINT", "roster.members[0].transportKey")
        expectZkCreditError(() => parseAuthorityKey({ ...authorities[0]!, transportKey: authorities[1]!.transportKey }), "INVALID_COMMITTEE_FILE", "authority.transportKey")
        expectZkCreditError(() => createAuthorityKey(""), "INVALID_COMMITTEE_FILE", "name")
        expectZkCreditError(() => parseCommitteeKey({ ...committee.committeeKey, threshold: 9 }), "INVALID_COMMITTEE_FILE", "committeeKey.threshold")
    })
})

describe("threshold opening", () => {
    let committee: Committee
    const commitment = 1234567890123456789n
    const loanId = 7n
    let escrow: { ephemeralKeyY: string; ciphertext: string }
    let partials: PartialDecryption[]
    beforeAll(() => {
        committee = runDkg()
        const e = encryptCommitment(commitment, requirePoint(committee.committeeKey.publicKey, "pk")).escrow
        escrow = { ephemeralKeyY: e.ephemeralKeyY.toString(), ciphertext: e.ciphertext.toString() }
        partials = committee.shares.map((share) => viaFile(partialDecrypt(escrow, share, loanId)))
    })

    it("every partial verifies against its authority's public share", () => {
        for (const p of partials) expect(verifyPartialDecryption(escrow, p, committee.committeeKey, loanId)).toBe(true)
        expect(partials.map((p) => p.index)).toEqual([1, 2, 3])
    })

    it("any 2 of 3 partials open the escrow to the commitment", () => {
        for (const pair of [[0, 1], [0, 2], [1, 2], [2, 0]]) {
            const result = combinePartialDecryptions(escrow, pair.map((i) => partials[i]!), committee.committeeKey, loanId)
            expect(result.commitment).toBe(commitment)
        }
        expect(combinePartialDecryptions(escrow, partials, committee.committeeKey, loanId).authorities).toEqual([1, 2])
    })

    it("1 partial does not open it: NOT_ENOUGH_SHARES", () => {
        expectZkCreditError(() => combinePartialDecryptions(escrow, [partials[0]!], committee.committeeKey, loanId), "NOT_ENOUGH_SHARES", "partials")
        expectZkCreditError(() => combinePartialDecryptions(escrow, [], committee.committeeKey, loanId), "NOT_ENOUGH_SHARES", "partials")
    })

    // Shamir's secrecy, shown on the very values published: for any other joint secret sk',
    // some polynomial of degree t - 1 = 1 goes through authority 1's share and sk'. The partial
    // of authority 1 is the same under both keys, yet the two keys open the escrow to different
    // commitments: one partial is consistent with every plaintext, so it reveals none.
    it("t - 1 partials reveal nothing: the same partial fits another joint key that opens to another value", () => {
        const s1 = BigInt(committee.shares[0]!.share)
        const otherSecret = 424242n
        // f'(x) = otherSecret + (s1 - otherSecret)·x has f'(1) = s1
        const f = (x: bigint) => mod(otherSecret + mod(s1 - otherSecret, L) * x, L)
        expect(f(1n)).toBe(s1)
        // the ephemeral point as every authority recovers it from R.y
        const escrowPoint = pointFromY(escrow.ephemeralKeyY, "ephemeralKeyY")
        // authority 1's partial under the other key: s1·R, identical to the published one
        expect(pointToJson(multiply(escrowPoint, f(1n)))).toEqual(partials[0]!.partial)
        // the two keys open the escrow differently
        const real = openEscrow({ ephemeralKeyY: BigInt(escrow.ephemeralKeyY), ciphertext: BigInt(escrow.ciphertext) }, multiply(escrowPoint, jointSecretOf(committee.shares, [1, 2])))
        const fake = openEscrow({ ephemeralKeyY: BigInt(escrow.ephemeralKeyY), ciphertext: BigInt(escrow.ciphertext) }, multiply(escrowPoint, otherSecret))
        expect(real).toBe(commitment)
        expect(fake).not.toBe(commitment)
        // and the lone partial, read as the shared point, is not the mask either
        const loneGuess = openEscrow({ ephemeralKeyY: BigInt(escrow.ephemeralKeyY), ciphertext: BigInt(escrow.ciphertext) }, requirePoint(partials[0]!.partial, "D"))
        expect(loneGuess).not.toBe(commitment)
    })

    it("a forged partial is refused, naming it: another point, another authority's proof, another loan, a replay", () => {
        const [p1, p2, p3] = partials as [PartialDecryption, PartialDecryption, PartialDecryption]
        const forged = { ...p2, partial: pointToJson(multiplyGenerator(99n)) }
        expect(verifyPartialDecryption(escrow, forged, committee.committeeKey, loanId)).toBe(false)
        expectZkCreditError(() => combinePartialDecryptions(escrow, [p1, forged], committee.committeeKey, loanId), "INVALID_DECRYPTION_SHARE", "partials[1]")
        const stolen = { ...p3, index: 2 } // authority 3's partial passed off as authority 2's
        expect(verifyPartialDecryption(escrow, stolen, committee.committeeKey, loanId)).toBe(false)
        expect(verifyPartialDecryption(escrow, p2, committee.committeeKey, loanId + 1n)).toBe(false)
        const otherEscrow = encryptCommitment(commitment, requirePoint(committee.committeeKey.publicKey, "pk")).escrow
        expect(verifyPartialDecryption(otherEscrow, p2, committee.committeeKey, loanId)).toBe(false)
        expectZkCreditError(() => combinePartialDecryptions(escrow, [p1, p1], committee.committeeKey, loanId), "INVALID_DECRYPTION_SHARE", "partials[1]")
        expectZkCreditError(() => combinePartialDecryptions(escrow, [p1, { ...p2, index: 9 }], committee.committeeKey, loanId), "INVALID_DECRYPTION_SHARE", "partials[1].index")
    })

    it("an authority refuses to decrypt an escrow whose R is not a prime-order point (the share would leak mod 8)", () => {
        expectZkCreditError(() => partialDecrypt({ ...escrow, ephemeralKeyY: "1" }, committee.shares[0], loanId), "INVALID_POINT", "escrow.ephemeralKeyY")
        expectZkCreditError(() => partialDecrypt(escrow, { ...committee.shares[0]!, share: "5" }, loanId), "INVALID_COMMITTEE_FILE", "share.publicShare")
        expectZkCreditError(() => partialDecrypt(escrow, committee.shares[0], -1n), "OUT_OF_RANGE", "context")
    })

    it("lagrangeAtZero interpolates f(0) from t points of a line", () => {
        const f = (x: bigint) => mod(5n + 3n * x, L)
        const at0 = mod(f(2n) * lagrangeAtZero(2, [2, 3]) + f(3n) * lagrangeAtZero(3, [2, 3]), L)
        expect(at0).toBe(5n)
    })
})

