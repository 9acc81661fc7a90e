// What a callback of an earlier, aborted run settles late must not reach the run after it: a
// rejected issue promise, the SUT's TestControl.fail, a loadSamplesToRam promise. Races, so each
// case runs several times.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTest, type TestControl } from '../lib/loadgen/run-test.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readDetail } from '../lib/report/detail.js';
import { nullSut, packResponses, quickSettings, responseFor, tempDir } from './helpers.js';
import { completeSamples } from '../lib/loadgen/completion.js';

const REPEATS = 5;

/** Runs an Offline test that is aborted while `hold` keeps the SUT or QSL busy. */
async function abortedRun(
  name: string,
  parts: Partial<Parameters<typeof runTest>[0]> & { onStarted?: (abort: () => void) => void },
): Promise<void> {
  const controller = new AbortController();
  parts.onStarted?.(() => controller.abort('first run stopped'));
  await assert.rejects(
    runTest({
      sut: parts.sut ?? nullSut(),
      qsl: parts.qsl ?? { totalSampleCount: 16 },
      settings: quickSettings('Offline', 'PerformanceOnly', 60_000),
      log: { outdir: tempDir(name) },
      signal: controller.signal,
    }),
    { code: 'ABORT_ERR' },
  );
}

/** An accuracy run with a null SUT that calls `during()` at its first query; checks it ran whole. */
async function cleanRun(name: string, during: () => void): Promise<void> {
  const outdir = tempDir(name);
  let first = true;
  const result = await runTest({
    sut: {
      issueQuery(ids, indices) {
        if (first) during();
        first = false;
        const { data, offsets } = packResponses(indices);
        // Answered a turn later, so that what `during` set off runs while samples are open.
        setTimeout(() => completeSamples(ids, data, offsets), 5);
      },
    },
    qsl: { totalSampleCount: 16 },
    settings: quickSettings('Offline', 'AccuracyOnly'),
    log: { outdir },
  });
  assert.equal(result.aborted, false, `the second run was aborted: ${result.abortReason}`);
  assert.equal(result.samplesDrained, 0);
  assert.equal(result.samplesCompleted, 16);
  assert.equal(readDetail(join(outdir, 'mlperf_log_detail.txt')).errors.length, 0);
  for (const entry of readAccuracyLog(join(outdir, 'mlperf_log_accuracy.json'))) {
    assert.equal(entry.data.toString('hex'), responseFor(entry.qslIndex).toString('hex'), 'an answer was emptied');
  }
}

test('an issue promise of an aborted run that rejects during the next run does not abort it', async () => {
  for (let i = 0; i < REPEATS; i++) {
    let rejectLate!: (error: Error) => void;
    let abort!: () => void;
    await abortedRun('stale-issue', {
      onStarted: (a) => (abort = a),
      sut: {
        issueQuery() {
          setTimeout(abort, 5);
          return new Promise<void>((_, reject) => (rejectLate = reject));
        },
      },
    });
    await cleanRun('stale-issue-next', () => rejectLate(new Error('a stale failure from the first run')));
  }
});

test("the SUT's TestControl of an aborted run cannot fail the next run", async () => {
  for (let i = 0; i < REPEATS; i++) {
    let staleControl!: TestControl;
    let abort!: () => void;
    await abortedRun('stale-control', {
      onStarted: (a) => (abort = a),
      sut: {
        startTest: (control) => (staleControl = control),
        issueQuery() {
          setTimeout(abort, 5);
        },
      },
    });
    await cleanRun('stale-control-next', () => staleControl.fail(new Error('the first run’s SUT, too late')));
  }
});

test('a load promise of an aborted run that settles during the next run does not release its load', async () => {
  for (let i = 0; i < REPEATS; i++) {
    let settleLate!: () => void;
    let abort!: () => void;
    await abortedRun('stale-load', {
      onStarted: (a) => (abort = a),
      qsl: {
        totalSampleCount: 16,
        loadSamplesToRam() {
          setTimeout(abort, 5);
          return new Promise<void>((resolve) => (settleLate = resolve));
        },
      },
    });
    let loaded = false;
    let issuedBeforeLoad = false;
    const result = await runTest({
      sut: {
        issueQuery(ids, indices) {
          if (!loaded) issuedBeforeLoad = true;
          const { data, offsets } = packResponses(indices);
          completeSamples(ids, data, offsets);
        },
      },
      qsl: {
        totalSampleCount: 16,
        loadSamplesToRam() {
          // The first run's load settles now; this run's load settles two turns later.
          settleLate();
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              loaded = true;
              resolve();
            }, 20),
          );
        },
      },
      settings: quickSettings('Offline', 'AccuracyOnly'),
      log: { outdir: tempDir('stale-load-next') },
    });
    assert.equal(issuedBeforeLoad, false, 'LoadGen issued samples before this run loaded them');
    assert.equal(result.aborted, false);
  }
});
