/**
 * The borrower's files: the identity as an encrypted backup (the same format the app exports
 * and imports) and attestations as JSON next to it. The secret exists in clear only in memory.
 *
 * PBKDF2 iterations of new backups: 600,000 (OWASP's advice for SHA-256), or
 * `ZKCREDIT_KDF_ITERATIONS` (1,000 to 10,000,000), e.g. lower for tests on slow machines.
 */
import { parseAttestation, type Attestation } from "../../prover/src/attestation.ts"
import { Identity } from "../../prover/src/identity.ts"
import { badInput } from "./exit-codes.ts"
import { readJson, readText, writeTextFile } from "./files.ts"
import { PASSWORD_ENV, readPassword } from "./password.ts"
import { parseInteger } from "./parse.ts"

/** The variable that sets the PBKDF2 iterations of new backups. */
export const KDF_ITERATIONS_ENV = "ZKCREDIT_KDF_ITERATIONS"

/** Reads the identity in an encrypted backup file (password from ZKCREDIT_PASSWORD or a prompt). */
export async function loadIdentity(path: string): Promise<Identity> {
    const text = await readText(path, "identity file")
    const password = await readPassword({ env: PASSWORD_ENV.current, prompt: `password of ${path}` })
    return Identity.importBackup(text, password)
}

/**
 * Writes an identity as an encrypted backup (mode 0600).
 * @param passwordEnv Which variable holds the password (ZKCREDIT_PASSWORD, or ZKCREDIT_NEW_PASSWORD when re-encrypting).
 */
export async function saveIdentity(path: string, identity: Identity, options: { passwordEnv: string; overwrite?: boolean }): Promise<void> {
    const password = await readPassword({ env: options.passwordEnv, prompt: `new password for ${path} (8 characters or more)`, confirm: true })
    const raw = process.env[KDF_ITERATIONS_ENV]
    const iterations = raw ? parseInteger(raw, KDF_ITERATIONS_ENV, { min: 1_000, max: 10_000_000 }) : undefined
    const backup = await identity.exportBackup(password, iterations ? { iterations } : {})
    await writeTextFile(path, `${JSON.stringify(backup, null, 2)}\n`, { mode: 0o600, overwrite: options.overwrite ?? false })
}

/**
 * Where an identity's attestation goes by default: beside it, `me.json` -> `me.attestation.json`
 * (and `name.backup.json` -> `name.attestation.json`, as `npm start`'s demo identities have it).
 */
export function defaultAttestationPath(identityPath: string): string {
    return `${identityPath.replace(/(\.backup)?\.json$/i, "")}.attestation.json`
}

/** Reads and checks an attestation file. */
export async function loadAttestation(path: string): Promise<Attestation> {
    const data = await readJson(path, "attestation file")
    try {
        parseAttestation(data as Attestation)
    } catch (error) {
        throw badInput("INVALID_ATTESTATION", `${path} is not an attestation: ${(error as Error).message}`, { file: path })
    }
    return data as Attestation
}
