/**
 * `result.json`: what people look at after a run — validity, throughput, latency and token
 * latency percentiles — read from LoadGen's detail log, plus the run's settings. And the short
 * table printed at the end of a run (and by `mlperf-llm report`).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDetail, type DetailLog } from './detail.js';
import { abortReasonIn, abortReasonOf } from './aborted-run.js';
import type { AccuracyLogResult } from '../accuracy/score-log.js';
import { CodedError } from '../errors.js';
import type { BackendSetup, GenerationTime } from '../backends/backend.js';
import type { Test06Verification } from '../compliance/test06-verify.js';

/** Percentiles in nanoseconds, keyed like `p50`, `p90`. */
export type Percentiles = Record<string, number>;

/** The contents of result.json. */
export interface RunResult {
  /** Harness scenario (Offline, Server, SingleStream, Interactive) and LoadGen's. */
  scenario: string;
  loadgenScenario: string;
  /** The harness mode, as LoadGen ran it: an audit.config can turn an accuracy run into a performance one. */
  mode: string;
  /** LoadGen's effective_test_mode (PerformanceOnly, AccuracyOnly, ...). */
  loadgenMode?: string | undefined;
  /** The mode asked for, when LoadGen ran another one (an audit config changed it); `mode` is what ran. */
  requestedMode?: string | undefined;
  /**
   * The audit config LoadGen applied to the run (absolute path), when it applied one; for
   * `compliance` runs, the scratch copy of the test's, which is removed after the run.
   */
  auditConfig?: string | undefined;
  /** The compliance test the run is ("TEST06"), for runs of `mlperf-llm compliance`. */
  compliance?: 'TEST06' | undefined;
  /** The TEST06 verification of the run's logs (what verify_accuracy.txt says). */
  test06?: Test06Verification | undefined;
  modelKey: string;
  backend: string;
  dataset: { path: string; samples: number };
  /**
   * Whether the run was ended early (Ctrl-C, SIGTERM, an AbortSignal, a failing backend, a
   * sample timeout): its samples outstanding then were answered empty, so it is no result.
   */
  aborted: boolean;
  /** Why it was aborted, when it was. */
  abortReason?: string | undefined;
  /** LoadGen's verdict on the performance run (INVALID for an aborted run); undefined for accuracy-only runs. */
  validity: 'VALID' | 'INVALID' | undefined;
  invalidReason?: string | undefined;
  samplesPerSecond?: number | undefined;
  tokensPerSecond?: number | undefined;
  /** Sample latency percentiles (ns). */
  latencyNs: Percentiles;
  /** Time to first token percentiles (ns), when LoadGen tracked token latencies. */
  ttftNs?: Percentiles | undefined;
  /** Time per output token percentiles (ns), when LoadGen tracked token latencies. */
  tpotNs?: Percentiles | undefined;
  /** Samples the SUT completed and tokens it generated. */
  samplesCompleted: number;
  generatedTokens: number;
  /** Wall time of the LoadGen run, seconds. */
  durationSeconds: number;
  loadgenErrors: number;
  startedAt: string;
  /** Effective LoadGen settings as the detail log reports them (effective_* keys). */
  settings: Record<string, unknown>;
  /** The run's user.conf settings (by LoadGen key) with where each came from: a quick-run default, the user's file, a flag. */
  settingSources?: Record<string, { value: string; source: string }> | undefined;
  /** The LoadGen version that ran the test. */
  loadgenVersion: string;
  /** Accuracy scores, when the run was evaluated. */
  accuracy?: Record<string, unknown> | undefined;
  /** Per-server statistics, when the backend spread the run over several servers (the openai dispatcher). */
  endpoints?: EndpointResult[] | undefined;
  /** Where the backend's device time went, from backends that measure it (the native engine). */
  generationTime?: GenerationTime | undefined;
  /** What the backend settled on when it was made, from backends that size themselves (the native engine). */
  backendSetup?: BackendSetup | undefined;
  logDir: string;
}

