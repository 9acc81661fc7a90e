/**
 * What `serve` needs from a tokenizer, as a structural type: the Llama tokenizer of
 * `lib/llm/tokenizer.ts` fits it, and the server does not depend on that file.
 *
 * @packageDocumentation
 */

/** Turns prompt text into token ids and generated token ids back into text. */
export interface ServeTokenizer {
  /** Token ids of `text`; with `addBos` (default true) they start with the begin-of-text token. */
  encode(text: string, options?: { addBos?: boolean }): Int32Array;
  /** The text of `ids`; with `skipSpecialTokens` (default true) special tokens add no text. */
  decode(ids: Int32Array, options?: { skipSpecialTokens?: boolean }): string;
  /** Token ids run from 0 to `vocabSize - 1`. */
  readonly vocabSize: number;
}
