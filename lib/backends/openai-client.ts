/**
 * A client of one OpenAI-compatible completions endpoint (vLLM, SGLang, TensorRT-LLM's
 * trtllm-serve, or our `serve`): streams a completion for a token-id prompt and hands back the
 * generated token ids as they arrive. The `openai` backend drives one; a multi-endpoint dispatcher
 * can hold several.
 *
 * Generated token ids come back in each streamed choice's `token_ids` (the tokens new in that
 * chunk), which servers send when asked in one of two ways, chosen by `dialect`: vLLM's
 * `"return_token_ids": true` (vLLM, SGLang, our `serve`), or TensorRT-LLM's `"detokenize": false`
 * (trtllm-serve, which then also skips making text). The text is ignored: only token ids are exact.
 *
 * Transport is node:http(s) with a keep-alive Agent per client rather than fetch: the Agent pools
 * one reusable socket per in-flight stream (no connection set-up per request, which matters at
 * thousands of requests), its size and idle lifetime can be set per endpoint without extra
 * packages, and responses arrive as plain 'data' events without web-stream overhead.
 *
 * @packageDocumentation
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FinishReason } from './backend.js';
import { SseParser } from './openai-sse.js';
import { BackendError, abortError } from '../errors.js';

/** Options of {@link OpenAICompletionsClient}. */
export interface OpenAICompletionsClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8000` (a trailing `/v1` is accepted). */
  endpoint: string;
  /** The model to ask for; default the first one the server lists at `GET /v1/models`. */
  model?: string;
  /**
   * The longest the server may stay silent, in ms: to accept the connection, to answer, and
   * between two streamed chunks (not a limit on a whole completion). Default 120000; at most
   * {@link MAX_TIMEOUT_MS}.
   */
  requestTimeoutMs?: number;
  /** Sent as `Authorization: Bearer <apiKey>` (vLLM's --api-key). */
  apiKey?: string;
  /** Most pooled connections; set it to the number of requests kept in flight. Default 256. */
  maxSockets?: number;
  /** How to ask for token ids; default 'vllm'. */
  dialect?: OpenAIDialect;
}

/**
 * How a server is asked for generated token ids: 'vllm' sends `"return_token_ids": true` (vLLM,
 * SGLang, `serve`); 'trtllm' sends `"detokenize": false` (TensorRT-LLM's trtllm-serve, `serve`).
 */
export type OpenAIDialect = 'vllm' | 'trtllm';

/** One completion request. */
export interface CompletionStreamRequest {
  /** Prompt token ids, sent as is. */
  readonly prompt: Int32Array;
  /** `max_tokens`. */
  readonly maxTokens: number;
  /** Receives each chunk's new token ids, in order; the first call carries the first token. */
  readonly onTokens?: (tokens: Int32Array) => void;
  /** Aborts the request (the connection is dropped, so the server stops generating). */
  readonly signal?: AbortSignal;
  /** The model to ask for; default the client's (see {@link OpenAICompletionsClient.model}). */
  readonly model?: string;
  /** The longest the server may stay silent for this request, in ms; default the client's timeout. */
  readonly timeoutMs?: number;
  /** How the error names the limit when it expires; default {@link REQUEST_TIMEOUT}. */
  readonly timeoutLabel?: TimeoutLabel;
}

/**
 * What a timeout error says about the limit that expired: which exchange waited (e.g. "the
 * request", "the health probe") and the command-line flag that sets the limit, in seconds.
 */
export interface TimeoutLabel {
  /** The exchange that waited, e.g. "the request". */
  readonly what: string;
  /** The flag that sets the limit (its value is given in seconds), e.g. "--request-timeout". */
  readonly flag: string;
}

/** The label of an ordinary request's timeout: `--request-timeout`. */
export const REQUEST_TIMEOUT: TimeoutLabel = Object.freeze({ what: 'the request', flag: '--request-timeout' });

/** Options of {@link OpenAICompletionsClient.listModels}. */
export interface ListModelsOptions {
  readonly signal?: AbortSignal | undefined;
  /** The longest the server may stay silent, in ms; default the client's request timeout. */
  readonly timeoutMs?: number | undefined;
  /** How the error names the limit; default {@link REQUEST_TIMEOUT}. */
  readonly timeoutLabel?: TimeoutLabel | undefined;
}

/**
 * A server's answer with an HTTP error status (`ERR_BACKEND_REQUEST` for 4xx, `ERR_BACKEND_FAILED`
 * for 5xx): the status and the server's own message, for callers that tell a missing route or
 * an unknown model from other failures.
 */
export class HttpStatusError extends BackendError {
  /** The HTTP status. */
  readonly status: number;
  /** The server's message (from its JSON error body, or the body's text). */
  readonly serverMessage: string;

  /**
   * @param code - ERR_BACKEND_REQUEST (4xx) or ERR_BACKEND_FAILED (5xx)
   * @param message - the one-line message, naming the URL
   * @param status - the HTTP status
   * @param serverMessage - what the server said
   */
  constructor(
    code: 'ERR_BACKEND_REQUEST' | 'ERR_BACKEND_FAILED',
    message: string,
    status: number,
    serverMessage: string,
  ) {
    super(code, message);
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** A finished completion. */
export interface StreamedCompletion {
  /** Every generated token id (the end-of-sequence token included when generated). */
  readonly tokens: Int32Array;
  /** Why generation stopped. */
  readonly finishReason: FinishReason;
}

/**
 * Default of {@link OpenAICompletionsClientOptions.requestTimeoutMs}: two minutes. On a loaded
 * server a Server-scenario request can wait tens of seconds for its first token; a server silent
 * for two minutes is stuck.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** The longest timeout a client takes, in ms: a day (Node's timers hold at most about 24.8 days). */
export const MAX_TIMEOUT_MS = 86_400_000;

// vLLM's uvicorn drops idle keep-alive connections after 5 s; pooled sockets are dropped before.
const IDLE_SOCKET_MS = 4_000;
const MAX_ERROR_BODY = 64 * 1024;

/** Streams completions from one OpenAI-compatible server. */
export class OpenAICompletionsClient {
  /** The server's base URL, without `/v1` or a trailing slash. */
  readonly baseUrl: string;
  /** The URL completions are posted to. */
  readonly completionsUrl: string;
  readonly #timeoutMs: number;
  readonly #apiKey: string | undefined;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #tokenIdsFlag: Record<string, boolean>;
  #model: Promise<string> | undefined;

  constructor(options: OpenAICompletionsClientOptions) {
    const base = parseEndpoint(options.endpoint);
    this.baseUrl = base.href.replace(/\/$/, '');
    this.completionsUrl = `${this.baseUrl}/v1/completions`;
    this.#timeoutMs = checkTimeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    this.#apiKey = options.apiKey;
    const dialect = options.dialect ?? 'vllm';
    if (dialect !== 'vllm' && dialect !== 'trtllm') {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `openai: unknown dialect "${String(dialect)}"; use "vllm" (vLLM, SGLang, serve) or "trtllm" (trtllm-serve)`,
      );
    }
    this.#tokenIdsFlag = dialect === 'vllm' ? { return_token_ids: true } : { detokenize: false };
    this.#model = options.model === undefined ? undefined : Promise.resolve(options.model);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, timeout: IDLE_SOCKET_MS };
    const https = base.protocol === 'https:';
    this.#agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.#request = https ? (httpsRequest as typeof httpRequest) : httpRequest;
  }

  /** The model requests name: the configured one, or the first the server lists. */
  model(signal?: AbortSignal): Promise<string> {
    if (this.#model === undefined) {
      const lookup = this.listModels({ signal }).then((ids) => {
        if (ids.length === 0)
          throw new BackendError(
            'ERR_BACKEND_UNAVAILABLE',
            `openai: ${this.baseUrl}/v1/models lists no model; start the server with a model, or pass --model`,
          );
        return ids[0]!;
      });
      // A failed lookup is forgotten, so the next request retries it.
      lookup.catch(() => {
        if (this.#model === lookup) this.#model = undefined;
      });
      this.#model = lookup;
    }
    return this.#model;
  }

  /**
   * The ids of the models the server serves (`GET /v1/models`). A server without the route
   * rejects with an {@link HttpStatusError} of status 404 (or 405).
   */
  async listModels(options: ListModelsOptions = {}): Promise<string[]> {
    const url = `${this.baseUrl}/v1/models`;
    const limit = this.#limit(options.timeoutMs, options.timeoutLabel);
    return this.#exchange('GET', url, undefined, options.signal, limit, async (response) => {
      const text = await readBody(url, response, MAX_ERROR_BODY * 16);
      if (response.statusCode !== 200) throw answerError(url, response.statusCode ?? 0, text);
      const data = (parseJson(text) as { data?: Array<{ id?: unknown }> } | undefined)?.data;
      if (!Array.isArray(data)) {
        throw new BackendError(
          'ERR_BACKEND_FAILED',
          `openai: ${url} did not answer with an OpenAI model list; is --endpoint an OpenAI-compatible server?`,
        );
      }
      return data.map((model) => model.id).filter((id): id is string => typeof id === 'string');
    });
  }

  /** Streams one completion; rejects with a coded backend error, or an AbortError on `signal`. */
  async streamCompletion(request: CompletionStreamRequest): Promise<StreamedCompletion> {
    const model = request.model ?? (await this.model(request.signal));
    const body = JSON.stringify({
      model,
      prompt: Array.from(request.prompt),
      max_tokens: request.maxTokens,
      temperature: 0,
      stream: true,
      ...this.#tokenIdsFlag,
    });
    const url = this.completionsUrl;
    const limit = this.#limit(request.timeoutMs, request.timeoutLabel);
    return this.#exchange('POST', url, body, request.signal, limit, (response, alive) =>
      readCompletionStream(url, response, alive, request.onTokens),
    );
  }

  #limit(timeoutMs: number | undefined, label: TimeoutLabel | undefined): Limit {
    return {
      ms: timeoutMs === undefined ? this.#timeoutMs : checkTimeout(timeoutMs, 'timeoutMs'),
      label: label ?? REQUEST_TIMEOUT,
    };
  }

  /** Drops the pooled connections. Requests in flight fail; abort them first. */
  close(): void {
    this.#agent.destroy();
  }

  /** One HTTP exchange, retried once if a pooled connection turns out to be closed already. */
  async #exchange<T>(
    method: string,
    url: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    limit: Limit,
    read: ResponseReader<T>,
  ): Promise<T> {
    // A server that restarted leaves every pooled connection to it dead: each retry may pick
    // another one, so retry a few times, then fail as the endpoint's failure (it is re-issued).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(method, url, body, signal, limit, read);
      } catch (error) {
        if (!(error instanceof StaleConnection)) throw error;
        if (attempt >= STALE_CONNECTION_RETRIES) {
          throw new BackendError(
            'ERR_BACKEND_UNAVAILABLE',
            `openai: ${url} closed ${attempt} connections in a row before answering; did the server restart?`,
          );
        }
      }
    }
  }

  #once<T>(
    method: string,
    url: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    limit: Limit,
    read: ResponseReader<T>,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError('generation', signal.reason));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let answered = false;
      const headers: Record<string, string | number> = {
        accept: body === undefined ? 'application/json' : 'text/event-stream',
      };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
      let outgoing: ClientRequest;
      let connectTimer: NodeJS.Timeout | undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: Error): void => {
        if (!settle()) return;
        // Dropping the connection is how a server learns to stop generating.
        outgoing.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(abortError('generation', signal!.reason));
      try {
        outgoing = this.#request(url, { method, agent: this.#agent, headers });
      } catch (error) {
        reject(unreachable(url, error));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      // Node starts a request's idle timer only once its socket is connected: a host that never
      // completes the handshake is bounded here instead (else the OS gives up after minutes).
      outgoing.once('socket', (socket) => {
        if (!socket.connecting || settled) return;
        connectTimer = setTimeout(() => fail(timedOut(this.baseUrl, method, url, limit, 'connecting')), limit.ms);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      // Idle time, not a deadline: a long completion that keeps streaming is fine.
      outgoing.setTimeout(limit.ms, () =>
        fail(timedOut(this.baseUrl, method, url, limit, answered ? 'answering' : 'waiting')),
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered && outgoing.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          fail(new StaleConnection());
        } else if (answered) {
          const reason = oneLine(error.code ?? error.message);
          fail(
            new BackendError(
              'ERR_BACKEND_FAILED',
              `openai: the connection to ${url} broke in the middle of an answer (${reason}); did the server crash?`,
              { cause: error },
            ),
          );
        } else {
          fail(unreachable(url, error));
        }
      });
      outgoing.on('response', (response) => {
        answered = true;
        response.on('error', () => {}); // reported by 'close' below
        response.on('close', () => {
          if (!response.complete)
            fail(
              new BackendError(
                'ERR_BACKEND_FAILED',
                `openai: ${url} closed the connection in the middle of an answer; did the server crash?`,
              ),
            );
        });
        read(response, () => !settled).then(
          (value) => {
            if (settle()) resolve(value);
          },
          (error: Error) => fail(error),
        );
      });
      outgoing.end(body);
    });
  }
}

/** A request's silence limit and how its error names it. */
interface Limit {
  readonly ms: number;
  readonly label: TimeoutLabel;
}

function checkTimeout(ms: number, what: string): number {
  if (!(ms > 0 && ms <= MAX_TIMEOUT_MS)) {
    throw new BackendError(
      'ERR_BACKEND_REQUEST',
      `openai: ${what} must be more than 0 and at most ${MAX_TIMEOUT_MS} ms (a day), got ${ms}`,
    );
  }
  return ms;
}

/** Where an exchange stood when its limit expired. */
type Stage = 'connecting' | 'waiting' | 'answering';

/** Seconds as a flag takes them: 120000 ms is "120", 300 ms is "0.3". */
export function formatSeconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** The error of an expired limit: names the server, what waited, the flag and its value. */
function timedOut(baseUrl: string, method: string, url: string, limit: Limit, stage: Stage): BackendError {
  const seconds = formatSeconds(limit.ms);
  const exchange = `${method} ${url.slice(baseUrl.length) || '/'}`;
  const setting = `${limit.label.flag} ${seconds}`;
  const slow = `raise ${limit.label.flag} (seconds) if it is only slow`;
  const message =
    stage === 'connecting'
      ? `openai: could not connect to ${baseUrl} within ${seconds} s (${limit.label.what}, ${exchange}; ${setting}); ` +
        'is --endpoint right, and is the host up?'
      : stage === 'waiting'
        ? `openai: ${baseUrl} accepted the connection but sent nothing within ${seconds} s ` +
          `(${limit.label.what}, ${exchange}; ${setting}); is the server stuck or overloaded, and is --endpoint right? ${slow}`
        : `openai: ${baseUrl} went silent for ${seconds} s in the middle of an answer ` +
          `(${limit.label.what}, ${exchange}; ${setting}); is the server stuck or overloaded? ${slow}`;
  return new BackendError('ERR_BACKEND_UNAVAILABLE', message);
}

/** Consumes a response; `alive()` turns false once the exchange is over (failed or aborted). */
type ResponseReader<T> = (response: IncomingMessage, alive: () => boolean) => Promise<T>;

/**
 * Stale pooled connections one request tries before it counts as its endpoint's failure: a
 * dead connection fails at once, and a fresh one is opened when the pool has no idle one left.
 */
const STALE_CONNECTION_RETRIES = 8;

/** A pooled keep-alive connection the server had closed; the request never reached it. */
class StaleConnection extends Error {}

/** Reads a streamed completion, reporting token ids chunk by chunk. */
function readCompletionStream(
  url: string,
  response: IncomingMessage,
  alive: () => boolean,
  onTokens: ((tokens: Int32Array) => void) | undefined,
): Promise<StreamedCompletion> {
  if (response.statusCode !== 200) {
    return readBody(url, response, MAX_ERROR_BODY).then((text) => {
      throw answerError(url, response.statusCode ?? 0, text);
    });
  }
  return new Promise<StreamedCompletion>((resolve, reject) => {
    const parser = new SseParser();
    const chunks: Int32Array[] = [];
    let count = 0;
    let finishReason: FinishReason | undefined;
    let over = false;
    const stop = (error?: Error): void => {
      over = true;
      if (error) reject(error);
      else if (finishReason === undefined) {
        reject(
          new BackendError(
            'ERR_BACKEND_FAILED',
            `openai: ${url} ended the stream without a finish_reason; did the server stop generating?`,
          ),
        );
      } else if (count === 0) reject(noTokenIds(url));
      else resolve({ tokens: concat(chunks, count), finishReason });
    };
    const onEvent = (data: string): void => {
      if (data === '[DONE]') return stop();
      const chunk = parseJson(data) as StreamChunk | undefined;
      if (chunk === undefined || chunk === null || typeof chunk !== 'object') {
        return stop(
          new BackendError(
            'ERR_BACKEND_FAILED',
            `openai: ${url} streamed something that is not JSON: ${oneLine(data).slice(0, 200)}`,
          ),
        );
      }
      if (chunk.error !== undefined) {
        return stop(
          new BackendError(
            'ERR_BACKEND_FAILED',
            `openai: ${url} failed while generating: ${errorMessage(chunk) ?? 'no message'}`,
          ),
        );
      }
      const choice = chunk.choices?.[0];
      if (choice === undefined) return; // e.g. the usage chunk
      if (choice.token_ids === undefined || choice.token_ids === null) {
        if (typeof choice.text === 'string' && choice.text.length > 0) return stop(noTokenIds(url));
      } else if (Array.isArray(choice.token_ids) && choice.token_ids.length > 0) {
        const tokens = Int32Array.from(choice.token_ids);
        chunks.push(tokens);
        count += tokens.length;
        try {
          onTokens?.(tokens);
        } catch (error) {
          return stop(error as Error);
        }
      }
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
        if (choice.finish_reason === 'abort' || choice.finish_reason === 'error') {
          return stop(
            new BackendError(
              'ERR_BACKEND_FAILED',
              `openai: ${url} gave up on the request (finish_reason "${choice.finish_reason}"); see the server's log`,
            ),
          );
        }
        finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
      }
    };
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      for (const data of parser.push(text)) {
        if (over || !alive()) return;
        onEvent(data);
      }
    });
    response.on('end', () => {
      for (const data of parser.end()) if (!over && alive()) onEvent(data);
      // Servers that end the stream without [DONE] are fine once the choice has finished.
      if (!over) stop();
    });
  });
}

