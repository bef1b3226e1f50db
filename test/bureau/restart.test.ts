/**
 * The bureau's data survives a restart of the local platform (`npm start`): the platform's
 * bureau keeps its database in the state folder (PGlite), so an attestation issued before the
 * restart, the providers and their records are there after it, on a fresh chain.
 *
 * Ports: 9120-9122 (+ ZKCREDIT_TEST_PORT_OFFSET).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import type { KycBinding } from "../../bureau/src/binding.ts"
import { DEMO_BACKUP_PASSWORD } from "../../scripts/lib/demo-world.ts"
import { startPlatform, type Platform } from "../../scripts/lib/platform.ts"
import { Identity } from "../../prover/src/identity.ts"
import { testPort } from "../helpers/ports.ts"
import { asApplicant, provenRequest } from "./applicant-client.ts"

const PORTS = { chain: testPort(9120), bureau: testPort(9121), app: testPort(9122) }
const stateDir = mkdtempSync(join(tmpdir(), "zkcredit-restart-"))
let platform: Platform | undefined

afterAll(async () => {
    await platform?.stop()
    rmSync(stateDir, { recursive: true, force: true })
})

describe("the bureau across a restart of the local platform", () => {
    it("keeps providers, records and the attestations it issued", async () => {
        platform = await startPlatform({ ports: PORTS, stateDir, build: false, serveApp: false })
        const borrower = platform.world.borrowers[0]!
        const identity = await Identity.importBackup(readFileSync(join(stateDir, borrower.backupFile), "utf8"), DEMO_BACKUP_PASSWORD)
        const binding = JSON.parse(readFileSync(join(stateDir, borrower.bindingFile), "utf8")) as KycBinding
        const first = await asApplicant(platform.bureauUrl, "/v1/attestations", binding, await provenRequest(platform.bureauUrl, identity))
        expect(first.status).toBe(200)
        expect(first.body.score).toBe(borrower.score)
        const before = await asApplicant(platform.bureauUrl, "/v1/report", binding, await provenRequest(platform.bureauUrl, identity))
        await platform.stop()
        platform = undefined

        platform = await startPlatform({ ports: PORTS, stateDir, build: false, serveApp: false })
        const after = await asApplicant(platform.bureauUrl, "/v1/report", binding, await provenRequest(platform.bureauUrl, identity))
        expect(after.status).toBe(200)
        expect(after.body.attestations).toContainEqual({ score: first.body.score, issuedAt: first.body.attestation.issuedAt, expiresAt: first.body.attestation.expiresAt })
        // the second start resubmitted the same signed records: nothing doubled
        expect(after.body.records.map((r: { id: string }) => r.id).sort()).toEqual(before.body.records.map((r: { id: string }) => r.id).sort())
        expect((await (await fetch(`${platform.bureauUrl}/v1/providers`)).json()).providers).toHaveLength(4)
    }, 600_000)
})
