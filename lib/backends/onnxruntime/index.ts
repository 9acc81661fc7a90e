/**
 * The onnxruntime backend: greedy generation with onnxruntime-node from a model folder in the
 * onnxruntime-genai model-builder layout (or the embedded tiny model), on CPU or CUDA.
 *
 * @packageDocumentation
 */
export {
  createOnnxRuntimeBackend,
  DEFAULT_PREFILL_CHUNK_SIZE,
  OnnxRuntimeBackend,
  type OnnxRuntimeBackendOptions,
} from './onnxruntime-backend.js';
export type { DtypeOption } from './decoder-session.js';
export { CUDA_PROVIDER_FILES, type Device, ONNXRUNTIME_VERSION } from './execution-provider.js';
export { GENAI_CONFIG_FILE, type GenaiDecoderConfig, readGenaiConfig } from './genai-config.js';
