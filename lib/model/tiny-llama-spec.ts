/**
 * The embedded tiny model's specification: Llama-3.1 architecture and vocabulary at toy width,
 * with weights drawn from a fixed seed. It exercises the whole ONNX path (tokens in, greedy tokens
 * out) in seconds on a CPU; its output is meaningless text.
 *
 * @packageDocumentation
 */
import { LLAMA31_CONTEXT_LENGTH, LLAMA31_SPECIAL_TOKENS } from '../llama31.js';
import type { LlamaArchitecture } from './llama-architecture.js';
import { generateLlamaWeights, type LlamaWeights } from './llama-weights.js';

/** The tiny model's architecture: Llama 3.1 8B's structure and vocabulary, 2 layers of width 32. */
export const TINY_LLAMA: LlamaArchitecture = Object.freeze({
  vocabSize: LLAMA31_SPECIAL_TOKENS.vocabSize,
  hiddenSize: 32,
  intermediateSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
  headSize: 8,
  rmsNormEps: 1e-5,
  ropeTheta: 500000,
  ropeScaling: Object.freeze({ factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 }),
  contextLength: LLAMA31_CONTEXT_LENGTH,
  tieWordEmbeddings: true,
  bosTokenId: LLAMA31_SPECIAL_TOKENS.bos,
  eosTokenIds: LLAMA31_SPECIAL_TOKENS.eos,
  padTokenId: LLAMA31_SPECIAL_TOKENS.pad,
});

/** The seed of the tiny model's weights. */
export const TINY_LLAMA_SEED = 20240723;

let cached: LlamaWeights | undefined;

/** The tiny model's weights (generated once per process, then shared; do not modify them). */
export function tinyLlamaWeights(): LlamaWeights {
  cached ??= generateLlamaWeights(TINY_LLAMA, TINY_LLAMA_SEED);
  return cached;
}
