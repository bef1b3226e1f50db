/**
 * The sections of a circom/snarkjs binary file (`.zkey`, `.wtns`): a 4-byte magic, a version, a
 * section count, then per section its type (uint32), size (uint64) and bytes, all little-endian.
 */

/**
 * The sections of `bytes` by type, as views into it (nothing is copied).
 * @param bytes The whole file.
 * @param magic Its expected 4-byte magic, e.g. `"zkey"`.
 * @param name What the file is, for the error, e.g. `"artifacts.zkey"`.
 * @throws Error when the magic differs, a section runs past the end, or a type repeats.
 */
export function readSections(bytes: Uint8Array, magic: string, name: string): Map<number, Uint8Array> {
    if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) throw new Error(`${name} is not a ${magic} file`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const count = view.getUint32(8, true)
    const sections = new Map<number, Uint8Array>()
    let at = 12
    for (let i = 0; i < count; i++) {
        if (at + 12 > bytes.byteLength) throw new Error(`${name} is truncated in the header of section ${i}`)
        const type = view.getUint32(at, true)
        const size = Number(view.getBigUint64(at + 4, true))
        const end = at + 12 + size
        if (end > bytes.byteLength) throw new Error(`${name} is truncated in section ${type}`)
        if (sections.has(type)) throw new Error(`${name} has section ${type} twice`)
        sections.set(type, bytes.subarray(at + 12, end))
        at = end
    }
    return sections
}

/**
 * A section that must be there, of `size` bytes when given.
 * @throws Error naming the file and the section.
 */
export function requireSection(sections: Map<number, Uint8Array>, type: number, name: string, size?: number): Uint8Array {
    const section = sections.get(type)
    if (!section) throw new Error(`${name} has no section ${type}`)
    if (size !== undefined && section.byteLength !== size) throw new Error(`${name}'s section ${type} is ${section.byteLength} bytes, not ${size}`)
    return section
}
