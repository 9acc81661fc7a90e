/**
 * The accuracy-log truncation MLPerf requires of a submission, as the official
 * `tools/submission/truncate_accuracy_log.py` does it (read at mlcommons/inference b66003e1,
 * 2026-08-20):
 *
 * - the SHA-256 of the whole, original `mlperf_log_accuracy.json` is appended to the scenario's
 *   `accuracy/accuracy.txt` as a blank line and then a line `hash=<64 hex digits>`;
 * - a log of 4096 bytes or more is then cut to its first 4096 and last 4096 bytes with a line
 *   holding `...` between them, set off by blank lines (so 8199 bytes in all); a shorter log is
 *   kept whole (it still gets its hash);
 * - only the scenario's own `accuracy/` log is cut: the script leaves TEST06's accuracy log alone
 *   (of the compliance folders it only touches TEST01, TEST07 and TEST09);
 * - the checker then wants that log at most 10 KiB and a `hash=` line in accuracy.txt.
 *
 * The script cuts by characters of the decoded text; LoadGen's accuracy log is ASCII (hex strings
 * and numbers), so characters and bytes are the same thing here.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** Bytes kept from each end of a long accuracy log. */
export const ACCURACY_LOG_VIEWABLE_BYTES = 4096;

/** The largest accuracy log the submission checker accepts (10 KiB). */
export const ACCURACY_LOG_MAX_BYTES = 10 * 1024;

/** What {@link truncateAccuracyLog} did. */
export interface TruncatedLog {
  /** SHA-256 of the original log, lower-case hex. */
  sha256: string;
  /** Size of the original log, bytes. */
  originalBytes: number;
  /** Size of the written log, bytes. */
  writtenBytes: number;
}

/** The kept head, a `...` marker line and the kept tail of `log`; `log` itself when it is short. */
export function truncatedText(log: Buffer): Buffer {
  if (log.length < ACCURACY_LOG_VIEWABLE_BYTES) return log;
  return Buffer.concat([
    log.subarray(0, ACCURACY_LOG_VIEWABLE_BYTES),
    Buffer.from('\n\n...\n\n'),
    log.subarray(log.length - ACCURACY_LOG_VIEWABLE_BYTES),
  ]);
}

/** The line (with the blank line before it) that records the original log's hash in accuracy.txt. */
export function hashLine(sha256: string): string {
  return `\nhash=${sha256}\n`;
}

/** Writes the truncated copy of the accuracy log `source` to `destination`, and returns its hash. */
export function truncateAccuracyLog(source: string, destination: string): TruncatedLog {
  const log = readFileSync(source);
  const sha256 = createHash('sha256').update(log).digest('hex');
  const written = truncatedText(log);
  writeFileSync(destination, written);
  return { sha256, originalBytes: log.length, writtenBytes: written.length };
}
