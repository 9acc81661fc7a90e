/**
 * Readers of LoadGen's log files.
 *
 * @packageDocumentation
 */
export { parseSummary, readSummary, summaryNumber } from './summary.js';
export type { LogSummary } from './summary.js';
export { parseDetail, readDetail } from './detail.js';
export type { DetailLog, DetailRecord } from './detail.js';
export { parseAccuracyLog, readAccuracyLog, responseTokenIds } from './accuracy-log.js';
export type { AccuracyEntry, RawAccuracyEntry, TokenDtype } from './accuracy-log.js';
export { formatRunResult, readRunResult, summarizeRun, writeRunResult } from './run-result.js';
export type { EndpointResult, Percentiles, RunFacts, RunResult } from './run-result.js';
