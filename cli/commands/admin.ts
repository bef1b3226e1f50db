/**
 * `zkcredit admin`: what the deployer's admin account does: register bureaus and their keys
 * (with validity windows, and revocation), grant and revoke the officer role, keep the market's
 * token allowlist, pause and unpause.
 */
import type { Command } from "commander"
import { inCurve } from "@zk-kit/baby-jubjub"
import { dataSlice, getAddress } from "ethers"
import { bureauKeyHash, createBureauKey, isLowOrderKey } from "../../prover/src/attestation.ts"
import { action } from "../lib/command.ts"
import { confirm } from "../lib/confirm.ts"
import type { CliContext } from "../lib/context.ts"
import { badInput, failed } from "../lib/exit-codes.ts"
import { readJson } from "../lib/files.ts"
import { describeValue, parseAddress, parseFieldElement, parseInteger } from "../lib/parse.ts"
import { resolveTokenAddress, tokenInfo } from "../lib/token.ts"
import { isoTime } from "../lib/table.ts"
import { send } from "../lib/tx.ts"
import { KEY_ANCHORS_HELP, NO_KEY_ANCHORS_OPTION, reportRegisteredKey } from "./anchors.ts"
import { revokeRoot } from "./officer.ts"

const DAY = 86_400

/** Registers the admin's subcommands. */
export function registerAdmin(admin: Command): void {
    admin.addHelpText(
        "after",
        `
Roles needed (the deployment's admin, the deployer by default, holds every admin role; OFFICER_ROLE
is granted with \`admin officer grant\`):
- bureau add, bureau-key add/revoke: BUREAU_ADMIN_ROLE on the TrustRegistry
- officer grant/revoke, unpause kyc: DEFAULT_ADMIN_ROLE on the TrustRegistry
- pause kyc: OFFICER_ROLE on the TrustRegistry; revoke-root: OFFICER_ROLE or DEFAULT_ADMIN_ROLE there
- allow-token, disallow-token, pause/unpause market or verifier: DEFAULT_ADMIN_ROLE on that contract
BUREAU_ADMIN_ROLE administers itself: DEFAULT_ADMIN_ROLE cannot grant it.`
    )

    const bureau = admin.command("bureau").description("registered credit bureaus")
    bureau
        .command("add")
        .description("register a bureau; prints its id")
        .argument("<name>", "the bureau's name")
        .action(
            action(async (ctx, _options, [name]) => {
                if (!name || !name.trim()) throw badInput("INVALID_NAME", "the bureau needs a name")
                const { bureauRegistry } = await ctx.writeContracts()
                const receipt = await send(ctx.out, `registering bureau "${name}"`, () => bureauRegistry.getFunction("addBureau")(name))
                const event = receipt.logs.map((log) => bureauRegistry.interface.parseLog(log)).find((e) => e?.name === "BureauAdded")
                const bureauId = Number(event!.args.bureauId)
                ctx.out.result({ bureauId, name, transactionHash: receipt.hash }, `registered bureau ${bureauId} "${name}"`)
            })
        )
    bureau
        .command("list")
        .description("list registered bureaus")
        .action(
            action(async (ctx) => {
                const { bureauRegistry } = await ctx.readContracts()
                const count = Number(await bureauRegistry.getFunction("bureauCount")())
                const bureaus = await Promise.all(Array.from({ length: count }, async (_, i) => ({ bureauId: i + 1, name: String(await bureauRegistry.getFunction("bureauName")(i + 1)) })))
                ctx.out.result({ bureaus }, bureaus.length ? bureaus.map((b) => `${b.bureauId}  ${b.name}`).join("\n") : "no bureaus")
            })
        )

    const key = admin.command("bureau-key").description("bureau attestation keys on chain")
    key.command("add")
        .description("register a bureau's key, active from now (chain time) for --valid-days")
        .requiredOption("--bureau <id>", "the bureau's id (from `admin bureau add`)")
        .requiredOption("--key <file>", "the bureau's key file, or a JSON file with its public part { publicKey: [Ax, Ay], keyHash }")
        .option("--valid-days <n>", "days the key stays active", "365")
        .option("--valid-from <unix>", "first second it is active (default: the latest block's time)")
        .option(...NO_KEY_ANCHORS_OPTION)
        .addHelpText("after", `\n${KEY_ANCHORS_HELP}`)
        .action(action<{ bureau: string; key: string; validDays: string; validFrom?: string; anchors: boolean }>(async (ctx, options) => addKey(ctx, options)))
    key.command("revoke")
        .description("revoke a key now: proofs naming it are refused from this block on")
        .argument("<keyHash>", "the key's hash (decimal)")
        .action(
            action(async (ctx, _options, [text]) => {
                const keyHash = parseFieldElement(text!, "keyHash")
                const { bureauRegistry } = await ctx.writeContracts()
                const registered = await bureauRegistry.getFunction("keyOf")(keyHash)
                if (BigInt(registered.ax) === 0n && BigInt(registered.ay) === 0n) throw badInput("UNKNOWN_KEY", `no key with hash ${keyHash} is registered`)
                await confirm(ctx, `revoke key ${keyHash}? Borrowers' attestations signed by it stop working.`)
                const receipt = await send(ctx.out, "revoking the key", () => bureauRegistry.getFunction("revokeKey")(keyHash))
                ctx.out.result({ revoked: keyHash.toString(), transactionHash: receipt.hash }, `revoked key ${keyHash}`)
            })
        )

    const officer = admin.command("officer").description("the KYC registry's officer role")
    for (const verb of ["grant", "revoke"] as const) {
        officer
            .command(verb)
            .description(`${verb} OFFICER_ROLE ${verb === "grant" ? "to" : "from"} an address`)
            .argument("<address>", "the officer's address")
            .action(
                action(async (ctx, _options, [text]) => {
                    const address = parseAddress(text!, "address")
                    const { kycRegistry } = await ctx.writeContracts()
                    const role = await kycRegistry.getFunction("OFFICER_ROLE")()
                    const receipt = await send(ctx.out, `${verb} OFFICER_ROLE ${verb === "grant" ? "to" : "from"} ${address}`, () => kycRegistry.getFunction(verb === "grant" ? "grantRole" : "revokeRole")(role, address))
                    ctx.out.result({ officer: address, role: verb === "grant" ? "granted" : "revoked", transactionHash: receipt.hash }, `${address} ${verb === "grant" ? "is now an officer" : "is no longer an officer"}`)
                })
            )
    }

    for (const verb of ["allow-token", "disallow-token"] as const) {
        admin
            .command(verb)
            .description(
                verb === "allow-token"
                    ? "let offers use an ERC-20 token (the market's allowlist); vet its contract and who controls it first"
                    : "stop new offers and deposits in a token; its existing offers still repay, withdraw and default"
            )
            .argument("<address>", "the token's address, or tusd for the test stablecoin")
            .option("--requests", "the request market's allowlist (loan requests and their funding) instead of the offer market's")
            .action(action<{ requests?: boolean }>(async (ctx, options, [text]) => setTokenAllowed(ctx, text!, verb === "allow-token", options.requests ?? false)))
    }
    admin
        .command("tokens")
        .description("the market's token allowlist: every token allowed now")
        .action(action(async (ctx) => listAllowedTokens(ctx)))

    admin
        .command("revoke-root")
        .description("revoke a published KYC root at once (emergency): no proof against it lands")
        .argument("<root>", "the root (decimal or 0x-hex)")
        .action(action(async (ctx, _options, [root]) => revokeRoot(ctx, root)))

    const NAMES = { kyc: "KYC registry", market: "market", verifier: "credit verifier" } as const
    for (const verb of ["pause", "unpause"] as const) {
        admin
            .command(verb)
            .description(
                verb === "pause"
                    ? "pause the KYC registry (membership changes), the loan market (new offers, deposits, loans: it checks its borrows' proofs itself) or the credit verifier (the proofs of every other market); the emergency brake on proofs is both market and verifier"
                    : "lift a pause"
            )
            .argument("<contract>", "kyc, market or verifier")
            .action(
                action(async (ctx, _options, [which]) => {
                    if (which !== "kyc" && which !== "market" && which !== "verifier") throw badInput("USAGE", `<contract> must be kyc, market or verifier, got ${JSON.stringify(which)}`)
                    const contracts = await ctx.writeContracts()
                    const contract = which === "kyc" ? contracts.kycRegistry : which === "market" ? contracts.loanMarket : contracts.creditVerifier
                    const paused = Boolean(await contract.getFunction("paused")())
                    if (paused === (verb === "pause")) throw failed("ALREADY", `the ${NAMES[which]} is ${paused ? "paused" : "not paused"} already`)
                    const receipt = await send(ctx.out, `${verb} the ${which}`, () => contract.getFunction(verb)())
                    ctx.out.result({ contract: which, paused: verb === "pause", transactionHash: receipt.hash }, `the ${NAMES[which]} is ${verb === "pause" ? "paused" : "running"}`)
                })
            )
    }
}

