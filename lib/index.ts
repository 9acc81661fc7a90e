/**
 * mlperf-loadgen-node: the official MLCommons LoadGen for Node.js, and an MLPerf
 * Llama-3.1-8B benchmark harness on top of it.
 *
 * @packageDocumentation
 */
export { ERROR_CODES, CodedError, LoadgenError, BackendError, type ErrorCode } from './errors.js';
export * from './loadgen/index.js';
export * from './tokenizer/index.js';
export * from './report/index.js';
export * from './llm/index.js';
export * from './backends/index.js';
export { defaultTinyModelDir, ensureTinyModel } from './model/tiny-llama.js';
export { evaluateSummaries, type AccuracyScores } from './accuracy/evaluate.js';
export { checkAccuracy, type AccuracyTarget } from './accuracy/targets.js';
export { startOpenAIServer, type OpenAIServer, type OpenAIServerOptions } from './serve/index.js';
export * from './compliance/index.js';