/** The fields of a streamed chunk that the client reads. */
interface StreamChunk {
  choices?: Array<{ text?: unknown; token_ids?: unknown; finish_reason?: string | null }>;
  error?: unknown;
}

function noTokenIds(url: string): BackendError {
  return new BackendError(
    'ERR_BACKEND_FAILED',
    `openai: ${url} streamed no token ids; the server must honour "return_token_ids": true (vLLM 0.10.2 or later, ` +
      `SGLang with return_token_ids, serve) or, with dialect 'trtllm', "detokenize": false (trtllm-serve)`,
  );
}

/** The error for a non-200 answer: a request the server rejects (4xx), or its failure (5xx). */
function answerError(url: string, status: number, body: string): HttpStatusError {
  const message = errorMessage(parseJson(body)) ?? (oneLine(body).slice(0, 500) || 'no message');
  if (status === 401 || status === 403) {
    return new HttpStatusError(
      'ERR_BACKEND_REQUEST',
      `openai: ${url} refused the request (HTTP ${status}: ${message}); give the backend the server's API key`,
      status,
      message,
    );
  }
  if (status >= 400 && status < 500) {
    return new HttpStatusError(
      'ERR_BACKEND_REQUEST',
      `openai: ${url} rejected the request (HTTP ${status}): ${message}`,
      status,
      message,
    );
  }
  return new HttpStatusError(
    'ERR_BACKEND_FAILED',
    `openai: ${url} failed (HTTP ${status}): ${message}`,
    status,
    message,
  );
}

