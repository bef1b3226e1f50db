import hardhatEthers from "@nomicfoundation/hardhat-ethers"
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers"
import hardhatKeystore from "@nomicfoundation/hardhat-keystore"
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers"
import { fileURLToPath } from "node:url"
import { configVariable, defineConfig } from "hardhat/config"

const SOLC_VERSION = "0.8.37"
const SOLC_PATH = fileURLToPath(new URL("./node_modules/solc/soljson.js", import.meta.url))
const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" }

export default defineConfig({
    plugins: [hardhatEthers, hardhatNetworkHelpers, hardhatIgnitionEthers, hardhatKeystore],
    solidity: {
        // solc-js from npm: nothing is downloaded, and every machine compiles byte-identical code
        compilers: [{ version: SOLC_VERSION, path: SOLC_PATH, settings: SOLC_SETTINGS }],
        overrides: {
            // through the IR pipeline: a repayment costs about 600 gas less and a borrow about 1,000
            "contracts/LoanMarket.sol": { version: SOLC_VERSION, path: SOLC_PATH, settings: { ...SOLC_SETTINGS, viaIR: true } },
            // the market with its proofs sent to a (mock) verifier, for tests: compiled as the market is
            "contracts/test/ExternalVerifierLoanMarket.sol": { version: SOLC_VERSION, path: SOLC_PATH, settings: { ...SOLC_SETTINGS, viaIR: true } },
            // every borrow runs it and its size is far from the limit: tuned for runtime, about
            // 1,000 gas less per borrow (11.6 kB of code)
            "contracts/CreditVerifier.sol": { version: SOLC_VERSION, path: SOLC_PATH, settings: { ...SOLC_SETTINGS, optimizer: { enabled: true, runs: 100_000 }, viaIR: true } }
        }
    },
    paths: {
        sources: "contracts",
        tests: "test/contracts",
        cache: "cache/hardhat",
        artifacts: "artifacts"
    },
    networks: {
        // `npm start` runs `hardhat node --hostname 127.0.0.1` and deploys here
        localhost: {
            type: "http",
            chainType: "l1",
            url: "http://127.0.0.1:8545"
        },
        // any EVM network: ZKCREDIT_RPC_URL and ZKCREDIT_DEPLOYER_KEY come from the
        // environment or Hardhat's keystore (`npx hardhat keystore set ZKCREDIT_DEPLOYER_KEY`)
        remote: {
            type: "http",
            chainType: "l1",
            url: configVariable("ZKCREDIT_RPC_URL"),
            accounts: [configVariable("ZKCREDIT_DEPLOYER_KEY")]
        }
    }
})
