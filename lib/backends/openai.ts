/**
 * The `openai` backend: generates on an OpenAI-compatible server (vLLM, SGLang, TensorRT-LLM's
 * trtllm-serve, or this harness's `serve`). Each request is one streamed `/v1/completions` call
 * with the prompt as token ids, `max_tokens` = maxNewTokens, temperature 0, and the generated token
 * ids back in each chunk's `token_ids` (see {@link OpenAIDialect}). At most `maxConcurrency` calls
 * are in flight; the rest wait their turn here.
 *
 * @packageDocumentation
 */
import { setMaxListeners } from 'node:events';
import type { Backend, GenerationListener, GenerationRequest } from './backend.js';
import { abortErrorFrom, backendError } from './errors.js';
import { OpenAICompletionsClient, type OpenAIDialect } from './openai-client.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

/** Options of {@link createOpenAIBackend}. */
export interface OpenAIBackendOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted). */
  endpoint: string;
  /** The served model's name; default the first the server lists at `GET /v1/models`. */
  model?: string;
  /** Most requests in flight at once, and so the backend's `maxBatchSize`. Default 256. */
  maxConcurrency?: number;
  /**
   * The longest the server may stay silent, in ms: to connect, to answer, between two streamed
   * chunks. Default 120000.
   */
  requestTimeoutMs?: number;
  /** The server's API key (vLLM's --api-key), sent as a bearer token. */
  apiKey?: string;
  /** How to ask for token ids: 'vllm' (default; vLLM, SGLang, serve) or 'trtllm' (trtllm-serve). */
  dialect?: OpenAIDialect;
}

/** Default of {@link OpenAIBackendOptions.maxConcurrency}: 256, a common vLLM `--max-num-seqs`. */
export const DEFAULT_MAX_CONCURRENCY = 256;

/** A backend whose generation happens on one OpenAI-compatible server. */
export class OpenAIBackend implements Backend {
  readonly name: string;
  readonly maxBatchSize: number;
  /** The endpoint's client. */
  readonly client: OpenAICompletionsClient;
  readonly #slots: ConcurrencyLimiter;
  readonly #closing = new AbortController();

  constructor(options: OpenAIBackendOptions) {
    this.maxBatchSize = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) {
      throw backendError(
        'ERR_BACKEND_REQUEST',
        `openai: maxConcurrency must be a positive integer, got ${options.maxConcurrency}`,
      );
    }
    this.#slots = new ConcurrencyLimiter(this.maxBatchSize);
    this.client = new OpenAICompletionsClient({
      endpoint: options.endpoint,
      model: options.model,
      requestTimeoutMs: options.requestTimeoutMs,
      apiKey: options.apiKey,
      maxSockets: this.maxBatchSize,
      dialect: options.dialect,
    });
    this.name = `openai(${this.client.baseUrl})`;
  }

  /** Requests on the server now. */
  get inFlight(): number {
    return this.#slots.active;
  }

  /** Requests waiting for one of the `maxConcurrency` places. */
  get queued(): number {
    return this.#slots.waiting;
  }

  /**
   * Streams every request from the server, at most `maxConcurrency` at once across all calls. If
   * one request fails, the others of this call are abandoned (they report nothing more) and the
   * call rejects with the first error.
   */
  async generate(
    requests: readonly GenerationRequest[],
    listener: GenerationListener,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#closing.signal.aborted) {
      throw backendError('ERR_BACKEND_UNAVAILABLE', `${this.name} is closed; create a new backend to generate again`);
    }
    const callFailed = new AbortController();
    const abort = AbortSignal.any([this.#closing.signal, callFailed.signal, ...(signal ? [signal] : [])]);
    // Every request of the call, queued or in flight, listens to it: thousands in an Offline run.
    setMaxListeners(0, abort);
    let failure: { error: unknown } | undefined;
    await Promise.all(
      requests.map(async (request) => {
        try {
          const release = await this.#slots.acquire(abort);
          try {
            const result = await this.client.streamCompletion({
              prompt: request.prompt,
              maxTokens: Math.max(1, request.maxNewTokens),
              signal: abort,
              onTokens: (tokens) => {
                if (failure === undefined) listener.onTokens(request.key, tokens);
              },
            });
            if (failure === undefined) listener.onComplete(request.key, result.tokens, result.finishReason);
          } finally {
            release();
          }
        } catch (error) {
          if (failure !== undefined) return;
          failure = { error };
          callFailed.abort(error);
        }
      }),
    );
    if (signal?.aborted) throw abortErrorFrom(signal);
    if (failure !== undefined) throw failure.error;
  }

  /** Abandons every request in flight (their calls reject) and drops the connections. */
  async close(): Promise<void> {
    this.#closing.abort(new Error(`${this.name} was closed`));
    this.client.close();
  }
}

/** Creates an {@link OpenAIBackend}; throws ERR_BACKEND_UNAVAILABLE for an endpoint that is not an http(s) URL. */
export function createOpenAIBackend(options: OpenAIBackendOptions): OpenAIBackend {
  return new OpenAIBackend(options);
}
