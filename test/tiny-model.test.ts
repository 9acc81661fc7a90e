// The embedded tiny model: our protobuf/ONNX writer, deterministic generation, the model folder,
// and the independent reference forward pass it is checked against.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { float16Bits, float16Value, roundToFloat16 } from '../lib/util/float16.js';
import { LLAMA31_SPECIAL_TOKENS } from '../lib/llama31.js';
import { ropeInverseFrequencies } from '../lib/model/llama-architecture.js';
import { encodeVarint, ProtoMessage } from '../lib/onnx/protobuf.js';
import { argmax, referenceGreedy, referenceLastLogits } from '../lib/model/reference-forward.js';
import { ensureTinyModel, generateTinyModelFiles, TINY_MODEL_FILES } from '../lib/model/tiny-llama.js';
import { TINY_LLAMA, tinyLlamaWeights } from '../lib/model/tiny-llama-spec.js';
import { tempDir } from './helpers.js';

/** SHA-256 of the float32 tiny model.onnx; changes only when the generator's output changes on purpose. */
const TINY_MODEL_SHA256 = 'c4b6f4be40540f058529d0cdd8a6a6b7a9f0dd864c75532aaaa4199a128a64b9';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('protobuf varints, floats and nested messages use the wire format', () => {
  assert.equal(hex(encodeVarint(1)), '01');
  assert.equal(hex(encodeVarint(300)), 'ac02');
  assert.equal(hex(encodeVarint(-1)), 'ffffffffffffffffff01'); // int64 −1: ten bytes
  assert.equal(hex(encodeVarint(2 ** 40)), '808080808020');
  const inner = new ProtoMessage().varint(1, 150);
  const outer = new ProtoMessage().string(2, 'hi').message(3, inner).float(4, 1.5);
  // field 2 (len) "hi"; field 3 (len) {field 1 varint 150}; field 4 (fixed32) 1.5f
  assert.equal(hex(outer.toBytes()), '12026869' + '1a03089601' + '250000c03f');
  assert.equal(outer.length, outer.toBytes().length);
});

test('float16 conversion rounds to nearest even and handles the edges', () => {
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(65520), 0x7c00); // halfway to the next binade: rounds to Infinity
  assert.equal(float16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(float16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal: even (0)
  assert.equal(float16Bits(0.1), 0x2e66);
  assert.equal(float16Bits(1 + 2 ** -11), 0x3c00); // tie: even mantissa stays
  assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie: odd mantissa rounds up
  assert.ok(Number.isNaN(float16Value(float16Bits(NaN))));
  for (let bits = 0; bits < 0x7c00; bits += 7) assert.equal(float16Bits(float16Value(bits)), bits);
  assert.equal(roundToFloat16(3.14159), 3.140625);
});

test('the tiny model is a Llama-3.1-shaped decoder with the real vocabulary and llama3 rotary scaling', () => {
  assert.equal(TINY_LLAMA.vocabSize, 128256);
  assert.equal(TINY_LLAMA.numAttentionHeads % TINY_LLAMA.numKeyValueHeads, 0);
  assert.ok(TINY_LLAMA.numKeyValueHeads < TINY_LLAMA.numAttentionHeads, 'grouped-query attention');
  assert.equal(TINY_LLAMA.ropeTheta, 500000);
  const frequencies = ropeInverseFrequencies(TINY_LLAMA);
  assert.equal(frequencies[0], 1);
  // The longest wavelength exceeds 8192 positions, so llama3 scaling divides it by 8.
  assert.equal(frequencies[3], Math.fround(1 / 500000 ** (6 / 8) / 8));
});

test('generation is byte-for-byte deterministic and matches the recorded SHA-256', () => {
  const first = generateTinyModelFiles();
  const second = generateTinyModelFiles();
  assert.equal(sha256(first.model), sha256(second.model));
  assert.equal(
    sha256(first.model),
    TINY_MODEL_SHA256,
    'the generator output changed; if on purpose, bump TINY_MODEL_FORMAT_VERSION and record the new hash',
  );
  assert.ok(first.model.length < 20 * 1024 * 1024, `model is ${first.model.length} bytes`);
  assert.equal(first.config, second.config);
});

test('ensureTinyModel writes a complete model folder, keeps a current one and regenerates a damaged one', async () => {
  const dir = join(tempDir('tiny-model'), 'tiny');
  assert.equal(await ensureTinyModel(dir), dir);
  const modelPath = join(dir, TINY_MODEL_FILES.model);
  assert.equal(sha256(readFileSync(modelPath)), TINY_MODEL_SHA256);

  const config = JSON.parse(readFileSync(join(dir, TINY_MODEL_FILES.config), 'utf8'));
  assert.equal(config.model.type, 'llama');
  assert.equal(config.model.bos_token_id, LLAMA31_SPECIAL_TOKENS.bos);
  assert.deepEqual(config.model.eos_token_id, [128001, 128008, 128009]);
  assert.equal(config.model.vocab_size, 128256);
  assert.equal(config.model.decoder.filename, 'model.onnx');
  assert.equal(config.model.decoder.num_hidden_layers, TINY_LLAMA.numHiddenLayers);
  assert.equal(config.model.decoder.num_key_value_heads, TINY_LLAMA.numKeyValueHeads);
  assert.equal(config.model.decoder.head_size, TINY_LLAMA.headSize);
  assert.deepEqual(config.model.decoder.inputs, {
    input_ids: 'input_ids',
    attention_mask: 'attention_mask',
    past_key_names: 'past_key_values.%d.key',
    past_value_names: 'past_key_values.%d.value',
  });
  assert.deepEqual(config.model.decoder.outputs, {
    logits: 'logits',
    present_key_names: 'present.%d.key',
    present_value_names: 'present.%d.value',
  });
  assert.equal(config.search.past_present_share_buffer, false);

  const written = statSync(modelPath).mtimeMs;
  await ensureTinyModel(dir);
  assert.equal(statSync(modelPath).mtimeMs, written, 'a current folder is left alone');

  truncateSync(modelPath, 1000);
  await ensureTinyModel(dir);
  assert.equal(sha256(readFileSync(modelPath)), TINY_MODEL_SHA256, 'a truncated model is regenerated');

  writeFileSync(join(dir, TINY_MODEL_FILES.config), '{}');
  await ensureTinyModel(dir);
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, TINY_MODEL_FILES.config), 'utf8')),
    config,
    'an edited config is regenerated',
  );
});

