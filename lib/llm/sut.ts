/**
 * The LLM system under test: turns the samples LoadGen issues into generation requests on a
 * backend and reports tokens back to LoadGen.
 *
 * Scheduling is one mechanism for every scenario: issued samples wait in a FIFO queue and are
 * admitted while fewer than `maxInFlight` are generating; completions make room for the next. In
 * Offline the one big query fills the backend's batch and keeps it full; in Server queries join
 * as they arrive (IssueQuery returns at once); in SingleStream there is only ever one sample.
 * Backends batch whatever is in flight (continuous batching where they can).
 *
 * Every sample is completed exactly once, with its generated token ids as int32 bytes and
 * `n_tokens`; with token latencies outside Offline its first token is reported first. Reports
 * made during one turn of the event loop go to LoadGen in one batched call, and the samples
 * admitted in their place go to the backend in one call.
 *
 * @packageDocumentation
 */
import type { Backend, GenerationListener, GenerationRequest } from '../backends/backend.js';
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

/** A sample issued and not completed yet. */
interface IssuedSample {
  readonly query: PendingQuery;
  firstTokenReported: boolean;
}

/**
 * The (id, tokens) reports of one event-loop turn, packed as LoadGen's batched calls take them.
 * Tokens are copied in as they arrive (backends may reuse their arrays). The buffers serve turn
 * after turn: LoadGen copies what it keeps before its call returns.
 */
class ReportBatch {
  #ids = new Float64Array(64);
  #counts = new Int32Array(64);
  #offsets = new Uint32Array(65);
  #data = new Int32Array(1024);
  #size = 0;
  /** Int32s of #data in use. */
  #used = 0;

  get size(): number {
    return this.#size;
  }

  add(id: number, tokens: Int32Array): void {
    const index = this.#size;
    if (index === this.#ids.length) {
      this.#ids = grown(this.#ids, index * 2);
      this.#counts = grown(this.#counts, index * 2);
      this.#offsets = grown(this.#offsets, index * 2 + 1);
    }
    if (this.#used + tokens.length > this.#data.length)
      this.#data = grown(this.#data, Math.max(this.#data.length * 2, this.#used + tokens.length));
    this.#ids[index] = id;
    this.#counts[index] = tokens.length;
    this.#offsets[index] = this.#used * 4;
    this.#data.set(tokens, this.#used);
    this.#used += tokens.length;
    this.#size = index + 1;
  }

  /** Empties the batch; the views it returns stay valid until the next add. */
  take(): { ids: Float64Array; data: Int32Array; offsets: Uint32Array; counts: Int32Array } {
    const size = this.#size;
    this.#offsets[size] = this.#used * 4;
    const taken = {
      ids: this.#ids.subarray(0, size),
      data: this.#data.subarray(0, this.#used),
      offsets: this.#offsets.subarray(0, size + 1),
      counts: this.#counts.subarray(0, size),
    };
    this.#size = 0;
    this.#used = 0;
    return taken;
  }
}

function grown<T extends Float64Array | Int32Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array as ArrayLike<number>);
  return next;
}

/** The SUT LoadGen drives in the LLM benchmark. */
export class LlmSut implements SystemUnderTest {
  readonly name: string;
  readonly #options: LlmSutOptions;
  readonly #maxInFlight: number;
  readonly #queue: GenerationRequest[] = [];
  #queueHead = 0;
  /** By response id. */
  readonly #issued = new Map<number, IssuedSample>();
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
      onComplete: (key, tokens) => this.#onComplete(key, tokens),
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
        this.#issued.set(key, { query, firstTokenReported: false });
        this.#queue.push({ key, prompt: qsl.prompt(sampleIndex), maxNewTokens, sampleIndex });
      }
      this.#progress.issued += ids.length;
      this.#admit();
    });
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
    this.#options.backend
      .generate(batch, this.#listener, this.#options.signal)
      .then(undefined, (error: unknown) => this.#fail(batch, error));
  }

  #onTokens(key: number, tokens: Int32Array): void {
    if (!this.#options.reportFirstToken || tokens.length === 0) return;
    const sample = this.#issued.get(key);
    if (sample !== undefined && !sample.firstTokenReported) this.#reportFirstToken(key, sample, tokens);
  }

  #onComplete(key: number, tokens: Int32Array): void {
    const sample = this.#issued.get(key);
    this.#issued.delete(key);
    // LoadGen wants the first token before the completion, also from a backend that streams nothing.
    if (this.#options.reportFirstToken && sample !== undefined && !sample.firstTokenReported && tokens.length > 0) {
      this.#reportFirstToken(key, sample, tokens.subarray(0, 1));
    }
    this.#completions.add(key, tokens);
    this.#progress.inFlight--;
    this.#progress.completed++;
    this.#progress.generatedTokens += tokens.length;
    this.#scheduleFlush();
    if (sample !== undefined && --sample.query.remaining === 0) sample.query.resolve();
  }

  #reportFirstToken(key: number, sample: IssuedSample, tokens: Int32Array): void {
    sample.firstTokenReported = true;
    this.#firstTokens.add(key, tokens);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Reports everything collected this turn (first tokens before completions), then fills the room completions made. */
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
    this.#admit();
  }

  /** A backend failure fails every query it touched, which ends the LoadGen run with the error as cause. */
  #fail(batch: readonly GenerationRequest[], error: unknown): void {
    for (const request of batch) {
      const sample = this.#issued.get(request.key);
      this.#issued.delete(request.key);
      sample?.query.reject(error);
    }
  }
}
