// The LLM harness end to end on the real LoadGen, with the replay backend: every scenario
// completes each sample exactly once with the backend's tokens, reports first tokens where
// LoadGen expects them, and writes result.json beside LoadGen's logs.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Backend, GenerationRequest } from '../lib/backends/backend.js';
import { ReplayBackend } from '../lib/backends/replay.js';
import { loadDataset } from '../lib/llm/dataset.js';
import { runLlmBenchmark } from '../lib/llm/harness.js';
import type { LlmScenario } from '../lib/llm/benchmark-settings.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readDetail } from '../lib/report/detail.js';
import { readRunResult } from '../lib/report/run-result.js';
import { BackendError } from '../lib/errors.js';
import { tempDir } from './helpers.js';

const SAMPLES = 12;

/** LoadGen's errors in a run, but for the one it logs for every run after a process's first. */
function loadgenErrors(outputDir: string): string[] {
  return readDetail(join(outputDir, 'mlperf_log_detail.txt'))
    .errors.map((record) => String(record.value))
    .filter((message) => !message.startsWith('Multiple conf files are used'));
}

function fixture() {
  const dir = tempDir('harness');
  const records = Array.from({ length: SAMPLES }, (_, i) => ({
    instruction: { llama: 'template' },
    input: `article ${i}`,
    tok_input: [128000, 1000 + i, 2000 + i, 3000 + i],
    output: `summary ${i}`,
  }));
  const path = join(dir, 'cnn_eval.json');
  writeFileSync(path, JSON.stringify(records));
  // Each sample's answer: a few tokens that identify it, then an end-of-turn token.
  const answers = records.map((_, i) => Int32Array.from([500 + i, 600 + i, 700 + i, 128009]));
  return { dir, dataset: loadDataset(path), answers };
}

for (const scenario of ['Offline', 'Server', 'SingleStream', 'Interactive'] as LlmScenario[]) {
  test(`${scenario} accuracy run: every sample once, with the backend's tokens`, async () => {
    const { dir, dataset, answers } = fixture();
    const outputDir = join(dir, 'run');
    const result = await runLlmBenchmark({
      scenario,
      mode: 'accuracy',
      backend: new ReplayBackend({ answers, maxConcurrency: 4 }),
      dataset,
      outputDir,
    });
    const entries = readAccuracyLog(join(outputDir, 'mlperf_log_accuracy.json'));
    assert.equal(entries.length, SAMPLES);
    assert.deepEqual(new Set(entries.map((e) => e.qslIndex)), new Set(Array.from({ length: SAMPLES }, (_, i) => i)));
    for (const entry of entries) {
      const expected = Buffer.from(answers[entry.qslIndex]!.buffer);
      assert.deepEqual(entry.data, expected);
      assert.equal(entry.tokenCount, 4);
      if (scenario !== 'Offline')
        assert.deepEqual(entry.tokenData, expected.subarray(0, 4), 'first token reported before completion');
    }
    assert.equal(result.samplesCompleted, SAMPLES);
    assert.equal(result.generatedTokens, SAMPLES * 4);
    assert.deepEqual(loadgenErrors(outputDir), []);
    assert.deepEqual(readRunResult(outputDir), JSON.parse(JSON.stringify(result)));
  });
}

test('Server performance run: VALID with TTFT/TPOT in result.json, user.conf from flags', async () => {
  const { dir, dataset, answers } = fixture();
  const outputDir = join(dir, 'server');
  const result = await runLlmBenchmark({
    scenario: 'Server',
    mode: 'performance',
    backend: new ReplayBackend({ answers }),
    dataset,
    outputDir,
    targetQps: 400,
    minDurationMs: 1500,
    minQueryCount: 600,
  });
  assert.equal(result.validity, 'VALID', result.invalidReason);
  assert.ok(result.ttftNs?.p99 !== undefined && result.tpotNs?.p99 !== undefined);
  assert.ok((result.tokensPerSecond ?? 0) > 0);
  assert.equal(result.settings.target_qps, 400);
  assert.equal(result.modelKey, 'llama3_1-8b');
  assert.match(readFileSync(join(outputDir, 'user.conf'), 'utf8'), /^llama3_1-8b\.Server\.target_qps = 400$/m);
});

