// Soak: the full datacenter dataset size (13,368 samples) in accuracy mode, where LoadGen issues
// every sample exactly once, in each scenario, twice over:
//  1. through the replay backend, in this process;
//  2. through `mlperf-llm serve` (two fixed-rate endpoints behind the openai dispatcher), with
//     one endpoint killed (SIGKILL) and restarted on its port a third of the way into each run.
// It asserts that every sample is in the accuracy log exactly once with a non-empty answer, and
// that this process's memory stays flat from the first run to the last (after a GC). Not part
// of `npm test` (it takes minutes): run it with
//
//   npx tsc -p tsconfig.json && node --expose-gc dist/bench/soak/run.js [--samples 13368] [--only replay|serve]
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Backend } from '../../lib/backends/backend.js';
import { createOpenAIDispatcher } from '../../lib/backends/openai-dispatcher.js';
import { ReplayBackend } from '../../lib/backends/replay.js';
import type { LlmScenario } from '../../lib/llm/benchmark-settings.js';
import { loadDataset, type Dataset } from '../../lib/llm/dataset.js';
import { runLlmBenchmark } from '../../lib/llm/harness.js';
import { readAccuracyLog } from '../../lib/report/accuracy-log.js';
import { markdownTable, writeResultsSection } from '../results-file.js';

const CLI = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const SCENARIOS: readonly LlmScenario[] = ['Offline', 'Server', 'SingleStream', 'Interactive'];
/** Tokens per answer: short, so that SingleStream's 13,368 one-at-a-time samples take a minute or two, not an hour. */
const MAX_NEW_TOKENS = 4;
/** The served streams' rate (fixed-rate steps at most once a millisecond or so). */
const TOKENS_PER_SECOND = 10_000;
/** Arrival rate of the Server runs (accuracy mode follows its schedule: 13,368 / 1000 ≈ 13 s). */
const SERVER_QPS = 1000;
/** Growth of this process's RSS (after a GC) from its first run to its last that counts as a leak. */
const RSS_GROWTH_LIMIT_MB = 64;

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '13368' }, only: { type: 'string' } },
});
const samples = Number(values.samples);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run it with node --expose-gc, so that memory is measured after a collection');

function syntheticDataset(dir: string): { dataset: Dataset; answers: Int32Array[] } {
  const records = Array.from({ length: samples }, (_, i) => ({
    instruction: { llama: 'template' },
    input: `article ${i}`,
    tok_input: [128000, 1000 + (i % 20000), 2000 + (i % 7), 3000 + (i % 13)],
    output: `summary ${i}`,
  }));
  const path = join(dir, 'cnn_eval.json');
  writeFileSync(path, JSON.stringify(records));
  const answers = records.map((_, i) => Int32Array.from([500 + (i % 1000), 600 + (i % 7), 128009]));
  return { dataset: loadDataset(path), answers };
}

interface Serve {
  url: string;
  port: number;
  child: ChildProcessByStdio<null, Readable, Readable>;
}

function startServe(port: number): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--backend', 'fixed-rate', '--tokens-per-second', String(TOKENS_PER_SECOND), '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, port: Number(new URL(match[1]!).port), child });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

