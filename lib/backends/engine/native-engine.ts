/**
 * The generation engine's native surface, exactly as native/engine/engine_binding.cc exports
 * it: `createEngine(options, onEvents)` and the object it resolves with. {@link Engine} drives
 * it; nothing else should.
 *
 * @packageDocumentation
 */
import type { DecoderIoNames } from '../../genai-layout.js';
import type { GenerationTime } from '../backend.js';
import type { LogitsType } from './argmax-model.js';

/** What native `createEngine` takes (checked again natively; TypeScript validates user input first). */
export interface NativeEngineOptions {
  /** The libonnxruntime.so.1 to open (onnxruntime-node's, so one runtime serves the process). */
  runtimePath: string;
  /** The decoder model and its genai_config.json (for messages). */
  modelPath: string;
  configPath: string;
  names: DecoderIoNames;
  layers: number;
  kvHeads: number;
  headSize: number;
  vocabSize: number;
  /** num_attention_heads, for the CPU memory estimate (0 when unknown). */
  attentionHeads?: number;
  device: 'cpu' | 'cuda';
  deviceId?: number;
  intraOpNumThreads?: number;
  /** KV-cache slots asked for; fewer are made when fewer fit. */
  slots: number;
  /** Tokens one slot holds: the longest prompt plus maxNewTokens. */
  maxLength: number;
  eosTokenIds: Int32Array;
  /** The arg-max model for each logits type (see argmax-model.ts). */
  argmaxModels: Record<LogitsType, Uint8Array>;
  /** Caps the free memory the KV cache is sized by (0 or absent: no cap). */
  memoryLimitBytes?: number;
  /** Most prefills between two decode steps (0 or absent: as many as slots are free). */
  maxPrefillsPerStep?: number;
  /** CUDA: decode steps as captured CUDA graphs. */
  cudaGraph?: boolean;
  /** Prompts are right-padded to a multiple of this many tokens (1: exact lengths). Default 64. */
  prefillBucket?: number;
}

/** What the engine settled on once the model was loaded. */
export interface NativeEngineInfo {
  /** ONNX Runtime's own version string, e.g. "1.29.0". */
  runtimeVersion: string;
  runtimePath: string;
  device: 'cpu' | 'cuda';
  deviceId: number;
  /** KV-cache slots made: requests generated at once. */
  slots: number;
  requestedSlots: number;
  /** Slots the free memory would hold after the reserve. */
  fitSlots: number;
  maxLength: number;
  /** Bytes of KV cache one slot takes (all layers, keys and values, maxLength tokens). */
  bytesPerSlot: number;
  kvCacheBytes: number;
  /** Free memory where the KV cache lives (the device's, or the host's available), once the model was loaded, before the cache. */
  freeBytes: number;
  totalBytes: number;
  /** Memory kept free for logits, activations and kernel workspace. */
  reserveBytes: number;
  kvType: LogitsType;
  logitsType: LogitsType;
  /**
   * Where the KV cache lives: 'cuda' when the model's attention runs on the GPU; 'cpu' on the CPU
   * device, and on CUDA when the attention has no CUDA kernel for the model's type (float32
   * GroupQueryAttention), which makes every step slow.
   */
  kvLocation: 'cpu' | 'cuda';
  /** Whether decode steps run as CUDA graphs (asked for, on CUDA, with the KV cache there). */
  cudaGraph: boolean;
}

/** The engine object native `createEngine` resolves with. */
export interface NativeEngine {
  readonly info: NativeEngineInfo;
  /** Stages a request under `handle` (unique among requests in flight). Throws ERR_BACKEND_REQUEST. */
  submit(handle: number, prompt: Int32Array, maxNewTokens: number): void;
  /** Hands the staged requests to the engine thread together. */
  commit(): void;
  /** Drops a request in flight; the engine answers with a released record. */
  cancel(handle: number): void;
  /** Whether the engine keeps the event loop alive (true while requests are in flight). */
  setKeepAlive(keep: boolean): void;
  /** Run times so far; `reset` starts counting afresh. */
  stats(reset?: boolean): GenerationTime;
  /** Stops the engine thread, frees the sessions and the KV cache. */
  close(): Promise<void>;
  /** The same, synchronously (process exit). */
  close(wait: true): void;
}

/**
 * Receives event records in batches: `records` is a flat list of `[handle, kind, count,
 * payload × count]`; a failure's payload indexes `messages` (code, message pairs).
 */
export type EngineEventsCallback = (records: Int32Array, messages: string[]) => void;

/** The record kinds of native/engine/event_log.h. */
export const EventKind = Object.freeze({
  tokens: 0,
  stop: 1,
  length: 2,
  failed: 3,
  released: 4,
} as const);

/** The addon's engine export. */
export interface NativeEngineBinding {
  createEngine(options: NativeEngineOptions, onEvents: EngineEventsCallback): Promise<NativeEngine>;
}
