/**
 * Reads a `POST /v1/completions` body into what the server runs, rejecting what it cannot honour.
 *
 * The server decodes greedily (MLPerf's closed division), so a parameter that would change greedy
 * output (temperature above 0, penalties, logit bias, several choices) is a 400 error rather than
 * silently ignored; parameters that cannot change greedy output (top_p, top_k, min_p, seed) are
 * accepted. Unknown fields are ignored, as vLLM does.
 *
 * @packageDocumentation
 */
import { ApiError, invalidParam } from './api-error.js';
import type { ServeTokenizer } from './text-tokenizer.js';

/** OpenAI's default `max_tokens` for completions. */
export const DEFAULT_MAX_TOKENS = 16;

/** One prompt to complete. */
export interface CompletionPrompt {
  /** Prompt token ids, as the model sees them. */
  readonly tokens: Int32Array;
  /** `max_tokens`, capped so that prompt plus completion fit the model's context. */
  readonly maxNewTokens: number;
}

/** A validated completions request. */
export interface CompletionJob {
  /** The prompts; each is one choice of the answer, its index the prompt's. */
  readonly prompts: readonly CompletionPrompt[];
  /** Answer with Server-Sent Events. */
  readonly stream: boolean;
  /** Streaming: end with a chunk carrying `usage` (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  /** Stop strings. */
  readonly stop: readonly string[];
  /**
   * Return `prompt_token_ids` and `token_ids` in each choice: vLLM's `return_token_ids`, or
   * TensorRT-LLM's `detokenize: false`.
   */
  readonly returnTokenIds: boolean;
  /** Decode the completion to text (TensorRT-LLM's `detokenize`, default true; false: empty text). */
  readonly detokenize: boolean;
}

/** What the request is checked against. */
export interface CompletionContext {
  /** The served model's name; `model` must be it when given. */
  readonly modelName: string;
  /** Turns text prompts into token ids. */
  readonly tokenizer: ServeTokenizer;
  /** The model's context length in tokens: prompt plus completion must fit. */
  readonly contextLength: number;
  /** The longest prompt accepted, in tokens. */
  readonly maxPromptTokens: number;
  /** The most prompts one request may carry. */
  readonly maxPrompts: number;
}

type Body = Record<string, unknown>;

/** Validates a parsed JSON body; throws an {@link ApiError} naming the parameter at fault. */
export function parseCompletionRequest(body: unknown, context: CompletionContext): CompletionJob {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'the request body must be a JSON object with at least "prompt"');
  }
  const b = body as Body;
  checkModel(b, context.modelName);
  checkGreedy(b);
  const maxTokens = optionalInteger(b, 'max_tokens', 1) ?? DEFAULT_MAX_TOKENS;
  const addBos = optionalBoolean(b, 'add_special_tokens') ?? true;
  // A list of prompts is counted before any is tokenized.
  const count = Array.isArray(b.prompt) && b.prompt.some((item) => typeof item !== 'number') ? b.prompt.length : 1;
  if (count > context.maxPrompts) {
    throw new ApiError(
      400,
      `the request has ${count} prompts; this server takes at most ${context.maxPrompts} per request (serve --max-prompts-per-request): send them in several requests`,
      { param: 'prompt', code: 'too_many_prompts' },
    );
  }
  const prompts = readPrompts(b.prompt, context, addBos).map((tokens) => {
    if (tokens.length > context.maxPromptTokens) {
      throw new ApiError(
        400,
        `the prompt has ${tokens.length} tokens; this server takes at most ${context.maxPromptTokens} (serve --max-prompt-tokens): shorten the prompt`,
        { param: 'prompt', code: 'prompt_too_long' },
      );
    }
    const room = context.contextLength - tokens.length;
    if (room < 1) {
      throw invalidParam(
        'prompt',
        `the prompt has ${tokens.length} tokens but the model's context is ${context.contextLength} tokens, leaving no room to generate; shorten the prompt`,
      );
    }
    return { tokens, maxNewTokens: Math.min(maxTokens, room) };
  });
  const stream = optionalBoolean(b, 'stream') ?? false;
  const detokenize = optionalBoolean(b, 'detokenize') ?? true;
  const stop = readStop(b.stop);
  if (!detokenize && stop.some((s) => s.length > 0)) {
    throw invalidParam('stop', 'stop strings need the text: drop "stop" or "detokenize": false');
  }
  return {
    prompts,
    stream,
    includeUsage: readStreamOptions(b.stream_options, stream),
    stop,
    returnTokenIds: (optionalBoolean(b, 'return_token_ids') ?? false) || !detokenize,
    detokenize,
  };
}

function checkModel(b: Body, modelName: string): void {
  const model = b.model;
  if (model === undefined || model === null || model === modelName) return;
  if (typeof model !== 'string') throw invalidParam('model', '"model" must be a string');
  throw new ApiError(
    404,
    `The model \`${model}\` does not exist: this server serves \`${modelName}\` (see GET /v1/models)`,
    {
      type: 'not_found_error',
      param: 'model',
      code: 'model_not_found',
    },
  );
}

const GREEDY_ONLY = 'this server decodes greedily (MLPerf closed division)';

