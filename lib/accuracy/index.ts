/**
 * MLPerf Llama-3.1-8B accuracy: ROUGE on CNN-DailyMail summaries exactly as the reference
 * evaluation.py computes it (nltk 3.8.1 Punkt sentence splitting, rouge_score 0.1.2 with the
 * Porter stemmer, numpy aggregation), plus the targets and the printed result format.
 *
 * @packageDocumentation
 */
export { evaluateSummaries, postprocessText, type AccuracyScores, type EvaluateOptions } from './evaluate.js';
export { formatEvaluationDict, parseEvaluationDict } from './format.js';
export { numpyMean, numpyRound, pythonFloatRepr, pythonRound } from './numeric.js';
export { porterStem } from './porter-stemmer.js';
export { PunktSentenceTokenizer, sentTokenize } from './punkt.js';
export {
  defaultPunktParamsFile,
  englishPunktParameters,
  loadPunktParameters,
  punktParametersFromJson,
  PUNKT_PARAMS_ENV,
  type PunktParameters,
} from './punkt-params.js';
export { fmeasure, rougeScores, type RougeScore, type RougeScores } from './rouge.js';
export { rougeTokenize } from './rouge-tokenizer.js';
export { cleanUpTokenizationSpaces, cleanUpSetting } from './clean-up-spaces.js';
export {
  ACCURACY_REFERENCE,
  ACCURACY_TARGETS,
  checkAccuracy,
  type AccuracyBounds,
  type AccuracyCheck,
  type AccuracyReference,
  type AccuracyTarget,
} from './targets.js';
