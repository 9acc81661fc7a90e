// A stray audit.config in the working folder is applied by LoadGen: 'run' warns, and an accuracy
// run it turned into a performance run is recorded and shown as one, unscored. (result.json's
// mode from effective_test_mode alone is tested in run-result-seeds.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../lib/cli/exit-codes.js';
import type { RunResult } from '../lib/report/run-result.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

test('run warns about an audit.config in the working folder, which LoadGen applies; the run is not called accuracy', () => {
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
  // Asked for accuracy, ran PerformanceOnly: labelled performance, no ROUGE, and the table says why.
  assert.equal(run.status, EXIT_CODES.ok, run.stderr);
  const result = JSON.parse(readFileSync(join(cwd, 'acc', 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.mode, 'performance');
  assert.equal(result.requestedMode, 'accuracy');
  assert.equal(result.loadgenMode, 'PerformanceOnly');
  assert.equal(result.auditConfig, join(realpathSync(cwd), 'audit.config'));
  assert.equal(result.accuracy, undefined);
  assert.doesNotMatch(run.stdout, /rouge/i);
  assert.match(
    run.stdout,
    /MODE CHANGED +asked for accuracy, LoadGen ran PerformanceOnly because it applied the audit config .*audit\.config: no sample was run for accuracy/,
  );
  assert.match(run.stderr, /warning: asked for --mode accuracy, but LoadGen ran PerformanceOnly/);
  // Its logs are a performance run's under an audit config that is not TEST06's: --verify refuses them.
  const verify = spawnSync(process.execPath, [CLI, 'compliance', 'TEST06', '--verify', 'acc'], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(verify.status, EXIT_CODES.failed);
  assert.match(
    verify.stderr,
    /acc is not a TEST06 run's log folder: the audit config was not TEST06's \(effective_accuracy_log_sampling_target is 0, not 100/,
  );
  assert.ok(!existsSync(join(cwd, 'acc', 'verify_accuracy.txt')));
});
