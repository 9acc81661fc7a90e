/**
 * Greedy token choice over a logits tensor [batch, seq, vocab], float32 or float16.
 *
 * @packageDocumentation
 */
import type { Tensor } from 'onnxruntime-node';
import { float16Table } from '../../util/float16.js';
import { floatTensorData } from './kv-batch.js';

/**
 * The arg-max token of every row's last position (the first index on ties; NaN never wins). The
 * tensor may hold every position ([batch, seq, vocab]) or only the last ([batch, 1, vocab]).
 */
export function greedyTokens(logits: Tensor): Int32Array {
  if (logits.dims.length !== 3)
    throw new RangeError(`logits must be [batch, seq, vocab], got [${logits.dims.join(', ')}]`);
  if (logits.type !== 'float32' && logits.type !== 'float16')
    throw new TypeError(`logits of type ${logits.type} are not supported (float32 or float16)`);
  const [batch, positions, vocab] = logits.dims as readonly number[] as [number, number, number];
  const out = new Int32Array(batch);
  const data = floatTensorData(logits, logits.type);
  if (data instanceof Float32Array) {
    for (let row = 0; row < batch; row++) out[row] = argmaxRange(data, ((row + 1) * positions - 1) * vocab, vocab);
  } else {
    // Bit patterns through a 64K-entry table: exact, and faster than decoding each value.
    const table = float16Table();
    for (let row = 0; row < batch; row++) {
      const start = ((row + 1) * positions - 1) * vocab;
      let best = 0;
      let bestValue = -Infinity;
      for (let i = 0; i < vocab; i++) {
        const value = table[data[start + i]!]!;
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      }
      out[row] = best;
    }
  }
  return out;
}

function argmaxRange(values: Float32Array, start: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const value = values[start + i]!;
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  return best;
}
