// The native generation engine on a tiny GroupQueryAttention model (the builder's operator, KV
// cache shared between past and present) on the CPU: its greedy tokens equal the JS onnxruntime
// backend's on the same model and the independent reference forward pass; batching, more
// requests than slots, requests joining mid-flight, end-of-sequence, abort and close behave;
// the slot count follows the memory; broken folders, models and runtimes give coded errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FinishReason } from '../lib/backends/backend.js';
import {
  createEngineBackend,
  defaultRuntimePath,
  type EngineBackend,
  MLPERF_MAX_LENGTH,
} from '../lib/backends/engine/index.js';
import { createOnnxRuntimeBackend } from '../lib/backends/onnxruntime/index.js';
import type { LlamaArchitecture } from '../lib/model/llama-architecture.js';
import { generateLlamaWeights, type LlamaWeights } from '../lib/model/llama-weights.js';
import { llamaModelFiles, MODEL_FOLDER_FILES, writeModelFolder } from '../lib/model/model-folder.js';
import { referenceGreedy } from '../lib/model/reference-forward.js';
import { TINY_LLAMA, TINY_LLAMA_SEED } from '../lib/model/tiny-llama-spec.js';
import { generateAll, type KeyedListener, type KeyedRequest, tempDir, TINY_PROMPTS } from './helpers.js';
import { packageRoot } from '../lib/package-paths.js';

// GroupQueryAttention with fused rotary embeddings needs a head size that is a multiple of 16.
const ARCH: LlamaArchitecture = { ...TINY_LLAMA, headSize: 16 };
// Rows of the model's rotary tables: the longest sequence it can run.
const ROTARY_ROWS = 256;
const MAX_LENGTH = 96;
const NEW_TOKENS = 12;
const PROMPTS: readonly Int32Array[] = [
  ...TINY_PROMPTS,
  Int32Array.from({ length: 60 }, (_, i) => (i === 0 ? 128000 : 1000 + ((i * 7919) % 50000))),
];

let root: string;
let modelDir: string;
let weights: LlamaWeights;
let expected: Int32Array[];

before(async () => {
  root = tempDir('engine');
  weights = generateLlamaWeights(ARCH, TINY_LLAMA_SEED);
  modelDir = await writeModelFolder(
    join(root, 'gqa'),
    llamaModelFiles(ARCH, weights, {
      ioDtype: 'float32',
      producerVersion: 'test',
      attention: 'group-query-attention',
      rotaryCacheLength: ROTARY_ROWS,
    }),
  );
  expected = PROMPTS.map((prompt) => referenceGreedy(ARCH, weights, prompt, NEW_TOKENS));
});

const backends: EngineBackend[] = [];
after(async () => {
  for (const backend of backends) await backend.close();
});

async function open(
  options: {
    maxConcurrency?: number;
    dir?: string;
    eosTokenIds?: number[];
    memoryLimitBytes?: number;
    maxPrefillsPerStep?: number;
  } = {},
): Promise<EngineBackend> {
  const backend = await createEngineBackend({
    modelDir: options.dir ?? modelDir,
    device: 'cpu',
    maxConcurrency: options.maxConcurrency ?? 4,
    maxLength: MAX_LENGTH,
    intraOpNumThreads: 1,
    ...(options.eosTokenIds ? { eosTokenIds: options.eosTokenIds } : {}),
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
    ...(options.maxPrefillsPerStep ? { maxPrefillsPerStep: options.maxPrefillsPerStep } : {}),
  });
  backends.push(backend);
  return backend;
}

/** Records every event and checks the event contract as they arrive. */
class Recorder implements KeyedListener {
  readonly streamed = new Map<number, number[]>();
  readonly completed = new Map<number, { tokens: number[]; reason: FinishReason }>();
  readonly tokenCallsAfterComplete: number[] = [];
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
    assert.deepEqual(
      [...this.completed.keys()].sort((a, b) => a - b),
      [...keys].sort((a, b) => a - b),
    );
    for (const key of keys) {
      assert.deepEqual(this.completed.get(key)!.tokens, this.streamed.get(key), `request ${key}: streamed ≠ completed`);
    }
  }
}

