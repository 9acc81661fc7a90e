// Ending a run early with an AbortSignal, and one test at a time per process.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { completeSamples } from '../lib/loadgen/completion.js';
import { runTest } from '../lib/loadgen/run-test.js';
import { readDetail } from '../lib/report/detail.js';
import { readSummary } from '../lib/report/summary.js';
import { nullSut, quickSettings, tempDir } from './helpers.js';

function isAbortError(reason: unknown) {
  return (error: Error & { code?: string; cause?: unknown }) => {
    assert.equal(error.name, 'AbortError');
    assert.equal(error.code, 'ABORT_ERR');
    assert.equal(error.cause, reason);
    return true;
  };
}

function abortLines(outdir: string): number {
  return readDetail(join(outdir, 'mlperf_log_detail.txt')).errors.filter((record) =>
    String(record.value).includes('aborted by its AbortSignal'),
  ).length;
}

test('aborting a long SingleStream run ends it with LoadGen’s logs written and the abort recorded', async () => {
  const outdir = tempDir('abort-ss');
  const controller = new AbortController();
  const reason = new Error('operator pressed stop');
  let issued = 0;
  const run = runTest({
    sut: {
      issueQuery(ids) {
        if (++issued === 50) controller.abort(reason);
        setTimeout(() => completeSamples(ids), 1);
      },
    },
    qsl: { totalSampleCount: 64 },
    // Ten minutes as configured; LoadGen pre-generates 2 × 600 s / 100 ms queries.
    settings: { scenario: 'SingleStream', minDurationMs: 600_000, singleStreamExpectedLatencyNs: 100_000_000 },
    log: { outdir },
    signal: controller.signal,
  });
  await assert.rejects(run, isAbortError(reason));
  assert.equal(abortLines(outdir), 1);
  const summary = readSummary(join(outdir, 'mlperf_log_summary.txt'));
  assert.ok(summary.errorCount >= 1);
  assert.equal(summary.scenario, 'SingleStream');
});

test('aborting Offline while the SUT holds every sample completes them for it; late completions are ignored', async () => {
  const outdir = tempDir('abort-offline');
  const controller = new AbortController();
  const held: Float64Array[] = [];
  const run = runTest({
    sut: {
      issueQuery(ids) {
        held.push(ids);
        setTimeout(() => controller.abort('enough'), 20);
      },
    },
    qsl: { totalSampleCount: 128 },
    settings: quickSettings('Offline', 'PerformanceOnly', 60_000),
    log: { outdir },
    signal: controller.signal,
  });
  await assert.rejects(run, isAbortError('enough'));
  // The SUT finishing its work after the abort is not an error.
  assert.equal(completeSamples(held[0]!), 0);
  assert.equal(abortLines(outdir), 1);
});

test('aborting a Server run drains it; LoadGen ends at the last scheduled query', async () => {
  const outdir = tempDir('abort-server');
  const controller = new AbortController();
  setTimeout(() => controller.abort('stop'), 200);
  await assert.rejects(
    runTest({
      sut: nullSut(),
      qsl: { totalSampleCount: 64 },
      settings: { scenario: 'Server', serverTargetQps: 500, minDurationMs: 1500 },
      log: { outdir },
      signal: controller.signal,
    }),
    isAbortError('stop'),
  );
  assert.equal(abortLines(outdir), 1);
  const detail = readDetail(join(outdir, 'mlperf_log_detail.txt'));
  assert.ok(Number(detail.get('result_query_count')) > 0);
});

test('an already aborted signal starts nothing', async () => {
  const outdir = tempDir('pre-aborted');
  await assert.rejects(
    runTest({
      sut: nullSut(),
      qsl: { totalSampleCount: 8 },
      settings: {},
      log: { outdir },
      signal: AbortSignal.abort('no'),
    }),
    isAbortError('no'),
  );
  assert.equal(existsSync(join(outdir, 'mlperf_log_summary.txt')), false);
});

test('a second concurrent test is a clear error and does not disturb the first', async () => {
  const first = runTest({
    sut: nullSut(),
    qsl: { totalSampleCount: 64 },
    settings: quickSettings('SingleStream', 'PerformanceOnly'),
    log: { outdir: tempDir('first') },
  });
  await assert.rejects(
    runTest({
      sut: nullSut(),
      qsl: { totalSampleCount: 64 },
      settings: quickSettings('Offline', 'AccuracyOnly'),
      log: { outdir: tempDir('second') },
    }),
    (error: Error & { code?: string }) => error.code === 'ERR_LOADGEN_BUSY' && /one at a time/.test(error.message),
  );
  const result = await first;
  assert.equal(readSummary(result.logFiles.summary).result, 'VALID');
});
