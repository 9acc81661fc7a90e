/**
 * Whether LoadGen's logs belong to an aborted run. LoadGen 6.0.17 cannot stop a test, so the
 * binding ends one early by answering every outstanding sample with an empty response
 * (native/drain.cc); LoadGen's own summary may then still say VALID. The binding writes one
 * error line into the detail log at the abort: every reader of the logs looks for it here.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDetail, type DetailLog } from './detail.js';

/** How native/drain.cc starts its error_runtime line; the reason follows in parentheses. */
export const ABORT_MARKER = 'Test aborted by the Node.js harness (';

/** The reason of the abort the detail log records, or undefined when the run was not aborted. */
export function abortReasonOf(detail: DetailLog): string | undefined {
  for (const record of detail.errors) {
    const text = typeof record.value === 'string' ? record.value : '';
    if (!text.startsWith(ABORT_MARKER)) continue;
    const rest = text.slice(ABORT_MARKER.length);
    // The reason may hold parentheses of its own: the fixed text after it ends it.
    const end = rest.lastIndexOf('). Samples outstanding');
    return end >= 0 ? rest.slice(0, end) : rest;
  }
  return undefined;
}

/** The abort reason recorded in a run folder's detail log; undefined if none (or no log). */
export function abortReasonIn(logDir: string): string | undefined {
  const path = join(logDir, 'mlperf_log_detail.txt');
  return existsSync(path) ? abortReasonOf(readDetail(path)) : undefined;
}