const request = (key: number, prompt: Int32Array, maxNewTokens = NEW_TOKENS): KeyedRequest => ({
  key,
  prompt,
  maxNewTokens,
  sampleIndex: key,
});

test('one request at a time, the engine gives the JS onnxruntime backend’s greedy tokens and the reference’s', async () => {
  const js = await createOnnxRuntimeBackend({ modelDir, device: 'cpu', maxConcurrency: 1, intraOpNumThreads: 1 });
  const engine = await open({ maxConcurrency: 1 });
  try {
    for (let key = 0; key < PROMPTS.length; key++) {
      const fromJs = new Recorder();
      await generateAll(js, [request(key, PROMPTS[key]!)], fromJs);
      const fromEngine = new Recorder();
      await generateAll(engine, [request(key, PROMPTS[key]!)], fromEngine);
      fromEngine.assertConsistent([key]);
      const tokens = fromEngine.completed.get(key)!;
      assert.deepEqual(
        tokens,
        fromJs.completed.get(key),
        `prompt ${key} (${PROMPTS[key]!.length} tokens): engine ≠ JS`,
      );
      assert.deepEqual(tokens, { tokens: Array.from(expected[key]!), reason: 'length' }, `prompt ${key}: ≠ reference`);
    }
  } finally {
    await js.close();
  }
});

test('a float16 model (2-byte KV cache, arg-max after a cast) gives the JS onnxruntime backend’s tokens', async () => {
  const dir = await writeModelFolder(
    join(root, 'gqa-fp16'),
    llamaModelFiles(ARCH, weights, {
      ioDtype: 'float16',
      producerVersion: 'test',
      attention: 'group-query-attention',
      rotaryCacheLength: ROTARY_ROWS,
    }),
  );
  const js = await createOnnxRuntimeBackend({ modelDir: dir, device: 'cpu', maxConcurrency: 1, intraOpNumThreads: 1 });
  const engine = await open({ dir, maxConcurrency: 3 });
  try {
    assert.equal(engine.info.kvType, 'float16');
    assert.equal(engine.info.logitsType, 'float16');
    assert.equal(engine.info.bytesPerSlot, 2 * 2 * 2 * MAX_LENGTH * 16 * 2);
    const fromJs = new Recorder();
    for (let key = 0; key < PROMPTS.length; key++) await generateAll(js, [request(key, PROMPTS[key]!)], fromJs);
    const fromEngine = new Recorder();
    const keys = PROMPTS.map((_, key) => key);
    await generateAll(
      engine,
      keys.map((key) => request(key, PROMPTS[key]!)),
      fromEngine,
    );
    fromEngine.assertConsistent(keys);
    for (const key of keys) assert.deepEqual(fromEngine.completed.get(key), fromJs.completed.get(key), `prompt ${key}`);
  } finally {
    await js.close();
  }
});

test('a bfloat16 model on the CPU is refused with ERR_BACKEND_MODEL: GroupQueryAttention has no CPU kernel for it', async () => {
  const dir = await writeModelFolder(
    join(root, 'gqa-bf16'),
    llamaModelFiles(ARCH, weights, {
      ioDtype: 'bfloat16',
      producerVersion: 'test',
      attention: 'group-query-attention',
      rotaryCacheLength: ROTARY_ROWS,
    }),
  );
  await assert.rejects(open({ dir }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_BACKEND_MODEL');
    assert.match(error.message, /cannot run .* on device 'cpu'.*no kernel for that operator and type/);
    return true;
  });
});

test('the engine reports what it settled on', async () => {
  const engine = await open({ maxConcurrency: 3 });
  const info = engine.info;
  assert.equal(engine.maxConcurrency, 3);
  assert.equal(engine.name, 'engine(cpu)');
  assert.equal(info.runtimeVersion, '1.29.0');
  assert.equal(info.slots, 3);
  assert.equal(info.maxLength, MAX_LENGTH);
  // 2 layers × key and value × 2 KV heads × 96 positions × 16 × 4 bytes.
  assert.equal(info.bytesPerSlot, 2 * 2 * 2 * MAX_LENGTH * 16 * 4);
  assert.equal(info.kvCacheBytes, 3 * info.bytesPerSlot);
  assert.equal(info.kvType, 'float32');
  assert.equal(info.logitsType, 'float32');
  assert.equal(info.kvLocation, 'cpu');
  assert.ok(info.freeBytes > 0 && info.freeBytes <= info.totalBytes);
  assert.ok(info.fitSlots >= info.slots);
  // The same as one line (printed before a run) and as fields (kept in result.json).
  const setup = engine.setup();
  assert.deepEqual(setup.details, { ...info });
  assert.match(
    setup.summary,
    new RegExp(
      `^engine on cpu \\(ONNX Runtime 1\\.29\\.0\\): 3 slots of maxLength ${MAX_LENGTH} tokens, 144\\.0 KiB of float32 KV cache in host memory \\(48\\.0 KiB a slot\\); `,
    ),
  );
});

