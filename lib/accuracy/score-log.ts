/**
 * Scores an MLPerf accuracy log the way MLPerf's evaluation.py does: keep the first entry per
 * sample, read its bytes as token ids (int32 unless told otherwise), decode skipping special
 * tokens, and compare with the dataset's reference summaries.
 *
 * @packageDocumentation
 */
import { cleanUpTokenizationSpaces } from './clean-up-spaces.js';
import { checkAccuracy, type AccuracyTarget } from './targets.js';
import { evaluateSummaries, type AccuracyScores } from './evaluate.js';
import { readAccuracyLog, responseTokenIds, type TokenDtype } from '../report/accuracy-log.js';
import { CodedError } from '../errors.js';
import { abortReasonIn } from '../report/aborted-run.js';
import { dirname } from 'node:path';

/** The reference summaries a log is scored against (a loaded cnn_eval.json). */
export interface ReferenceSet {
  /** Where it was read from, for messages. */
  readonly path: string;
  /** Number of samples. */
  readonly size: number;
  /** The reference summary of sample i. */
  reference(index: number): string;
}

/** Decodes token ids to text (LlamaTokenizer). */
export interface TokenDecoder {
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
}

export type { TokenDtype } from '../report/accuracy-log.js';

/** Options of {@link evaluateAccuracyLog}. */
export interface AccuracyLogOptions {
  logPath: string;
  dataset: ReferenceSet;
  tokenizer: TokenDecoder;
  dtype?: TokenDtype;
  /** Pass/fail thresholds to check; none when omitted. */
  target?: AccuracyTarget | undefined;
  /**
   * Apply transformers' `clean_up_tokenization_spaces` after decoding, as evaluation.py does for
   * Llama-3.1 (default true; see cleanUpSetting for reading it from a tokenizer_config.json).
   */
  cleanUpSpaces?: boolean | undefined;
}

/** Scores, the sample count, and the pass/fail check when a target was given. */
export interface AccuracyLogResult {
  scores: AccuracyScores;
  samples: number;
  /**
   * Why the run was aborted, when the detail log beside the accuracy log records an abort: the
   * samples outstanding then were answered empty, so the scores are no result.
   */
  abortReason?: string | undefined;
  /** Scored samples whose logged answer is empty (what an abort leaves; a model always answers something). */
  emptyAnswers: number;
  target?: AccuracyTarget | undefined;
  check?: ReturnType<typeof checkAccuracy> | undefined;
}

/** Scores an mlperf_log_accuracy.json against a dataset. */
export function evaluateAccuracyLog(options: AccuracyLogOptions): AccuracyLogResult {
  const dtype = options.dtype ?? 'int32';
  const seen = new Set<number>();
  const predictions: string[] = [];
  const references: string[] = [];
  const tokenCounts: number[] = [];
  let emptyAnswers = 0;
  for (const entry of readAccuracyLog(options.logPath)) {
    if (seen.has(entry.qslIndex)) continue;
    seen.add(entry.qslIndex);
    if (entry.qslIndex >= options.dataset.size) {
      throw new CodedError(
        'ERR_ACCURACY_DATASET',
        `${options.logPath} names sample ${entry.qslIndex}, but ${options.dataset.path} has ${options.dataset.size}; pass the dataset the run used (--dataset)`,
      );
    }
    if (entry.data.length === 0) emptyAnswers++;
    const ids = responseTokenIds(entry.data, dtype);
    const text = options.tokenizer.decode(ids, { skipSpecialTokens: true });
    predictions.push(options.cleanUpSpaces === false ? text : cleanUpTokenizationSpaces(text));
    references.push(options.dataset.reference(entry.qslIndex));
    tokenCounts.push(ids.length);
  }
  const scores = evaluateSummaries(predictions, references, { tokenCounts });
  return {
    scores,
    samples: predictions.length,
    abortReason: abortReasonIn(dirname(options.logPath)),
    emptyAnswers,
    target: options.target,
    check: options.target ? checkAccuracy(scores, options.target) : undefined,
  };
}
