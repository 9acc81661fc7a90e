/**
 * Bounds on the query schedule LoadGen pre-generates before a performance run. LoadGen 6.0.17
 * builds every query of the run in memory first (GenerateQueries in loadgen.cc); settings that
 * are well typed but absurd make that loop throw `std::bad_alloc` on LoadGen's thread, or never
 * end. These checks refuse them first, naming the field and the bound.
 *
 * @packageDocumentation
 */
import { totalmem } from 'node:os';
import { TestMode, TestScenario } from '../enums.js';
import type { NativeTestSettings } from '../native.js';
import { codedTypeError } from '../../errors.js';

// Rough in-memory cost of one generated query (LoadGen's QueryMetadata with its vectors) and of
// one sample in it (SampleMetadata plus the QuerySample LoadGen hands the SUT).
const BYTES_PER_QUERY = 256;
const BYTES_PER_SAMPLE = 64;
/** The longest mean gap between Server queries: LoadGen's issue thread sleeps it out, even through an abort. */
export const MAX_SERVER_INTERVAL_S = 3600;
/** The longest min_duration_ms accepted (about 31 years): LoadGen keeps it in microseconds. */
export const MAX_MIN_DURATION_MS = 1e12;

/** How many queries and samples LoadGen would generate for a performance run with these settings. */
export interface ScheduleSize {
  queries: number;
  samples: number;
  /** The setting that drives the size, as a TestSettings field name. */
  drivenBy: string;
}

function refuse(field: string, bound: string, value: unknown, why: string): TypeError {
  return codedTypeError(
    'ERR_LOADGEN_INVALID_SETTINGS',
    `settings.${field} must be ${bound} (got ${String(value)}): ${why}`,
  );
}

const num = (value: number | bigint | boolean | undefined): number => Number(value);

/**
 * Estimates the schedule of a performance run, as LoadGen's TestSettingsInternal and
 * GenerateQueries compute it. Accuracy runs issue each loaded sample once and are not estimated.
 */
export function scheduleSize(settings: NativeTestSettings): ScheduleSize {
  const scenario = num(settings.scenario);
  const minQueries = num(settings.min_query_count);
  const durationS = num(settings.min_duration_ms) / 1000;
  if (scenario === TestScenario.Offline) {
    const samples = Math.max(minQueries, Math.floor(1.1 * durationS * num(settings.offline_expected_qps)));
    return { queries: 1, samples, drivenBy: samples === minQueries ? 'min_query_count' : 'offline_expected_qps' };
  }
  if (scenario === TestScenario.Server) {
    const timed = num(settings.server_target_qps) * durationS;
    const queries = Math.max(minQueries, Math.ceil(timed));
    return { queries, samples: queries, drivenBy: queries === minQueries ? 'min_query_count' : 'server_target_qps' };
  }
  const multi = scenario === TestScenario.MultiStream;
  const latencyField = multi ? 'multi_stream_expected_latency_ns' : 'single_stream_expected_latency_ns';
  // LoadGen spaces these queries by (1 / (1e9 / latency)) seconds truncated to whole nanoseconds,
  // over twice the minimum duration.
  const periodNs = Math.trunc((1 / (1e9 / num(settings[latencyField]))) * 1e9);
  const timed = periodNs > 0 ? Math.ceil((2 * durationS * 1e9) / periodNs) : Infinity;
  const queries = Math.max(minQueries, timed);
  const perQuery = multi ? num(settings.multi_stream_samples_per_query) : 1;
  return {
    queries,
    samples: queries * perQuery,
    drivenBy:
      perQuery * BYTES_PER_SAMPLE > BYTES_PER_QUERY
        ? 'multi_stream_samples_per_query'
        : queries === minQueries
          ? 'min_query_count'
          : latencyField,
  };
}

/**
 * Refuses, with a TypeError (`ERR_LOADGEN_INVALID_SETTINGS`) naming the field and the bound,
 * settings whose pre-generated schedule cannot fit in memory, never ends, or that LoadGen does
 * not support. `memoryBytes` defaults to half of this machine's memory.
 */
export function checkSchedule(settings: NativeTestSettings, memoryBytes = totalmem() / 2): void {
  const scenario = num(settings.scenario);
  const mode = num(settings.mode);
  if (mode === TestMode.FindPeakPerformance && scenario !== TestScenario.Server) {
    throw refuse(
      'mode',
      'PerformanceOnly or AccuracyOnly here',
      'FindPeakPerformance',
      'LoadGen supports FindPeakPerformance only in the Server scenario',
    );
  }
  if (scenario === TestScenario.MultiStream && num(settings.multi_stream_samples_per_query) < 1) {
    throw refuse(
      'multi_stream_samples_per_query',
      'at least 1',
      settings.multi_stream_samples_per_query,
      'every MultiStream query needs a sample',
    );
  }
  if (num(settings.min_duration_ms) > MAX_MIN_DURATION_MS) {
    throw refuse(
      'min_duration_ms',
      `at most ${MAX_MIN_DURATION_MS} (about 31 years)`,
      settings.min_duration_ms,
      'LoadGen keeps the duration in microseconds',
    );
  }
  if (scenario === TestScenario.Server) {
    const qps = num(settings.server_target_qps);
    if (qps > 1e9)
      throw refuse('server_target_qps', 'at most 1e9', qps, "LoadGen's schedule has nanosecond resolution");
    if (qps < 1 / MAX_SERVER_INTERVAL_S) {
      throw refuse(
        'server_target_qps',
        `at least 1/${MAX_SERVER_INTERVAL_S} (one query an hour)`,
        qps,
        'LoadGen waits out the gap to each scheduled query, even when the run is aborted',
      );
    }
  }
  if (mode === TestMode.AccuracyOnly || settings.performance_issue_unique === true) return;
  const size = scheduleSize(settings);
  if (!Number.isFinite(size.queries)) {
    const field =
      scenario === TestScenario.MultiStream ? 'multi_stream_expected_latency_ns' : 'single_stream_expected_latency_ns';
    throw refuse(
      field,
      'at least 1 (ns)',
      settings[field],
      'LoadGen spaces its queries by whole nanoseconds and would generate queries for ever',
    );
  }
  const bytes = size.queries * BYTES_PER_QUERY + size.samples * BYTES_PER_SAMPLE;
  if (bytes > memoryBytes) {
    const gib = (value: number): string => `${(value / 2 ** 30).toFixed(1)} GiB`;
    throw refuse(
      size.drivenBy,
      `small enough for LoadGen's pre-generated schedule to fit in ${gib(memoryBytes)} (half of this machine's memory)`,
      settings[size.drivenBy],
      `LoadGen would generate ${size.queries.toExponential(2)} queries with ${size.samples.toExponential(2)} samples (≈ ${gib(bytes)}) before the first one`,
    );
  }
}