/** Rejects every parameter whose value would make the output differ from greedy decoding. */
function checkGreedy(b: Body): void {
  const temperature = optionalNumber(b, 'temperature');
  if (temperature !== undefined && temperature !== 0) {
    throw invalidParam('temperature', `temperature must be 0 or absent: ${GREEDY_ONLY}; got ${temperature}`);
  }
  for (const [name, neutral] of [
    ['frequency_penalty', 0],
    ['presence_penalty', 0],
    ['repetition_penalty', 1],
    ['n', 1],
    ['best_of', 1],
    ['min_tokens', 0],
  ] as const) {
    const value = optionalNumber(b, name);
    if (value !== undefined && value !== neutral) {
      throw invalidParam(
        name,
        `${name} must be ${neutral} or absent: ${GREEDY_ONLY} with one choice per prompt; got ${value}`,
      );
    }
  }
  for (const name of ['echo', 'ignore_eos', 'use_beam_search'] as const) {
    if (optionalBoolean(b, name))
      throw invalidParam(name, `${name} is not supported: ${GREEDY_ONLY}; drop it or set it to false`);
  }
  const bias = b.logit_bias;
  if (bias !== undefined && bias !== null && (typeof bias !== 'object' || Object.keys(bias).length > 0)) {
    throw invalidParam('logit_bias', `logit_bias is not supported: it changes greedy output; drop it`);
  }
  const suffix = b.suffix;
  if (suffix !== undefined && suffix !== null && suffix !== '') {
    throw invalidParam('suffix', 'suffix is not supported: drop it');
  }
  if (b.logprobs !== undefined && b.logprobs !== null) {
    throw invalidParam(
      'logprobs',
      'logprobs is not supported: the backend computes no log-probabilities; for the generated token ids set "return_token_ids": true',
    );
  }
  // These cannot change the greedy choice; check only that they are well formed.
  const topP = optionalNumber(b, 'top_p');
  if (topP !== undefined && !(topP > 0 && topP <= 1))
    throw invalidParam('top_p', `top_p must be in (0, 1]; got ${topP}`);
  const topK = optionalInteger(b, 'top_k', -1);
  if (topK !== undefined && topK < 1 && topK !== 0 && topK !== -1)
    throw invalidParam('top_k', `top_k must be -1, 0 or positive; got ${topK}`);
  const minP = optionalNumber(b, 'min_p');
  if (minP !== undefined && !(minP >= 0 && minP <= 1))
    throw invalidParam('min_p', `min_p must be in [0, 1]; got ${minP}`);
  const seed = optionalNumber(b, 'seed');
  if (seed !== undefined && !Number.isInteger(seed)) throw invalidParam('seed', `seed must be an integer; got ${seed}`);
}

/** `prompt`: a string, an array of token ids, or a non-empty list of either. */
function readPrompts(prompt: unknown, context: CompletionContext, addBos: boolean): Int32Array[] {
  if (typeof prompt === 'string') return [context.tokenizer.encode(prompt, { addBos })];
  if (!Array.isArray(prompt) || prompt.length === 0) {
    throw invalidParam('prompt', '"prompt" must be a string, an array of token ids, or a non-empty list of those');
  }
  if (prompt.every((item) => typeof item === 'number')) return [tokenIds(prompt, context.tokenizer.vocabSize)];
  return prompt.map((item) => {
    if (typeof item === 'string') return context.tokenizer.encode(item, { addBos });
    if (Array.isArray(item) && item.length > 0 && item.every((id) => typeof id === 'number')) {
      return tokenIds(item as number[], context.tokenizer.vocabSize);
    }
    throw invalidParam(
      'prompt',
      'each prompt of a "prompt" list must be a string or a non-empty array of token ids; lists cannot mix the two with bare ids',
    );
  });
}

function tokenIds(ids: readonly number[], vocabSize: number): Int32Array {
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw invalidParam('prompt', `prompt token id ${id} is not in the vocabulary (0 to ${vocabSize - 1})`);
    }
  }
  return Int32Array.from(ids);
}

function readStop(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((item) => typeof item === 'string')) return stop as string[];
  throw invalidParam('stop', '"stop" must be a string or a list of strings');
}

function readStreamOptions(options: unknown, stream: boolean): boolean {
  if (options === undefined || options === null) return false;
  if (!stream) throw invalidParam('stream_options', 'stream_options is only allowed with "stream": true');
  if (typeof options !== 'object' || Array.isArray(options))
    throw invalidParam('stream_options', '"stream_options" must be an object');
  const include = (options as Body).include_usage;
  if (include !== undefined && include !== null && typeof include !== 'boolean') {
    throw invalidParam('stream_options', '"stream_options.include_usage" must be a boolean');
  }
  return include === true;
}

function optionalNumber(b: Body, name: string): number | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParam(name, `"${name}" must be a number`);
  return value;
}

function optionalInteger(b: Body, name: string, min: number): number | undefined {
  const value = optionalNumber(b, name);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min)
    throw invalidParam(name, `"${name}" must be an integer of at least ${min}; got ${value}`);
  return value;
}

function optionalBoolean(b: Body, name: string): boolean | undefined {
  const value = b[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(name, `"${name}" must be true or false`);
  return value;
}
