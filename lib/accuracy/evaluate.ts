/**
 * MLPerf's Llama-3.1-8B (CNN-DailyMail) accuracy evaluation on decoded texts, as
 * `language/llama3.1-8b/evaluation.py` computes it: strip, split into sentences with Punkt and
 * join them with newlines (predictions and references alike); ROUGE per pair with the Porter
 * stemmer; each metric the mean F-measure times 100, rounded to 4 decimals; `gen_len` the summed
 * length of the post-processed predictions in characters (code points); `gen_num` their count.
 *
 * @packageDocumentation
 */
import { numpyMean, numpyRound, pythonRound } from './numeric.js';
import { sentTokenize } from './punkt.js';
import { pyLength, pyStrip } from './python-text.js';
import { ROUGE_METRICS, rougeScores, type RougeScores } from './rouge.js';
import { CodedError } from '../errors.js';

/** The result of an accuracy run, with evaluation.py's key names. */
export interface AccuracyScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
  rougeLsum: number;
  /** Sum of the post-processed predictions' lengths in characters. */
  gen_len: number;
  /** Number of predictions. */
  gen_num: number;
  /** Generated tokens in total, when token counts were given. */
  gen_tok_len?: number;
  /** Mean generated tokens per sample, rounded to 1 decimal, when token counts were given. */
  tokens_per_sample?: number;
}

/** Options of {@link evaluateSummaries}. */
export interface EvaluateOptions {
  /** Generated token count per prediction, for `tokens_per_sample`. */
  tokenCounts?: readonly number[];
}

/** evaluation.py's post-processing of one text: strip, sentence-split, one sentence per line. */
export function postprocessText(text: string): string {
  return sentTokenize(pyStrip(text)).join('\n');
}

function checkInputs(
  predictions: readonly string[],
  references: readonly string[],
  tokenCounts?: readonly number[],
): void {
  if (predictions.length !== references.length) {
    throw new CodedError(
      'ERR_ACCURACY_INPUT',
      `${predictions.length} predictions but ${references.length} references; pass one reference per prediction, in the same order.`,
    );
  }
  if (predictions.length === 0) {
    throw new CodedError(
      'ERR_ACCURACY_INPUT',
      'no predictions to score; evaluation needs at least one prediction/reference pair.',
    );
  }
  const bad = [...predictions, ...references].findIndex((t) => typeof t !== 'string');
  if (bad >= 0) {
    const which = bad < predictions.length ? `prediction ${bad}` : `reference ${bad - predictions.length}`;
    throw new CodedError('ERR_ACCURACY_INPUT', `${which} is not a string; decode token ids to text before scoring.`);
  }
  if (tokenCounts !== undefined) {
    if (tokenCounts.length !== predictions.length) {
      throw new CodedError(
        'ERR_ACCURACY_INPUT',
        `${tokenCounts.length} token counts for ${predictions.length} predictions; pass one count per prediction or none.`,
      );
    }
    const badCount = tokenCounts.findIndex((n) => !Number.isSafeInteger(n) || n < 0);
    if (badCount >= 0) {
      throw new CodedError(
        'ERR_ACCURACY_INPUT',
        `token count ${badCount} is ${String(tokenCounts[badCount])}; counts must be non-negative integers.`,
      );
    }
  }
}

/**
 * MLPerf's evaluation on texts: post-process, score, aggregate (×100, 4 decimals).
 * `predictions[i]` is scored against `references[i]`. Throws `ERR_ACCURACY_INPUT` on mismatched
 * or empty inputs and `ERR_ACCURACY_PUNKT` when the sentence-splitting parameters are missing.
 */
export function evaluateSummaries(
  predictions: readonly string[],
  references: readonly string[],
  options: EvaluateOptions = {},
): AccuracyScores {
  checkInputs(predictions, references, options.tokenCounts);
  const fmeasures: Record<keyof RougeScores, number[]> = { rouge1: [], rouge2: [], rougeL: [], rougeLsum: [] };
  let genLen = 0;
  for (let i = 0; i < predictions.length; i++) {
    const prediction = postprocessText(predictions[i]!);
    const reference = postprocessText(references[i]!);
    const scores = rougeScores(reference, prediction);
    for (const metric of ROUGE_METRICS) fmeasures[metric].push(scores[metric].fmeasure);
    genLen += pyLength(prediction);
  }
  const aggregate = (metric: keyof RougeScores): number => numpyRound(numpyMean(fmeasures[metric]) * 100, 4);
  const result: AccuracyScores = {
    rouge1: aggregate('rouge1'),
    rouge2: aggregate('rouge2'),
    rougeL: aggregate('rougeL'),
    rougeLsum: aggregate('rougeLsum'),
    gen_len: genLen,
    gen_num: predictions.length,
  };
  if (options.tokenCounts !== undefined) {
    const total = options.tokenCounts.reduce((sum, n) => sum + n, 0);
    result.gen_tok_len = total;
    result.tokens_per_sample = pythonRound(total / predictions.length, 1);
  }
  return result;
}
