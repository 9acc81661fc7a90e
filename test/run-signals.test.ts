// Signals during `mlperf-llm run`, in a child process as a user or a cluster sends them: SIGTERM
// acts like the first Ctrl-C, further signals do not cut LoadGen's logs short, and every log
// parses afterwards (summary, detail, accuracy JSON) with result.json saying "aborted".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readDetail } from '../lib/report/detail.js';
import type { RunResult } from '../lib/report/run-result.js';
import { readSummary } from '../lib/report/summary.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

interface Signalled {
  code: number | null;
  stderr: string;
  out: string;
}

/** Runs the CLI, sends `signals` one after the other once LoadGen's test has begun, and waits for its exit. */
async function runAndSignal(args: string[], signals: NodeJS.Signals[]): Promise<Signalled> {
  const cwd = tempDir('run-signals');
  const out = join(cwd, 'out');
  const child = spawn(process.execPath, [CLI, 'run', ...args, '--output-dir', out], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  // LoadGen has started once its detail log names the scenario.
  const detail = join(out, 'mlperf_log_detail.txt');
  while (!(existsSync(detail) && readFileSync(detail, 'utf8').includes('effective_scenario')))
    await new Promise((r) => setTimeout(r, 50));
  for (const signal of signals) {
    child.kill(signal);
    // The next signal once the run has answered this one (its line on stderr).
    const lines = stderr.split('\n').length;
    while (stderr.split('\n').length === lines && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  }
  return { code: await exited, stderr, out };
}

/** Every log of the run parses, records the abort, and result.json says aborted and why. */
function assertCompleteAbortedLogs(out: string, reason: RegExp): RunResult {
  const summary = readSummary(join(out, 'mlperf_log_summary.txt'));
  assert.ok(summary.errorCount >= 1, 'the summary counts the abort as an error');
  const detail = readDetail(join(out, 'mlperf_log_detail.txt'));
  assert.ok(detail.errors.some((e) => String(e.value).startsWith('Test aborted by the Node.js harness')));
  assert.ok(detail.get('result_validity') !== undefined || detail.get('effective_test_mode') === 'AccuracyOnly');
  readAccuracyLog(join(out, 'mlperf_log_accuracy.json'));
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.aborted, true);
  assert.match(result.abortReason ?? '', reason);
  return result;
}

// A Server schedule of about 6 s: long enough to be interrupted, short enough to wait out.
const SERVER = ['--scenario', 'Server', '--backend', 'replay', '--target-qps', '5', '--min-query-count', '30'];

test('SIGTERM mid-Server-run: says how long the end takes, exits 143, logs complete, result.json aborted', async () => {
  const run = await runAndSignal(SERVER, ['SIGTERM']);
  assert.equal(run.code, 143, run.stderr);
  assert.match(run.stderr, /SIGTERM: ending the run early\. LoadGen cannot stop a Server run .* ends in about \d+ s/);
  assert.match(run.stderr, /the run was aborted \(SIGTERM\) and ended [\d.]+ s after the signal/);
  const result = assertCompleteAbortedLogs(run.out, /stopped by SIGTERM/);
  assert.equal(result.validity, 'INVALID');
});

test('Ctrl-C, then SIGTERM, then Ctrl-C: the later signals only say how long is left; exit 130', async () => {
  const run = await runAndSignal(SERVER, ['SIGINT', 'SIGTERM', 'SIGINT']);
  assert.equal(run.code, 130, run.stderr);
  assert.equal(run.stderr.match(/again: still ending the run, about \d+ s more/g)?.length, 2, run.stderr);
  assertCompleteAbortedLogs(run.out, /interrupted \(Ctrl-C\)/);
});

test('two Ctrl-C in an Offline accuracy run on the tiny model: the accuracy JSON parses, nothing is scored', async () => {
  const run = await runAndSignal(['--mode', 'accuracy'], ['SIGINT', 'SIGINT']);
  assert.equal(run.code, 130, run.stderr);
  const result = assertCompleteAbortedLogs(run.out, /interrupted \(Ctrl-C\)/);
  assert.equal(result.accuracy, undefined);
});
