/**
 * Checks, before LoadGen starts, that it will be able to create every log file it opens.
 * LoadGen 6.0.17 returns from StartTest without stopping its logging thread when a file fails to
 * open, which crashes the process at exit and every later run in it; the binding must never let
 * LoadGen get there.
 *
 * @packageDocumentation
 */
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { NativeLogSettings } from '../native.js';
import { LoadgenError, messageOf } from '../../errors.js';

// Pseudo filesystems: creating a folder or file there hangs or does something else than a write.
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

function logOutputError(message: string): LoadgenError {
  return new LoadgenError('ERR_LOADGEN_LOG_OUTPUT', message);
}

/**
 * Refuses a log folder on a pseudo filesystem (`/proc`, `/sys`, `/dev`), where creating it may
 * hang. Runs before anything touches the path.
 */
export function refusePseudoFolder(outdir: string): void {
  const absolute = resolve(outdir);
  for (const root of PSEUDO_ROOTS) {
    if (absolute === root || absolute.startsWith(root + sep)) {
      throw logOutputError(
        `The log output folder '${absolute}' is on the ${root} pseudo filesystem, where LoadGen cannot write logs. ` +
          `Choose a folder on a real disk (e.g. --outdir results/run1).`,
      );
    }
  }
}

/** The four paths LoadGen opens, built as LoadGen 6.0.17's LogOutputs does (a fixed stand-in for the date). */
export function loadgenLogPaths(output: NativeLogSettings['log_output']): string[] {
  let prefix = `${output.outdir}/${output.prefix}`;
  // LoadGen's timestamp has this shape (no '/'): the probe only needs a name of the same folder and length.
  if (output.prefix_with_datetime) prefix += '2000-01-01T00:00:00Z_';
  return [
    `${prefix}summary${output.suffix}.txt`,
    `${prefix}detail${output.suffix}.txt`,
    `${prefix}accuracy${output.suffix}.json`,
    `${prefix}trace${output.suffix}.json`,
  ];
}

/**
 * Throws `ERR_LOADGEN_LOG_OUTPUT`, naming the path and the fix, unless every log file LoadGen
 * will open can be created. Files the probe created are removed again (LoadGen creates them).
 */
export function checkLogOutput(output: NativeLogSettings['log_output']): void {
  refusePseudoFolder(output.outdir);
  const outdir = resolve(output.outdir);
  let isFolder: boolean;
  try {
    isFolder = statSync(outdir).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) {
    const what = existsSync(outdir) ? 'is not a folder' : 'does not exist';
    throw logOutputError(
      `The log output folder '${outdir}' ${what}; LoadGen would not start. Give a folder path ` +
        `(runTest and the CLI create a missing one for you).`,
    );
  }
  for (const path of loadgenLogPaths(output)) {
    const existed = existsSync(path);
    try {
      closeSync(openSync(path, 'a'));
    } catch (error) {
      throw logOutputError(
        `LoadGen could not create its log file '${resolve(path)}': ${messageOf(error)}. ` +
          `Make sure the folder is writable and that the log prefix '${output.prefix}' names no missing subfolder.`,
      );
    }
    if (!existed) unlinkSync(path);
  }
}
