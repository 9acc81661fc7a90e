/**
 * LoadGen's Python API, name for name, so an MLPerf Python harness ports line by line:
 * `ConstructSUT`, `ConstructFastSUT`, `ConstructQSL`, `Destroy*`, `StartTest`,
 * `StartTestWithLogSettings`. Differences from Python: handles are objects; the start functions
 * return Promises (the test runs on its own thread and never blocks the event loop); callbacks may
 * be async; a callback that throws ends the test and rejects its promise.
 *
 * @packageDocumentation
 */
import { LogSettings } from './settings/log-settings.js';
import { QuerySample } from './samples.js';
import { executeTest } from './test-execution.js';
import type { TestSettings } from './settings/test-settings.js';
import { LoadgenError, codedTypeError, describeValue } from '../errors.js';

/** A callback result: nothing, or a promise the binding watches for rejection. */
export type MaybePromise = void | Promise<void> | PromiseLike<void>;

/** A system under test made by {@link ConstructSUT} or {@link ConstructFastSUT}. */
export class SUTHandle {
  /** @internal */
  destroyed = false;
  /** @internal */
  constructor(
    /** The name LoadGen logs for the SUT. */
    readonly name: string,
    /** @internal */
    readonly issue: (ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array) => unknown,
    /** @internal */
    readonly flush: () => unknown,
  ) {}
}

/** A query sample library made by {@link ConstructQSL}. */
export class QSLHandle {
  /** @internal */
  destroyed = false;
  /** @internal */
  constructor(
    /** The name LoadGen logs for the QSL. */
    readonly name: string,
    /** Total number of samples in the library. */
    readonly totalSampleCount: number,
    /** How many samples fit in memory at once (performance mode uses this many). */
    readonly performanceSampleCount: number,
    /** @internal */
    readonly load: (indices: Uint32Array) => unknown,
    /** @internal */
    readonly unload: (indices: Uint32Array) => unknown,
  ) {}
}

/**
 * Calls `call` once per LoadGen query of a delivery. The native side may hand over several
 * queries at once (`querySizes`, absent for one query); Python's binding never does, and ported
 * harnesses rely on that. A thrown error stops the rest; the first rejected promise is returned.
 */
function eachQuery(
  count: number,
  querySizes: Uint32Array | undefined,
  call: (start: number, end: number) => MaybePromise,
): unknown {
  if (querySizes === undefined) return call(0, count);
  let start = 0;
  let pending: Promise<void>[] | undefined;
  for (let q = 0; q < querySizes.length; q++) {
    const end = start + querySizes[q]!;
    const result = call(start, end);
    if (result !== undefined && typeof (result as PromiseLike<void>).then === 'function') {
      (pending ??= []).push(Promise.resolve(result));
    }
    start = end;
  }
  return pending === undefined ? undefined : Promise.all(pending);
}

function requireFunction(value: unknown, what: string): void {
  if (typeof value !== 'function')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `${what} must be a function (got ${describeValue(value)})`);
}

/**
 * Makes a system under test (Python: `lg.ConstructSUT(issue_cb, flush_cb)`).
 *
 * @param issue_cb - called once per query LoadGen issues, with its samples, in issue order (as in
 *   Python, so a harness that takes `query_samples[0]` sees every sample); must return quickly
 *   (Server latency counts from the scheduled time) and complete every sample later with
 *   {@link QuerySamplesComplete}.
 * @param flush_cb - called when LoadGen has issued the last query of a series
 * @param name - the SUT name LoadGen logs (not in Python; default "NodeSUT")
 */
export function ConstructSUT(
  issue_cb: (samples: QuerySample[]) => MaybePromise,
  flush_cb: () => MaybePromise,
  name = 'NodeSUT',
): SUTHandle {
  requireFunction(issue_cb, 'ConstructSUT: issue_cb');
  requireFunction(flush_cb, 'ConstructSUT: flush_cb');
  const issue = (ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array): unknown =>
    eachQuery(ids.length, querySizes, (start, end) => {
      const samples = new Array<QuerySample>(end - start);
      for (let i = start; i < end; i++) samples[i - start] = new QuerySample(ids[i], indices[i]);
      return issue_cb(samples);
    });
  return new SUTHandle(name, issue, flush_cb);
}

/**
 * Makes a system under test that receives ids and indices as typed arrays, with no per-sample
 * objects (Python: `lg.ConstructFastSUT(fast_issue_cb, flush_cb)`, which passes two lists).
 *
 * @param fast_issue_cb - called once per query LoadGen issues, with its response ids and QSL indices
 *   (views valid for as long as they are kept)
 * @param flush_cb - called when LoadGen has issued the last query of a series
 * @param name - the SUT name LoadGen logs (default "NodeFastSUT")
 */
