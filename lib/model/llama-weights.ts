/**
 * The weight tensors of a Llama decoder, in the layouts both the ONNX graph and the reference
 * forward pass use, and their deterministic random generation for the tiny model.
 *
 * @packageDocumentation
 */
import type { LlamaArchitecture } from './llama-architecture.js';
import { WeightRandom } from './prng.js';

/** One decoder layer. Projection matrices are [in, out] row-major (y = x · W). */
export interface LlamaLayerWeights {
  /** RMSNorm scale before attention, [hidden]. */
  inputNorm: Float32Array;
  /** [hidden, heads·headSize] */
  qProj: Float32Array;
  /** [hidden, kvHeads·headSize] */
  kProj: Float32Array;
  /** [hidden, kvHeads·headSize] */
  vProj: Float32Array;
  /** [heads·headSize, hidden] */
  oProj: Float32Array;
  /** RMSNorm scale before the MLP, [hidden]. */
  postAttentionNorm: Float32Array;
  /** [hidden, intermediate] */
  gateProj: Float32Array;
  /** [hidden, intermediate] */
  upProj: Float32Array;
  /** [intermediate, hidden] */
  downProj: Float32Array;
}

/** All weights of a Llama decoder. */
export interface LlamaWeights {
  /** Token embedding, [vocab, hidden]; also the LM head when tied. */
  embedding: Float32Array;
  layers: LlamaLayerWeights[];
  /** Final RMSNorm scale, [hidden]. */
  finalNorm: Float32Array;
  /** Untied LM head, [vocab, hidden] (logit = row · hidden state); null when tied. */
  lmHead: Float32Array | null;
}

/**
 * Gains of the random weights, relative to a variance-preserving scale (std 1/√fan-in). Chosen by
 * hand so the tiny model's greedy output depends on the prompt instead of echoing it or settling
 * on one token: attention is sharp, and the layers' contributions outweigh the embedding on the
 * residual stream.
 */
export interface WeightGains {
  query: number;
  key: number;
  value: number;
  output: number;
  gate: number;
  up: number;
  down: number;
  /** Norm scales are 1 ± this. */
  normSpread: number;
}

/** The tiny model's gains. */
export const TINY_WEIGHT_GAINS: WeightGains = {
  query: 2,
  key: 2,
  value: 1,
  output: 3,
  gate: 2,
  up: 1,
  down: 3,
  normSpread: 0.25,
};

/** Uniform [-a, a) with standard deviation gain/√fanIn. */
function matrix(random: WeightRandom, rows: number, cols: number, gain: number): Float32Array {
  return random.uniform(rows * cols, gain * Math.sqrt(3 / rows));
}

function normScale(random: WeightRandom, size: number, spread: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.fround(1 + random.nextSigned(spread));
  return out;
}

/**
 * Random embedding rows scaled to RMS 1, so no token wins the tied LM head's dot products just by
 * having a long embedding.
 */
function embeddingRows(random: WeightRandom, vocab: number, hidden: number): Float32Array {
  const out = random.uniform(vocab * hidden, 1);
  for (let row = 0; row < vocab; row++) {
    const at = row * hidden;
    let sumSquares = 0;
    for (let i = 0; i < hidden; i++) sumSquares += out[at + i]! * out[at + i]!;
    const scale = Math.sqrt(hidden / sumSquares);
    for (let i = 0; i < hidden; i++) out[at + i] = Math.fround(out[at + i]! * scale);
  }
  return out;
}

/** Generates every weight of `arch` from `seed`; equal inputs give bit-identical weights. */
export function generateLlamaWeights(
  arch: LlamaArchitecture,
  seed: number,
  gains: WeightGains = TINY_WEIGHT_GAINS,
): LlamaWeights {
  const random = new WeightRandom(seed);
  const hidden = arch.hiddenSize;
  const qSize = arch.numAttentionHeads * arch.headSize;
  const kvSize = arch.numKeyValueHeads * arch.headSize;
  const inter = arch.intermediateSize;
  const embedding = embeddingRows(random, arch.vocabSize, hidden);
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < arch.numHiddenLayers; l++) {
    layers.push({
      inputNorm: normScale(random, hidden, gains.normSpread),
      qProj: matrix(random, hidden, qSize, gains.query),
      kProj: matrix(random, hidden, kvSize, gains.key),
      vProj: matrix(random, hidden, kvSize, gains.value),
      oProj: matrix(random, qSize, hidden, gains.output),
      postAttentionNorm: normScale(random, hidden, gains.normSpread),
      gateProj: matrix(random, hidden, inter, gains.gate),
      upProj: matrix(random, hidden, inter, gains.up),
      downProj: matrix(random, inter, hidden, gains.down),
    });
  }
  const finalNorm = normScale(random, hidden, gains.normSpread);
  const lmHead = arch.tieWordEmbeddings ? null : embeddingRows(random, arch.vocabSize, hidden);
  return { embedding, layers, finalNorm, lmHead };
}
