/**
 * Pre-flight checks of `mlperf-llm run` and `evaluate`: what the user wrote is checked before the
 * model loads, and each problem is one line naming the flag or file and the fix.
 *
 * @packageDocumentation
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { codedRangeError, describeValue } from '../errors.js';
import { readUserConf } from '../llm/benchmark-settings.js';

/**
 * How a numeric flag may be set: a count (a whole number), a positive amount, one where 0 means
 * "off", or a timeout in seconds (more than 0, at most a day: Node's timers overflow past ~24 days).
 */
type NumberRule = 'count' | 'positive' | 'zero-or-more' | 'seconds' | 'seconds-or-zero';

/** The numeric flags of `run`, and what each accepts. */
const NUMERIC_FLAGS: Readonly<Record<string, NumberRule>> = Object.freeze({
  'total-sample-count': 'count',
  'max-concurrency': 'count',
  'max-new-tokens': 'count',
  'min-query-count': 'count',
  'endpoint-concurrency': 'count',
  'target-qps': 'positive',
  'target-latency': 'positive',
  'min-duration': 'zero-or-more',
  'request-timeout': 'seconds',
  'probe-timeout': 'seconds',
  'endpoint-retry-timeout': 'seconds-or-zero',
  'sample-timeout': 'seconds-or-zero',
});

const RULE_TEXT: Readonly<Record<NumberRule, string>> = {
  count: 'a whole number of at least 1',
  positive: 'a number greater than 0',
  'zero-or-more': 'a number of 0 or more',
  seconds: 'a number of seconds greater than 0 and at most 86400 (a day)',
  'seconds-or-zero': 'a number of seconds from 0 to 86400 (a day)',
};

function fits(value: number, rule: NumberRule): boolean {
  if (!Number.isFinite(value)) return false;
  if (rule === 'count') return Number.isInteger(value) && value >= 1;
  if (rule === 'seconds') return value > 0 && value <= 86_400;
  if (rule === 'seconds-or-zero') return value >= 0 && value <= 86_400;
  return rule === 'positive' ? value > 0 : value >= 0;
}

/** Checks the numeric flags that were given; yargs turns a non-number into NaN. */
export function checkNumericFlags(args: Readonly<Record<string, unknown>>): void {
  for (const [flag, rule] of Object.entries(NUMERIC_FLAGS)) {
    const value = args[flag];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !fits(value, rule)) {
      throw codedRangeError(
        'ERR_INVALID_ARG_VALUE',
        `--${flag} ${Number.isNaN(value) ? 'is not a number' : describeValue(value)}: give ${RULE_TEXT[rule]} (see mlperf-llm run --help)`,
      );
    }
  }
}

/** `--total-sample-count` larger than the dataset would silently run fewer samples: refuse it. */
export function checkSampleCount(requested: number | undefined, datasetPath: string, datasetSize: number): void {
  if (requested === undefined || requested <= datasetSize) return;
  throw codedRangeError(
    'ERR_INVALID_ARG_VALUE',
    `--total-sample-count ${requested} is more than the ${datasetSize} samples of --dataset ${datasetPath}; ` +
      `give at most ${datasetSize}, or leave the flag out to use them all`,
  );
}

/** The user's `--user-conf` must exist and parse; its errors name the user's file and lines. */
export function checkUserConf(path: string | undefined): void {
  if (path !== undefined) readUserConf(path);
}

/** A path's stat, or undefined where nothing is there (also below a file: ENOTDIR). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The output folder must be a folder this process can write, or one it can create: the nearest
 * existing folder above it must be writable. Checked before the model loads, not after.
 */
export function checkOutputDir(dir: string, flag = '--output-dir'): void {
  let existing = resolve(dir);
  for (;;) {
    const stat = statOrUndefined(existing);
    if (stat !== undefined) {
      if (!stat.isDirectory()) {
        const what = existing === resolve(dir) ? 'it is a file' : `${existing} is a file`;
        throw codedRangeError(
          'ERR_INVALID_ARG_VALUE',
          `${flag} ${dir} cannot be a folder (${what}); give a folder path`,
        );
      }
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    throw codedRangeError(
      'ERR_INVALID_ARG_VALUE',
      `${flag} ${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'no access'} on ${existing}); ` +
        'give a folder you can write to',
    );
  }
}

/** A file a flag names must exist and be readable: `evaluate --log`, `--endpoints`. */
export function checkReadableFile(path: string, flag: string, what: string): void {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw codedRangeError(
      'ERR_INVALID_ARG_VALUE',
      `${flag} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'no access'}); give the path of ${what}`,
    );
  }
}
