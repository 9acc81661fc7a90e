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
import { diagnoseConfigFile } from '../loadgen/settings/config-file.js';
import { LoadgenError, codedTypeError } from '../errors.js';
import { MAX_MIN_DURATION_MS } from '../loadgen/settings/schedule-bounds.js';

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
  /** The user's own user.conf: it overrides the quick-run defaults, and flags override it. */
  baseUserConf?: string | undefined;
}

/**
 * Quick-run defaults for datasets smaller than the official one (the embedded sample set): such a
 * run is a check, not a submission, so it is sized to end VALID in seconds on the tiny model.
 * - Server/Interactive: the latency bounds are judged at the 90th percentile instead of MLPerf's
 *   99th, whose early stopping needs about 460 queries (minutes at the tiny model's rate); 64
 *   queries satisfy the 90th's, at a rate the tiny model keeps up with on two busy cores.
 * - SingleStream: its 90th-percentile early stopping needs 64 queries.
 * - Offline: one query that ends with its last sample; a fast model finishes before any fixed
 *   minimum duration, so none is set and the sample count bounds the run.
 */
const QUICK_RUN = Object.freeze({
  minDurationMs: 1000,
  serverQps: 4,
  serverLatencyPercentile: 90,
  serverMinQueries: 64,
  singleStreamLatencyMs: 1000,
  singleStreamMinQueries: 64,
});

/** Where a user.conf setting of the run came from, by LoadGen config key (e.g. `target_qps`). */
export type SettingSources = Record<string, { value: string; source: string }>;

