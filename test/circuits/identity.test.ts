/**
 * IdentityCommitment and Nullifier (circuits/src/lib/identity.circom) compute what the prover's
 * Identity computes, and a witness whose output is edited breaks a constraint.
 */
import type { WitnessTester } from "circomkit"
import { beforeAll, describe, expect, it } from "vitest"
import { computeScope, Identity, SNARK_SCALAR_FIELD as P } from "../../prover/src/index.ts"
import { BORROW } from "../helpers/fixtures.ts"
import { read, validWitness, witnessTester } from "./utils.ts"

const identities = [new Identity(1n), new Identity(123456789n), new Identity(P - 1n), new Identity()]
const scopes = [computeScope(BORROW.chainId, BORROW.market), computeScope(1n, BORROW.market), 0n, P - 1n]

describe("IdentityCommitment", () => {
    let tester: WitnessTester
    beforeAll(async () => {
        tester = await witnessTester("identity_commitment", { file: "lib/identity", template: "IdentityCommitment" })
    })

    it("equals Identity.commitment (secrets 1, 123456789, p - 1 and a random one)", async () => {
        for (const identity of identities) {
            const witness = await validWitness(tester, { secret: identity.secret })
            expect(await read(tester, witness, "commitment")).toBe(identity.commitment)
        }
    })

    it("a witness with the commitment edited breaks a constraint", async () => {
        const identity = identities[1] as Identity
        const witness = await validWitness(tester, { secret: identity.secret })
        for (const fake of [identity.commitment + 1n, (identities[0] as Identity).commitment, 0n]) {
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.commitment": fake }))
        }
    })
})

describe("Nullifier", () => {
    let tester: WitnessTester
    beforeAll(async () => {
        tester = await witnessTester("identity_nullifier", { file: "lib/identity", template: "Nullifier" })
    })

    it("equals identity.nullifier(scope) for every identity and scope", async () => {
        for (const identity of identities) {
            for (const scope of scopes) {
                const witness = await validWitness(tester, { secret: identity.secret, scope })
                expect(await read(tester, witness, "nullifier")).toBe(identity.nullifier(scope))
            }
        }
    })

    it("differs per scope and per identity, and from the commitment", async () => {
        const identity = identities[1] as Identity
        const values = new Set<bigint>([identity.commitment])
        for (const scope of scopes) {
            values.add(await read(tester, await validWitness(tester, { secret: identity.secret, scope }), "nullifier"))
        }
        values.add(await read(tester, await validWitness(tester, { secret: (identities[2] as Identity).secret, scope: scopes[0] }), "nullifier"))
        expect(values.size).toBe(scopes.length + 2)
    })

    it("a witness with the nullifier edited breaks a constraint", async () => {
        const identity = identities[1] as Identity
        const scope = scopes[0] as bigint
        const witness = await validWitness(tester, { secret: identity.secret, scope })
        // another scope's nullifier, another identity's, and an arbitrary value
        for (const fake of [identity.nullifier(scopes[1] as bigint), (identities[0] as Identity).nullifier(scope), identity.nullifier(scope) + 1n]) {
            await tester.expectConstraintFail(await tester.editWitness(witness, { "main.nullifier": fake }))
        }
    })
})