test('the ONNX graph computes the reference logits, and right-padded rows follow the attention-mask semantics', async () => {
  const dir = await ensureTinyModel(join(tempDir('tiny-graph'), 'tiny'));
  const session = await InferenceSession.create(join(dir, TINY_MODEL_FILES.model), { intraOpNumThreads: 1 });
  const { numHiddenLayers: layers, numKeyValueHeads: kvHeads, headSize, vocabSize } = TINY_LLAMA;
  const weights = tinyLlamaWeights();
  const long = Int32Array.from([128000, 791, 4062, 14198, 22, 33, 9906]);
  const short = Int32Array.from([128000, 40, 1093]);

  // Row 0 holds 6 cached tokens, row 1 holds 2 cached tokens right-padded to 6; both feed one more.
  const feeds: Record<string, Tensor> = {};
  const prefill = async (tokens: Int32Array): Promise<InferenceSession.ReturnType> => {
    const f: Record<string, Tensor> = {
      input_ids: new Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]),
    };
    for (let l = 0; l < layers; l++) {
      for (const kind of ['key', 'value'])
        f[`past_key_values.${l}.${kind}`] = new Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headSize]);
    }
    return session.run(f);
  };
  const longPast = await prefill(long.subarray(0, 6));
  const shortPast = await prefill(short.subarray(0, 2));
  // The prefill's last logits are the reference's.
  const prefillLogits = (longPast['logits']!.data as Float32Array).subarray(5 * vocabSize, 6 * vocabSize);
  const reference = referenceLastLogits(TINY_LLAMA, weights, long.subarray(0, 6));
  let maxDiff = 0;
  for (let i = 0; i < vocabSize; i++) maxDiff = Math.max(maxDiff, Math.abs(prefillLogits[i]! - reference[i]!));
  assert.ok(maxDiff < 1e-3, `max |onnx − reference| = ${maxDiff}`);

  for (let l = 0; l < layers; l++) {
    for (const kind of ['key', 'value']) {
      const past = new Float32Array(2 * kvHeads * 6 * headSize).fill(Number.NaN); // padding must never be read
      const a = longPast[`present.${l}.${kind}`]!.data as Float32Array;
      const b = shortPast[`present.${l}.${kind}`]!.data as Float32Array;
      for (let h = 0; h < kvHeads; h++) {
        past.set(a.subarray(h * 6 * headSize, (h + 1) * 6 * headSize), (0 * kvHeads + h) * 6 * headSize);
        past.set(b.subarray(h * 2 * headSize, (h + 1) * 2 * headSize), (1 * kvHeads + h) * 6 * headSize);
      }
      feeds[`past_key_values.${l}.${kind}`] = new Tensor('float32', past, [2, kvHeads, 6, headSize]);
    }
  }
  feeds['input_ids'] = new Tensor('int64', BigInt64Array.from([BigInt(long[6]!), BigInt(short[2]!)]), [2, 1]);
  feeds['attention_mask'] = new Tensor(
    'int64',
    BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 0n, 0n]),
    [2, 7],
  );
  const step = await session.run(feeds);
  const logits = step['logits']!.data as Float32Array;
  assert.deepEqual(step['logits']!.dims, [2, 1, vocabSize]);
  assert.equal(argmax(logits.subarray(0, vocabSize)), argmax(referenceLastLogits(TINY_LLAMA, weights, long)));
  assert.equal(argmax(logits.subarray(vocabSize)), argmax(referenceLastLogits(TINY_LLAMA, weights, short)));
  // Row 1's new key went to slot 2 (its length − 1); slots after it are zero.
  const present = step['present.0.key']!.data as Float32Array;
  assert.deepEqual(step['present.0.key']!.dims, [2, kvHeads, 7, headSize]);
  const row1Head0 = present.subarray((1 * kvHeads + 0) * 7 * headSize, (1 * kvHeads + 1) * 7 * headSize);
  assert.ok(row1Head0.subarray(2 * headSize, 3 * headSize).some((v) => v !== 0));
  assert.ok(row1Head0.subarray(3 * headSize).every((v) => v === 0));
  await session.release();
});

test('the reference model’s greedy output depends on the prompt and does not collapse to one token', () => {
  const weights = tinyLlamaWeights();
  const outputs = [
    [128000, 791, 4062, 14198],
    [128000, 40, 1093, 311, 1373],
    [128000, 9906],
  ].map((prompt) => Array.from(referenceGreedy(TINY_LLAMA, weights, Int32Array.from(prompt), 16)));
  for (const output of outputs) assert.ok(new Set(output).size >= 8, `too repetitive: ${output.join(' ')}`);
  assert.notDeepEqual(outputs[0], outputs[1]);
  assert.notDeepEqual(outputs[1], outputs[2]);
});
