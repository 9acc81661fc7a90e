// A callback that throws or rejects ends the run: the promise rejects with the original error
// as `cause`, LoadGen's logs are complete and record the abort, and the next test runs normally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTest, type RunTestOptions } from '../lib/loadgen/run-test.js';
import { readDetail } from '../lib/report/detail.js';
import { readSummary } from '../lib/report/summary.js';
import { nullSut, quickSettings, tempDir } from './helpers.js';
import { join } from 'node:path';

interface Case {
  what: string;
  options: (boom: Error) => Omit<RunTestOptions, 'log'>;
}

const cases: Case[] = [
  {
    what: 'issueQuery throws',
    options: (boom) => {
      let calls = 0;
      return {
        sut: {
          issueQuery: (ids, indices) =>
            ++calls === 5
              ? (() => {
                  throw boom;
                })()
              : nullSut().issueQuery(ids, indices),
        },
        qsl: { totalSampleCount: 64 },
        // A minute-long run: LoadGen pre-generates 2 × 60 s / 1 ms queries, which the binding
        // answers at once after the failure.
        settings: {
          ...quickSettings('SingleStream', 'PerformanceOnly', 60_000),
          singleStreamExpectedLatencyNs: 1_000_000,
        },
      };
    },
  },
  {
    what: 'an async issueQuery rejects',
    options: (boom) => ({
      sut: { issueQuery: async () => Promise.reject(boom) },
      qsl: { totalSampleCount: 64 },
      settings: quickSettings('Server', 'PerformanceOnly', 1_000),
    }),
  },
  {
    what: 'loadSamplesToRam throws',
    options: (boom) => ({
      sut: nullSut(),
      qsl: {
        totalSampleCount: 64,
        loadSamplesToRam: () => {
          throw boom;
        },
      },
      settings: quickSettings('Offline', 'AccuracyOnly'),
    }),
  },
  {
    what: 'an async unloadSamplesFromRam rejects',
    options: (boom) => ({
      sut: nullSut(),
      qsl: {
        totalSampleCount: 64,
        performanceSampleCount: 16,
        unloadSamplesFromRam: async () => {
          throw boom;
        },
      },
      settings: quickSettings('SingleStream', 'AccuracyOnly'),
    }),
  },
  {
    what: 'flushQueries throws',
    options: (boom) => ({
      sut: {
        ...nullSut(),
        flushQueries: () => {
          throw boom;
        },
      },
      qsl: { totalSampleCount: 64 },
      settings: quickSettings('Offline', 'AccuracyOnly'),
    }),
  },
];

for (const { what, options } of cases) {
  test(`when ${what}, the run ends and rejects with the error as cause`, async () => {
    const boom = new Error(`boom from ${what}`);
    const outdir = tempDir('failure');
    await assert.rejects(
      runTest({ ...options(boom), log: { outdir } }),
      (error: Error & { code?: string; cause?: unknown }) => {
        assert.equal(error.code, 'ERR_LOADGEN_CALLBACK_FAILED');
        assert.equal(error.cause, boom);
        assert.match(error.message, new RegExp(boom.message));
        return true;
      },
    );
    // LoadGen finished its logs, and they say why the run is not valid.
    const summary = readSummary(join(outdir, 'mlperf_log_summary.txt'));
    assert.ok(summary.errorCount >= 1);
    const aborts = readDetail(join(outdir, 'mlperf_log_detail.txt')).errors.filter((record) =>
      String(record.value).includes(boom.message),
    );
    assert.equal(aborts.length, 1, 'one error line in the detail log names the failure');
  });
}

test('after a failed run the next test runs normally', async () => {
  const result = await runTest({
    sut: nullSut(),
    qsl: { totalSampleCount: 32 },
    settings: quickSettings('SingleStream', 'AccuracyOnly'),
    log: { outdir: tempDir('after') },
  });
  assert.equal(result.samplesCompleted, 32);
  assert.equal(result.aborted, false);
});
