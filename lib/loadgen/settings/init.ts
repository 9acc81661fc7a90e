/**
 * camelCase settings for {@link runTest}: `{ scenario: 'Server', minDurationMs: 1000 }` instead
 * of assigning snake_case fields one by one. The names are derived from TestSettings' own
 * fields, so the two cannot drift apart.
 *
 * @packageDocumentation
 */
import type { TestMode, TestModeName, TestScenario, TestScenarioName } from '../enums.js';
import { LogSettings } from './log-settings.js';
import { TEST_SETTINGS_FIELDS } from './fields.js';
import { TestSettings } from './test-settings.js';
import { codedTypeError } from '../../errors.js';

/** `snake_case` → `camelCase`, at the type level. */
export type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

type SettingsFieldName = {
  [K in keyof TestSettings]: TestSettings[K] extends (...args: never[]) => unknown ? never : K;
}[keyof TestSettings];

/**
 * Every TestSettings field, camelCased and optional (`minDurationMs`, `serverTargetQps`,
 * `useTokenLatencies`, `ttftLatency`, …). Scenario and mode may be given by name.
 */
export type TestSettingsInit = {
  [K in SettingsFieldName as SnakeToCamel<K>]?: K extends 'scenario'
    ? TestScenario | TestScenarioName
    : K extends 'mode'
      ? TestMode | TestModeName
      : TestSettings[K];
};

/** Log options for {@link runTest}; every field optional. */
export interface LogOptions {
  /** Folder for LoadGen's four log files; created if missing. Default: the current folder. */
  outdir?: string;
  /** File name prefix. Default `"mlperf_log_"`. */
  prefix?: string;
  /** File name suffix. Default `""`. */
  suffix?: string;
  /** Put the date and time after the prefix. Default false. */
  prefixWithDatetime?: boolean;
  /** Also print the detail log to stdout. Default false. */
  copyDetailToStdout?: boolean;
  /** Also print the summary to stdout. Default false. */
  copySummaryToStdout?: boolean;
  /** Write the Chrome trace file. Default true. */
  enableTrace?: boolean;
}

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
const SNAKE_BY_CAMEL = new Map(TEST_SETTINGS_FIELDS.map((field) => [camel(field.name), field.name]));

function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c.startsWith(lower) || lower.startsWith(c) || c.includes(lower)) {
      if (best === undefined || candidate.length < best.length) best = candidate;
    }
  }
  return best;
}

/**
 * A TestSettings from camelCase options (or the TestSettings itself). Validation of values
 * happens when the test starts.
 * @throws TypeError `ERR_LOADGEN_INVALID_SETTINGS` for an unknown option name
 */
export function testSettingsFrom(init: TestSettings | TestSettingsInit): TestSettings {
  if (init instanceof TestSettings) return init;
  if (init === null || typeof init !== 'object')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'settings must be a TestSettings or an object of camelCase settings');
  const settings = new TestSettings() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(init)) {
    const snake = SNAKE_BY_CAMEL.get(key);
    if (snake === undefined) {
      const guess = closest(key, SNAKE_BY_CAMEL.keys());
      throw codedTypeError(
        'ERR_LOADGEN_INVALID_SETTINGS',
        `settings.${key} is not a LoadGen setting${guess ? ` (did you mean ${guess}?)` : ''}`,
      );
    }
    settings[snake] = value;
  }
  return settings as unknown as TestSettings;
}

const LOG_OPTION_FIELDS: Record<keyof LogOptions, keyof LogSettings['log_output'] | 'enable_trace'> = {
  outdir: 'outdir',
  prefix: 'prefix',
  suffix: 'suffix',
  prefixWithDatetime: 'prefix_with_datetime',
  copyDetailToStdout: 'copy_detail_to_stdout',
  copySummaryToStdout: 'copy_summary_to_stdout',
  enableTrace: 'enable_trace',
};

/** A LogSettings from {@link LogOptions} (or the LogSettings itself). */
export function logSettingsFrom(options: LogSettings | LogOptions | undefined): LogSettings {
  if (options instanceof LogSettings) return options;
  const settings = new LogSettings();
  if (options === undefined) return settings;
  if (options === null || typeof options !== 'object')
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'log must be a LogSettings or an object of log options');
  for (const [key, value] of Object.entries(options)) {
    const target = LOG_OPTION_FIELDS[key as keyof LogOptions];
    if (target === undefined) {
      throw codedTypeError(
        'ERR_LOADGEN_INVALID_SETTINGS',
        `log.${key} is not a log option; known: ${Object.keys(LOG_OPTION_FIELDS).join(', ')}`,
      );
    }
    if (target === 'enable_trace') settings.enable_trace = value as boolean;
    else (settings.log_output as unknown as Record<string, unknown>)[target] = value;
  }
  return settings;
}
