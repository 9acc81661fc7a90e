/**
 * The one interface every generation backend implements (onnxruntime, the native GPU engine,
 * OpenAI-compatible HTTP, replay): token-id prompts in, per-request token events out. The LLM
 * SUT hands requests to a backend; the `serve` command exposes a backend over HTTP.
 *
 * Events flow one way: each request carries the sink its events go to, so a backend never
 * looks a request up by key and a caller never looks its own state up by key either. A failure
 * is an event too (`onError`), not a rejected promise somebody has to read.
 *
 * @packageDocumentation
 */

/** Why a request stopped: an end-of-sequence token, or `maxNewTokens` reached. */
export type FinishReason = 'stop' | 'length';

/**
 * Receives one request's events. Backends call it on the JS thread, in order: zero or more
 * `onTokens`, then exactly one of `onComplete` or `onError`, then nothing more.
 */
export interface GenerationEvents {
  /**
   * New tokens, in order; the first call carries the first token. The array belongs to the
   * backend and may be reused after the call returns: copy what you keep.
   */
  onTokens(tokens: Int32Array): void;
  /**
   * The request finished. `tokens` holds everything it generated (the end-of-sequence token
   * included when generation stopped on one); it is the caller's to keep.
   */
  onComplete(tokens: Int32Array, reason: FinishReason): void;
  /** Generation of this request failed (an AbortError when the signal fired); nothing follows. */
  onError(error: unknown): void;
}

/** One prompt to generate from, with the sink of its events. */
export interface GenerationRequest {
  /** Prompt token ids, exactly as the model should see them (MLPerf's `tok_input` starts with BOS). */
  readonly prompt: Int32Array;
  /** Upper bound on generated tokens (MLPerf: 128). Generation also stops at an end-of-sequence token. */
  readonly maxNewTokens: number;
  /** The sample's index in the dataset, for backends that answer by sample (replay); -1 when unknown. */
  readonly sampleIndex: number;
  /** Where this request's events go. */
  readonly events: GenerationEvents;
}

/** A generation backend. Decoding is greedy (MLPerf closed division). */
export interface Backend {
  /** A short name for logs and results, e.g. "onnxruntime(cpu)". */
  readonly name: string;
  /**
   * The most requests the backend works on at once. Callers (the SUT, `serve`) keep at most this
   * many in flight; it is the default of their own `maxConcurrency`.
   */
  readonly maxConcurrency: number;
  /**
   * Starts generating for every request and returns at once. Calls may overlap: the backend
   * merges them into its running batch (continuous batching) or queues them. Every request ends
   * with exactly one `onComplete` or `onError`; when `signal` fires, the requests still open end
   * with `onError(AbortError)`.
   */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void;
  /** Releases the backend's resources (sessions, sockets); requests still open end with `onError`. */
  close(): Promise<void>;
  /**
   * Per-server statistics, from backends that spread requests over several servers (the
   * OpenAI dispatcher); the harness stores them in result.json.
   */
  endpointStats?(): EndpointStats[];
  /**
   * Where the backend's device time went (prefills, decode steps by batch size), from backends
   * that measure it (the native engine); the harness stores it in result.json.
   */
  generationTime?(): GenerationTime;
  /**
   * What the backend settled on when it was made (the native engine: slots, maxLength, memory),
   * from backends that size themselves; the CLI prints the summary before the run and the harness
   * stores it in result.json.
   */
  setup?(): BackendSetup;
}

/** A backend's set-up: one line for people, and the same as fields. */
export interface BackendSetup {
  summary: string;
  details: Readonly<Record<string, unknown>>;
}

/** Time spent in model runs, measured by the backend around the runs themselves. */
export interface GenerationTime {
  /** Prompt prefills: how many, their prompt tokens, their milliseconds. */
  prefill: { runs: number; tokens: number; ms: number };
  /** Decode steps grouped by how many requests they advanced (`rows`). */
  decode: { rows: number; runs: number; ms: number }[];
}

/** What happened on one server of a backend that spreads requests over several. */
export interface EndpointStats {
  /** The server's base URL. */
  readonly url: string;
  /** The most requests it got at once, and its weight among equally busy servers. */
  readonly maxConcurrency: number;
  readonly weight: number;
  /** 'up' when it takes requests now, 'down' while it is out (probed again with backoff). */
  readonly state: 'up' | 'down';
  /** Whether it answered the health probe when the backend started. */
  readonly healthyAtStart: boolean;
  /** Requests sent to it (re-issues included). */
  readonly requests: number;
  /** Requests it completed. */
  readonly completed: number;
  /** Tokens generated by the requests it completed. */
  readonly tokens: number;
  /** Requests that failed on it, or were taken back from it when it went down. */
  readonly errors: number;
  /** Of those, the ones sent again to another server (the rest ended with an error). */
  readonly reissued: number;
  /** Re-issued requests whose first token had been reported already (it keeps that time). */
  readonly reissuedAfterFirstToken: number;
  /** Times it went down, and its total time out of service in seconds (out at the start included). */
  readonly outages: number;
  readonly downSeconds: number;
  /** Its latest failure (a request's or the health probe's), if it ever failed. */
  readonly lastError?: string;
}
