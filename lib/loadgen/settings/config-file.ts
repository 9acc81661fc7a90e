/**
 * LoadGen config files (user.conf, audit.config): the lines LoadGen's parser rejects, so an error
 * can point at them, and that error. LoadGen stays the authority on whether a file is valid; this
 * only explains why.
 * Rules (LoadGen 6.0.17, test_settings_internal.cc): tokens are separated by whitespace; a line
 * reads `key = value`; a `#` token before the value ends the line; the value must be an integer
 * (strtoul, base 0) or a double (strtod) in full.
 *
 * @packageDocumentation
 */
import { readFileSync, statSync } from 'node:fs';
import { LoadgenError } from '../../errors.js';

/** One line LoadGen's parser rejects. */
export interface ConfigProblem {
  /** 1-based line number. */
  line: number;
  /** What is wrong with it. */
  problem: string;
}

const INTEGER = /^[+-]?(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i;
const DOUBLE = /^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?\d+)?|inf(inity)?|nan)$/i;

/** Lists the lines of a config file's text that LoadGen's parser would reject. */
export function diagnoseConfigFile(text: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const tokens = raw.split(/\s+/).filter((token) => token.length > 0);
    let expecting: 'key' | 'equals' | 'value' = 'key';
    for (const token of tokens) {
      if (token === '#' && expecting !== 'value') return;
      if (expecting === 'value') {
        if (!INTEGER.test(token) && !DOUBLE.test(token)) {
          problems.push({ line: index + 1, problem: `value '${token}' is not a number` });
          return;
        }
        continue;
      }
      if (expecting === 'equals' && token !== '=') {
        const glued = tokens[0]!.includes('=') ? ` (write spaces around '=')` : '';
        problems.push({ line: index + 1, problem: `expected '=' after '${tokens[0]}', found '${token}'${glued}` });
        return;
      }
      expecting = expecting === 'key' ? 'equals' : 'value';
    }
  });
  return problems;
}

/** The ERR_LOADGEN_CONFIG error for a file FromConfig rejected with `status`, naming the lines at fault. */
export function configFileError(path: string, status: number): LoadgenError {
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

/** The largest config file read (LoadGen's are a few kB; a device or a huge file would hang it). */
export const MAX_CONFIG_FILE_BYTES = 1 << 20;

/**
 * Lines LoadGen's parser skips without a word: a key with nothing after it, most often
 * `key=value` written without spaces (one token to LoadGen), or `key =` without a value.
 */
export function silentlyIgnoredLines(text: string): ConfigProblem[] {
  const ignored: ConfigProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const tokens = raw.split(/\s+/).filter((token) => token.length > 0);
    const end = tokens.indexOf('#');
    const live = end === -1 ? tokens : tokens.slice(0, end);
    if (live.length === 1 && live[0]!.includes('=')) {
      ignored.push({ line: index + 1, problem: `'${live[0]}' has no spaces around '=', so LoadGen ignores the line` });
    } else if (live.length === 1 || (live.length === 2 && live[1] === '=')) {
      ignored.push({ line: index + 1, problem: `'${live.join(' ')}' has no value, so LoadGen ignores the line` });
    }
  });
  return ignored;
}

/**
 * Checks a config file before LoadGen reads it: it must be a regular file of at most 1 MiB
 * (LoadGen reads /dev/zero for ever and takes a folder for an empty file). A missing file is
 * left to LoadGen, which reports it. Warns, with file:line, about each line LoadGen would skip.
 * @throws LoadgenError `ERR_LOADGEN_CONFIG` naming the file and the fix
 */
export function checkConfigFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return;
  }
  if (!stats.isFile()) {
    throw new LoadgenError(
      'ERR_LOADGEN_CONFIG',
      `The config file '${path}' is not a regular file (${stats.isDirectory() ? 'a folder' : 'a device, pipe or socket'}); give the path of a user.conf-style text file.`,
    );
  }
  if (stats.size > MAX_CONFIG_FILE_BYTES) {
    throw new LoadgenError(
      'ERR_LOADGEN_CONFIG',
      `The config file '${path}' is ${stats.size} bytes; config files are at most ${MAX_CONFIG_FILE_BYTES} bytes (1 MiB). Check that the path names a user.conf-style file.`,
    );
  }
  for (const { line, problem } of silentlyIgnoredLines(readFileSync(path, 'utf8'))) {
    process.emitWarning(`${path}:${line}: ${problem}; write 'model.scenario.key = value'.`, {
      code: 'LOADGEN_CONFIG_LINE_IGNORED',
    });
  }
}
