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
}