/** What one server of a multi-endpoint run did. */
export interface EndpointResult {
  /** The server's base URL. */
  url: string;
  /** Its concurrency limit and weight. */
  maxConcurrency: number;
  weight: number;
  /** Its state at the end of the run, and whether it was healthy at the start. */
  state: 'up' | 'down';
  healthyAtStart: boolean;
  /** Requests sent to it (re-issues included), and those it completed. */
  requests: number;
  completed: number;
  /** Tokens of the requests it completed, and those per second of the run's duration. */
  tokens: number;
  tokensPerSecond: number;
  /** Requests that failed on it or were taken back when it went down; those sent elsewhere. */
  errors: number;
  reissued: number;
  /** Re-issued requests whose first token had been reported already (LoadGen keeps that time). */
  reissuedAfterFirstToken: number;
  /** Times it went down, and its time out of service (out at the start included), seconds. */
  outages: number;
  downSeconds: number;
  /** Its latest failure, if any. */
  lastError?: string | undefined;
}

/** What the harness knows that the logs do not (an abort is found in the detail log too). */
export type RunFacts = Omit<
  RunResult,
  | 'aborted'
  | 'abortReason'
  | 'validity'
  | 'invalidReason'
  | 'samplesPerSecond'
  | 'tokensPerSecond'
  | 'latencyNs'
  | 'ttftNs'
  | 'tpotNs'
  | 'loadgenErrors'
  | 'settings'
  | 'loadgenScenario'
  | 'loadgenMode'
  | 'requestedMode'
  | 'endpoints'
  | 'generationTime'
  | 'backendSetup'
> & { aborted?: boolean | undefined; abortReason?: string | undefined };

const LATENCY_POINTS = ['50.00', '90.00', '95.00', '97.00', '99.00', '99.90'];

