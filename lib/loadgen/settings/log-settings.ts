/**
 * `LogOutputSettings` and `LogSettings`, as in LoadGen and its Python binding.
 *
 * @packageDocumentation
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LoggingMode, enumValue } from '../enums.js';
import type { NativeLogSettings } from '../native.js';
import { toUint64 } from './fields.js';
import { codedTypeError, describeValue } from '../../errors.js';

/** Where and how LoadGen names its four log files. */
export class LogOutputSettings {
  /** Folder for the logs. Default `"."`. */
  outdir = '.';
  /** File name prefix. Default `"mlperf_log_"`. */
  prefix = 'mlperf_log_';
  /** File name suffix (before the extension). Default `""`. */
  suffix = '';
  /** Put the date and time after the prefix. Default false. */
  prefix_with_datetime = false;
  /** Also print the detail log to stdout. Default false. */
  copy_detail_to_stdout = false;
  /** Also print the summary to stdout. Default false. */
  copy_summary_to_stdout = false;
}

/** How LoadGen logs. */
export class LogSettings {
  /** File names and locations. */
  log_output = new LogOutputSettings();
  /** Logging mode; LoadGen implements `LoggingMode.AsyncPoll` only. */
  log_mode: LoggingMode = LoggingMode.AsyncPoll;
  /** Poll interval of the async logger (ms; LoadGen does not use it). Default 1000. */
  log_mode_async_poll_interval_ms: number | bigint = 1000;
  /** Write the Chrome trace file (it can be large). Default true. */
  enable_trace = true;
}

function invalid(name: string, expected: string, value: unknown): TypeError {
  return codedTypeError(
    'ERR_LOADGEN_INVALID_SETTINGS',
    `logSettings.${name} must be ${expected} (got ${describeValue(value)})`,
  );
}

/**
 * Validates log settings and converts them to the object native code reads.
 * @internal
 */
export function toNativeLogSettings(settings: LogSettings): NativeLogSettings {
  const output = settings.log_output as unknown as Record<string, unknown> | undefined;
  if (output === null || typeof output !== 'object') throw invalid('log_output', 'a LogOutputSettings', output);
  for (const name of ['outdir', 'prefix', 'suffix'] as const) {
    if (typeof output[name] !== 'string') throw invalid(`log_output.${name}`, 'a string', output[name]);
  }
  for (const name of ['prefix_with_datetime', 'copy_detail_to_stdout', 'copy_summary_to_stdout'] as const) {
    if (typeof output[name] !== 'boolean') throw invalid(`log_output.${name}`, 'a boolean', output[name]);
  }
  if ((output.outdir as string).length === 0) throw invalid('log_output.outdir', 'a folder path', output.outdir);
  const mode = enumValue(LoggingMode, settings.log_mode);
  if (mode === undefined)
    throw invalid('log_mode', `a LoggingMode (${Object.keys(LoggingMode).join(', ')})`, settings.log_mode);
  if (typeof settings.enable_trace !== 'boolean') throw invalid('enable_trace', 'a boolean', settings.enable_trace);
  return {
    log_output: {
      outdir: output.outdir as string,
      prefix: output.prefix as string,
      suffix: output.suffix as string,
      prefix_with_datetime: output.prefix_with_datetime as boolean,
      copy_detail_to_stdout: output.copy_detail_to_stdout as boolean,
      copy_summary_to_stdout: output.copy_summary_to_stdout as boolean,
    },
    log_mode: mode,
    log_mode_async_poll_interval_ms: toUint64(
      settings.log_mode_async_poll_interval_ms,
      'logSettings',
      'log_mode_async_poll_interval_ms',
    ),
    enable_trace: settings.enable_trace,
  };
}

/** Paths of LoadGen's four log files. */
export interface LogFiles {
  summary: string;
  detail: string;
  accuracy: string;
  trace: string;
}

/**
 * The paths LoadGen gives its log files in `outdir` under `output`'s naming. With the date and
 * time in the name, the newest file of each kind (LoadGen picks the timestamp).
 */
export function logFilesIn(
  outdir: string,
  output: Pick<LogOutputSettings, 'prefix' | 'suffix' | 'prefix_with_datetime'>,
): LogFiles {
  const { prefix, suffix, prefix_with_datetime: withDatetime } = output;
  const name = (kind: string, ext: string): string => {
    if (!withDatetime) return join(outdir, `${prefix}${kind}${suffix}${ext}`);
    // LoadGen picks the timestamp; take the newest file of this kind.
    const matches = readdirSync(outdir).filter(
      (file) => file.startsWith(prefix) && file.endsWith(`${kind}${suffix}${ext}`),
    );
    matches.sort((a, b) => statSync(join(outdir, b)).mtimeMs - statSync(join(outdir, a)).mtimeMs);
    return join(outdir, matches[0] ?? `${prefix}${kind}${suffix}${ext}`);
  };
  return {
    summary: name('summary', '.txt'),
    detail: name('detail', '.txt'),
    accuracy: name('accuracy', '.json'),
    trace: name('trace', '.json'),
  };
}
