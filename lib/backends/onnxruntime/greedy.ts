/**
 * Greedy token choice over a logits tensor [batch, seq, vocab], float32 or float16.
 *
 * @packageDocumentation
 */
import type { Tensor } from 'onnxruntime-node';
import { float16Table } from '../../model/float16.js';

/**
 * The arg-max token of every row's last position (the first index on ties; NaN never wins). The
 * tensor may hold every position ([batch, seq, vocab]) or only the last ([batch, 1, vocab]).
 */
export function greedyTokens(logits: Tensor): Int32Array {
  if (logits.dims.length !== 3) throw new RangeError(`logits must be [batch, seq, vocab], got [${logits.dims.join(', ')}]`);
  const [batch, positions, vocab] = logits.dims as readonly number[] as [number, number, number];
  const out = new Int32Array(batch);
  const data = logits.data as unknown as ArrayBufferView & { length: number };
  if (logits.type === 'float32') {
    const values = data as Float32Array;
    for (let row = 0; row < batch; row++) out[row] = argmaxRange(values, ((row + 1) * positions - 1) * vocab, vocab);
  } else if (logits.type === 'float16') {
    // Bit patterns through a 64K-entry table: exact, and faster than decoding each value.
    const bits = data instanceof Uint16Array ? data : new Uint16Array(data.buffer, data.byteOffset, data.length);
    const table = float16Table();
    for (let row = 0; row < batch; row++) {
      const start = ((row + 1) * positions - 1) * vocab;
      let best = 0;
      let bestValue = -Infinity;
      for (let i = 0; i < vocab; i++) {
        const value = table[bits[start + i]!]!;
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      }
      out[row] = best;
    }
  } else {
    throw new TypeError(`logits of type ${logits.type} are not supported (float32 or float16)`);
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
