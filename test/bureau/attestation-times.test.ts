/**
 * The bureau signs only times a credit proof can carry: the circuit range-checks `issuedAt`,
 * `expiresAt` and `currentTime` to TIME_BITS (40) bits, so a clock that would put an expiry past
 * 2^40 - 1 is refused with 503 `TIME_NOT_PROVABLE` and nothing signed or logged (the service over
 * HTTP with a real history proof, no chain); an expiry of 2^40 - 1 exactly passes the check, and
 * the prover takes an attestation signed with it. (The HTTP path cannot be driven to just below
 * 2^40: the scorecard's YYYY-MM periods end with the year 9999.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ISSUED_AT_SKEW_SECONDS, LAST_PROVABLE_TIME, unprovableTime } from "../../bureau/src/bureau.ts"
import { buildCreditProofInput, Identity, KycTree, signAttestation, TIME_BITS } from "../../prover/src/index.ts"
import { NOW, proverWorld } from "../helpers/fixtures.ts"
import { asApplicant, provenRequest } from "./applicant-client.ts"
import { startTestBureau, type TestBureau } from "./harness.ts"

const VALIDITY = 30 * 86_400
const BUREAU_KEY = `0x${"3c".repeat(32)}`

let clock = NOW
let bureau: TestBureau

beforeAll(async () => {
    bureau = await startTestBureau({ privateKey: BUREAU_KEY, validitySeconds: VALIDITY, now: () => clock, logger: () => {} })
})

afterAll(async () => {
    await bureau?.close()
})

/** Enrols `identity` at NOW, then asks for an attestation with the bureau's clock at `at`. */
async function attestAt(identity: Identity, at: number) {
    clock = NOW
    const binding = await bureau.enrol(identity)
    clock = at
    return { binding, answer: await asApplicant(bureau.url, "/v1/attestations", binding, await provenRequest(bureau.url, identity)) }
}

describe("attestation times and the credit proof's width", () => {
    it("LAST_PROVABLE_TIME is 2^TIME_BITS - 1 and TIME_BITS comes from circuits.json (40)", () => {
        expect(TIME_BITS).toBe(40)
        expect(LAST_PROVABLE_TIME).toBe(2 ** 40 - 1)
    })

    it("unprovableTime names the first time past 2^40 - 1, and nothing below it", () => {
        expect(unprovableTime({ issuedAt: NOW, expiresAt: LAST_PROVABLE_TIME })).toBeUndefined()
        expect(unprovableTime({ issuedAt: NOW, expiresAt: LAST_PROVABLE_TIME + 1 })).toMatchObject({ field: "expiresAt" })
        expect(unprovableTime({ issuedAt: LAST_PROVABLE_TIME + 1, expiresAt: LAST_PROVABLE_TIME + 2 })).toMatchObject({ field: "issuedAt" })
    })

    it("refuses with 503 TIME_NOT_PROVABLE when the expiry would be 2^40, and logs no attestation", async () => {
        const identity = new Identity(0x7140n)
        const { binding, answer } = await attestAt(identity, LAST_PROVABLE_TIME + 1 - VALIDITY)
        expect(answer.status).toBe(503)
        expect(answer.body.error).toMatchObject({ code: "TIME_NOT_PROVABLE", field: "expiresAt", message: expect.stringContaining("nothing was signed") })
        expect(answer.body.error.message).toContain(String(2 ** 40))
        expect(answer.body).not.toHaveProperty("attestation")
        expect(await bureau.store.attestationsFor(binding.personRef)).toEqual([])
    })

    it("one second earlier the times pass, and the prover takes an attestation that expires at 2^40 - 1", () => {
        const times = { issuedAt: LAST_PROVABLE_TIME - VALIDITY - ISSUED_AT_SKEW_SECONDS, expiresAt: LAST_PROVABLE_TIME }
        expect(unprovableTime(times)).toBeUndefined()
        const identity = new Identity(0x7139n)
        const attestation = signAttestation({ commitment: identity.commitment, score: 720, ...times }, BUREAU_KEY)
        const { request } = proverWorld()
        const input = buildCreditProofInput({ ...request, identity, attestation, membership: new KycTree([identity.commitment]), threshold: 0, currentTime: LAST_PROVABLE_TIME - 1 })
        expect(input).toMatchObject({ currentTime: String(LAST_PROVABLE_TIME - 1), expiresAt: String(LAST_PROVABLE_TIME) })
    })
})
