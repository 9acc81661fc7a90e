/**
 * The MLPerf Llama-3.1-8B harness: dataset, tokenizer, QSL, SUT, settings and runs.
 *
 * @packageDocumentation
 */
export { loadDataset, parseDataset, type CnnRecord, type Dataset, type DatasetError } from './dataset.js';
export { PROMPT_TEMPLATE, promptFor, MAX_NEW_TOKENS } from './prompt.js';
export { DatasetQsl } from './qsl.js';
export { LlmSut, type LlmSutOptions, type SutProgress } from './sut.js';
export { runLlmBenchmark, type LlmBenchmarkOptions } from './harness.js';
export type { ProgressPlan } from './progress-plan.js';
export {
  LLM_MODES,
  LLM_SCENARIOS,
  OFFICIAL_SAMPLE_COUNT,
  benchmarkTestSettings,
  defaultSuite,
  loadgenScenario,
  modelKey,
  writeUserConf,
  type LlmMode,
  type LlmScenario,
  type Suite,
  type UserConfOptions,
} from './benchmark-settings.js';
export {
  evaluateAccuracyLog,
  type AccuracyLogOptions,
  type AccuracyLogResult,
  type TokenDtype,
} from '../accuracy/score-log.js';
export {
  prepareDataset,
  buildRecords,
  readCnnDailyMailParquet,
  readArticlesJson,
  CNN_DAILYMAIL_VALIDATION_URL,
  type PrepareOptions,
} from './prepare-dataset.js';
export { SAMPLE_ARTICLES, SAMPLE_DATASET } from './sample-dataset.js';
