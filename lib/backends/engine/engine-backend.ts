/**
 * The native generation engine as a {@link Backend}: the KV cache stays on the device, decoding
 * runs on the engine's own thread with continuous batching, and only token ids reach JS.
 *
 * @packageDocumentation
 */
import { BackendError, abortError } from '../../errors.js';
import type { Backend, BackendSetup, GenerationRequest, GenerationTime } from '../backend.js';
import { Engine, type EngineOptions } from './engine.js';
import { describeEngineSetup } from './engine-setup.js';
import type { NativeEngineInfo } from './native-engine.js';

/** Options of {@link createEngineBackend}. */
export interface EngineBackendOptions extends EngineOptions {
  /** Folder with genai_config.json and the decoder (a model-builder GroupQueryAttention export). */
  modelDir: string;
}

/** A request the backend has accepted, until its events end. */
interface Job {
  readonly request: GenerationRequest;
  readonly generated: number[];
  handle: number;
  ended: boolean;
  /** Called once when the job ends (detaches its call's abort listener after the last one). */
  onSettled?: () => void;
}

/** Generation on the native engine. */
export class EngineBackend implements Backend {
  readonly name: string;
  /** The engine's slot count: what fits on the device, at most the requested maxConcurrency. */
  readonly maxConcurrency: number;
  readonly #engine: Engine;
  readonly #open = new Set<Job>();
  #closed = false;

  /** Use {@link createEngineBackend}, which loads the model. */
  constructor(engine: Engine) {
    this.#engine = engine;
    this.name = `engine(${engine.info.device})`;
    this.maxConcurrency = engine.info.slots;
  }

  /** What the engine settled on: slots, maxLength, memory per slot and free at start. */
  get info(): NativeEngineInfo {
    return this.#engine.info;
  }

  /** Slots, maxLength and memory, as a line and as {@link NativeEngineInfo}'s fields. */
  setup(): BackendSetup {
    return { summary: describeEngineSetup(this.#engine.info), details: { ...this.#engine.info } };
  }

  /** Time the engine spent in prefills and decode steps; `reset` starts afresh. */
  generationTime(reset = false): GenerationTime {
    return this.#engine.stats(reset);
  }

  /** Queues every request with the engine; see {@link Backend.generate}. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    const jobs: Job[] = [];
    for (const request of requests) {
      const job: Job = { request, generated: [], handle: -1, ended: false };
      if (this.#closed) {
        this.#fail(job, new BackendError('ERR_BACKEND_UNAVAILABLE', 'engine: the backend is closed; create a new one'));
        continue;
      }
      if (signal?.aborted) {
        this.#fail(job, abortError('generation', signal.reason));
        continue;
      }
      try {
        job.handle = this.#engine.submit(request.prompt, request.maxNewTokens, {
          onTokens: (tokens) => {
            for (const token of tokens) job.generated.push(token);
            request.events.onTokens(tokens);
          },
          onEnd: (reason) => {
            if (this.#settle(job)) request.events.onComplete(Int32Array.from(job.generated), reason);
          },
          onError: (error) => this.#fail(job, error),
        });
      } catch (error) {
        this.#fail(job, error);
        continue;
      }
      this.#open.add(job);
      jobs.push(job);
    }
    if (signal && jobs.length > 0) {
      const onAbort = (): void => {
        for (const job of jobs) this.#drop(job, abortError('generation', signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // Detached once every job of this call has ended.
      let left = jobs.length;
      for (const job of jobs) {
        job.onSettled = () => {
          if (--left === 0) signal.removeEventListener('abort', onAbort);
        };
      }
    }
  }

  /** Ends the requests still open with ERR_BACKEND_UNAVAILABLE, stops the engine, frees the device. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new BackendError('ERR_BACKEND_UNAVAILABLE', 'engine: the backend was closed while generating');
    for (const job of [...this.#open]) this.#drop(job, closed);
    await this.#engine.close();
  }

  /** Marks a job ended; false if it had ended already. */
  #settle(job: Job): boolean {
    if (job.ended) return false;
    job.ended = true;
    this.#open.delete(job);
    job.onSettled?.();
    return true;
  }

  #fail(job: Job, error: unknown): void {
    if (this.#settle(job)) job.request.events.onError(error);
  }

  /** Ends a job the engine still runs: cancelled there, reported here. */
  #drop(job: Job, error: unknown): void {
    if (job.ended) return;
    if (job.handle >= 0 && !this.#closed) this.#engine.cancel(job.handle);
    this.#fail(job, error);
  }
}

/**
 * Loads the model in `options.modelDir` on the engine and returns a backend over it. Rejects with
 * ERR_BACKEND_MODEL, ERR_BACKEND_UNAVAILABLE or ERR_BACKEND_REQUEST (see {@link Engine.create}).
 */
export async function createEngineBackend(options: EngineBackendOptions): Promise<EngineBackend> {
  const { modelDir, ...engineOptions } = options;
  return new EngineBackend(await Engine.create(modelDir, engineOptions));
}