test('a batch of prompts of different lengths, more than the slots, gives the batch-1 tokens, each request once', async () => {
  // Three slots for eleven requests: continuous batching refills slots as requests finish.
  const engine = await open({ maxConcurrency: 3 });
  const recorder = new Recorder();
  const keys = Array.from({ length: 11 }, (_, i) => i);
  const lengthOf = (key: number): number => NEW_TOKENS - (key % 4) * 2;
  await generateAll(
    engine,
    keys.map((key) => request(key, PROMPTS[key % PROMPTS.length]!, lengthOf(key))),
    recorder,
  );
  recorder.assertConsistent(keys);
  for (const key of keys) {
    assert.deepEqual(
      recorder.completed.get(key),
      { tokens: Array.from(expected[key % PROMPTS.length]!.subarray(0, lengthOf(key))), reason: 'length' },
      `request ${key}`,
    );
  }
});

test('requests joining mid-flight, one prefill per step, give the batch-1 tokens', async () => {
  const engine = await open({ maxConcurrency: 4, maxPrefillsPerStep: 1 });
  const recorder = new Recorder();
  let second: Promise<void> | undefined;
  recorder.onStep = (key, count) => {
    if (key === 0 && count === 3)
      second ??= generateAll(
        engine,
        [request(3, PROMPTS[3]!), request(4, PROMPTS[4]!), request(5, PROMPTS[5]!)],
        recorder,
      );
  };
  await generateAll(
    engine,
    [0, 1, 2].map((key) => request(key, PROMPTS[key]!)),
    recorder,
  );
  assert.ok(second, 'the second call was made while the first was generating');
  await second;
  recorder.assertConsistent([0, 1, 2, 3, 4, 5]);
  for (let key = 0; key < PROMPTS.length; key++)
    assert.deepEqual(recorder.completed.get(key)!.tokens, Array.from(expected[key]!), `request ${key}`);
});

test('generation stops at an end-of-sequence id; the other rows go on', async () => {
  const eos = expected[0]![5]!;
  assert.ok(!expected[0]!.subarray(0, 5).includes(eos) && !expected[2]!.includes(eos));
  const engine = await open({ maxConcurrency: 2, eosTokenIds: [eos] });
  const recorder = new Recorder();
  await generateAll(engine, [request(0, PROMPTS[0]!), request(2, PROMPTS[2]!)], recorder);
  recorder.assertConsistent([0, 2]);
  assert.deepEqual(recorder.completed.get(0), { tokens: Array.from(expected[0]!.subarray(0, 6)), reason: 'stop' });
  assert.deepEqual(recorder.completed.get(2), { tokens: Array.from(expected[2]!), reason: 'length' });
});

test('aborting ends the open requests with an AbortError; the engine serves the next ones', async () => {
  const engine = await open({ maxConcurrency: 2 });
  const controller = new AbortController();
  const recorder = new Recorder();
  recorder.onStep = (key, count) => {
    if (key === 2 && count === 4) controller.abort('operator stop');
  };
  // Request 0 finishes after 3 tokens; 2 and 3 are aborted (3 may still wait for a slot).
  await assert.rejects(
    generateAll(
      engine,
      [request(0, PROMPTS[0]!, 3), request(2, PROMPTS[2]!, 40), request(3, PROMPTS[3]!, 40)],
      recorder,
      controller.signal,
    ),
    (error: Error & { code?: string }) => error.name === 'AbortError' && error.code === 'ABORT_ERR',
  );
  assert.deepEqual(recorder.completed.get(0), { tokens: Array.from(expected[0]!.subarray(0, 3)), reason: 'length' });
  // Aborted in the same turn as submitted: released before they reach a slot, with no events.
  const early = new AbortController();
  const none = new Recorder();
  const pending = generateAll(engine, [request(4, PROMPTS[4]!), request(5, PROMPTS[5]!)], none, early.signal);
  early.abort('changed my mind');
  await assert.rejects(pending, { name: 'AbortError' });
  // Cancelled handles come back; the slots are free again.
  for (let round = 0; round < 3; round++) {
    const after = new Recorder();
    await generateAll(engine, [request(1, PROMPTS[1]!), request(2, PROMPTS[2]!)], after);
    after.assertConsistent([1, 2]);
    assert.deepEqual(after.completed.get(2)!.tokens, Array.from(expected[2]!));
  }
  assert.equal(none.streamed.size + none.completed.size, 0);
});

