/**
 * `runTest`: the idiomatic way to run a LoadGen test from TypeScript — one options object,
 * camelCase settings, an AbortSignal, typed arrays in and out, and a result that says where
 * LoadGen's logs are.
 *
 * @packageDocumentation
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LogFiles, type LogSettings, logFilesIn } from './settings/log-settings.js';
import type { MaybePromise } from './python-api.js';
import { type LogOptions, type TestSettingsInit, logSettingsFrom, testSettingsFrom } from './settings/init.js';
import { executeTest, type RunStats } from './test-execution.js';
import type { TestSettings } from './settings/test-settings.js';
import { LoadgenError, codedTypeError, describeValue, messageOf } from '../errors.js';
import { refusePseudoFolder } from './settings/log-output-check.js';

/** The system under test, as {@link runTest} drives it. */
export interface SystemUnderTest {
  /** Name LoadGen logs. Default "NodeSUT". */
  name?: string;
  /**
   * Receives the samples of one or more queries: response ids and QSL indices, as typed arrays.
   * Return quickly and complete every sample later with {@link completeSamples} (or
   * `QuerySamplesComplete`); the arrays stay valid, keep them as long as needed.
   */
  issueQuery(ids: Float64Array, indices: Uint32Array): MaybePromise;
  /** Called after the last query of a series. */
  flushQueries?(): MaybePromise;
  /**
   * Called once when the test starts, before the first query, with the test's control: a SUT
   * that cannot go on calls `control.fail(error)` instead of throwing from a callback.
   */
  startTest?(control: TestControl): void;
}

/** What a running test offers its SUT. */
export interface TestControl {
  /**
   * Ends the test early because the SUT cannot go on. The binding answers every outstanding
   * sample itself, LoadGen still writes its logs (recording the failure), and {@link runTest}
   * rejects with `error` itself. Only the first call counts.
   */
  fail(error: unknown): void;
}

/** The query sample library, as {@link runTest} drives it. */
export interface QuerySampleLibrary {
  /** Name LoadGen logs. Default "NodeQSL". */
  name?: string;
  /** Number of samples in the library. */
  totalSampleCount: number;
  /** How many samples fit in memory at once. Default: totalSampleCount. */
  performanceSampleCount?: number;
  /** Loads samples before LoadGen issues them; may be async (LoadGen waits). */
  loadSamplesToRam?(indices: Uint32Array): MaybePromise;
  /** Frees samples LoadGen no longer needs; may be async (LoadGen waits). */
  unloadSamplesFromRam?(indices: Uint32Array): MaybePromise;
}

/** Options of {@link runTest}. */
export interface RunTestOptions {
  sut: SystemUnderTest;
  qsl: QuerySampleLibrary;
  /** A TestSettings, or camelCase settings such as `{ scenario: 'Offline', minDurationMs: 1000 }`. */
  settings: TestSettings | TestSettingsInit;
  /** Where LoadGen writes its logs (a LogSettings, or camelCase options). Default: the current folder. */
  log?: LogSettings | LogOptions;
  /** An audit config LoadGen applies if the file exists. Default "audit.config", as LoadGen's. */
  auditConfig?: string;
  /** Ends the test early: LoadGen's logs are still written completely, and the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * How long (µs) LoadGen's thread and the JS thread spin for each other when the SUT answers
   * synchronously, instead of sleeping and paying a wake-up per query. 0 disables. Default 50.
   */
  busyPollMicroseconds?: number;
}

export type { LogFiles } from './settings/log-settings.js';

/** What {@link runTest} resolves with: the binding's counters and where LoadGen's logs are. */
export interface RunTestResult extends RunStats {
  /** Absolute path of the log folder. */
  outdir: string;
  /** Absolute paths of LoadGen's log files. */
  logFiles: LogFiles;
}

const noop = (): void => undefined;

/**
 * Runs one LoadGen test and resolves when it has ended and LoadGen's logs are written.
 *
 * @example
 * ```ts
 * import { completeSamples, runTest } from 'mlperf-loadgen-node/loadgen';
 *
 * // A null SUT: every sample completes at once, with no response data.
 * const result = await runTest({
 *   sut: {
 *     issueQuery: (ids) => {
 *       completeSamples(ids);
 *     },
 *   },
 *   qsl: { totalSampleCount: 1024 },
 *   settings: { scenario: 'Offline', offlineExpectedQps: 1e5, minDurationMs: 1000 },
 *   log: { outdir: 'results/null' },
 * });
 * ```
 * @throws TypeError for malformed options or settings (the message names the field)
 * @throws LoadgenError `ERR_LOADGEN_CALLBACK_FAILED` (cause: the original error) if a callback
 *   threw or rejected, `ABORT_ERR` if the signal fired, `ERR_LOADGEN_BUSY` if another test is running
 * @throws the SUT's own error when it ended the test with {@link TestControl.fail}
 */
export async function runTest(options: RunTestOptions): Promise<RunTestResult> {
  if (options === null || typeof options !== 'object')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'runTest(options) needs an options object');
  const { sut, qsl } = options;
  if (sut === null || typeof sut !== 'object' || typeof sut.issueQuery !== 'function') {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `runTest: sut must be an object with an issueQuery(ids, indices) method (got ${describeValue(sut)})`,
    );
  }
  if (qsl === null || typeof qsl !== 'object')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `runTest: qsl must be an object (got ${describeValue(qsl)})`);
  const settings = testSettingsFrom(options.settings);
  const log = logSettingsFrom(options.log);
  const outdir = resolve(log.log_output.outdir);
  if (typeof log.log_output.outdir === 'string') {
    refusePseudoFolder(outdir);
    try {
      mkdirSync(outdir, { recursive: true });
    } catch (error) {
      throw new LoadgenError(
        'ERR_LOADGEN_LOG_OUTPUT',
        `Could not create the log output folder '${outdir}': ${messageOf(error)}. Give a folder path that can be created.`,
      );
    }
  }

  const stats = await executeTest({
    sutName: sut.name ?? 'NodeSUT',
    qslName: qsl.name ?? 'NodeQSL',
    totalSampleCount: qsl.totalSampleCount,
    performanceSampleCount: qsl.performanceSampleCount ?? qsl.totalSampleCount,
    issue: (ids, indices) => sut.issueQuery(ids, indices),
    flush: sut.flushQueries ? () => sut.flushQueries!() : noop,
    load: qsl.loadSamplesToRam ? (indices) => qsl.loadSamplesToRam!(indices) : noop,
    unload: qsl.unloadSamplesFromRam ? (indices) => qsl.unloadSamplesFromRam!(indices) : noop,
    start: sut.startTest ? (control) => sut.startTest!(control) : noop,
    settings,
    logSettings: log,
    auditConfig: options.auditConfig ?? 'audit.config',
    signal: options.signal,
    busyPollMicroseconds: options.busyPollMicroseconds,
  });
  return { ...stats, outdir, logFiles: logFilesIn(outdir, log.log_output) };
}
