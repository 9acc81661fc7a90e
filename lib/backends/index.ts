/**
 * Generation backends behind one interface.
 *
 * @packageDocumentation
 */
export type {
  Backend,
  BackendSetup,
  EndpointStats,
  FinishReason,
  GenerationEvents,
  GenerationRequest,
  GenerationTime,
} from './backend.js';
export { ReplayBackend, type ReplayOptions } from './replay.js';
export { createOpenAIBackend, OpenAIBackend, type OpenAIBackendOptions } from './openai.js';
export {
  createOpenAIDispatcher,
  DEFAULT_RETRY_TIMEOUT_MS,
  OpenAIDispatcher,
  type OpenAIDispatcherOptions,
} from './openai-dispatcher.js';
export { describeEndpointEvent, type EndpointEvent } from './endpoint-pool.js';
export { parseEndpointList, readEndpointList, type EndpointSpec } from './endpoint-list.js';
export { FixedRateBackend, type FixedRateOptions } from './fixed-rate.js';
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
} from './engine/index.js';
