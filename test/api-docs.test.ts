// The API reference is generated from the TSDoc with typedoc: it must build without a warning
// (a broken {@link}, an exported name left out of the reference).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../lib/package-paths.js';

test('typedoc builds the API reference from the TSDoc without warnings', () => {
  const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin', 'typedoc');
  const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
});
