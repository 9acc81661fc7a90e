/**
 * The LLM system under test: turns the samples LoadGen issues into generation requests on a
 * backend and reports tokens back to LoadGen.
 *
 * The SUT is the one admission point: issued samples wait in a FIFO queue and are handed to the
 * backend while fewer than `maxConcurrency` are generating; completions make room for the next.
 * In Offline the one big query fills the backend's batch and keeps it full; in Server queries
 * join as they arrive (IssueQuery returns at once); in SingleStream there is only ever one sample.
 * Backends batch whatever is in flight (continuous batching where they can) and queue nothing of
 * their own.
 *
 * Every sample is one request object that receives its own events, so no token needs a lookup.
 * Each sample is completed exactly once, with its generated token ids as int32 bytes and
 * `n_tokens`; with token latencies outside Offline its first token is reported first. Reports
 * made during one turn of the event loop go to LoadGen in one batched call, and the samples
 * admitted in their place go to the backend in one call.
 *
 * Failures flow one way: a request that fails (or a report LoadGen refuses) ends the run through
 * the control runTest handed the SUT, and runTest rejects with that error.
 *
 * @packageDocumentation
 */
import { setMaxListeners } from 'node:events';
import type { Backend, FinishReason, GenerationEvents, GenerationRequest } from '../backends/backend.js';
import { Fifo } from '../util/fifo.js';
import { BackendError } from '../errors.js';
import { completeFirstTokens, completeSamples } from '../loadgen/completion.js';
import type { SystemUnderTest, TestControl } from '../loadgen/run-test.js';
import type { DatasetQsl } from './qsl.js';
import { ReportBatch } from './report-batch.js';

/** Options of {@link LlmSut}. */
export interface LlmSutOptions {
  backend: Backend;
  qsl: DatasetQsl;
  /** Generation limit per sample (MLPerf: 128). */
  maxNewTokens: number;
  /** Report first tokens (Server/SingleStream with token latencies). */
  reportFirstToken: boolean;
  /** Most samples generating at once; default the backend's `maxConcurrency`. */
  maxConcurrency?: number | undefined;
  /** Stops generation when the run is aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Fails the run (`ERR_SAMPLE_TIMEOUT`, listing the samples) when a sample has been generating
   * this long (ms, counted from when the backend got it) without completing. 0 or undefined: no limit.
   */
  sampleTimeoutMs?: number | undefined;
}

/** Counters for progress lines and results. */
export interface SutProgress {
  /** Samples LoadGen issued; those not completed yet are outstanding (queued or generating). */
  issued: number;
  completed: number;
  generatedTokens: number;
  /** Samples on the backend now. */
  inFlight: number;
}

/**
 * One completed sample's times (performance.now() ms): issued by LoadGen, first token, completed;
 * and its token count. The HTML report draws its distributions and time series from these.
 */
export type SampleTime = [issuedAt: number, firstTokenAt: number | null, completedAt: number, tokens: number];

/** What a sample's request reports to. */
interface SampleSink {
  tokens(sample: SampleRequest, tokens: Int32Array): void;
  complete(sample: SampleRequest, tokens: Int32Array): void;
  failed(sample: SampleRequest, error: unknown): void;
}

/** One issued sample: the backend request and the sink of its own events. */
class SampleRequest implements GenerationRequest, GenerationEvents {
  readonly events: GenerationEvents = this;
  firstTokenReported = false;
  done = false;
  /** When the backend got it (performance.now()), for the sample timeout. */
  admittedAt = 0;
  /** When LoadGen issued it and when its first token came (performance.now()), for sample_times.json. */
  readonly issuedAt = performance.now();
  firstTokenAt: number | undefined;

  constructor(
    readonly sink: SampleSink,
    /** LoadGen's response id. */
    readonly id: number,
    readonly prompt: Int32Array,
    readonly maxNewTokens: number,
    readonly sampleIndex: number,
  ) {}

  onTokens(tokens: Int32Array): void {
    this.sink.tokens(this, tokens);
  }

