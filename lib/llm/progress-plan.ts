/**
 * What a run is expected to do, known before it starts: the progress line's ETA comes from it.
 *
 * @packageDocumentation
 */
import type { TestSettings } from '../loadgen/settings/test-settings.js';
import type { LlmMode } from './benchmark-settings.js';

/** What a run is expected to do, for the progress line's ETA. */
export interface ProgressPlan {
  /** The samples the run completes when known in advance (accuracy runs: the dataset). */
  samples?: number | undefined;
  /** Performance runs: LoadGen runs at least this long (its min_duration)... */
  minDurationSeconds?: number | undefined;
  /** ...and completes at least this many queries (its min_query_count). */
  minQueryCount?: number | undefined;
}

/** What the progress line's ETA is computed from: the samples of an accuracy run, LoadGen's minimums otherwise. */
export function progressPlan(
  settings: TestSettings,
  mode: LlmMode,
  sampleCount: number,
  audit?: ReadonlyMap<string, { value: string }>,
): ProgressPlan {
  // An audit config (a compliance test) overrides the run's mode and minimums, as LoadGen applies it.
  const auditMode = audit?.get('mode')?.value;
  // LoadGen's TestMode: 1 AccuracyOnly, 2 PerformanceOnly.
  const performance = auditMode === '2' || (auditMode !== '1' && mode === 'performance');
  if (!performance) return { samples: sampleCount };
  const minDuration = audit?.get('min_duration')?.value ?? String(settings.min_duration_ms);
  const minQueries = audit?.get('min_query_count')?.value ?? String(settings.min_query_count);
  return { minDurationSeconds: Number(minDuration) / 1000, minQueryCount: Number(minQueries) };
}
