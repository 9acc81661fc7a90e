/**
 * The `openai` backend: generates on an OpenAI-compatible server (vLLM, SGLang, TensorRT-LLM's
 * trtllm-serve, or this harness's `serve`). Each request is one streamed `/v1/completions` call
 * with the prompt as token ids, `max_tokens` = maxNewTokens, temperature 0, and the generated token
 * ids back in each chunk's `token_ids` (see {@link OpenAIDialect}). The backend keeps no queue: the
 * caller (the SUT's one admission point) decides how many requests are in flight, and
 * `maxConcurrency` only sizes the connection pool and is the caller's default.
 *
 * @packageDocumentation
 */
import { setMaxListeners } from 'node:events';
import type { Backend, GenerationRequest } from './backend.js';
import { OpenAICompletionsClient, type OpenAIDialect } from './openai-client.js';
import { BackendError, abortError } from '../errors.js';

/** Options of {@link createOpenAIBackend}. */
export interface OpenAIBackendOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted). */
  endpoint: string;
  /** The served model's name; default the first the server lists at `GET /v1/models`. */
  model?: string;
  /** Most requests the caller keeps in flight (sizes the connection pool). Default 256. */
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

/**
 * A backend whose generation happens on one OpenAI-compatible server. It checks nothing up front:
 * a wrong endpoint or model name fails the first request. `createOpenAIDispatcher`, for one
 * server or several, checks both before it resolves (what `mlperf-llm run` uses).
 */
export class OpenAIBackend implements Backend {
  readonly name: string;
  readonly maxConcurrency: number;
  /** The endpoint's client. */
  readonly client: OpenAICompletionsClient;
  readonly #closing = new AbortController();
  #inFlight = 0;

  constructor(options: OpenAIBackendOptions) {
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `openai: maxConcurrency must be a positive integer, got ${options.maxConcurrency}`,
      );
    }
    this.client = new OpenAICompletionsClient({
      endpoint: options.endpoint,
      model: options.model,
      requestTimeoutMs: options.requestTimeoutMs,
      apiKey: options.apiKey,
      maxSockets: this.maxConcurrency,
      dialect: options.dialect,
    });
    this.name = `openai(${this.client.baseUrl})`;
    // Every request in flight listens to it: thousands in an Offline run.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Requests on the server now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Streams every request from the server, each on its own; a failing request ends with its own onError. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    const abort = signal ? AbortSignal.any([this.#closing.signal, signal]) : this.#closing.signal;
    if (signal) setMaxListeners(0, abort);
    for (const request of requests) void this.#stream(request, abort);
  }

  async #stream(request: GenerationRequest, abort: AbortSignal): Promise<void> {
    const { events } = request;
    if (this.#closing.signal.aborted) {
      events.onError(
        new BackendError('ERR_BACKEND_UNAVAILABLE', `${this.name} is closed; create a new backend to generate again`),
      );
      return;
    }
    this.#inFlight++;
    try {
      const result = await this.client.streamCompletion({
        prompt: request.prompt,
        maxTokens: Math.max(1, request.maxNewTokens),
        signal: abort,
        onTokens: (tokens) => events.onTokens(tokens),
      });
      events.onComplete(result.tokens, result.finishReason);
    } catch (error) {
      events.onError(abort.aborted ? abortError('generation', abort.reason) : error);
    } finally {
      this.#inFlight--;
    }
  }

  /** Abandons every request in flight (they end with onError) and drops the connections. */
  async close(): Promise<void> {
    this.#closing.abort(new Error(`${this.name} was closed`));
    this.client.close();
  }
}

/** Creates an {@link OpenAIBackend}; throws ERR_BACKEND_UNAVAILABLE for an endpoint that is not an http(s) URL. */
export function createOpenAIBackend(options: OpenAIBackendOptions): OpenAIBackend {
  return new OpenAIBackend(options);
}
