/**
 * The generation engine from TypeScript: opens a model folder with the native engine
 * (native/engine/), submits requests with per-request callbacks and dispatches the engine's
 * event batches to them by a dense integer handle.
 *
 * A handle is an index into an array of open requests, reused once the engine has reported the
 * request's last record (its end, its failure, or the release of a cancelled one), so the
 * engine never sees a handle twice while it still knows it.
 *
 * @packageDocumentation
 */
import { BackendError, codedTypeError, isCoded, messageOf } from '../../errors.js';
import { native } from '../../loadgen/native.js';
import type { FinishReason } from '../backend.js';
import { argmaxModels } from './argmax-model.js';
import { type EngineModelConfig, readEngineModelConfig } from './engine-config.js';
import type { GenerationTime } from '../backend.js';
import { EventKind, type NativeEngine, type NativeEngineInfo } from './native-engine.js';
import { defaultRuntimePath } from './runtime-path.js';

/** MLPerf Llama-3.1-8B's longest prompt (2540 tokens) plus its 128 generated tokens. */
export const MLPERF_MAX_LENGTH = 2540 + 128;

/** Options of {@link Engine.create}. */
export interface EngineOptions {
  device: 'cpu' | 'cuda';
  /** CUDA device ordinal. Default 0. */
  deviceId?: number;
  /** KV-cache slots to make: requests generated at once (fewer when fewer fit in memory). */
  maxConcurrency: number;
  /**
   * Tokens one slot holds: the longest prompt plus maxNewTokens. Default: {@link MLPERF_MAX_LENGTH},
   * or the model's context_length when that is shorter.
   */
  maxLength?: number;
  /** ONNX Runtime threads inside one operator (CPU). Default: ONNX Runtime's choice. */
  intraOpNumThreads?: number;
  /** End-of-sequence ids replacing genai_config.json's `eos_token_id`. */
  eosTokenIds?: readonly number[];
  /** The libonnxruntime.so.1 to use. Default: onnxruntime-node's. */
  runtimePath?: string;
  /** Caps the free memory the KV cache is sized by, e.g. to model a smaller GPU. Default: no cap. */
  memoryLimitBytes?: number;
  /** Most prefills between two decode steps. Default: as many as slots are free. */
  maxPrefillsPerStep?: number;
  /**
   * CUDA: capture each decode step's shape once as a CUDA graph and replay it, so a step costs
   * one launch instead of one per kernel (batch-1 decode is launch-bound without). Default true;
   * ignored on the CPU and where the KV cache stays on the host (a float32 export).
   */
  cudaGraph?: boolean;
  /**
   * Prefills run the prompt right-padded to a multiple of this many tokens (1: exact lengths).
   * ONNX Runtime's CUDA provider is slow the first time it meets a sequence length, so a few
   * widths serve all prompts; the padding is causal-masked and costs at most this many tokens of
   * compute. Default 64.
   */
  prefillBucket?: number;
}

/** Receives one request's events, on the JS thread, in order; after `onEnd` or `onError` nothing follows. */
export interface EngineCallbacks {
  /** New tokens, in order (the first call carries the first token); valid only during the call. */
  onTokens(tokens: Int32Array): void;
  onEnd(reason: FinishReason): void;
  onError(error: BackendError): void;
}

interface OpenRequest {
  callbacks: EngineCallbacks;
  /** Cancelled: its events are dropped until the engine releases the handle. */
  cancelled: boolean;
}

function asBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (isCoded(error)) return new BackendError(error.code, error.message, { cause: error });
  return new BackendError('ERR_BACKEND_FAILED', `engine: ${messageOf(error)}`, { cause: error });
}

function positiveInteger(name: string, value: unknown, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (name === 'maxLength' ? 2 : 1)) {
    throw new BackendError(
      'ERR_BACKEND_REQUEST',
      `engine: ${name} must be an integer of at least ${name === 'maxLength' ? 2 : 1}, got ${String(value)}`,
    );
  }
}

