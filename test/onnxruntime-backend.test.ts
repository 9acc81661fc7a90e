// The onnxruntime backend on the embedded tiny model: greedy tokens equal the independent
// reference forward pass, batching and requests joining mid-flight change nothing, EOS, abort,
// float16 I/O, and coded errors for a missing CUDA provider and broken model folders.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env } from 'onnxruntime-node';
import type { FinishReason } from '../lib/backends/backend.js';
import {
  createOnnxRuntimeBackend,
  CUDA_PROVIDER_FILES,
  type OnnxRuntimeBackend,
} from '../lib/backends/onnxruntime/index.js';
import { openSession } from '../lib/backends/onnxruntime/execution-provider.js';
import { encodeModel, OnnxDataType } from '../lib/onnx/onnx-proto.js';
import type { LlamaArchitecture } from '../lib/model/llama-architecture.js';
import { generateLlamaWeights } from '../lib/model/llama-weights.js';
import { llamaModelFiles, writeModelFolder } from '../lib/model/model-folder.js';
import { referenceGreedy } from '../lib/model/reference-forward.js';
import { ensureTinyModel, TINY_MODEL_FILES } from '../lib/model/tiny-llama.js';
import { TINY_LLAMA, TINY_LLAMA_SEED, tinyLlamaWeights } from '../lib/model/tiny-llama-spec.js';
import { tempDir, generateAll, type KeyedListener, type KeyedRequest, TINY_PROMPTS } from './helpers.js';

// onnxruntime logs its own provider-loading failure on stderr before throwing; keep test output clean.
env.logLevel = 'fatal';

const NEW_TOKENS = 16;
const PROMPTS = TINY_PROMPTS;

let modelDir: string;
let expected: Int32Array[];

before(async () => {
  modelDir = await ensureTinyModel(join(tempDir('ort-backend'), 'tiny'));
  const weights = tinyLlamaWeights();
  expected = PROMPTS.map((prompt) => referenceGreedy(TINY_LLAMA, weights, prompt, NEW_TOKENS));
});

const backends: OnnxRuntimeBackend[] = [];
after(async () => {
  for (const backend of backends) await backend.close();
});

async function open(options: {
  maxConcurrency: number;
  dir?: string;
  eosTokenIds?: number[];
  dtype?: 'fp32' | 'fp16';
  prefillChunkSize?: number;
}): Promise<OnnxRuntimeBackend> {
  const backend = await createOnnxRuntimeBackend({
    modelDir: options.dir ?? modelDir,
    device: 'cpu',
    maxConcurrency: options.maxConcurrency,
    intraOpNumThreads: 1,
    ...(options.eosTokenIds ? { eosTokenIds: options.eosTokenIds } : {}),
    ...(options.dtype ? { dtype: options.dtype } : {}),
    ...(options.prefillChunkSize ? { prefillChunkSize: options.prefillChunkSize } : {}),
  });
  backends.push(backend);
  return backend;
}

/** Records every event and checks the listener contract as they arrive. */
class Recorder implements KeyedListener {
  readonly streamed = new Map<number, number[]>();
  readonly completed = new Map<number, { tokens: number[]; reason: FinishReason }>();
  readonly tokenCallsAfterComplete: number[] = [];
  /** Called after every onTokens (to trigger things mid-flight). */
  onStep: (key: number, count: number) => void = () => {};

  onTokens(key: number, tokens: Int32Array): void {
    if (this.completed.has(key)) this.tokenCallsAfterComplete.push(key);
    const list = this.streamed.get(key) ?? [];
    list.push(...tokens);
    this.streamed.set(key, list);
    this.onStep(key, list.length);
  }

  onComplete(key: number, tokens: Int32Array, reason: FinishReason): void {
    assert.ok(!this.completed.has(key), `onComplete twice for ${key}`);
    this.completed.set(key, { tokens: Array.from(tokens), reason });
  }

  /** Every request completed once, with exactly the tokens it streamed. */
  assertConsistent(keys: readonly number[]): void {
    assert.deepEqual(this.tokenCallsAfterComplete, []);
    for (const key of keys) {
      const done = this.completed.get(key);
      assert.ok(done, `request ${key} never completed`);
      assert.deepEqual(
        done.tokens,
        this.streamed.get(key),
        `request ${key}: onComplete tokens differ from the streamed ones`,
      );
    }
  }
}

const request = (key: number, prompt: Int32Array, maxNewTokens = NEW_TOKENS): KeyedRequest => ({
  key,
  prompt,
  maxNewTokens,
  sampleIndex: key,
});

