// The model builder's fp16 CPU export layout (MultiHeadAttention + RotaryEmbedding + position_ids,
// presents grown by Concat, wrong shape hints) on the embedded tiny model: the layout itself, the
// shape-hint stripping, greedy decoding through the onnxruntime backend against the independent
// reference (exact in float32, within float16 rounding in float16; batched ragged rows, rows
// joining and leaving), coded errors for exports it cannot run, and a CLI run on such a folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { createOnnxRuntimeBackend, type OnnxRuntimeBackend } from '../lib/backends/onnxruntime/index.js';
import { loadDataset } from '../lib/llm/dataset.js';
import { SAMPLE_DATASET } from '../lib/llm/sample-dataset.js';
import { buildLlamaOnnx } from '../lib/model/llama-onnx.js';
import { writeModelFolder } from '../lib/model/model-folder.js';
import { argmax, referenceGreedy, referenceLastLogits } from '../lib/model/reference-forward.js';
import { ensureTinyModel, TINY_MODEL_FILES } from '../lib/model/tiny-llama.js';
import { TINY_LLAMA, tinyLlamaWeights } from '../lib/model/tiny-llama-spec.js';
import { encodeModel, OnnxDataType, type OnnxModel } from '../lib/onnx/onnx-proto.js';
import { withoutValueInfo } from '../lib/onnx/value-info.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { generateAll, type KeyedListener, tempDir, TINY_PROMPTS } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const NEW_TOKENS = 16;
const PROMPTS = TINY_PROMPTS;

/**
 * How far below the reference's best logit a float16 model's greedy pick may be. The float16
 * variant rounds q, k, v, the rotary tables and the attention output to float16; picks measured
 * at most 0.016 (one float16 step at the logits' size) below the best, while a position off by one
 * costs up to 18.
 */
const FLOAT16_TOLERANCE = 0.125;

let fp16Dir: string;
let fp32Dir: string;
const backends: OnnxRuntimeBackend[] = [];

before(async () => {
  const root = tempDir('mha-export');
  fp16Dir = await ensureTinyModel(join(root, 'fp16'), { ioDtype: 'float16', attention: 'multi-head-attention' });
  fp32Dir = await ensureTinyModel(join(root, 'fp32'), { ioDtype: 'float32', attention: 'multi-head-attention' });
});

after(async () => {
  for (const backend of backends) await backend.close();
});

async function open(dir: string, maxConcurrency: number, prefillChunkSize?: number): Promise<OnnxRuntimeBackend> {
  const backend = await createOnnxRuntimeBackend({
    modelDir: dir,
    device: 'cpu',
    maxConcurrency,
    intraOpNumThreads: 1,
    ...(prefillChunkSize !== undefined ? { prefillChunkSize } : {}),
  });
  backends.push(backend);
  return backend;
}

/** Completed tokens by request key. */
class Collector implements KeyedListener {
  readonly done = new Map<number, number[]>();
  /** Called after every onTokens (to start more requests mid-flight). */
  onStep: (key: number, count: number) => void = () => {};
  readonly #counts = new Map<number, number>();

