/**
 * `TestSettings`: every field of LoadGen 6.0.17's `mlperf::TestSettings`, with the names, units
 * and defaults of the Python binding, so an MLPerf Python harness ports line by line.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { TestMode, TestScenario } from './enums.js';
import { native } from './native.js';
import { TEST_SETTINGS_FIELDS, fromNativeTestSettings, toNativeTestSettings } from './settings-payload.js';
import { diagnoseConfigFile } from './config-diagnosis.js';
import { LoadgenError, codedTypeError } from '../errors.js';

/** Which kind of config file {@link TestSettings.FromConfig} reads (LoadGen's `conf_type`). */
export const ConfigType = Object.freeze({ MlperfConf: 0, UserConf: 1, AuditConfig: 2 } as const);
/** One of the values of {@link ConfigType}. */
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType];

/**
 * Settings of one LoadGen test. Field names, units and defaults are LoadGen's (C++ and Python);
 * the two token-latency bounds use the Python names `ttft_latency` and `tpot_latency`.
 * 64-bit unsigned fields accept a number (a safe integer) or a bigint; the random seeds are
 * bigints because their real values exceed 2^53.
 */
export class TestSettings {
  /** The scenario to run. Default {@link TestScenario.SingleStream}. */
  scenario: TestScenario = TestScenario.SingleStream;
  /** What to measure. Default {@link TestMode.PerformanceOnly}. */
  mode: TestMode = TestMode.PerformanceOnly;

  /** SingleStream: expected latency, a hint for how many queries to pre-generate (ns). Default 1e6. */
  single_stream_expected_latency_ns = 1_000_000;
  /** SingleStream: the latency percentile reported (fraction). Default 0.9. */
  single_stream_target_latency_percentile = 0.9;

  /** MultiStream: expected latency per query, a pre-generation hint (ns). Default 8e6. */
  multi_stream_expected_latency_ns = 8_000_000;
  /** MultiStream: the latency percentile reported (fraction). Default 0.99. */
  multi_stream_target_latency_percentile = 0.99;
  /** MultiStream: samples per query. Default 8. */
  multi_stream_samples_per_query: number | bigint = 8;

  /** Server: mean rate of the Poisson arrival process (queries/s). Default 1. */
  server_target_qps = 1;
  /** Server: latency bound at the target percentile, without token latencies (ns). Default 1e8. */
  server_target_latency_ns: number | bigint = 100_000_000;
  /** Server: the latency percentile that must meet the bound (fraction); also used for TTFT/TPOT. Default 0.99. */
  server_target_latency_percentile = 0.99;
  /** Server: merge overdue queries into one IssueQuery call. Default false. */
  server_coalesce_queries = false;
  /** Server, FindPeakPerformance: decimals of precision of the peak QPS search. Default 1. */
  server_find_peak_qps_decimals_of_precision = 1;
  /** Server, FindPeakPerformance: step of the boundary search (queries/s). Default 1. */
  server_find_peak_qps_boundary_step_size = 1;
  /** Server: end the test early if more queries than this are outstanding (0 = no limit). Default 0. */
  server_max_async_queries: number | bigint = 0;
  /**
   * Server: number of registered issue threads. Must stay 0 with this binding: queries are issued
   * from LoadGen's own thread. Default 0.
   */
  server_num_issue_query_threads: number | bigint = 0;

  /** Offline: expected throughput (samples/s), which sizes the single query. Default 1. */
  offline_expected_qps = 1;
  /** Issue whole permutations of the loaded samples ("equal issue"). Default false. */
  sample_concatenate_permutation = false;

  /** Minimum test duration (ms). Default 10000. */
  min_duration_ms: number | bigint = 10_000;
  /** Maximum test duration (ms, 0 = no limit). Default 0. */
  max_duration_ms: number | bigint = 0;
  /** Minimum number of queries. Default 100. */
  min_query_count: number | bigint = 100;
  /** Maximum number of queries (0 = no limit). Default 0. */
  max_query_count: number | bigint = 0;

  /** Seed choosing the loaded sample sets. Default 0 (mlperf.conf sets the official one). */
  qsl_rng_seed: number | bigint = 0n;
  /** Seed choosing samples for queries. Default 0. */
  sample_index_rng_seed: number | bigint = 0n;
  /** Seed of the Server arrival schedule. Default 0. */
  schedule_rng_seed: number | bigint = 0n;
  /** Seed choosing which performance-mode responses are copied to the accuracy log. Default 0. */
  accuracy_log_rng_seed: number | bigint = 0n;
  /** Fraction of performance-mode responses copied to the accuracy log. Default 0. */
  accuracy_log_probability = 0;
  /** If > 0, the number of responses to copy to the accuracy log (overrides the probability). Default 0. */
  accuracy_log_sampling_target: number | bigint = 0;
  /** Legacy TEST05: use the test05 seeds below. Default false. */
  test05 = false;
  /** TEST05 replacement for qsl_rng_seed. Default 0. */
  test05_qsl_rng_seed: number | bigint = 0n;
  /** TEST05 replacement for sample_index_rng_seed. Default 0. */
  test05_sample_index_rng_seed: number | bigint = 0n;
  /** TEST05 replacement for schedule_rng_seed. Default 0. */
  test05_schedule_rng_seed: number | bigint = 0n;

