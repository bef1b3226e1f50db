/**
 * Progress bars for long work (tree builds, event scans, batches, proving) on stderr. A bar is
 * drawn only when stderr is a terminal; otherwise, in human mode, a line per phase is written,
 * and in `--json` mode nothing, so stdout and logs stay clean.
 */
import cliProgress from "cli-progress"
import type { Output } from "./output.ts"

/** A running progress report. */
export interface Progress {
    /** Sets the value done so far (and optionally a new total or a stage text). */
    update(value: number, extra?: { total?: number; stage?: string }): void
    /** Ends the bar. */
    stop(): void
}

/**
 * Starts a progress bar.
 * @param out The command's output (no bar in `--json` mode unless stderr is a terminal).
 * @param label What is being done, e.g. "scanning blocks".
 * @param total The value at 100%.
 * @param unit Unit of the values, e.g. "blocks".
 */
export function startProgress(out: Output, label: string, total: number, unit = ""): Progress {
    if (!process.stderr.isTTY) {
        if (!out.json) process.stderr.write(`${label}...\n`)
        return { update() {}, stop() {} }
    }
    const bar = new cliProgress.SingleBar(
        {
            stream: process.stderr,
            format: `${label} [{bar}] {percentage}% {value}/{total} ${unit} {stage}`.trimEnd(),
            barsize: 30,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 20
        },
        cliProgress.Presets.shades_classic
    )
    bar.start(Math.max(total, 1), 0, { stage: "" })
    return {
        update(value, extra = {}) {
            if (extra.total !== undefined) bar.setTotal(Math.max(extra.total, 1))
            bar.update(value, { stage: extra.stage ?? "" })
        },
        stop() {
            bar.stop()
        }
    }
}