test('batch-1 greedy decoding with the KV cache equals the reference forward pass', async () => {
  const backend = await open({ maxConcurrency: 1 });
  assert.equal(backend.name, 'onnxruntime(cpu)');
  for (let i = 0; i < PROMPTS.length; i++) {
    const recorder = new Recorder();
    await generateAll(backend, [request(i, PROMPTS[i]!)], recorder);
    recorder.assertConsistent([i]);
    assert.deepEqual(
      recorder.completed.get(i),
      { tokens: Array.from(expected[i]!), reason: 'length' },
      `prompt ${i} (${PROMPTS[i]!.length} tokens)`,
    );
  }
});

test('prompts prefilled in chunks (a first prompt, then continuations) give the same tokens', async () => {
  const backend = await open({ maxConcurrency: 2, prefillChunkSize: 5 });
  const recorder = new Recorder();
  await generateAll(backend, [request(2, PROMPTS[2]!), request(3, PROMPTS[3]!)], recorder);
  recorder.assertConsistent([2, 3]);
  for (const key of [2, 3])
    assert.deepEqual(recorder.completed.get(key)!.tokens, Array.from(expected[key]!), `request ${key}`);
});

test('a batch of prompts of different lengths, joined mid-flight by a second call, gives the batch-1 tokens', async () => {
  // Four rows for five requests: the last one also waits for a row to free up.
  const backend = await open({ maxConcurrency: 4 });
  const recorder = new Recorder();
  let second: Promise<void> | undefined;
  recorder.onStep = (key, count) => {
    if (key === 0 && count === 3 && second === undefined) {
      second = generateAll(backend, [request(3, PROMPTS[3]!), request(4, PROMPTS[4]!, NEW_TOKENS + 4)], recorder);
    }
  };
  const first = generateAll(
    backend,
    [request(0, PROMPTS[0]!), request(1, PROMPTS[1]!, NEW_TOKENS - 6), request(2, PROMPTS[2]!)],
    recorder,
  );
  await first;
  assert.ok(second, 'the second call was made while the first was generating');
  await second;
  recorder.assertConsistent([0, 1, 2, 3, 4]);
  assert.deepEqual(recorder.completed.get(1)!.tokens, Array.from(expected[1]!.subarray(0, NEW_TOKENS - 6)));
  for (const key of [0, 2, 3])
    assert.deepEqual(recorder.completed.get(key)!.tokens, Array.from(expected[key]!), `request ${key}`);
  const weights = tinyLlamaWeights();
  assert.deepEqual(
    recorder.completed.get(4)!.tokens,
    Array.from(referenceGreedy(TINY_LLAMA, weights, PROMPTS[4]!, NEW_TOKENS + 4)),
  );
});

test('a GroupQueryAttention export (the builder’s operator) and the standard-op graph decode identically in the same loop', async () => {
  // GroupQueryAttention with fused rotary needs a head size that is a multiple of 16.
  const arch: LlamaArchitecture = { ...TINY_LLAMA, headSize: 16 };
  const weights = generateLlamaWeights(arch, TINY_LLAMA_SEED);
  const root = tempDir('ort-gqa');
  const results: Map<number, number[]>[] = [];
  for (const attention of ['group-query-attention', 'standard-ops'] as const) {
    const dir = await writeModelFolder(
      join(root, attention),
      llamaModelFiles(arch, weights, {
        ioDtype: 'float32',
        producerVersion: 'test',
        attention,
        rotaryCacheLength: 256,
      }),
    );
    const backend = await open({ maxConcurrency: 3, dir, prefillChunkSize: 8 });
    const recorder = new Recorder();
    let joined: Promise<void> | undefined;
    recorder.onStep = (key, count) => {
      if (key === 0 && count === 2)
        joined ??= generateAll(backend, [request(3, PROMPTS[3]!), request(4, PROMPTS[4]!)], recorder);
    };
    await generateAll(
      backend,
      [0, 1, 2].map((key) => request(key, PROMPTS[key]!)),
      recorder,
    );
    await joined;
    recorder.assertConsistent([0, 1, 2, 3, 4]);
    results.push(new Map([...recorder.completed].map(([key, done]) => [key, done.tokens])));
  }
  for (let key = 0; key < PROMPTS.length; key++) {
    const reference = Array.from(referenceGreedy(arch, weights, PROMPTS[key]!, NEW_TOKENS));
    assert.deepEqual(results[0]!.get(key), reference, `GroupQueryAttention model, request ${key}`);
    assert.deepEqual(results[1]!.get(key), reference, `standard-op model, request ${key}`);
  }
});

