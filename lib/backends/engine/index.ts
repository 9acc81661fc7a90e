/**
 * The native generation engine (native/engine/): ONNX Runtime's C API with the KV cache on the
 * device, continuous batching on a native thread, arg-max on the device.
 *
 * @packageDocumentation
 */
export { ARGMAX_INPUT, ARGMAX_OUTPUT, argmaxModel, argmaxModels, type LogitsType } from './argmax-model.js';
export { Engine, MLPERF_MAX_LENGTH, type EngineCallbacks, type EngineOptions } from './engine.js';
export { createEngineBackend, EngineBackend, type EngineBackendOptions } from './engine-backend.js';
export { readEngineModelConfig, type EngineModelConfig } from './engine-config.js';
export type { NativeEngineInfo } from './native-engine.js';
export { defaultRuntimePath, ENGINE_ONNXRUNTIME_VERSION, RUNTIME_FILE } from './runtime-path.js';
