/**
 * Verifies a TEST06 log folder: LoadGen's `mlperf_log_accuracy.json` (the responses of a
 * performance run under TEST06's audit.config) and `mlperf_log_detail.txt`, the way MLPerf's
 * `compliance/TEST06/run_verification.py` means to, and writes `verify_accuracy.txt` in its format.
 *
 * The checks, over every logged sample (token ids are int32, as the SUT answers them):
 * - first token (not Offline): the first-token record is non-empty and is the start of the output;
 * - EOS: no end-of-sequence id anywhere but, once, as the last token. (The official script
 *   compares its `-e` string with integers, so its check never fails; it also only looks at
 *   trailing EOS runs. Here the ids are integers and any EOS before the end fails.)
 * - sample length: the reported token count equals the output's length, which is at most the
 *   generation limit;
 * - sample count (this harness's addition; MLPerf's checker reads only the three lines above): the
 *   log is not empty, and holds every issued sample when TEST06's sampling target covers them all.
 *
 * @packageDocumentation
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAccuracyLog, responseTokenIds, type AccuracyEntry } from '../report/accuracy-log.js';
import { readDetail, type DetailLog } from '../report/detail.js';
import { abortReasonOf } from '../report/aborted-run.js';
import { CodedError, messageOf } from '../errors.js';
import { LLAMA31_SPECIAL_TOKENS } from '../llama31.js';
import { MAX_NEW_TOKENS } from '../llm/prompt.js';
import { TEST06_AUDIT_SETTINGS } from './test06-audit.js';

/** The outcome of one check. */
export type Test06CheckResult = 'pass' | 'fail' | 'skipped';

/** Options of {@link verifyTest06}. */
export interface Test06Options {
  /** End-of-sequence ids; default Llama-3.1's 128001, 128008 and 128009. */
  eosTokenIds?: readonly number[] | undefined;
  /** Longest output allowed, in tokens; default 128 (MLPerf's max_new_tokens). */
  maxOutputTokens?: number | undefined;
}

/** What {@link verifyTest06} found (result.json's `test06`). */
export interface Test06Verification {
  /** Whether every check passed. */
  passed: boolean;
  /** LoadGen's scenario (from the detail log). */
  scenario: string;
  /** Each check's outcome; firstToken is skipped for Offline. */
  checks: {
    firstToken: Test06CheckResult;
    eos: Test06CheckResult;
    sampleLength: Test06CheckResult;
    sampleCount: Test06CheckResult;
  };
  /** Samples in the accuracy log, and how many LoadGen issued. */
  samples: number;
  issuedSamples: number;
  /** The EOS ids and the length limit checked against. */
  eosTokenIds: number[];
  maxOutputTokens: number;
  /** One line per problem, naming the sample (qsl_idx and seq_id) or the count. */
  failures: string[];
}

/** How LoadGen's effective settings must read for a log to be a TEST06 run's. */
const EXPECTED_EFFECTIVE: readonly [key: string, value: unknown][] = [
  ['effective_test_mode', 'PerformanceOnly'],
  ['effective_accuracy_log_sampling_target', TEST06_AUDIT_SETTINGS.accuracy_log_sampling_target],
  ['effective_accuracy_log_rng_seed', TEST06_AUDIT_SETTINGS.accuracy_log_rng_seed],
  ['effective_min_duration_ms', TEST06_AUDIT_SETTINGS.min_duration],
  ['effective_sample_concatenate_permutation', false],
];

/** The text of the detail-log warning LoadGen writes when it applies an audit config. */
const AUDIT_FOUND = 'Found Audit Config file';

function notTest06(dir: string, why: string): CodedError {
  return new CodedError(
    'ERR_COMPLIANCE_LOG',
    `${dir} is not a TEST06 run's log folder: ${why}; run "mlperf-llm compliance TEST06" to make one`,
  );
}

/** Refuses a detail log whose run did not apply TEST06's audit settings, or was aborted. */
function checkRunSettings(dir: string, detail: DetailLog): void {
  const applied = detail.records.some(
    (record) => typeof record.value === 'string' && record.value.startsWith(AUDIT_FOUND),
  );
  if (!applied)
    throw notTest06(dir, 'LoadGen applied no audit config (its detail log has no "Found Audit Config file")');
  const wrong = EXPECTED_EFFECTIVE.filter(([key, value]) => detail.get(key) !== value).map(
    ([key, value]) => `${key} is ${JSON.stringify(detail.get(key) ?? null)}, not ${JSON.stringify(value)}`,
  );
  if (wrong.length > 0) throw notTest06(dir, `the audit config was not TEST06's (${wrong.join('; ')})`);
  const abort = abortReasonOf(detail);
  if (abort !== undefined)
    throw new CodedError(
      'ERR_COMPLIANCE_LOG',
      `${dir}: the run was aborted (${abort}), so its logged answers are not the model's; run "mlperf-llm compliance TEST06" again`,
    );
}