/**
 * Streams unlike replay: even samples send all their tokens in one event, odd samples send none
 * before completing; one array serves every event and is wiped right after, so a SUT that keeps a
 * backend's array instead of copying it reports garbage.
 */
class ScratchBackend implements Backend {
  readonly name = 'scratch';
  readonly maxConcurrency = 4;
  readonly #scratch = new Int32Array(4);

  constructor(readonly answers: readonly Int32Array[]) {}

  generate(requests: readonly GenerationRequest[]): void {
    queueMicrotask(() => {
      for (const request of requests) {
        this.#scratch.set(this.answers[request.sampleIndex]!);
        if (request.sampleIndex % 2 === 0) request.events.onTokens(this.#scratch);
        request.events.onComplete(this.#scratch, 'stop');
        this.#scratch.fill(-1);
      }
    });
  }

  async close(): Promise<void> {}
}

test('first tokens and completions keep their bytes when a backend reuses its array or streams nothing', async () => {
  const { dir, dataset, answers } = fixture();
  const outputDir = join(dir, 'scratch');
  await runLlmBenchmark({
    scenario: 'Server',
    mode: 'accuracy',
    backend: new ScratchBackend(answers),
    dataset,
    outputDir,
    targetQps: 1000,
  });
  const entries = readAccuracyLog(join(outputDir, 'mlperf_log_accuracy.json'));
  assert.equal(entries.length, SAMPLES);
  for (const entry of entries) {
    const expected = Buffer.from(answers[entry.qslIndex]!.buffer);
    assert.deepEqual(entry.data, expected);
    assert.equal(entry.tokenCount, 4);
    // The first event as the backend sent it, or the first token when it sent none before completing.
    assert.deepEqual(entry.tokenData, entry.qslIndex % 2 === 0 ? expected : expected.subarray(0, 4));
  }
  assert.deepEqual(loadgenErrors(outputDir), []);
});

/** Generates nothing until its signal fires, then ends every request with the AbortError. */
class StallingBackend implements Backend {
  readonly name = 'stalling';
  readonly maxConcurrency = 4;
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    signal?.addEventListener('abort', () => requests.forEach((r) => r.events.onError(signal.reason)), { once: true });
  }
  async close(): Promise<void> {}
}

/** Fails every request with its own error, as a broken model would. */
class FailingBackend implements Backend {
  readonly name = 'failing';
  readonly maxConcurrency = 4;
  generate(requests: readonly GenerationRequest[]): void {
    queueMicrotask(() =>
      requests.forEach((r) => r.events.onError(new BackendError('ERR_BACKEND_FAILED', 'the model fell over'))),
    );
  }
  async close(): Promise<void> {}
}

test('an aborted run rejects with ABORT_ERR, and LoadGen still writes its logs', async () => {
  const { dir, dataset } = fixture();
  const outputDir = join(dir, 'aborted');
  const controller = new AbortController();
  const run = runLlmBenchmark({
    scenario: 'Offline',
    mode: 'accuracy',
    backend: new StallingBackend(),
    dataset,
    outputDir,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error('enough')), 200);
  await assert.rejects(run, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ABORT_ERR');
    assert.equal(error.name, 'AbortError');
    assert.match(error.message, /enough/);
    return true;
  });
  assert.match(readFileSync(join(outputDir, 'mlperf_log_detail.txt'), 'utf8'), /aborted/);
});

test('a run whose backend fails rejects with the backend error itself, not a wrapper', async () => {
  const { dir, dataset } = fixture();
  await assert.rejects(
    runLlmBenchmark({
      scenario: 'Server',
      mode: 'performance',
      backend: new FailingBackend(),
      dataset,
      outputDir: join(dir, 'failing'),
    }),
    (error: Error & { code?: string }) => {
      assert.ok(error instanceof BackendError);
      assert.equal(error.code, 'ERR_BACKEND_FAILED');
      assert.match(error.message, /fell over/);
      return true;
    },
  );
});
