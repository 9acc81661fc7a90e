/**
 * `TestSettings`: every field of LoadGen 6.0.17's `mlperf::TestSettings`, with the names, units
 * and defaults of the Python binding, so an MLPerf Python harness ports line by line.
 *
 * @packageDocumentation
 */
import { TestMode, TestScenario } from '../enums.js';
import { native } from '../native.js';
import { TEST_SETTINGS_FIELDS, defaultTestSettings, fromNativeTestSettings, toNativeTestSettings } from './fields.js';
import { checkConfigFile, configFileError } from './config-file.js';
import { codedTypeError } from '../../errors.js';

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
  /** LoadGen's own defaults, read from the native struct (the Default values below are what it holds). */
  constructor() {
    Object.assign(this, defaultTestSettings());
  }

  /** The scenario to run. Default `TestScenario.SingleStream`. */
  declare scenario: TestScenario;
  /** What to measure. Default `TestMode.PerformanceOnly`. */
  declare mode: TestMode;

  /** SingleStream: expected latency, a hint for how many queries to pre-generate (ns). Default 1e6. */
  declare single_stream_expected_latency_ns: number;
  /** SingleStream: the latency percentile reported (fraction). Default 0.9. */
  declare single_stream_target_latency_percentile: number;

  /** MultiStream: expected latency per query, a pre-generation hint (ns). Default 8e6. */
  declare multi_stream_expected_latency_ns: number;
  /** MultiStream: the latency percentile reported (fraction). Default 0.99. */
  declare multi_stream_target_latency_percentile: number;
  /** MultiStream: samples per query. Default 8. */
  declare multi_stream_samples_per_query: number | bigint;

  /** Server: mean rate of the Poisson arrival process (queries/s). Default 1. */
  declare server_target_qps: number;
  /** Server: latency bound at the target percentile, without token latencies (ns). Default 1e8. */
  declare server_target_latency_ns: number | bigint;
  /** Server: the latency percentile that must meet the bound (fraction); also used for TTFT/TPOT. Default 0.99. */
  declare server_target_latency_percentile: number;
  /** Server: merge overdue queries into one IssueQuery call. Default false. */
  declare server_coalesce_queries: boolean;
  /** Server, FindPeakPerformance: decimals of precision of the peak QPS search. Default 1. */
  declare server_find_peak_qps_decimals_of_precision: number;
  /** Server, FindPeakPerformance: step of the boundary search (queries/s). Default 1. */
  declare server_find_peak_qps_boundary_step_size: number;
  /** Server: end the test early if more queries than this are outstanding (0 = no limit). Default 0. */
  declare server_max_async_queries: number | bigint;
  /**
   * Server: number of registered issue threads. Must stay 0 with this binding: queries are issued
   * from LoadGen's own thread. Default 0.
   */
  declare server_num_issue_query_threads: number | bigint;

  /** Offline: expected throughput (samples/s), which sizes the single query. Default 1. */
  declare offline_expected_qps: number;
  /** Issue whole permutations of the loaded samples ("equal issue"). Default false. */
  declare sample_concatenate_permutation: boolean;

  /** Minimum test duration (ms). Default 10000. */
  declare min_duration_ms: number | bigint;
  /** Maximum test duration (ms, 0 = no limit). Default 0. */
  declare max_duration_ms: number | bigint;
  /** Minimum number of queries. Default 100. */
  declare min_query_count: number | bigint;
  /** Maximum number of queries (0 = no limit). Default 0. */
  declare max_query_count: number | bigint;

  /** Seed choosing the loaded sample sets. Default 0 (mlperf.conf sets the official one). */
  declare qsl_rng_seed: number | bigint;
  /** Seed choosing samples for queries. Default 0. */
  declare sample_index_rng_seed: number | bigint;
  /** Seed of the Server arrival schedule. Default 0. */
  declare schedule_rng_seed: number | bigint;
  /** Seed choosing which performance-mode responses are copied to the accuracy log. Default 0. */
  declare accuracy_log_rng_seed: number | bigint;
  /** Fraction of performance-mode responses copied to the accuracy log. Default 0. */
  declare accuracy_log_probability: number;
  /** If > 0, the number of responses to copy to the accuracy log (overrides the probability). Default 0. */
  declare accuracy_log_sampling_target: number | bigint;
  /** Legacy TEST05: use the test05 seeds below. Default false. */
  declare test05: boolean;
  /** TEST05 replacement for qsl_rng_seed. Default 0. */
  declare test05_qsl_rng_seed: number | bigint;
  /** TEST05 replacement for sample_index_rng_seed. Default 0. */
  declare test05_sample_index_rng_seed: number | bigint;
  /** TEST05 replacement for schedule_rng_seed. Default 0. */
  declare test05_schedule_rng_seed: number | bigint;

  /** Print performance start/stop timestamps to stdout. Default false. */
  declare print_timestamps: boolean;
  /** Audit: issue every loaded sample once. Default false. */
  declare performance_issue_unique: boolean;
  /** Audit: issue the same sample every time. Default false. */
  declare performance_issue_same: boolean;
  /** Audit: the sample index used with performance_issue_same. Default 0. */
  declare performance_issue_same_index: number | bigint;
  /** Overrides the QSL's performance sample count (0 = use the QSL's). Default 0. */
  declare performance_sample_count_override: number | bigint;
  /** Overrides how many samples accuracy mode issues (0 = the QSL's total). Default 0. */
  declare accuracy_sample_count_override: number | bigint;

  /** Track time to first token and time per output token (LLM benchmarks). Default false. */
  declare use_token_latencies: boolean;
  /** Time-to-first-token bound at the target percentile (ns); C++ `server_ttft_latency`. Default 1e8. */
  declare ttft_latency: number | bigint;
  /** Time-per-output-token bound at the target percentile (ns); C++ `server_tpot_latency`. Default 1e8. */
  declare tpot_latency: number | bigint;
  /** Report tokens/s as samples × token_latency_scaling_factor (no per-token timing). Default false. */
  declare infer_token_latencies: boolean;
  /** Tokens per sample assumed by infer_token_latencies. Default 0. */
  declare token_latency_scaling_factor: number | bigint;

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
    // conf_type 0 reads LoadGen's embedded mlperf.conf, not the path.
    if (conf_type !== ConfigType.MlperfConf) checkConfigFile(path);
    const { status, settings } = native.testSettingsFromConfig(
      toNativeTestSettings(this),
      path,
      model,
      scenario,
      conf_type,
    );
    if (status !== 0) throw configFileError(path, status);
    Object.assign(this, fromNativeTestSettings(settings));
    return status;
  }

  /** A copy of these settings. */
  clone(): TestSettings {
    return Object.assign(new TestSettings(), this);
  }
}

/** Every field name of {@link TestSettings}, in LoadGen's order. */
export const testSettingsFieldNames: readonly string[] = TEST_SETTINGS_FIELDS.map((field) => field.name);
