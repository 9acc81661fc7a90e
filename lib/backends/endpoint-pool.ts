/**
 * The servers a dispatcher spreads requests over, with their health: each endpoint is up (it
 * takes requests) or down (it failed a request or the start-up probe, and is probed again with
 * exponential backoff until it answers). The pool picks the endpoint for a request: the one
 * with the fewest outstanding requests for its weight, among those up and under their own
 * concurrency limit, round-robin among equals. It queues nothing; requests and their re-issue
 * are the dispatcher's.
 *
 * @packageDocumentation
 */
import type { EndpointStats } from './backend.js';
import type { OpenAICompletionsClient, TimeoutLabel } from './openai-client.js';
import {
  checkCompletion,
  checkModelByCompletion,
  listServedModels,
  probeEndpoint,
  wrongModel,
  type ProbeLimit,
  type ServedModels,
} from './endpoint-probe.js';
import { BackendError, CodedError, hasCode, messageOf } from '../errors.js';

/** A change of an endpoint's health, for logs. */
export interface EndpointEvent {
  /** 'out': not healthy at the start; 'down': failed during the run; 'up': answered the probe again. */
  readonly type: 'out' | 'down' | 'up';
  /** The endpoint's base URL. */
  readonly url: string;
  /** Why it is out or down. */
  readonly reason?: string;
  /** 'down': how many of its requests were sent again elsewhere. */
  readonly reissued?: number;
  /** 'up': how long it was out, in seconds. */
  readonly downSeconds?: number;
}

/** One line describing an {@link EndpointEvent}, e.g. for stderr. */
export function describeEndpointEvent(event: EndpointEvent): string {
  switch (event.type) {
    case 'out':
      return `endpoint ${event.url} is out: ${event.reason}; it joins the run when it answers the health probe`;
    case 'down':
      return `endpoint ${event.url} is down (${event.reason}); ${event.reissued ?? 0} of its requests re-issued`;
    case 'up':
      return `endpoint ${event.url} is back after ${(event.downSeconds ?? 0).toFixed(1)} s`;
  }
}

/** When an endpoint that is down is probed again. */
export interface ProbeSchedule {
  /** The first probe after a failure, in ms; each failed probe doubles the wait. */
  readonly minDelayMs: number;
  /** The longest wait between two probes, in ms. */
  readonly maxDelayMs: number;
  /** The longest a probe's exchange may stay silent, in ms. */
  readonly timeoutMs: number;
  /** The flag that sets that limit, for its timeout error (e.g. "--probe-timeout"). */
  readonly timeoutFlag: string;
}

/** One server of the pool: its client, limits, health and counters. */
export class Endpoint {
  state: 'up' | 'down' = 'down';
  /** It passed step 1 of the start-up probe: it serves the run's model. */
  servesModel = false;
  healthyAtStart = false;
  /** Requests on it now. */
  outstanding = 0;
  requests = 0;
  completed = 0;
  tokens = 0;
  errors = 0;
  reissued = 0;
  reissuedAfterFirstToken = 0;
  outages = 0;
  lastError: unknown;
  /** When its current outage began (performance.now()), while it is down. */
  downSince: number | undefined = performance.now();
  downMs = 0;
  probeDelayMs = 0;
  probeTimer: NodeJS.Timeout | undefined;
  probeAbort: AbortController | undefined;

  constructor(
    readonly index: number,
    readonly client: OpenAICompletionsClient,
    readonly maxConcurrency: number,
    readonly weight: number,
  ) {}

  /** Its base URL. */
  get url(): string {
    return this.client.baseUrl;
  }

  /** Its counters now. */
  stats(): EndpointStats {
    const current = this.downSince === undefined ? 0 : performance.now() - this.downSince;
    return {
      url: this.url,
      maxConcurrency: this.maxConcurrency,
      weight: this.weight,
      state: this.state,
      healthyAtStart: this.healthyAtStart,
      requests: this.requests,
      completed: this.completed,
      tokens: this.tokens,
      errors: this.errors,
      reissued: this.reissued,
      reissuedAfterFirstToken: this.reissuedAfterFirstToken,
      outages: this.outages,
      downSeconds: (this.downMs + current) / 1000,
      ...(this.lastError === undefined ? {} : { lastError: messageOf(this.lastError) }),
    };
  }
}

/** What the pool needs besides its endpoints. */
export interface EndpointPoolOptions {
  /** The model to require; undefined: the first one the first endpoint that answers lists. */
  readonly model: string | undefined;
  readonly probe: ProbeSchedule;
  /** Called when an endpoint that was down answers the probe again. */
  readonly onUp: (endpoint: Endpoint) => void;
  readonly onEvent?: ((event: EndpointEvent) => void) | undefined;
}

/** The endpoints, their health, and the choice of one for a request. */
export class EndpointPool {
  readonly endpoints: readonly Endpoint[];
  readonly #options: EndpointPoolOptions;
  #model: string | undefined;
  /** The endpoint whose list gave the model; undefined when it is the user's (--model). */
  #modelFrom: string | undefined;
  /** The prompt of the one-token completion of step 2 (known once {@link start} was called). */
  #probePrompt: Int32Array | undefined;
  /** Where the next round-robin scan starts, so equally busy endpoints take turns. */
  #cursor = 0;
  #up = 0;
  #closed = false;

