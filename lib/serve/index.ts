/**
 * `serve`: an OpenAI-compatible completions server in front of any generation backend.
 *
 * @packageDocumentation
 */
export { ApiError, type ApiErrorBody, type ApiErrorType } from './api-error.js';
export { DEFAULT_MAX_TOKENS, type CompletionJob, type CompletionPrompt } from './completion-request.js';
export { sampleIndexByPrompt } from './sample-lookup.js';
export { startOpenAIServer, type OpenAIServer, type OpenAIServerOptions, type OpenAIServerStats } from './server.js';
export type { ServeTokenizer } from './text-tokenizer.js';
