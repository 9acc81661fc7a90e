/**
 * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one prediction against one reference, with the
 * semantics (and floating-point arithmetic) of rouge_score 0.1.2's
 * `RougeScorer(['rouge1', 'rouge2', 'rougeL', 'rougeLsum'], use_stemmer=True).score(reference, prediction)`,
 * which is what `evaluate`'s rouge metric calls for each pair.
 *
 * @packageDocumentation
 */
import { rougeTokenize } from './rouge-tokenizer.js';

/** Precision, recall and their harmonic mean. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** The four ROUGE variants MLPerf reports. */
export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
  rougeLsum: RougeScore;
}

/** The four variants' names, in the order evaluation.py reports them. */
export const ROUGE_METRICS = [
  'rouge1',
  'rouge2',
  'rougeL',
  'rougeLsum',
] as const satisfies readonly (keyof RougeScores)[];

const ZERO: Readonly<RougeScore> = { precision: 0, recall: 0, fmeasure: 0 };

/** rouge_score's F-measure, in the same operation order so results match to the last bit. */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function score(precision: number, recall: number): RougeScore {
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Maps tokens to small integers so comparisons and n-gram keys are cheap. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      let id = this.ids.get(tokens[i]!);
      if (id === undefined) this.ids.set(tokens[i]!, (id = this.ids.size));
      out[i] = id;
    }
    return out;
  }
}

function ngramCounts(tokens: Int32Array, n: number): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    // Ids stay far below 2^21, so a bigram packs exactly into one number.
    const key =
      n === 1
        ? tokens[i]!
        : n === 2
          ? tokens[i]! * 2 ** 21 + tokens[i + 1]!
          : Array.from(tokens.subarray(i, i + n)).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** ROUGE-N: clipped n-gram overlap. */
function rougeN(target: Int32Array, prediction: Int32Array, n: number): RougeScore {
  const targetCounts = ngramCounts(target, n);
  const predictionCounts = ngramCounts(prediction, n);
  let overlap = 0;
  for (const [ngram, count] of targetCounts) overlap += Math.min(count, predictionCounts.get(ngram) ?? 0);
  const targetTotal = Math.max(target.length - n + 1, 0);
  const predictionTotal = Math.max(prediction.length - n + 1, 0);
  return score(overlap / Math.max(predictionTotal, 1), overlap / Math.max(targetTotal, 1));
}

let table = new Int32Array(1024);

/** Fills the (|ref|+1) x (|can|+1) LCS length table, row-major, and returns it. */
function lcsTable(ref: Int32Array, can: Int32Array): Int32Array {
  const cols = can.length + 1;
  const size = (ref.length + 1) * cols;
  if (table.length < size) table = new Int32Array(Math.max(size, table.length * 2));
  table.fill(0, 0, size);
  for (let i = 1; i <= ref.length; i++) {
    const r = ref[i - 1]!;
    const row = i * cols;
    const up = row - cols;
    for (let j = 1; j <= can.length; j++) {
      if (r === can[j - 1]) table[row + j] = table[up + j - 1]! + 1;
      else {
        const a = table[up + j]!;
        const b = table[row + j - 1]!;
        table[row + j] = a > b ? a : b;
      }
    }
  }
  return table;
}

function lcsLength(ref: Int32Array, can: Int32Array): number {
  // Two rows suffice for the length alone.
  let previous = new Int32Array(can.length + 1);
  let current = new Int32Array(can.length + 1);
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    for (let j = 1; j <= can.length; j++) {
      if (r === can[j - 1]) current[j] = previous[j - 1]! + 1;
      else current[j] = previous[j]! > current[j - 1]! ? previous[j]! : current[j - 1]!;
    }
    [previous, current] = [current, previous];
  }
  return previous[can.length]!;
}

/** ROUGE-L: longest common subsequence over the whole token sequences. */
function rougeL(target: Int32Array, prediction: Int32Array): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { ...ZERO };
  const lcs = lcsLength(target, prediction);
  return score(lcs / prediction.length, lcs / target.length);
}

/**
 * Marks in `hit` the indices of `ref` on one LCS with `can`, walking back through the table the
 * way rouge_score does (on a tie it moves up a row), which decides which LCS is taken.
 */
function markLcs(ref: Int32Array, can: Int32Array, hit: Uint8Array): void {
  const t = lcsTable(ref, can);
  const cols = can.length + 1;
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      hit[i - 1] = 1;
      i--;
      j--;
    } else if (t[i * cols + j - 1]! > t[(i - 1) * cols + j]!) {
      j--;
    } else {
      i--;
    }
  }
}

/**
 * ROUGE-Lsum: summary-level LCS. For each reference sentence, the union of its LCS with every
 * predicted sentence counts, each token only as often as it occurs in both texts.
 */
function rougeLsum(targetSentences: Int32Array[], predictionSentences: Int32Array[]): RougeScore {
  if (targetSentences.length === 0 || predictionSentences.length === 0) return { ...ZERO };
  const m = targetSentences.reduce((sum, s) => sum + s.length, 0);
  const n = predictionSentences.reduce((sum, s) => sum + s.length, 0);
  if (m === 0 || n === 0) return { ...ZERO };
  const remainingTarget = new Map<number, number>();
  const remainingPrediction = new Map<number, number>();
  for (const s of targetSentences) for (const t of s) remainingTarget.set(t, (remainingTarget.get(t) ?? 0) + 1);
  for (const s of predictionSentences)
    for (const t of s) remainingPrediction.set(t, (remainingPrediction.get(t) ?? 0) + 1);
  let hits = 0;
  for (const ref of targetSentences) {
    const hit = new Uint8Array(ref.length);
    for (const can of predictionSentences) markLcs(ref, can, hit);
    for (let i = 0; i < ref.length; i++) {
      if (!hit[i]) continue;
      const t = ref[i]!;
      const inPrediction = remainingPrediction.get(t) ?? 0;
      const inTarget = remainingTarget.get(t) ?? 0;
      if (inPrediction > 0 && inTarget > 0) {
        hits++;
        remainingPrediction.set(t, inPrediction - 1);
        remainingTarget.set(t, inTarget - 1);
      }
    }
  }
  return score(hits / n, hits / m);
}

/** Tokens per non-empty line (rougeLsum's sentences) and of the whole text (the rest). */
function tokenizeLines(text: string, vocabulary: Vocabulary): { whole: Int32Array; sentences: Int32Array[] } {
  const sentences: Int32Array[] = [];
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const ids = vocabulary.encode(rougeTokenize(line));
    sentences.push(ids);
    total += ids.length;
  }
  // Newlines are separators for the tokenizer, so the whole text's tokens are the lines' in order.
  const whole = new Int32Array(total);
  let at = 0;
  for (const s of sentences) {
    whole.set(s, at);
    at += s.length;
  }
  return { whole, sentences };
}

/**
 * Scores one pair. `reference` is rouge_score's target, `prediction` its prediction; sentences
 * for ROUGE-Lsum are the lines of each text (MLPerf joins Punkt's sentences with newlines first).
 */
export function rougeScores(reference: string, prediction: string): RougeScores {
  const vocabulary = new Vocabulary();
  const target = tokenizeLines(reference, vocabulary);
  const predicted = tokenizeLines(prediction, vocabulary);
  return {
    rouge1: rougeN(target.whole, predicted.whole, 1),
    rouge2: rougeN(target.whole, predicted.whole, 2),
    rougeL: rougeL(target.whole, predicted.whole),
    rougeLsum: rougeLsum(target.sentences, predicted.sentences),
  };
}
