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
export function progressPlan(settings: TestSettings, mode: LlmMode, sampleCount: number): ProgressPlan {
  if (mode !== 'performance') return { samples: sampleCount };
  return {
    minDurationSeconds: Number(settings.min_duration_ms) / 1000,
    minQueryCount: Number(settings.min_query_count),
  };
}
