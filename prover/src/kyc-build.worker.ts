/**
 * The tree-building worker: hashes the subtrees it is sent with the fast Poseidon. The same file
 * runs as a browser Web Worker (the app imports it with `?worker`) and as a Node worker thread
 * (through the `web-worker` package, see kyc-build-node.ts).
 */
import { subtreeServer, type SubtreeRequest } from "./kyc-build.ts"
import { loadFastPoseidon } from "./poseidon.ts"

const scope = globalThis as unknown as { postMessage(message: unknown): void; addEventListener(type: "message", handler: (event: { data: SubtreeRequest }) => void): void }
const serve = subtreeServer((response) => scope.postMessage(response), loadFastPoseidon)
scope.addEventListener("message", (event) => void serve(event.data))
