/**
 * An independent forward pass of a Llama decoder in plain TypeScript: the whole sequence at once,
 * no KV cache, float32 storage with double accumulation. It shares nothing with the ONNX graph but
 * the weights, so agreement between the two checks the graph, the attention-mask semantics and the
 * backend's decode loop together.
 *
 * @packageDocumentation
 */
import { roundToFloat16 } from '../util/float16.js';
import { type LlamaArchitecture, ropeInverseFrequencies } from './llama-architecture.js';
import type { LlamaWeights } from './llama-weights.js';

/** Options of the reference computation. */
export interface ReferenceOptions {
  /**
   * Mirror a float16-I/O model: keys and values are rounded to float16 (as they are when they
   * pass through the float16 KV cache) and so are the logits.
   */
  float16Io?: boolean;
}

/** out[r, :] = x[r, :] · W for x [rows, inSize] and W [inSize, outSize]. */
function matmul(x: Float32Array, rows: number, inSize: number, w: Float32Array, outSize: number): Float32Array {
  const out = new Float32Array(rows * outSize);
  const acc = new Float64Array(outSize);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let i = 0; i < inSize; i++) {
      const xi = x[r * inSize + i]!;
      const wRow = i * outSize;
      for (let o = 0; o < outSize; o++) acc[o]! += xi * w[wRow + o]!;
    }
    for (let o = 0; o < outSize; o++) out[r * outSize + o] = acc[o]!;
  }
  return out;
}

function rmsNorm(x: Float32Array, rows: number, size: number, scale: Float32Array, eps: number): Float32Array {
  const out = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    let sumSquares = 0;
    for (let i = 0; i < size; i++) sumSquares += x[r * size + i]! * x[r * size + i]!;
    const inverse = 1 / Math.sqrt(Math.fround(sumSquares / size) + eps);
    for (let i = 0; i < size; i++) out[r * size + i] = Math.fround(x[r * size + i]! * inverse) * scale[i]!;
  }
  return out;
}

/**
 * Applies rotary embeddings in place to `x` laid out [rows = positions, heads, headSize], with
 * the two-halves pairing (element i rotates with element i + headSize/2).
 */
function applyRotary(
  x: Float32Array,
  positions: number,
  heads: number,
  headSize: number,
  inverseFrequencies: Float32Array,
): void {
  const half = headSize / 2;
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inverseFrequencies[i]!);
      const cos = Math.fround(Math.cos(angle));
      const sin = Math.fround(Math.sin(angle));
      for (let h = 0; h < heads; h++) {
        const at = (p * heads + h) * headSize;
        const a = x[at + i]!;
        const b = x[at + i + half]!;
        x[at + i] = a * cos - b * sin;
        x[at + i + half] = b * cos + a * sin;
      }
    }
  }
}

/** Causal grouped-query attention over all positions; q [n, heads, hd], k/v [n, kvHeads, hd]. */
function attention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  n: number,
  arch: LlamaArchitecture,
): Float32Array {
  const { numAttentionHeads: heads, numKeyValueHeads: kvHeads, headSize } = arch;
  const group = heads / kvHeads;
  const scale = Math.fround(1 / Math.sqrt(headSize));
  const out = new Float32Array(n * heads * headSize);
  const scores = new Float64Array(n);
  for (let h = 0; h < heads; h++) {
    const kvh = Math.floor(h / group);
    for (let s = 0; s < n; s++) {
      const qAt = (s * heads + h) * headSize;
      let max = -Infinity;
      for (let t = 0; t <= s; t++) {
        const kAt = (t * kvHeads + kvh) * headSize;
        let dot = 0;
        for (let d = 0; d < headSize; d++) dot += q[qAt + d]! * k[kAt + d]!;
        scores[t] = Math.fround(dot) * scale;
        if (scores[t]! > max) max = scores[t]!;
      }
      let total = 0;
      for (let t = 0; t <= s; t++) {
        scores[t] = Math.exp(scores[t]! - max);
        total += scores[t]!;
      }
      for (let d = 0; d < headSize; d++) {
        let acc = 0;
        for (let t = 0; t <= s; t++) acc += scores[t]! * v[(t * kvHeads + kvh) * headSize + d]!;
        out[qAt + d] = acc / total;
      }
    }
  }
  return out;
}

