// The query sample library side: LoadGen waits for async loads before issuing, and every
// issued sample was loaded and not yet unloaded; the LLM harness's QSL holds only loaded prompts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDataset } from '../lib/llm/dataset.js';
import { DatasetQsl } from '../lib/llm/qsl.js';
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
  assert.deepEqual(events, [
    'load 25',
    'unload 25',
    'load 25',
    'unload 25',
    'load 25',
    'unload 25',
    'load 25',
    'unload 25',
  ]);
  assert.equal(loaded.size, 0);
});

test('DatasetQsl hands out the prompts of loaded samples only, and uses the first N samples', () => {
  const records = [1, 2, 3].map((i) => ({ instruction: 't', input: `a${i}`, tok_input: [128000, i], output: `s${i}` }));
  const qsl = new DatasetQsl(parseDataset(JSON.stringify(records)), 2);
  assert.equal(qsl.totalSampleCount, 2);
  assert.equal(qsl.performanceSampleCount, 2);
  assert.equal(new DatasetQsl(parseDataset(JSON.stringify(records)), 10).totalSampleCount, 3);
  assert.throws(() => qsl.prompt(1), /sample 1 was issued before LoadGen loaded it/);
  qsl.loadSamplesToRam(Uint32Array.of(0, 1));
  assert.deepEqual(qsl.prompt(1), Int32Array.of(128000, 2));
  qsl.unloadSamplesFromRam(Uint32Array.of(1));
  assert.deepEqual(qsl.prompt(0), Int32Array.of(128000, 1));
  assert.throws(() => qsl.prompt(1), /sample 1 was issued before LoadGen loaded it/);
});
