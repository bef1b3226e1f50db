/**
 * The KYC binding: a compliance officer's EIP-712 signature over (person reference, identity
 * commitment, subject kind, issue time), given to a member when the officer admits them. It ties
 * the records the bureau holds for a person reference to the identity commitment an attestation
 * is for. The bureau accepts it only from an address that holds the officer role in the
 * `TrustRegistry` it names (the EIP-712 domain's `verifyingContract`), so no new key registry is
 * needed: officers already sign with their Ethereum accounts. Pure: runs in Node and browsers.
 */
import { verifyTypedData, type TypedDataDomain, type TypedDataField } from "ethers"
import { requireFieldElement } from "../../prover/src/checks.ts"
import { requireJsonObject } from "./applicant.ts"
import { BureauInputError, describeType } from "./errors.ts"
import { requirePersonRef, type SubjectKind } from "./person-ref.ts"

/** What the officer signs. */
export interface BindingFields {
    personRef: string
    /** The member's identity commitment (KYC leaf), decimal. */
    commitment: string
    subjectKind: SubjectKind
    /** Unix seconds. */
    issuedAt: number
}

/** A signed binding as the member keeps it (JSON). */
export interface KycBinding extends BindingFields {
    format: "zkcredit-kyc-binding"
    chainId: number
    /** The TrustRegistry whose KYC officer signed. */
    kycRegistry: string
    /** The officer's address. */
    officer: string
    signature: string
}

/** EIP-712 types of a binding. */
export const BINDING_TYPES: Record<string, TypedDataField[]> = {
    KycBinding: [
        { name: "personRef", type: "bytes32" },
        { name: "commitment", type: "uint256" },
        { name: "subjectKind", type: "string" },
        { name: "issuedAt", type: "uint64" }
    ]
}

/** The EIP-712 domain: one per chain and TrustRegistry. */
export function bindingDomain(chainId: number, kycRegistry: string): TypedDataDomain {
    return { name: "zkcredit KYC binding", version: "1", chainId, verifyingContract: kycRegistry }
}

/** Something that signs EIP-712 data (an ethers Signer). */
export interface TypedDataSigner {
    getAddress(): Promise<string>
    signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>
}

/**
 * Signs a binding as an officer.
 * @param signer The officer's account.
 * @param fields Person reference, commitment, kind and issue time.
 * @param domain The chain and the TrustRegistry's address (`kycRegistry`).
 */
export async function signBinding(signer: TypedDataSigner, fields: BindingFields, domain: { chainId: number; kycRegistry: string }): Promise<KycBinding> {
    requirePersonRef(fields.personRef, "personRef")
    requireFieldElement(fields.commitment, "commitment")
    const value = { personRef: fields.personRef, commitment: fields.commitment, subjectKind: fields.subjectKind, issuedAt: fields.issuedAt }
    const signature = await signer.signTypedData(bindingDomain(domain.chainId, domain.kycRegistry), BINDING_TYPES, value)
    return { format: "zkcredit-kyc-binding", ...value, chainId: domain.chainId, kycRegistry: domain.kycRegistry, officer: await signer.getAddress(), signature }
}

/**
 * Parses a binding's fields.
 * @throws BureauInputError naming the first bad field.
 */
export function parseBinding(value: unknown, path = "binding"): KycBinding {
    const o = requireJsonObject(value, path)
    const allowed = ["format", "personRef", "commitment", "subjectKind", "issuedAt", "chainId", "kycRegistry", "officer", "signature"]
    for (const key of Object.keys(o)) {
        if (!allowed.includes(key)) throw new BureauInputError("UNKNOWN_FIELD", `${path}.${key}`, `${path}.${key} is not a field of a KYC binding; the fields are ${allowed.join(", ")}`)
    }
    for (const key of allowed) {
        if (o[key] === undefined) throw new BureauInputError("MISSING_FIELD", `${path}.${key}`, `${path}.${key} is required: send the binding file your compliance officer gave you, unchanged`)
    }
    if (o.format !== "zkcredit-kyc-binding") throw new BureauInputError("INVALID_VALUE", `${path}.format`, `${path}.format must be "zkcredit-kyc-binding"`)
    const personRef = requirePersonRef(o.personRef, `${path}.personRef`)
    if (typeof o.commitment !== "string") throw new BureauInputError("WRONG_TYPE", `${path}.commitment`, `${path}.commitment must be a decimal string, got ${describeType(o.commitment)}`)
    let commitment: bigint
    try {
        commitment = requireFieldElement(o.commitment, `${path}.commitment`)
    } catch {
        throw new BureauInputError("INVALID_VALUE", `${path}.commitment`, `${path}.commitment must be a field element as a decimal string`)
    }
    if (commitment === 0n) throw new BureauInputError("INVALID_VALUE", `${path}.commitment`, `${path}.commitment must not be 0 (the empty KYC leaf)`)
    if (o.subjectKind !== "person" && o.subjectKind !== "sme") throw new BureauInputError("INVALID_VALUE", `${path}.subjectKind`, `${path}.subjectKind must be "person" or "sme"`)
    for (const key of ["issuedAt", "chainId"]) {
        if (typeof o[key] !== "number" || !Number.isSafeInteger(o[key]) || (o[key] as number) < 0) throw new BureauInputError("WRONG_TYPE", `${path}.${key}`, `${path}.${key} must be a non-negative whole number`)
    }
    for (const key of ["kycRegistry", "officer"]) {
        if (typeof o[key] !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o[key] as string)) throw new BureauInputError("INVALID_VALUE", `${path}.${key}`, `${path}.${key} must be an address, 0x + 40 hex digits`)
    }
    if (typeof o.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(o.signature)) throw new BureauInputError("INVALID_VALUE", `${path}.signature`, `${path}.signature must be a 65-byte signature, 0x + 130 hex digits`)
    return {
        format: "zkcredit-kyc-binding",
        personRef,
        commitment: commitment.toString(),
        subjectKind: o.subjectKind,
        issuedAt: o.issuedAt as number,
        chainId: o.chainId as number,
        kycRegistry: o.kycRegistry as string,
        officer: o.officer as string,
        signature: o.signature
    }
}

/**
 * The address that signed a binding (whoever that is: the caller checks it is an officer).
 * @returns The recovered address, or `null` when the signature is not over these fields.
 */
export function recoverBindingSigner(binding: KycBinding): string | null {
    try {
        const value = { personRef: binding.personRef, commitment: binding.commitment, subjectKind: binding.subjectKind, issuedAt: binding.issuedAt }
        return verifyTypedData(bindingDomain(binding.chainId, binding.kycRegistry), BINDING_TYPES, value, binding.signature)
    } catch {
        return null
    }
}