/** The keys a LoadGen config file sets for `model` and `scenario` (wildcards included), with their lines. */
/** The keys a LoadGen config text sets for `model` and `scenario` (wildcards included; the last line wins), with their lines. */
export function keysSetIn(text: string, model: string, scenario: string): Map<string, { value: string; line: number }> {
  const found = new Map<string, { value: string; line: number }>();
  text.split('\n').forEach((raw, index) => {
    const match = /^\s*([^\s#=]+)\.([^\s.=]+)\.([a-z_0-9]+)\s+=\s+(\S+)/.exec(raw);
    if (!match) return;
    const [, m, sc, key, value] = match;
    if ((m === model || m === '*') && (sc === scenario || sc === '*'))
      found.set(key!, { value: value!, line: index + 1 });
  });
  return found;
}

/**
 * Reads the user's `--user-conf` file and checks it as LoadGen would parse it, so that an error
 * names the user's own file and line numbers (not the run's generated user.conf).
 *
 * @throws LoadgenError `ERR_LOADGEN_CONFIG` when the file cannot be read or has lines LoadGen rejects
 */
export function readUserConf(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LoadgenError(
      'ERR_LOADGEN_CONFIG',
      `--user-conf ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass an existing LoadGen user.conf`,
      { cause: error },
    );
  }
  const problems = diagnoseConfigFile(text);
  if (problems.length > 0) {
    const where = problems
      .slice(0, 3)
      .map((p) => `line ${p.line}: ${p.problem}`)
      .join('; ');
    throw new LoadgenError(
      'ERR_LOADGEN_CONFIG',
      `--user-conf ${path}: LoadGen would reject it (${where}); each line reads 'model.scenario.key = value' with spaces around '='`,
    );
  }
  return text;
}

/**
 * Writes the run's user.conf and says where each of its settings came from. Order (LoadGen keeps
 * the last value of a key): quick-run defaults, then the user's own file, then the flags — so
 * the user's file and flags always win over defaults. The user's file is checked first, so an
 * error names it and its own line numbers.
 *
 * @throws LoadgenError `ERR_LOADGEN_CONFIG` naming the user's file and lines LoadGen would reject
 */
export function writeUserConf(path: string, options: UserConfOptions): SettingSources {
  const key = modelKey(options.scenario, options.suite);
  const lgScenario = loadgenScenario(options.scenario);
  const quick = options.sampleCount < OFFICIAL_SAMPLE_COUNT[options.suite];
  const sources: SettingSources = {};
  const lines: string[] = [];
  const set = (name: string, value: number, source: string, scope: string = lgScenario): void => {
    lines.push(`${key}.${scope}.${name} = ${value}`);
    sources[name] = { value: String(value), source };
  };

  if (quick) {
    const why = `quick-run default (${options.sampleCount} samples, not the official ${OFFICIAL_SAMPLE_COUNT[options.suite]})`;
    lines.push(`# ${why}: defaults that end VALID in seconds; a check, not a submission`);
    set('performance_sample_count_override', options.sampleCount, why, '*');
    if (lgScenario === 'Server') {
      // Interactive's 30 ms TPOT bound leaves less room: half the rate, half the rows per step.
      set('target_qps', options.scenario === 'Interactive' ? QUICK_RUN.serverQps / 2 : QUICK_RUN.serverQps, why);
      set('target_latency_percentile', QUICK_RUN.serverLatencyPercentile, why);
      set('min_query_count', QUICK_RUN.serverMinQueries, why);
      set('min_duration', QUICK_RUN.minDurationMs, why);
    } else if (lgScenario === 'SingleStream') {
      set('target_latency', QUICK_RUN.singleStreamLatencyMs, why);
      set('min_query_count', Math.max(options.sampleCount, QUICK_RUN.singleStreamMinQueries), why);
      set('min_duration', QUICK_RUN.minDurationMs, why);
    } else {
      set('min_query_count', options.sampleCount, why);
      set('min_duration', 0, why);
    }
  }
  if (options.baseUserConf !== undefined) {
    const text = readUserConf(options.baseUserConf);
    lines.push(`# from --user-conf ${options.baseUserConf}`, ...text.split('\n'), '');
    for (const [name, { value, line }] of keysSetIn(text, key, lgScenario)) {
      sources[name] = { value, source: `--user-conf ${options.baseUserConf}:${line}` };
    }
  }
  // LoadGen's Server schedule has nanosecond resolution (the lower bound keeps an abort prompt).
  checkFlag(
    '--target-qps',
    options.targetQps,
    (v) => Number.isFinite(v) && v >= 1 / 3600 && v <= 1e9,
    'a number from 1/3600 (one query an hour) to 1e9',
  );
  // LoadGen spaces SingleStream queries by whole nanoseconds: below 1 ns it generates queries for ever.
  checkFlag(
    '--target-latency',
    options.targetLatencyMs,
    (v) => Number.isFinite(v) && v >= 1e-6,
    'at least 1e-6 (1 ns)',
  );
  checkFlag(
    '--min-duration',
    options.minDurationMs,
    (v) => Number.isInteger(v) && v >= 0 && v <= MAX_MIN_DURATION_MS,
    `a whole number of ms from 0 to ${MAX_MIN_DURATION_MS}`,
  );
  checkFlag('--min-query-count', options.minQueryCount, (v) => Number.isSafeInteger(v) && v >= 0, 'a whole number ≥ 0');
  lines.push('# from the command line (later lines win)');
  if (options.targetQps !== undefined && (lgScenario === 'Server' || lgScenario === 'Offline'))
    set('target_qps', options.targetQps, '--target-qps');
  if (options.targetLatencyMs !== undefined && lgScenario === 'SingleStream')
    set('target_latency', options.targetLatencyMs, '--target-latency');
  if (options.minDurationMs !== undefined) set('min_duration', options.minDurationMs, '--min-duration');
  if (options.minQueryCount !== undefined) set('min_query_count', options.minQueryCount, '--min-query-count');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return sources;
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

/** Refuses a numeric flag LoadGen would misread (its config parser wraps -1 to 2^64 - 1 and casts 1e30). */
function checkFlag(flag: string, value: number | undefined, ok: (value: number) => boolean, expected: string): void {
  if (value !== undefined && !ok(value)) {
    throw codedTypeError('ERR_LOADGEN_INVALID_SETTINGS', `${flag} must be ${expected} (got ${value})`);
  }
}