test('requests the engine cannot serve end with ERR_BACKEND_REQUEST; the others are served', async () => {
  const engine = await open({ maxConcurrency: 2 });
  const errors: unknown[] = [];
  const done: number[] = [];
  const sink = (key: number) => ({
    onTokens: () => {},
    onComplete: () => done.push(key),
    onError: (error: unknown) => errors.push(error),
  });
  engine.generate([
    { prompt: PROMPTS[5]!, maxNewTokens: MAX_LENGTH, sampleIndex: 0, events: sink(0) },
    { prompt: Int32Array.of(128000, ARCH.vocabSize), maxNewTokens: 2, sampleIndex: 1, events: sink(1) },
    { prompt: new Int32Array(0), maxNewTokens: 2, sampleIndex: 2, events: sink(2) },
    { prompt: PROMPTS[0]!, maxNewTokens: 2, sampleIndex: 3, events: sink(3) },
  ]);
  assert.equal(errors.length, 3);
  for (const error of errors) assert.equal((error as { code?: string }).code, 'ERR_BACKEND_REQUEST');
  assert.match(String(errors[0]), /exceeds the engine's max_length 96/);
  assert.match(String(errors[1]), /outside the vocabulary/);
  while (done.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(done, [3]);
});

test('a run that fails ends its request with ERR_BACKEND_FAILED; the engine serves the next ones', async () => {
  // The model's rotary tables stop at 256 positions: a longer prompt fails inside GroupQueryAttention.
  const engine = await createEngineBackend({
    modelDir,
    device: 'cpu',
    maxConcurrency: 2,
    maxLength: ROTARY_ROWS + 40,
    intraOpNumThreads: 1,
  });
  backends.push(engine);
  const long = Int32Array.from({ length: ROTARY_ROWS + 10 }, (_, i) => (i === 0 ? 128000 : 500 + i));
  await assert.rejects(
    generateAll(engine, [request(9, long, 4)], new Recorder()),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_BACKEND_FAILED');
      assert.match(error.message, /engine: prefill of request \d+ \(266 prompt tokens\) failed: .*cos_cache/);
      return true;
    },
  );
  const recorder = new Recorder();
  await generateAll(engine, [request(0, PROMPTS[0]!), request(2, PROMPTS[2]!)], recorder);
  for (const key of [0, 2]) assert.deepEqual(recorder.completed.get(key)!.tokens, Array.from(expected[key]!));
});

test('closing ends the open requests with ERR_BACKEND_UNAVAILABLE and frees the engine', async () => {
  const engine = await createEngineBackend({ modelDir, device: 'cpu', maxConcurrency: 2, maxLength: MAX_LENGTH });
  const recorder = new Recorder();
  let closing: Promise<void> | undefined;
  recorder.onStep = (key, count) => {
    if (count === 2) closing ??= engine.close();
  };
  await assert.rejects(
    generateAll(engine, [request(0, PROMPTS[0]!, 40), request(1, PROMPTS[2]!, 40)], recorder),
    (error: Error & { code?: string }) => error.code === 'ERR_BACKEND_UNAVAILABLE',
  );
  await closing;
  await assert.rejects(generateAll(engine, [request(2, PROMPTS[0]!)], new Recorder()), {
    code: 'ERR_BACKEND_UNAVAILABLE',
  });
});

test('the slot count follows the memory: a cap that holds two slots makes two; one that holds none is refused', async () => {
  // The reserve counts a decode step's logits for every requested slot: probe with the same request.
  const probe = await open({ maxConcurrency: 8 });
  const { reserveBytes, bytesPerSlot } = probe.info;
  const two = await open({ maxConcurrency: 8, memoryLimitBytes: reserveBytes + 2 * bytesPerSlot + bytesPerSlot / 2 });
  assert.equal(two.info.slots, 2);
  assert.equal(two.info.fitSlots, 2);
  assert.equal(two.maxConcurrency, 2);
  // Still correct with fewer slots than requested.
  const recorder = new Recorder();
  await generateAll(
    two,
    [0, 2, 3, 4].map((key) => request(key, PROMPTS[key]!)),
    recorder,
  );
  for (const key of [0, 2, 3, 4]) assert.deepEqual(recorder.completed.get(key)!.tokens, Array.from(expected[key]!));

  await assert.rejects(
    open({ maxConcurrency: 8, memoryLimitBytes: reserveBytes }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_BACKEND_UNAVAILABLE');
      assert.match(
        error.message,
        /not enough host memory for one KV-cache slot of maxLength 96.*capped by memoryLimitBytes/,
      );
      return true;
    },
  );
});

test('model folders the engine cannot run are refused with ERR_BACKEND_MODEL naming what is wrong', async () => {
  interface Config {
    model: { decoder: { filename: string; inputs: Record<string, string> } };
    search: Record<string, unknown>;
  }
  const variant = async (name: string, edit: (config: Config) => void, model?: Uint8Array) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    if (model) writeFileSync(join(dir, MODEL_FOLDER_FILES.model), model);
    else copyFileSync(join(modelDir, MODEL_FOLDER_FILES.model), join(dir, MODEL_FOLDER_FILES.model));
    const config = JSON.parse(readFileSync(join(modelDir, MODEL_FOLDER_FILES.config), 'utf8')) as Config;
    edit(config);
    writeFileSync(join(dir, MODEL_FOLDER_FILES.config), JSON.stringify(config));
    return dir;
  };
  const refused = async (dir: string, pattern: RegExp): Promise<void> => {
    await assert.rejects(open({ dir }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_BACKEND_MODEL', error.message);
      assert.match(error.message, pattern);
      return true;
    });
  };

  await refused(join(root, 'no-such-folder'), /does not exist/);
  await refused(
    await variant('missing-model', (c) => (c.model.decoder.filename = 'absent.onnx')),
    /absent\.onnx.*missing/,
  );
  await refused(await variant('garbage', () => {}, new TextEncoder().encode('not an onnx model')), /cannot load/);
  await refused(
    await variant('not-shared', (c) => (c.search.past_present_share_buffer = false)),
    /past_present_share_buffer/,
  );
  await refused(
    await variant('renamed-input', (c) => (c.model.decoder.inputs.attention_mask = 'mask')),
    /input mask named by the config is not in the model/,
  );
  // The standard-op graph writes a fresh present each run: declared shared, it fails the engine's check.
  const standard = llamaModelFiles(ARCH, weights, { ioDtype: 'float32', producerVersion: 'test' });
  await refused(
    await variant('standard-ops', (c) => (c.search.past_present_share_buffer = true), standard.model),
    /cannot run with its KV cache shared between past and present/,
  );
});

