/**
 * The printed form of an accuracy result: the Python dict evaluation.py prints, e.g.
 * `{'rouge1': '38.7898', 'rouge2': '15.9106', 'rougeL': '24.4931', 'rougeLsum': '35.7953', 'gen_len': 8163079, 'gen_num': 13368}`.
 * MLPerf's submission checker reads the ROUGE values (quoted or not) and `gen_len` from it.
 *
 * @packageDocumentation
 */
import type { AccuracyScores } from './evaluate.js';
import { pythonFloatRepr } from './numeric.js';
import { ROUGE_METRICS } from './rouge.js';
import { CodedError } from '../errors.js';

/**
 * Formats `scores` as evaluation.py prints them: ROUGE values as quoted `str(float)`, then
 * `gen_len` and `gen_num` as integers; `gen_tok_len` and `tokens_per_sample` follow when present.
 */
export function formatEvaluationDict(scores: AccuracyScores): string {
  const parts = [
    ...ROUGE_METRICS.map((metric) => `'${metric}': '${pythonFloatRepr(scores[metric])}'`),
    `'gen_len': ${scores.gen_len}`,
    `'gen_num': ${scores.gen_num}`,
  ];
  if (scores.gen_tok_len !== undefined) parts.push(`'gen_tok_len': ${scores.gen_tok_len}`);
  if (scores.tokens_per_sample !== undefined)
    parts.push(`'tokens_per_sample': ${pythonFloatRepr(scores.tokens_per_sample)}`);
  return `{${parts.join(', ')}}`;
}

function field(text: string, key: string): number | undefined {
  // The checker's pattern: the key, whitespace, an optional quote, digits and dots.
  const m = new RegExp(`'${key}':\\s+'?([\\d.]+)'?`).exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a printed result back (the way the submission checker does). Throws `ERR_ACCURACY_INPUT`
 * when a ROUGE value, `gen_len` or `gen_num` is missing.
 */
export function parseEvaluationDict(text: string): AccuracyScores {
  const required = [...ROUGE_METRICS, 'gen_len', 'gen_num'] as const;
  const values: Partial<Record<(typeof required)[number], number>> = {};
  for (const key of required) {
    const value = field(text, key);
    if (value === undefined)
      throw new CodedError(
        'ERR_ACCURACY_INPUT',
        `the accuracy result lacks '${key}'; expected evaluation.py's printed dict.`,
      );
    values[key] = value;
  }
  const scores = values as AccuracyScores;
  const genTokLen = field(text, 'gen_tok_len');
  const tokensPerSample = field(text, 'tokens_per_sample');
  if (genTokLen !== undefined) scores.gen_tok_len = genTokLen;
  if (tokensPerSample !== undefined) scores.tokens_per_sample = tokensPerSample;
  return scores;
}
