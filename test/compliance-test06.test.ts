// `mlperf-llm compliance TEST06` end to end on the embedded tiny model and the real LoadGen: the
// run passes in Offline and Server, and `--verify` fails copies of its folder whose accuracy log
// was edited (a doubled EOS, a changed first token, an EOS before the end, an output over the limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../lib/cli/exit-codes.js';
import type { RawAccuracyEntry } from '../lib/report/accuracy-log.js';
import type { RunResult } from '../lib/report/run-result.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const EOT = 128009;

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 300_000 });
}

const tokensOf = (hex: string): number[] => {
  const bytes = Buffer.from(hex, 'hex');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readInt32LE(4 * i));
};
const hexOf = (tokens: readonly number[]): string =>
  Buffer.from(new Int32Array(tokens).buffer).toString('hex').toUpperCase();

/** Copies a run folder and edits one entry of the copy's accuracy log; returns the copy and the entry's name. */
function editedCopy(
  dir: string,
  name: string,
  edit: (entry: RawAccuracyEntry) => void,
): { copy: string; sample: string } {
  const copy = join(tempDir(`test06-${name}`), 'run');
  cpSync(dir, copy, { recursive: true });
  const path = join(copy, 'mlperf_log_accuracy.json');
  const entries = JSON.parse(readFileSync(path, 'utf8')) as RawAccuracyEntry[];
  const entry = entries[3]!;
  edit(entry);
  writeFileSync(path, JSON.stringify(entries, null, 2));
  return { copy, sample: `qsl_idx ${entry.qsl_idx} (seq_id ${entry.seq_id})` };
}

const verifyLines = (dir: string): string[] => readFileSync(join(dir, 'verify_accuracy.txt'), 'utf8').split('\n');

/** Runs TEST06 in a fresh working folder with its own temporary folder, and checks what a passing run leaves. */
function passingRun(scenario: string, extra: string[]): { dir: string; result: RunResult } {
  const cwd = tempDir(`test06-${scenario}`);
  const scratch = tempDir(`test06-tmp-${scenario}`);
  // A stray audit.config in the working folder must not be read: LoadGen gets TEST06's by path.
  writeFileSync(join(cwd, 'audit.config'), '*.*.accuracy_log_sampling_target = 7\n');
  const run = cli(
    cwd,
    ['compliance', 'TEST06', '--scenario', scenario, '--max-new-tokens', '8', '--output-dir', 'out', ...extra],
    { ...process.env, TMPDIR: scratch },
  );
  assert.equal(run.status, EXIT_CODES.ok, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /TEST06: PASS/);
  const dir = join(cwd, 'out');
  for (const file of [
    'mlperf_log_summary.txt',
    'mlperf_log_detail.txt',
    'mlperf_log_accuracy.json',
    'verify_accuracy.txt',
    'result.json',
  ]) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  // Nothing left behind: no audit.config beside the logs, its scratch folder removed, the stray file untouched.
  assert.ok(!existsSync(join(dir, 'audit.config')));
  // (Other libraries leave files of their own in the temporary folder; the audit config's folder is gone.)
  assert.deepEqual(
    readdirSync(scratch).filter((name) => name.startsWith('mlperf-llm-test06-')),
    [],
  );
  assert.deepEqual(readdirSync(cwd).sort(), ['audit.config', 'out']);
  const detail = readFileSync(join(dir, 'mlperf_log_detail.txt'), 'utf8');
  assert.match(detail, /"key": "effective_accuracy_log_sampling_target", "value": 100,/);
  assert.match(detail, /"key": "effective_accuracy_log_rng_seed", "value": 720381539243781796,/);
  assert.match(detail, /"key": "effective_test_mode", "value": "PerformanceOnly"/);
  const entries = JSON.parse(readFileSync(join(dir, 'mlperf_log_accuracy.json'), 'utf8')) as RawAccuracyEntry[];
  assert.equal(entries.length, 100);
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.compliance, 'TEST06');
  assert.equal(result.scenario, scenario);
  assert.equal(result.mode, 'performance');
  assert.equal(result.test06?.passed, true);
  assert.equal(result.test06?.samples, 100);
  assert.deepEqual(result.test06?.eosTokenIds, [128001, 128008, EOT]);
  return { dir, result };
}