function percentiles(detail: DetailLog, key: (point: string) => string): Percentiles | undefined {
  const result: Percentiles = {};
  for (const point of LATENCY_POINTS) {
    const value = detail.get(key(point));
    if (typeof value === 'number') result[`p${Number(point)}`] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function numberOf(detail: DetailLog, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = detail.get(key);
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/** Why LoadGen judged a run INVALID, in words, each with the flag that fixes it, from the detail log's result_* keys. */
function invalidReasons(detail: DetailLog): string | undefined {
  const scenario = String(detail.get('effective_scenario') ?? '');
  const stated = detail.get('result_invalid_reason');
  const reasons: string[] = typeof stated === 'string' && stated.trim().length > 0 ? [stated.trim()] : [];
  if (detail.get('result_min_duration_met') === false) {
    reasons.push(
      scenario === 'Offline'
        ? 'minimum duration not reached (fix: a higher --target-qps makes LoadGen issue more samples, or a lower --min-duration)'
        : 'minimum duration not reached (fix: a lower --min-duration)',
    );
  }
  if (detail.get('result_min_queries_met') === false) {
    reasons.push('minimum query count not reached (fix: a lower --min-query-count, or a longer --min-duration)');
  }
  if (detail.get('result_perf_constraints_met') === false) {
    reasons.push(
      scenario === 'SingleStream'
        ? 'latency bound not met (fix: a larger --target-latency)'
        : 'latency bounds not met (fix: a lower --target-qps, or a faster backend / higher --max-concurrency)',
    );
  }
  if (detail.get('early_stopping_met') === false) {
    const texts = ['early_stopping_result', 'early_stopping_ttft_result', 'early_stopping_tpot_result']
      .map((key) => detail.get(key))
      .filter((value): value is string => typeof value === 'string' && value.trim().length > 0)
      .map((value) =>
        value
          .replace(/\s*\*\s*/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    // LoadGen says how many queries early stopping needs ("at least N" or "N more").
    const processed = Number(detail.get('result_query_count') ?? 0);
    const needs = texts.flatMap((text) => {
      const least = /at least (\d+) queries/.exec(text);
      const more = /(\d+) more queries/.exec(text);
      return least ? [Number(least[1])] : more ? [processed + Number(more[1])] : [];
    });
    const fix = needs.length
      ? `fix: --min-query-count ${Math.max(...needs)} or more`
      : 'fix: run longer with --min-query-count or --min-duration';
    reasons.push(`early stopping not satisfied${texts.length ? ` (${texts.join('; ')})` : ''} (${fix})`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * The verdict on an aborted run: INVALID whatever LoadGen's summary says (LoadGen judges the
 * samples it saw; those the binding answered empty count as fast answers), and why.
 */
function abortedOutcome(
  reason: string | undefined,
  loadgenValidity: RunResult['validity'],
): Pick<RunResult, 'validity' | 'invalidReason'> {
  return {
    validity: loadgenValidity === undefined ? undefined : 'INVALID',
    invalidReason:
      `the run was aborted (${reason ?? 'no reason recorded'}); LoadGen's own summary says ${loadgenValidity ?? 'nothing'}, ` +
      'but counts the samples answered empty at the abort',
  };
}

/** The harness mode of each LoadGen TestMode. */
const HARNESS_MODES: Readonly<Record<string, string>> = {
  PerformanceOnly: 'performance',
  AccuracyOnly: 'accuracy',
  SubmissionRun: 'submission',
  FindPeakPerformance: 'find-peak-performance',
};

/** The harness mode LoadGen's effective_test_mode stands for; the requested one when the log says none. */
function modeAsRun(requested: string, loadgenMode: string | undefined): string {
  return (loadgenMode !== undefined ? HARNESS_MODES[loadgenMode] : undefined) ?? requested;
}

/** Whether LoadGen ran an accuracy pass (every sample once, logged): only then is there something to score. */
export function ranAccuracyPass(result: Pick<RunResult, 'mode'>): boolean {
  return result.mode === 'accuracy' || result.mode === 'submission';
}

/** Whether the detail log records that LoadGen applied an audit config (it writes a warning when it does). */
function appliedAuditConfig(detail: DetailLog): boolean {
  return detail.records.some(
    (record) => typeof record.value === 'string' && record.value.startsWith('Found Audit Config file'),
  );
}

/** Builds the result of a run from LoadGen's detail log in `facts.logDir`. */
export function summarizeRun(facts: RunFacts): RunResult {
  const detail = readDetail(join(facts.logDir, 'mlperf_log_detail.txt'));
  const logged = detail.get('result_validity');
  const settings: Record<string, unknown> = {};
  for (const record of detail.records) {
    if (!record.key.startsWith('effective_')) continue;
    const name = record.key.slice('effective_'.length);
    // Seeds are 64-bit: kept as exact decimal strings, whatever their size.
    settings[name] = name.endsWith('_seed') && typeof record.value === 'number' ? String(record.value) : record.value;
  }
  const loadgenMode = typeof settings['test_mode'] === 'string' ? settings['test_mode'] : undefined;
  const mode = modeAsRun(facts.mode, loadgenMode);
  const applied = appliedAuditConfig(detail);
  const abortReason = facts.abortReason ?? abortReasonOf(detail);
  const aborted = facts.aborted === true || abortReason !== undefined;
  const loadgenValidity: RunResult['validity'] = logged === 'VALID' || logged === 'INVALID' ? logged : undefined;
  const { validity, invalidReason } = aborted
    ? abortedOutcome(abortReason, loadgenValidity)
    : { validity: loadgenValidity, invalidReason: loadgenValidity === 'INVALID' ? invalidReasons(detail) : undefined };
  return {
    ...facts,
    mode,
    loadgenMode,
    requestedMode: mode !== facts.mode ? facts.mode : undefined,
    // The harness names the file it gave LoadGen; the log says whether LoadGen found it.
    auditConfig: applied ? (facts.auditConfig ?? 'audit.config') : undefined,
    aborted,
    abortReason,
    loadgenScenario: String(detail.get('effective_scenario') ?? ''),
    validity,
    invalidReason,
    samplesPerSecond: numberOf(
      detail,
      'result_samples_per_second',
      'result_completed_samples_per_sec',
      'result_qps_with_loadgen_overhead',
    ),
    tokensPerSecond: numberOf(detail, 'result_tokens_per_second', 'result_completed_tokens_per_second'),
    latencyNs: percentiles(detail, (p) => `result_${p}_percentile_latency_ns`) ?? {},
    ttftNs: percentiles(detail, (p) => `result_first_token_${p}_percentile_latency_ns`),
    tpotNs: percentiles(detail, (p) => `result_time_per_output_token_${p}_percentile_ns`),
    loadgenErrors: detail.errors.length,
    settings,
  };
}

/** Writes result.json into the run's log folder and returns its path. */
export function writeRunResult(result: RunResult): string {
  const path = join(result.logDir, 'result.json');
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** Reads a run folder's result.json. */
export function readRunResult(dir: string): RunResult {
  const path = join(dir, 'result.json');
  if (!existsSync(path)) {
    throw new CodedError(
      'ERR_REPORT_NOT_A_RUN',
      `${dir} holds no result.json; pass a folder written by "mlperf-llm run"`,
    );
  }
  const result = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  // A result.json written before it recorded aborts, or edited: the detail log still tells.
  const reason = result.aborted ? undefined : abortReasonIn(dir);
  if (reason !== undefined)
    Object.assign(result, { aborted: true, abortReason: reason }, abortedOutcome(reason, result.validity));
  return { ...result, aborted: result.aborted === true };
}

const ms = (ns: number | undefined): string =>
  ns === undefined ? '—' : `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : ns >= 1e6 ? 1 : 3)} ms`;
const num = (value: number | undefined, digits = 2): string => (value === undefined ? '—' : value.toFixed(digits));

/** The short table printed after a run. */
export function formatRunResult(result: RunResult): string {
  const rows: [string, string][] = [
    ...(result.aborted
      ? [
          [
            'ABORTED',
            `${result.abortReason ?? 'no reason recorded'} — the logs are complete, but this run is no result`,
          ] as [string, string],
        ]
      : []),
    ...modeRows(result),
    ['scenario', `${result.scenario} (${result.modelKey}), ${result.mode}`],
    ['backend', result.backendSetup ? `${result.backend}: ${result.backendSetup.summary}` : result.backend],
    ['dataset', `${result.dataset.samples} samples from ${result.dataset.path}`],
    [
      'validity',
      result.validity === undefined
        ? '— (accuracy run)'
        : `${result.validity}${result.invalidReason ? ` — ${result.invalidReason.trim()}` : ''}`,
    ],
    ['samples/s', num(result.samplesPerSecond)],
    ['tokens/s', num(result.tokensPerSecond)],
    ['latency p50/p90/p95/p99', ['p50', 'p90', 'p95', 'p99'].map((p) => ms(result.latencyNs[p])).join(' / ')],
  ];
  if (result.ttftNs)
    rows.push(['TTFT p50/p90/p99', ['p50', 'p90', 'p99'].map((p) => ms(result.ttftNs?.[p])).join(' / ')]);
  if (result.tpotNs)
    rows.push(['TPOT p50/p90/p99', ['p50', 'p90', 'p99'].map((p) => ms(result.tpotNs?.[p])).join(' / ')]);
  rows.push([
    'completed',
    `${result.samplesCompleted} samples, ${result.generatedTokens} tokens in ${result.durationSeconds.toFixed(1)} s`,
  ]);
  if (result.generationTime) rows.push(['device time', formatGenerationTime(result.generationTime)]);
  if (result.loadgenErrors > 0) rows.push(['LoadGen errors', `${result.loadgenErrors} (see mlperf_log_detail.txt)`]);
  if (result.accuracy) {
    const a = result.accuracy;
    rows.push(['accuracy', ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'].map((k) => `${k} ${String(a[k])}`).join(', ')]);
    if (a.passed !== undefined) rows.push(['accuracy target', `${String(a.target)}: ${a.passed ? 'PASS' : 'FAIL'}`]);
  }
  for (const [name, { value, source }] of Object.entries(result.settingSources ?? {})) {
    rows.push([`  ${name}`, `${value}  (${source})`]);
  }
  rows.push(['logs', result.logDir]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const table = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
  return result.endpoints?.length ? `${table}\n\n${formatEndpoints(result.endpoints)}` : table;
}

/** Rows that say when LoadGen ran another mode than asked, applied an audit config, or the run is a compliance test. */
function modeRows(result: RunResult): [string, string][] {
  const rows: [string, string][] = [];
  const because = result.auditConfig ? ` because it applied the audit config ${result.auditConfig}` : '';
  if (result.requestedMode !== undefined) {
    const consequence = ranAccuracyPass(result)
      ? ''
      : ': no sample was run for accuracy, so there are no accuracy scores';
    rows.push([
      'MODE CHANGED',
      `asked for ${result.requestedMode}, LoadGen ran ${result.loadgenMode ?? result.mode}${because}${consequence}`,
    ]);
  } else if (result.auditConfig !== undefined && result.compliance === undefined) {
    rows.push(['audit config', `LoadGen applied ${result.auditConfig} (a compliance test's settings) to this run`]);
  }
  if (result.compliance !== undefined) {
    const verdict = result.test06 === undefined ? 'not verified' : result.test06.passed ? 'PASS' : 'FAIL';
    rows.push(['compliance', `${result.compliance}: ${verdict}`]);
  }
  return rows;
}

/** One line: prefill and decode time, and the decode steps' mean batch. */
export function formatGenerationTime(time: GenerationTime): string {
  const steps = time.decode.reduce((sum, bucket) => sum + bucket.runs, 0);
  const decodeMs = time.decode.reduce((sum, bucket) => sum + bucket.ms, 0);
  const rowSteps = time.decode.reduce((sum, bucket) => sum + bucket.rows * bucket.runs, 0);
  const prefill = `prefill ${(time.prefill.ms / 1000).toFixed(1)} s (${time.prefill.runs} prompts, ${time.prefill.runs > 0 ? (time.prefill.ms / time.prefill.runs).toFixed(1) : '0'} ms each)`;
  const decode = `decode ${(decodeMs / 1000).toFixed(1)} s (${steps} steps, ${steps > 0 ? (decodeMs / steps).toFixed(2) : '0'} ms and ${steps > 0 ? (rowSteps / steps).toFixed(1) : '0'} requests per step)`;
  return `${prefill}, ${decode}`;
}

/** The per-server table of a multi-endpoint run. */
export function formatEndpoints(endpoints: readonly EndpointResult[]): string {
  const header = ['endpoint', 'requests', 'completed', 'tokens/s', 'errors', 're-issued', 'down', 'state'];
  const rows = endpoints.map((e) => [
    e.url,
    String(e.requests),
    String(e.completed),
    e.tokensPerSecond.toFixed(1),
    String(e.errors),
    String(e.reissued),
    `${e.downSeconds.toFixed(1)} s`,
    e.state + (e.healthyAtStart ? '' : ' (out at start)'),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

/** The accuracy fields stored in result.json. */
export function accuracySummary(evaluation: AccuracyLogResult): Record<string, unknown> {
  return {
    ...evaluation.scores,
    samples: evaluation.samples,
    ...(evaluation.abortReason !== undefined
      ? { aborted: true, abortReason: evaluation.abortReason, emptyAnswers: evaluation.emptyAnswers }
      : {}),
    ...(evaluation.target ? { target: evaluation.target, passed: evaluation.check?.passed } : {}),
  };
}