/**
 * The public key and hash in a key file (a bureau's full key file or its public part). The key
 * must be a point of Baby Jubjub and not of small order: such a key could never sign, or would
 * accept forged signatures; registering it would waste a transaction, or worse.
 */
async function readPublicKey(path: string): Promise<{ ax: bigint; ay: bigint; keyHash: bigint }> {
    const data = (await readJson(path, "bureau key file")) as { privateKey?: unknown; publicKey?: unknown; keyHash?: unknown }
    const bad = (why: string) => badInput("INVALID_KEY_FILE", `${path}: ${why}`, { file: path })
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw bad("expected a JSON object")
    let ax: bigint
    let ay: bigint
    if (data.privateKey !== undefined) {
        try {
            ;[ax, ay] = createBureauKey(data.privateKey as string).publicKey
        } catch {
            throw bad("privateKey must be 0x followed by 64 hex digits")
        }
        if (data.publicKey !== undefined && JSON.stringify(data.publicKey) !== JSON.stringify([ax.toString(), ay.toString()])) throw bad("publicKey does not match privateKey")
    } else if (Array.isArray(data.publicKey) && data.publicKey.length === 2) {
        const coordinate = (value: unknown, name: string): bigint => {
            if (typeof value !== "string" && !(typeof value === "number" && Number.isSafeInteger(value))) throw bad(`${name} must be a decimal or 0x-hex string, got ${describeValue(value)}`)
            return parseFieldElement(String(value), name)
        }
        ax = coordinate(data.publicKey[0], "publicKey[0]")
        ay = coordinate(data.publicKey[1], "publicKey[1]")
        if (!inCurve([ax, ay])) throw bad("publicKey is not a point of Baby Jubjub: not a bureau key")
        if (isLowOrderKey([ax, ay])) throw bad("publicKey is a point of small order, which would accept forged signatures: not a bureau key")
    } else throw bad('expected { "publicKey": [Ax, Ay], "keyHash" } or a bureau key file')
    const keyHash = bureauKeyHash([ax, ay])
    if (data.keyHash !== undefined && data.keyHash !== keyHash.toString()) throw bad("keyHash (a decimal string) does not match the public key")
    return { ax, ay, keyHash }
}

