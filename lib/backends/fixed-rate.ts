/**
 * The fixed-rate backend: synthetic, no model. It stands in for an inference server in
 * benchmarks of what sits around one (the dispatcher, `serve`, the SUT) on a machine without
 * GPUs: every stream gets one token per step and a step takes 1/`tokensPerSecond` seconds,
 * however many streams run, as on a server whose decode step does not slow down with the batch.
 * It computes nothing, so its time is known exactly and its CPU cost is negligible.
 *
 * Every request generates exactly `maxNewTokens` tokens (finish reason 'length'), and its token
 * ids are a function of the prompt alone: every server answers one prompt the same, so runs
 * through different servers can be compared token for token. The ids are ordinary vocabulary
 * entries (never special tokens), so the text decodes, as nonsense.
 *
 * @packageDocumentation
 */
import type { Backend, GenerationRequest } from './backend.js';
import { BackendError, abortError } from '../errors.js';

/** Options of {@link FixedRateBackend}. */
export interface FixedRateOptions {
  /** Tokens per second of each stream. */
  tokensPerSecond: number;
  /** How many streams it runs at once (callers keep at most this many). Default 256. */
  maxConcurrency?: number;
}

// Ids drawn from [FIRST_ID, FIRST_ID + ID_RANGE): ordinary Llama 3.1 tokens, clear of the 256
// special ids from 128000 up.
const FIRST_ID = 1_000;
const ID_RANGE = 100_000;

/** One running request. */
interface Stream {
  readonly request: GenerationRequest;
  readonly tokens: Int32Array;
  readonly seed: number;
  made: number;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** A synthetic backend that emits tokens at a fixed rate per stream; see the module's description. */
export class FixedRateBackend implements Backend {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly tokensPerSecond: number;
  readonly #stepMs: number;
  readonly #streams = new Set<Stream>();
  #timer: NodeJS.Timeout | undefined;
  #nextStepAt = 0;
  /** Inside a step, whose end schedules the next one. */
  #stepping = false;
  #closed = false;

  constructor(options: FixedRateOptions) {
    const rate = options.tokensPerSecond;
    if (!(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `fixed-rate: tokensPerSecond must be a positive number (e.g. --tokens-per-second 50), got ${String(rate)}`,
      );
    }
    this.maxConcurrency = options.maxConcurrency ?? 256;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `fixed-rate: maxConcurrency must be a positive integer, got ${options.maxConcurrency}`,
      );
    }
    this.tokensPerSecond = rate;
    this.#stepMs = 1000 / rate;
    this.name = `fixed-rate(${rate} tokens/s per stream, synthetic)`;
  }

  /** The tokens it generates for `prompt` (the first `maxNewTokens` of them). */
  static tokensFor(prompt: Int32Array, maxNewTokens: number): Int32Array {
    const seed = hashTokens(prompt);
    return Int32Array.from({ length: Math.max(1, maxNewTokens) }, (_, i) => tokenAt(seed, i));
  }

  /** Streams on it now. */
  get running(): number {
    return this.#streams.size;
  }

  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    for (const request of requests) {
      if (this.#closed || signal?.aborted) {
        const error = this.#closed
          ? new BackendError('ERR_BACKEND_UNAVAILABLE', `${this.name} is closed`)
          : abortError('generation', signal!.reason);
        queueMicrotask(() => request.events.onError(error));
        continue;
      }
      const stream: Stream = {
        request,
        tokens: new Int32Array(Math.max(1, request.maxNewTokens)),
        seed: hashTokens(request.prompt),
        made: 0,
        signal,
        onAbort: () => this.#end(stream, abortError('generation', signal!.reason)),
      };
      signal?.addEventListener('abort', stream.onAbort, { once: true });
      this.#streams.add(stream);
    }
    // Streams join at the next step, as in continuous batching.
    if (this.#timer === undefined && !this.#stepping && this.#streams.size > 0) {
      this.#nextStepAt = performance.now() + this.#stepMs;
      this.#timer = setTimeout(() => this.#step(), this.#stepMs);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const stream of [...this.#streams]) {
      this.#end(stream, new BackendError('ERR_BACKEND_UNAVAILABLE', `${this.name} was closed`));
    }
  }

  /** One decode step: a token for every stream; the streams that reach their limit complete. */
  #step(): void {
    this.#timer = undefined;
    this.#stepping = true;
    try {
      for (const stream of [...this.#streams]) {
        if (!this.#streams.has(stream)) continue; // ended by an earlier stream's events
        const index = stream.made++;
        stream.tokens[index] = tokenAt(stream.seed, index);
        stream.request.events.onTokens(stream.tokens.subarray(index, index + 1));
        if (stream.made === stream.tokens.length && this.#streams.has(stream)) {
          this.#remove(stream);
          stream.request.events.onComplete(stream.tokens, 'length');
        }
      }
    } finally {
      this.#stepping = false;
    }
    if (this.#streams.size === 0) return;
    // Steps keep to the schedule: a late timer makes the next one shorter, not the rate lower.
    this.#nextStepAt += this.#stepMs;
    this.#timer = setTimeout(() => this.#step(), Math.max(0, this.#nextStepAt - performance.now()));
  }

  #end(stream: Stream, error: unknown): void {
    if (!this.#streams.has(stream)) return;
    this.#remove(stream);
    stream.request.events.onError(error);
  }

  #remove(stream: Stream): void {
    this.#streams.delete(stream);
    stream.signal?.removeEventListener('abort', stream.onAbort);
    if (this.#streams.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

// FNV-1a over the prompt's ids.
function hashTokens(tokens: Int32Array): number {
  let hash = 0x811c9dc5 ^ tokens.length;
  for (let i = 0; i < tokens.length; i++) hash = Math.imul(hash ^ tokens[i]!, 0x01000193);
  return hash >>> 0;
}

// Token `index` of the answer to the prompt whose hash is `seed`: murmur3's finalizer, which
// spreads consecutive inputs over the whole range.
function tokenAt(seed: number, index: number): number {
  let h = (seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return FIRST_ID + (h % ID_RANGE);
}
