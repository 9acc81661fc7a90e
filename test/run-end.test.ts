// How a benchmark run ends when it does not end normally: result.json says `aborted` and why,
// an aborted run is never VALID to any reader (report, evaluate), a sample that never completes
// fails the run with the ids still outstanding, and a Server run leaves no abort listener behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Backend, GenerationRequest } from '../lib/backends/backend.js';
import { ReplayBackend } from '../lib/backends/replay.js';
import { progressLine } from '../lib/cli/progress.js';
import { loadDataset } from '../lib/llm/dataset.js';
import { runLlmBenchmark } from '../lib/llm/harness.js';
import type { LlmScenario } from '../lib/llm/benchmark-settings.js';
import { estimateEarlyEnd } from '../lib/loadgen/early-end.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readRunResult, type RunResult } from '../lib/report/run-result.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const SAMPLES = 12;

function fixture() {
  const dir = tempDir('run-end');
  const records = Array.from({ length: SAMPLES }, (_, i) => ({
    instruction: { llama: 'template' },
    input: `article ${i}`,
    tok_input: [128000, 1000 + i, 2000 + i],
    output: `summary ${i}`,
  }));
  const path = join(dir, 'cnn_eval.json');
  writeFileSync(path, JSON.stringify(records));
  const answers = records.map((_, i) => Int32Array.from([500 + i, 600 + i, 128009]));
  return { dir, path, dataset: loadDataset(path), answers };
}

/** Answers like replay, but never finishes one sample: a stuck request. */
class OneStuckBackend implements Backend {
  readonly name = 'one-stuck';
  readonly maxConcurrency = 4;
  readonly #replay: ReplayBackend;
  readonly #stuck: number;
  constructor(answers: Int32Array[], stuck: number) {
    this.#replay = new ReplayBackend({ answers });
    this.#stuck = stuck;
  }
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    this.#replay.generate(
      requests.filter((r) => r.sampleIndex !== this.#stuck),
      signal,
    );
  }
  async close(): Promise<void> {}
}

function result(dir: string): RunResult {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
}

/** An Offline accuracy run whose backend never answers sample `stuck`, aborted with `reason` once it has started. */
function abortedAccuracyRun(stuck: number, reason: unknown) {
  const { dir, path, dataset, answers } = fixture();
  const outputDir = join(dir, 'run');
  const controller = new AbortController();
  const run = runLlmBenchmark({
    scenario: 'Offline',
    mode: 'accuracy',
    backend: new OneStuckBackend(answers, stuck),
    dataset,
    outputDir,
    signal: controller.signal,
    onStart: () => setTimeout(() => controller.abort(reason), 50),
  });
  return { path, outputDir, run };
}

test('an aborted accuracy run writes result.json saying aborted and why, and scores nothing', async () => {
  const { outputDir, run } = abortedAccuracyRun(3, new Error('operator stop'));
  await assert.rejects(run, { code: 'ABORT_ERR' });
  const written = result(outputDir);
  assert.equal(written.aborted, true);
  assert.equal(written.abortReason, 'operator stop');
  assert.equal(written.accuracy, undefined);
  // The sample the backend held was answered empty by the drain, and the log still parses.
  const stuck = readAccuracyLog(join(outputDir, 'mlperf_log_accuracy.json')).find((e) => e.qslIndex === 3);
  assert.equal(stuck?.data.length, 0);
});