test('maxLength beyond the model’s context and bad options are refused with ERR_BACKEND_REQUEST', async () => {
  const config = JSON.parse(readFileSync(join(modelDir, MODEL_FOLDER_FILES.config), 'utf8'));
  assert.ok(MLPERF_MAX_LENGTH < config.model.context_length);
  await assert.rejects(
    createEngineBackend({ modelDir, device: 'cpu', maxConcurrency: 1, maxLength: config.model.context_length + 1 }),
    { code: 'ERR_BACKEND_REQUEST' },
  );
  await assert.rejects(createEngineBackend({ modelDir, device: 'cpu', maxConcurrency: 0 }), {
    code: 'ERR_BACKEND_REQUEST',
  });
});

const hasNvidiaDriver = existsSync('/dev/nvidiactl');
const PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
const providersInstalled = PROVIDER_FILES.every((file) => existsSync(join(dirname(defaultRuntimePath()), file)));

test(
  'device cuda without the CUDA provider files is refused with ERR_BACKEND_UNAVAILABLE naming them and the fix',
  { skip: providersInstalled ? 'the CUDA provider is installed here' : false },
  async () => {
    await assert.rejects(
      createEngineBackend({ modelDir, device: 'cuda', maxConcurrency: 1, maxLength: MAX_LENGTH }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_BACKEND_UNAVAILABLE');
        const folder = dirname(defaultRuntimePath());
        assert.ok(
          error.message.includes(
            `libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so are missing from ${folder}`,
          ),
          error.message,
        );
        assert.match(error.message, /LD_LIBRARY_PATH.*`mlperf-llm setup-cuda`/);
        return true;
      },
    );
  },
);