function numberIn(detail: DetailLog, key: string): number {
  const value = detail.get(key);
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/**
 * How many samples LoadGen issued, and how many of them it had to log: all when TEST06's sampling
 * target covers the samples it expected (as loadgen.cc computes the logging probability), else
 * an unknown share (undefined).
 */
function expectedCounts(detail: DetailLog): { issued: number; logged: number | undefined } {
  const perQuery = numberIn(detail, 'generated_samples_per_query');
  const issued = numberIn(detail, 'generated_query_count') * perQuery;
  const offline = detail.get('effective_scenario') === 'Offline';
  let expected = Math.floor(
    (numberIn(detail, 'effective_target_qps') * numberIn(detail, 'effective_min_duration_ms')) / 1000,
  );
  if (!offline) expected *= perQuery;
  const minimum = offline
    ? numberIn(detail, 'effective_min_sample_count')
    : numberIn(detail, 'effective_min_query_count') * perQuery;
  const probability = numberIn(detail, 'effective_accuracy_log_sampling_target') / Math.max(expected, minimum);
  return { issued, logged: probability >= 1 ? issued : undefined };
}

/** The int32 token ids of a response, or undefined when its bytes are not whole int32s. */
function tokensOf(bytes: Buffer): Int32Array | undefined {
  return bytes.length % 4 === 0 ? Int32Array.from(responseTokenIds(bytes)) : undefined;
}

const nameOf = (entry: AccuracyEntry): string => `qsl_idx ${entry.qslIndex} (seq_id ${entry.seqId}):`;
const list = (tokens: ArrayLike<number>): string => `[${Array.from(tokens).join(', ')}]`;

/** Why a sample fails the first-token check, or undefined when it passes. */
function firstTokenProblem(entry: AccuracyEntry, output: Int32Array): string | undefined {
  if (entry.tokenData === undefined) return 'no first-token record (token_data)';
  const first = tokensOf(entry.tokenData);
  if (first === undefined) return `first-token record of ${entry.tokenData.length} bytes, not whole int32 ids`;
  if (first.length === 0) return 'empty first-token record';
  if (first.length > output.length)
    return `first-token record ${list(first)} longer than the output (${output.length} tokens)`;
  const at = first.findIndex((token, i) => token !== output[i]);
  if (at < 0) return undefined;
  return `first-token record ${list(first)} differs from the output's start ${list(output.subarray(0, first.length))} at token ${at}`;
}

/** Why a sample fails the EOS check, or undefined when it passes. */
function eosProblem(output: Int32Array, eos: ReadonlySet<number>): string | undefined {
  const at: number[] = [];
  output.forEach((token, i) => {
    if (eos.has(token)) at.push(i);
  });
  if (at.length === 0 || (at.length === 1 && at[0] === output.length - 1)) return undefined;
  const where = at.map((i) => `${output[i]} at token ${i}`).join(', ');
  return at.length > 1
    ? `${at.length} EOS tokens (${where}) in ${output.length} tokens; only one is allowed, as the last token`
    : `EOS ${where} of ${output.length} tokens is not the last token`;
}

/** Why a sample fails the length check, or undefined when it passes. */
function lengthProblem(entry: AccuracyEntry, output: Int32Array, limit: number): string | undefined {
  if (entry.tokenCount === undefined) return 'no reported token count (token_count)';
  if (entry.tokenCount !== output.length)
    return `token_count says ${entry.tokenCount}, but the output has ${output.length} tokens`;
  if (output.length > limit) return `${output.length} tokens, more than the limit of ${limit} (--max-new-tokens)`;
  return undefined;
}

/**
 * Checks the EOS ids and length limit and fills in their defaults (callers check them before a
 * run, so a typo does not cost one).
 *
 * @throws `ERR_COMPLIANCE_OPTION` naming the option
 */
export function checkTest06Options(options: Test06Options): { eos: number[]; limit: number } {
  const eos = [...(options.eosTokenIds ?? LLAMA31_SPECIAL_TOKENS.eos)];
  const bad = eos.find((id) => !Number.isInteger(id) || id < 0 || id > 0x7fffffff);
  if (eos.length === 0 || bad !== undefined)
    throw new CodedError(
      'ERR_COMPLIANCE_OPTION',
      `eosTokenIds (--eos-token-id) ${eos.length === 0 ? 'is empty' : Number.isNaN(bad) ? 'holds a value that is not a number' : `holds ${bad}`}: give token ids, whole numbers from 0 to 2147483647 (e.g. --eos-token-id 128001 128008 128009)`,
    );
  const limit = options.maxOutputTokens ?? MAX_NEW_TOKENS;
  if (!Number.isInteger(limit) || limit < 1)
    throw new CodedError(
      'ERR_COMPLIANCE_OPTION',
      `maxOutputTokens (--max-new-tokens) ${limit}: give a whole number of at least 1`,
    );
  return { eos, limit };
}

/**
 * Verifies the TEST06 logs in `dir` (see the module's description for the checks).
 *
 * @throws `ERR_COMPLIANCE_LOG` when the folder lacks the logs, they cannot be read, or the run
 *   did not apply TEST06's audit settings or was aborted; `ERR_COMPLIANCE_OPTION` for bad options
 */
export function verifyTest06(dir: string, options: Test06Options = {}): Test06Verification {
  const { eos, limit } = checkTest06Options(options);
  const detailPath = join(dir, 'mlperf_log_detail.txt');
  const accuracyPath = join(dir, 'mlperf_log_accuracy.json');
  for (const path of [detailPath, accuracyPath]) {
    if (!existsSync(path))
      throw new CodedError(
        'ERR_COMPLIANCE_LOG',
        `${path} does not exist; give the folder of a TEST06 run (mlperf-llm compliance TEST06 --output-dir <dir>)`,
      );
  }
  const detail = readDetail(detailPath);
  checkRunSettings(dir, detail);
  let entries: AccuracyEntry[];
  try {
    entries = readAccuracyLog(accuracyPath);
    if (!Array.isArray(entries)) throw new TypeError('not a JSON array');
  } catch (error) {
    throw new CodedError(
      'ERR_COMPLIANCE_LOG',
      `${accuracyPath} is not LoadGen's accuracy log (${messageOf(error)}); run the test again`,
    );
  }
  const scenario = String(detail.get('effective_scenario') ?? '');
  const firstTokenChecked = scenario !== 'Offline';
  const eosSet = new Set(eos);
  const failures = { firstToken: [] as string[], eos: [] as string[], sampleLength: [] as string[] };
  for (const entry of entries) {
    const output = tokensOf(entry.data);
    if (output === undefined) {
      failures.sampleLength.push(`${nameOf(entry)} output of ${entry.data.length} bytes, not whole int32 ids`);
      continue;
    }
    const problems: [keyof typeof failures, string | undefined][] = [
      ['firstToken', firstTokenChecked ? firstTokenProblem(entry, output) : undefined],
      ['eos', eosProblem(output, eosSet)],
      ['sampleLength', lengthProblem(entry, output, limit)],
    ];
    for (const [check, problem] of problems) if (problem) failures[check].push(`${nameOf(entry)} ${problem}`);
  }
  const counts = expectedCounts(detail);
  const countFailures: string[] = [];
  if (entries.length === 0) countFailures.push('the accuracy log holds no samples');
  else if (counts.logged !== undefined && entries.length !== counts.logged)
    countFailures.push(
      `the accuracy log holds ${entries.length} samples, but LoadGen issued and had to log ${counts.logged}`,
    );
  const outcome = (problems: readonly string[]): Test06CheckResult => (problems.length === 0 ? 'pass' : 'fail');
  const checks = {
    firstToken: firstTokenChecked ? outcome(failures.firstToken) : ('skipped' as const),
    eos: outcome(failures.eos),
    sampleLength: outcome(failures.sampleLength),
    sampleCount: outcome(countFailures),
  };
  return {
    passed: Object.values(checks).every((check) => check !== 'fail'),
    scenario,
    checks,
    samples: entries.length,
    issuedSamples: counts.issued,
    eosTokenIds: eos,
    maxOutputTokens: limit,
    failures: [...failures.firstToken, ...failures.eos, ...failures.sampleLength, ...countFailures],
  };
}

const word = (check: Test06CheckResult): string =>
  check === 'skipped' ? 'Skipped' : check === 'pass' ? 'True' : 'False';

/**
 * The text of `verify_accuracy.txt`: run_verification.py's three check lines (what MLPerf's
 * submission checker reads) in its words, this harness's sample-count line, the verdict line,
 * and then, after a blank line, one line per failure.
 */
export function formatTest06Verification(verification: Test06Verification): string {
  const { checks } = verification;
  const lines = [
    `First token check pass: ${word(checks.firstToken)}`,
    `EOS check pass: ${word(checks.eos)}`,
    `Sample length check pass: ${word(checks.sampleLength)}`,
    `Sample count check pass: ${word(checks.sampleCount)}`,
    verification.passed ? 'TEST06 verification complete' : 'TEST06 verification failed',
  ];
  if (verification.failures.length > 0) lines.push('', ...verification.failures);
  return `${lines.join('\n')}\n`;
}

/** Writes `verify_accuracy.txt` into `dir` and returns its path. */
export function writeTest06Verification(dir: string, verification: Test06Verification): string {
  const path = join(dir, 'verify_accuracy.txt');
  writeFileSync(path, formatTest06Verification(verification));
  return path;
}