  onComplete(tokens: Int32Array, _reason: FinishReason): void {
    this.sink.complete(this, tokens);
  }

  onError(error: unknown): void {
    this.sink.failed(this, error);
  }
}

/** The SUT LoadGen drives in the LLM benchmark. */
export class LlmSut implements SystemUnderTest {
  readonly name: string;
  readonly #options: LlmSutOptions;
  readonly #maxConcurrency: number;
  readonly #queue = new Fifo<SampleRequest>();
  readonly #firstTokens = new ReportBatch();
  readonly #completions = new ReportBatch();
  #flushScheduled = false;
  readonly #progress: SutProgress = { issued: 0, completed: 0, generatedTokens: 0, inFlight: 0 };
  readonly #sink: SampleSink;
  #control: TestControl | undefined;
  /** Aborts the requests in flight when the run fails. */
  #stop = new AbortController();
  #backendSignal: AbortSignal = this.#stop.signal;
  /** Set once the run is failing: nothing more is admitted or reported. */
  #failed = false;
  /** Samples handed to the backend, oldest first, for the sample timeout (done ones are dropped at the head). */
  readonly #admitted = new Fifo<SampleRequest>();
  #watchdog: NodeJS.Timeout | undefined;
  readonly #times: SampleTime[] = [];

  constructor(options: LlmSutOptions) {
    this.#options = options;
    this.#maxConcurrency = Math.max(1, options.maxConcurrency ?? options.backend.maxConcurrency);
    this.name = `LlmSut(${options.backend.name})`;
    this.#sink = {
      tokens: (sample, tokens) => this.#onTokens(sample, tokens),
      complete: (sample, tokens) => this.#onComplete(sample, tokens),
      failed: (sample, error) => this.#onError(sample, error),
    };
  }

  /** Live counters (the same object, updated in place). */
  get progress(): Readonly<SutProgress> {
    return this.#progress;
  }

  /** The times of every sample completed so far, in completion order. */
  get sampleTimes(): readonly SampleTime[] {
    return this.#times;
  }

  /** The most samples generating at once. */
  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  startTest(control: TestControl): void {
    this.#control = control;
    this.#failed = false;
    this.#stop = new AbortController();
    const { signal } = this.#options;
    this.#backendSignal = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
    // Every request in flight listens to it: thousands in an Offline run.
    setMaxListeners(0, this.#backendSignal);
    this.#startWatchdog();
  }

  /** Stops the sample timeout's timer; runLlmBenchmark calls it when the run has ended. */
  endTest(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#admitted.clear();
  }

  #startWatchdog(): void {
    this.endTest();
    const limit = this.#options.sampleTimeoutMs ?? 0;
    if (!(limit > 0)) return;
    // Checked a few times per limit (at most once a second): a stuck sample is found within 1.25x the limit.
    this.#watchdog = setInterval(() => this.#checkTimeouts(limit), Math.min(1000, Math.max(10, limit / 4)));
    this.#watchdog.unref();
  }

  /** Fails the run if the oldest sample still generating has exceeded the limit, naming every such sample. */
  #checkTimeouts(limit: number): void {
    this.#admitted.dropWhile((sample) => sample.done);
    const oldest = this.#admitted.peek();
    const now = performance.now();
    if (oldest === undefined || this.#failed || now - oldest.admittedAt < limit) return;
    const stuck = this.#admitted.toArray().filter((s) => !s.done && now - s.admittedAt >= limit);
    const shown = stuck.slice(0, 20).map((s) => `sample ${s.sampleIndex} (response id ${s.id})`);
    const more = stuck.length > shown.length ? ` and ${stuck.length - shown.length} more` : '';
    const outstanding = this.#progress.issued - this.#progress.completed;
    this.#fail(
      new BackendError(
        'ERR_SAMPLE_TIMEOUT',
        `${stuck.length} sample${stuck.length === 1 ? '' : 's'} did not complete within ${limit} ms on backend ` +
          `${this.#options.backend.name}: ${shown.join(', ')}${more} (${outstanding} outstanding in all). ` +
          'The backend seems stuck; if it is only slow, raise the limit with --sample-timeout <seconds> (0 turns it off).',
      ),
    );
  }

  /** Queues the samples and admits what fits; returns at once. */
  issueQuery(ids: Float64Array, indices: Uint32Array): void {
    const { qsl, maxNewTokens } = this.#options;
    for (let i = 0; i < ids.length; i++) {
      const index = indices[i]!;
      this.#queue.push(new SampleRequest(this.#sink, ids[i]!, qsl.prompt(index), maxNewTokens, index));
    }
    this.#progress.issued += ids.length;
    this.#admit();
  }

  /** Hands queued requests to the backend while there is room. */
  #admit(): void {
    if (this.#failed) return;
    const room = this.#maxConcurrency - this.#progress.inFlight;
    const count = Math.min(room, this.#queue.length);
    if (count <= 0) return;
    const batch = this.#queue.take(count);
    this.#progress.inFlight += count;
    if (this.#watchdog !== undefined) {
      const now = performance.now();
      for (const sample of batch) {
        sample.admittedAt = now;
        this.#admitted.push(sample);
      }
    }
    try {
      this.#options.backend.generate(batch, this.#backendSignal);
    } catch (error) {
      // A backend must report failures as events; one that throws still ends the run cleanly.
      this.#fail(error);
    }
  }

  #onTokens(sample: SampleRequest, tokens: Int32Array): void {
    if (sample.firstTokenAt === undefined && tokens.length > 0) sample.firstTokenAt = performance.now();
    if (!this.#options.reportFirstToken || sample.firstTokenReported || sample.done || tokens.length === 0) return;
    this.#reportFirstToken(sample, tokens);
  }

  #onComplete(sample: SampleRequest, tokens: Int32Array): void {
    if (sample.done) {
      this.#fail(this.#repeated(sample));
      return;
    }
    sample.done = true;
    const now = performance.now();
    this.#times.push([sample.issuedAt, sample.firstTokenAt ?? (tokens.length > 0 ? now : null), now, tokens.length]);
    // LoadGen wants the first token before the completion, also from a backend that streams
    // nothing, and for an empty answer (reported empty).
    if (this.#options.reportFirstToken && !sample.firstTokenReported) {
      this.#reportFirstToken(sample, tokens.subarray(0, 1));
    }
    this.#completions.add(sample.id, tokens);
    this.#progress.inFlight--;
    this.#progress.completed++;
    this.#progress.generatedTokens += tokens.length;
    this.#scheduleFlush();
  }

  #onError(sample: SampleRequest, error: unknown): void {
    if (sample.done) return;
    sample.done = true;
    this.#progress.inFlight--;
    // An abort of the run is the run's own doing: runTest reports it as such.
    if (this.#options.signal?.aborted) return;
    this.#fail(error);
  }

  #reportFirstToken(sample: SampleRequest, tokens: Int32Array): void {
    sample.firstTokenReported = true;
    this.#firstTokens.add(sample.id, tokens);
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
    try {
      if (this.#firstTokens.size > 0) {
        const { ids, data, offsets } = this.#firstTokens.take();
        if (!this.#failed) completeFirstTokens(ids, data, offsets);
      }
      if (this.#completions.size > 0) {
        const { ids, data, offsets, counts } = this.#completions.take();
        if (!this.#failed) completeSamples(ids, data, offsets, counts);
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#admit();
  }

  /** Ends the run with `error` (the first failure wins); LoadGen's logs are still written. */
  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#stop.abort(error);
    if (this.#control === undefined) throw error;
    this.#control.fail(error);
  }

  #repeated(sample: SampleRequest): BackendError {
    return new BackendError(
      'ERR_BACKEND_FAILED',
      `backend ${this.#options.backend.name} reported sample ${sample.sampleIndex} as finished twice; each request ends once (a bug of the backend)`,
    );
  }
}
