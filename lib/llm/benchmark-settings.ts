/**
 * LoadGen settings for the Llama-3.1-8B benchmark: the MLPerf model key for a scenario and
 * suite, a `user.conf` written from the harness's flags (on top of the user's own, if any), and
 * the TestSettings LoadGen's FromConfig makes of them.
 *
 * @packageDocumentation
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { TestMode, TestScenario, type TestScenarioName } from '../loadgen/enums.js';
import { ConfigType, TestSettings } from '../loadgen/settings/test-settings.js';

/** The scenarios the harness runs. Interactive is LoadGen's Server with tighter latency bounds. */
export type LlmScenario = 'Offline' | 'Server' | 'SingleStream' | 'Interactive';
/** What a run measures. */
export type LlmMode = 'performance' | 'accuracy' | 'submission';
/** MLPerf suite: datacenter (13,368 samples) or edge (5,000 samples). */
export type Suite = 'datacenter' | 'edge';

export const LLM_SCENARIOS: readonly LlmScenario[] = ['Offline', 'Server', 'SingleStream', 'Interactive'];
export const LLM_MODES: readonly LlmMode[] = ['performance', 'accuracy', 'submission'];

/** Samples in the official dataset of each suite. */
export const OFFICIAL_SAMPLE_COUNT: Readonly<Record<Suite, number>> = { datacenter: 13368, edge: 5000 };

/** The suite whose official dataset has this many samples, if any (accuracy targets only apply to those). */
export function suiteOfSampleCount(samples: number): Suite | undefined {
  if (samples === OFFICIAL_SAMPLE_COUNT.datacenter) return 'datacenter';
  if (samples === OFFICIAL_SAMPLE_COUNT.edge) return 'edge';
  return undefined;
}

/** The suite a scenario belongs to unless told otherwise (SingleStream exists only on edge). */
export function defaultSuite(scenario: LlmScenario): Suite {
  return scenario === 'SingleStream' ? 'edge' : 'datacenter';
}

/** MLPerf's model key for LoadGen's config files. */
export function modelKey(scenario: LlmScenario, suite: Suite): string {
  if (scenario === 'Interactive') return 'llama3_1-8b-interactive';
  return suite === 'edge' ? 'llama3_1-8b-edge' : 'llama3_1-8b';
}

/** The LoadGen scenario a harness scenario runs as. */
export function loadgenScenario(scenario: LlmScenario): TestScenarioName {
  return scenario === 'Interactive' ? 'Server' : scenario;
}

/** The inputs of {@link writeUserConf}. */
export interface UserConfOptions {
  scenario: LlmScenario;
  suite: Suite;
  /** Samples the run uses (the QSL's total). */
  sampleCount: number;
  /** Server/Interactive arrival rate, or Offline expected throughput, in samples per second. */
  targetQps?: number | undefined;
  /** SingleStream expected latency per sample, in milliseconds. */
  targetLatencyMs?: number | undefined;
  minDurationMs?: number | undefined;
  minQueryCount?: number | undefined;
  /** A user.conf whose lines come first (flags override them). */
  baseUserConf?: string | undefined;
}

/** Quick-run defaults for datasets smaller than the official one (the embedded sample set). */
const QUICK_RUN = Object.freeze({
  minDurationMs: 1000,
  serverQps: 5,
  singleStreamLatencyMs: 1000,
  singleStreamMinQueries: 64,
});

/**
 * Writes the run's user.conf: the user's file (if any), then one line per flag, so flags win
 * (LoadGen keeps the last value of a key). A dataset smaller than the suite's official one gets
 * quick-run defaults (short minimum duration, query counts that fit the dataset), since such a
 * run is a check, not a submission.
 */
export function writeUserConf(path: string, options: UserConfOptions): void {
  const key = modelKey(options.scenario, options.suite);
  const lgScenario = loadgenScenario(options.scenario);
  const quick = options.sampleCount < OFFICIAL_SAMPLE_COUNT[options.suite];
  const lines: string[] = [];
  if (options.baseUserConf !== undefined) {
    lines.push(`# from ${options.baseUserConf}`, ...readFileSync(options.baseUserConf, 'utf8').split('\n'), '');
  }
  lines.push('# written by mlperf-llm from its flags (later lines win)');
  const set = (name: string, value: number): void => {
    lines.push(`${key}.${lgScenario}.${name} = ${value}`);
  };
  const targetQps = options.targetQps ?? (quick && lgScenario === 'Server' ? QUICK_RUN.serverQps : undefined);
  if (targetQps !== undefined && (lgScenario === 'Server' || lgScenario === 'Offline')) set('target_qps', targetQps);
  const targetLatency =
    options.targetLatencyMs ?? (quick && lgScenario === 'SingleStream' ? QUICK_RUN.singleStreamLatencyMs : undefined);
  if (targetLatency !== undefined && lgScenario === 'SingleStream') set('target_latency', targetLatency);
  if (quick) lines.push(`${key}.*.performance_sample_count_override = ${options.sampleCount}`);
  // Offline is one query that ends with its last sample: on the small sample set a fast model
  // finishes before any fixed minimum, so a quick Offline run is bounded by its sample count alone.
  const quickDuration = lgScenario === 'Offline' ? 0 : QUICK_RUN.minDurationMs;
  const minDuration = options.minDurationMs ?? (quick ? quickDuration : undefined);
  if (minDuration !== undefined) set('min_duration', minDuration);
  // SingleStream's early stopping needs 64 queries for its 90th percentile.
  const quickQueries =
    lgScenario === 'SingleStream'
      ? Math.max(options.sampleCount, QUICK_RUN.singleStreamMinQueries)
      : options.sampleCount;
  const minQueries = options.minQueryCount ?? (quick ? quickQueries : undefined);
  if (minQueries !== undefined) set('min_query_count', minQueries);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/**
 * LoadGen's TestSettings for the run: embedded mlperf.conf, then the user.conf, then the mode.
 * LoadGen applies mlperf.conf by itself only at the first user.conf a process reads, so it is
 * applied explicitly here; a second run in one process still makes LoadGen log its "multiple
 * conf files" error, since only one run per process counts for a submission.
 */
export function benchmarkTestSettings(
  userConfPath: string,
  scenario: LlmScenario,
  suite: Suite,
  mode: LlmMode,
): TestSettings {
  const settings = new TestSettings();
  const key = modelKey(scenario, suite);
  settings.FromConfig('', key, loadgenScenario(scenario), ConfigType.MlperfConf);
  settings.FromConfig(userConfPath, key, loadgenScenario(scenario), ConfigType.UserConf);
  settings.scenario = TestScenario[loadgenScenario(scenario)];
  settings.mode =
    mode === 'accuracy'
      ? TestMode.AccuracyOnly
      : mode === 'submission'
        ? TestMode.SubmissionRun
        : TestMode.PerformanceOnly;
  return settings;
}
