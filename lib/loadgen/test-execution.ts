/**
 * Runs one LoadGen test: the single place where user callbacks meet the native run. Both the
 * Python-style API and {@link runTest} come through here, so failure handling, aborts and
 * process-exit safety are the same for both.
 *
 * @packageDocumentation
 */
import type { LogSettings } from './settings/log-settings.js';
import { logFilesIn, toNativeLogSettings } from './settings/log-settings.js';
import { native, type RunStats } from './native.js';
import { toNativeTestSettings } from './settings/fields.js';
import { CodedError, LoadgenError, abortError, codedTypeError, describeValue, messageOf } from '../errors.js';
import type { TestControl } from './run-test.js';
import { estimateEarlyEnd } from './early-end.js';
import { checkLogOutput } from './settings/log-output-check.js';
import { checkSchedule } from './settings/schedule-bounds.js';

export type { RunStats } from './native.js';

/** What one test needs: the SUT and QSL callbacks (any may be async) and the settings. */
export interface TestPlan {
  sutName: string;
  qslName: string;
  totalSampleCount: number;
  performanceSampleCount: number;
  /** `querySizes`: how many samples each LoadGen query holds, when a delivery holds more than one. */
  issue(ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array): unknown;
  flush(): unknown;
  load(indices: Uint32Array): unknown;
  unload(indices: Uint32Array): unknown;
  /** Called once before LoadGen starts, with the test's control. */
  start?(control: TestControl): void;
  /** A TestSettings, or any object with its fields. */
  settings: object;
  logSettings: LogSettings;
  auditConfig: string;
  signal?: AbortSignal | undefined;
  /** Busy-poll window in microseconds; default {@link DEFAULT_BUSY_POLL_MICROSECONDS}. */
  busyPollMicroseconds?: number | undefined;
}

/**
 * How long each side of the LoadGen/JS hand-off spins before sleeping, when the SUT answered
 * its last samples synchronously. Waking a sleeping thread costs tens of microseconds, more
 * than LoadGen needs for a whole query; with a real model the SUT is never that fast, and the
 * spin stops after this window.
 */
export const DEFAULT_BUSY_POLL_MICROSECONDS = 50;

