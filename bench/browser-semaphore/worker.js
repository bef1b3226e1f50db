/* A classic worker with snarkjs's browser build (the global `snarkjs`). Each circuit's wasm and
 * zkey are fetched once and kept in memory, so the time it reports is `groth16.fullProve` alone
 * (witness and proof), what bench/prover.ts times in Node. */
importScripts("/snarkjs.min.js")

const artifacts = new Map()

async function bytes(url) {
    const response = await fetch(url)
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
    return new Uint8Array(await response.arrayBuffer())
}

self.onmessage = async (event) => {
    const { circuit, input } = event.data
    try {
        let files = artifacts.get(circuit)
        if (!files) {
            files = { wasm: await bytes(`/${circuit}.wasm`), zkey: await bytes(`/${circuit}.zkey`) }
            artifacts.set(circuit, files)
        }
        const start = performance.now()
        const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, files.wasm, files.zkey)
        self.postMessage({ ms: performance.now() - start, proof, publicSignals })
    } catch (error) {
        self.postMessage({ error: String(error?.stack ?? error) })
    }
}