  constructor(endpoints: readonly Endpoint[], options: EndpointPoolOptions) {
    this.endpoints = endpoints;
    this.#options = options;
    this.#model = options.model;
    for (const endpoint of endpoints) endpoint.probeDelayMs = options.probe.minDelayMs;
  }

  /** The model every request asks for (known once {@link checkModels} resolved). */
  get model(): string {
    return this.#model!;
  }

  /** Whether any endpoint is up. */
  get anyUp(): boolean {
    return this.#up > 0;
  }

  /**
   * Start-up, step 1 (see ./endpoint-probe.ts): asks every endpoint at once which models it
   * serves and settles the run's model. An endpoint that answers without serving it refuses the
   * run (ERR_ENDPOINT_MODEL, naming it and what it serves): waiting would not change that. One
   * that does not answer stays out for now, unless none answers: then the run is refused, naming
   * each endpoint's failure.
   */
  async checkModels(): Promise<void> {
    const limit = this.#limit('the start-up probe');
    const served = await Promise.allSettled(
      this.endpoints.map((endpoint) =>
        this.#withAbort(endpoint, (signal) => listServedModels(endpoint.client, { ...limit, signal })),
      ),
    );
    let from: string | undefined;
    if (this.#model === undefined) {
      const lister = served.findIndex((s) => s.status === 'fulfilled' && (s.value.listed?.length ?? 0) > 0);
      if (lister >= 0) {
        this.#model = (served[lister] as PromiseFulfilledResult<ServedModels>).value.listed![0]!;
        from = this.#modelFrom = this.endpoints[lister]!.url;
      }
    }
    const model = this.#model;
    const checks = served.map(async (outcome, i) => {
      const endpoint = this.endpoints[i]!;
      if (outcome.status === 'rejected') throw outcome.reason;
      const answer = outcome.value;
      if (answer.listed !== undefined && answer.listed.length === 0) {
        throw new BackendError(
          'ERR_BACKEND_UNAVAILABLE',
          `openai: the endpoint ${endpoint.url} lists no model at GET /v1/models; start its server with the model`,
        );
      }
      if (answer.listed !== undefined) {
        // A list that is not empty settled `model` above.
        if (!answer.listed.includes(model!)) throw wrongModel(endpoint.url, model!, answer.listed, from);
        return;
      }
      if (model === undefined) {
        // Nothing listed anywhere: only the user knows the name.
        throw new CodedError(
          'ERR_ENDPOINT_MODEL',
          `the endpoint ${endpoint.url} has no GET /v1/models (HTTP ${answer.status}) to tell which model it serves; ` +
            'pass --model with the name its server was started with',
        );
      }
      await this.#withAbort(endpoint, (signal) =>
        checkModelByCompletion(endpoint.client, model, { ...limit, signal }, from),
      );
    });
    const refusals: unknown[] = [];
    (await Promise.allSettled(checks)).forEach((outcome, i) => {
      const endpoint = this.endpoints[i]!;
      if (outcome.status === 'fulfilled') {
        endpoint.servesModel = true;
        return;
      }
      endpoint.lastError = outcome.reason;
      if (hasCode(outcome.reason, 'ERR_ENDPOINT_MODEL')) refusals.push(outcome.reason);
    });
    if (refusals.length === 1) throw refusals[0];
    if (refusals.length > 1) throw new CodedError('ERR_ENDPOINT_MODEL', refusals.map(messageOf).join('; '));
    if (!this.endpoints.some((endpoint) => endpoint.servesModel)) throw this.#noneAnswered();
  }

  /**
   * Start-up, step 2, after {@link checkModels}: every endpoint that serves the model streams a
   * one-token completion of `prompt` (a prompt of the run). Those that do are up; the others are
   * reported ('out') and probed again with backoff. Rejects, naming each endpoint's failure,
   * when none is up.
   */
  async start(prompt: Int32Array): Promise<void> {
    this.#probePrompt = prompt;
    const limit = this.#limit('the start-up probe');
    const ready = this.endpoints.filter((endpoint) => endpoint.servesModel);
    const outcomes = await Promise.allSettled(
      ready.map((endpoint) =>
        this.#withAbort(endpoint, (signal) =>
          checkCompletion(endpoint.client, this.model, prompt, { ...limit, signal }),
        ),
      ),
    );
    outcomes.forEach((outcome, i) => {
      const endpoint = ready[i]!;
      if (outcome.status === 'rejected') {
        endpoint.lastError = outcome.reason;
        return;
      }
      endpoint.healthyAtStart = true;
      this.#markUp(endpoint, false);
    });
    if (this.#up === 0) throw this.#noneAnswered();
    for (const endpoint of this.endpoints) {
      if (endpoint.state === 'up') continue;
      this.#options.onEvent?.({ type: 'out', url: endpoint.url, reason: messageOf(endpoint.lastError) });
      this.#scheduleProbe(endpoint);
    }
  }

  /** The start-up failure when no endpoint passed: one endpoint's own error, or each one's. */
  #noneAnswered(): unknown {
    if (this.endpoints.length === 1) return this.endpoints[0]!.lastError;
    return new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `openai: no endpoint answered the start-up probe: ${this.#lastErrors()}`,
    );
  }

  #limit(what: string): ProbeLimit & { timeoutLabel: TimeoutLabel } {
    return { timeoutMs: this.#options.probe.timeoutMs, timeoutLabel: { what, flag: this.#options.probe.timeoutFlag } };
  }

  /**
   * The endpoint for the next request: up, under its limit, not in `avoid`, with the fewest
   * outstanding requests for its weight. Undefined when none has room.
   */
  choose(avoid?: ReadonlySet<Endpoint>): Endpoint | undefined {
    const best = this.#best(avoid);
    if (best !== undefined) this.#cursor = (best.index + 1) % this.endpoints.length;
    return best;
  }

  /** Whether any endpoint is up and under its limit. */
  hasRoom(): boolean {
    return this.#best(undefined) !== undefined;
  }

  #best(avoid: ReadonlySet<Endpoint> | undefined): Endpoint | undefined {
    const count = this.endpoints.length;
    let best: Endpoint | undefined;
    let bestLoad = Infinity;
    for (let k = 0; k < count; k++) {
      const endpoint = this.endpoints[(this.#cursor + k) % count]!;
      if (endpoint.state !== 'up' || endpoint.outstanding >= endpoint.maxConcurrency) continue;
      if (avoid?.has(endpoint)) continue;
      const load = (endpoint.outstanding + 1) / endpoint.weight;
      if (load < bestLoad) {
        best = endpoint;
        bestLoad = load;
      }
    }
    return best;
  }

  /** Whether every endpoint that is up is in `set`. */
  allUpIn(set: ReadonlySet<Endpoint>): boolean {
    return this.endpoints.every((endpoint) => endpoint.state !== 'up' || set.has(endpoint));
  }

  /** Takes an endpoint out after a failure; false when it was down already. */
  markDown(endpoint: Endpoint, error: unknown): boolean {
    endpoint.lastError = error;
    if (endpoint.state !== 'up' || this.#closed) return false;
    endpoint.state = 'down';
    endpoint.downSince = performance.now();
    endpoint.outages++;
    this.#up--;
    this.#scheduleProbe(endpoint);
    return true;
  }

  /** An endpoint completed a request: the next outage starts again with short probe delays. */
  noteSuccess(endpoint: Endpoint): void {
    endpoint.probeDelayMs = this.#options.probe.minDelayMs;
  }

  /** Every endpoint's latest failure, `url: message; …`. */
  lastErrors(): string {
    return this.#lastErrors();
  }

  /** Stops probing; the clients stay the caller's to close. */
  close(): void {
    this.#closed = true;
    for (const endpoint of this.endpoints) {
      clearTimeout(endpoint.probeTimer);
      endpoint.probeAbort?.abort(new Error('the dispatcher was closed'));
    }
  }

  #lastErrors(): string {
    return this.endpoints
      .map((endpoint) => {
        const error = endpoint.lastError === undefined ? 'up' : messageOf(endpoint.lastError).replace(/^openai: /, '');
        return `${endpoint.url}: ${error}`;
      })
      .join('; ');
  }

  /** Runs one probe that {@link close} can abort. */
  async #withAbort<T>(endpoint: Endpoint, probe: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    endpoint.probeAbort = abort;
    try {
      return await probe(abort.signal);
    } finally {
      if (endpoint.probeAbort === abort) endpoint.probeAbort = undefined;
    }
  }

  #scheduleProbe(endpoint: Endpoint): void {
    if (this.#closed) return;
    const delay = endpoint.probeDelayMs;
    endpoint.probeDelayMs = Math.min(delay * 2, this.#options.probe.maxDelayMs);
    endpoint.probeTimer = setTimeout(() => void this.#probe(endpoint), delay);
    // A pool left open must not keep the process alive; open requests hold their own sockets.
    endpoint.probeTimer.unref();
  }

  async #probe(endpoint: Endpoint): Promise<void> {
    endpoint.probeTimer = undefined;
    try {
      const limit = this.#limit('the health probe');
      await this.#withAbort(endpoint, (signal) =>
        probeEndpoint(endpoint.client, this.model, this.#modelFrom, this.#probePrompt!, { ...limit, signal }),
      );
    } catch (error) {
      if (this.#closed) return;
      endpoint.lastError = error;
      this.#scheduleProbe(endpoint);
      return;
    }
    if (!this.#closed) this.#markUp(endpoint, true);
  }

  #markUp(endpoint: Endpoint, announce: boolean): void {
    const downMs = endpoint.downSince === undefined ? 0 : performance.now() - endpoint.downSince;
    endpoint.state = 'up';
    endpoint.downSince = undefined;
    this.#up++;
    // Healthy at the start: the probe's own time is no outage.
    if (!announce) return;
    endpoint.downMs += downMs;
    this.#options.onEvent?.({ type: 'up', url: endpoint.url, downSeconds: downMs / 1000 });
    this.#options.onUp(endpoint);
  }
}