let testRunning = false;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 32 - 1) {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be an integer from 1 to 2^32-1 (got ${describeValue(value)})`,
    );
  }
  return value;
}

function abortedTest(signal: AbortSignal): CodedError {
  return abortError(
    'The test',
    signal.reason,
    "LoadGen's logs were written and flushed, and record the abort; the run is not a valid result",
  );
}

/**
 * Runs a test to its end and returns the binding's statistics. LoadGen's results are in its log
 * files. Rejects with the first error a callback threw or rejected with (as `cause`), or with an
 * `AbortError` when the signal fired; LoadGen's logs are complete in every case.
 */
export async function executeTest(plan: TestPlan): Promise<RunStats> {
  for (const [name, value] of [
    ['sut name', plan.sutName],
    ['qsl name', plan.qslName],
  ] as const) {
    if (typeof value !== 'string')
      throw codedTypeError('ERR_INVALID_ARG_TYPE', `the ${name} must be a string (got ${describeValue(value)})`);
  }
  const totalSampleCount = checkCount(plan.totalSampleCount, 'totalSampleCount');
  const performanceSampleCount = checkCount(plan.performanceSampleCount, 'performanceSampleCount');
  const settings = toNativeTestSettings(plan.settings);
  const logSettings = toNativeLogSettings(plan.logSettings);
  if (typeof plan.auditConfig !== 'string')
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `auditConfig must be a file name (got ${describeValue(plan.auditConfig)})`,
    );
  const busyPoll = plan.busyPollMicroseconds ?? DEFAULT_BUSY_POLL_MICROSECONDS;
  if (typeof busyPoll !== 'number' || !(busyPoll >= 0 && busyPoll <= 1_000_000)) {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `busyPollMicroseconds must be a number from 0 to 1e6 (got ${describeValue(busyPoll)})`,
    );
  }
  checkSchedule(settings);
  checkLogOutput(logSettings.log_output);
  const { signal } = plan;
  if (signal?.aborted) throw abortedTest(signal);
  if (testRunning) {
    throw new LoadgenError(
      'ERR_LOADGEN_BUSY',
      'A LoadGen test is already running in this process. LoadGen keeps process-wide state, so tests run one at a time: await the running test before starting the next.',
    );
  }

  // A callback's promise may settle after its own run ended (an aborted run does not wait for
  // it): whatever it settles then must not reach the run after it. Runs never overlap
  // (testRunning), so a run that has ended is all each closure needs to know.
  let ended = false;
  const ours = (): boolean => !ended;
  // The first failure ends the test: a callback that threw (wrapped as ERR_LOADGEN_CALLBACK_FAILED),
  // or the SUT's own TestControl.fail (its error as is). Either from an earlier run is ignored.
  let failure: { error: unknown; fromSut: boolean } | undefined;
  const fail = (error: unknown): void => {
    if (failure || !ours()) return;
    failure = { error, fromSut: false };
    native.abortTest(`a callback failed: ${messageOf(error)}`);
  };
  const control: TestControl = {
    fail(error: unknown): void {
      if (failure || !ours()) return;
      failure = { error, fromSut: true };
      native.abortTest(`the SUT failed: ${messageOf(error)}`);
    },
  };
  // A callback that throws or returns a rejected promise ends the run. Written out per callback
  // (no closure per call): onIssue is the hot path.
  const onIssue = (ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array): void => {
    try {
      const result = plan.issue(ids, indices, querySizes);
      if (result !== undefined && isThenable(result)) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
  const onFlush = (): void => {
    try {
      const result = plan.flush();
      if (result !== undefined && isThenable(result)) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
  const onQslRequest = (kind: 'load' | 'unload', seq: number, indices: Uint32Array): void => {
    // A load that settles after its run drained must not release the next run's load.
    const settle = (): void => {
      if (ours()) native.settleQslRequest(seq);
    };
    try {
      const result = kind === 'load' ? plan.load(indices) : plan.unload(indices);
      if (isThenable(result)) {
        result.then(settle, (error: unknown) => {
          fail(error);
          settle();
        });
        return;
      }
    } catch (error) {
      fail(error);
    }
    settle();
  };
  const onAbort = (): void => {
    if (ours()) native.abortTest(`aborted by its AbortSignal: ${messageOf(signal?.reason)}`);
  };
  // process.exit() on the main thread runs no native cleanup hooks: finish LoadGen's thread
  // before C++ static destructors run. A Server run blocks the exit until its schedule ends:
  // say so rather than hang in silence.
  let startedAt = 0;
  const onExit = (): void => {
    const detailLog = logFilesIn(logSettings.log_output.outdir, logSettings.log_output).detail;
    const end = estimateEarlyEnd(detailLog, performance.now() - startedAt);
    if (end.followsSchedule) {
      process.stderr.write(`mlperf-loadgen-node: the process is exiting during a test; ${end.message}\n`);
    }
    native.abortTest('the process is exiting', true);
  };

  plan.start?.(control);
  testRunning = true;
  signal?.addEventListener('abort', onAbort, { once: true });
  process.once('exit', onExit);
  let stats: RunStats;
  startedAt = performance.now();
  try {
    stats = await native.startTest({
      sutName: plan.sutName,
      qslName: plan.qslName,
      totalSampleCount,
      performanceSampleCount,
      settings,
      logSettings,
      auditConfig: plan.auditConfig,
      busyPollNs: busyPoll * 1000,
      onIssue,
      onFlush,
      onQslRequest,
    });
  } finally {
    ended = true;
    testRunning = false;
    signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', onExit);
  }
  if (failure?.fromSut) throw failure.error;
  if (failure) {
    throw new LoadgenError(
      'ERR_LOADGEN_CALLBACK_FAILED',
      `A callback failed, so the test was ended early: ${messageOf(failure.error)}. LoadGen's logs record the abort; the run is not a valid result.`,
      { cause: failure.error },
    );
  }
  if (stats.aborted && signal?.aborted) throw abortedTest(signal);
  return stats;
}