test('compliance TEST06, Offline: passes, first-token check skipped', () => {
  const { dir, result } = passingRun('Offline', []);
  assert.deepEqual(verifyLines(dir), [
    'First token check pass: Skipped',
    'EOS check pass: True',
    'Sample length check pass: True',
    'Sample count check pass: True',
    'TEST06 verification complete',
    '',
  ]);
  assert.equal(result.test06?.checks.firstToken, 'skipped');
  // An output over the limit: the same logs checked against 4 tokens fail the length check.
  const copy = join(tempDir('test06-limit'), 'run');
  cpSync(dir, copy, { recursive: true });
  const short = cli(copy, ['compliance', 'TEST06', '--verify', '.', '--max-new-tokens', '4']);
  assert.equal(short.status, EXIT_CODES.complianceFailed, short.stderr);
  assert.ok(verifyLines(copy).includes('Sample length check pass: False'));
  assert.match(short.stdout, /qsl_idx \d+ \(seq_id \d+\): 8 tokens, more than the limit of 4/);
});

test('compliance TEST06, Server: passes; --verify fails a doubled EOS, a changed first token, an EOS before the end', () => {
  const { dir } = passingRun('Server', ['--target-qps', '5']);
  assert.deepEqual(verifyLines(dir).slice(0, 5), [
    'First token check pass: True',
    'EOS check pass: True',
    'Sample length check pass: True',
    'Sample count check pass: True',
    'TEST06 verification complete',
  ]);

  // The unedited copy passes --verify too: the verdict comes from the logs alone.
  const same = editedCopy(dir, 'same', () => undefined);
  assert.equal(cli(same.copy, ['compliance', 'TEST06', '--verify', '.']).status, EXIT_CODES.ok);

  // The last two tokens become EOS: same length and token count, only the EOS check fails.
  const doubled = editedCopy(dir, 'eos', (entry) => {
    const tokens = tokensOf(entry.data);
    entry.data = hexOf([...tokens.slice(0, -2), EOT, EOT]);
  });
  const eosRun = cli(doubled.copy, ['compliance', 'TEST06', '--verify', '.']);
  assert.equal(eosRun.status, EXIT_CODES.complianceFailed, eosRun.stderr);
  assert.match(eosRun.stdout, /TEST06: FAIL/);
  const eosLines = verifyLines(doubled.copy);
  assert.deepEqual(eosLines.slice(0, 5), [
    'First token check pass: True',
    'EOS check pass: False',
    'Sample length check pass: True',
    'Sample count check pass: True',
    'TEST06 verification failed',
  ]);
  assert.ok(
    eosLines.some((line) => line.startsWith(`${doubled.sample}: 2 EOS tokens (128009 at token 6, 128009 at token 7)`)),
    eosLines.join('\n'),
  );
  const recorded = JSON.parse(readFileSync(join(doubled.copy, 'result.json'), 'utf8')) as RunResult;
  assert.equal(recorded.test06?.passed, false);
  assert.equal(recorded.test06?.checks.eos, 'fail');

  // One EOS, but not the last token.
  const early = editedCopy(dir, 'early', (entry) => {
    const tokens = tokensOf(entry.data);
    tokens[2] = EOT;
    entry.data = hexOf(tokens);
  });
  const earlyRun = cli(early.copy, ['compliance', 'TEST06', '--verify', '.']);
  assert.equal(earlyRun.status, EXIT_CODES.complianceFailed);
  assert.match(
    earlyRun.stdout,
    new RegExp(`${early.sample.replace(/[()]/g, '\\$&')}: EOS 128009 at token 2 of 8 tokens is not the last token`),
  );

  // The first-token record no longer matches the output's first token.
  const first = editedCopy(dir, 'first', (entry) => {
    const token = tokensOf(entry.token_data!);
    entry.token_data = hexOf([token[0]! + 1]);
  });
  const firstRun = cli(first.copy, ['compliance', 'TEST06', '--verify', '.']);
  assert.equal(firstRun.status, EXIT_CODES.complianceFailed);
  const firstLines = verifyLines(first.copy);
  assert.deepEqual(firstLines.slice(0, 5), [
    'First token check pass: False',
    'EOS check pass: True',
    'Sample length check pass: True',
    'Sample count check pass: True',
    'TEST06 verification failed',
  ]);
  assert.ok(
    firstLines.some((line) => line.startsWith(`${first.sample}: first-token record [`)),
    firstLines.join('\n'),
  );

  // A sample dropped from the log: the sampling target covered all 100, so the count check fails.
  const dropped = join(tempDir('test06-dropped'), 'run');
  cpSync(dir, dropped, { recursive: true });
  const logPath = join(dropped, 'mlperf_log_accuracy.json');
  writeFileSync(logPath, JSON.stringify((JSON.parse(readFileSync(logPath, 'utf8')) as RawAccuracyEntry[]).slice(1)));
  const droppedRun = cli(dropped, ['compliance', 'TEST06', '--verify', '.']);
  assert.equal(droppedRun.status, EXIT_CODES.complianceFailed);
  assert.ok(verifyLines(dropped).includes('the accuracy log holds 99 samples, but LoadGen issued and had to log 100'));
});
