/**
 * The onnxruntime generation backend: greedy decoding of an onnxruntime-genai style decoder export
 * (or the embedded tiny model) with a KV cache and continuous batching.
 *
 * Each request is prefilled alone (batch 1, every prompt token but the last, KV cache only), then
 * joins the running batch with its last prompt token pending. Every step feeds one token per row
 * — right-padded KV, per-row attention-mask lengths — so the first step of a row yields its first
 * token. Concurrent generate() calls merge into the same loop up to maxConcurrency rows; a row leaves
 * at an end-of-sequence token or after maxNewTokens. onnxruntime-node runs a session on the JS
 * thread, so the loop yields to the event loop after every run.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Backend, FinishReason, GenerationRequest } from '../backend.js';
import { DecoderSession, type DtypeOption } from './decoder-session.js';
import { assertDeviceAvailable, type Device, openSession } from './execution-provider.js';
import { BUILDER_FOLDER_HINT, readGenaiConfig } from './genai-config.js';
import { greedyTokens } from './greedy.js';
import { KvBatch, type KvLayout } from './kv-batch.js';
import { BackendError, abortError } from '../../errors.js';

/** Options of {@link createOnnxRuntimeBackend}. */
export interface OnnxRuntimeBackendOptions {
  /** Folder with genai_config.json and the decoder model (a model-builder export, or ensureTinyModel()). */
  modelDir: string;
  /** Execution provider. */
  device: Device;
  /** Most rows decoded together. */
  maxConcurrency: number;
  /** The model's float I/O type; detected from the model when left out, checked when given. */
  dtype?: DtypeOption;
  /** CUDA device ordinal. Default 0. */
  deviceId?: number;
  /** onnxruntime intra-op threads (CPU). Default: onnxruntime's choice. */
  intraOpNumThreads?: number;
  /** End-of-sequence ids replacing genai_config.json's `eos_token_id`. */
  eosTokenIds?: readonly number[];
  /**
   * Prompt tokens per prefill run. Longer prompts are prefilled in chunks, which bounds the
   * memory of the [chunk, vocab] logits the model computes on the way. Default 512. Models with a
   * position_ids input (the builder's MultiHeadAttention exports) take each prompt in one run.
   */
  prefillChunkSize?: number;
}

/** Default of {@link OnnxRuntimeBackendOptions.prefillChunkSize}. */
export const DEFAULT_PREFILL_CHUNK_SIZE = 512;

/** The abort wiring of one generate() call: its listener stays until the call's last job ends. */
interface CallSignal {
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
  open: number;
}

/** A request the backend has accepted, until it ends. */
interface Job {
  readonly request: GenerationRequest;
  readonly call: CallSignal | null;
  /** Whether its onComplete or onError has been called. */
  ended: boolean;
}

/** A request in the decode batch. */
interface Row {
  readonly job: Job;
  /** Valid KV slots (tokens already run through the model). */
  length: number;
  /** The token the next step feeds. */
  pending: number;
  readonly generated: number[];
  /** The KV batch holding the row's `length` slots, at row `kvIndex`; null while it has none (a one-token prompt). */
  kv: KvBatch | null;
  kvIndex: number;
}

/** Greedy continuous-batching generation over an onnxruntime decoder session. */
export class OnnxRuntimeBackend implements Backend {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly #decoder: DecoderSession;
  readonly #eos: ReadonlySet<number>;
  readonly #prefillChunkSize: number;
  readonly #waiting: Job[] = [];
  /** Jobs not ended yet. */
  readonly #open = new Set<Job>();
  #active: Row[] = [];
  /** The rows of the last step, in batch order, and the KV batch it returned. */
  #last: { rows: readonly Row[]; kv: KvBatch } | null = null;
  #loop: Promise<void> = Promise.resolve();
  #running = false;
  #closed = false;

  /** Use {@link createOnnxRuntimeBackend}, which opens and validates the model. */
  constructor(
    decoder: DecoderSession,
    options: { device: Device; maxConcurrency: number; eosTokenIds?: readonly number[]; prefillChunkSize?: number },
  ) {
    this.#decoder = decoder;
    this.#prefillChunkSize = options.prefillChunkSize ?? DEFAULT_PREFILL_CHUNK_SIZE;
    this.name = `onnxruntime(${options.device})`;
    this.maxConcurrency = options.maxConcurrency;
    this.#eos = new Set(options.eosTokenIds ?? decoder.config.eosTokenIds);
  }

