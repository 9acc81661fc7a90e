// result.json keeps LoadGen's 64-bit seeds digit for digit and states the mode LoadGen ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTest } from '../lib/loadgen/run-test.js';
import { readRunResult, summarizeRun, writeRunResult } from '../lib/report/run-result.js';
import { nullSut, quickSettings, tempDir } from './helpers.js';

test('result.json: effective seeds equal the detail log digits, as strings; mode follows effective_test_mode', async () => {
  const outdir = tempDir('seeds');
  await runTest({
    sut: nullSut(),
    qsl: { totalSampleCount: 16 },
    // Seeds beyond 2^53, as mlperf.conf's are: a double would round them.
    settings: {
      ...quickSettings('Offline', 'PerformanceOnly'),
      qslRngSeed: 2085463073848966840n,
      sampleIndexRngSeed: 198141574272810017n,
      scheduleRngSeed: 7575108116881280410n,
    },
    log: { outdir },
  });
  const result = summarizeRun({
    scenario: 'Offline',
    mode: 'accuracy',
    modelKey: 'llama3.1-8b',
    backend: 'null',
    dataset: { path: '-', samples: 16 },
    samplesCompleted: 16,
    generatedTokens: 0,
    durationSeconds: 0,
    startedAt: new Date(0).toISOString(),
    loadgenVersion: '6.0.17',
    logDir: outdir,
  });
  writeRunResult(result);
  const read = readRunResult(outdir);
  const detail = readFileSync(join(outdir, 'mlperf_log_detail.txt'), 'utf8');
  let seeds = 0;
  for (const match of detail.matchAll(/"key": "effective_(\w+_seed)", "value": (\d+)/g)) {
    seeds++;
    assert.equal(read.settings[match[1]!], match[2], match[1]);
  }
  assert.ok(seeds >= 3, `${seeds} seeds in the detail log`);
  assert.equal(read.settings['qsl_rng_seed'], '2085463073848966840');
  // Asked for accuracy, but LoadGen ran PerformanceOnly (as an audit.config can make it).
  assert.equal(read.loadgenMode, 'PerformanceOnly');
  assert.equal(read.mode, 'performance');
});
