/**
 * Reads LoadGen's `mlperf_log_summary.txt`: the human-readable result of a run.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** A parsed summary: every `key : value` line, plus the fields people look at first. */
export interface LogSummary {
  /** Every `key : value` line, keys and values trimmed, in file order (later duplicates win). */
  fields: Record<string, string>;
  /** `VALID` or `INVALID`; undefined when the file has no result (e.g. an accuracy-only run). */
  result: 'VALID' | 'INVALID' | undefined;
  /** The scenario LoadGen ran, e.g. `Server`. */
  scenario: string | undefined;
  /** The mode, e.g. `PerformanceOnly`. */
  mode: string | undefined;
  /** Number of errors LoadGen reported in the footer. */
  errorCount: number;
  /** Number of warnings LoadGen reported in the footer. */
  warningCount: number;
}

function footerCount(text: string, noun: 'error' | 'warning'): number {
  if (new RegExp(`No ${noun}s encountered`, 'i').test(text)) return 0;
  const match = new RegExp(`(\\d+) ${noun.toUpperCase()}S? encountered`, 'i').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Parses the text of an `mlperf_log_summary.txt`. */
export function parseSummary(text: string): LogSummary {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.length > 0 && value.length > 0) fields[key] = value;
  }
  const result = fields['Result is'];
  return {
    fields,
    result: result === 'VALID' || result === 'INVALID' ? result : undefined,
    scenario: fields['Scenario'],
    mode: fields['Mode'],
    errorCount: footerCount(text, 'error'),
    warningCount: footerCount(text, 'warning'),
  };
}

/** Reads and parses an `mlperf_log_summary.txt` file. */
export function readSummary(path: string): LogSummary {
  return parseSummary(readFileSync(path, 'utf8'));
}

/** A numeric summary field, or undefined when absent (e.g. `Samples per second`). */
export function summaryNumber(summary: LogSummary, key: string): number | undefined {
  const value = summary.fields[key];
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
