/**
 * Reads LoadGen's `mlperf_log_accuracy.json`: the responses LoadGen logged, as bytes.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** One logged response. */
export interface AccuracyEntry {
  /** LoadGen's sequence number of the sample. */
  seqId: number;
  /** The sample's index in the QSL. */
  qslIndex: number;
  /** The response bytes the SUT returned. */
  data: Buffer;
  /** The first-token bytes (token-latency runs outside Offline), if logged. */
  tokenData?: Buffer;
  /** The token count the SUT reported (token-latency runs), if logged. */
  tokenCount?: number;
}

/** One record of `mlperf_log_accuracy.json` as LoadGen writes it (hex strings of the response bytes). */
export interface RawAccuracyEntry {
  seq_id: number;
  qsl_idx: number;
  data: string;
  token_data?: string;
  token_count?: number;
}

/** Parses the text of an `mlperf_log_accuracy.json`. */
export function parseAccuracyLog(text: string): AccuracyEntry[] {
  const raw = JSON.parse(text) as RawAccuracyEntry[];
  return raw.map((entry) => ({
    seqId: entry.seq_id,
    qslIndex: entry.qsl_idx,
    data: Buffer.from(entry.data, 'hex'),
    ...(entry.token_data !== undefined ? { tokenData: Buffer.from(entry.token_data, 'hex') } : {}),
    ...(entry.token_count !== undefined ? { tokenCount: entry.token_count } : {}),
  }));
}

/** Reads and parses an `mlperf_log_accuracy.json` file. */
export function readAccuracyLog(path: string): AccuracyEntry[] {
  return parseAccuracyLog(readFileSync(path, 'utf8'));
}

/** The element type of logged response bytes (evaluation.py's --dtype). */
export type TokenDtype = 'int32' | 'int64';

/** A logged response's token ids (little-endian); trailing bytes short of a whole id are left out. */
export function responseTokenIds(bytes: Buffer, dtype: TokenDtype = 'int32'): number[] {
  const width = dtype === 'int64' ? 8 : 4;
  const ids = new Array<number>(Math.floor(bytes.length / width));
  for (let i = 0; i < ids.length; i++)
    ids[i] = dtype === 'int64' ? Number(bytes.readBigInt64LE(i * width)) : bytes.readInt32LE(i * width);
  return ids;
}
