/**
 * The OpenAI dispatcher: one backend over several OpenAI-compatible servers (one per node: vLLM,
 * SGLang, TensorRT-LLM's trtllm-serve, `mlperf-llm serve`), for one LoadGen driving a cluster.
 *
 * - **Admission stays the caller's.** `maxConcurrency` is the sum of the endpoints' limits, and
 *   the SUT keeps at most that many requests open, so while every endpoint is up each request
 *   finds room at once. Each goes to the endpoint with the fewest outstanding requests for its
 *   weight ({@link EndpointPool.choose}).
 * - **Failover.** A request that fails because of its endpoint (connection refused or reset, no
 *   answer within the request timeout, HTTP 5xx, a stream that breaks off) takes that endpoint
 *   out: its other requests are taken back at once, and every one of them is issued again, from
 *   scratch, to the endpoints still up. The endpoint is probed with backoff and takes requests
 *   again once it answers. A request the server rejects (HTTP 4xx) fails as itself.
 * - **Holding, bounded.** A request with no endpoint to go to (endpoints down, the rest full)
 *   waits here in issue order, re-issues first. There are never more than `maxConcurrency` open
 *   requests, so it is at most the capacity of the endpoints that are down. When every endpoint
 *   is down for `retryTimeoutMs`, every waiting request ends with an error naming each
 *   endpoint's last failure — a failing run, never a hang.
 * - **Exactly once.** Each request has at most one live attempt; events of an attempt taken back
 *   are dropped, and a request ends once. Tokens reach the caller from the attempt that is live:
 *   a re-issued attempt first replays what was already passed on (checked token by token, not
 *   passed again) and passes on only what is new, so the streamed tokens add up to the completed
 *   ones. The first token is therefore reported once: by the first attempt that produced one
 *   (a request re-issued before its first token reports the first token of the attempt that
 *   completes, timed from the caller's issue, as a user would see it).
 *
 * @packageDocumentation
 */
import type { Backend, EndpointStats, GenerationRequest } from './backend.js';
import type { EndpointSpec } from './endpoint-list.js';
import { Endpoint, EndpointPool, type EndpointEvent } from './endpoint-pool.js';
import { DEFAULT_MAX_CONCURRENCY } from './openai.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  OpenAICompletionsClient,
  type OpenAIDialect,
  type StreamedCompletion,
} from './openai-client.js';
import { LLAMA31_SPECIAL_TOKENS } from '../llama31.js';
import { BackendError, abortError, hasCode, messageOf } from '../errors.js';

/** Options of {@link createOpenAIDispatcher}. */
export interface OpenAIDispatcherOptions {
  /** The servers: base URLs, or specs with their own concurrency and weight. */
  endpoints: readonly (string | EndpointSpec)[];
  /** The served model's name; default the first the first healthy endpoint lists. */
  model?: string | undefined;
  /** Concurrency limit of an endpoint that does not give its own. Default 256. */
  endpointConcurrency?: number | undefined;
  /**
   * The longest a server may stay silent during a request, in ms (to connect, to answer, between
   * two streamed chunks); a request past it counts as its endpoint's failure. Default 120000.
   */
  requestTimeoutMs?: number | undefined;
  /**
   * How long requests wait for an endpoint to come back while every endpoint is down, in ms;
   * then they fail. Default 60000.
   */
  retryTimeoutMs?: number | undefined;
  /**
   * The longest each exchange of a health probe may stay silent, in ms; the request timeout when
   * that is shorter. Default 10000.
   */
  probeTimeoutMs?: number | undefined;
  /** The first probe of an endpoint that went down, in ms; each failed probe doubles it. Default 500. */
  probeMinDelayMs?: number | undefined;
  /** The longest wait between two probes of an endpoint, in ms. Default 10000. */
  probeMaxDelayMs?: number | undefined;
  /**
   * The prompt of the probe's one-token completion. Default the Llama 3.1 BOS token alone; give a
   * real prompt of the run for servers that answer only known prompts (a served replay backend).
   */
  probePrompt?: Int32Array | undefined;
  /** Attempts per request before it fails. Default twice the endpoint count, at least 3. */
  maxAttempts?: number | undefined;
  /** The servers' API key (vLLM's --api-key), sent as a bearer token. */
  apiKey?: string | undefined;
  /** How to ask for token ids: 'vllm' (default) or 'trtllm'. */
  dialect?: OpenAIDialect | undefined;
  /** Receives each change of an endpoint's health (out at the start, down, back up). */
  onEvent?: ((event: EndpointEvent) => void) | undefined;
}

