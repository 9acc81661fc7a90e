/**
 * Byte-level BPE over one pre-token, with the merge order of Hugging Face's `tokenizers`.
 *
 * @packageDocumentation
 */

import { toByteLevel } from './bytes.js';

// Pairs, merge results and heap entries are packed into one number each. Ids and ranks stay
// below 2^21 (the constructor checks), so every packed value is an exact double.
const ID_SPACE = 2 ** 21;
const POS_SPACE = 2 ** 32;
const CACHE_LIMIT = 100_000;

/** The merge table and vocabulary of a byte-level BPE model. */
export interface BpeModel {
  /** Token text (ByteLevel alphabet) to id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order: `[left, right]` token texts. */
  readonly merges: readonly (readonly [string, string])[];
  /** When set, a pre-token that is itself a vocabulary entry is taken whole, without merging. */
  readonly ignoreMerges: boolean;
}

/**
 * Encodes pre-tokens into ids through their UTF-8 bytes, caching the result for each pre-token.
 * Merging always applies the adjacent pair of lowest rank, leftmost first on a tie; that is the
 * order `tokenizers` follows, and it matters here because Llama 3's merge list (converted from
 * token ranks) is not ordered so that every merge of a token comes after the merge making it.
 */
export class BytePairEncoder {
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly ignoreMerges: boolean;
  /** left id * ID_SPACE + right id -> rank * ID_SPACE + merged id. */
  private readonly pairs = new Map<number, number>();
  private readonly cache = new Map<string, readonly number[]>();

  /** Builds the pair table; throws a plain Error naming the first merge whose parts are unknown. */
  constructor(model: BpeModel) {
    this.vocab = model.vocab;
    this.ignoreMerges = model.ignoreMerges;
    if (model.merges.length >= ID_SPACE)
      throw new Error(`${model.merges.length} merges is more than this encoder supports`);
    for (const id of model.vocab.values()) {
      if (!Number.isInteger(id) || id < 0 || id >= ID_SPACE)
        throw new Error(`vocabulary id ${id} is out of the supported range`);
    }
    model.merges.forEach(([left, right], rank) => {
      const a = model.vocab.get(left);
      const b = model.vocab.get(right);
      const merged = model.vocab.get(left + right);
      if (a === undefined || b === undefined || merged === undefined) {
        throw new Error(`merge ${rank} ("${left} ${right}") uses or makes a token missing from the vocabulary`);
      }
      // A repeated pair keeps its last rank, as a map built from the list does in `tokenizers`.
      this.pairs.set(a * ID_SPACE + b, rank * ID_SPACE + merged);
    });
  }

  /** Appends the ids of one pre-token (plain text) to `out`. */
  encode(piece: string, out: number[]): void {
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.merge(toByteLevel(piece));
      // Clearing is crude but bounded: a long run of distinct words cannot grow memory forever.
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  private merge(word: string): readonly number[] {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const n = word.length; // ByteLevel characters are single UTF-16 units
    if (n === 0) return [];
    const ids = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const id = this.vocab.get(word[i]!);
      // Every byte character is checked to be in the vocabulary on load.
      ids[i] = id!;
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }

    // Min-heap of candidate merges, keyed rank * POS_SPACE + left position.
    const heap: number[] = [];
    const push = (pos: number): void => {
      const found = this.pairs.get(ids[pos]! * ID_SPACE + ids[next[pos]!]!);
      if (found !== undefined) heapPush(heap, Math.floor(found / ID_SPACE) * POS_SPACE + pos);
    };
    for (let i = 0; i + 1 < n; i++) push(i);

    while (heap.length > 0) {
      const key = heapPop(heap);
      const rank = Math.floor(key / POS_SPACE);
      const pos = key - rank * POS_SPACE;
      const right = next[pos]!;
      // Skip entries gone stale: the left symbol was absorbed, or its pair has changed since.
      if (ids[pos]! < 0 || right < 0) continue;
      const found = this.pairs.get(ids[pos]! * ID_SPACE + ids[right]!);
      if (found === undefined || Math.floor(found / ID_SPACE) !== rank) continue;

      ids[pos] = found % ID_SPACE;
      ids[right] = -1;
      const after = next[right]!;
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      if (prev[pos]! >= 0) push(prev[pos]!);
      if (after >= 0) push(pos);
    }

    const result: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) result.push(ids[i]!);
    return result;
  }
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  const n = heap.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]! < heap[child]!) child++;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
