/**
 * The one interface every generation backend implements (onnxruntime, OpenAI-compatible HTTP,
 * replay): token-id prompts in, per-request token events out. The LLM SUT schedules requests
 * onto a backend; the `serve` command exposes a backend over HTTP.
 *
 * @packageDocumentation
 */

/** One prompt to generate from. */
export interface GenerationRequest {
  /** The caller's key for this request, echoed in every event (unique among requests in flight). */
  readonly key: number;
  /** Prompt token ids, exactly as the model should see them (MLPerf's `tok_input` starts with BOS). */
  readonly prompt: Int32Array;
  /** Upper bound on generated tokens (MLPerf: 128). Generation also stops at an end-of-sequence token. */
  readonly maxNewTokens: number;
  /** The sample's index in the dataset, for backends that answer by sample (replay); -1 when unknown. */
  readonly sampleIndex: number;
}

/** Why a request stopped: an end-of-sequence token, or `maxNewTokens` reached. */
export type FinishReason = 'stop' | 'length';

/** Receives generated tokens. Backends call it on the JS thread, in order per request. */
export interface GenerationListener {
  /** New tokens of a request, in order; the first call carries its first token(s). */
  onTokens(key: number, tokens: Int32Array): void;
  /**
   * The request finished. `tokens` holds everything it generated (the end-of-sequence token
   * included when generation stopped on one). Called exactly once per request, after its last
   * onTokens.
   */
  onComplete(key: number, tokens: Int32Array, reason: FinishReason): void;
}

/** A generation backend. Decoding is greedy (MLPerf closed division). */
export interface Backend {
  /** A short name for logs and results, e.g. "onnxruntime(cpu)". */
  readonly name: string;
  /** The most requests the backend works on at once; the SUT never hands it more concurrently. */
  readonly maxBatchSize: number;
  /**
   * Generates for every request. Calls may overlap: a backend either merges concurrent calls into
   * its running batch (continuous batching) or queues them. Resolves when every request of this
   * call has completed; rejects (after reporting nothing more for the failed requests) if
   * generation fails, or with an AbortError when `signal` fires.
   */
  generate(requests: readonly GenerationRequest[], listener: GenerationListener, signal?: AbortSignal): Promise<void>;
  /** Releases the backend's resources (sessions, sockets). */
  close(): Promise<void>;
}