  onTokens(key: number, tokens: Int32Array): void {
    const count = (this.#counts.get(key) ?? 0) + tokens.length;
    this.#counts.set(key, count);
    this.onStep(key, count);
  }

  onComplete(key: number, tokens: Int32Array): void {
    this.done.set(key, Array.from(tokens));
  }
}

const request = (key: number, maxNewTokens = NEW_TOKENS) => ({
  key,
  prompt: PROMPTS[key]!,
  maxNewTokens,
  sampleIndex: key,
});

/**
 * Decodes every prompt in one batch of `rows` rows: request 1 stops early (a row leaves), and
 * requests 3 and 4 arrive while 0..2 are generating (rows join a batch whose short rows have holes).
 */
async function decodeRagged(backend: OnnxRuntimeBackend): Promise<Map<number, number[]>> {
  const collector = new Collector();
  let joined: Promise<void> | undefined;
  collector.onStep = (key, count) => {
    if (key === 0 && count === 3) joined ??= generateAll(backend, [request(3), request(4)], collector);
  };
  await generateAll(backend, [request(0), request(1, NEW_TOKENS - 6), request(2)], collector);
  assert.ok(joined, 'requests 3 and 4 joined mid-flight');
  await joined;
  return collector.done;
}

test('the multi-head-attention tiny model has the builder’s fp16 CPU layout and genai_config.json', async () => {
  const model = buildLlamaOnnx(TINY_LLAMA, tinyLlamaWeights(), {
    ioDtype: 'float16',
    producerVersion: 'test',
    attention: 'multi-head-attention',
    rotaryCacheLength: 64,
  });
  const count = (opType: string) =>
    model.graph.nodes.filter((n) => n.opType === opType && n.domain === 'com.microsoft').length;
  assert.equal(count('RotaryEmbedding'), 2 * TINY_LLAMA.numHiddenLayers);
  assert.equal(count('MultiHeadAttention'), TINY_LLAMA.numHiddenLayers);
  assert.equal(count('GroupQueryAttention'), 0);
  for (const node of model.graph.nodes.filter((n) => n.opType === 'RotaryEmbedding'))
    assert.equal(node.inputs[1], 'position_ids');
  const cos = model.graph.initializers.find((t) => t.name === 'cos_cache')!;
  assert.deepEqual([cos.dataType, ...cos.dims], [OnnxDataType.FLOAT16, 64, TINY_LLAMA.headSize / 2]);
  // The builder's misleading hint on the repeated K/V is reproduced, one per K and V of each layer.
  assert.equal(model.graph.valueInfo?.length, 2 * TINY_LLAMA.numHiddenLayers);
  assert.ok(model.graph.valueInfo!.every((v) => v.shape[1] === 'sequence_length'));

  const session = await InferenceSession.create(join(fp16Dir, TINY_MODEL_FILES.model));
  try {
    assert.deepEqual(session.inputNames, [
      'input_ids',
      'attention_mask',
      'position_ids',
      'past_key_values.0.key',
      'past_key_values.1.key',
      'past_key_values.0.value',
      'past_key_values.1.value',
    ]);
    assert.deepEqual(session.outputNames, [
      'logits',
      'present.0.key',
      'present.1.key',
      'present.0.value',
      'present.1.value',
    ]);
    const described = (list: readonly InferenceSession.ValueMetadata[]) =>
      Object.fromEntries(list.map((m) => [m.name, m.isTensor ? `${m.type} [${m.shape.join(', ')}]` : 'non-tensor']));
    const inputs = described(session.inputMetadata);
    assert.equal(inputs['input_ids'], 'int64 [batch_size, sequence_length]');
    assert.equal(inputs['attention_mask'], 'int64 [batch_size, total_sequence_length]');
    assert.equal(inputs['position_ids'], 'int64 [batch_size, sequence_length]');
    assert.equal(inputs['past_key_values.1.value'], 'float16 [batch_size, 2, past_sequence_length, kv_cache_dim]');
    const outputs = described(session.outputMetadata);
    assert.equal(outputs['logits'], 'float16 [batch_size, sequence_length, 128256]');
    // (onnxruntime reports the head size it inferred where the graph declares kv_cache_dim.)
    assert.match(outputs['present.0.key']!, /^float16 \[batch_size, 2, total_sequence_length, (kv_cache_dim|8)\]$/);
  } finally {
    await session.release();
  }

  const config = JSON.parse(readFileSync(join(fp16Dir, TINY_MODEL_FILES.config), 'utf8'));
  assert.deepEqual(Object.entries(config.model.decoder.inputs), [
    ['input_ids', 'input_ids'],
    ['attention_mask', 'attention_mask'],
    ['position_ids', 'position_ids'],
    ['past_key_names', 'past_key_values.%d.key'],
    ['past_value_names', 'past_key_values.%d.value'],
  ]);
  assert.equal(config.search.past_present_share_buffer, false);
  assert.equal(config.model.context_length, TINY_LLAMA.contextLength);
});

test('withoutValueInfo removes exactly the shape hints and keeps every other byte', () => {
  const model = buildLlamaOnnx(TINY_LLAMA, tinyLlamaWeights(), {
    ioDtype: 'float16',
    producerVersion: 'test',
    attention: 'multi-head-attention',
    rotaryCacheLength: 16,
  });
  const hinted = encodeModel(model).toBytes();
  const { valueInfo: _hints, ...bare } = model.graph;
  const expected = encodeModel({ ...model, graph: bare } as OnnxModel).toBytes();
  const stripped = withoutValueInfo(hinted);
  assert.equal(stripped.removed, 2 * TINY_LLAMA.numHiddenLayers);
  assert.ok(Buffer.from(stripped.bytes).equals(Buffer.from(expected)));
  // A model without hints comes back as it is.
  assert.equal(withoutValueInfo(expected).bytes, expected);
  assert.throws(() => withoutValueInfo(hinted.subarray(0, hinted.length - 3)), RangeError);
});

test('float32 MultiHeadAttention export: batched ragged greedy decoding equals the reference forward pass', async () => {
  // The chunk size is ignored for these exports (their causal mask cannot continue a prompt).
  const backend = await open(fp32Dir, 3, 4);
  const done = await decodeRagged(backend);
  const weights = tinyLlamaWeights();
  for (let key = 0; key < PROMPTS.length; key++) {
    const reference = Array.from(referenceGreedy(TINY_LLAMA, weights, PROMPTS[key]!, NEW_TOKENS));
    assert.deepEqual(done.get(key), key === 1 ? reference.slice(0, NEW_TOKENS - 6) : reference, `request ${key}`);
  }
});

test('float16 MultiHeadAttention export (-p fp16 -e cpu layout): every greedy pick is the reference’s best within float16 rounding, batched or alone', async () => {
  const batched = await decodeRagged(await open(fp16Dir, 4));
  const alone = await open(fp16Dir, 1);
  const weights = tinyLlamaWeights();
  let identical = 0;
  for (let key = 0; key < PROMPTS.length; key++) {
    const collector = new Collector();
    await generateAll(alone, [request(key)], collector);
    const tokens = collector.done.get(key)!;
    const expected = key === 1 ? tokens.slice(0, NEW_TOKENS - 6) : tokens;
    assert.deepEqual(batched.get(key), expected, `request ${key}: batched and alone differ`);

    // Each pick, given the model's own earlier picks, against the reference's logits there.
    const sequence = Array.from(PROMPTS[key]!);
    for (const [step, token] of tokens.entries()) {
      const logits = referenceLastLogits(TINY_LLAMA, weights, Int32Array.from(sequence), { float16Io: true });
      const best = logits[argmax(logits)]!;
      assert.ok(
        best - logits[token]! <= FLOAT16_TOLERANCE,
        `request ${key}, token ${step}: picked ${token}, ${best - logits[token]!} below the reference's best`,
      );
      sequence.push(token);
    }
    const reference = referenceGreedy(TINY_LLAMA, weights, PROMPTS[key]!, NEW_TOKENS, { float16Io: true });
    if (Array.from(reference).join() === tokens.join()) identical++;
  }
  // Near-ties aside, the answers are the reference's own.
  assert.ok(identical >= 3, `only ${identical} of ${PROMPTS.length} answers equal the reference's`);
});

test('exports the backend cannot run are ERR_BACKEND_MODEL naming what is missing; an unlisted position_ids is still fed', async () => {
  const root = tempDir('mha-errors');
  const good = JSON.parse(readFileSync(join(fp16Dir, TINY_MODEL_FILES.config), 'utf8'));
  const isModelError = (pattern: RegExp) => (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_BACKEND_MODEL');
    assert.match(error.message, pattern);
    return true;
  };
  const folder = async (name: string, model: OnnxModel | Uint8Array, config: object): Promise<string> => {
    const dir = await writeModelFolder(join(root, name), {
      model: model instanceof Uint8Array ? model : encodeModel(model).toBytes(),
      config: JSON.stringify(config),
    });
    return dir;
  };
  const mhaBytes = readFileSync(join(fp16Dir, TINY_MODEL_FILES.model));

  // The config names position_ids, the model (a GroupQueryAttention-style graph) has none.
  const standard = buildLlamaOnnx(TINY_LLAMA, tinyLlamaWeights(), { ioDtype: 'float16', producerVersion: 'test' });
  await assert.rejects(
    open(await folder('no-position-ids', standard, good), 1),
    isModelError(/input position_ids named by the config is not in the model/),
  );
  // position_ids with shared buffers: a GroupQueryAttention export with rotary outside it (-e dml).
  const shared = structuredClone(good);
  shared.search.past_present_share_buffer = true;
  await assert.rejects(
    open(await folder('shared-buffers', mhaBytes, shared), 1),
    isModelError(/position_ids and search\.past_present_share_buffer is true.*-e dml.*-e cpu or -e cuda/),
  );
  // An input nobody feeds.
  const mha = buildLlamaOnnx(TINY_LLAMA, tinyLlamaWeights(), {
    ioDtype: 'float16',
    producerVersion: 'test',
    attention: 'multi-head-attention',
    rotaryCacheLength: 64,
  });
  const extra: OnnxModel = {
    ...mha,
    graph: {
      ...mha.graph,
      inputs: [
        ...mha.graph.inputs,
        { name: 'token_type_ids', dataType: OnnxDataType.INT64, shape: ['batch_size', 'sequence_length'] },
      ],
    },
  };
  await assert.rejects(
    open(await folder('extra-input', extra, good), 1),
    isModelError(/the model also needs token_type_ids, which this backend does not feed/),
  );

  // A config that leaves position_ids out: the model's input of the builder's name is fed anyway.
  const unlisted = structuredClone(good);
  delete unlisted.model.decoder.inputs.position_ids;
  const backend = await open(await folder('unlisted', mhaBytes, unlisted), 2);
  const collector = new Collector();
  await generateAll(backend, [request(0), request(2)], collector);
  const reference = await open(fp16Dir, 2);
  const expected = new Collector();
  await generateAll(reference, [request(0), request(2)], expected);
  assert.deepEqual(collector.done, expected.done);
});

test('"mlperf-llm run --model" on a float16 MultiHeadAttention folder: VALID, and an accuracy log of the backend’s tokens', async () => {
  const cwd = tempDir('mha-cli');
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  const performance = cli(['run', '--model', fp16Dir, '--total-sample-count', '4', '--output-dir', 'perf']);
  assert.equal(performance.status, 0, performance.stderr);
  assert.match(performance.stdout, /validity\s+VALID/);

  const accuracy = cli([
    'run',
    '--model',
    fp16Dir,
    '--mode',
    'accuracy',
    '--total-sample-count',
    '4',
    '--output-dir',
    'acc',
  ]);
  assert.equal(accuracy.status, 0, accuracy.stderr);
  assert.match(accuracy.stdout, /accuracy\s+rouge1 [\d.]+/);
  const entries = readAccuracyLog(join(cwd, 'acc', 'mlperf_log_accuracy.json'));
  assert.equal(entries.length, 4);

  // The same prompts through the backend in this process give the logged tokens.
  const dataset = loadDataset(SAMPLE_DATASET);
  const backend = await open(fp16Dir, 4);
  const collector = new Collector();
  await generateAll(
    backend,
    entries.map((entry) => ({
      key: entry.qslIndex,
      prompt: dataset.prompt(entry.qslIndex),
      maxNewTokens: 128,
      sampleIndex: entry.qslIndex,
    })),
    collector,
  );
  for (const entry of entries) {
    const tokens = Int32Array.from(collector.done.get(entry.qslIndex)!);
    assert.ok(tokens.length > 0);
    assert.equal(entry.data.toString('hex'), Buffer.from(tokens.buffer).toString('hex'), `sample ${entry.qslIndex}`);
  }
});