test('a wrong runtime path or a missing driver is a coded error when an engine is created; the addon and LoadGen still work', () => {
  // A fresh process: the runtime is opened once per process. The copy of the runtime has
  // (empty) provider files next to it, so device cuda gets as far as the driver.
  const fakeRuntime = join(root, 'runtime-copy');
  mkdirSync(fakeRuntime, { recursive: true });
  copyFileSync(defaultRuntimePath(), join(fakeRuntime, 'libonnxruntime.so.1'));
  for (const file of PROVIDER_FILES) writeFileSync(join(fakeRuntime, file), '');
  const script = `
    import { createEngineBackend } from './dist/lib/backends/engine/index.js';
    import { runTest, completeSamples } from './dist/lib/index.js';
    const attempt = async (runtimePath, device = 'cpu') => {
      try {
        await createEngineBackend({ modelDir: ${JSON.stringify(modelDir)}, device, maxConcurrency: 1, maxLength: 32, runtimePath });
        return 'created';
      } catch (error) {
        return error.code + ': ' + error.message;
      }
    };
    const missing = await attempt('/nonexistent/libonnxruntime.so.1');
    const notOrt = await attempt(${JSON.stringify('/lib/x86_64-linux-gnu/libm.so.6')});
    const noDriver = await attempt(${JSON.stringify(join(fakeRuntime, 'libonnxruntime.so.1'))}, 'cuda');
    const run = await runTest({
      sut: { issueQuery: (ids) => { completeSamples(ids); } },
      qsl: { totalSampleCount: 8 },
      settings: { scenario: 'Offline', mode: 'AccuracyOnly' },
      log: { outdir: ${JSON.stringify(join(root, 'loadgen-logs'))} },
    });
    console.log(JSON.stringify({ missing, notOrt, noDriver, completed: run.samplesCompleted }));`;
  mkdirSync(join(root, 'loadgen-logs'), { recursive: true });
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
    missing: string;
    notOrt: string;
    noDriver: string;
    completed: number;
  };
  assert.match(report.missing, /^ERR_BACKEND_UNAVAILABLE: cannot load ONNX Runtime from \/nonexistent/);
  assert.match(report.notOrt, /^ERR_BACKEND_UNAVAILABLE: .*is not ONNX Runtime \(it exports no OrtGetApiBase\)/);
  if (!hasNvidiaDriver)
    assert.match(
      report.noDriver,
      /^ERR_BACKEND_UNAVAILABLE: the NVIDIA driver library libcuda\.so\.1 cannot be loaded.*use device 'cpu'/,
    );
  assert.equal(report.completed, 8);
});

test('the step benchmark runs on the CPU with the tiny model and reports every batch size', () => {
  const out = join(root, 'steps.json');
  const result = spawnSync(
    process.execPath,
    [
      join(packageRoot, 'dist', 'bench', 'gpu', 'engine-steps.js'),
      '--tiny',
      '--batches',
      '1,3',
      '--prompt-length',
      '20',
      '--new-tokens',
      '6',
      '--threads',
      '1',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /ms\/step/);
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    info: { slots: number; maxLength: number };
    results: { batch: number; msPerStep: number; fullBatchSteps: number; decodeTokensPerSecond: number }[];
  };
  assert.equal(report.info.slots, 3);
  assert.equal(report.info.maxLength, 26);
  assert.deepEqual(
    report.results.map((row) => row.batch),
    [1, 3],
  );
  for (const row of report.results) {
    // Every request's first token comes from its prefill; the other five from full-batch steps.
    assert.equal(row.fullBatchSteps, 5, `batch ${row.batch}`);
    assert.ok(row.msPerStep > 0 && row.decodeTokensPerSecond > 0);
  }
});

