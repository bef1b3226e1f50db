/**
 * A bureau service with everything it needs and no chain, for tests that are about something
 * else (recovery, malformed input) and for the benchmark: an embedded in-memory database (one per
 * process) with
 * the test providers registered, an officer that is a local wallet (named so: the chain check of
 * the officer role is replaced by "is this wallet"), and a helper that enrols an applicant
 * (records, binding) and gets them an attestation over HTTP with a real history proof.
 */
import { readFileSync } from "node:fs"
import { Wallet } from "ethers"
import { signBinding, type KycBinding } from "../../bureau/src/binding.ts"
import { openDatabase } from "../../bureau/src/db/database.ts"
import { BureauStore } from "../../bureau/src/db/store.ts"
import { periodOf, recordId } from "../../bureau/src/records.ts"
import { createBureauService, type BureauService, type BureauServiceOptions } from "../../bureau/src/service.ts"
import { HISTORY_PROOF_ARTIFACTS } from "../../circuits/artifacts.ts"
import type { Attestation } from "../../prover/src/attestation.ts"
import type { Identity } from "../../prover/src/identity.ts"
import { asApplicant, provenRequest } from "./applicant-client.ts"
import { goodPersonRecords, ref, REGISTRATIONS } from "./provider-fixtures.ts"

/** The officer of {@link startTestBureau}: a fixed local wallet. */
export const TEST_OFFICER = new Wallet(`0x${"0f".repeat(32)}`)

/**
 * One in-memory database per test process, shared by its test bureaus: opening PGlite costs
 * seconds, and what two bureaus of one file store never clash (records are keyed by their
 * signed bytes, challenges are random).
 */
let shared: Promise<BureauStore> | undefined

/** The TrustRegistry address and chain the test bindings name. */
export const TEST_BINDING_DOMAIN = { chainId: 31337, kycRegistry: "0x00000000000000000000000000000000000000c0" }

/** A running test bureau. */
export interface TestBureau {
    service: BureauService
    store: BureauStore
    url: string
    /** Stores good records for a new person reference, has the officer bind it to `identity`, and returns the binding. */
    enrol(identity: { commitment: bigint }, nationalId?: string): Promise<KycBinding>
    /** {@link enrol} if needed, then an attestation over HTTP with a real history proof. */
    attest(identity: Identity): Promise<Attestation>
    close(): Promise<void>
}

/**
 * Starts a bureau on a free loopback port.
 * @param options Key, validity, clock and logger, as for {@link createBureauService}.
 */
export async function startTestBureau(options: Pick<BureauServiceOptions, "privateKey" | "validitySeconds" | "now" | "logger" | "maxBodyBytes" | "recordedDefaults"> & { port?: number }): Promise<TestBureau> {
    const { port = 0, ...serviceOptions } = options
    shared ??= openDatabase().then((db) => BureauStore.open(db))
    const store = await shared
    for (const registration of REGISTRATIONS) await store.addProvider({ ...registration, registeredAt: 0 })
    const service = createBureauService({
        ...serviceOptions,
        store,
        officers: { ...TEST_BINDING_DOMAIN, isOfficer: async (address) => address === TEST_OFFICER.address },
        historyVerificationKey: JSON.parse(readFileSync(HISTORY_PROOF_ARTIFACTS.vkey, "utf8")) as object
    })
    const url = await service.listen(port)
    const bindings = new Map<bigint, KycBinding>()
    const now = () => (options.now ?? (() => Math.floor(Date.now() / 1000)))()
    async function enrol(identity: { commitment: bigint }, nationalId = `44${identity.commitment.toString().slice(0, 16)}`): Promise<KycBinding> {
        const personRef = ref(nationalId)
        const records = goodPersonRecords(personRef, periodOf(now())).map((record) => ({ id: recordId(record), record }))
        await store.insertRecords(records, now())
        const binding = await signBinding(TEST_OFFICER, { personRef, commitment: identity.commitment.toString(), subjectKind: "person", issuedAt: now() }, TEST_BINDING_DOMAIN)
        bindings.set(identity.commitment, binding)
        return binding
    }
    return {
        service,
        store,
        url,
        enrol,
        async attest(identity) {
            const binding = bindings.get(identity.commitment) ?? (await enrol(identity))
            const answer = await asApplicant(url, "/v1/attestations", binding, await provenRequest(url, identity))
            if (answer.status !== 200) throw new Error(`the bureau answered ${answer.status}: ${JSON.stringify(answer.body)}`)
            return answer.body.attestation as Attestation
        },
        async close() {
            // the shared in-memory database lives as long as the test process
            await service.close()
        }
    }
}