export function ConstructFastSUT(
  fast_issue_cb: (ids: Float64Array, indices: Uint32Array) => MaybePromise,
  flush_cb: () => MaybePromise,
  name = 'NodeFastSUT',
): SUTHandle {
  requireFunction(fast_issue_cb, 'ConstructFastSUT: fast_issue_cb');
  requireFunction(flush_cb, 'ConstructFastSUT: flush_cb');
  const issue = (ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array): unknown =>
    querySizes === undefined
      ? fast_issue_cb(ids, indices)
      : eachQuery(ids.length, querySizes, (start, end) =>
          fast_issue_cb(ids.subarray(start, end), indices.subarray(start, end)),
        );
  return new SUTHandle(name, issue, flush_cb);
}

/**
 * Makes a query sample library (Python: `lg.ConstructQSL(total, performance_count, load_cb, unload_cb)`).
 *
 * @param total_sample_count - number of samples in the library
 * @param performance_sample_count - how many fit in memory at once
 * @param load_samples_to_ram - called with QSL indices to load before LoadGen issues them; may be async
 * @param unload_samples_from_ram - called with QSL indices that are no longer needed; may be async
 * @param name - the QSL name LoadGen logs (default "NodeQSL")
 */
export function ConstructQSL(
  total_sample_count: number,
  performance_sample_count: number,
  load_samples_to_ram: (indices: number[]) => MaybePromise,
  unload_samples_from_ram: (indices: number[]) => MaybePromise,
  name = 'NodeQSL',
): QSLHandle {
  requireFunction(load_samples_to_ram, 'ConstructQSL: load_samples_to_ram');
  requireFunction(unload_samples_from_ram, 'ConstructQSL: unload_samples_from_ram');
  return new QSLHandle(
    name,
    total_sample_count,
    performance_sample_count,
    (indices) => load_samples_to_ram(Array.from(indices)),
    (indices) => unload_samples_from_ram(Array.from(indices)),
  );
}

/** Releases a SUT handle (Python: `lg.DestroySUT(sut)`); it cannot start tests afterwards. */
export function DestroySUT(sut: SUTHandle): void {
  if (!(sut instanceof SUTHandle))
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `DestroySUT: expected a handle from ConstructSUT (got ${describeValue(sut)})`,
    );
  sut.destroyed = true;
}

/** Python spells it separately for fast SUTs. */
export const DestroyFastSUT = DestroySUT;

/** Releases a QSL handle (Python: `lg.DestroyQSL(qsl)`); it cannot start tests afterwards. */
export function DestroyQSL(qsl: QSLHandle): void {
  if (!(qsl instanceof QSLHandle))
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `DestroyQSL: expected a handle from ConstructQSL (got ${describeValue(qsl)})`,
    );
  qsl.destroyed = true;
}

/**
 * Runs a test with default log settings, writing LoadGen's logs into the current folder
 * (Python: `lg.StartTest(sut, qsl, settings, audit_config_filename)`).
 *
 * @returns a promise that settles when the whole test has ended and LoadGen's logs are written
 */
export function StartTest(
  sut: SUTHandle,
  qsl: QSLHandle,
  settings: TestSettings,
  audit_config_filename = 'audit.config',
): Promise<void> {
  return StartTestWithLogSettings(sut, qsl, settings, new LogSettings(), audit_config_filename);
}

/**
 * Runs a test (Python: `lg.StartTestWithLogSettings(sut, qsl, settings, log_settings, audit_config_filename)`).
 *
 * @param audit_config_filename - an audit config LoadGen applies if the file exists (compliance tests)
 * @returns a promise that settles when the whole test has ended and LoadGen's logs are written;
 *   it rejects with `ERR_LOADGEN_CALLBACK_FAILED` (cause: the original error) if a callback threw
 */
export async function StartTestWithLogSettings(
  sut: SUTHandle,
  qsl: QSLHandle,
  settings: TestSettings,
  log_settings: LogSettings,
  audit_config_filename = 'audit.config',
): Promise<void> {
  if (!(sut instanceof SUTHandle))
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `sut must be a handle from ConstructSUT (got ${describeValue(sut)})`);
  if (!(qsl instanceof QSLHandle))
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `qsl must be a handle from ConstructQSL (got ${describeValue(qsl)})`);
  if (sut.destroyed || qsl.destroyed) {
    throw new LoadgenError(
      'ERR_LOADGEN_DESTROYED',
      `The ${sut.destroyed ? 'SUT' : 'QSL'} handle was destroyed; construct a new one.`,
    );
  }
  if (settings === null || typeof settings !== 'object')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', `settings must be a TestSettings (got ${describeValue(settings)})`);
  if (!(log_settings instanceof LogSettings)) {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `log_settings must be a LogSettings (got ${describeValue(log_settings)})`,
    );
  }
  await executeTest({
    sutName: sut.name,
    qslName: qsl.name,
    totalSampleCount: qsl.totalSampleCount,
    performanceSampleCount: qsl.performanceSampleCount,
    issue: sut.issue,
    flush: sut.flush,
    load: qsl.load,
    unload: qsl.unload,
    settings,
    logSettings: log_settings,
    auditConfig: audit_config_filename,
  });
}