/** `admin allow-token` / `disallow-token`: checks the token and its state, then sends the change. */
async function setTokenAllowed(ctx: CliContext, text: string, allow: boolean, requests = false): Promise<void> {
    const address = resolveTokenAddress(text, await ctx.deployment(), "<address>")
    if (BigInt(address) === 0n) throw badInput("INVALID_ADDRESS", "<address> is the zero address: give the token contract's address", { option: "<address>" })
    const provider = await ctx.provider()
    if ((await provider.getCode(address)) === "0x") throw badInput("NOT_A_TOKEN", `${address} is not a contract on this chain: give the token contract's address`, { token: address })
    const read = await ctx.readContracts()
    if (requests && !read.requestMarket) throw failed("NO_REQUEST_MARKET", "--requests: this deployment has no RequestMarket (deployments/<chainId>.json has no contracts.requestMarket)")
    const loanMarket = requests ? read.requestMarket! : read.loanMarket
    // a token to allow must answer decimals() (NOT_A_TOKEN otherwise: offers could not show amounts);
    // one to disallow is named as well as it can be, whatever it answers
    const token = allow ? await tokenInfo(address, provider) : await tokenInfo(address, provider).catch(() => ({ symbol: "token" }))
    const allowed = Boolean(await loanMarket.getFunction("isTokenAllowed")(address))
    if (allowed === allow) throw failed("ALREADY", `${token.symbol} (${address}) is ${allowed ? "allowed" : "not allowed"} already`)
    const contracts = await ctx.writeContracts()
    const writable = requests ? contracts.requestMarket! : contracts.loanMarket
    const receipt = await send(ctx.out, `${allow ? "allowing" : "disallowing"} ${token.symbol} (${address})${requests ? " for loan requests" : ""}`, () => writable.getFunction("setTokenAllowed")(address, allow))
    ctx.out.result(
        { token: address, symbol: token.symbol, allowed: allow, transactionHash: receipt.hash },
        requests
            ? `${token.symbol} (${address}) is ${allow ? "allowed" : "no longer allowed"} for loan requests${allow ? "" : ": no new requests or funding in it; its loans still repay, claim and refund"}`
            : allow
              ? `${token.symbol} (${address}) is allowed: offers may use it`
              : `${token.symbol} (${address}) is no longer allowed: no new offers or deposits in it; its offers still repay, withdraw and default`
    )
}

