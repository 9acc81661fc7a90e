/**
 * `serve`: exposes any generation backend as an OpenAI-compatible HTTP server (the completions
 * API, with vLLM's `return_token_ids` extension), so the harness's `openai` backend, vLLM's
 * benchmark clients or the official OpenAI clients can drive it.
 *
 * Routes: `POST /v1/completions`, `GET /v1/models`, `GET /health` (200 while it takes requests,
 * like vLLM's; 503 once it is shutting down, so a dispatcher stops sending it work).
 *
 * Fit to be one node of a cluster: it listens only once its backend is loaded (so a started
 * server is a ready one), bounds what one request may ask for (body size, prompts per request,
 * prompt length: 413 and 400 answers that say which limit and how to stay under it), and shuts
 * down gracefully ({@link OpenAIServer.shutdown}): it stops taking requests, lets the streams in
 * flight finish within a grace period, and ends the rest with an error event.
 *
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../backends/backend.js';
import { ConcurrencyLimiter } from '../util/concurrency-limiter.js';
import { LLAMA31_CONTEXT_LENGTH } from '../llama31.js';
import { ApiError } from './api-error.js';
import { serveCompletions, writeError, writeJson, type CompletionsEndpointContext } from './completions-endpoint.js';
import type { ServeTokenizer } from './text-tokenizer.js';
import { CodedError } from '../errors.js';

/** Options of {@link startOpenAIServer}. */
export interface OpenAIServerOptions {
  /** Generates the completions; gets at most `maxConcurrency` prompts at once. */
  backend: Backend;
  /**
   * Most prompts on the backend at once; the rest wait here in arrival order (a server needs its
   * own admission point: its clients do not coordinate). Default `backend.maxConcurrency`.
   */
  maxConcurrency?: number;
  /** Encodes text prompts (with BOS, like the dataset's `tok_input`) and decodes completions. */
  tokenizer: ServeTokenizer;
  /** The model name clients pass as `model` and `GET /v1/models` lists. */
  modelName: string;
  /** Interface to listen on. Default 127.0.0.1 (this machine only); 0.0.0.0 for all. */
  host?: string;
  /** Port to listen on. Default 8000 (vLLM's); 0 picks a free one. */
  port?: number;
  /** The model's context length: prompt plus `max_tokens` are capped to it. Default 131072 (Llama 3.1). */
  contextLength?: number;
  /**
   * The dataset sample of a prompt, for backends that answer by sample (replay); see
   * `sampleIndexByPrompt`. Without it, requests carry sample index -1.
   */
  sampleIndexOf?: (prompt: Int32Array) => number;
  /** When set, `/v1` requests must send `Authorization: Bearer <apiKey>` (like vLLM's --api-key). */
  apiKey?: string;
  /** Largest accepted request body, in bytes (larger: 413). Default 16 MiB. */
  maxBodyBytes?: number;
  /** The longest prompt accepted, in tokens (longer: 400). Default: only the context length bounds it. */
  maxPromptTokens?: number;
  /** The most prompts one request may carry (more: 400). Default 256. */
  maxPromptsPerRequest?: number;
}

/** Default of {@link OpenAIServerOptions.maxBodyBytes}: 16 MiB, room for 256 full-context token-id prompts. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Default of {@link OpenAIServerOptions.maxPromptsPerRequest}: a large vLLM batch. */
export const DEFAULT_MAX_PROMPTS_PER_REQUEST = 256;

/** Counters of the prompts handed to the backend. */
export interface OpenAIServerStats {
  /** Prompts the backend works on now. */
  running: number;
  /** Prompts waiting for the backend (it has `maxConcurrency` running). */
  waiting: number;
  /** The most prompts the backend has worked on at once. */
  peakRunning: number;
}

/** A running server. */
export interface OpenAIServer {
  /** Its base URL, e.g. `http://127.0.0.1:8000`; the OpenAI API is under `${url}/v1`. */
  readonly url: string;
  /** Counters of the work handed to the backend. */
  stats(): OpenAIServerStats;
  /** Requests being answered now (waiting for the backend included). */
  readonly openRequests: number;
  /**
   * Shuts down gracefully: stops listening, answers new requests and `/health` with 503, lets
   * the requests in flight finish for up to `graceMs`, then aborts the rest (a stream ends with
   * an error event and `[DONE]`) and closes every connection.
   */
  shutdown(graceMs: number): Promise<void>;
  /** Shuts down at once: `shutdown(0)`. */
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. The backend stays the caller's to close. */
export async function startOpenAIServer(options: OpenAIServerOptions): Promise<OpenAIServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const started = Math.floor(Date.now() / 1000);
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  /** Set once shutdown began: new requests are refused. */
  let draining = false;
  let key = 0;
  const contextLength = options.contextLength ?? LLAMA31_CONTEXT_LENGTH;
  const context: CompletionsEndpointContext = {
    backend: options.backend,
    tokenizer: options.tokenizer,
    modelName: options.modelName,
    contextLength,
    maxPromptTokens: options.maxPromptTokens ?? Number.POSITIVE_INFINITY,
    maxPrompts: options.maxPromptsPerRequest ?? DEFAULT_MAX_PROMPTS_PER_REQUEST,
    slots: new ConcurrencyLimiter(options.maxConcurrency ?? options.backend.maxConcurrency),
    sampleIndexOf: options.sampleIndexOf,
    nextKey: () => (key = (key + 1) % Number.MAX_SAFE_INTEGER),
  };

