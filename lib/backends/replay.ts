/**
 * The replay backend: answers each sample with the dataset's reference summary, tokenized. It
 * checks the harness end to end — scheduling, LoadGen, accuracy evaluation — without a model:
 * its accuracy run must score exactly what MLPerf's evaluation gives for the reference texts.
 *
 * @packageDocumentation
 */
import type { Backend, GenerationListener, GenerationRequest } from './backend.js';
import { abortErrorFrom, type BackendError, backendError } from './errors.js';

/** Options of {@link ReplayBackend}. */
export interface ReplayOptions {
  /** Token ids of each sample's answer, by dataset index. */
  answers: readonly Int32Array[];
  /** How many requests it "works on" at once (it answers instantly). Default 1024. */
  maxBatchSize?: number;
}

/** Answers every request with the prepared tokens of its sample, at once. */
export class ReplayBackend implements Backend {
  readonly name = 'replay';
  readonly maxBatchSize: number;
  readonly #answers: readonly Int32Array[];

  constructor(options: ReplayOptions) {
    this.#answers = options.answers;
    this.maxBatchSize = options.maxBatchSize ?? 1024;
  }

  async generate(
    requests: readonly GenerationRequest[],
    listener: GenerationListener,
    signal?: AbortSignal,
  ): Promise<void> {
    // Answers arrive asynchronously, as from a real backend.
    await Promise.resolve();
    if (signal?.aborted) throw abortErrorFrom(signal);
    for (const request of requests) {
      const answer = this.#answers[request.sampleIndex];
      if (answer === undefined) throw this.#unknownSample(request);
      const tokens = answer.subarray(0, Math.max(1, request.maxNewTokens));
      listener.onTokens(request.key, tokens.subarray(0, 1));
      if (tokens.length > 1) listener.onTokens(request.key, tokens.subarray(1));
      listener.onComplete(request.key, tokens, tokens.length < answer.length ? 'length' : 'stop');
    }
  }

  async close(): Promise<void> {}

  #unknownSample(request: GenerationRequest): BackendError {
    return backendError(
      'ERR_BACKEND_REQUEST',
      `replay: no reference answer for sample ${request.sampleIndex} (the dataset has ${this.#answers.length}); replay needs requests that name a dataset sample`,
    );
  }
}