async function kill(serve: Serve): Promise<void> {
  if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  const gone = new Promise((resolve) => serve.child.once('exit', resolve));
  serve.child.kill('SIGKILL');
  await gone;
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

interface Row {
  path: string;
  scenario: LlmScenario;
  seconds: number;
  peakRssMb: number;
  rssAfterMb: number;
  reissued: number;
}

/** One accuracy run; checks exactly-once and answers; returns its row. */
async function soakRun(
  path: string,
  scenario: LlmScenario,
  dataset: Dataset,
  backend: Backend,
  outputDir: string,
  atThird?: () => void,
): Promise<Row> {
  let peak = rssMb();
  const sample = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
  let fired = false;
  const started = performance.now();
  await runLlmBenchmark({
    scenario,
    mode: 'accuracy',
    backend,
    dataset,
    outputDir,
    maxNewTokens: MAX_NEW_TOKENS,
    targetQps: scenario === 'Server' || scenario === 'Interactive' ? SERVER_QPS : undefined,
    onProgress: (progress) => {
      if (!fired && atThird && progress.completed >= samples / 3) {
        fired = true;
        atThird();
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sample);
  peak = Math.max(peak, rssMb());
  const entries = readAccuracyLog(join(outputDir, 'mlperf_log_accuracy.json'));
  const seen = new Uint8Array(samples);
  for (const entry of entries) {
    assert.ok(entry.data.length > 0, `${path} ${scenario}: sample ${entry.qslIndex} has an empty answer`);
    seen[entry.qslIndex]! += 1;
  }
  const wrong = [...seen.keys()].filter((i) => seen[i] !== 1);
  assert.equal(entries.length, samples, `${path} ${scenario}: ${entries.length} logged answers`);
  assert.deepEqual(wrong.slice(0, 10), [], `${path} ${scenario}: samples not answered exactly once`);
  if (atThird) assert.ok(fired, `${path} ${scenario}: the run ended before the endpoint was killed`);
  gc!();
  const reissued = backend.endpointStats?.().reduce((sum, e) => sum + e.reissued, 0) ?? 0;
  return { path, scenario, seconds, peakRssMb: peak, rssAfterMb: rssMb(), reissued };
}

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const { dataset, answers } = syntheticDataset(dir);
const rows: Row[] = [];
const report = (row: Row): void => {
  rows.push(row);
  console.log(
    `${row.path.padEnd(7)} ${row.scenario.padEnd(12)} ${samples} samples once each  ${row.seconds.toFixed(1).padStart(6)} s  ` +
      `peak RSS ${row.peakRssMb.toFixed(0)} MB, after ${row.rssAfterMb.toFixed(0)} MB` +
      (row.path === 'serve' ? `, ${row.reissued} requests re-issued` : ''),
  );
};

gc();
const rssAtStart = rssMb();
for (const round of [1, 2]) {
  for (const scenario of SCENARIOS) {
    if (values.only !== 'serve') {
      const replay = new ReplayBackend({ answers, maxConcurrency: 1024 });
      report(await soakRun('replay', scenario, dataset, replay, join(dir, `replay-${scenario}-${round}`)));
    }
    if (values.only !== 'replay') {
      const a = await startServe(0);
      let b = await startServe(0);
      let restart: Promise<unknown> = Promise.resolve();
      const dispatcher = await createOpenAIDispatcher({ endpoints: [a.url, b.url], endpointConcurrency: 64 });
      try {
        const row = await soakRun(
          'serve',
          scenario,
          dataset,
          dispatcher,
          join(dir, `serve-${scenario}-${round}`),
          () => {
            // Killed mid-run, back on its own port a second later.
            restart = kill(b)
              .then(() => new Promise((resolve) => setTimeout(resolve, 1000)))
              .then(() => startServe(b.port))
              .then((restarted) => (b = restarted));
          },
        );
        report(row);
      } finally {
        await restart;
        await dispatcher.close();
        await kill(a);
        await kill(b);
      }
    }
  }
}
gc();
const growth = rssMb() - rows[0]!.rssAfterMb;
console.log(
  `RSS: ${rssAtStart.toFixed(0)} MB at the start, ${rows[0]!.rssAfterMb.toFixed(0)} MB after the first run, ` +
    `${rssMb().toFixed(0)} MB after the last (${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB over ${rows.length - 1} runs)`,
);
assert.ok(growth < RSS_GROWTH_LIMIT_MB, `RSS grew ${growth.toFixed(0)} MB from the first run to the last`);
console.log('soak passed: every sample exactly once in every run, memory flat');
writeResultsSection(
  'soak',
  [
    `## Soak: ${samples} samples once each, every scenario, replay and serve (one endpoint killed and restarted)`,
    '',
    `\`node --expose-gc dist/bench/soak/run.js\`, accuracy mode (every sample issued once), ${MAX_NEW_TOKENS} tokens per ` +
      `answer, Server/Interactive at ${SERVER_QPS} QPS, two fixed-rate \`serve\` endpoints at ${TOKENS_PER_SECOND} tokens/s ` +
      `per stream. ${cpus().length} cores, shared with other work. Every run: each sample exactly once in the accuracy ` +
      'log, none empty.',
    '',
    markdownTable(
      ['path', 'scenario', 'seconds', 'peak RSS', 'RSS after (GC)', 're-issued'],
      rows.map((r) => [
        r.path,
        r.scenario,
        r.seconds.toFixed(1),
        `${r.peakRssMb.toFixed(0)} MB`,
        `${r.rssAfterMb.toFixed(0)} MB`,
        r.path === 'serve' ? String(r.reissued) : '—',
      ]),
    ),
    '',
    `RSS after the first run ${rows[0]!.rssAfterMb.toFixed(0)} MB (the tokenizer the accuracy scoring loads), after the ` +
      `last ${rssMb().toFixed(0)} MB: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB over ${rows.length - 1} runs.`,
  ].join('\n'),
);
