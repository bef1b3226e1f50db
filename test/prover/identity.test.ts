import { inspect } from "node:util"
import { poseidon1 } from "poseidon-lite/poseidon1"
import { poseidon2 } from "poseidon-lite/poseidon2"
import { describe, expect, it } from "vitest"
import { Identity, SNARK_SCALAR_FIELD, ZkCreditError } from "../../prover/src/index.ts"

const FAST = { iterations: 1_000 } // PBKDF2 cost is not what these tests are about

describe("Identity", () => {
    describe("# constructor", () => {
        it("creates a random identity whose commitment is Poseidon(secret)", () => {
            const identity = new Identity()
            expect(identity.secret).toBeGreaterThan(0n)
            expect(identity.secret).toBeLessThan(SNARK_SCALAR_FIELD)
            expect(identity.commitment).toBe(poseidon1([identity.secret]))
            expect(new Identity().secret).not.toBe(identity.secret)
        })

        it("restores an identity from its secret", () => {
            expect(new Identity(42n).commitment).toBe(poseidon1([42n]))
            expect(new Identity("42").commitment).toBe(new Identity(42).commitment)
        })

        it("refuses a secret of 0, negative or outside the field, without echoing it", () => {
            expect(() => new Identity(0n)).toThrowError(expect.objectContaining({ code: "OUT_OF_RANGE", parameter: "secret" }))
            const big = SNARK_SCALAR_FIELD + 12345n
            try {
                new Identity(big)
                expect.unreachable()
            } catch (error) {
                expect(error).toBeInstanceOf(ZkCreditError)
                expect((error as ZkCreditError).code).toBe("NOT_A_FIELD_ELEMENT")
                expect((error as Error).message).not.toContain(big.toString())
            }
            expect(() => new Identity(-1n)).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT" }))
            expect(() => new Identity("abc")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }))
            expect(() => new Identity(1.5)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }))
        })

        it("never shows the secret when serialised or logged", () => {
            const identity = new Identity()
            const secret = identity.secret.toString()
            expect(JSON.stringify(identity)).not.toContain(secret)
            expect(JSON.stringify({ identity })).toBe(JSON.stringify({ identity: { commitment: identity.commitment.toString() } }))
            expect(inspect(identity, { depth: 5 })).not.toContain(secret)
            expect(Object.keys(identity)).toEqual(["commitment"])
        })
    })

    describe("# nullifier", () => {
        it("is Poseidon(secret, scope): one pseudonym per market, unlinkable across markets", () => {
            const identity = new Identity(7n)
            expect(identity.nullifier(99n)).toBe(poseidon2([7n, 99n]))
            expect(identity.nullifier(1n)).not.toBe(identity.nullifier(2n))
            expect(new Identity(8n).nullifier(1n)).not.toBe(identity.nullifier(1n))
        })

        it("refuses a scope outside the field", () => {
            expect(() => new Identity(7n).nullifier(SNARK_SCALAR_FIELD)).toThrowError(expect.objectContaining({ code: "NOT_A_FIELD_ELEMENT", parameter: "scope" }))
        })
    })

    describe("# exportBackup / importBackup", () => {
        it("round-trips through an encrypted backup, as an object and as JSON text", async () => {
            const identity = new Identity()
            const backup = await identity.exportBackup("correct horse", FAST)
            expect(JSON.stringify(backup)).not.toContain(identity.secret.toString())
            expect(JSON.stringify(backup)).not.toContain(identity.commitment.toString())
            expect((await Identity.importBackup(backup, "correct horse")).secret).toBe(identity.secret)
            expect((await Identity.importBackup(JSON.stringify(backup), "correct horse")).commitment).toBe(identity.commitment)
        })

        it("carries the attestation only when asked, encrypted with the secret; backups without it open the same way", async () => {
            const identity = new Identity()
            const attestation = { attestation: { commitment: identity.commitment.toString(), score: 713, signature: { S: "98765432109876543210" } }, score: 713 }
            const withIt = await identity.exportBackup("correct horse", { ...FAST, attestation })
            expect(JSON.stringify(withIt)).not.toContain("98765432109876543210")
            expect(JSON.stringify(withIt)).not.toContain("713")
            const opened = await Identity.openBackup(withIt, "correct horse")
            expect(opened.identity.secret).toBe(identity.secret)
            expect(opened.attestation).toEqual(attestation)
            // importBackup (and the readers before this option) still return the identity alone
            expect((await Identity.importBackup(withIt, "correct horse")).commitment).toBe(identity.commitment)
            const without = await Identity.openBackup(await identity.exportBackup("correct horse", FAST), "correct horse")
            expect(without).toEqual({ identity: expect.any(Identity) })
            expect(without.identity.commitment).toBe(identity.commitment)
        })

        it("uses 600,000 PBKDF2 iterations by default and a fresh salt and IV each time", async () => {
            const identity = new Identity()
            const a = await identity.exportBackup("correct horse")
            const b = await identity.exportBackup("correct horse", FAST)
            expect(a.kdf.iterations).toBe(600_000)
            expect(a.kdf.salt).not.toBe(b.kdf.salt)
            expect(a.cipher.iv).not.toBe(b.cipher.iv)
        })

        it("refuses a wrong password", async () => {
            const backup = await new Identity().exportBackup("correct horse", FAST)
            await expect(Identity.importBackup(backup, "wrong horse")).rejects.toMatchObject({ code: "BACKUP_WRONG_PASSWORD", parameter: "password" })
        })

        it("detects a tampered ciphertext or header (authenticated encryption)", async () => {
            const backup = await new Identity().exportBackup("correct horse", FAST)
            const flipped = backup.ciphertext.startsWith("A") ? `B${backup.ciphertext.slice(1)}` : `A${backup.ciphertext.slice(1)}`
            await expect(Identity.importBackup({ ...backup, ciphertext: flipped }, "correct horse")).rejects.toMatchObject({ code: "BACKUP_WRONG_PASSWORD" })
            await expect(Identity.importBackup({ ...backup, kdf: { ...backup.kdf, iterations: 1001 } }, "correct horse")).rejects.toMatchObject({ code: "BACKUP_WRONG_PASSWORD" })
        })

        it("refuses malformed backups with BACKUP_INVALID", async () => {
            const backup = await new Identity().exportBackup("correct horse", FAST)
            for (const bad of ["not json", "{}", JSON.stringify({ ...backup, format: "other" }), JSON.stringify({ ...backup, version: 2 }), JSON.stringify({ ...backup, kdf: { ...backup.kdf, iterations: 10 } }), JSON.stringify({ ...backup, cipher: null })]) {
                await expect(Identity.importBackup(bad, "correct horse")).rejects.toMatchObject({ code: "BACKUP_INVALID" })
            }
            await expect(Identity.importBackup({ ...backup, ciphertext: "%%%" }, "correct horse")).rejects.toMatchObject({ code: "BACKUP_INVALID" })
        })

        it("refuses a password shorter than 8 characters and bad iteration counts", async () => {
            const identity = new Identity()
            await expect(identity.exportBackup("short")).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "password" })
            await expect(identity.exportBackup("long enough", { iterations: 10 })).rejects.toMatchObject({ code: "OUT_OF_RANGE", parameter: "iterations" })
            await expect(Identity.importBackup("{}", undefined as unknown as string)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", parameter: "password" })
        })
    })
})
