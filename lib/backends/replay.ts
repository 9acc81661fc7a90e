/**
 * The replay backend: answers each sample with the dataset's reference summary, tokenized. It
 * checks the harness end to end — scheduling, LoadGen, accuracy evaluation — without a model:
 * its accuracy run must score exactly what MLPerf's evaluation gives for the reference texts.
 *
 * @packageDocumentation
 */
import type { Backend, GenerationRequest } from './backend.js';
import { BackendError, abortError } from '../errors.js';

/** Options of {@link ReplayBackend}. */
export interface ReplayOptions {
  /** Token ids of each sample's answer, by dataset index. */
  answers: readonly Int32Array[];
  /** How many requests it "works on" at once (it answers instantly). Default 1024. */
  maxConcurrency?: number;
}

/** Answers every request with the prepared tokens of its sample, at once. */
export class ReplayBackend implements Backend {
  readonly name = 'replay';
  readonly maxConcurrency: number;
  readonly #answers: readonly Int32Array[];

  constructor(options: ReplayOptions) {
    this.#answers = options.answers;
    this.maxConcurrency = options.maxConcurrency ?? 1024;
  }

  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    // Answers arrive asynchronously, as from a real backend.
    queueMicrotask(() => {
      for (const request of requests) {
        if (signal?.aborted) {
          request.events.onError(abortError('generation', signal.reason));
          continue;
        }
        const answer = this.#answers[request.sampleIndex];
        if (answer === undefined) {
          request.events.onError(this.#unknownSample(request));
          continue;
        }
        const tokens = answer.subarray(0, Math.max(1, request.maxNewTokens));
        request.events.onTokens(tokens.subarray(0, 1));
        if (tokens.length > 1) request.events.onTokens(tokens.subarray(1));
        request.events.onComplete(tokens.slice(), tokens.length < answer.length ? 'length' : 'stop');
      }
    });
  }

  async close(): Promise<void> {}

  #unknownSample(request: GenerationRequest): BackendError {
    return new BackendError(
      'ERR_BACKEND_REQUEST',
      `replay: no reference answer for sample ${request.sampleIndex} (the dataset has ${this.#answers.length}); replay needs requests that name a dataset sample`,
    );
  }
}
