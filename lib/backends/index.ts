/**
 * Generation backends behind one interface.
 *
 * @packageDocumentation
 */
export type { Backend, FinishReason, GenerationEvents, GenerationRequest } from './backend.js';
export { ReplayBackend, type ReplayOptions } from './replay.js';
export { createOpenAIBackend, OpenAIBackend, type OpenAIBackendOptions } from './openai.js';
export {
  createOnnxRuntimeBackend,
  type OnnxRuntimeBackend,
  type OnnxRuntimeBackendOptions,
} from './onnxruntime-loader.js';
export {
  createEngineBackend,
  Engine,
  EngineBackend,
  MLPERF_MAX_LENGTH,
  type EngineBackendOptions,
  type EngineCallbacks,
  type EngineOptions,
  type NativeEngineInfo,
  type NativeEngineStats,
} from './engine/index.js';
