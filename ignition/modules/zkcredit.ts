import { buildModule } from "@nomicfoundation/hardhat-ignition/modules"

/**
 * zkcredit's contracts. The same module deploys to the local chain (`npm start`) and to any EVM
 * network (`npx hardhat ignition deploy ignition/modules/zkcredit.ts --network remote
 * --parameters ignition/parameters/<network>.json`).
 *
 * Parameters (module `ZkCredit`):
 * - `admin`: gets DEFAULT_ADMIN_ROLE everywhere, the credit verifier's pause included, and the trust
 *   registry's `BUREAU_ADMIN_ROLE` and `COMMITTEE_ADMIN_ROLE` (default: the deployer). Those two
 *   roles administer themselves: the admin hands each to the bureau's and the committee's own
 *   accounts with `grantRole`, then `renounceRole`.
 * - `rootValidity`: seconds a replaced KYC root stays valid (default 3600)
 * - `maxProofAge`: seconds a proof's time may lag block time (default 600)
 * - `maxFutureSkew`: seconds it may lead block time, for clock skew (default 60)
 * - `maxActiveLoans`: active loans per pseudonym (default 1)
 *
 * The test stablecoin is a module of its own (test-stablecoin.ts): never part of a real deployment.
 *
 * The markets' token allowlists start empty: offers and requests can use no token until the admin allows it.
 * `scripts/lib/deploy.ts` allows the test stablecoin and the `--allow-token` addresses after this
 * module, with one `setTokenAllowed(token, true)` each (skipped when already allowed, so a resumed deployment sends
 * none twice); the list of tokens is the operator's, not a module parameter.
 *
 * Deploy through `npm run deploy` (scripts/deploy.ts): it refuses to send the INSECURE development
 * verifier (contracts/generated/, public trusted setup) to any chain but the local one (31337)
 * unless the operator passes `--allow-insecure-dev-verifier`. Ignition itself cannot see the chain
 * id while it builds the module.
 */
export default buildModule("ZkCredit", (m) => {
    const admin = m.getParameter("admin", m.getAccount(0))
    const rootValidity = m.getParameter("rootValidity", 3600)
    const maxProofAge = m.getParameter("maxProofAge", 600)
    const maxFutureSkew = m.getParameter("maxFutureSkew", 60)
    const maxActiveLoans = m.getParameter("maxActiveLoans", 1)

    // KYC roots, bureau keys and committee keys in one contract: a proof's checks are one call
    const trustRegistry = m.contract("TrustRegistry", [admin, admin, admin, rootValidity])
    const creditVerifier = m.contract("CreditVerifier", [admin, trustRegistry, maxProofAge, maxFutureSkew])
    const loanMarket = m.contract("LoanMarket", [admin, creditVerifier, maxActiveLoans])
    const escrowOpenings = m.contract("EscrowOpenings", [admin, loanMarket, trustRegistry])
    // loan requests funded by many lenders and their ERC-721 positions: same verifier, own records
    const requestMarket = m.contract("RequestMarket", [admin, creditVerifier, maxActiveLoans])
    // each market's loans are opened through an EscrowOpenings of its own (the loan id names the opening)
    const requestEscrowOpenings = m.contract("EscrowOpenings", [admin, requestMarket, trustRegistry], { id: "RequestEscrowOpenings" })

    return { trustRegistry, creditVerifier, loanMarket, escrowOpenings, requestMarket, requestEscrowOpenings }
})