/** The logits of the last position of `tokens`, [vocab]. */
export function referenceLastLogits(
  arch: LlamaArchitecture,
  weights: LlamaWeights,
  tokens: Int32Array,
  options: ReferenceOptions = {},
): Float32Array {
  const n = tokens.length;
  if (n === 0) throw new RangeError('reference forward needs at least one token');
  const hidden = arch.hiddenSize;
  const qSize = arch.numAttentionHeads * arch.headSize;
  const kvSize = arch.numKeyValueHeads * arch.headSize;
  const inverseFrequencies = ropeInverseFrequencies(arch);

  const x = new Float32Array(n * hidden);
  for (let p = 0; p < n; p++) {
    const id = tokens[p]!;
    if (id < 0 || id >= arch.vocabSize)
      throw new RangeError(`token id ${id} is outside the vocabulary (0..${arch.vocabSize - 1})`);
    x.set(weights.embedding.subarray(id * hidden, (id + 1) * hidden), p * hidden);
  }

  for (const layer of weights.layers) {
    const xn = rmsNorm(x, n, hidden, layer.inputNorm, arch.rmsNormEps);
    const q = matmul(xn, n, hidden, layer.qProj, qSize);
    const k = matmul(xn, n, hidden, layer.kProj, kvSize);
    const v = matmul(xn, n, hidden, layer.vProj, kvSize);
    applyRotary(q, n, arch.numAttentionHeads, arch.headSize, inverseFrequencies);
    applyRotary(k, n, arch.numKeyValueHeads, arch.headSize, inverseFrequencies);
    if (options.float16Io) {
      for (let i = 0; i < k.length; i++) k[i] = roundToFloat16(k[i]!);
      for (let i = 0; i < v.length; i++) v[i] = roundToFloat16(v[i]!);
    }
    const context = attention(q, k, v, n, arch);
    const attended = matmul(context, n, qSize, layer.oProj, hidden);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + attended[i]!;

    const xn2 = rmsNorm(x, n, hidden, layer.postAttentionNorm, arch.rmsNormEps);
    const gate = matmul(xn2, n, hidden, layer.gateProj, arch.intermediateSize);
    const up = matmul(xn2, n, hidden, layer.upProj, arch.intermediateSize);
    for (let i = 0; i < gate.length; i++) {
      const g = gate[i]!;
      gate[i] = Math.fround(g / (1 + Math.exp(-g))) * up[i]!;
    }
    const down = matmul(gate, n, arch.intermediateSize, layer.downProj, hidden);
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + down[i]!;
  }

  const last = rmsNorm(x.subarray((n - 1) * hidden), 1, hidden, weights.finalNorm, arch.rmsNormEps);
  const head = weights.lmHead ?? weights.embedding;
  const logits = new Float32Array(arch.vocabSize);
  for (let token = 0; token < arch.vocabSize; token++) {
    let dot = 0;
    const at = token * hidden;
    for (let i = 0; i < hidden; i++) dot += last[i]! * head[at + i]!;
    logits[token] = options.float16Io ? roundToFloat16(dot) : dot;
  }
  return logits;
}

/** Index of the largest value; the first one on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = values[0]!;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > bestValue) {
      bestValue = values[i]!;
      best = i;
    }
  }
  return best;
}

/** Options of {@link referenceGreedy}. */
export interface ReferenceGreedyOptions extends ReferenceOptions {
  /** Stop after emitting one of these ids (it is included in the result). */
  eosTokenIds?: readonly number[];
}

/**
 * Greedy generation by recomputing the whole sequence for every new token. Returns the generated
 * ids (at most `maxNewTokens`, ending at the first end-of-sequence id if one comes).
 */
export function referenceGreedy(
  arch: LlamaArchitecture,
  weights: LlamaWeights,
  prompt: Int32Array,
  maxNewTokens: number,
  options: ReferenceGreedyOptions = {},
): Int32Array {
  const eos = new Set(options.eosTokenIds ?? []);
  const sequence = Array.from(prompt);
  const generated: number[] = [];
  while (generated.length < maxNewTokens) {
    const next = argmax(referenceLastLogits(arch, weights, Int32Array.from(sequence), options));
    generated.push(next);
    sequence.push(next);
    if (eos.has(next)) break;
  }
  return Int32Array.from(generated);
}