  const models = (): object => ({
    object: 'list',
    data: [
      {
        id: options.modelName,
        object: 'model',
        created: started,
        owned_by: 'mlperf-loadgen-node',
        max_model_len: context.contextLength,
      },
    ],
  });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const route = ROUTES.get(path);
    if (route === undefined)
      throw new ApiError(
        404,
        `no route ${path}: this server has POST /v1/completions, GET /v1/models and GET /health`,
        { type: 'not_found_error' },
      );
    if (request.method !== route) {
      response.setHeader('allow', route);
      throw new ApiError(405, `${path} takes ${route}, not ${request.method}`);
    }
    if (
      options.apiKey !== undefined &&
      path.startsWith('/v1/') &&
      request.headers.authorization !== `Bearer ${options.apiKey}`
    ) {
      throw new ApiError(
        401,
        'missing or wrong API key: send "Authorization: Bearer <key>" with the key the server was started with',
        {
          type: 'authentication_error',
          code: 'invalid_api_key',
        },
      );
    }
    if (draining) {
      // A client on a kept-alive connection hears it now; new connections are not accepted.
      response.setHeader('connection', 'close');
      throw new ApiError(503, 'the server is shutting down; send the request to another server', {
        code: 'shutting_down',
      });
    }
    if (path === '/health') {
      response.writeHead(200, { 'content-length': 0 }).end();
    } else if (path === '/v1/models') {
      writeJson(response, 200, models());
    } else {
      const body = await readJson(request, maxBodyBytes);
      await serveCompletions(body, response, context, closing.signal);
    }
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    const work = handle(request, response)
      .catch((error: unknown) => {
        if (error instanceof ApiError) writeError(response, error);
        else
          writeError(
            response,
            new ApiError(500, `internal error: ${error instanceof Error ? error.message : String(error)}`),
          );
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Node needs headersTimeout above keepAliveTimeout to tell idle keep-alive sockets from slow clients.
  server.headersTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const message = `serve: cannot listen on ${host}:${options.port ?? 8000} (${error.code ?? error.message}); pick a free --port or another --host`;
      reject(new CodedError('ERR_SERVE_LISTEN', message, { cause: error }));
    };
    server.once('error', onError);
    server.listen(options.port ?? 8000, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closed: Promise<void> | undefined;
  /** Ends the grace period early (a second shutdown call asking for less). */
  let endGrace: (() => void) | undefined;
  const shutdown = (graceMs: number): Promise<void> => {
    if (closed !== undefined) {
      if (graceMs <= 0) endGrace?.();
      return closed;
    }
    closed = (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (graceMs > 0 && inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise<void>((resolve) => {
            endGrace = resolve;
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      closing.abort(new Error('the server is shutting down'));
      // Let aborted requests send their last words, then cut whatever is still open.
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await stopped;
    })();
    return closed;
  };
  return {
    url,
    stats: () => ({ running: context.slots.active, waiting: context.slots.waiting, peakRunning: context.slots.peak }),
    get openRequests() {
      return inFlight.size;
    },
    shutdown,
    close: () => shutdown(0),
  };
}

const ROUTES = new Map<string, 'GET' | 'POST'>([
  ['/health', 'GET'],
  ['/v1/models', 'GET'],
  ['/v1/completions', 'POST'],
]);

/** Reads and parses a JSON request body; malformed or oversized bodies are 400 / 413. */
async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = (): ApiError =>
    new ApiError(
      413,
      `the request body is over ${maxBytes} bytes (serve --max-body-bytes); send fewer or shorter prompts per request`,
      {
        code: 'body_too_large',
      },
    );
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is read to its end (and dropped), so the answer reaches the client.
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw tooLarge();
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new ApiError(400, `the request body is not valid JSON (${(error as Error).message}); send a JSON object`, {
      code: 'invalid_json',
    });
  }
}