test('"evaluate" and "report" on an aborted run say so; evaluate exits 5', async () => {
  const { path, outputDir, run } = abortedAccuracyRun(5, 'stop');
  await assert.rejects(run);
  const evaluate = spawnSync(process.execPath, [CLI, 'evaluate', '--log', outputDir, '--dataset', path], {
    encoding: 'utf8',
  });
  assert.equal(evaluate.status, 5, evaluate.stderr);
  assert.match(evaluate.stderr, /ABORTED run \(.*stop.*\): 1 of 12 samples were answered empty/);
  const report = spawnSync(process.execPath, [CLI, 'report', outputDir], { encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /ABORTED\s+.*stop.* no result/);
});

test('a Server run whose backend fails is INVALID in result.json, whatever the summary says', async () => {
  const { dir, dataset, answers } = fixture();
  const outputDir = join(dir, 'run');
  await assert.rejects(
    runLlmBenchmark({
      scenario: 'Server',
      mode: 'performance',
      backend: new OneStuckBackend(answers, 0),
      dataset,
      outputDir,
      targetQps: 50,
      minQueryCount: 24,
      minDurationMs: 100,
      sampleTimeoutMs: 100,
    }),
    { code: 'ERR_SAMPLE_TIMEOUT' },
  );
  const written = readRunResult(outputDir);
  assert.equal(written.aborted, true);
  assert.equal(written.validity, 'INVALID');
  assert.match(written.invalidReason ?? '', /the run was aborted/);
});

for (const scenario of ['Offline', 'SingleStream', 'Server'] as LlmScenario[]) {
  test(`${scenario}: a sample that never completes fails the run with its id, instead of hanging`, async () => {
    const { dir, dataset, answers } = fixture();
    await assert.rejects(
      runLlmBenchmark({
        scenario,
        mode: 'accuracy',
        backend: new OneStuckBackend(answers, 7),
        dataset,
        outputDir: join(dir, 'run'),
        sampleTimeoutMs: 150,
      }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_SAMPLE_TIMEOUT');
        assert.match(
          error.message,
          /^1 sample did not complete within 150 ms on backend one-stuck: sample 7 \(response id \d+\)/,
        );
        assert.match(error.message, /--sample-timeout/);
        return true;
      },
    );
    assert.equal(result(join(dir, 'run')).aborted, true);
  });
}

test('the default sample timeout is 10x the per-sample latency bound; a negative one is refused', async () => {
  const { dir, dataset, answers } = fixture();
  let started = false;
  await assert.rejects(
    runLlmBenchmark({
      scenario: 'Offline',
      mode: 'accuracy',
      backend: new ReplayBackend({ answers }),
      dataset,
      outputDir: join(dir, 'bad'),
      sampleTimeoutMs: -1,
      onStart: () => (started = true),
    }),
    { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /--sample-timeout.*got -1/ },
  );
  assert.equal(started, false);
  const { defaultSampleTimeoutMs } = await import('../lib/llm/harness.js');
  const { TestSettings } = await import('../lib/loadgen/settings/test-settings.js');
  const settings = new TestSettings();
  settings.ttft_latency = 2e9;
  settings.tpot_latency = 1e8;
  assert.equal(defaultSampleTimeoutMs(settings, 'Server', 128), 148_000);
});

test('a Server run adds one abort listener to the caller’s signal and none per request, and warns of no leak', async () => {
  const { dir, dataset, answers } = fixture();
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const controller = new AbortController();
  let most = 0;
  try {
    await runLlmBenchmark({
      scenario: 'Server',
      mode: 'accuracy',
      backend: new ReplayBackend({ answers, maxConcurrency: 64 }),
      dataset,
      outputDir: join(dir, 'run'),
      targetQps: 200,
      signal: controller.signal,
      onProgress: () => (most = Math.max(most, getEventListeners(controller.signal, 'abort').length)),
      onStart: () => (most = Math.max(most, getEventListeners(controller.signal, 'abort').length)),
    });
  } finally {
    process.removeListener('warning', onWarning);
  }
  assert.equal(most, 1);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  assert.deepEqual(
    warnings.filter((w) => /MaxListeners|memory leak/.test(w)),
    [],
  );
});

test('the early-end estimate follows the Server schedule in the detail log; other scenarios end at once', () => {
  const dir = tempDir('early-end');
  const line = (key: string, value: unknown, timeMs: number): string =>
    `:::MLLOG ${JSON.stringify({ key, value, time_ms: timeMs, metadata: { is_error: false } })}`;
  const server = join(dir, 'server.txt');
  writeFileSync(
    server,
    [
      line('effective_scenario', 'Server', 0.1),
      line('effective_test_mode', 'PerformanceOnly', 0.1),
      line('generic_message', 'Starting performance mode', 0.2),
      line('generated_query_duration', 600e9, 50),
    ].join('\n'),
  );
  const early = estimateEarlyEnd(server, 100_050);
  assert.equal(early.followsSchedule, true);
  // 500 s of schedule left, plus LoadGen's log writing.
  assert.equal(early.seconds, 501);
  assert.match(early.message, /ends in about 501 s/);
  const offline = join(dir, 'offline.txt');
  writeFileSync(offline, line('effective_scenario', 'Offline', 0.1));
  assert.equal(estimateEarlyEnd(offline, 5_000).followsSchedule, false);
});

test('the progress line shows the samples outstanding', () => {
  const text = progressLine({ issued: 40, completed: 25, generatedTokens: 100, inFlight: 8 }, 10);
  assert.match(text, /40 issued, 15 outstanding, 8 generating/);
});

test('process.exit() during a Server run says how long LoadGen still follows its schedule; the logs parse', () => {
  const outdir = tempDir('exit-server');
  const runTestUrl = new URL('../lib/loadgen/run-test.js', import.meta.url).href;
  const completionUrl = new URL('../lib/loadgen/completion.js', import.meta.url).href;
  const script = `
    import { runTest } from ${JSON.stringify(runTestUrl)};
    import { completeSamples } from ${JSON.stringify(completionUrl)};
    let issued = 0;
    void runTest({
      sut: { issueQuery(ids) { completeSamples(ids); if (++issued === 5) setTimeout(() => process.exit(0), 0); } },
      qsl: { totalSampleCount: 8 },
      settings: { scenario: 'Server', serverTargetQps: 10, minQueryCount: 30, minDurationMs: 1000 },
      log: { outdir: ${JSON.stringify(outdir)} },
    });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stderr, /the process is exiting during a test; LoadGen cannot stop a Server run .* about \d+ s/);
  assert.match(readFileSync(join(outdir, 'mlperf_log_summary.txt'), 'utf8'), /Result is/);
  readAccuracyLog(join(outdir, 'mlperf_log_accuracy.json'));
});

test('a failed unload in Offline is recorded in the detail log, not printed on stdout; the run rejects', () => {
  for (const mode of ['PerformanceOnly', 'AccuracyOnly']) {
    const outdir = tempDir('unload-fails');
    const runTestUrl = new URL('../lib/loadgen/run-test.js', import.meta.url).href;
    const completionUrl = new URL('../lib/loadgen/completion.js', import.meta.url).href;
    const script = `
      import { runTest } from ${JSON.stringify(runTestUrl)};
      import { completeSamples } from ${JSON.stringify(completionUrl)};
      await runTest({
        sut: { issueQuery: (ids) => setTimeout(() => completeSamples(ids), 5) },
        qsl: { totalSampleCount: 16, unloadSamplesFromRam() { throw new Error('unload broke'); } },
        settings: { scenario: 'Offline', mode: ${JSON.stringify(mode)}, offlineExpectedQps: 100, minDurationMs: 50 },
        log: { outdir: ${JSON.stringify(outdir)} },
      }).then(() => process.exit(7), (error) => { process.stderr.write(error.code); process.exit(3); });`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 3, child.stderr);
    assert.equal(child.stderr, 'ERR_LOADGEN_CALLBACK_FAILED');
    assert.equal(child.stdout, '');
    const detail = readFileSync(join(outdir, 'mlperf_log_detail.txt'), 'utf8');
    assert.match(detail, /Test aborted by the Node.js harness \(a callback failed: unload broke\)/);
    readAccuracyLog(join(outdir, 'mlperf_log_accuracy.json'));
  }
});
