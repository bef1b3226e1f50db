/**
 * Fixed test ports, shifted by `ZKCREDIT_TEST_PORT_OFFSET` (default 0) so that two checkouts can
 * run their suites on one machine at once. Each suite keeps its own range (see its header).
 */
const raw = process.env.ZKCREDIT_TEST_PORT_OFFSET ?? "0"
const offset = Number(raw)
if (!Number.isSafeInteger(offset) || offset < 0 || offset > 50_000) {
    throw new Error(`ZKCREDIT_TEST_PORT_OFFSET must be a whole number from 0 to 50000, got ${JSON.stringify(raw)}`)
}

/** `base` plus the offset from `ZKCREDIT_TEST_PORT_OFFSET`. */
export function testPort(base: number): number {
    return base + offset
}
