// A stray audit.config in the working folder is applied by LoadGen: 'run' warns. (How result.json
// states the mode LoadGen ran is tested in run-result-seeds.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

test('run warns about an audit.config in the working folder, which LoadGen applies', () => {
  const cwd = tempDir('cli-audit');
  // TestMode 2 is PerformanceOnly: the accuracy run asked for becomes a performance run.
  writeFileSync(join(cwd, 'audit.config'), '*.*.mode = 2\n*.*.min_query_count = 8\n');
  const run = spawnSync(
    process.execPath,
    [CLI, 'run', '--mode', 'accuracy', '--total-sample-count', '8', '--output-dir', 'acc'],
    { cwd, encoding: 'utf8', timeout: 180_000 },
  );
  assert.match(run.stderr, /warning: .*audit\.config exists, and LoadGen applies it/);
  const detail = readFileSync(join(cwd, 'acc', 'mlperf_log_detail.txt'), 'utf8');
  assert.match(detail, /"key": "effective_test_mode", "value": "PerformanceOnly"/);
});