/** Default of {@link OpenAIDispatcherOptions.retryTimeoutMs}: a minute with no server is an outage, not a blip. */
export const DEFAULT_RETRY_TIMEOUT_MS = 60_000;
/**
 * Default probe timeout: a healthy server lists its models and starts a one-token answer well
 * within 10 s; one that says nothing for that long at start-up is stuck or not a server.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
// The first probe comes soon (a restarted process is back in seconds); a dead node is asked every 10 s.
const DEFAULT_PROBE_MIN_DELAY_MS = 500;
const DEFAULT_PROBE_MAX_DELAY_MS = 10_000;

/** Tokens passed on to a request's caller, growing. */
class StreamedTokens {
  #data = new Int32Array(32);
  length = 0;

  at(index: number): number {
    return this.#data[index]!;
  }

  push(tokens: Int32Array): void {
    if (this.length + tokens.length > this.#data.length) {
      const grown = new Int32Array(Math.max(this.#data.length * 2, this.length + tokens.length));
      grown.set(this.#data.subarray(0, this.length));
      this.#data = grown;
    }
    this.#data.set(tokens, this.length);
    this.length += tokens.length;
  }
}

/** One caller's request, across its attempts. */
class DispatchedRequest {
  attempt: Attempt | undefined;
  attempts = 0;
  /** Endpoints whose failure it saw: it goes elsewhere while another endpoint is up. */
  readonly failedOn = new Set<Endpoint>();
  /** One line per failed attempt, for the error if it gives up. */
  readonly failures: string[] = [];
  readonly streamed = new StreamedTokens();
  /** A later attempt gave tokens other than those passed on: nothing more is streamed. */
  diverged = false;
  done = false;

  constructor(
    readonly request: GenerationRequest,
    readonly batch: Batch,
  ) {}
}

/** The requests of one generate() call, sharing its signal. */
class Batch {
  open: number;
  constructor(
    readonly requests: DispatchedRequest[],
    readonly signal: AbortSignal | undefined,
    readonly onAbort: () => void,
  ) {
    this.open = requests.length;
  }
}

/** One try of a request on one endpoint. */
class Attempt {
  readonly controller = new AbortController();
  /** Tokens this attempt has produced. */
  received = 0;
  /** Taken back (endpoint down, request ended): its events are dropped. */
  withdrawn = false;

  constructor(
    readonly request: DispatchedRequest,
    readonly endpoint: Endpoint,
  ) {}
}

/** A backend over several OpenAI-compatible servers, with failover; see the module's description. */
export class OpenAIDispatcher implements Backend {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly #pool: EndpointPool;
  readonly #clients: OpenAICompletionsClient[];
  readonly #running = new Map<Endpoint, Set<Attempt>>();
  readonly #retryTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #onEvent: ((event: EndpointEvent) => void) | undefined;
  /** Requests with no endpoint to go to now, re-issues first. */
  #waiting: DispatchedRequest[] = [];
  readonly #open = new Set<DispatchedRequest>();
  /** Runs while every endpoint is down and requests wait; fires the all-down failure. */
  #allDownTimer: NodeJS.Timeout | undefined;
  /** Set when every endpoint stayed down past the retry timeout; cleared when one comes back. */
  #gaveUp: BackendError | undefined;
  #closed = false;
  readonly #probePrompt: Int32Array;
  #modelsChecked = false;

  constructor(options: OpenAIDispatcherOptions) {
    if (options.endpoints.length === 0) {
      throw new BackendError(
        'ERR_BACKEND_UNAVAILABLE',
        'openai: no endpoint given; pass --endpoint <url> (or --endpoints <file>)',
      );
    }
    const fallback = positiveInteger(options.endpointConcurrency ?? DEFAULT_MAX_CONCURRENCY, 'endpointConcurrency');
    const seen = new Set<string>();
    this.#clients = [];
    const endpoints = options.endpoints.map((entry, index) => {
      const spec = typeof entry === 'string' ? { url: entry } : entry;
      const maxConcurrency = positiveInteger(spec.maxConcurrency ?? fallback, `the concurrency of ${spec.url}`);
      const weight = spec.weight ?? 1;
      if (!(weight > 0 && Number.isFinite(weight))) {
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          `openai: the weight of ${spec.url} must be a positive number, got ${weight}`,
        );
      }
      const client = new OpenAICompletionsClient({
        endpoint: spec.url,
        requestTimeoutMs: options.requestTimeoutMs,
        apiKey: options.apiKey,
        // One socket per request it may have, and one for its probe.
        maxSockets: maxConcurrency + 1,
        dialect: options.dialect,
      });
      this.#clients.push(client);
      if (seen.has(client.baseUrl)) {
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          `openai: endpoint ${client.baseUrl} is listed twice; list each server once`,
        );
      }
      seen.add(client.baseUrl);
      const endpoint = new Endpoint(index, client, maxConcurrency, weight);
      this.#running.set(endpoint, new Set());
      return endpoint;
    });
    this.#probePrompt = options.probePrompt ?? Int32Array.of(LLAMA31_SPECIAL_TOKENS.bos);
    const probeMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#pool = new EndpointPool(endpoints, {
      model: options.model,
      probe: {
        minDelayMs: options.probeMinDelayMs ?? DEFAULT_PROBE_MIN_DELAY_MS,
        maxDelayMs: options.probeMaxDelayMs ?? DEFAULT_PROBE_MAX_DELAY_MS,
        timeoutMs: Math.min(probeMs, requestMs),
        timeoutFlag: probeMs <= requestMs ? '--probe-timeout' : '--request-timeout',
      },
      onUp: () => this.#endpointUp(),
      onEvent: options.onEvent,
    });
    this.#onEvent = options.onEvent;
    this.#retryTimeoutMs = options.retryTimeoutMs ?? DEFAULT_RETRY_TIMEOUT_MS;
    // Every endpoint twice: the second round covers nodes that died and came back; a request
    // failing more often than that is more likely failing itself.
    this.#maxAttempts = options.maxAttempts ?? Math.max(3, 2 * endpoints.length);
    this.maxConcurrency = endpoints.reduce((sum, endpoint) => sum + endpoint.maxConcurrency, 0);
    this.name = `openai(${endpoints.map((endpoint) => endpoint.url).join(', ')})`;
  }

  /** The model every request asks for (once started). */
  get model(): string {
    return this.#pool.model;
  }

  /**
   * Start-up, step 1: asks every endpoint which models it serves (`GET /v1/models`, or a
   * one-token completion where that route is missing). Rejects with ERR_ENDPOINT_MODEL when one
   * answers without serving the model, and when none answers. Needs no prompt, so a command can
   * call it before it loads its dataset; {@link start} calls it when it was not called.
   */
  async checkModels(): Promise<void> {
    await this.#pool.checkModels();
    this.#modelsChecked = true;
  }

  /**
   * Start-up, step 2: every endpoint that serves the model streams a one-token completion of
   * `prompt` (default the `probePrompt` option); rejects when none does.
   * {@link createOpenAIDispatcher} calls both steps.
   */
  async start(prompt: Int32Array = this.#probePrompt): Promise<void> {
    if (!this.#modelsChecked) await this.checkModels();
    await this.#pool.start(prompt);
  }

  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    if (requests.length === 0) return;
    const dispatched: DispatchedRequest[] = [];
    const batch = new Batch(dispatched, signal, () => {
      for (const request of dispatched) this.#abort(request, signal!.reason);
    });
    for (const request of requests) dispatched.push(new DispatchedRequest(request, batch));
    const refusal = this.#closed
      ? new BackendError('ERR_BACKEND_UNAVAILABLE', `${this.name} is closed; create a new backend to generate again`)
      : this.#gaveUp;
    if (refusal !== undefined || signal?.aborted) {
      // Events never come from inside generate().
      queueMicrotask(() => {
        for (const request of dispatched) {
          this.#open.add(request);
          if (refusal === undefined) this.#abort(request, signal!.reason);
          else this.#end(request, refusal);
        }
      });
      return;
    }
    signal?.addEventListener('abort', batch.onAbort, { once: true });
    for (const request of dispatched) this.#open.add(request);
    this.#waiting.push(...dispatched);
    this.#dispatch();
  }

  /** Every endpoint's counters. */
  endpointStats(): EndpointStats[] {
    return this.#pool.endpoints.map((endpoint) => endpoint.stats());
  }

  /** Ends every open request with an error, stops probing and drops the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new BackendError('ERR_BACKEND_UNAVAILABLE', `${this.name} was closed`);
    for (const request of [...this.#open]) this.#end(request, closed);
    clearTimeout(this.#allDownTimer);
    this.#pool.close();
    for (const client of this.#clients) client.close();
  }

  /** Sends waiting requests to endpoints with room. */
  #dispatch(): void {
    if (this.#waiting.length === 0 || this.#closed) return;
    if (!this.#pool.anyUp) {
      this.#armAllDownTimer();
      return;
    }
    const still: DispatchedRequest[] = [];
    let full = false;
    for (const request of this.#waiting) {
      if (request.done) continue;
      if (full) {
        still.push(request);
        continue;
      }
      const avoid = request.failedOn.size > 0 && !this.#pool.allUpIn(request.failedOn) ? request.failedOn : undefined;
      const endpoint = this.#pool.choose(avoid);
      if (endpoint !== undefined) this.#start(request, endpoint);
      else {
        still.push(request);
        // Nothing has room even for a request that avoids nothing: the rest wait too.
        full = avoid === undefined || !this.#pool.hasRoom();
      }
    }
    this.#waiting = still;
  }

  #start(request: DispatchedRequest, endpoint: Endpoint): void {
    const attempt = new Attempt(request, endpoint);
    request.attempt = attempt;
    request.attempts++;
    endpoint.outstanding++;
    endpoint.requests++;
    this.#running.get(endpoint)!.add(attempt);
    const { prompt, maxNewTokens } = request.request;
    endpoint.client
      .streamCompletion({
        prompt,
        maxTokens: Math.max(1, maxNewTokens),
        model: this.#pool.model,
        signal: attempt.controller.signal,
        onTokens: (tokens) => this.#tokens(attempt, tokens),
      })
      .then(
        (result) => this.#completed(attempt, result),
        (error: unknown) => this.#failed(attempt, error),
      );
  }

  /** Passes on the tokens of a live attempt that were not passed on before. */
  #tokens(attempt: Attempt, tokens: Int32Array): void {
    const request = attempt.request;
    if (attempt.withdrawn || request.done) return;
    const from = attempt.received;
    attempt.received += tokens.length;
    if (request.diverged) return;
    const streamed = request.streamed;
    // A re-issue regenerates from scratch: what an earlier attempt passed on must come again.
    const overlap = Math.max(0, Math.min(streamed.length, attempt.received) - from);
    for (let i = 0; i < overlap; i++) {
      if (tokens[i] !== streamed.at(from + i)) {
        request.diverged = true;
        return;
      }
    }
    if (attempt.received > streamed.length) {
      // Without an earlier attempt (the usual case) the whole chunk is new.
      const fresh = from === streamed.length ? tokens : tokens.subarray(streamed.length - from);
      streamed.push(fresh);
      request.request.events.onTokens(fresh);
    }
  }

  #completed(attempt: Attempt, result: StreamedCompletion): void {
    if (attempt.withdrawn) return;
    this.#release(attempt);
    const { endpoint, request } = attempt;
    endpoint.completed++;
    endpoint.tokens += result.tokens.length;
    this.#pool.noteSuccess(endpoint);
    this.#finish(request);
    request.request.events.onComplete(result.tokens, result.finishReason);
    this.#dispatch();
  }

  #failed(attempt: Attempt, error: unknown): void {
    if (attempt.withdrawn) return;
    this.#release(attempt);
    const { endpoint, request } = attempt;
    endpoint.errors++;
    if (!hasCode(error, 'ERR_BACKEND_UNAVAILABLE') && !hasCode(error, 'ERR_BACKEND_FAILED')) {
      // The server refused this request (HTTP 4xx; another server would too), or the caller's
      // own event handler threw: not the endpoint's failure.
      this.#end(request, error);
      this.#dispatch();
      return;
    }
    request.failedOn.add(endpoint);
    const failure = `${endpoint.url}: ${messageOf(error).replace(/^openai: /, '')}`;
    request.failures.push(failure);
    let reissued = 0;
    if (this.#pool.markDown(endpoint, error)) {
      // Everything else on it is taken back now rather than waiting for each to fail by itself.
      for (const other of [...this.#running.get(endpoint)!]) {
        other.withdrawn = true;
        other.controller.abort(new Error(`${endpoint.url} went down`));
        this.#release(other);
        endpoint.errors++;
        // Its endpoint's failure is its own: the error it may end with says what that was.
        other.request.failures.push(failure);
        if (this.#reissue(other.request, endpoint)) reissued++;
      }
      if (this.#reissue(request, endpoint)) reissued++;
      this.#emitDown(endpoint, error, reissued);
    } else {
      this.#reissue(request, endpoint);
    }
    if (!this.#pool.anyUp) this.#armAllDownTimer();
    this.#dispatch();
  }

  #emitDown(endpoint: Endpoint, error: unknown, reissued: number): void {
    this.#onEvent?.({ type: 'down', url: endpoint.url, reason: messageOf(error), reissued });
  }

  /** Queues a request to go again (first in line); false when it has used up its attempts. */
  #reissue(request: DispatchedRequest, from: Endpoint): boolean {
    if (request.done) return false;
    if (request.attempts >= this.#maxAttempts) {
      this.#end(
        request,
        new BackendError(
          'ERR_BACKEND_FAILED',
          `openai: a request (sample ${request.request.sampleIndex}) failed ${request.attempts} times, on every endpoint: ${tally(request.failures)}`,
        ),
      );
      return false;
    }
    from.reissued++;
    if (request.streamed.length > 0) from.reissuedAfterFirstToken++;
    this.#waiting.unshift(request);
    return true;
  }

  /** An endpoint answered the probe again: the wait for one is over. */
  #endpointUp(): void {
    clearTimeout(this.#allDownTimer);
    this.#allDownTimer = undefined;
    this.#gaveUp = undefined;
    this.#dispatch();
  }

  #armAllDownTimer(): void {
    if (this.#allDownTimer !== undefined || this.#gaveUp !== undefined || this.#closed) return;
    // Kept referenced: while everything is down it is what keeps the waiting requests' run alive.
    this.#allDownTimer = setTimeout(() => {
      this.#allDownTimer = undefined;
      if (this.#pool.anyUp) return;
      this.#gaveUp = new BackendError(
        'ERR_BACKEND_UNAVAILABLE',
        `openai: every endpoint is down and none came back within ${this.#retryTimeoutMs} ms: ${this.#pool.lastErrors()}` +
          ' (raise --endpoint-retry-timeout to wait longer)',
      );
      for (const request of this.#waiting) this.#end(request, this.#gaveUp);
      this.#waiting = [];
    }, this.#retryTimeoutMs);
  }

  /** Frees an attempt's slot on its endpoint. */
  #release(attempt: Attempt): void {
    attempt.endpoint.outstanding--;
    this.#running.get(attempt.endpoint)!.delete(attempt);
    if (attempt.request.attempt === attempt) attempt.request.attempt = undefined;
  }

  /** Marks a request ended (its one event follows). */
  #finish(request: DispatchedRequest): void {
    request.done = true;
    this.#open.delete(request);
    const batch = request.batch;
    if (--batch.open === 0) batch.signal?.removeEventListener('abort', batch.onAbort);
  }

  /** Ends a request with an error, taking back its live attempt. */
  #end(request: DispatchedRequest, error: unknown): void {
    if (request.done) return;
    const attempt = request.attempt;
    if (attempt !== undefined) {
      attempt.withdrawn = true;
      attempt.controller.abort(error);
      this.#release(attempt);
    }
    this.#finish(request);
    request.request.events.onError(error);
  }

  #abort(request: DispatchedRequest, reason: unknown): void {
    this.#end(request, abortError('generation', reason));
  }
}

/**
 * Creates an {@link OpenAIDispatcher} and probes its endpoints: resolves once at least one is
 * healthy (the others are reported through `onEvent` and join when they answer); rejects with
 * ERR_ENDPOINT_MODEL when an endpoint does not serve the model, and with ERR_BACKEND_UNAVAILABLE
 * naming each endpoint's failure when none answers.
 */
export async function createOpenAIDispatcher(options: OpenAIDispatcherOptions): Promise<OpenAIDispatcher> {
  const dispatcher = new OpenAIDispatcher(options);
  try {
    await dispatcher.start();
  } catch (error) {
    await dispatcher.close();
    throw error;
  }
  return dispatcher;
}

/** Distinct lines in first-seen order, each repeated one with its count: "a (3 times); b". */
function tally(lines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n === 1 ? line : `${line} (${n} times)`)).join('; ');
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new BackendError('ERR_BACKEND_REQUEST', `openai: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}