  /** Adds the requests to the running batch; see {@link Backend.generate}. */
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    const call: CallSignal | null = signal
      ? {
          signal,
          open: 0,
          onAbort: () => jobs.forEach((job) => this.#end(job, abortError('generation', signal.reason))),
        }
      : null;
    const jobs = requests.map((request): Job => ({ request, call, ended: false }));
    for (const job of jobs) {
      const refusal = this.#closed
        ? new BackendError('ERR_BACKEND_UNAVAILABLE', 'onnxruntime: the backend is closed; create a new one')
        : signal?.aborted
          ? abortError('generation', signal.reason)
          : this.#validate(job.request);
      if (refusal !== null) {
        job.ended = true;
        job.request.events.onError(refusal);
        continue;
      }
      if (call) call.open++;
      this.#open.add(job);
      this.#waiting.push(job);
    }
    if (call && call.open > 0) call.signal.addEventListener('abort', call.onAbort, { once: true });
    if (this.#waiting.length > 0 && !this.#running) {
      this.#running = true;
      this.#loop = this.#run();
    }
  }

  /** Ends the requests still open (ERR_BACKEND_UNAVAILABLE), waits for the step in progress, releases the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new BackendError('ERR_BACKEND_UNAVAILABLE', 'onnxruntime: the backend was closed while generating');
    for (const job of [...this.#open]) this.#end(job, closed);
    await this.#loop;
    await this.#decoder.session.release();
  }

  /** The first problem with a request as an ERR_BACKEND_REQUEST, or null. */
  #validate(request: GenerationRequest): BackendError | null {
    const { vocabSize, contextLength } = this.#decoder.config;
    const problem = (text: string): BackendError =>
      new BackendError('ERR_BACKEND_REQUEST', `onnxruntime: sample ${request.sampleIndex}: ${text}`);
    if (!(request.prompt instanceof Int32Array) || request.prompt.length === 0)
      return problem('the prompt must be a non-empty Int32Array of token ids');
    if (!Number.isInteger(request.maxNewTokens) || request.maxNewTokens < 1)
      return problem(`maxNewTokens must be a positive integer, got ${request.maxNewTokens}`);
    const bad = request.prompt.find((id) => id < 0 || id >= vocabSize);
    if (bad !== undefined)
      return problem(
        `token id ${bad} is outside the model's vocabulary (0..${vocabSize - 1}); tokenize with the model's tokenizer`,
      );
    if (request.prompt.length + request.maxNewTokens > contextLength) {
      return problem(
        `prompt (${request.prompt.length} tokens) plus maxNewTokens (${request.maxNewTokens}) exceeds the model's context_length ${contextLength}; shorten the prompt or lower maxNewTokens`,
      );
    }
    return null;
  }

  /** Marks a job ended; false if it had ended already. */
  #settle(job: Job): boolean {
    if (job.ended) return false;
    job.ended = true;
    this.#open.delete(job);
    if (job.call && --job.call.open === 0) job.call.signal.removeEventListener('abort', job.call.onAbort);
    return true;
  }

  /** Ends a job with an error (once); its row leaves the batch at the next step boundary. */
  #end(job: Job, error: unknown): void {
    if (this.#settle(job)) job.request.events.onError(error);
  }

  #finish(row: Row, reason: FinishReason): void {
    if (this.#settle(row.job)) row.job.request.events.onComplete(Int32Array.from(row.generated), reason);
  }

  /** The step loop; runs while any request is waiting or active. */
  async #run(): Promise<void> {
    try {
      for (;;) {
        this.#active = this.#active.filter((row) => !row.job.ended);
        while (this.#active.length < this.maxConcurrency && this.#waiting.length > 0) {
          const job = this.#waiting.shift()!;
          if (job.ended) continue;
          const row = await this.#prefill(job);
          if (row !== null && !job.ended) this.#active.push(row);
          await yieldToEventLoop();
        }
        this.#active = this.#active.filter((row) => !row.job.ended);
        if (this.#active.length === 0) {
          if (this.#waiting.length === 0) return;
          continue;
        }
        await this.#step(this.#active);
        await yieldToEventLoop();
      }
    } catch (error) {
      // Not expected (run failures are handled per step); never leave a request open forever.
      const failure = asFailure(error, 'the decode loop');
      for (const job of [...this.#open]) this.#end(job, failure);
      this.#active = [];
    } finally {
      // Cleared synchronously with the last check, so a generate() arriving later starts a new loop.
      this.#running = false;
      this.#last = null;
    }
  }

  /** Runs a request's prompt (all but its last token) into a KV cache of its own. */
  async #prefill(job: Job): Promise<Row | null> {
    const prompt = job.request.prompt;
    const row: Row = {
      job,
      length: prompt.length - 1,
      pending: prompt[prompt.length - 1]!,
      generated: [],
      kv: null,
      kvIndex: 0,
    };
    if (row.length === 0) return row;
    try {
      row.kv = await this.#decoder.prefill(prompt.subarray(0, row.length), this.#prefillChunkSize);
      return row;
    } catch (error) {
      this.#end(job, asFailure(error, `prefill of sample ${job.request.sampleIndex} (${prompt.length} prompt tokens)`));
      return null;
    }
  }

  /** One decode step over `rows`: a token for every row, finished rows complete and leave. */
  async #step(rows: readonly Row[]): Promise<void> {
    const last = this.#last;
    const reuse = last !== null && last.rows.length === rows.length && last.rows.every((row, i) => rows[i] === row);
    let result: Awaited<ReturnType<DecoderSession['step']>>;
    let next: Int32Array;
    try {
      // Membership changed: copy every row's valid slots into a batch as wide as the longest row.
      const past = reuse ? last.kv : gatherRows(this.#decoder.kvLayout, rows);
      result = await this.#decoder.step(
        Int32Array.from(rows, (row) => row.pending),
        rows.map((row) => row.length),
        past,
      );
      next = greedyTokens(result.logits);
    } catch (error) {
      const failure = asFailure(error, `decode step of ${rows.length} rows`);
      for (const row of rows) this.#end(row.job, failure);
      this.#last = null;
      return;
    }
    const survivors: Row[] = [];
    const token = new Int32Array(1);
    rows.forEach((row, i) => {
      if (row.job.ended) return; // aborted or failed while the step ran
      row.length += 1;
      row.kv = result.present;
      row.kvIndex = i;
      token[0] = next[i]!;
      row.generated.push(token[0]);
      row.pending = token[0];
      row.job.request.events.onTokens(token);
      if (this.#eos.has(token[0])) this.#finish(row, 'stop');
      else if (row.generated.length >= row.job.request.maxNewTokens) this.#finish(row, 'length');
      else survivors.push(row);
    });
    this.#last = { rows, kv: result.present };
    this.#active = survivors;
  }
}

