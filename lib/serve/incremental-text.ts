/**
 * Incremental detokenization for streaming: the text of the tokens generated so far, growing
 * token by token, such that the pieces handed out add up to the tokenizer's decode of all tokens.
 *
 * Decoding token by token is wrong where a character's UTF-8 bytes span several tokens: it
 * decodes to U+FFFD until its last byte arrives. So the text is decoded from a window of tokens
 * that starts where the text was last complete, and a trailing U+FFFD is held back. This relies on
 * the tokenizer's decode being a concatenation at character boundaries, as byte-level BPE without
 * space clean-up is (Llama 3); {@link IncrementalText.finish} falls back to the whole decode.
 *
 * @packageDocumentation
 */
import type { ServeTokenizer } from './text-tokenizer.js';

// Past this many unsettled tokens, the window is shortened to its last WINDOW_KEEP tokens.
const WINDOW_LIMIT = 16;
const WINDOW_KEEP = 8;

/** The text of a growing token sequence. */
export class IncrementalText {
  readonly #tokenizer: ServeTokenizer;
  #ids = new Int32Array(64);
  #count = 0;
  // Tokens before #windowStart decode to #settled, which no later token can change.
  #windowStart = 0;
  #settled = '';
  #text = '';
  #stableLength = 0;

  constructor(tokenizer: ServeTokenizer) {
    this.#tokenizer = tokenizer;
  }

  /** All tokens pushed so far. */
  get tokens(): Int32Array {
    return this.#ids.subarray(0, this.#count);
  }

  /** The text of all tokens so far (its end may still change). */
  get text(): string {
    return this.#text;
  }

  /** How much of {@link text} no later token can change. */
  get stableLength(): number {
    return this.#stableLength;
  }

  /** Adds generated tokens and updates {@link text} and {@link stableLength}. */
  push(tokens: Int32Array): void {
    if (this.#count + tokens.length > this.#ids.length) {
      const grown = new Int32Array(Math.max(this.#ids.length * 2, this.#count + tokens.length));
      grown.set(this.tokens);
      this.#ids = grown;
    }
    this.#ids.set(tokens, this.#count);
    this.#count += tokens.length;
    const window = this.#decode(this.#windowStart, this.#count);
    const unsettled = unsettledTail(window);
    this.#text = this.#settled + window;
    this.#stableLength = this.#text.length - unsettled;
    if (unsettled === 0) {
      // Everything decoded so far is final: later tokens are decoded on their own.
      this.#settled = this.#text;
      this.#windowStart = this.#count;
    } else if (this.#count - this.#windowStart > WINDOW_LIMIT) {
      // Text that keeps ending unsettled (bytes that never form a character): settle all but the
      // last few tokens, so the window, and the cost of decoding it, stays small.
      const end = this.#count - WINDOW_KEEP;
      const head = this.#decode(this.#windowStart, end);
      if (unsettledTail(head) === 0 && window.startsWith(head)) {
        this.#settled += head;
        this.#windowStart = end;
      }
    }
  }

  #decode(start: number, end: number): string {
    return this.#tokenizer.decode(this.#ids.subarray(start, end));
  }

  /**
   * The final text: the tokenizer's decode of all tokens, unless that would contradict the first
   * `emitted` characters already handed out (then the text assembled piece by piece).
   */
  finish(emitted: number): string {
    const whole = this.#tokenizer.decode(this.tokens);
    const assembled = this.#text;
    this.#text = whole.startsWith(assembled.slice(0, emitted)) ? whole : assembled;
    this.#stableLength = this.#text.length;
    return this.#text;
  }
}

/** How much of a decoded `text` no following token can change: all but a trailing incomplete character. */
export function settledLength(text: string): number {
  return text.length - unsettledTail(text);
}

/** How many characters at the end of `text` a following token could still change. */
function unsettledTail(text: string): number {
  // An incomplete UTF-8 character at the end.
  let tail = 0;
  while (tail < text.length && text.charCodeAt(text.length - 1 - tail) === 0xfffd) tail++;
  return tail;
}
