/**
 * The LLM system under test: turns the samples LoadGen issues into generation requests on a
 * backend and reports tokens back to LoadGen.
 *
 * Scheduling is one mechanism for every scenario: issued samples wait in a FIFO queue and are
 * admitted while fewer than `maxInFlight` are generating; each completion admits the next. In
 * Offline the one big query fills the backend's batch and keeps it full; in Server queries join
 * as they arrive (IssueQuery returns at once); in SingleStream there is only ever one sample.
 * Backends batch whatever is in flight (continuous batching where they can).
 *
 * Every sample is completed exactly once, with its generated token ids as int32 bytes and
 * `n_tokens`; with token latencies outside Offline its first token is reported first. Reports
 * made during one turn of the event loop go to LoadGen in one batched call.
 *
 * @packageDocumentation
 */
import type { Backend, FinishReason, GenerationListener, GenerationRequest } from '../backends/backend.js';
import { completeFirstTokens, completeSamples } from '../loadgen/completion.js';
import type { SystemUnderTest } from '../loadgen/run-test.js';
import type { DatasetQsl } from './qsl.js';

/** Options of {@link LlmSut}. */
export interface LlmSutOptions {
  backend: Backend;
  qsl: DatasetQsl;
  /** Generation limit per sample (MLPerf: 128). */
  maxNewTokens: number;
  /** Report first tokens (Server/SingleStream with token latencies). */
  reportFirstToken: boolean;
  /** Most samples generating at once; default the backend's maxBatchSize. */
  maxInFlight?: number;
  /** Stops generation when the run is aborted. */
  signal?: AbortSignal;
}

/** Counters for progress lines and results. */
export interface SutProgress {
  issued: number;
  completed: number;
  generatedTokens: number;
  inFlight: number;
}

interface PendingQuery {
  remaining: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** Packs (id, int32 tokens) pairs into the arrays of one batched LoadGen call. */
class ReportBatch {
  ids: number[] = [];
  tokens: Int32Array[] = [];

  add(id: number, tokens: Int32Array): void {
    this.ids.push(id);
    this.tokens.push(tokens);
  }

  take(): { ids: Float64Array; data: Int32Array; offsets: Uint32Array; counts: Int32Array } {
    const count = this.ids.length;
    const ids = Float64Array.from(this.ids);
    const counts = new Int32Array(count);
    const offsets = new Uint32Array(count + 1);
    let total = 0;
    for (let i = 0; i < count; i++) {
      counts[i] = this.tokens[i]!.length;
      total += counts[i]!;
    }
    const data = new Int32Array(total);
    let at = 0;
    for (let i = 0; i < count; i++) {
      offsets[i] = at * 4;
      data.set(this.tokens[i]!, at);
      at += counts[i]!;
    }
    offsets[count] = at * 4;
    this.ids = [];
    this.tokens = [];
    return { ids, data, offsets, counts };
  }

  get size(): number {
    return this.ids.length;
  }
}

/** The SUT LoadGen drives in the LLM benchmark. */
export class LlmSut implements SystemUnderTest {
  readonly name: string;
  readonly #options: LlmSutOptions;
  readonly #maxInFlight: number;
  readonly #queue: GenerationRequest[] = [];
  #queueHead = 0;
  readonly #queryOf = new Map<number, PendingQuery>();
  readonly #firstTokenSeen = new Set<number>();
  readonly #firstTokens = new ReportBatch();
  readonly #completions = new ReportBatch();
  #flushScheduled = false;
  readonly #progress: SutProgress = { issued: 0, completed: 0, generatedTokens: 0, inFlight: 0 };
  readonly #listener: GenerationListener;

  constructor(options: LlmSutOptions) {
    this.#options = options;
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? options.backend.maxBatchSize);
    this.name = `LlmSut(${options.backend.name})`;
    this.#listener = {
      onTokens: (key, tokens) => this.#onTokens(key, tokens),
      onComplete: (key, tokens, reason) => this.#onComplete(key, tokens, reason),
    };
  }

  /** Live counters (the same object, updated in place). */
  get progress(): Readonly<SutProgress> {
    return this.#progress;
  }

  /** Queues the samples and returns a promise settled when they are all done (or generation fails). */
  issueQuery(ids: Float64Array, indices: Uint32Array): Promise<void> {
    const { qsl, maxNewTokens } = this.#options;
    return new Promise<void>((resolve, reject) => {
      const query: PendingQuery = { remaining: ids.length, resolve, reject };
      for (let i = 0; i < ids.length; i++) {
        const key = ids[i]!;
        const sampleIndex = indices[i]!;
        this.#queryOf.set(key, query);
        this.#queue.push({ key, prompt: qsl.prompt(sampleIndex), maxNewTokens, sampleIndex });
      }
      this.#progress.issued += ids.length;
      this.#admit();
    });
  }

  flushQueries(): void {
    this.#admit();
  }

  /** Hands queued requests to the backend while there is room. */
  #admit(): void {
    const room = this.#maxInFlight - this.#progress.inFlight;
    const waiting = this.#queue.length - this.#queueHead;
    const count = Math.min(room, waiting);
    if (count <= 0) return;
    const batch = this.#queue.slice(this.#queueHead, this.#queueHead + count);
    this.#queueHead += count;
    if (this.#queueHead > 4096 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    this.#progress.inFlight += count;
    this.#options.backend.generate(batch, this.#listener, this.#options.signal).then(undefined, (error: unknown) => this.#fail(batch, error));
  }

  #onTokens(key: number, tokens: Int32Array): void {
    if (this.#firstTokenSeen.has(key) || tokens.length === 0) return;
    this.#firstTokenSeen.add(key);
    if (this.#options.reportFirstToken) {
      this.#firstTokens.add(key, tokens.slice());
      this.#scheduleFlush();
    }
  }

  #onComplete(key: number, tokens: Int32Array, _reason: FinishReason): void {
    if (!this.#firstTokenSeen.has(key) && tokens.length > 0) this.#onTokens(key, tokens.subarray(0, 1));
    this.#firstTokenSeen.delete(key);
    this.#completions.add(key, tokens.slice());
    this.#progress.inFlight--;
    this.#progress.completed++;
    this.#progress.generatedTokens += tokens.length;
    this.#scheduleFlush();
    const query = this.#queryOf.get(key);
    this.#queryOf.delete(key);
    if (query && --query.remaining === 0) query.resolve();
    this.#admit();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Reports everything collected this turn: first tokens before completions. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#firstTokens.size > 0) {
      const { ids, data, offsets } = this.#firstTokens.take();
      completeFirstTokens(ids, data, offsets);
    }
    if (this.#completions.size > 0) {
      const { ids, data, offsets, counts } = this.#completions.take();
      completeSamples(ids, data, offsets, counts);
    }
  }

  /** A backend failure fails every query it touched, which ends the LoadGen run with the error as cause. */
  #fail(batch: readonly GenerationRequest[], error: unknown): void {
    for (const request of batch) {
      const query = this.#queryOf.get(request.key);
      this.#queryOf.delete(request.key);
      query?.reject(error);
    }
  }
}