/** A new KV batch of `rows`, each right-padded to the longest. */
function gatherRows(layout: KvLayout, rows: readonly Row[]): KvBatch {
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  return KvBatch.gather(
    layout,
    rows.map((row) => row.kv && { batch: row.kv, index: row.kvIndex, length: row.length }),
    width,
  );
}

/** A run failure as ERR_BACKEND_FAILED (backend errors pass through). */
function asFailure(error: unknown, what: string): unknown {
  if (
    error instanceof Error &&
    typeof (error as Partial<BackendError>).code === 'string' &&
    (error as BackendError).code.startsWith('ERR_BACKEND_')
  )
    return error;
  return new BackendError(
    'ERR_BACKEND_FAILED',
    `onnxruntime: ${what} failed: ${error instanceof Error ? error.message : String(error)}; the model or the device ran out of resources or rejected the inputs`,
    { cause: error },
  );
}

/**
 * Opens the model in `options.modelDir` and returns a backend over it. Throws ERR_BACKEND_UNAVAILABLE
 * when the device cannot be used, ERR_BACKEND_MODEL when the folder, its genai_config.json or the
 * model is missing or malformed.
 */
export async function createOnnxRuntimeBackend(options: OnnxRuntimeBackendOptions): Promise<OnnxRuntimeBackend> {
  for (const key of ['maxConcurrency', 'prefillChunkSize'] as const) {
    const value = options[key];
    if ((value !== undefined || key === 'maxConcurrency') && (!Number.isInteger(value) || value! < 1)) {
      throw new BackendError('ERR_BACKEND_REQUEST', `onnxruntime: ${key} must be a positive integer, got ${value}`);
    }
  }
  assertDeviceAvailable(options.device);
  const config = await readGenaiConfig(options.modelDir);
  if (!existsSync(config.decoderPath)) {
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: the decoder model ${config.decoderPath} (model.decoder.filename in ${config.configPath}) is missing; ${BUILDER_FOLDER_HINT}`,
    );
  }
  const settings = {
    device: options.device,
    ...(options.deviceId !== undefined ? { deviceId: options.deviceId } : {}),
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  };
  // MultiHeadAttention exports (position_ids in the config) carry shape hints onnxruntime trips on.
  const open = async (withoutShapeHints: boolean): Promise<DecoderSession> => {
    const session = await openSession(config.decoderPath, { ...settings, withoutShapeHints });
    try {
      return new DecoderSession(session, config, options.dtype);
    } catch (error) {
      await session.release();
      throw error;
    }
  };
  let decoder = await open(config.positionIds !== null);
  if (decoder.positionIds !== null && config.positionIds === null) {
    // The model has position_ids although the config does not list it: open it again, without the hints.
    await decoder.session.release();
    decoder = await open(true);
  }
  return new OnnxRuntimeBackend(decoder, {
    device: options.device,
    maxConcurrency: options.maxConcurrency,
    ...(options.eosTokenIds !== undefined ? { eosTokenIds: options.eosTokenIds } : {}),
    ...(options.prefillChunkSize !== undefined ? { prefillChunkSize: options.prefillChunkSize } : {}),
  });
}
