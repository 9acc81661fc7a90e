// How long Ctrl-C takes to end a run, per scenario: `mlperf-llm run` on the embedded tiny model
// (samples really in flight), Ctrl-C a few seconds into LoadGen's test, then the time until the
// process has exited with complete logs; beside it what the run said it would take. Writes the
// "Ending a run early" section of bench/RESULTS.md; the README quotes it.
//
//   npx tsc -p tsconfig.json && node dist/bench/abort/run.js [--min-duration 60000] [--after 5]
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult } from '../../lib/report/run-result.js';
import { readAccuracyLog } from '../../lib/report/accuracy-log.js';
import { readSummary } from '../../lib/report/summary.js';
import { markdownTable, textTable, writeResultsSection } from '../results-file.js';

const CLI = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const { values } = parseArgs({
  options: {
    'min-duration': { type: 'string', default: '60000' },
    after: { type: 'string', default: '5' },
    scenarios: { type: 'string', default: 'Offline,SingleStream,Server,Interactive' },
  },
});
const minDuration = Number(values['min-duration']);
const afterSeconds = Number(values.after);

interface Measured {
  scenario: string;
  estimate: string;
  seconds: number;
  exitCode: number | null;
}

async function measure(scenario: string): Promise<Measured> {
  const out = join(mkdtempSync(join(tmpdir(), 'abort-bench-')), 'out');
  // Enough queries that no scenario ends by itself before the signal.
  const args = [CLI, 'run', '--scenario', scenario, '--min-duration', String(minDuration), '--output-dir', out];
  if (scenario === 'Offline') args.push('--target-qps', '100');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const detail = join(out, 'mlperf_log_detail.txt');
  while (!(existsSync(detail) && readFileSync(detail, 'utf8').includes('effective_scenario')))
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, afterSeconds * 1000));
  child.kill('SIGINT');
  const signalled = performance.now();
  const exitCode = await exited;
  const seconds = (performance.now() - signalled) / 1000;
  const estimate = /(?:ends in about|within about) (\d+) s/.exec(stderr)?.[1];
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.aborted, true, stderr);
  readSummary(join(out, 'mlperf_log_summary.txt'));
  readAccuracyLog(join(out, 'mlperf_log_accuracy.json'));
  return { scenario, estimate: estimate === undefined ? '—' : `${estimate} s`, seconds, exitCode };
}

const rows: Measured[] = [];
for (const scenario of values.scenarios.split(',')) rows.push(await measure(scenario));
const header = ['scenario', 'said at Ctrl-C', 'Ctrl-C to exit', 'exit code'];
const cells = rows.map((r) => [r.scenario, r.estimate, `${r.seconds.toFixed(1)} s`, String(r.exitCode)]);
console.log(textTable(header, cells));
writeResultsSection(
  `abort-${minDuration / 1000}s`,
  [
    `## Ending a run early: Ctrl-C to exit, per scenario (minimum duration ${minDuration / 1000} s)`,
    '',
    `\`node dist/bench/abort/run.js --min-duration ${minDuration} --after ${afterSeconds}\`: \`mlperf-llm run\` on the ` +
      `embedded tiny model (onnxruntime, CPU), Ctrl-C ${afterSeconds} s into LoadGen's test (minimum duration ` +
      `${minDuration / 1000} s); every run exited with complete, parseable logs and result.json "aborted". ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), shared with other work.`,
    '',
    markdownTable(header, cells),
  ].join('\n'),
);
