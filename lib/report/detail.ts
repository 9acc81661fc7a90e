/**
 * Reads LoadGen's `mlperf_log_detail.txt`: one `:::MLLOG {json}` record per line.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** One record of the detail log (integers beyond 2^53 are exact decimal strings). */
export interface DetailRecord {
  key: string;
  value: unknown;
  time_ms?: number;
  metadata?: { is_error?: boolean; is_warning?: boolean; [name: string]: unknown };
}

/** The records of a detail log, with lookups by key. */
export interface DetailLog {
  records: DetailRecord[];
  /** The last value logged under a key, or undefined. */
  get(key: string): unknown;
  /** Records flagged as errors. */
  errors: DetailRecord[];
}

const MARKER = ':::MLLOG ';

/**
 * Quotes the integer values a double cannot hold exactly (LoadGen's 64-bit seeds, e.g.
 * 2085463073848966840), so they are read as exact decimal strings instead of rounded numbers.
 */
function exactIntegers(json: string): string {
  return json.replace(/("value":\s*)(-?\d{16,})(?=\s*[,}])/g, (whole, prefix: string, digits: string) =>
    Number.isSafeInteger(Number(digits)) ? whole : `${prefix}"${digits}"`,
  );
}

/** Parses the text of an `mlperf_log_detail.txt`; lines that are not records are skipped. */
export function parseDetail(text: string): DetailLog {
  const records: DetailRecord[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf(MARKER);
    if (at < 0) continue;
    try {
      records.push(JSON.parse(exactIntegers(line.slice(at + MARKER.length))) as DetailRecord);
    } catch {
      // A record cut short (e.g. a crashed process); the rest of the file is still useful.
    }
  }
  const latest = new Map<string, unknown>();
  for (const record of records) latest.set(record.key, record.value);
  return {
    records,
    get: (key) => latest.get(key),
    errors: records.filter((record) => record.metadata?.is_error === true),
  };
}

/** Reads and parses an `mlperf_log_detail.txt` file. */
export function readDetail(path: string): DetailLog {
  return parseDetail(readFileSync(path, 'utf8'));
}
