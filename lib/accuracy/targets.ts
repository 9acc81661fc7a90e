/**
 * MLPerf's accuracy targets for Llama-3.1-8B on CNN-DailyMail (the 99% targets) and the pass/fail
 * check of a result against them.
 *
 * @packageDocumentation
 */
import type { AccuracyScores } from './evaluate.js';
import { accuracyError } from './errors.js';

/** The submission category whose targets apply. */
export type AccuracyTarget = 'datacenter' | 'edge';

/** Lower bounds on the ROUGE scores and the allowed range of `gen_len`. */
export interface AccuracyBounds {
  rouge1: number;
  rouge2: number;
  rougeL: number;
  rougeLsum: number;
  genLen: readonly [min: number, max: number];
}

/** The reference implementation's result, from which the bounds derive (99% of ROUGE, ±10% gen_len). */
export interface AccuracyReference {
  rouge1: number;
  rouge2: number;
  rougeL: number;
  rougeLsum: number;
  gen_len: number;
  gen_num: number;
}

/** The 99% targets per category. */
export const ACCURACY_TARGETS: Readonly<Record<AccuracyTarget, AccuracyBounds>> = {
  datacenter: { rouge1: 38.3914, rouge2: 15.7484, rougeL: 24.2507, rougeLsum: 35.4351, genLen: [7_350_880, 8_984_408] },
  edge: { rouge1: 38.6694, rouge2: 15.9536, rougeL: 24.3911, rougeLsum: 35.7628, genLen: [2_746_002, 3_356_224] },
};

/** The reference results (datacenter: the full 13,368-sample set; edge: its 5,000-sample subset). */
export const ACCURACY_REFERENCE: Readonly<Record<AccuracyTarget, AccuracyReference>> = {
  datacenter: { rouge1: 38.7792, rouge2: 15.9075, rougeL: 24.4957, rougeLsum: 35.793, gen_len: 8_167_644, gen_num: 13_368 },
  edge: { rouge1: 39.06, rouge2: 16.1147, rougeL: 24.6375, rougeLsum: 36.124, gen_len: 3_051_113, gen_num: 5_000 },
};

/** One comparison of a metric with its bound. */
export interface AccuracyCheck {
  metric: string;
  value: number;
  /** The bound in words, e.g. `>= 38.3914` or `in [7350880, 8984408]`. */
  bound: string;
  passed: boolean;
}

/** Checks `scores` against the targets of `target`; passed when every check passes. */
export function checkAccuracy(scores: AccuracyScores, target: AccuracyTarget): { passed: boolean; checks: AccuracyCheck[] } {
  const bounds = ACCURACY_TARGETS[target];
  if (bounds === undefined) {
    throw accuracyError('ERR_ACCURACY_INPUT', `unknown accuracy target ${JSON.stringify(target)}; use 'datacenter' or 'edge'.`);
  }
  const checks: AccuracyCheck[] = [];
  for (const metric of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) {
    const value = scores[metric];
    checks.push({ metric, value, bound: `>= ${bounds[metric]}`, passed: value >= bounds[metric] });
  }
  const [min, max] = bounds.genLen;
  checks.push({ metric: 'gen_len', value: scores.gen_len, bound: `in [${min}, ${max}]`, passed: scores.gen_len >= min && scores.gen_len <= max });
  return { passed: checks.every((c) => c.passed), checks };
}
