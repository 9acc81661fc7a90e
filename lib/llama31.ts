/**
 * Facts about Llama 3.1 that several layers share (the dataset's validation, the tokenizer's
 * checks, the model generator, `serve`): a leaf module, importing nothing.
 *
 * @packageDocumentation
 */

/** The Llama-3.1 tokenizer's special ids: `<|begin_of_text|>`, and end-of-text / end-of-message / end-of-turn. */
export const LLAMA31_SPECIAL_TOKENS = {
  bos: 128000,
  eos: [128001, 128008, 128009] as readonly number[],
  pad: 128001,
  vocabSize: 128256,
} as const;

/** Llama 3.1's context length in tokens (prompt plus generation). */
export const LLAMA31_CONTEXT_LENGTH = 131_072;