/** A running engine over one model. */
export class Engine {
  /** The model folder's configuration. */
  readonly config: EngineModelConfig;
  readonly #native: NativeEngine;
  readonly #open: (OpenRequest | undefined)[] = [];
  readonly #free: number[] = [];
  #inFlight = 0;
  #closed = false;
  #commitScheduled = false;
  readonly #commit = (): void => {
    this.#commitScheduled = false;
    if (!this.#closed) this.#native.commit();
  };
  readonly #onExit = (): void => {
    if (!this.#closed) this.#native.close(true);
  };

  private constructor(config: EngineModelConfig, nativeEngine: NativeEngine) {
    this.config = config;
    this.#native = nativeEngine;
    // process.exit() runs no environment cleanup: stop the engine thread before C++ teardown.
    process.on('exit', this.#onExit);
  }

  /**
   * Loads the model in `modelDir` (genai_config.json and its decoder) off the JS thread.
   * Rejects with ERR_BACKEND_MODEL (folder, config or model missing or malformed),
   * ERR_BACKEND_UNAVAILABLE (no runtime, no CUDA provider or device, too little memory for one
   * slot) or ERR_BACKEND_REQUEST (bad options).
   */
  static async create(modelDir: string, options: EngineOptions): Promise<Engine> {
    if (options.device !== 'cpu' && options.device !== 'cuda') {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `engine: device must be 'cpu' or 'cuda', got ${String(options.device)}`,
      );
    }
    positiveInteger('maxConcurrency', options.maxConcurrency, false);
    positiveInteger('maxLength', options.maxLength, true);
    positiveInteger('intraOpNumThreads', options.intraOpNumThreads, true);
    positiveInteger('maxPrefillsPerStep', options.maxPrefillsPerStep, true);
    positiveInteger('prefillBucket', options.prefillBucket, true);
    positiveInteger('memoryLimitBytes', options.memoryLimitBytes, true);
    if (options.deviceId !== undefined && (!Number.isInteger(options.deviceId) || options.deviceId < 0)) {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `engine: deviceId must be a CUDA device ordinal, got ${options.deviceId}`,
      );
    }
    const config = await readEngineModelConfig(modelDir);
    const maxLength = options.maxLength ?? Math.min(MLPERF_MAX_LENGTH, config.contextLength);
    if (maxLength > config.contextLength) {
      throw new BackendError(
        'ERR_BACKEND_REQUEST',
        `engine: maxLength ${maxLength} exceeds the model's context_length ${config.contextLength} (${config.configPath})`,
      );
    }
    const runtimePath = options.runtimePath ?? defaultRuntimePath();
    const eos = options.eosTokenIds ?? config.eosTokenIds;
    // Events arrive only after requests were submitted, so after `created` is set.
    const created: { engine?: Engine } = {};
    let nativeEngine: NativeEngine;
    try {
      nativeEngine = await native.createEngine(
        {
          runtimePath,
          modelPath: config.decoderPath,
          configPath: config.configPath,
          names: config.names,
          layers: config.numHiddenLayers,
          kvHeads: config.numKeyValueHeads,
          headSize: config.headSize,
          vocabSize: config.vocabSize,
          attentionHeads: config.numAttentionHeads,
          device: options.device,
          deviceId: options.deviceId ?? 0,
          ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
          slots: options.maxConcurrency,
          maxLength,
          eosTokenIds: Int32Array.from(eos),
          argmaxModels: argmaxModels(),
          ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
          ...(options.maxPrefillsPerStep !== undefined ? { maxPrefillsPerStep: options.maxPrefillsPerStep } : {}),
          cudaGraph: options.cudaGraph ?? true,
          ...(options.prefillBucket !== undefined ? { prefillBucket: options.prefillBucket } : {}),
        },
        (records, messages) => {
          if (created.engine !== undefined) created.engine.#dispatch(records, messages);
        },
      );
    } catch (error) {
      throw asBackendError(error);
    }
    created.engine = new Engine(config, nativeEngine);
    return created.engine;
  }

  /** Slots, memory and types the engine settled on. */
  get info(): NativeEngineInfo {
    return this.#native.info;
  }

  /** Time the engine thread spent in prefills and decode steps so far; `reset` starts afresh. */
  stats(reset = false): GenerationTime {
    return this.#native.stats(reset);
  }

  /** Requests submitted and not yet ended (cancelled ones until the engine releases them). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Queues a request; it starts as soon as a slot is free (requests submitted in the same
   * synchronous run are handed to the engine together, at the next microtask). Returns its handle. Throws
   * ERR_BACKEND_REQUEST for a request the engine cannot serve (empty prompt, ids outside the
   * vocabulary, prompt + maxNewTokens above maxLength), ERR_BACKEND_UNAVAILABLE once closed.
   */
  submit(prompt: Int32Array, maxNewTokens: number, callbacks: EngineCallbacks): number {
    if (this.#closed) throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'engine: it is closed; create a new one');
    if (!(prompt instanceof Int32Array))
      throw codedTypeError('ERR_INVALID_ARG_TYPE', 'engine: the prompt must be an Int32Array');
    const handle = this.#free.pop() ?? this.#open.length;
    try {
      this.#native.submit(handle, prompt, maxNewTokens);
    } catch (error) {
      if (handle < this.#open.length) this.#free.push(handle);
      throw asBackendError(error);
    }
    this.#open[handle] = { callbacks, cancelled: false };
    if (this.#inFlight++ === 0) this.#native.setKeepAlive(true);
    // Everything submitted in this turn of the event loop reaches the engine thread at once, so
    // a batch is prefilled before the next decode step instead of joining it piecemeal.
    if (!this.#commitScheduled) {
      this.#commitScheduled = true;
      queueMicrotask(this.#commit);
    }
    return handle;
  }

  /** Drops a request: its callbacks are not called again. */
  cancel(handle: number): void {
    const request = this.#open[handle];
    if (request === undefined || request.cancelled) return;
    request.cancelled = true;
    this.#native.cancel(handle);
  }

  /**
   * Stops the engine: its thread ends at the next step boundary and frees the sessions and the
   * KV cache. Requests still in flight get no further callbacks (end them yourself).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    await this.#native.close();
  }

  #release(handle: number): void {
    this.#open[handle] = undefined;
    this.#free.push(handle);
    if (--this.#inFlight === 0 && !this.#closed) this.#native.setKeepAlive(false);
  }

  #dispatch(records: Int32Array, messages: string[]): void {
    // A callback that throws is a caller bug: the other requests' events still go out, then it
    // is rethrown as an uncaught exception.
    let thrown: { error: unknown } | undefined;
    const call = (body: () => void): void => {
      try {
        body();
      } catch (error) {
        thrown ??= { error };
      }
    };
    for (let i = 0; i + 2 < records.length; i += 3 + records[i + 2]!) {
      const handle = records[i]!;
      const kind = records[i + 1]!;
      const count = records[i + 2]!;
      const request = this.#open[handle];
      if (request === undefined) continue;
      const { callbacks, cancelled } = request;
      switch (kind) {
        case EventKind.tokens:
          if (!cancelled) call(() => callbacks.onTokens(records.subarray(i + 3, i + 3 + count)));
          break;
        case EventKind.stop:
        case EventKind.length:
          this.#release(handle);
          if (!cancelled) call(() => callbacks.onEnd(kind === EventKind.stop ? 'stop' : 'length'));
          break;
        case EventKind.failed: {
          this.#release(handle);
          const at = records[i + 3]! * 2;
          const error = asBackendError(
            Object.assign(new Error(messages[at + 1] ?? 'engine: generation failed'), { code: messages[at] }),
          );
          if (!cancelled) call(() => callbacks.onError(error));
          break;
        }
        case EventKind.released:
          this.#release(handle);
          break;
      }
    }
    if (thrown !== undefined) {
      const { error } = thrown;
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