test('a worker ended mid-generation and process.exit() mid-generation take the engine down cleanly', () => {
  // Fresh processes: a crash at teardown must not take the test runner with it.
  const body = join(root, 'generate-then-end.mjs');
  writeFileSync(
    body,
    `import { createEngineBackend } from ${JSON.stringify(join(packageRoot, 'dist', 'lib', 'backends', 'engine', 'index.js'))};
     import { parentPort } from 'node:worker_threads';
     const engine = await createEngineBackend({ modelDir: ${JSON.stringify(modelDir)}, device: 'cpu', maxConcurrency: 2, maxLength: 200, intraOpNumThreads: 1 });
     const prompt = Int32Array.from({ length: 30 }, (_, i) => 128000 - i);
     let tokens = 0;
     const events = {
       onTokens() {
         if (++tokens !== 10) return;
         if (parentPort) parentPort.postMessage('generating');
         else process.exit(0);
       },
       onComplete() {},
       onError() {},
     };
     engine.generate([0, 1].map(() => ({ prompt, maxNewTokens: 150, sampleIndex: 0, events })));`,
  );
  const main = join(root, 'end-worker.mjs');
  writeFileSync(
    main,
    `import { Worker } from 'node:worker_threads';
     const worker = new Worker(${JSON.stringify(body)});
     worker.on('message', async () => { await worker.terminate(); console.log('terminated'); });
     worker.on('error', (error) => { console.error(error); process.exitCode = 1; });`,
  );
  const ended = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(ended.status, 0, ended.stderr);
  assert.match(ended.stdout, /terminated/);
  const exited = spawnSync(process.execPath, [body], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(exited.status, 0, exited.stderr);
  assert.equal(exited.signal, null);
});

test('a harness run on the engine records where the device time went in result.json and on screen', async () => {
  // The shipped samples' prompts are longer than the other tests' model can hold.
  const dir = await writeModelFolder(
    join(root, 'gqa-long'),
    llamaModelFiles(ARCH, weights, {
      ioDtype: 'float32',
      producerVersion: 'test',
      attention: 'group-query-attention',
      rotaryCacheLength: 4096,
    }),
  );
  const outdir = join(root, 'harness-run');
  const cli = join(packageRoot, 'dist', 'lib', 'cli', 'main.js');
  const args = ['run', '--backend', 'onnxruntime', '--engine', 'native', '--model', dir, '--scenario', 'Offline'];
  args.push('--total-sample-count', '3', '--max-new-tokens', '4', '--max-concurrency', '2', '--output-dir', outdir);
  const child = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /device time +prefill [\d.]+ s \(\d+ prompts/);
  // What the engine settled on, before the run and in result.json: 2 slots of the longest
  // shipped prompt + 4 tokens.
  assert.match(child.stderr, /mlperf-llm: engine on cpu \(ONNX Runtime 1\.29\.0\): 2 slots of maxLength \d+ tokens/);
  assert.match(child.stdout, /backend +engine\(cpu\): engine on cpu/);
  const result = JSON.parse(readFileSync(join(outdir, 'result.json'), 'utf8')) as {
    samplesCompleted: number;
    generatedTokens: number;
    generationTime: { prefill: { runs: number }; decode: { rows: number; runs: number; ms: number }[] };
    backendSetup: { summary: string; details: { slots: number; maxLength: number } };
  };
  assert.equal(result.backendSetup.details.slots, 2);
  assert.ok(result.backendSetup.summary.includes(`maxLength ${result.backendSetup.details.maxLength} tokens`));
  const { prefill, decode } = result.generationTime;
  // Every sample is prefilled once (LoadGen's Offline query holds each at least once).
  assert.equal(prefill.runs, result.samplesCompleted);
  // Each prefill gives a sample's first token, each decode step one token per row it advanced.
  const decoded = decode.reduce((sum, bucket) => sum + bucket.rows * bucket.runs, 0);
  assert.equal(prefill.runs + decoded, result.generatedTokens);
  assert.ok(decode.every((bucket) => bucket.runs > 0 && bucket.rows <= 2));
});