test('generation stops at an end-of-sequence id from genai_config.json, or from the eosTokenIds option', async () => {
  // The tiny model emits no real Llama EOS id; declare the 6th token of prompt 0's answer one.
  const eos = expected[0]![5]!;
  assert.ok(!expected[0]!.subarray(0, 5).includes(eos));
  const variant = join(tempDir('ort-eos'), 'tiny-eos');
  mkdirSync(variant);
  copyFileSync(join(modelDir, TINY_MODEL_FILES.model), join(variant, TINY_MODEL_FILES.model));
  const config = JSON.parse(readFileSync(join(modelDir, TINY_MODEL_FILES.config), 'utf8'));
  config.model.eos_token_id = [128001, eos];
  writeFileSync(join(variant, TINY_MODEL_FILES.config), JSON.stringify(config));

  for (const backend of [
    await open({ maxConcurrency: 2, dir: variant }),
    await open({ maxConcurrency: 2, eosTokenIds: [eos] }),
  ]) {
    const recorder = new Recorder();
    await generateAll(backend, [request(0, PROMPTS[0]!), request(2, PROMPTS[2]!)], recorder);
    recorder.assertConsistent([0, 2]);
    assert.deepEqual(recorder.completed.get(0), { tokens: Array.from(expected[0]!.subarray(0, 6)), reason: 'stop' });
    // The other row goes on unaffected (its answer has no such token).
    assert.ok(!expected[2]!.includes(eos));
    assert.deepEqual(recorder.completed.get(2), { tokens: Array.from(expected[2]!), reason: 'length' });
  }
});

test('aborting rejects with an AbortError; requests finished before still completed, the rest report nothing more', async () => {
  const backend = await open({ maxConcurrency: 4 });
  const recorder = new Recorder();
  const controller = new AbortController();
  let eventsAtAbort = -1;
  const countEvents = (): number =>
    [...recorder.streamed.values()].reduce((sum, list) => sum + list.length, 0) + recorder.completed.size;
  recorder.onStep = (key, count) => {
    if (key === 2 && count === 5) {
      controller.abort('operator stop');
      eventsAtAbort = countEvents();
    }
  };
  const run = generateAll(
    backend,
    [request(0, PROMPTS[0]!, 3), request(2, PROMPTS[2]!, 40)],
    recorder,
    controller.signal,
  );
  await assert.rejects(
    run,
    (error: Error & { code?: string }) => error.name === 'AbortError' && error.code === 'ABORT_ERR',
  );
  assert.deepEqual(recorder.completed.get(0), { tokens: Array.from(expected[0]!.subarray(0, 3)), reason: 'length' });
  assert.equal(recorder.completed.has(2), false);
  assert.equal(countEvents(), eventsAtAbort, 'no events after the abort');

  // An already-aborted signal rejects at once; the backend keeps serving other calls.
  await assert.rejects(generateAll(backend, [request(7, PROMPTS[1]!)], recorder, AbortSignal.abort()), {
    name: 'AbortError',
  });
  const after = new Recorder();
  await generateAll(backend, [request(2, PROMPTS[2]!)], after);
  assert.deepEqual(after.completed.get(2)!.tokens, Array.from(expected[2]!));
});

test('float16 I/O: KV cache and logits as float16 bit patterns give the float16-rounded reference tokens', async () => {
  const dir = await ensureTinyModel(join(tempDir('ort-fp16'), 'tiny-fp16'), { ioDtype: 'float16' });
  const backend = await open({ maxConcurrency: 3, dir, dtype: 'fp16' });
  const recorder = new Recorder();
  const keys = [0, 2, 3];
  await generateAll(
    backend,
    keys.map((key) => request(key, PROMPTS[key]!)),
    recorder,
  );
  recorder.assertConsistent(keys);
  const weights = tinyLlamaWeights();
  let differsFromFloat32 = false;
  for (const key of keys) {
    const reference = Array.from(referenceGreedy(TINY_LLAMA, weights, PROMPTS[key]!, NEW_TOKENS, { float16Io: true }));
    assert.deepEqual(recorder.completed.get(key)!.tokens, reference, `request ${key}`);
    differsFromFloat32 ||= reference.join() !== Array.from(expected[key]!).join();
  }
  // float16 rounding changes at least one answer, so this really checked the float16 path.
  assert.ok(differsFromFloat32);
  await assert.rejects(
    open({ maxConcurrency: 1, dir, dtype: 'fp32' }),
    (error: Error & { code?: string }) => error.code === 'ERR_BACKEND_MODEL' && /float16/.test(error.message),
  );
});

test("device 'cuda' without the CUDA provider libraries is ERR_BACKEND_UNAVAILABLE naming them and how to get them", async () => {
  const check = (error: Error & { code?: string }): boolean => {
    assert.equal(error.code, 'ERR_BACKEND_UNAVAILABLE');
    for (const file of CUDA_PROVIDER_FILES) assert.match(error.message, new RegExp(file.replace(/\./g, '\\.')));
    assert.match(error.message, /node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64/);
    assert.match(error.message, /1\.29\.0/);
    assert.match(error.message, /LD_LIBRARY_PATH/);
    return true;
  };
  await assert.rejects(createOnnxRuntimeBackend({ modelDir, device: 'cuda', maxConcurrency: 1 }), check);
  // onnxruntime's own failure to load the provider maps to the same error.
  await assert.rejects(openSession(join(modelDir, TINY_MODEL_FILES.model), { device: 'cuda' }), check);
});

