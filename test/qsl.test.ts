// The query sample library side: LoadGen waits for async loads before issuing, and every
// issued sample was loaded and not yet unloaded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeSamples } from '../lib/loadgen/completion.js';
import { runTest } from '../lib/loadgen/run-test.js';
import { quickSettings, tempDir } from './helpers.js';

test('LoadGen waits for an async loadSamplesToRam, and only issues loaded samples', async () => {
  const loaded = new Set<number>();
  const events: string[] = [];
  let issuedUnloaded = 0;
  let issued = 0;
  await runTest({
    sut: {
      issueQuery(ids, indices) {
        for (const index of indices) if (!loaded.has(index)) issuedUnloaded++;
        issued += ids.length;
        completeSamples(ids);
      },
    },
    qsl: {
      totalSampleCount: 100,
      performanceSampleCount: 25,
      async loadSamplesToRam(indices) {
        events.push(`load ${indices.length}`);
        await sleep(20);
        for (const index of indices) loaded.add(index);
      },
      async unloadSamplesFromRam(indices) {
        await sleep(5);
        for (const index of indices) loaded.delete(index);
        events.push(`unload ${indices.length}`);
      },
    },
    settings: quickSettings('SingleStream', 'AccuracyOnly'),
    log: { outdir: tempDir('qsl') },
  });
  assert.equal(issued, 100);
  assert.equal(issuedUnloaded, 0, 'no sample was issued before its load finished or after its unload');
  assert.deepEqual(events, ['load 25', 'unload 25', 'load 25', 'unload 25', 'load 25', 'unload 25', 'load 25', 'unload 25']);
  assert.equal(loaded.size, 0);
});
