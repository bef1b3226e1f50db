/**
 * snarkjs keeps the BN254 curve (and its worker threads) in a global after first use, which
 * keeps a Node process alive after its work is done. Scripts call this when they finish.
 */
export async function releaseSnarkCurve(): Promise<void> {
    const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } }
    if (holder.curve_bn128) {
        await holder.curve_bn128.terminate()
        delete holder.curve_bn128
    }
}