/** `admin tokens`: the allowlist, rebuilt from the market's events and checked against the chain. */
async function listAllowedTokens(ctx: CliContext): Promise<void> {
    const deployment = await ctx.deployment()
    const provider = await ctx.provider()
    const { loanMarket } = await ctx.readContracts()
    const events = await loanMarket.queryFilter(loanMarket.filters.TokenAllowed!(), deployment.deployBlock)
    const candidates = [...new Set(events.map((e) => getAddress(dataSlice(e.topics[1]!, 12))))]
    const tokens = []
    for (const address of candidates) {
        if (!(await loanMarket.getFunction("isTokenAllowed")(address))) continue
        const symbol = await tokenInfo(address, provider).then((t) => t.symbol, () => "?")
        tokens.push({ token: address, symbol })
    }
    ctx.out.result({ tokens }, tokens.length ? tokens.map((t) => `${t.token}  ${t.symbol}`).join("\n") : "no token is allowed: offers cannot be created")
}

async function addKey(ctx: CliContext, options: { bureau: string; key: string; validDays: string; validFrom?: string; anchors: boolean }): Promise<void> {
    const bureauId = parseInteger(options.bureau, "--bureau", { min: 1 })
    const days = parseInteger(options.validDays, "--valid-days", { min: 1, max: 36_500 })
    const explicitFrom = options.validFrom !== undefined ? parseInteger(options.validFrom, "--valid-from") : undefined
    const { ax, ay, keyHash } = await readPublicKey(options.key)
    const provider = await ctx.provider()
    const { bureauRegistry } = await ctx.readContracts()
    if (bureauId > Number(await bureauRegistry.getFunction("bureauCount")())) throw badInput("UNKNOWN_BUREAU", `there is no bureau ${bureauId}: register it with \`zkcredit admin bureau add <name>\``)
    const validFrom = explicitFrom ?? (await provider.getBlock("latest"))!.timestamp
    const validUntil = validFrom + days * DAY
    const writable = (await ctx.writeContracts()).bureauRegistry
    const receipt = await send(ctx.out, `registering key ${keyHash} for bureau ${bureauId}`, () => writable.getFunction("addKey")(bureauId, ax, ay, keyHash, validFrom, validUntil))
    await reportRegisteredKey(
        ctx,
        `the bureau key ${keyHash}`,
        validFrom,
        options.anchors,
        { bureauId, keyHash: keyHash.toString(), publicKey: [ax.toString(), ay.toString()], validFrom, validUntil, transactionHash: receipt.hash },
        [`registered key ${keyHash} for bureau ${bureauId}, active ${isoTime(validFrom)} to ${isoTime(validUntil)}`]
    )
}
