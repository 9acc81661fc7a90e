/**
 * How long a run takes to end once it was aborted, read from what LoadGen has logged so far.
 *
 * LoadGen 6.0.17 has no way to stop a test. The binding ends one by answering every
 * outstanding sample, and every sample LoadGen issues later, at once with an empty response
 * (native/drain.cc). What remains depends on LoadGen's scheduler (third_party/loadgen,
 * issue_query_controller.cc):
 *
 * - Offline issues one query: the run ends as soon as its samples are answered.
 * - SingleStream and MultiStream issue the next query when the last one is answered, so the
 *   remaining pre-generated queries go through in moments.
 * - Server sleeps until each query's scheduled time, whatever the SUT does: a SUT that falls
 *   behind only makes LoadGen issue the queries that are due back to back, never sooner. Its
 *   only early exits (`server_max_async_queries`, `max_query_count`, `max_duration`) are
 *   settings fixed when the test starts, so an abort waits for the last scheduled query: up
 *   to the whole minimum duration (600 s under MLPerf's rules), in accuracy mode too.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDetail, type DetailLog } from '../report/detail.js';

/** What is left of an aborted run. */
export interface EarlyEnd {
  /** Seconds until LoadGen's logs are complete (an estimate; 0 when it ends at once). */
  seconds: number;
  /** Whether LoadGen still follows a Server schedule to its end. */
  followsSchedule: boolean;
  /** One sentence for the user: what happens now and how long it takes. */
  message: string;
}

/**
 * Time LoadGen needs after its last query to compute its results and flush four log files; a
 * run of 13,368 samples takes well under this on one core (measured, README "Ending a run early").
 */
const LOG_WRITING_SECONDS = 1;

function numberIn(detail: DetailLog, key: string): number | undefined {
  const value = detail.get(key);
  return typeof value === 'number' ? value : undefined;
}

/** Scheduled length of a Server phase that has not generated its queries yet, in ms. */
function plannedScheduleMs(detail: DetailLog): number {
  const minDuration = numberIn(detail, 'effective_min_duration_ms') ?? 0;
  const qps = numberIn(detail, 'effective_target_qps') ?? 0;
  const minQueries = numberIn(detail, 'effective_min_query_count') ?? 0;
  return Math.max(minDuration, qps > 0 ? (minQueries / qps) * 1000 : 0);
}

/** Milliseconds of the Server schedule left at `elapsedMs` after the test started. */
function serverScheduleLeftMs(detail: DetailLog, elapsedMs: number): number {
  // Each phase (accuracy, then performance in a submission run) logs "Starting ... mode", then
  // generates its queries and logs how long their schedule is.
  let phase: string | undefined;
  let scheduleEndMs: number | undefined;
  for (const record of detail.records) {
    if (record.key === 'generic_message' && typeof record.value === 'string' && record.value.startsWith('Starting ')) {
      phase = record.value;
      scheduleEndMs = undefined;
    } else if (record.key === 'generated_query_duration' && typeof record.value === 'number') {
      scheduleEndMs = (record.time_ms ?? 0) + record.value / 1e6;
    }
  }
  let left = scheduleEndMs !== undefined ? Math.max(0, scheduleEndMs - elapsedMs) : plannedScheduleMs(detail);
  const submission = detail.get('effective_test_mode') === 'SubmissionRun';
  if (submission && phase === 'Starting accuracy mode') left += plannedScheduleMs(detail);
  return left;
}

function clock(secondsFromNow: number): string {
  return new Date(Date.now() + secondsFromNow * 1000).toTimeString().slice(0, 8);
}

/**
 * Estimates how long an aborted run still takes, from its detail log so far.
 *
 * @param detailLogPath - the run's `mlperf_log_detail.txt` (LoadGen writes it as the run goes)
 * @param elapsedMs - milliseconds since the test started (LoadGen's log times count from there)
 */
export function estimateEarlyEnd(detailLogPath: string, elapsedMs: number): EarlyEnd {
  const detail = parseDetail(existsSync(detailLogPath) ? readFileSync(detailLogPath, 'utf8') : '');
  const scenario = detail.get('effective_scenario');
  if (scenario === undefined) {
    return {
      seconds: LOG_WRITING_SECONDS,
      followsSchedule: false,
      message:
        'LoadGen is still starting; it ends once it has issued its queries, each answered at once with an empty ' +
        'response (a Server run at the pace of its schedule)',
    };
  }
  if (scenario !== 'Server') {
    return {
      seconds: LOG_WRITING_SECONDS,
      followsSchedule: false,
      message:
        'the samples still open are answered at once with empty responses; LoadGen ends and writes its logs ' +
        `within about ${LOG_WRITING_SECONDS} s`,
    };
  }
  const seconds = Math.ceil(serverScheduleLeftMs(detail, elapsedMs) / 1000) + LOG_WRITING_SECONDS;
  return {
    seconds,
    followsSchedule: true,
    message:
      'LoadGen cannot stop a Server run before its schedule ends: the remaining queries still arrive on schedule and are answered at once with empty responses, so the run ends in about ' +
      `${seconds} s (at ${clock(seconds)}), with complete logs`,
  };
}