  /** Print performance start/stop timestamps to stdout. Default false. */
  print_timestamps = false;
  /** Audit: issue every loaded sample once. Default false. */
  performance_issue_unique = false;
  /** Audit: issue the same sample every time. Default false. */
  performance_issue_same = false;
  /** Audit: the sample index used with performance_issue_same. Default 0. */
  performance_issue_same_index: number | bigint = 0;
  /** Overrides the QSL's performance sample count (0 = use the QSL's). Default 0. */
  performance_sample_count_override: number | bigint = 0;
  /** Overrides how many samples accuracy mode issues (0 = the QSL's total). Default 0. */
  accuracy_sample_count_override: number | bigint = 0;

  /** Track time to first token and time per output token (LLM benchmarks). Default false. */
  use_token_latencies = false;
  /** Time-to-first-token bound at the target percentile (ns); C++ `server_ttft_latency`. Default 1e8. */
  ttft_latency: number | bigint = 100_000_000;
  /** Time-per-output-token bound at the target percentile (ns); C++ `server_tpot_latency`. Default 1e8. */
  tpot_latency: number | bigint = 100_000_000;
  /** Report tokens/s as samples × token_latency_scaling_factor (no per-token timing). Default false. */
  infer_token_latencies = false;
  /** Tokens per sample assumed by infer_token_latencies. Default 0. */
  token_latency_scaling_factor: number | bigint = 0;

  /**
   * Reads a LoadGen config file (`user.conf` by default) into these settings, as LoadGen's own
   * `TestSettings::FromConfig` does: keys are looked up as `model.scenario.key`, then with `*`
   * wildcards. The first call in a process applies LoadGen's embedded mlperf.conf first (LoadGen
   * logs an error if a process reads config files more than once).
   *
   * @param path - the config file
   * @param model - the model name used in the file, e.g. `llama3_1-8b`
   * @param scenario - the scenario name used in the file, e.g. `Server`
   * @param conf_type - {@link ConfigType}: 1 for user.conf (default), 0 for mlperf.conf, 2 for audit.config
   * @returns 0, LoadGen's status for success
   * @throws {@link LoadgenError} `ERR_LOADGEN_CONFIG` naming the file and LoadGen's status when LoadGen rejects it
   */
  FromConfig(
    path: string,
    model: string,
    scenario: string,
    conf_type: ConfigType | number = ConfigType.UserConf,
  ): number {
    for (const [name, value] of [
      ['path', path],
      ['model', model],
      ['scenario', scenario],
    ] as const) {
      if (typeof value !== 'string')
        throw codedTypeError('ERR_INVALID_ARG_TYPE', `FromConfig: ${name} must be a string`);
    }
    if (conf_type !== 0 && conf_type !== 1 && conf_type !== 2) {
      throw codedTypeError(
        'ERR_INVALID_ARG_TYPE',
        'FromConfig: conf_type must be 0 (mlperf.conf), 1 (user.conf) or 2 (audit.config)',
      );
    }
    const { status, settings } = native.testSettingsFromConfig(
      toNativeTestSettings(this),
      path,
      model,
      scenario,
      conf_type,
    );
    if (status !== 0) throw configError(path, status);
    Object.assign(this, fromNativeTestSettings(settings));
    return status;
  }

  /** A copy of these settings. */
  clone(): TestSettings {
    return Object.assign(new TestSettings(), this);
  }
}

function configError(path: string, status: number): LoadgenError {
  if (status === -2) {
    return new LoadgenError(
      'ERR_LOADGEN_CONFIG',
      `LoadGen could not open the config file '${path}' (FromConfig returned ${status}, ENOENT). Check the path; it is relative to ${process.cwd()}.`,
    );
  }
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  const problems = text === undefined ? [] : diagnoseConfigFile(text);
  const where = problems.length
    ? ` ${problems
        .slice(0, 3)
        .map((p) => `line ${p.line}: ${p.problem}`)
        .join('; ')}.`
    : '';
  return new LoadgenError(
    'ERR_LOADGEN_CONFIG',
    `LoadGen rejected the config file '${path}' (FromConfig returned ${status}${status === -22 ? ', EINVAL' : ''}) and applied nothing from it.${where} ` +
      `Each line must read 'model.scenario.key = value' with spaces around '=' and a number as value; comment lines start with '# '.`,
  );
}

/** Every field name of {@link TestSettings}, in LoadGen's order. */
export const testSettingsFieldNames: readonly string[] = TEST_SETTINGS_FIELDS.map((field) => field.name);
