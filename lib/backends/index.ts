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
export { createEngineBackend, EngineBackend, type EngineBackendOptions } from './engine/index.js';
