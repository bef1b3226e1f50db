/**
 * The parts of snarkjs's BN254 curve (ffjavascript's `buildBn128`, a process-wide singleton with
 * its WebAssembly and thread pool) that the Groth16 prover uses. Points and field elements are the
 * curve's own byte buffers (Montgomery form, projective points).
 */
export type CurveBuffer = Uint8Array

/** A group of the curve (G1 or G2). */
export interface CurveGroup {
    /** A point from its little-endian Montgomery affine bytes (a zkey's encoding) at `offset`. */
    fromRprLEM(bytes: Uint8Array, offset: number): CurveBuffer
    /** `sum(scalars[i] * bases[i])` over affine Montgomery bases and little-endian scalars, on the thread pool. */
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<CurveBuffer>
    add(a: CurveBuffer, b: CurveBuffer): CurveBuffer
    timesFr(point: CurveBuffer, scalar: CurveBuffer): CurveBuffer
    toAffine(point: CurveBuffer): CurveBuffer
    toObject(point: CurveBuffer): unknown[]
}

/** The scalar field Fr, with its FFTs on the thread pool. */
export interface ScalarField {
    /** 2-adicity of r - 1. */
    s: number
    /** The coset shift used when the domain is 2^s. */
    shift: CurveBuffer
    /** `w[k]`: a primitive 2^k-th root of unity. */
    w: CurveBuffer[]
    e(value: number): CurveBuffer
    random(): CurveBuffer
    mul(a: CurveBuffer, b: CurveBuffer): CurveBuffer
    neg(a: CurveBuffer): CurveBuffer
    fft(values: Uint8Array): Promise<Uint8Array>
    ifft(values: Uint8Array): Promise<Uint8Array>
    /** `values[i] * first * inc^i`. */
    batchApplyKey(values: Uint8Array, first: CurveBuffer, inc: CurveBuffer): Promise<Uint8Array>
}

/** One step of a task for a thread of the pool (ffjavascript's thread manager). */
export type ThreadStep =
    | { cmd: "ALLOCSET"; var: number; buff: Uint8Array }
    | { cmd: "ALLOC"; var: number; len: number }
    | { cmd: "CALL"; fnName: string; params: ({ var: number } | { val: number })[] }
    | { cmd: "GET"; out: number; var: number; len: number }

/** snarkjs's BN254 curve, as `curves.getCurveFromName("bn128")` gives it. */
export interface Bn128Curve {
    Fr: ScalarField
    G1: CurveGroup
    G2: CurveGroup
    tm: {
        /** Threads in the pool (at least 1). */
        concurrency: number
        /** Runs `task` on a thread of the pool; resolves to its `GET` outputs, in order. */
        queueAction(task: ThreadStep[]): Promise<Uint8Array[]>
    }
    terminate(): Promise<void>
}
