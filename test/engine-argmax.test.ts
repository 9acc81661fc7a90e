// The engine's arg-max model (two-level: chunk maxima, then the best chunk) run by ONNX Runtime
// on the CPU: it picks the same token as a plain arg-max of the last position, the first one on
// ties, for vocabularies that are and are not whole chunks, in float32 and float16.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { ARGMAX_CHUNK, ARGMAX_INPUT, ARGMAX_OUTPUT, argmaxModel } from '../lib/backends/engine/argmax-model.js';
import { WeightRandom } from '../lib/model/prng.js';
import { roundToFloat16, float16Bits } from '../lib/util/float16.js';

/** Index of the first maximum of values[from, from + length). */
function firstMax(values: Float32Array, from: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}

async function run(type: 'float32' | 'float16', batch: number, length: number, vocab: number, seed: number) {
  const random = new WeightRandom(seed);
  const values = random.uniform(batch * length * vocab, 4);
  if (type === 'float16') for (let i = 0; i < values.length; i++) values[i] = roundToFloat16(values[i]!);
  // Ties across chunk borders and inside one chunk: the first position must win.
  for (let b = 0; b < batch; b++) {
    const row = (b * length + length - 1) * vocab;
    const top = 100 + b;
    const at = [vocab - 1, Math.min(vocab - 2, ARGMAX_CHUNK + 3), b % 7];
    for (const i of at) values[row + i] = top;
  }
  const session = await ort.InferenceSession.create(argmaxModel(type));
  const dims = [batch, length, vocab];
  const input =
    type === 'float32'
      ? new ort.Tensor('float32', values, dims)
      : new ort.Tensor('float16', Uint16Array.from(values, (v) => float16Bits(v)), dims);
  const output = await session.run({ [ARGMAX_INPUT]: input });
  const tokens = Array.from(output[ARGMAX_OUTPUT]!.data as BigInt64Array, Number);
  await session.release();
  const expected = Array.from({ length: batch }, (_, b) => firstMax(values, (b * length + length - 1) * vocab, vocab));
  assert.deepEqual(output[ARGMAX_OUTPUT]!.dims, [batch, 1]);
  assert.deepEqual(tokens, expected);
}

test('arg-max model: the first maximum of the last position, for whole and partial chunks', async () => {
  for (const vocab of [ARGMAX_CHUNK * 3, ARGMAX_CHUNK * 3 + 17, 1000, 128256]) {
    await run('float32', 3, 2, vocab, vocab);
  }
});

test('arg-max model: float16 logits', async () => {
  await run('float16', 4, 1, 1000, 5);
});

test('arg-max model: a vocabulary smaller than one chunk', async () => {
  await run('float32', 2, 1, 10, 9);
});