test('a bfloat16 model, which the JS API cannot feed, is ERR_BACKEND_MODEL naming the native engine and the float16 export', async () => {
  // The smallest bfloat16 graph onnxruntime opens on the CPU: y = Identity(x).
  const bf16 = { dataType: OnnxDataType.BFLOAT16, shape: [1] };
  const model = encodeModel({
    irVersion: 10,
    opsets: [{ domain: '', version: 21 }],
    producerName: 'test',
    producerVersion: 'test',
    graph: {
      name: 'bf16',
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      initializers: [],
      inputs: [{ name: 'x', ...bf16 }],
      outputs: [{ name: 'y', ...bf16 }],
    },
  });
  const path = join(tempDir('bf16-model'), 'model.onnx');
  writeFileSync(path, model.toBytes());
  await assert.rejects(openSession(path, { device: 'cpu' }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_BACKEND_MODEL');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /bfloat16 inputs or outputs.*--engine native --device cuda.*-p fp16 or -p fp32/);
    return true;
  });
});

test('broken model folders are ERR_BACKEND_MODEL naming the missing file or key', async () => {
  const root = tempDir('ort-broken');
  const isModelError = (pattern: RegExp) => (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_BACKEND_MODEL');
    assert.match(error.message, pattern);
    return true;
  };
  const make = (name: string, config: string | null, withModel: boolean): string => {
    const dir = join(root, name);
    mkdirSync(dir);
    if (config !== null) writeFileSync(join(dir, TINY_MODEL_FILES.config), config);
    if (withModel) copyFileSync(join(modelDir, TINY_MODEL_FILES.model), join(dir, TINY_MODEL_FILES.model));
    return dir;
  };
  const good = readFileSync(join(modelDir, TINY_MODEL_FILES.config), 'utf8');
  const open1 = (dir: string) => createOnnxRuntimeBackend({ modelDir: dir, device: 'cpu', maxConcurrency: 1 });

  await assert.rejects(open1(join(root, 'nowhere')), isModelError(/does not exist/));
  await assert.rejects(open1(make('no-config', null, true)), isModelError(/genai_config\.json is missing/));
  await assert.rejects(
    open1(make('no-model', good, false)),
    isModelError(/model\.onnx .*is missing.*genai_config\.json/),
  );
  await assert.rejects(open1(make('bad-json', good.slice(0, 100), true)), isModelError(/not valid JSON/));
  const withoutLayers = JSON.parse(good);
  delete withoutLayers.model.decoder.num_hidden_layers;
  await assert.rejects(
    open1(make('no-layers', JSON.stringify(withoutLayers), true)),
    isModelError(/model\.decoder\.num_hidden_layers/),
  );
  const wrongNames = JSON.parse(good);
  wrongNames.model.decoder.inputs.past_key_names = 'past.%d.k';
  await assert.rejects(open1(make('wrong-names', JSON.stringify(wrongNames), true)), isModelError(/input past\.0\.k/));
  const truncated = make('truncated', good, false);
  writeFileSync(
    join(truncated, TINY_MODEL_FILES.model),
    readFileSync(join(modelDir, TINY_MODEL_FILES.model)).subarray(0, 5000),
  );
  await assert.rejects(open1(truncated), isModelError(/cannot load/));
});

test('requests the model cannot serve are ERR_BACKEND_REQUEST, before any event', async () => {
  const backend = await open({ maxConcurrency: 2 });
  const recorder = new Recorder();
  const isRequestError = (pattern: RegExp) => (error: Error & { code?: string }) =>
    error.code === 'ERR_BACKEND_REQUEST' && pattern.test(error.message);
  await assert.rejects(
    generateAll(backend, [request(1, Int32Array.from([128000, 128256]))], recorder),
    isRequestError(/vocabulary/),
  );
  await assert.rejects(generateAll(backend, [request(1, new Int32Array(0))], recorder), isRequestError(/non-empty/));
  await assert.rejects(generateAll(backend, [request(1, PROMPTS[0]!, 0)], recorder), isRequestError(/maxNewTokens/));
  await assert.rejects(
    generateAll(backend, [request(1, PROMPTS[0]!, TINY_LLAMA.contextLength)], recorder),
    isRequestError(/context_length/),
  );
  // (Request keys are gone: each request carries its own sink, so no two can collide.)
  assert.equal(recorder.streamed.size + recorder.completed.size, 0);
});
