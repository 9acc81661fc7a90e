// A null SUT in every scenario, in performance and accuracy mode, against the real LoadGen:
// validity and sample counts as LoadGen logs them, and response bytes in the accuracy log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runTest } from '../lib/loadgen/run-test.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readDetail } from '../lib/report/detail.js';
import { readSummary } from '../lib/report/summary.js';
import { SCENARIOS, nullSut, quickSettings, responseFor, tempDir } from './helpers.js';

const TOTAL = 256;
const PERFORMANCE_COUNT = 64;

describe('null SUT, PerformanceOnly', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario} is VALID and LoadGen counts the samples the SUT completed`, async () => {
      const outdir = tempDir(`perf-${scenario}`);
      const minDurationMs = 300;
      const result = await runTest({
        sut: nullSut(scenario === 'Offline' ? minDurationMs + 50 : 0),
        qsl: { totalSampleCount: TOTAL, performanceSampleCount: PERFORMANCE_COUNT },
        settings: quickSettings(scenario, 'PerformanceOnly', minDurationMs),
        log: { outdir },
      });
      const summary = readSummary(result.logFiles.summary);
      assert.equal(summary.result, 'VALID', JSON.stringify(summary.fields));
      assert.equal(summary.scenario, scenario);
      assert.equal(summary.errorCount, 0);

      const detail = readDetail(result.logFiles.detail);
      const samplesPerQuery = Number(detail.get('effective_samples_per_query'));
      const queries = Number(detail.get('result_query_count'));
      assert.equal(
        samplesPerQuery,
        scenario === 'MultiStream' ? 8 : scenario === 'Offline' ? Number(detail.get('generated_samples_per_query')) : 1,
      );
      assert.equal(queries * samplesPerQuery, result.samplesCompleted);
      assert.equal(result.samplesDelivered, result.samplesCompleted);
      assert.equal(result.samplesDrained, 0);
      assert.equal(result.aborted, false);
      assert.equal(detail.get('qsl_reported_total_count'), TOTAL);
    });
  }
});

describe('null SUT, AccuracyOnly', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario} issues every sample once and logs the bytes the SUT returned`, async () => {
      const outdir = tempDir(`acc-${scenario}`);
      const result = await runTest({
        sut: nullSut(),
        qsl: { totalSampleCount: TOTAL, performanceSampleCount: PERFORMANCE_COUNT },
        settings: quickSettings(scenario, 'AccuracyOnly'),
        log: { outdir },
      });
      const entries = readAccuracyLog(result.logFiles.accuracy);
      // MultiStream pads the last query of each loaded set with repeats; every other scenario
      // issues each sample exactly once.
      const indices = new Set(entries.map((entry) => entry.qslIndex));
      assert.equal(indices.size, TOTAL);
      if (scenario !== 'MultiStream') assert.equal(entries.length, TOTAL);
      assert.equal(result.samplesCompleted, entries.length);
      for (const entry of entries)
        assert.deepEqual(entry.data, responseFor(entry.qslIndex), `qsl_idx ${entry.qslIndex}`);
      assert.equal(readSummary(result.logFiles.summary).errorCount, 0);
    });
  }
});
