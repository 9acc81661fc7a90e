// Bad input to `mlperf-llm run` and `evaluate`, as a user types it: each gives one line naming the
// flag or file the user wrote and the fix, exits 1 before any model loads, and leaves no folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

function cli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must fail with one line matching `expected`, and returns nothing left behind. */
function failsWith(args: string[], expected: RegExp, cwd: string): void {
  const before = readdirSync(cwd).sort();
  const run = cli(args, cwd);
  assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${args.join(' ')} printed more than one line:\n${run.stderr}`);
  assert.match(lines[0]!, expected);
  // Nothing was written: no results/ folder, no half-made run folder.
  assert.deepEqual(readdirSync(cwd).sort(), before, `${args.join(' ')} left files behind`);
}

test('numeric flags are checked by their flag name, not by the LoadGen setting behind them', () => {
  const cwd = tempDir('checks-numbers');
  failsWith(['run', '--target-qps', '-5'], /^mlperf-llm: --target-qps -5: give a number greater than 0/, cwd);
  failsWith(['run', '--scenario', 'Server', '--target-qps', '0'], /--target-qps 0: give a number greater than 0/, cwd);
  failsWith(['run', '--min-duration', 'abc'], /--min-duration is not a number: give a number of 0 or more/, cwd);
  failsWith(['run', '--total-sample-count', '2.5'], /--total-sample-count 2\.5: give a whole number/, cwd);
  const run = cli(['run', '--target-qps', '-5'], cwd);
  assert.doesNotMatch(run.stderr, /settings\.|server_target_qps|offline_expected_qps/);
});

test('--total-sample-count above the dataset size is refused, naming the flag and the dataset size', () => {
  const cwd = tempDir('checks-samples');
  failsWith(
    ['run', '--total-sample-count', '500'],
    /--total-sample-count 500 is more than the 20 samples of --dataset .*cnn_eval_sample\.json; give at most 20/,
    cwd,
  );
});

test("--user-conf: a missing file and a malformed one name the user's file and its own line numbers", () => {
  const cwd = tempDir('checks-user-conf');
  failsWith(['run', '--user-conf', 'nope.conf'], /--user-conf nope\.conf cannot be read \(ENOENT\)/, cwd);
  writeFileSync(join(cwd, 'mine.conf'), '# my settings\n*.Offline.min_query_count = 10\n*.Offline.target_qps = fast\n');
  failsWith(['run', '--user-conf', 'mine.conf'], /--user-conf mine\.conf: LoadGen would reject it \(line 3: /, cwd);
  const run = cli(['run', '--user-conf', 'mine.conf'], cwd);
  assert.doesNotMatch(run.stderr, /results[/\\]/);
});

test('--output-dir that cannot be a writable folder fails at once, before the model loads', () => {
  const cwd = tempDir('checks-output');
  writeFileSync(join(cwd, 'taken'), 'a file\n');
  failsWith(
    ['run', '--output-dir', 'taken'],
    /--output-dir taken cannot be a folder \(it is a file\); give a folder/,
    cwd,
  );
  failsWith(
    ['run', '--output-dir', join('taken', 'run1')],
    /--output-dir taken[/\\]run1 cannot be a folder \(.*taken is a file\)/,
    cwd,
  );
});

test('evaluate --log naming no file says so in one line', () => {
  const cwd = tempDir('checks-evaluate');
  failsWith(
    ['evaluate', '--log', 'missing.json'],
    /--log missing\.json cannot be read \(ENOENT\); give the path of/,
    cwd,
  );
  failsWith(['evaluate', '--log', 'gone'], /--log gone cannot be read \(ENOENT\)/, cwd);
});
