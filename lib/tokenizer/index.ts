/**
 * The Llama-3.1 tokenizer: byte-level BPE over the Llama 3 vocabulary, identical to Hugging Face's
 * `tokenizers` on Llama-3.1-8B-Instruct's tokenizer.json, offline.
 *
 * @packageDocumentation
 */
export { LlamaTokenizer, defaultTokenizer } from './tokenizer.js';