/** The message of an error body in OpenAI's shape, vLLM's older flat shape or FastAPI's. */
function errorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { error?: unknown; message?: unknown; detail?: unknown };
  if (
    typeof b.error === 'object' &&
    b.error !== null &&
    typeof (b.error as { message?: unknown }).message === 'string'
  ) {
    return oneLine((b.error as { message: string }).message);
  }
  if (typeof b.error === 'string') return oneLine(b.error);
  if (typeof b.message === 'string') return oneLine(b.message);
  if (b.detail !== undefined) return oneLine(typeof b.detail === 'string' ? b.detail : JSON.stringify(b.detail));
  return undefined;
}

function unreachable(url: string, error: unknown): BackendError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
  return new BackendError(
    'ERR_BACKEND_UNAVAILABLE',
    `openai: cannot reach ${url} (${oneLine(reason)}); is the server started, and is --endpoint right?`,
    { cause: error },
  );
}

/** Parses `--endpoint`: a URL (scheme http:// assumed when missing), without the `/v1` suffix. */
function parseEndpoint(endpoint: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `openai: --endpoint "${endpoint}" is not a URL; give the server's address, e.g. http://127.0.0.1:8000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `openai: --endpoint "${endpoint}" is not http(s); give the server's address, e.g. http://127.0.0.1:8000`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '') || '/';
  url.search = '';
  url.hash = '';
  return url;
}

async function readBody(url: string, response: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  try {
    for await (const chunk of response as AsyncIterable<string>) {
      if (text.length < limit) text += chunk;
    }
  } catch (error) {
    throw new BackendError(
      'ERR_BACKEND_FAILED',
      `openai: the answer from ${url} broke off (${oneLine((error as Error).message)}); did the server crash?`,
      { cause: error },
    );
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function concat(chunks: readonly Int32Array[], count: number): Int32Array {
  const all = new Int32Array(count);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}
